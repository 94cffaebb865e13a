"""Editor buffers: the unsaved text of a document, and exact conversion between code-point
offsets (what corpuskit counts) and LSP positions in the negotiated encoding.

LSP lines end at ``\\r\\n``, ``\\r`` or ``\\n`` (never at U+2028 or U+0085, which
``str.splitlines`` would split at); a position's ``character`` counts UTF-16 code units by
default, UTF-8 bytes or code points when the client and server agreed on it. corpuskit's
diagnostics count 1-based lines split at ``\\n`` only and columns in code points.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

#: The encodings a client may offer (LSP ``PositionEncodingKind``), in the server's preference.
ENCODINGS = ("utf-16", "utf-8", "utf-32")
_BREAK = re.compile(r"\r\n|\r|\n")


def units(text: str, encoding: str) -> int:
    """How many code units of ``encoding`` the string takes."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-8":
        # surrogatepass: a lone surrogate (possible in a JSON-RPC string) still counts.
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def code_points(line: str, count: int, encoding: str) -> int:
    """How many code points of ``line`` the first ``count`` code units cover (a position inside
    a character rounds down; one past the line's end is clamped to it)."""
    if count <= 0:
        return 0
    if encoding == "utf-32" or line.isascii():
        return min(count, len(line))
    used = 0
    for i, char in enumerate(line):
        used += units(char, encoding)
        if used > count:
            return i
    return len(line)


@dataclass(slots=True)
class Buffer:
    """One open document: its text, version, language and the position encoding in force."""

    uri: str
    text: str
    version: int
    language_id: str = ""
    encoding: str = "utf-16"
    _starts: list[int] | None = field(default=None, repr=False)
    _nl_starts: list[int] | None = field(default=None, repr=False)

    def snapshot(self) -> Buffer:
        """A copy that later edits leave alone (for work done in another thread)."""
        return Buffer(self.uri, self.text, self.version, self.language_id, self.encoding)

    @property
    def starts(self) -> list[int]:
        """Offsets where LSP lines start."""
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _BREAK.finditer(self.text))]
        return self._starts

    def line_end(self, line: int) -> int:
        """The offset where LSP line ``line`` (0-based) ends, before its line break."""
        starts = self.starts
        if line + 1 >= len(starts):
            return len(self.text)
        nxt = starts[line + 1]
        return nxt - 2 if self.text.startswith("\r\n", nxt - 2) else nxt - 1

    def offset_at(self, line: int, character: int) -> int:
        """The code-point offset of an LSP position (clamped to the text, as LSP asks)."""
        starts = self.starts
        if line < 0:
            return 0
        if line >= len(starts):
            return len(self.text)
        start = starts[line]
        return start + code_points(self.text[start : self.line_end(line)], character, self.encoding)

    def position_of(self, offset: int) -> tuple[int, int]:
        """The LSP (line, character) of a code-point offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        offset = min(offset, max(start, self.line_end(line)))  # never inside a CRLF
        return line, units(self.text[start:offset], self.encoding)

    def engine_offset(self, line: int, column: int) -> int:
        """The offset of corpuskit's 1-based (line, column): lines split at LF, columns in code
        points (a lone CR is inside a line there)."""
        if self._nl_starts is None:
            self._nl_starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        starts = self._nl_starts
        if line < 1:
            return 0
        if line > len(starts):
            return len(self.text)
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return min(start + max(column - 1, 0), end)

    def replace(self, start: int, end: int, new: str) -> None:
        """Replace ``text[start:end]`` by ``new``."""
        start, end = sorted((max(0, min(start, len(self.text))), max(0, min(end, len(self.text)))))
        self.text = self.text[:start] + new + self.text[end:]
        self._starts = self._nl_starts = None

    def set_text(self, text: str) -> None:
        """Replace the whole text."""
        self.text = text
        self._starts = self._nl_starts = None
