"""Article text that comes in from a file: the final-newline rule and the checks it must pass.

**The final-newline rule.** Editors end a saved file with a line break; a published article text
usually does not. So when a text is read from a file (``reanchor --text``, ``new``), one final
line break, ``"\\n"`` or ``"\\r\\n"``, is dropped unless the text it replaces (the document's
current text) ends with a line break itself; with no current text (a new document) it is always
dropped. Only one is dropped: a blank line at the end of the file is kept as a line break of the
text. Commands say when they dropped it, so the text never changes silently.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from corpuskit.diagnostics import CorpuskitError
from corpuskit.io import DEFAULT_LIMIT, read_input
from corpuskit.model import xml_forbidden

#: The line breaks an editor adds at the end of a file, longest first.
EDITOR_LINE_ENDS = ("\r\n", "\n")


class TextFileError(CorpuskitError):
    """A text file that cannot be read or cannot be a document's text; the message says why."""


@overload
def drop_editor_newline(text: str, current: str | None = None) -> tuple[str, str]: ...


@overload
def drop_editor_newline(text: bytes, current: str | None = None) -> tuple[bytes, str]: ...


def drop_editor_newline(text: str | bytes, current: str | None = None) -> tuple[str | bytes, str]:
    """``text`` without the one final line break an editor adds, and that line break ("" if none
    was dropped); kept when ``current`` (the text it replaces) ends with a line break.

    Works on UTF-8 bytes too: no multi-byte UTF-8 sequence contains CR or LF.
    """
    if current is not None and current.endswith(("\n", "\r")):
        return text, ""
    for ending in EDITOR_LINE_ENDS:
        if isinstance(text, str):
            if text.endswith(ending):
                return text[: -len(ending)], ending
        elif text.endswith(ending.encode("ascii")):
            return text[: -len(ending)], ending
    return text, ""


def newline_note(dropped: str, name: str) -> str:
    """The sentence a command prints when it dropped the editor's final line break."""
    shown = "CRLF" if dropped == "\r\n" else "newline"
    return f"dropped the final {shown} the editor added to {name} (not part of the published text)"


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a document's text (empty, a byte-order mark, characters XML 1.0
    cannot carry, not NFC), or None."""
    if not text:
        return "is empty"
    if text.startswith("\ufeff"):
        return "starts with a byte-order mark (U+FEFF); save it as UTF-8 without a BOM"
    forbidden = xml_forbidden().search(text)
    if forbidden is not None:
        at = forbidden.start()
        return (
            f"contains U+{ord(text[at]):04X} at character {at}, which XML 1.0 cannot carry "
            "(O007); remove or replace it"
        )
    if not unicodedata.is_normalized("NFC", text):
        return "is not NFC-normalised (O005); normalise it first"
    return None


@dataclass(frozen=True, slots=True)
class TextFile:
    """A text read from a file, ready to be a document's text."""

    text: str
    #: The final line break dropped by the rule ("" when none was).
    dropped: str


def read_text_file(
    path: Path, *, current: str | None = None, root: Path | None = None, limit: int = DEFAULT_LIMIT
) -> TextFile:
    """The text in ``path`` (UTF-8) under the final-newline rule, checked; raises TextFileError."""
    try:
        data = read_input(path, root=root, limit=limit)
    except OSError as exc:
        raise TextFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextFileError(
            f"{path} is not UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start}); "
            "save it as UTF-8"
        ) from None
    text, dropped = drop_editor_newline(decoded, current)
    problem = text_problem(text)
    if problem is not None:
        raise TextFileError(f"{path} {problem}")
    return TextFile(text, dropped)
