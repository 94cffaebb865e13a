"""Re-anchoring: the article text was corrected; move every span to the new text.

The old and the new text are aligned in three steps, each cheap where the one before leaves
little work:

1. the common prefix and suffix of the two texts are cut off (a single correction in an
   80,000-character paragraph leaves a few characters to align);
2. a long middle is split at words that occur once in each text, in an order both texts share
   (patience diff), and each piece between two such anchors is aligned on its own;
3. a short piece is aligned word by word (rapidfuzz's LCS alignment, C++), and a replaced run
   of words gives back its common first and last characters (a one-letter fix moves nothing
   else).

The result is a list of unchanged stretches. A fragment inside a stretch that is anchored to the
start or end of both texts, or at least :data:`TRUSTED` characters long, moves with it and is not
reported. Everything else is kept and listed for review, never dropped: a fragment whose own
characters changed keeps its stored text and is placed where its start maps to (``validate``
flags it, O003, until a person decides); a fragment that lies in a short unchanged stretch
between two changes is placed there, but listed, since a few equal characters amid a rewrite may
be another word; and so is a fragment whose characters are unchanged but now glued to a changed
neighbour ("he" in "she"), since it would cover part of another word.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

from msgspec.structs import replace

from corpuskit.model import Document, Fragment, Span, spans_of, text_sha256

#: Characters of context shown around a changed span in the report.
CONTEXT = 30

#: An unchanged stretch at least this long, or one that starts or ends both texts, is trusted:
#: spans inside it move without review. Shorter equal stretches between changes may be chance.
TRUSTED = 16

#: Word-by-word alignment is used when (words in old piece) x (words in new piece) is at most
#: this; its bit matrix takes about this many bits. Longer pieces are split at anchors first.
WORD_ALIGN_LIMIT = 4_000_000

#: How often a piece that is still too long is split again at the anchors unique within it.
MAX_DEPTH = 6

#: Words, runs of white space, and every other character on its own.
_TOKEN = re.compile(r"\w+|\s+|.", re.DOTALL)

#: The kind of a listed fragment: its characters changed; it sits in a short unchanged stretch
#: between changes; or its characters are unchanged but the word around them is not ("he" in
#: "she").
CHANGED, NEAR_CHANGES, WORD_CHANGED = "changed", "near-changes", "word-changed"


@dataclass(frozen=True, slots=True)
class Moved:
    """An annotation fragment a person must look at: where it was and where it is now."""

    annotation_id: str
    field: str
    old: Fragment
    new_start: int
    new_end: int
    old_context: str
    new_context: str
    #: :data:`CHANGED` (its text is not in the new text there), :data:`NEAR_CHANGES` or
    #: :data:`WORD_CHANGED`.
    kind: str = CHANGED


def _common_prefix(old: str, a0: int, a1: int, new: str, b0: int, b1: int) -> int:
    """Length of the common prefix of old[a0:a1] and new[b0:b1] (slice compares run in C)."""
    limit = min(a1 - a0, b1 - b0)
    low, step = 0, 64
    # Gallop: whole chunks first, so that a long equal stretch costs few comparisons.
    while low < limit:
        size = min(step, limit - low)
        if old[a0 + low : a0 + low + size] != new[b0 + low : b0 + low + size]:
            break
        low += size
        step *= 2
    else:
        return limit
    high = min(low + step, limit)  # old[a0+low : a0+high] differs somewhere
    while high - low > 1:
        mid = (low + high) // 2
        if old[a0 + low : a0 + mid] == new[b0 + low : b0 + mid]:
            low = mid
        else:
            high = mid
    return low


def _common_suffix(old: str, a0: int, a1: int, new: str, b0: int, b1: int) -> int:
    """Length of the common suffix of old[a0:a1] and new[b0:b1]."""
    limit = min(a1 - a0, b1 - b0)
    low, step = 0, 64
    while low < limit:
        size = min(step, limit - low)
        if old[a1 - low - size : a1 - low] != new[b1 - low - size : b1 - low]:
            break
        low += size
        step *= 2
    else:
        return limit
    high = min(low + step, limit)
    while high - low > 1:
        mid = (low + high) // 2
        if old[a1 - mid : a1 - low] == new[b1 - mid : b1 - low]:
            low = mid
        else:
            high = mid
    return low


def _tokens(text: str, start: int, end: int) -> tuple[list[str], list[int]]:
    """The tokens of text[start:end] and where each begins (absolute offsets, plus the end)."""
    words = _TOKEN.findall(text, start, end)
    return words, list(accumulate(map(len, words), initial=start))


def _patience(old_words: list[str], new_words: list[str]) -> list[tuple[int, int]]:
    """Index pairs of words unique in both lists, longest run in the same order in both."""
    old_count = Counter(old_words)
    new_count = Counter(new_words)
    new_index = {w: j for j, w in enumerate(new_words) if new_count[w] == 1}
    pairs = [
        (i, new_index[w]) for i, w in enumerate(old_words) if old_count[w] == 1 and w in new_index
    ]
    # Longest increasing subsequence of the new indexes, O(n log n).
    tails: list[int] = []
    tail_at: list[int] = []
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        back[k] = tail_at[pos - 1] if pos else -1
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(pairs[k])
        k = back[k]
    chain.reverse()
    return chain


class _Aligner:
    """Collects the unchanged stretches (old start, new start, length) in text order."""

    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self.blocks: list[tuple[int, int, int]] = []

    def add(self, a: int, b: int, size: int) -> None:
        if size <= 0:
            return
        if self.blocks:
            pa, pb, psize = self.blocks[-1]
            if pa + psize == a and pb + psize == b:  # contiguous in both texts: one stretch
                self.blocks[-1] = (pa, pb, psize + size)
                return
        self.blocks.append((a, b, size))

    def align(self, a0: int, a1: int, b0: int, b1: int, depth: int = 0) -> None:
        """Align old[a0:a1] with new[b0:b1]."""
        old, new = self.old, self.new
        if a1 - a0 == b1 - b0 and old[a0:a1] == new[b0:b1]:
            self.add(a0, b0, a1 - a0)
            return
        prefix = _common_prefix(old, a0, a1, new, b0, b1)
        self.add(a0, b0, prefix)
        a0, b0 = a0 + prefix, b0 + prefix
        suffix = _common_suffix(old, a0, a1, new, b0, b1)
        if a0 < a1 - suffix and b0 < b1 - suffix:
            self._middle(a0, a1 - suffix, b0, b1 - suffix, depth)
        self.add(a1 - suffix, b1 - suffix, suffix)

    def _middle(self, a0: int, a1: int, b0: int, b1: int, depth: int) -> None:
        old_words, old_at = _tokens(self.old, a0, a1)
        new_words, new_at = _tokens(self.new, b0, b1)
        if len(old_words) * len(new_words) <= WORD_ALIGN_LIMIT:
            self._by_words(old_words, old_at, new_words, new_at)
            return
        if depth >= MAX_DEPTH:
            return  # nothing found to hold on to: the whole piece counts as changed
        anchors = _patience(old_words, new_words)
        if not anchors:
            return
        a, b = a0, b0
        for i, j in anchors:
            self.align(a, old_at[i], b, new_at[j], depth + 1)
            self.add(old_at[i], new_at[j], old_at[i + 1] - old_at[i])
            a, b = old_at[i + 1], new_at[j + 1]
        self.align(a, a1, b, b1, depth + 1)

    def _by_words(
        self, old_words: list[str], old_at: list[int], new_words: list[str], new_at: list[int]
    ) -> None:
        # Words become integers so that the alignment compares exact words, never hashes.
        ids: dict[str, int] = {}
        old_ids = [ids.setdefault(w, len(ids)) for w in old_words]
        new_ids = [ids.setdefault(w, len(ids)) for w in new_words]
        from rapidfuzz.distance import Indel

        for op in Indel.opcodes(old_ids, new_ids):
            tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
            if tag == "equal":
                self.add(old_at[i1], new_at[j1], old_at[i2] - old_at[i1])
            elif tag == "replace":
                # A changed word keeps its equal first and last characters: "recieve" ->
                # "receive" leaves "rec" and "ve" where they were.
                a0, a1, b0, b1 = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
                head = _common_prefix(self.old, a0, a1, self.new, b0, b1)
                tail = _common_suffix(self.old, a0 + head, a1, self.new, b0 + head, b1)
                self.add(a0, b0, head)
                self.add(a1 - tail, b1 - tail, tail)


class Alignment:
    """Maps positions of the old text to the new, with the unchanged stretches known."""

    def __init__(self, old: str, new: str) -> None:
        aligner = _Aligner(old, new)
        aligner.align(0, len(old), 0, len(new))
        #: (old start, new start, length) of every unchanged stretch, in order.
        self.blocks: list[tuple[int, int, int]] = aligner.blocks
        self._starts = [b[0] for b in self.blocks]
        self._old_length = len(old)
        self._new_length = len(new)

    def _index(self, pos: int) -> int | None:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0:
            a, _, size = self.blocks[i]
            if a <= pos < a + size:
                return i
        return None

    def trusted(self, index: int) -> bool:
        """Whether the index-th stretch is long enough, or anchored to a start or end of both."""
        a, b, size = self.blocks[index]
        return (
            size >= TRUSTED
            or (a == 0 and b == 0)
            or (a + size == self._old_length and b + size == self._new_length)
        )

    def locate(self, start: int, end: int) -> tuple[int, bool] | None:
        """The new start of old [start, end) if it lies in one unchanged stretch, and whether
        that stretch is trusted; None if any of its characters changed."""
        i = self._index(start)
        if i is None:
            return None
        a, b, size = self.blocks[i]
        return (b + (start - a), self.trusted(i)) if end <= a + size else None

    def unchanged(self, start: int, end: int) -> int | None:
        """The new start of [start, end) if those characters are one unchanged stretch."""
        found = self.locate(start, end)
        return found[0] if found else None

    def map(self, pos: int) -> int:
        """Where a position goes (for changed text: just after the unchanged text before it)."""
        i = self._index(pos)
        if i is not None:
            a, b, _ = self.blocks[i]
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


def _word_at(text: str, i: int) -> bool:
    """Whether text[i] exists and is a word character (letter, digit, underscore)."""
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


def _move_span(
    span: Span, alignment: Alignment, old: str, new: str, ident: str, field: str, moved: list[Moved]
) -> Span:
    out: list[Fragment] = []
    for f in span:
        size = f.end - f.start
        found = alignment.locate(f.start, f.end) if size > 0 else None
        if found is not None and new[found[0] : found[0] + size] == f.text:
            start, trusted = found
            out.append(Fragment(start, start + size, f.text))
            # The same characters, but glued to a changed neighbour ("he" -> "she"): they now
            # belong to another word.
            glued = _word_at(old, f.start - 1) != _word_at(new, start - 1) or _word_at(
                old, f.end
            ) != _word_at(new, start + size)
            if glued or not trusted:
                moved.append(
                    Moved(
                        ident,
                        field,
                        f,
                        start,
                        start + size,
                        _context(old, f.start, f.end),
                        _context(new, start, start + size),
                        WORD_CHANGED if glued else NEAR_CHANGES,
                    )
                )
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


def reanchor(
    doc: Document, new_text: str, old_text: str | None = None
) -> tuple[Document, list[Moved]]:
    """The document moved from ``old_text`` (default: its own text) onto ``new_text``, and the
    fragments a person must look at."""
    old = doc.text if old_text is None else old_text
    alignment = Alignment(old, new_text)
    moved: list[Moved] = []

    def move(span: Span, ident: str, field: str) -> Span:
        return _move_span(span, alignment, old, new_text, ident, field, moved)

    mentions = tuple(replace(m, span=move(m.span, m.id, "span")) for m in doc.mentions)
    quotes = tuple(
        replace(
            q, span=move(q.span, q.id, "span"), cue=move(q.cue, q.id, "cue") if q.cue else q.cue
        )
        for q in doc.quotes
    )
    claims = tuple(
        replace(
            c, span=move(c.span, c.id, "span"), cue=move(c.cue, c.id, "cue") if c.cue else c.cue
        )
        for c in doc.claims
    )
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


def misfits(doc: Document, text: str) -> tuple[int, int]:
    """How many of the document's fragments do not cover their stored text in ``text``, of all."""
    bad = total = 0
    for _, _, annotation in doc.annotations():
        for _, span in spans_of(annotation):
            for f in span:
                total += 1
                bad += text[f.start : f.end] != f.text
    return bad, total


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


_HEADINGS = (
    (CHANGED, "whose text changed (kept, flagged by O003)"),
    (WORD_CHANGED, "whose word changed around them (same characters; check the span still fits)"),
    (NEAR_CHANGES, "between nearby changes (same text, placed there; check it is the same word)"),
)


def report(moved: list[Moved]) -> str:
    """A readable list of the annotations a person must look at (input quoted escaped)."""
    from corpuskit.reporters.escape import visible

    if not moved:
        return "Every span moved with its text; nothing to review.\n"
    lines: list[str] = []
    for kind, heading in _HEADINGS:
        group = [m for m in moved if m.kind == kind]
        if not group:
            continue
        if lines:
            lines.append("")
        lines += [f"{_plural(len(group), 'span')} {heading}:", ""]
        for m in group:
            lines += [
                f"- {visible(m.annotation_id)} ({m.field}) was [{m.old.start}, {m.old.end}) "
                f"{m.old.text!r}, now at [{m.new_start}, {m.new_end})",
                f"    old: {m.old_context!r}",
                f"    new: {m.new_context!r}",
            ]
    return "\n".join(lines) + "\n"
