"""A reported file's source, read again for what diagnostics do not carry: byte columns (reviewdog
counts UTF-8 bytes, corpuskit code points) and the text range of a fix's edited value.

The file is read through :func:`corpuskit.io.read_input` (a regular file inside the project, size
capped) and used only if it is provably the text that was checked: every diagnostic's source
line must be found at its position. A file that changed since, or a name given to standard
input (``--stdin-filename``) that also exists on disk with other content, is not used.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from corpuskit.diagnostics import Diagnostic
from corpuskit.formats.common import LineIndex
from corpuskit.formats.json_positions import JsonPositions


class Source:
    """The decoded text of one checked file, with its line starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = LineIndex(text)

    @cached_property
    def json_positions(self) -> JsonPositions:
        """Where each JSON value sits, scanned once per file (many fixes may ask)."""
        return JsonPositions(self.text)

    def line(self, number: int) -> str | None:
        """The text of a 1-based line (without its break), or None past the end."""
        if not 1 <= number <= len(self.lines.starts):
            return None
        return self.lines.line_text(number)

    def matches(self, diagnostics: Sequence[Diagnostic]) -> bool:
        """Whether every diagnostic's source line is this text's line at its position."""
        checked = 0
        for d in diagnostics:
            if d.source_line is None:
                continue
            line = self.line(d.line)
            if line is None:
                return False
            if line[d.source_offset : d.source_offset + len(d.source_line)] != d.source_line:
                return False
            checked += 1
        return checked > 0

    def byte_column(self, line: int, column: int) -> int | None:
        """The 1-based UTF-8 byte column of a 1-based code point column, if the line has it."""
        text = self.line(line)
        if text is None or not 1 <= column <= len(text) + 1:
            return None
        return len(text[: column - 1].encode("utf-8", "surrogatepass")) + 1

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and UTF-8 byte column of a character offset."""
        line, _ = self.lines.line_col(offset)
        start = self.lines.starts[line - 1]
        return line, len(self.text[start:offset].encode("utf-8", "surrogatepass")) + 1


def read_source(path: str, root: Path, diagnostics: Sequence[Diagnostic]) -> Source | None:
    """The file behind ``path`` if it is readable, UTF-8 and the text the diagnostics came from."""
    from corpuskit.io import read_input

    if path == "-":
        return None
    try:
        data = read_input(Path(path), root=root)
    except (OSError, ValueError):  # gone, refused (a link out of the project), too large
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # P002: its byte columns are not those of a decoded text
        return None
    source = Source(text)
    return source if source.matches(diagnostics) else None


def window_byte_column(d: Diagnostic, line: int, column: int) -> int | None:
    """A byte column worked out from the diagnostic's own source line, when that line holds
    everything before ``column`` (it starts the real line and reaches the column)."""
    if d.source_line is None or d.source_offset or line != d.line:
        return None
    if column - 1 > len(d.source_line):
        return None
    return len(d.source_line[: column - 1].encode("utf-8", "surrogatepass")) + 1
