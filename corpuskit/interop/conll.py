"""CoNLL-2003-style BIO (IOB2) export, for training named-entity taggers.

One token per line, four space-separated columns as in CoNLL-2003 (``token POS chunk NER``);
corpuskit has neither part-of-speech nor chunk tags, so those columns are ``_``, and readers
that take the first and the last column (spaCy's ``convert``, seqeval scripts, flair with a
column map) read the file as it is. A blank line ends a sentence; each file starts with
``-DOCSTART- -X- -X- O`` and a blank line, so files concatenate into a corpus.

Tokens are runs of word characters and single other characters, cut wherever a mention starts or
ends, so that every written mention covers whole tokens. Sentences end at line breaks and after
``.``, ``!`` or ``?``, never inside a mention. BIO holds one flat layer of contiguous mentions:
a discontinuous mention, and a mention overlapping one already written (nested mentions: the
longer, earlier one is written), are reported one by one (I008), as is everything that is not a
mention.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import TYPE_CHECKING

from corpuskit.diagnostics import Finding
from corpuskit.interop.common import Exported
from corpuskit.model import SINGULAR, Document, Mention
from corpuskit.rules import interop as I

if TYPE_CHECKING:
    from corpuskit.interop.registry import ExportOptions

DOCSTART = "-DOCSTART- -X- -X- O"
_TOKEN = re.compile(r"\w+|[^\w\s]")
_SENTENCE_END = {".", "!", "?"}


def flat_mentions(doc: Document) -> tuple[list[Mention], list[Finding]]:
    """The mentions one BIO layer can hold (document order), and a finding for each other one."""
    kept: list[Mention] = []
    findings: list[Finding] = []
    index = {m.id: i for i, m in enumerate(doc.mentions)}
    # Longer first at one start: the outer of two nested mentions is the one written.
    ordered = sorted(doc.mentions, key=lambda m: (m.span[0].start, -m.span[-1].end, index[m.id]))
    # The kept mention reaching furthest right: kept spans do not overlap and come in start
    # order, so a later span can overlap at most one of them (two would share its start), the
    # one ending last; checking that one alone finds every clash.
    furthest: tuple[int, int, str] | None = None
    for m in ordered:
        pointer = f"/mentions/{index[m.id]}"
        if len(m.span) > 1:
            message = (
                f"mention {m.id} ({m.type}) is not written: it has {len(m.span)} fragments and "
                "BIO tags mark contiguous tokens"
            )
            findings.append(Finding(I.NOT_CARRIED, message, pointer + "/span", annotation_id=m.id))
            continue
        f = m.span[0]
        clash = None
        if furthest is not None and furthest[0] < f.end and f.start < furthest[1]:
            clash = furthest[2]
        if clash is not None:
            message = (
                f"mention {m.id} ({m.type}, {f.text!r}) is not written: it overlaps {clash}, and "
                "BIO tags one mention per token"
            )
            findings.append(Finding(I.NOT_CARRIED, message, pointer, annotation_id=m.id))
            continue
        if furthest is None or f.end > furthest[1]:
            furthest = (f.start, f.end, m.id)
        kept.append(m)
    kept.sort(key=lambda m: index[m.id])
    return kept, findings


def tokens(text: str, cuts: set[int]) -> Iterator[tuple[int, int]]:
    """(start, end) of each token of ``text``, also cut at every offset of ``cuts``."""
    ordered = sorted(cuts)
    for match in _TOKEN.finditer(text):
        start, end = match.start(), match.end()
        for cut in ordered[bisect_right(ordered, start) : bisect_left(ordered, end)]:
            yield start, cut
            start = cut
        yield start, end


def write_conll(doc: Document) -> Exported:
    """A document's mentions as CoNLL-2003-style IOB2 lines (``.conll``)."""
    kept, findings = flat_mentions(doc)
    # Kept mentions do not overlap: in start order, each token falls in at most the next one.
    pending = sorted(kept, key=lambda m: m.span[0].start)
    cuts = {offset for m in kept for offset in (m.span[0].start, m.span[0].end)}
    tagged: set[str] = set()
    inside: Mention | None = None
    lines = [DOCSTART, ""]
    sentence: list[str] = []
    previous_end = 0
    docstart_tokens = 0
    next_pending = 0  # pending[:next_pending] end before the current token
    for start, end in tokens(doc.text, cuts):
        while next_pending < len(pending) and pending[next_pending].span[0].end <= start:
            next_pending += 1
        upcoming = pending[next_pending] if next_pending < len(pending) else None
        current = upcoming if upcoming is not None and upcoming.span[0].start <= start else None
        if sentence and current is None and "\n" in doc.text[previous_end:start]:
            lines.extend([*sentence, ""])
            sentence = []
        tag = "O"
        if current is not None:
            tag = f"{'I' if current is inside else 'B'}-{current.type}"
            tagged.add(current.id)
        inside = current
        token = doc.text[start:end]
        docstart_tokens += token == "-DOCSTART-"
        sentence.append(f"{token} _ _ {tag}")
        previous_end = end
        if token in _SENTENCE_END and (current is None or end >= current.span[0].end):
            lines.extend([*sentence, ""])
            sentence = []
    if sentence:
        lines.extend([*sentence, ""])
    index = {m.id: i for i, m in enumerate(doc.mentions)}
    for m in kept:
        if m.id not in tagged:
            message = (
                f"mention {m.id} ({m.type}) is not written: it covers no token, only whitespace"
            )
            findings.append(
                Finding(I.NOT_CARRIED, message, f"/mentions/{index[m.id]}", annotation_id=m.id)
            )
    findings.extend(_losses(doc, docstart_tokens))
    return Exported({".conll": "\n".join(lines) + "\n"}, findings)


def _losses(doc: Document, docstart_tokens: int) -> list[Finding]:
    """What a BIO file has no place for, once per kind."""
    out = [
        Finding(
            I.NOT_CARRIED,
            "CoNLL holds tokens and tags: the text's spacing and line breaks, the document id "
            "and the metadata are not written",
            "/meta",
        )
    ]
    for kind in ("entities", "quotes", "claims", "events", "relations", "attributes"):
        n = len(getattr(doc, kind))
        if n:
            noun = SINGULAR[kind] if n == 1 else kind
            message = f"{n} {noun} {'is' if n == 1 else 'are'} not written: BIO tags mentions only"
            out.append(Finding(I.NOT_CARRIED, message, f"/{kind}"))
    noted = [i for i, m in enumerate(doc.mentions) if m.note]
    if noted:
        message = f"the notes of {len(noted)} mention(s) are not written"
        out.append(Finding(I.NOT_CARRIED, message, f"/mentions/{noted[0]}/note"))
    if docstart_tokens:
        out.append(
            Finding(
                I.APPROXIMATED,
                f"the text holds the token -DOCSTART- {docstart_tokens} time(s); CoNLL readers "
                "take such a line for the start of a new document",
                "/text",
            )
        )
    return out


def export_document(document: Document, options: ExportOptions) -> Exported:
    """The registry's writer: ``.conll`` (no offsets, so the offset unit does not apply)."""
    return write_conll(document)
