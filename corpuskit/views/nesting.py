"""Spans as nested HTML elements: every range of the text wrapped, ranges that cross cut into
pieces so that elements nest, and how deep mentions nest (to draw their underlines apart)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

#: Layer order for spans with the same extent: lower is outside.
RANK = {"q": 0, "c": 1, "cue": 2, "m": 3, "ev": 4, "dg": 5}


def _a(value: object) -> str:
    """An attribute value, escaped."""
    return escape(str(value), quote=True)


@dataclass(slots=True)
class Range:
    """One contiguous stretch of text to wrap in an element."""

    start: int
    end: int
    layer: str
    ann: str
    classes: str
    attrs: str = ""
    anchor: str | None = None
    focusable: bool = False
    #: HTML put just before the first piece (a quote's speaker chip, a diagnostic marker).
    prefix: str = ""


@dataclass(slots=True)
class _Piece:
    """An open tag in the output; ``last`` is learnt when the range closes."""

    range: Range
    first: bool
    last: bool = False

    def html(self) -> str:
        r = self.range
        classes = r.classes + ("" if self.first else " cont") + (" last" if self.last else "")
        out = f'<span class="{classes}" data-ann="{_a(r.ann)}"{r.attrs}'
        if self.first and r.anchor:
            out += f' id="{_a(r.anchor)}"'
        if self.first and r.focusable:
            out += ' tabindex="0"'
        return out + ">"


def nest(text: str, ranges: list[Range], points: dict[int, list[str]]) -> str:
    """The text as HTML with every range wrapped; ranges that cross are split into pieces so
    that elements nest properly. ``points`` are HTML snippets put at offsets."""
    ordered = sorted(
        (r for r in ranges if r.end > r.start),
        key=lambda r: (r.start, -r.end, RANK[r.layer]),
    )
    bounds = sorted({0, len(text), *points, *(r.start for r in ordered), *(r.end for r in ordered)})
    out: list[str | _Piece] = []
    stack: list[tuple[Range, _Piece]] = []
    pos = 0
    next_range = 0
    for bound in bounds:
        if bound > pos:
            out.append(escape(text[pos:bound], quote=False))
            pos = bound
        ending = [i for i, (r, _) in enumerate(stack) if r.end == bound]
        if ending:
            reopen: list[Range] = []
            while len(stack) > ending[0]:
                r, piece = stack.pop()
                out.append("</span>")
                if r.end == bound:
                    piece.last = True
                else:
                    reopen.append(r)
            for r in reversed(reopen):  # outermost first, as they were
                piece = _Piece(r, first=False)
                out.append(piece)
                stack.append((r, piece))
        out.extend(points.get(bound, ()))
        while next_range < len(ordered) and ordered[next_range].start == bound:
            r = ordered[next_range]
            next_range += 1
            piece = _Piece(r, first=True)
            out += [r.prefix, piece]
            stack.append((r, piece))
    return "".join(item.html() if isinstance(item, _Piece) else item for item in out)


def heights(fragments: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """How many mention levels each mention fragment holds (1: none inside), so that an outer
    mention's underline can sit below its inner ones."""
    ordered = sorted(set(fragments), key=lambda f: (f[0], -f[1]))
    parent: dict[int, int] = {}
    stack: list[int] = []
    for i, (start, end) in enumerate(ordered):
        while stack and ordered[stack[-1]][1] <= start:
            stack.pop()
        if stack and end <= ordered[stack[-1]][1]:
            parent[i] = stack[-1]
        stack.append(i)
    height = [1] * len(ordered)
    for i in reversed(range(len(ordered))):
        if i in parent:
            height[parent[i]] = max(height[parent[i]], height[i] + 1)
    return dict(zip(ordered, height, strict=True))
