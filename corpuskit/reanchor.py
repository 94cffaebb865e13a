"""Re-anchoring: the article text was corrected; move every span to the new text.

The old and the new text are aligned (lines first, then characters inside changed lines). A
fragment whose characters all lie in unchanged stretches moves with them. A fragment whose
covered text itself changed is never dropped and never guessed: it keeps its stored text, is
placed where its start maps to, is reported, and ``validate`` flags it (O003) until a person
decides.
"""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass, replace

from corpuskit.model import Document, Fragment, Span, text_sha256

#: Characters of context shown around a changed span in the report.
CONTEXT = 30


@dataclass(frozen=True, slots=True)
class Moved:
    """An annotation whose covered text changed: where it was and what is there now."""

    annotation_id: str
    field: str
    old: Fragment
    new_start: int
    new_end: int
    old_context: str
    new_context: str


class Alignment:
    """Maps positions of the old text to the new, with the unchanged stretches known."""

    def __init__(self, old: str, new: str) -> None:
        #: (old start, new start, length) of every unchanged stretch, in order.
        self.blocks: list[tuple[int, int, int]] = []
        old_lines = old.splitlines(keepends=True)
        new_lines = new.splitlines(keepends=True)
        old_at = [0]
        for line in old_lines:
            old_at.append(old_at[-1] + len(line))
        new_at = [0]
        for line in new_lines:
            new_at.append(new_at[-1] + len(line))
        lines = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in lines.get_opcodes():
            a0, a1, b0, b1 = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
            if tag == "equal":
                self.blocks.append((a0, b0, a1 - a0))
            elif tag == "replace":
                # Inside changed lines, align characters so that a one-letter fix moves nothing else.
                chars = difflib.SequenceMatcher(None, old[a0:a1], new[b0:b1], autojunk=False)
                for block in chars.get_matching_blocks():
                    if block.size:
                        self.blocks.append((a0 + block.a, b0 + block.b, block.size))
        self._starts = [b[0] for b in self.blocks]

    def _block(self, pos: int) -> tuple[int, int, int] | None:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0:
            a, b, size = self.blocks[i]
            if a <= pos < a + size:
                return a, b, size
        return None

    def unchanged(self, start: int, end: int) -> int | None:
        """The new start of [start, end) if those characters are one unchanged stretch."""
        block = self._block(start)
        if block is None:
            return None
        a, b, size = block
        return b + (start - a) if end <= a + size else None

    def map(self, pos: int) -> int:
        """Where a position goes (for changed text: the nearest unchanged character before it)."""
        block = self._block(pos)
        if block is not None:
            a, b, _ = block
            return b + (pos - a)
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return 0
        a, b, size = self.blocks[i]
        return b + size


def _context(text: str, start: int, end: int) -> str:
    return (
        text[max(0, start - CONTEXT) : start]
        + "⟦"
        + text[start:end]
        + "⟧"
        + text[end : end + CONTEXT]
    )


def _move_span(
    span: Span, alignment: Alignment, old: str, new: str, ident: str, field: str, moved: list[Moved]
) -> Span:
    out: list[Fragment] = []
    for f in span:
        start = alignment.unchanged(f.start, f.end) if f.end > f.start else None
        if start is not None and new[start : start + (f.end - f.start)] == f.text:
            out.append(Fragment(start, start + (f.end - f.start), f.text))
            continue
        # Inside the new text and at least one character wide: the stored text no longer
        # matches, which is what flags it for a person (O003); it is never dropped.
        new_start = min(alignment.map(f.start), max(len(new) - 1, 0))
        new_end = min(max(alignment.map(f.end), new_start + 1), len(new))
        moved.append(
            Moved(
                ident,
                field,
                f,
                new_start,
                new_end,
                _context(old, f.start, f.end),
                _context(new, new_start, new_end),
            )
        )
        out.append(Fragment(new_start, new_end, f.text))
    return tuple(out)


def reanchor(doc: Document, new_text: str) -> tuple[Document, list[Moved]]:
    """The document moved onto ``new_text``, and the annotations whose covered text changed."""
    alignment = Alignment(doc.text, new_text)
    moved: list[Moved] = []
    old = doc.text

    def move(span: Span, ident: str, field: str) -> Span:
        return _move_span(span, alignment, old, new_text, ident, field, moved)

    mentions = tuple(replace(m, span=move(m.span, m.id, "span")) for m in doc.mentions)
    quotes = tuple(
        replace(
            q, span=move(q.span, q.id, "span"), cue=move(q.cue, q.id, "cue") if q.cue else q.cue
        )
        for q in doc.quotes
    )
    claims = tuple(replace(c, span=move(c.span, c.id, "span")) for c in doc.claims)
    events = tuple(replace(e, trigger=move(e.trigger, e.id, "trigger")) for e in doc.events)
    result = replace(
        doc,
        text=new_text,
        text_sha256=text_sha256(new_text),
        mentions=mentions,
        quotes=quotes,
        claims=claims,
        events=events,
    )
    return result, moved


def report(moved: list[Moved]) -> str:
    """A readable list of the annotations a person must look at."""
    if not moved:
        return "Every span moved with its text; nothing to review.\n"
    lines = [
        f"{len(moved)} span{'s' if len(moved) != 1 else ''} whose text changed (kept, flagged by O003):",
        "",
    ]
    for m in moved:
        lines += [
            f"- {m.annotation_id} ({m.field}) was [{m.old.start}, {m.old.end}) {m.old.text!r}, now at [{m.new_start}, {m.new_end})",
            f"    old: {m.old_context!r}",
            f"    new: {m.new_context!r}",
        ]
    return "\n".join(lines) + "\n"
