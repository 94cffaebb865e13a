"""One typed decode: JSON bytes straight to the document model, for the documents that are valid.

``msgspec`` parses and type-checks in one compiled pass into the model's own classes (frozen
Structs whose fields, required members, ranges and lengths are the document schema's), and the
few constraints a Struct cannot state (patterns, the date format, the constant members) are
checked here in a handful of C-speed operations. A document accepted here needs no orjson
parse, no JSON-Schema run and no dict-to-model step. Anything refused, and anything the guards
cannot vouch for (a duplicate key, a ``null``, an integer beyond ±2^53, a draft), goes the full
path (``json_format.parse`` + ``schema.check_record`` + ``records.from_dict``), which lists every
problem with its position. So the typed decode only ever says "valid, and here is the model";
``tests/test_typed.py`` checks on every fixture and on mutation fuzz that whatever it accepts,
the full path accepts too, as the same model.
"""

from __future__ import annotations

import datetime
import re

import msgspec

from corpuskit.model import (
    ANNOTATION_KINDS,
    FORMAT_VERSION,
    OFFSET_UNIT,
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
)

#: The model class of each annotation kind, in ANNOTATION_KINDS order.
KINDS = (Mention, Entity, Quote, Claim, Event, Relation, Attribute)

_DECODER = msgspec.json.Decoder(Document)


class _Top(msgspec.Struct):
    """Which top-level members a document gives (left undecoded; an absent one is an empty
    Raw): the constants the model would fill in, and the annotation lists, empty or not."""

    corpuskit: msgspec.Raw = msgspec.Raw()
    offset_unit: msgspec.Raw = msgspec.Raw()

    mentions: msgspec.Raw = msgspec.Raw()
    entities: msgspec.Raw = msgspec.Raw()
    quotes: msgspec.Raw = msgspec.Raw()
    claims: msgspec.Raw = msgspec.Raw()
    events: msgspec.Raw = msgspec.Raw()
    relations: msgspec.Raw = msgspec.Raw()
    attributes: msgspec.Raw = msgspec.Raw()


_TOP = msgspec.json.Decoder(_Top)

# The schema's patterns, one line per value, so that each kind is checked by one match
# (a pattern on each field would cost one regex call per string). ``{0,199}`` is maxLength.
_IDS = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_.-]{0,199}\n)*")
_NAMES = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_.:-]{0,199}\n)*")
_KB_IDS = re.compile(r"(?:\S+\n)*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_URL = re.compile(r"https?://\S+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Integers beyond ±2^53 lose precision in a double (the other readers' numbers).
_EXACT = 2**53


def all_match(pattern: re.Pattern[str], values: list[str]) -> bool:
    """Whether every value matches ``pattern`` (a one-value-per-line pattern): one regex call
    for all of them. A value holding a line break would pass as two lines, hence the count."""
    if not values:
        return True
    joined = "\n".join(values) + "\n"
    return joined.count("\n") == len(values) and pattern.fullmatch(joined) is not None


_ENCODER = msgspec.json.Encoder()
_FIELDS: dict[type, int] = {
    cls: len(cls.__struct_fields__) for cls in (Document, Metadata, Provenance, *KINDS)
}
_LEAF_FIELDS: dict[type, int] = {
    cls: len(cls.__struct_fields__) for cls in (Fragment, Argument, KBLink)
}


def _fields(doc: Document, fragments: int, args: int, links: int) -> int:
    """How many fields the model's objects have in all (each is written when encoding)."""
    total = _FIELDS[Document] + _FIELDS[Metadata]
    if doc.meta.provenance is not None:
        total += _FIELDS[Provenance]
    for kind, cls in zip(ANNOTATION_KINDS, KINDS, strict=True):
        total += _FIELDS[cls] * len(getattr(doc, kind))
    return (
        total
        + _LEAF_FIELDS[Fragment] * fragments
        + _LEAF_FIELDS[Argument] * args
        + _LEAF_FIELDS[KBLink] * links
    )


def _meta_valid(meta: Metadata) -> bool:
    """The metadata constraints a Struct field cannot state."""
    if not meta.title or _LANGUAGE.fullmatch(meta.language) is None:
        return False
    if meta.source == "" or meta.license == "":
        return False
    if meta.url is not None and _URL.fullmatch(meta.url) is None:
        return False
    if meta.published is not None:
        if _DATE.fullmatch(meta.published) is None:
            return False
        try:
            datetime.date.fromisoformat(meta.published)
        except ValueError:
            return False  # the schema's "date" format refuses it too
    prov = meta.provenance
    return prov is None or not ("" in prov.annotators or prov.tool == "" or prov.tool_version == "")


def _walk(doc: Document) -> tuple[int, int, list[str], list[str], list[str]]:
    """The members the model says the source had (required ones always, optional ones when
    set: None and () are "absent"), how many fields the model's objects have (all written when
    encoding), and the ids, names and KB ids to check against the schema's patterns. Booleans
    add up as 0 and 1: this runs for every document."""
    meta, prov = doc.meta, doc.meta.provenance
    keys = 6 + sum(1 for kind in ANNOTATION_KINDS if getattr(doc, kind))
    keys += 2 + (meta.source is not None) + (meta.url is not None)
    keys += (meta.published is not None) + (meta.license is not None) + (prov is not None)
    if prov is not None:
        keys += bool(prov.annotators) + (prov.tool is not None)
        keys += (prov.tool_version is not None) + (prov.note is not None)
    ids = [doc.id]
    names: list[str] = []
    kb_ids: list[str] = []
    fragments = links = args = 0
    for m in doc.mentions:
        keys += 3 + (m.note is not None)
        fragments += len(m.span)
    ids += [m.id for m in doc.mentions]
    names += [m.type for m in doc.mentions]
    for e in doc.entities:
        keys += 3 + (e.name is not None) + (e.note is not None)
        ids.append(e.id)
        ids += e.mentions
        names.append(e.type)
        if e.links:
            links += len(e.links)
            keys += 1 + 2 * len(e.links)
            names += [link.kb for link in e.links]
            kb_ids += [link.id for link in e.links]
    for q in doc.quotes:
        keys += 3 + (q.speaker is not None) + bool(q.cue) + (q.note is not None)
        fragments += len(q.span) + len(q.cue)
        ids.append(q.id)
        if q.speaker is not None:
            ids.append(q.speaker)
    for c in doc.claims:
        keys += 2 + (c.source is not None) + (c.channel is not None)
        keys += bool(c.cue) + (c.note is not None)
        fragments += len(c.span) + len(c.cue)
        ids.append(c.id)
        ids += [ref for ref in (c.source, c.channel) if ref is not None]
    for v in doc.events:
        keys += 3 + bool(v.args) + (v.note is not None) + 2 * len(v.args)
        fragments += len(v.trigger)
    for r in doc.relations:
        # args are required: counted even when absent (empty), so an absent one is caught
        keys += 3 + (r.note is not None) + 2 * len(r.args)
    frames: list[Event | Relation] = [*doc.events, *doc.relations]
    for frame in frames:
        args += len(frame.args)
        ids.append(frame.id)
        names.append(frame.type)
        ids += [a.ref for a in frame.args]
        names += [a.role for a in frame.args]
    for at in doc.attributes:
        keys += 4 + (at.note is not None)
    ids += [x for at in doc.attributes for x in (at.id, at.target)]
    names += [at.name for at in doc.attributes]
    keys += 3 * fragments
    return keys, _fields(doc, fragments, args, links), ids, names, kb_ids


def decode(data: bytes) -> Document | None:
    """The document in ``data`` when it is valid JSON that the document schema accepts as it is
    (no draft part), else None: then the full path reads it and says what is wrong."""
    try:
        doc = _DECODER.decode(data)
        top = _TOP.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return None
    if not (top.corpuskit and top.offset_unit):
        return None  # required members the model has defaults for
    if any(type(a.value) is int and not -_EXACT < a.value < _EXACT for a in doc.attributes):
        return None  # an integer a double cannot hold: P008 is the full path's to say
    keys, fields, ids, names, kb_ids = _walk(doc)
    # The writer gives every annotation list, empty ones too: those members were read.
    keys += sum(1 for kind in ANNOTATION_KINDS if getattr(top, kind) and not getattr(doc, kind))
    # msgspec keeps the last of two equal keys. Count quotes: encoding writes every field, so
    # the source must have exactly the encoding's quotes less two for each absent member. Every
    # way a source can differ (a member dropped as a duplicate, an explicit empty list or a null
    # the model reads as absent, a literal "\\u0022" in a string) adds quotes, never removes any, so
    # equality proves there was no duplicate; \u0022 is the one way to write a quote without one.
    quotes = data.count(b'"') + data.count(b"\\u0022")
    if quotes != _ENCODER.encode(doc).count(b'"') - 2 * (fields - keys):
        return None
    if doc.version != FORMAT_VERSION or doc.offset_unit != OFFSET_UNIT:
        return None
    if _SHA256.fullmatch(doc.text_sha256) is None or not _meta_valid(doc.meta):
        return None
    if not (all_match(_IDS, ids) and all_match(_NAMES, names) and all_match(_KB_IDS, kb_ids)):
        return None
    return doc
