"""interop.units.OffsetMap against the definition: a table of every code point's unit offset.

The map keeps one offset per block of code points and measures inside a block with the codec;
it must answer exactly what the character-by-character table answers (the way it was built
before), for every offset: on character boundaries, inside a character, before the start and
beyond the end, on texts mixing ASCII, two- and three-byte characters, astral ones and lone
surrogates, across block boundaries.
"""

from __future__ import annotations

import bisect
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuskit.interop import units
from corpuskit.interop.units import UNITS, OffsetMap, char_width, unit_length


class Reference:
    """The definition: the unit offset of every code point, built one character at a time."""

    def __init__(self, text: str, unit: str) -> None:
        self.length = len(text)
        self.starts = list(itertools.accumulate((char_width(c, unit) for c in text), initial=0))
        self.total = self.starts[-1]

    def to_codepoint(self, offset: int) -> int | None:
        if offset >= self.total:
            return self.length + (offset - self.total)
        if offset < 0:
            return offset
        i = bisect.bisect_left(self.starts, offset)
        return i if self.starts[i] == offset else None

    def from_codepoint(self, index: int) -> int:
        if index < 0:
            return index
        if index >= self.length:
            return self.total + (index - self.length)
        return self.starts[index]


# Characters of every width in both units, and lone surrogates (a JSON string may hold them).
CHARS = st.sampled_from(["a", " ", "é", "ß", "中", "€", "🇺", "😀", "𝔸", "\ud800", "\udc00", "\n"])
TEXTS = st.lists(CHARS, max_size=60).map("".join)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 7 code points: short texts cross many block boundaries."""
    monkeypatch.setattr(units, "BLOCK", 7)


@settings(max_examples=400, deadline=None)
@given(text=TEXTS, unit=st.sampled_from(UNITS))
@pytest.mark.usefixtures("small_blocks")
def test_every_offset_maps_as_the_table_maps_it(text: str, unit: str) -> None:
    mapping, reference = OffsetMap(text, unit), Reference(text, unit)
    assert mapping.total == reference.total == unit_length(text, unit)
    for offset in range(-3, reference.total + 4):
        assert mapping.to_codepoint(offset) == reference.to_codepoint(offset), offset
    for index in range(-3, len(text) + 4):
        assert mapping.from_codepoint(index) == reference.from_codepoint(index), index


def test_a_long_text_maps_at_codec_speed() -> None:
    """A text of 4 million code points (11 MB of UTF-8, the kind an import may be handed) maps
    and answers a thousand lookups right, working out only the blocks they land in (the
    table of every character's offset, built one character at a time, took seconds)."""
    text = ("é😀a" * 1_400_000)[:4_000_000]
    mapping = OffsetMap(text, "utf8")
    assert mapping.total == unit_length(text, "utf8") == len(text.encode("utf-8"))
    step = len(text) // 1000
    for index in range(0, len(text), step):
        unit_offset = mapping.from_codepoint(index)
        assert mapping.to_codepoint(unit_offset) == index
    assert mapping.to_codepoint(1) is None  # inside "é"
