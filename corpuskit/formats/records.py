"""The JSON data model shared by every format: plain dicts <-> model objects.

Both JSON and XML documents are read into the same dict shape (the one the JSON Schema
describes), so schema checks, JSON pointers and the rules are the same for both formats.
``to_dict`` emits keys in the canonical order and leaves out optional fields that are unset.
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
    return Claim(r["id"], _span(r["span"]), r.get("source"), r.get("channel"), r.get("note"))


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
        kinds[kind] = tuple(build(r) for i, r in enumerate(items) if (kind, i) not in skip)
    return Document(
        id=record["id"],
        meta=_metadata(record["meta"]),
        text=record["text"],
        text_sha256=record["text_sha256"],
        offset_unit=record["offset_unit"],
        version=record["corpuskit"],
        **kinds,
    )


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
        "text_sha256": doc.text_sha256,
    }
    for kind in _BUILDERS:
        out[kind] = [annotation_to_dict(kind, a) for a in getattr(doc, kind)]
    return out
