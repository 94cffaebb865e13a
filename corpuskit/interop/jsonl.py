"""JSON Lines spans (export only): one JSON object per span fragment, for training pipelines.

Each line is one fragment of a mention's span, a quote's or claim's span or cue, or an event's
trigger, in document order::

    {"document": "iran-russia-missiles", "annotation": "m1", "kind": "mention", "field": "span",
     "fragment": 0, "type": "GPE", "start": 0, "end": 4, "text": "Iran"}

``type`` is the mention's or event's type, a quote's mode (``direct``/``indirect``), null for a
claim. Offsets count in ``--offset-unit``; ``text`` is the covered text. What is not a span
(metadata, entities, relations, attributes, references between annotations, notes) is not
written, and each is reported (I008).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from corpuskit.diagnostics import Finding
from corpuskit.interop.common import Exported
from corpuskit.interop.units import OffsetMap
from corpuskit.model import SINGULAR, Document, Span
from corpuskit.rules import interop as I

if TYPE_CHECKING:
    from corpuskit.interop.registry import ExportOptions

#: Line breaks to Python's ``str.splitlines`` that JSON leaves raw: escaped, so that one object
#: stays one line for every reader.
_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _spans(doc: Document) -> Iterator[tuple[str, str, str, str | None, Span]]:
    """(kind, annotation id, field, type, span) for every span of the document."""
    for m in doc.mentions:
        yield "mentions", m.id, "span", m.type, m.span
    for q in doc.quotes:
        yield "quotes", q.id, "span", q.mode, q.span
        if q.cue:
            yield "quotes", q.id, "cue", q.mode, q.cue
    for c in doc.claims:
        yield "claims", c.id, "span", None, c.span
        if c.cue:
            yield "claims", c.id, "cue", None, c.cue
    for e in doc.events:
        yield "events", e.id, "trigger", e.type, e.trigger


def _losses(doc: Document) -> list[Finding]:
    """I008 for each part of the document that is not a span."""
    out = [
        Finding(
            I.NOT_CARRIED,
            "JSONL spans keep the document id only: the title, language and the rest of meta "
            "are not written",
            "/meta",
        )
    ]
    for kind in ("entities", "relations", "attributes"):
        n = len(getattr(doc, kind))
        if n:
            noun, verb = (SINGULAR[kind], "is") if n == 1 else (kind, "are")
            message = f"{n} {noun} {verb} not written: JSONL spans hold spans only"
            out.append(Finding(I.NOT_CARRIED, message, f"/{kind}"))
    linked: list[str] = []
    noted: list[str] = []
    for kind in ("mentions", "quotes", "claims", "events"):
        for i, a in enumerate(getattr(doc, kind)):
            pointer = f"/{kind}/{i}"
            if getattr(a, "args", None) or any(
                getattr(a, name, None) for name in ("speaker", "source", "channel")
            ):
                linked.append(pointer)
            if a.note:
                noted.append(pointer)
    for pointers, what in (
        (
            linked,
            "the references of {n} annotation{s} (speakers, sources, channels, event "
            "arguments) are not written",
        ),
        (noted, "the notes of {n} annotation{s} are not written"),
    ):
        if pointers:
            n = len(pointers)
            message = what.format(n=n, s="s" if n != 1 else "")
            out.append(Finding(I.NOT_CARRIED, message, pointers[0]))
    return out


def write_jsonl(doc: Document, unit: str = "codepoint") -> Exported:
    """A document's spans as JSON Lines (``.jsonl``), one object per fragment."""
    offsets = OffsetMap(doc.text, unit)
    lines: list[str] = []
    for kind, ident, field, kind_type, span in _spans(doc):
        for i, fragment in enumerate(span):
            record: dict[str, Any] = {
                "document": doc.id,
                "annotation": ident,
                "kind": SINGULAR[kind],
                "field": field,
                "fragment": i,
                "type": kind_type,
                "start": offsets.from_codepoint(fragment.start),
                "end": offsets.from_codepoint(fragment.end),
                "text": doc.text[fragment.start : fragment.end],
            }
            lines.append(json.dumps(record, ensure_ascii=False).translate(_BREAKS))
    return Exported({".jsonl": "".join(f"{line}\n" for line in lines)}, _losses(doc))


def export_document(document: Document, options: ExportOptions) -> Exported:
    """The registry's writer: ``.jsonl``."""
    return write_jsonl(document, options.unit)
