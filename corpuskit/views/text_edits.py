"""Edits between two versions of a text, word-aligned, and the map they make from old offsets to
new ones: what lets the diff tell a span that moved with the text from a span that changed."""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass
from typing import Any

from corpuskit.model import Span

#: Texts longer than this (in characters, per changed block) are not refined below lines:
#: difflib's character matching is quadratic in the worst case.
CHAR_DIFF_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class TextEdit:
    """One change to the text, in old and new offsets, and how it moves the offsets after it."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    old_text: str
    new_text: str
    #: Total change of offsets at and after ``old_end`` (this edit and the ones before it).
    shift_after: int

    @property
    def delta(self) -> int:
        """How much this edit alone lengthens (+) or shortens (-) the text."""
        return (self.new_end - self.new_start) - (self.old_end - self.old_start)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "old": [self.old_start, self.old_end],
            "new": [self.new_start, self.new_end],
            "old_text": self.old_text,
            "new_text": self.new_text,
            "delta": self.delta,
            "shift_after": self.shift_after,
        }


def _line_starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def _raw_edits(old: str, new: str) -> list[tuple[int, int, int, int]]:
    """Changed regions: lines first (fast on long texts), then characters inside changed lines."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    old_at, new_at = _line_starts(old_lines), _line_starts(new_lines)
    out: list[tuple[int, int, int, int]] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a0, a1, b0, b1 = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
        if max(a1 - a0, b1 - b0) > CHAR_DIFF_LIMIT:
            out.append((a0, a1, b0, b1))
            continue
        chars = difflib.SequenceMatcher(None, old[a0:a1], new[b0:b1], autojunk=False)
        out.extend(
            (a0 + x1, a0 + x2, b0 + y1, b0 + y2)
            for t, x1, x2, y1, y2 in chars.get_opcodes()
            if t != "equal"
        )
    return out


def _slide(
    old: str, new: str, raw: list[tuple[int, int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """Move leading whitespace of an insertion or deletion to its end where the text allows,
    so "inserted 'has ' at 5" is reported rather than "inserted ' has' at 4"."""
    out = []
    for n, (a0, a1, b0, b1) in enumerate(raw):
        limit = raw[n + 1][0] if n + 1 < len(raw) else len(old)
        if a0 == a1:
            while a0 < limit and b0 < b1 and new[b0] == old[a0] and old[a0].isspace():
                a0, a1, b0, b1 = a0 + 1, a1 + 1, b0 + 1, b1 + 1
        elif b0 == b1:
            while a1 < limit and old[a0] == old[a1] and old[a0].isspace():
                a0, a1, b0, b1 = a0 + 1, a1 + 1, b0 + 1, b1 + 1
        out.append((a0, a1, b0, b1))
    return out


def _widen(
    old: str, new: str, raw: list[tuple[int, int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """Grow edits that cut into a word to the whole word, and merge edits that then touch:
    "U.N." -> "UN" reads better than two deleted full stops. Text between edits is equal in
    both versions, so both sides grow by the same characters."""
    out: list[list[int]] = []
    for n, (a0, a1, b0, b1) in enumerate(raw):
        pieces = [p for p in (old[a0:a1], new[b0:b1]) if p]
        floor = out[-1][1] if out else 0
        ceiling = raw[n + 1][0] if n + 1 < len(raw) else len(old)
        if any(not p[0].isspace() for p in pieces):
            while a0 > floor and old[a0 - 1].isalnum():
                a0, b0 = a0 - 1, b0 - 1
        if any(not p[-1].isspace() for p in pieces):
            while a1 < ceiling and old[a1].isalnum():
                a1, b1 = a1 + 1, b1 + 1
        if out and a0 <= out[-1][1]:
            # Touching the previous edit: one edit from its start to this one's end.
            out[-1][1], out[-1][3] = a1, b1
        else:
            out.append([a0, a1, b0, b1])
    return [(a0, a1, b0, b1) for a0, a1, b0, b1 in out]


def text_edits(old: str, new: str) -> list[TextEdit]:
    """The edits that turn ``old`` into ``new``, word-aligned, with their effect on offsets."""
    if old == new:
        return []
    edits = []
    for a0, a1, b0, b1 in _widen(old, new, _slide(old, new, _raw_edits(old, new))):
        edits.append(TextEdit(a0, a1, b0, b1, old[a0:a1], new[b0:b1], b1 - a1))
    return edits


class OffsetMap:
    """Maps offsets of the old text to the new one; None for offsets inside an edited region."""

    def __init__(self, edits: list[TextEdit]) -> None:
        self.edits = edits
        self._ends = [e.old_end for e in edits]
        self._starts = [e.old_start for e in edits]

    def start(self, offset: int) -> int | None:
        """Where a span starting at ``offset`` starts now (text inserted there comes before it)."""
        i = bisect.bisect_right(self._ends, offset) - 1  # last edit ending at or before offset
        nxt = i + 1
        if nxt < len(self.edits) and self.edits[nxt].old_start <= offset:
            return None  # the first character was deleted or replaced
        return offset + (self.edits[i].shift_after if i >= 0 else 0)

    def end(self, offset: int) -> int | None:
        """Where a span ending at ``offset`` ends now (text inserted there comes after it)."""
        i = bisect.bisect_left(self._starts, offset)  # first edit starting at or after offset
        before = i - 1
        if before >= 0 and self.edits[before].old_end > offset:
            return None  # the last character was deleted or replaced
        return offset + (self.edits[before].shift_after if before >= 0 else 0)

    def span(self, span: Span) -> tuple[tuple[int, int, str], ...] | None:
        """A span in new offsets (with its stated text), or None when an edit touches its ends."""
        out = []
        for f in span:
            start, end = self.start(f.start), self.end(f.end)
            if start is None or end is None:
                return None
            out.append((start, end, f.text))
        return tuple(out)
