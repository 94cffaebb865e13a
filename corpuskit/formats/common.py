"""What every format shares: the parse result, source positions and byte-level checks."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Protocol

import msgspec

from corpuskit.diagnostics import Finding
from corpuskit.formats import problems as P

if TYPE_CHECKING:
    from corpuskit.formats.records import Record

UTF8_BOM = b"\xef\xbb\xbf"
#: Integers this large or larger in magnitude cannot be held exactly by JSON readers, which
#: store numbers as doubles (rule P008).
EXACT_INTEGER_BOUND = 2**53
#: The characters XML counts as white space (XSD collapses them around a number).
_XML_SPACE = " \t\n\r"


class Parsed(msgspec.Struct):
    """The outcome of reading one file: a record (or None) and the problems found so far."""

    record: Record | None
    findings: list[Finding] = msgspec.field(default_factory=list)
    #: True when ``findings`` are schema problems of a record that was still built (XML).
    structural: bool = False


class Position(msgspec.Struct, frozen=True):
    """A 1-based source range and the text of its first line."""

    line: int
    column: int
    end_line: int
    end_column: int
    source_line: str


class Locator(Protocol):
    """Maps a JSON pointer of the document record to a source position."""

    def locate(self, pointer: str, *, key: bool = False) -> Position | None:
        """The position of ``pointer`` (or its nearest ancestor), or None."""
        ...


class LineIndex:
    """Line starts of a decoded text, for offset -> (line, column) lookups."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of a character offset."""
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        if not 1 <= line <= len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r")


#: Byte-order marks of the wide encodings (UTF-32's first: UTF-16 LE's mark begins UTF-32 LE's).
_WIDE_MARKS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
)
#: Which of the first four bytes are NUL, for a text starting with two ASCII characters.
_WIDE_NULS: dict[tuple[bool, ...], str] = {
    (True, True, True, False): "UTF-32 (big-endian)",
    (False, True, True, True): "UTF-32 (little-endian)",
    (True, False, True, False): "UTF-16 (big-endian)",
    (False, True, False, True): "UTF-16 (little-endian)",
}


def _wide_encoding(data: bytes) -> str | None:
    """The UTF-16 or UTF-32 encoding ``data`` looks written in, by its byte-order mark or, as
    RFC 4627 tells them apart, by where the NUL bytes of its first ASCII characters fall (a
    document starts with ``{``, ``<`` or white space); None for anything else."""
    for mark, name in _WIDE_MARKS:
        if data.startswith(mark):
            return name
    return _WIDE_NULS.get(tuple(byte == 0 for byte in data[:4]))


def decode_utf8(data: bytes) -> tuple[str | None, Finding | None]:
    """Decode ``data`` as UTF-8, or say where it is not (BOM and invalid bytes are findings)."""
    wide = _wide_encoding(data)
    if wide is not None:
        # Say what the file is: "invalid UTF-8 at byte 0" or "unexpected character" (UTF-16
        # of ASCII text is valid UTF-8, a NUL after each character) would not.
        return None, Finding(
            P.ENCODING,
            f"file looks encoded as {wide}, not UTF-8",
            position=(1, 1),
            hint="re-save the file as UTF-8 (without a byte-order mark)",
        )
    if data.startswith(UTF8_BOM):
        return None, Finding(
            P.BOM,
            "file starts with a UTF-8 byte-order mark",
            position=(1, 1),
            hint="remove the first three bytes (EF BB BF); corpuskit never writes a BOM",
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        index = LineIndex(good)
        line, col = index.line_col(len(good))
        return None, Finding(
            P.ENCODING,
            f"invalid UTF-8 at byte {exc.start}: {exc.reason} (byte 0x{data[exc.start]:02X})",
            position=(line, col),
            hint="re-save the file as UTF-8",
        )


class NumberOutOfRange(ValueError):
    """A well-formed integer literal whose value lies beyond the bound it was read with."""


def decimal_integer(literal: str, bound: int = EXACT_INTEGER_BOUND) -> int:
    """The value of a decimal integer literal such as ``12``, ``+0012`` or `` 7 ``.

    Raises ValueError unless the literal is ASCII digits with an optional sign (XML white space
    around it allowed), and NumberOutOfRange when its magnitude is ``bound`` or more.
    """
    text = literal.strip(_XML_SPACE)
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"not a decimal integer: {shorten_literal(literal)}")
    # Leading zeros carry no value, and int() refuses strings of more than 4,300 digits
    # (sys.int_info.str_digits_check_threshold): convert only the significant digits, and only
    # when they are few enough to lie below the bound.
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(bound)):
        raise NumberOutOfRange(literal)
    value = int(significant)
    if value >= bound:
        raise NumberOutOfRange(literal)
    return -value if text[0] == "-" else value


def shorten_literal(value: str, limit: int = 40) -> str:
    """``value`` for a message: cut in the middle, with its length, when longer than ``limit``."""
    if len(value) <= limit:
        return value
    head = limit * 2 // 3
    return f"{value[:head]}…{value[head - limit + 1 :]} ({len(value):,} characters)"
