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


def unit_length(text: str, unit: str) -> int:
    """How many units ``text`` takes: the sum of :func:`char_width` over its code points,
    counted by the codec (C speed; a lone surrogate counts as the one code point it is)."""
    if unit == "utf8":
        return len(text.encode("utf-8", "surrogatepass"))
    if unit == "utf16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text)


#: Code points per block of :class:`OffsetMap`'s index.
BLOCK = 512


class OffsetMap:
    """Offsets of one text in one unit <-> code points.

    The unit offset of every ``BLOCK``-th code point is kept (one machine integer each,
    measured by the codec); the offsets inside a block are worked out when a lookup first
    lands in it, and only where its characters are not all one unit wide. A text of tens of
    megabytes maps in a fraction of a second, and costs what its lookups touch (a table of
    every code point's offset, built one character at a time, took tens of seconds and eight
    bytes a character for such a text).
    """

    def __init__(self, text: str, unit: str = "codepoint") -> None:
        if unit not in UNITS:
            raise ValueError(f"unknown offset unit {unit!r} (choose {', '.join(UNITS)})")
        self.unit = unit
        self.text = text
        self.length = len(text)
        # Most texts are ASCII (or BMP-only for UTF-16): then every unit counts alike.
        self.identity = (
            unit == "codepoint"
            or text.isascii()
            or (unit == "utf16" and unit_length(text, unit) == len(text))
        )
        #: blocks[k] is the unit offset of code point k * BLOCK; the last entry is the total.
        self.blocks: array[int] = array("q")
        #: Offsets inside a block, from its start, by block (None: one unit a code point).
        self._inside: dict[int, array[int] | None] = {}
        if not self.identity:
            blocks = array("q", [0])
            at = 0
            for k in range(0, len(text), BLOCK):
                at += unit_length(text[k : k + BLOCK], unit)
                blocks.append(at)
            self.blocks = blocks
        self.total = self.blocks[-1] if self.blocks else self.length

    def _block(self, block: int) -> array[int] | None:
        """The unit offsets of a block's code points from its start, and of its end (None when
        every code point of the block takes one unit)."""
        if block in self._inside:
            return self._inside[block]
        first = block * BLOCK
        piece = self.text[first : first + BLOCK]
        table: array[int] | None = None
        if self.blocks[block + 1] - self.blocks[block] != len(piece):
            unit = self.unit
            # At most 4 units a code point: a block's offsets fit in 16 bits.
            table = array(
                "H", itertools.accumulate((char_width(c, unit) for c in piece), initial=0)
            )
        self._inside[block] = table
        return table

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
        block = bisect.bisect_right(self.blocks, offset) - 1
        inside, table = offset - self.blocks[block], self._block(block)
        if table is None:
            return block * BLOCK + inside
        i = bisect.bisect_left(table, inside)
        return block * BLOCK + i if table[i] == inside else None

    def from_codepoint(self, index: int) -> int:
        """The unit offset of a code point index."""
        if self.identity or index < 0:
            return index
        if index >= self.length:
            return self.total + (index - self.length)
        block, inside = divmod(index, BLOCK)
        table = self._block(block)
        return self.blocks[block] + (inside if table is None else table[inside])


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
