"""Offset units at the format edge: code points inside corpuskit, bytes or UTF-16 units outside.

corpuskit stores code points. BioC producers written in C++ count UTF-8 bytes (the BioC DTD
even recommends it), Java and JavaScript tools count UTF-16 code units, Python tools count code
points. Conversion happens only here, when reading or writing another format; the evidence a
format offers (the covered text it repeats) tells whether the declared unit fits.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from collections.abc import Mapping, Sequence

from corpuskit.diagnostics import Finding
from corpuskit.rules import interop as I

#: The offset units ``--offset-unit`` accepts; code points are corpuskit's own.
UNITS = ("codepoint", "utf16", "utf8")
UNIT_LABELS = {
    "codepoint": "code points",
    "utf16": "UTF-16 code units",
    "utf8": "UTF-8 bytes",
}


def char_width(ch: str, unit: str) -> int:
    """How many units one code point takes."""
    code = ord(ch)
    if unit == "utf16":
        return 2 if code > 0xFFFF else 1
    if unit == "utf8":
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 1


class OffsetMap:
    """Offsets of one text in one unit <-> code points."""

    def __init__(self, text: str, unit: str = "codepoint") -> None:
        if unit not in UNITS:
            raise ValueError(f"unknown offset unit {unit!r} (choose {', '.join(UNITS)})")
        self.unit = unit
        self.length = len(text)
        # Most texts are ASCII (or BMP-only for UTF-16): then every unit counts alike.
        self.identity = (
            unit == "codepoint"
            or text.isascii()
            or (unit == "utf16" and all(ord(c) <= 0xFFFF for c in text))
        )
        # starts[i] is the unit offset of code point i; the last entry is the total length.
        # An array of machine integers: a list would take some 36 bytes per character.
        self.starts: array[int] = array("q")
        if not self.identity:
            widths = (char_width(c, unit) for c in text)
            self.starts = array("q", itertools.chain((0,), itertools.accumulate(widths)))
        self.total = self.starts[-1] if self.starts else self.length

    def to_codepoint(self, offset: int) -> int | None:
        """The code point index of a unit offset; None when it falls inside a character.

        Offsets beyond the end stay beyond it by as many units, so that the offset checks
        still report them as out of range rather than losing them here.
        """
        if self.identity:
            return offset
        if offset >= self.total:
            return self.length + (offset - self.total)
        if offset < 0:
            return offset
        i = bisect.bisect_left(self.starts, offset)
        return i if self.starts[i] == offset else None

    def from_codepoint(self, index: int) -> int:
        """The unit offset of a code point index."""
        if self.identity or index < 0:
            return index
        if index >= self.length:
            return self.total + (index - self.length)
        return self.starts[index]


def fitting(text: str, evidence: Sequence[tuple[int, int, str]], unit: str) -> int:
    """How many (start, end, covered text) triples, counted in ``unit``, match the text."""
    mapping = OffsetMap(text, unit)
    hits = 0
    for start, end, covered in evidence:
        a, b = mapping.to_codepoint(start), mapping.to_codepoint(end)
        if a is not None and b is not None and 0 <= a < b <= len(text) and text[a:b] == covered:
            hits += 1
    return hits


def unit_finding(
    text: str | Mapping[str, str | None],
    evidence: Sequence[tuple[int, int, str]],
    declared: str,
    where: str,
) -> Finding | None:
    """An I003 finding when another unit explains the evidence better than ``declared``.

    ``where`` names the offsets ("offsets of document 12"); ``evidence`` holds the spans a file gives with their covered text, in its own unit;
    ``text`` is the document text, or the text as each unit would build it (BioC places
    passages by offsets in the same unit). Mismatches that no unit explains are left to the
    offset checks (O003), which diagnose each one.
    """
    texts = text if isinstance(text, Mapping) else dict.fromkeys(UNITS, text)
    if not evidence or all(t is None or t.isascii() for t in texts.values()):
        return None
    scores = {
        unit: fitting(t, evidence, unit) if (t := texts.get(unit)) is not None else -1
        for unit in UNITS
    }
    if scores[declared] == len(evidence):
        return None
    best = max(UNITS, key=lambda u: (scores[u], u == declared))
    if best == declared or scores[best] <= scores[declared]:
        return None
    n = len(evidence)
    return Finding(
        I.OFFSET_UNIT,
        f"{where} read as {UNIT_LABELS[declared]} match the text for "
        f"{scores[declared]} of {n} spans; counted in {UNIT_LABELS[best]} {scores[best]} of {n} match",
        hint=f"re-run with --offset-unit {best}",
    )
