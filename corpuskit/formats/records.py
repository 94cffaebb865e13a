"""The JSON data model shared by every format: plain dicts <-> model objects.

Both JSON and XML documents are read into the same dict shape (the one the JSON Schema
describes), so schema checks, JSON pointers and the rules are the same for both formats.
``to_dict`` emits keys in the canonical order and leaves out optional fields that are unset.

A draft may give a fragment by its text alone (``{"text", "prefix", "suffix"}``) and leave out
annotation ids: the model holds complete annotations only, so ``from_dict`` refuses those
(:class:`DraftError`) unless told to skip them, and ``canonical_record`` writes them as they are.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from corpuskit.model import (
    FORMAT_VERSION,
    Argument,
    Attribute,
    Claim,
    Document,
    Entity,
    Event,
    Fragment,
    KBLink,
    Mention,
    Metadata,
    Provenance,
    Quote,
    Relation,
    Span,
)

Record = dict[str, Any]

#: The fields of an annotation that hold a span.
SPAN_FIELDS = ("span", "cue", "trigger")
#: Canonical key order of a fragment given by its text (a draft).
QUOTED_FRAGMENT_KEYS = ("text", "prefix", "suffix")


class DraftError(ValueError):
    """A record holds a draft part the model cannot: a fragment without offsets, or an
    annotation without id. ``corpuskit fix`` completes them."""

    def __init__(self, kind: str, index: int, what: str) -> None:
        self.kind = kind
        self.index = index
        super().__init__(f"/{kind}/{index} {what}; run corpuskit fix to complete it")


#: Canonical key order of a document record.
DOCUMENT_KEYS = (
    "corpuskit",
    "id",
    "meta",
    "offset_unit",
    "text",
    "text_sha256",
    "mentions",
    "entities",
    "quotes",
    "claims",
    "events",
    "relations",
    "attributes",
)
META_KEYS = ("title", "source", "url", "published", "language", "license", "provenance")


def _span(items: list[Record]) -> Span:
    # JSON Schema counts 5.0 as an integer; the model holds true ints.
    return tuple(
        Fragment(s if type(s) is int else int(s), e if type(e) is int else int(e), f["text"])
        for f in items
        for s, e in ((f["start"], f["end"]),)
    )


def _args(items: list[Record]) -> tuple[Argument, ...]:
    return tuple(Argument(a["role"], a["ref"]) for a in items)


def _mention(r: Record) -> Mention:
    return Mention(r["id"], r["type"], _span(r["span"]), r.get("note"))


def _entity(r: Record) -> Entity:
    links = tuple(KBLink(link["kb"], link["id"]) for link in r.get("links", ()))
    return Entity(r["id"], r["type"], tuple(r["mentions"]), r.get("name"), links, r.get("note"))


def _quote(r: Record) -> Quote:
    return Quote(
        r["id"],
        _span(r["span"]),
        r.get("mode", "direct"),
        r.get("speaker"),
        _span(r.get("cue", ())),
        r.get("note"),
    )


def _claim(r: Record) -> Claim:
    return Claim(
        r["id"],
        _span(r["span"]),
        r.get("source"),
        r.get("channel"),
        r.get("note"),
        _span(r.get("cue", ())),
    )


def _event(r: Record) -> Event:
    return Event(r["id"], r["type"], _span(r["trigger"]), _args(r.get("args", ())), r.get("note"))


def _relation(r: Record) -> Relation:
    return Relation(r["id"], r["type"], _args(r.get("args", ())), r.get("note"))


def _attribute(r: Record) -> Attribute:
    return Attribute(r["id"], r["target"], r["name"], r["value"], r.get("note"))


_BUILDERS = {
    "mentions": _mention,
    "entities": _entity,
    "quotes": _quote,
    "claims": _claim,
    "events": _event,
    "relations": _relation,
    "attributes": _attribute,
}


def _metadata(r: Record) -> Metadata:
    prov = r.get("provenance")
    provenance = (
        Provenance(
            tuple(prov.get("annotators", ())),
            prov.get("tool"),
            prov.get("tool_version"),
            prov.get("note"),
        )
        if prov is not None
        else None
    )
    return Metadata(
        title=r["title"],
        language=r["language"],
        source=r.get("source"),
        url=r.get("url"),
        published=r.get("published"),
        license=r.get("license"),
        provenance=provenance,
    )


def from_dict(record: Record, skip: Collection[tuple[str, int]] = ()) -> Document:
    """Build a Document from a schema-valid record.

    ``skip`` names annotations (kind, index) left out because they failed the schema, so the
    rest of a partly broken document can still be checked.
    """
    kinds: dict[str, tuple[Any, ...]] = {}
    for kind, build in _BUILDERS.items():
        items = record.get(kind, ())
        try:
            kinds[kind] = tuple(build(r) for i, r in enumerate(items) if (kind, i) not in skip)
        except KeyError:
            _raise_draft(kind, items, skip)
            raise
    return Document(
        id=record["id"],
        meta=_metadata(record["meta"]),
        text=record["text"],
        text_sha256=record.get("text_sha256", ""),
        offset_unit=record["offset_unit"],
        version=record["corpuskit"],
        **kinds,
    )


def is_draft(annotation: Record) -> bool:
    """Whether an annotation record lacks its id or has a fragment given by its text alone."""
    if "id" not in annotation:
        return True
    return any(
        "start" not in f
        for field in SPAN_FIELDS
        for f in annotation.get(field, ())
        if isinstance(f, dict)
    )


def _raise_draft(kind: str, items: list[Record], skip: Collection[tuple[str, int]]) -> None:
    """Raise DraftError for the first draft annotation of ``kind`` not skipped (a KeyError
    while building said one may be there; the hot path pays nothing for the check)."""
    for index, annotation in enumerate(items):
        if (kind, index) not in skip and is_draft(annotation):
            what = "has no id" if "id" not in annotation else "has a fragment without offsets"
            raise DraftError(kind, index, what)


def _put(out: Record, key: str, value: object) -> None:
    """Set an optional field only when it carries something, as the canonical layout wants."""
    if value is not None and value != ():
        out[key] = value


def span_to_list(span: Span) -> list[Record]:
    """A span as its record form: a list of ``{"start", "end", "text"}``."""
    return [{"start": f.start, "end": f.end, "text": f.text} for f in span]


def _args_to_list(args: tuple[Argument, ...]) -> list[Record]:
    return [{"role": a.role, "ref": a.ref} for a in args]


def annotation_to_dict(kind: str, a: Any) -> Record:
    """One annotation as a record, keys in canonical order."""
    out: Record = {"id": a.id}
    if kind == "mentions":
        out["type"] = a.type
        out["span"] = span_to_list(a.span)
    elif kind == "entities":
        out["type"] = a.type
        _put(out, "name", a.name)
        out["mentions"] = list(a.mentions)
        if a.links:
            out["links"] = [{"kb": link.kb, "id": link.id} for link in a.links]
    elif kind == "quotes":
        out["mode"] = a.mode
        out["span"] = span_to_list(a.span)
        _put(out, "speaker", a.speaker)
        if a.cue:
            out["cue"] = span_to_list(a.cue)
    elif kind == "claims":
        out["span"] = span_to_list(a.span)
        _put(out, "source", a.source)
        _put(out, "channel", a.channel)
        if a.cue:
            out["cue"] = span_to_list(a.cue)
    elif kind == "events":
        out["type"] = a.type
        out["trigger"] = span_to_list(a.trigger)
        if a.args:
            out["args"] = _args_to_list(a.args)
    elif kind == "relations":
        out["type"] = a.type
        out["args"] = _args_to_list(a.args)
    elif kind == "attributes":
        out["target"] = a.target
        out["name"] = a.name
        out["value"] = a.value
    _put(out, "note", a.note)
    return out


def meta_to_dict(meta: Metadata) -> Record:
    """The metadata as a record, keys in canonical order."""
    out: Record = {"title": meta.title}
    _put(out, "source", meta.source)
    _put(out, "url", meta.url)
    _put(out, "published", meta.published)
    out["language"] = meta.language
    _put(out, "license", meta.license)
    if meta.provenance is not None:
        p = meta.provenance
        prov: Record = {}
        if p.annotators:
            prov["annotators"] = list(p.annotators)
        _put(prov, "tool", p.tool)
        _put(prov, "tool_version", p.tool_version)
        _put(prov, "note", p.note)
        out["provenance"] = prov
    return out


def to_dict(doc: Document) -> Record:
    """The whole document as a record in canonical key order (every collection present)."""
    out: Record = {
        "corpuskit": doc.version or FORMAT_VERSION,
        "id": doc.id,
        "meta": meta_to_dict(doc.meta),
        "offset_unit": doc.offset_unit,
        "text": doc.text,
    }
    _put(out, "text_sha256", doc.text_sha256 or None)
    for kind in _BUILDERS:
        out[kind] = [annotation_to_dict(kind, a) for a in getattr(doc, kind)]
    return out


def quoted_fragment(fragment: Record) -> Record:
    """A fragment given by its text, keys in canonical order."""
    return {k: fragment[k] for k in QUOTED_FRAGMENT_KEYS if k in fragment}


def canonical_record(record: Record) -> Record:
    """``to_dict(from_dict(record))`` for a schema-valid record that may be a draft: fragments
    given by their text and annotations without id are kept as written, in canonical order."""
    try:
        return to_dict(from_dict(record))
    except DraftError:
        pass
    work = dict(record)
    missing_ids: list[tuple[str, int]] = []
    quoted: list[tuple[str, int, str, int, Record]] = []
    for kind in _BUILDERS:
        items = record.get(kind) or []
        copies = list(items)
        for i, annotation in enumerate(items):
            if not is_draft(annotation):
                continue
            stand_in = dict(annotation)
            if "id" not in annotation:
                stand_in["id"] = ""  # only while the model is built; taken out again below
                missing_ids.append((kind, i))
            for field in SPAN_FIELDS:
                span = annotation.get(field) or []
                for j, f in enumerate(span):
                    if "start" not in f:
                        quoted.append((kind, i, field, j, quoted_fragment(f)))
                if any("start" not in f for f in span):
                    stand_in[field] = [
                        f if "start" in f else {"start": 0, "end": 0, "text": f["text"]}
                        for f in span
                    ]
            copies[i] = stand_in
        work[kind] = copies
    out = to_dict(from_dict(work))
    for kind, i in missing_ids:
        del out[kind][i]["id"]
    for kind, i, field, j, fragment in quoted:
        out[kind][i][field][j] = fragment
    return out
