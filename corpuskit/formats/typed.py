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
from collections.abc import Collection
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

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
    Mention,
    Metadata,
    Quote,
    Relation,
)

#: The model class of each annotation kind, in ANNOTATION_KINDS order.
KINDS = (Mention, Entity, Quote, Claim, Event, Relation, Attribute)


def _source_class() -> type[msgspec.Struct]:
    """The Document as a source gives it: the same fields and types (so one decode type-checks
    everything), except that ``corpuskit`` and ``offset_unit``, which the model defaults, are
    required, and an annotation list left out is UNSET rather than (): the writer gives every
    list, empty ones too, and the member count below must know which the source had."""
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for field in msgspec.structs.fields(Document):
        if field.name in ANNOTATION_KINDS:
            fields.append((field.name, field.type | UnsetType, UNSET))
        elif field.required or field.name in ("offset_unit", "version"):
            fields.append((field.name, field.type))
        else:  # pragma: no cover - every other Document field is required
            fields.append((field.name, field.type, field.default))
    renamed = {f.name: f.encode_name for f in msgspec.structs.fields(Document)}
    return msgspec.defstruct(
        "_Source", fields, rename=renamed, forbid_unknown_fields=True, gc=False
    )


_SOURCE = _source_class()
_DECODER = msgspec.json.Decoder(_SOURCE)
#: Where the annotation lists start among the Document's fields (they are its last ones).
_LISTS = len(Document.__struct_fields__) - len(ANNOTATION_KINDS)
assert Document.__struct_fields__[_LISTS:] == ANNOTATION_KINDS

# The schema's patterns, one line per value, so that each kind is checked by one match
# (a pattern on each field would cost one regex call per string). ``{0,199}`` is maxLength;
# possessive (``+``), as giving characters back could never reach the line break that must
# follow, and sre then skips the bookkeeping for backtracking (a third less time).
_ID = r"[A-Za-z_][A-Za-z0-9_.-]{0,199}+\n"
_NAME = r"[A-Za-z_][A-Za-z0-9_.:-]{0,199}+\n"


def _lines(line: str) -> str:
    """``(?:line)*``, unrolled to eight lines a repetition: for short lines such as ids, sre's
    bookkeeping for each repetition is much of the cost. A line ends in its only line break,
    so there is one way to split the text into lines and no backtracking to speak of."""
    return f"(?:{line * 8})*(?:{line}){{0,7}}"


#: The ids' lines, a tab line, the names' lines: both kinds in one join and one match. The
#: tab line cannot be taken for a name (nor an id for it: the real one would then be a name).
_IDS_THEN_NAMES = re.compile(_lines(_ID) + "\t\n" + _lines(_NAME))
_KB_IDS = re.compile(r"(?:\S++\n)*")
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


#: Ids and names that have matched their pattern. A corpus repeats them (m1, e12, GPE, agent),
#: and a set lookup costs a fraction of the match (and hashes each string once, for the checks'
#: own sets and tables): only the strings not seen before are matched. Cleared when it would
#: hold more than ``_MOST_KNOWN`` (a corpus of unique document ids adds one a document).
_KNOWN_IDS: set[str] = set()
_KNOWN_NAMES: set[str] = set()
_MOST_KNOWN = 4096


def _ids_and_names_match(ids: list[str], names: list[str]) -> bool:
    """Whether every id has an id's form and every name a name's: those matched before are
    looked up, the others matched in one join and one match (the XML decode's check too)."""
    if _KNOWN_IDS.issuperset(ids) and _KNOWN_NAMES.issuperset(names):
        return True
    new_ids = set(ids).difference(_KNOWN_IDS)
    new_names = set(names).difference(_KNOWN_NAMES)
    if not _match_ids_and_names(new_ids, new_names):
        return False
    for known, new in ((_KNOWN_IDS, new_ids), (_KNOWN_NAMES, new_names)):
        if len(known) + len(new) > _MOST_KNOWN:
            known.clear()
        if len(new) <= _MOST_KNOWN:
            known |= new
    return True


def _match_ids_and_names(ids: Collection[str], names: Collection[str]) -> bool:
    """Whether every id has an id's form and every name a name's, in one join and one match."""
    lines = [*ids, "\t", *names, ""]
    joined = "\n".join(lines)
    return joined.count("\n") == len(lines) - 1 and _IDS_THEN_NAMES.fullmatch(joined) is not None


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


class Parts(msgspec.Struct, frozen=True, gc=False):
    """The ids, types and references of a document's annotations, kind by kind in document
    order, as the typed decode's walk lists them anyway (for the patterns), for the checks that
    would list them again (the reference check's sets, the id -> type table)."""

    mention_ids: list[str]
    mention_types: list[str]
    entity_ids: list[str]
    entity_types: list[str]
    #: The entities' mention ids, entity after entity.
    members: list[str]
    quote_ids: list[str]
    #: The quotes' speakers, those given.
    speakers: list[str]
    claim_ids: list[str]
    #: The claims' sources and channels, those given.
    agents: list[str]
    event_ids: list[str]
    event_types: list[str]
    relation_ids: list[str]
    relation_types: list[str]
    #: The events' argument refs, then the relations'.
    event_refs: list[str]
    relation_refs: list[str]
    attribute_ids: list[str]
    targets: list[str]


#: What the walk of a document finds: the strings count, ids, names, KB ids, free strings and
#: the annotations' parts.
Walked = tuple[int, list[str], list[str], list[str], list[str], Parts]


def _walk(doc: Document) -> Walked | None:
    """How many strings (member names and string values) the model says the source wrote below
    the top level (required members always, optional ones when set: None and () are
    "absent"), and the ids, names and KB ids to check against the schema's patterns; None
    when an attribute holds an integer a double cannot hold (P008 is the full path's to say).
    Then the free-text strings it passes (notes, entity names, string attribute values),
    which the text check screens too, and the ids and names kind by kind (:class:`Parts`).

    One plain loop per kind: CPython 3.11 specialises each attribute read to its one class and
    ``list.append`` to a list, which beats a comprehension per field (a frame and a pass each)
    and ``map(attrgetter)`` alike. Fixed members are counted per kind outside the loops."""
    meta, prov = doc.meta, doc.meta.provenance
    # meta: title and language (name and value each), optional strings, provenance's name
    strings = 4 + 2 * (
        (meta.source is not None)
        + (meta.url is not None)
        + (meta.published is not None)
        + (meta.license is not None)
    )
    if prov is not None:
        strings += 1 + bool(prov.annotators) + len(prov.annotators)
        strings += 2 * ((prov.tool is not None) + (prov.tool_version is not None))
        strings += 2 * (prov.note is not None)
    kbs: list[str] = []
    kb_ids: list[str] = []
    free: list[str] = []
    args: list[Argument] = []  # the events' and relations', read after their loops
    notes = fragments = 0  # a note: name and value; a fragment: start, end, text and its value
    # mention: id, type, span, and the id's and type's values
    strings += 5 * len(doc.mentions)
    m_ids: list[str] = []
    m_types: list[str] = []
    for m in doc.mentions:
        m_ids.append(m.id)
        m_types.append(m.type)
        fragments += len(m.span)
        if m.note is not None:
            notes += 1
            free.append(m.note)
    # entity: the same five; a value per mention id; a name; "links" and four per link
    strings += 5 * len(doc.entities)
    e_ids: list[str] = []
    e_types: list[str] = []
    members: list[str] = []
    for e in doc.entities:
        e_ids.append(e.id)
        e_types.append(e.type)
        members += e.mentions
        if e.name is not None:
            strings += 2
            free.append(e.name)
        if e.links:
            strings += 1 + 4 * len(e.links)
            for link in e.links:
                kbs.append(link.kb)
                kb_ids.append(link.id)
        if e.note is not None:
            notes += 1
            free.append(e.note)
    strings += len(members)  # the mention ids' values
    # quote: id, span, mode, and the id's and mode's values; a speaker; a cue
    strings += 5 * len(doc.quotes)
    q_ids: list[str] = []
    speakers: list[str] = []
    for q in doc.quotes:
        q_ids.append(q.id)
        fragments += len(q.span)
        if q.speaker is not None:
            speakers.append(q.speaker)
            strings += 2
        if q.cue:
            strings += 1
            fragments += len(q.cue)
        if q.note is not None:
            notes += 1
            free.append(q.note)
    # claim: id, span and the id's value; a source, a channel; a cue
    strings += 3 * len(doc.claims)
    c_ids: list[str] = []
    agents: list[str] = []
    for c in doc.claims:
        c_ids.append(c.id)
        fragments += len(c.span)
        if c.source is not None:
            agents.append(c.source)
            strings += 2
        if c.channel is not None:
            agents.append(c.channel)
            strings += 2
        if c.cue:
            strings += 1
            fragments += len(c.cue)
        if c.note is not None:
            notes += 1
            free.append(c.note)
    # event: id, type, trigger, and the id's and type's values; "args" when there are some
    strings += 5 * len(doc.events)
    ev_ids: list[str] = []
    ev_types: list[str] = []
    for v in doc.events:
        ev_ids.append(v.id)
        ev_types.append(v.type)
        fragments += len(v.trigger)
        if v.args:
            strings += 1
            args += v.args
        if v.note is not None:
            notes += 1
            free.append(v.note)
    event_args = len(args)
    # relation: id, type, args (required, and never empty), and the id's and type's values
    strings += 5 * len(doc.relations)
    r_ids: list[str] = []
    r_types: list[str] = []
    for r in doc.relations:
        r_ids.append(r.id)
        r_types.append(r.type)
        args += r.args
        if r.note is not None:
            notes += 1
            free.append(r.note)
    # an argument: role, ref and their values
    strings += 4 * len(args)
    refs = [arg.ref for arg in args]
    roles = [arg.role for arg in args]
    # attribute: id, target, name, value, and the values of the first three; a string value
    strings += 7 * len(doc.attributes)
    at_ids: list[str] = []
    targets: list[str] = []
    at_names: list[str] = []
    for a in doc.attributes:
        at_ids.append(a.id)
        targets.append(a.target)
        at_names.append(a.name)
        value = a.value
        if type(value) is str:
            strings += 1
            free.append(value)
        elif type(value) is int and not -_EXACT < value < _EXACT:
            return None
        if a.note is not None:
            notes += 1
            free.append(a.note)
    ids = [doc.id, *m_ids, *e_ids, *members, *q_ids, *speakers, *c_ids, *agents, *ev_ids]
    ids += [*r_ids, *refs, *at_ids, *targets]
    names = [*m_types, *e_types, *kbs, *ev_types, *r_types, *roles, *at_names]
    parts = Parts(
        m_ids,
        m_types,
        e_ids,
        e_types,
        members,
        q_ids,
        speakers,
        c_ids,
        agents,
        ev_ids,
        ev_types,
        r_ids,
        r_types,
        refs[:event_args],
        refs[event_args:],
        at_ids,
        targets,
    )
    return strings + 2 * notes + 4 * fragments, ids, names, kb_ids, free, parts


#: The escapes that matter to the quote count: an escaped quote, and an escaped backslash (read
#: whole, so that the quote after it is not taken for escaped). Searched left to right from
#: the start of an escape, the matches are exactly the document's escapes of those two kinds:
#: every backslash of valid JSON begins an escape, and only ``\\`` escapes a backslash.
_QUOTE_ESCAPES = re.compile(rb'\\["\\]')


def _escaped_quotes(data: bytes) -> int:
    """How many of the quote bytes in ``data`` (valid JSON) are escaped (``\\"``) rather than
    delimiters. Every backslash of valid JSON begins an escape, so while there are few they are
    read one by one, from backslash to backslash (memchr, about a tenth of a microsecond an
    escape); past that, one regex scan of the bytes left (about a quarter of a nanosecond a
    byte) finds the rest. The loop's budget grows with the document's size, to about where
    the scan would cost as much."""
    find = data.find
    at = find(b"\\")
    escaped = 0
    for _ in range(16 + (len(data) >> 9)):
        if at < 0:
            return escaped
        escaped += data[at + 1] == 0x22  # the escaped character: a quote?
        at = find(b"\\", at + 2)  # \uXXXX holds no backslash: skipping two is enough
    if at < 0:
        return escaped
    return escaped + _QUOTE_ESCAPES.findall(data, at).count(b'\\"')


def decode(data: bytes) -> Document | None:
    """The document in ``data`` when it is valid JSON that the document schema accepts as it is
    (no draft part), else None: then the full path reads it and says what is wrong."""
    read = decode_with_strings(data)
    return None if read is None else read[0]


def decode_with_strings(data: bytes) -> tuple[Document, list[str], Parts] | None:
    """:func:`decode`, with the free-text strings of the annotations that its walk passes:
    notes, entity names, knowledge-base ids and string attribute values (some notes may be
    empty), for the text check's screen (``rules.offsets.ANNOTATION_STRINGS``), and the
    annotations' ids, types and references kind by kind (:class:`Parts`)."""
    try:
        source = _DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return None  # not JSON, a type the model refuses, or corpuskit/offset_unit missing
    values = msgspec.structs.astuple(source)
    lists = values[_LISTS:]
    doc = Document(*values[:_LISTS], *[() if v is UNSET else v for v in lists])
    if doc.version != FORMAT_VERSION or doc.offset_unit != OFFSET_UNIT:
        return None
    walked = _walk(doc)
    if walked is None:
        return None
    strings, ids, names, kb_ids, free, parts = walked
    # The top level: id, meta, text, text_sha256, offset_unit, corpuskit with the values of all
    # but meta, and the name of each annotation list the source gave.
    strings += 11 + len(lists) - lists.count(UNSET)
    # msgspec keeps the last of two equal keys. Count strings: each (a member's name or a
    # string value) is written between two quote bytes, and a quote inside one is escaped as
    # \" (one more byte, left out here) or \u0022 (no quote byte at all). So the source's
    # unescaped quotes are exactly twice the strings it wrote. Every way a source can write
    # more than the model counts (a member dropped as a duplicate, an explicit null or empty
    # list the model reads as absent) adds at least one string (its name) and never removes
    # one: equality proves no duplicate.
    if data.count(b'"') - _escaped_quotes(data) != 2 * strings:
        return None
    if _SHA256.fullmatch(doc.text_sha256) is None or not _meta_valid(doc.meta):
        return None
    if not (_ids_and_names_match(ids, names) and all_match(_KB_IDS, kb_ids)):
        return None
    free += kb_ids
    return doc, free, parts
