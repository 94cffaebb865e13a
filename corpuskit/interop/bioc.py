"""BioC (XML per BioC.dtd, and BioC JSON) to and from corpuskit documents.

A collection holds documents; a document holds passages (or sentences) whose offsets are
document-level, and annotations (one or several locations) and relations (nodes with roles).
Each BioC document becomes one corpuskit document: the passages' texts are placed at their
offsets (gaps filled with line breaks), annotations become mentions, relations become
relations, and infons other than ``type`` become attributes. corpuskit's own kinds travel as
``corpuskit:*`` infons (an entity is a relation with ``mention`` nodes, an event a relation with
a ``trigger`` node), so that corpuskit -> BioC -> corpuskit is exact except for attribute ids.

Offsets may be counted in code points, UTF-8 bytes or UTF-16 units (``unit``); the annotated
texts tell whether the unit fits (I003). docs/interop.md has the mapping tables.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corpuskit.diagnostics import Finding, Rule
from corpuskit.formats import escape_pointer_token
from corpuskit.formats.common import LineIndex
from corpuskit.formats.json_positions import JsonPositions
from corpuskit.formats.records import meta_to_dict
from corpuskit.interop.bioc_layout import (
    Container,
    Layout,
    is_identifier_infon,
    join_note,
    layout_of,
    resolve_identifier,
    split_note,
)
from corpuskit.interop.common import (
    Exported,
    IdPool,
    Imported,
    InputProblem,
    Origin,
    SourceFinding,
    bounded,
    checked_metadata,
    document_id,
    fit_name,
    load_json,
    plain_metadata,
    renamed_finding,
    shorten,
    whole_number,
)
from corpuskit.interop.units import UNITS, OffsetMap, unit_finding, unit_length
from corpuskit.model import (
    Argument,
    Attribute,
    AttributeValue,
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
    text_sha256,
)
from corpuskit.rules import interop as I

if TYPE_CHECKING:
    from corpuskit.interop.registry import Converted, ExportOptions, ImportOptions, InputSource
    from corpuskit.scheme import AttributeDef, Scheme

#: Infon keys that carry corpuskit structure; every other infon is an attribute.
KIND, NOTE, ATTRIBUTES = "corpuskit:kind", "corpuskit:note", "corpuskit:attributes"
#: The infon of a cue annotation naming what it is the cue of, by that annotation's kind.
CUE_OF = {"quote": "corpuskit:quote", "claim": "corpuskit:claim"}
ORDER = "corpuskit:attribute_order"
_META_KEYS = ("title", "language", "source", "url", "published", "license")
DOCTYPE = '<!DOCTYPE collection SYSTEM "BioC.dtd">'
#: Metadata fields kept from document infons, with the form corpuskit requires of them.
#: Line breaks that may fill the gaps between passages, in all: at least this many, and as many
#: as the input has bytes. A 238-byte file with a passage at offset 2,000,000,000 must not make
#: a 2 GB text.
MAX_FILLER = 1 << 20
_META_PATTERNS = {
    "source": re.compile(r".+", re.S),
    "url": re.compile(r"https?://\S+"),
    "published": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "license": re.compile(r".+", re.S),
}


# --------------------------------------------------------------------------- the BioC model


@dataclass(slots=True)
class BiocAnnotation:
    """``<annotation>``: infons, locations (offset, length) and the annotated text."""

    id: str | None
    infons: dict[str, str]
    locations: list[tuple[int, int]]
    text: str | None
    #: (line, column) in the collection file.
    where: tuple[int, int] = (1, 1)


@dataclass(slots=True)
class BiocRelation:
    """``<relation>``: infons and nodes (refid, role)."""

    id: str | None
    infons: dict[str, str]
    nodes: list[tuple[str, str]]
    where: tuple[int, int] = (1, 1)


@dataclass(slots=True)
class BiocPassage:
    """``<passage>`` or ``<sentence>``: an offset, a text or sentences, annotations, relations."""

    offset: int
    infons: dict[str, str] = field(default_factory=dict)
    text: str | None = None
    sentences: list[BiocPassage] = field(default_factory=list)
    annotations: list[BiocAnnotation] = field(default_factory=list)
    relations: list[BiocRelation] = field(default_factory=list)
    where: tuple[int, int] = (1, 1)


@dataclass(slots=True)
class BiocDocument:
    """``<document>``: an id, infons, passages and document-level relations."""

    id: str | None
    infons: dict[str, str] = field(default_factory=dict)
    passages: list[BiocPassage] = field(default_factory=list)
    annotations: list[BiocAnnotation] = field(default_factory=list)
    relations: list[BiocRelation] = field(default_factory=list)
    where: tuple[int, int] = (1, 1)


@dataclass(slots=True)
class BiocCollection:
    """``<collection>``: source, date, key, infons and documents."""

    source: str = ""
    date: str = ""
    key: str = ""
    infons: dict[str, str] = field(default_factory=dict)
    documents: list[BiocDocument] = field(default_factory=list)


class _Bad(Exception):
    """A malformed element: reported (I002) and left out."""

    def __init__(self, message: str, where: tuple[int, int]) -> None:
        super().__init__(message)
        self.where = where


# --------------------------------------------------------------------------- reading XML


def _xml_parser() -> Any:
    from lxml import etree

    # BioC files carry a DOCTYPE; it is never loaded, and entities are never resolved.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, file: str) -> tuple[BiocCollection | None, list[Finding]]:
    """Read BioC XML; malformed elements are findings (I002) and left out."""
    from lxml import etree

    findings: list[Finding] = []
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        line, column = getattr(exc, "position", (1, 1)) or (1, 1)
        message = str(getattr(exc, "msg", exc)).split(", line ")[0]
        return None, [
            _at(I.INPUT_UNREADABLE, f"not well-formed XML: {message}", (line, column), file)
        ]
    if root.tag != "collection":
        return None, [
            _at(
                I.INPUT_UNREADABLE,
                f"the root element is <{root.tag}>, not <collection>",
                (root.sourceline or 1, 1),
                file,
            )
        ]

    def where(el: Any) -> tuple[int, int]:
        return (el.sourceline or 1, 1)

    def characters(el: Any) -> str:
        """An element's text; BioC text and infons hold characters only, no elements."""
        if len(el):
            child = el[0]
            what = (
                f"the entity reference &{child.name};, which is never expanded"
                if child.tag is etree.Entity
                else f"a <{child.tag}> element"
            )
            raise _Bad(f"<{el.tag}> holds {what}; BioC {el.tag} is characters only", where(child))
        return str(el.text or "")

    def infons(el: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        for inf in el.findall("infon"):
            key = inf.get("key")
            if key is None:
                findings.append(_at(I.INPUT_MALFORMED, "<infon> without a key", where(inf), file))
                continue
            try:
                value = characters(inf)
            except _Bad as bad:
                findings.append(_at(I.INPUT_MALFORMED, f"{bad}; left out", bad.where, file))
                continue
            if key in out:
                if value != out[key]:
                    findings.append(
                        _at(
                            I.NOT_CARRIED,
                            f"<{el.tag}> has a second infon {shorten(key)}; its value "
                            f"{shorten(value)} is not kept (the first one, {shorten(out[key])}, is)",
                            where(inf),
                            file,
                        )
                    )
                continue
            out[key] = value
        return out

    def integer(value: str | None, what: str, el: Any) -> int:
        if value is None:
            raise _Bad(f"{what} is missing", where(el))
        try:
            return whole_number(value, what)
        except ValueError as exc:
            raise _Bad(str(exc), where(el)) from None

    def text_of(el: Any) -> str | None:
        """The ``<text>`` child's content; BioC text holds characters only, no elements."""
        text_el = el.find("text")
        return None if text_el is None else characters(text_el)

    def annotation(el: Any) -> BiocAnnotation:
        locations = [
            (integer(loc.get("offset"), "offset", loc), integer(loc.get("length"), "length", loc))
            for loc in el.findall("location")
        ]
        return BiocAnnotation(el.get("id"), infons(el), locations, text_of(el), where(el))

    def relation(el: Any) -> BiocRelation:
        nodes = [(n.get("refid") or "", n.get("role") or "") for n in el.findall("node")]
        return BiocRelation(el.get("id"), infons(el), nodes, where(el))

    def children(el: Any, tag: str, build: Any) -> list[Any]:
        out = []
        for child in el.findall(tag):
            try:
                out.append(build(child))
            except _Bad as bad:
                findings.append(
                    _at(I.INPUT_MALFORMED, f"<{tag}>: {bad}; left out", bad.where, file)
                )
        return out

    def passage(el: Any) -> BiocPassage:
        return BiocPassage(
            integer(
                el.findtext("offset") if el.find("offset") is not None else el.get("offset"),
                "offset",
                el,
            ),
            infons(el),
            text_of(el),
            children(el, "sentence", passage),
            children(el, "annotation", annotation),
            children(el, "relation", relation),
            where(el),
        )

    collection = BiocCollection(
        root.findtext("source") or "",
        root.findtext("date") or "",
        root.findtext("key") or "",
        infons(root),
    )
    for doc in root.findall("document"):
        ident = doc.findtext("id") if doc.find("id") is not None else doc.get("id")
        collection.documents.append(
            BiocDocument(
                ident,
                infons(doc),
                children(doc, "passage", passage),
                children(doc, "annotation", annotation),
                children(doc, "relation", relation),
                where(doc),
            )
        )
    return collection, findings


def _at(
    rule: Rule, message: str, where: tuple[int, int], file: str, hint: str | None = None
) -> SourceFinding:
    return SourceFinding(rule, message, position=where, file=file, hint=hint)


# --------------------------------------------------------------------------- reading JSON


def parse_json(data: bytes, file: str) -> tuple[BiocCollection | None, list[Finding]]:
    """Read BioC JSON (a collection, a list of documents, or one document)."""
    try:
        raw, text, warnings = load_json(data)
    except InputProblem as problem:
        return None, [_at(I.INPUT_UNREADABLE, str(problem), problem.position, file)]
    positions: JsonPositions | None = None
    lines = LineIndex(text)
    findings: list[Finding] = [_at(w.rule, w.message, w.position or (1, 1), file) for w in warnings]

    def where(pointer: str) -> tuple[int, int]:
        nonlocal positions
        positions = positions or JsonPositions(text)
        found = positions.find(pointer)
        return lines.line_col(found[1].start) if found else (1, 1)

    def infons(value: Any, pointer: str) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise _Bad("infons must be an object", where(pointer))
        out = {}
        # Producers write numbers and nulls too; infons are strings in BioC.
        for key, v in value.items():
            if isinstance(v, dict | list):
                findings.append(
                    _at(
                        I.APPROXIMATED,
                        f"infon {shorten(key)} is a JSON {'object' if isinstance(v, dict) else 'array'}, "
                        "not a string; it is kept as its JSON text",
                        where(f"{pointer}/infons/{escape_pointer_token(key)}"),
                        file,
                    )
                )
                out[key] = json.dumps(v, ensure_ascii=False)
            elif v is not None:
                out[key] = _infon_text(v)
        return out

    def integer(value: Any, what: str, pointer: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _Bad(f"{what} {shorten(value)} is not a whole number", where(pointer))
        try:
            return bounded(value, what) if isinstance(value, int) else whole_number(value, what)
        except ValueError as exc:
            raise _Bad(str(exc), where(pointer)) from None

    def string(value: Any, what: str, pointer: str) -> str | None:
        """A string member (None when absent); an object, array or number is refused."""
        if value is None or isinstance(value, str):
            return value
        raise _Bad(f"{what} must be a string, not {shorten(value)}", where(pointer))

    def ident(value: Any, pointer: str) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # producers number their ids
        return string(value, "the id", pointer)

    def obj(value: Any, pointer: str, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Bad(f"{what} must be an object", where(pointer))
        return value

    def array(value: Any, pointer: str, what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise _Bad(f"{what} must be an array, not {shorten(value)}", where(pointer))
        return value

    def many(value: Any, pointer: str, build: Any, what: str) -> list[Any]:
        out: list[Any] = []
        if value is not None and not isinstance(value, list):
            findings.append(
                _at(
                    I.INPUT_MALFORMED,
                    f"{what}s must be an array, not {shorten(value)}; left out",
                    where(pointer),
                    file,
                )
            )
            return out
        for i, item in enumerate(value or []):
            try:
                out.append(build(item, f"{pointer}/{i}"))
            except _Bad as bad:
                findings.append(_at(I.INPUT_MALFORMED, f"{what}: {bad}; left out", bad.where, file))
        return out

    def annotation(value: Any, p: str) -> BiocAnnotation:
        a = obj(value, p, "an annotation")
        locations = []
        for i, loc in enumerate(array(a.get("locations"), f"{p}/locations", "locations")):
            lp = f"{p}/locations/{i}"
            loc = obj(loc, lp, "a location")
            locations.append(
                (integer(loc.get("offset"), "offset", lp), integer(loc.get("length"), "length", lp))
            )
        return BiocAnnotation(
            ident(a.get("id"), f"{p}/id"),
            infons(a.get("infons"), p),
            locations,
            string(a.get("text"), "the text", f"{p}/text"),
            where(p),
        )

    def relation(value: Any, p: str) -> BiocRelation:
        r = obj(value, p, "a relation")
        nodes = []
        for i, node in enumerate(array(r.get("nodes"), f"{p}/nodes", "nodes")):
            np = f"{p}/nodes/{i}"
            node = obj(node, np, "a node")
            refid = ident(node.get("refid"), f"{np}/refid")
            role = string(node.get("role"), "the role", f"{np}/role")
            nodes.append((refid or "", role or ""))
        return BiocRelation(
            ident(r.get("id"), f"{p}/id"), infons(r.get("infons"), p), nodes, where(p)
        )

    def passage(value: Any, p: str) -> BiocPassage:
        d = obj(value, p, "a passage")
        return BiocPassage(
            integer(d.get("offset", 0), "offset", p),
            infons(d.get("infons"), p),
            string(d.get("text"), "the text", f"{p}/text"),
            many(d.get("sentences"), f"{p}/sentences", passage, "sentence"),
            many(d.get("annotations"), f"{p}/annotations", annotation, "annotation"),
            many(d.get("relations"), f"{p}/relations", relation, "relation"),
            where(p),
        )

    def document(value: Any, p: str) -> BiocDocument:
        d = obj(value, p, "a document")
        return BiocDocument(
            ident(d.get("id"), f"{p}/id"),
            infons(d.get("infons"), p),
            many(d.get("passages"), f"{p}/passages", passage, "passage"),
            many(d.get("annotations"), f"{p}/annotations", annotation, "annotation"),
            many(d.get("relations"), f"{p}/relations", relation, "relation"),
            where(p),
        )

    collection = BiocCollection()
    if isinstance(raw, dict) and "passages" in raw:  # one document on its own
        collection.documents = many([raw], "", lambda v, _p: document(v, ""), "document")
        return collection, findings
    documents: Any = raw
    if isinstance(raw, dict):
        collection.source = _infon_text(raw.get("source") or "")
        collection.date = _infon_text(raw.get("date") or "")
        collection.key = _infon_text(raw.get("key") or "")
        try:
            collection.infons = infons(raw.get("infons"), "")
        except _Bad as bad:
            findings.append(_at(I.INPUT_MALFORMED, f"collection: {bad}", bad.where, file))
        documents = raw.get("documents")
    if not isinstance(documents, list):
        return None, [
            _at(I.INPUT_UNREADABLE, "not a BioC collection: no list of documents", (1, 1), file)
        ]
    base = "/documents" if isinstance(raw, dict) else ""
    collection.documents = many(documents, base, document, "document")
    return collection, findings


def _infon_text(value: Any) -> str:
    """An infon value as text (BioC infons are strings; attributes may be typed)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float | dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# --------------------------------------------------------------------------- BioC -> corpuskit


def read_bioc(
    data: bytes,
    file: str,
    fmt: str = "xml",
    unit: str | None = None,
    scheme: Scheme | None = None,
) -> list[Imported]:
    """Every document of a BioC collection (``fmt`` ``xml`` or ``json``) as corpuskit documents.

    ``unit`` is the offset unit (default: the collection's ``corpuskit:offset_unit`` infon, or
    code points); ``scheme`` types attribute values (``"true"`` -> true for a boolean).
    A file that cannot be read gives one Imported without a document.
    """
    collection, findings = (parse_xml if fmt == "xml" else parse_json)(data, file)
    if collection is None:
        return [Imported(file, file, None, findings)]
    declared = collection.infons.get("corpuskit:offset_unit")
    chosen = unit or (declared if declared in ("codepoint", "utf8", "utf16") else "codepoint")
    source_lines = LineIndex(data.decode("utf-8", errors="replace"))
    filler = max(MAX_FILLER, len(data))
    # The collection's own fields travel with each of its documents (corpuskit's are made anew).
    kept: dict[str, Any] = {
        name: value
        for name, value in (
            ("source", collection.source),
            ("date", collection.date),
            ("key", collection.key),
        )
        if value and value != "corpuskit"
    }
    own = {k: v for k, v in collection.infons.items() if k != "corpuskit:offset_unit"}
    if own:
        kept["infons"] = own
    out = []
    for bdoc in collection.documents:
        reader = _Reader(bdoc, file, chosen, scheme, source_lines, filler)
        reader.layout.collection = kept
        out.append(reader.imported())
    if not out:
        return [
            Imported(
                file,
                file,
                None,
                [
                    *findings,
                    Finding(
                        I.INPUT_UNREADABLE, "the collection holds no document", position=(1, 1)
                    ),
                ],
            )
        ]
    out[0].findings[:0] = findings  # problems of the file as a whole go with its first document
    return out


@dataclass(frozen=True, slots=True)
class _Segment:
    """One passage's or sentence's text in the document text."""

    #: Its BioC offset and its length, in the unit read.
    offset: int
    width: int
    #: Where it starts in the document text (code points), and its unit <-> code point map.
    start: int
    map: OffsetMap


class _Reader:
    """Maps one BioC document onto the corpuskit model."""

    def __init__(
        self,
        bdoc: BiocDocument,
        file: str,
        unit: str,
        scheme: Scheme | None,
        lines: LineIndex,
        filler: int = MAX_FILLER,
    ) -> None:
        self.bdoc, self.file, self.unit, self.scheme, self.lines = bdoc, file, unit, scheme, lines
        #: How many line breaks may fill the gaps between passages, in all.
        self.filler = filler
        self.findings: list[Finding] = []
        self.origins: dict[str, Origin] = {}
        self.pool = IdPool()
        #: Original id -> corpuskit id (first occurrence in the document).
        self.ids: dict[str, str] = {}
        #: Relation id -> the ids of its own passage or sentence.
        self.scope: dict[str, dict[str, str]] = {}
        #: Attributes made from infons, in the order read.
        self.attributes: list[Attribute] = []
        #: What the corpuskit model cannot hold, kept for export (bioc_layout).
        self.layout = Layout(unit=unit)
        #: The layout record of each passage and sentence, by id() of the BioC element.
        self.records: dict[int, Container] = {}
        #: The texts placed in the document text, in order, and their BioC offsets.
        self.segments: list[_Segment] = []
        self.segment_offsets: list[int] = []
        #: Relations without nodes kept in the layout record.
        self.loose = 0
        #: (type, infon, value) -> (the mentions it identifies, their KB links).
        self.identified: dict[tuple[str, str, str], tuple[list[str], list[tuple[str, str]]]] = {}
        #: (infon, value, why not) -> the mentions whose identifier is not a link.
        self.unlinked: dict[tuple[str, str, str], list[str]] = {}
        #: (mention, infon) pairs that became links, not attributes.
        self.mapped: set[tuple[str, str]] = set()
        #: The offset of the first text: the unit check counts from it.
        self.base = next((p.offset for p in self.containers() if p.text is not None), 0)

    def warn(self, rule: Rule, message: str, where: tuple[int, int] | None = None) -> None:
        self.findings.append(_at(rule, message, where or self.bdoc.where, self.file))

    def origin(self, where: tuple[int, int]) -> Origin:
        return Origin(self.file, where[0], where[1], self.lines.line_text(where[0]))

    def containers(self) -> Iterator[BiocPassage]:
        for p in self.bdoc.passages:
            yield p
            yield from p.sentences

    def filled(self, unit: str) -> str | None:
        """The texts at their offsets counted in ``unit``, gaps filled with line breaks.

        Only the unit check uses it: each unit places the texts its own way. Offsets count from
        the first text's; None when texts overlap or the gaps would need more than
        ``self.filler`` line breaks (the size of the text is bounded by the input's).
        """
        pieces: list[str] = []
        base = self.base
        at = filled = 0
        for p in self.containers():
            if p.text is None:
                continue
            if p.offset - base < at:
                return None
            filled += p.offset - base - at
            if filled > self.filler:
                return None
            pieces.append("\n" * (p.offset - base - at))
            pieces.append(p.text)
            at = p.offset - base + unit_length(p.text, unit)
        return "".join(pieces)

    def assemble(self) -> str | None:
        """The document text: the passages' (or sentences') texts joined, and the layout.

        A line break goes between passages, a space between sentences of one passage, nothing
        where the next text starts right where one ends: offsets are not padded (a passage at
        offset 27 starts the text), the layout record keeps them. None when a text starts
        before the previous one ends.
        """
        pieces: list[str] = []
        length = 0
        end: int | None = None  # where the previous text ends, in the unit read
        for p in self.bdoc.passages:
            record = Container(p.offset - (end or 0), infons=dict(p.infons))
            texts_here = 0
            self.layout.passages.append(record)
            self.records[id(p)] = record
            for k, s in enumerate([p, *p.sentences]):
                if k:
                    sub = Container(s.offset - (end or 0), infons=dict(s.infons))
                    record.sentences.append(sub)
                    self.records[id(s)] = sub
                if s.text is None:
                    continue
                if end is not None and s.offset < end:
                    self.warn(
                        I.INPUT_MALFORMED,
                        f"text at offset {s.offset} overlaps the text before it (which ends at {end})",
                        s.where,
                    )
                    return None
                gap = s.offset - (end or 0)
                if pieces and gap:
                    pieces.append(" " if texts_here else "\n")
                    length += 1
                texts_here += 1
                place = self.records[id(s)]
                place.gap, place.start = gap, length
                pieces.append(s.text)
                length += len(s.text)
                place.end = length
                width = unit_length(s.text, self.unit)
                self.segments.append(
                    _Segment(s.offset, width, place.start, OffsetMap(s.text, self.unit))
                )
                end = s.offset + width
        return "".join(pieces)

    def locate(self, offset: int) -> tuple[int | None, str | None]:
        """The code point of a BioC offset, or None and why (``inside``, ``between``)."""
        segments = self.segments
        if not segments:
            return offset, None
        i = bisect.bisect_right(self.segment_offsets, offset) - 1
        if i < 0:
            return None, "between"
        seg = segments[i]
        local = offset - seg.offset
        if local > seg.width:
            if i == len(segments) - 1:  # beyond the end: the offset checks report it
                return seg.start + seg.map.length + (local - seg.width), None
            return None, "between"
        found = seg.map.to_codepoint(local)
        return (None, "inside") if found is None else (seg.start + found, None)

    def imported(self) -> Imported:
        bdoc = self.bdoc
        doc_id = document_id(bdoc.id or "document")
        if doc_id != (bdoc.id or ""):
            self.warn(I.ID_RENAMED, f"document id {bdoc.id!r} becomes {doc_id!r}")
            self.layout.document = bdoc.id or ""
        text = self.assemble()
        if text is None:
            return Imported(doc_id, self.file, None, self.findings)
        self.segment_offsets = [seg.offset for seg in self.segments]
        self.doc_text = text
        # BioC ids need only be unique where relations refer to them (a passage, a sentence):
        # a node refers first to its own container's ids, then to the document's.
        scoped: list[tuple[int, BiocAnnotation | BiocRelation]] = []
        holders: list[Container] = []
        for n, p in enumerate(self.containers()):
            holders.append(self.records[id(p)])
            scoped += [(n, a) for a in p.annotations] + [(n, r) for r in p.relations]
        scoped += [(-1, a) for a in bdoc.annotations] + [(-1, r) for r in bdoc.relations]
        self.pool.reserve(item.id for _, item in scoped)
        named = (_extras(item.infons.get(ATTRIBUTES)) or {} for _, item in scoped)
        self.pool.reserve(
            str(extra["id"]) for found in named for extra in found.values() if extra.get("id")
        )
        local: dict[int, dict[str, str]] = defaultdict(dict)
        kept: list[tuple[int, BiocAnnotation | BiocRelation]] = []
        seen: Counter[int] = Counter()  # relations so far in each container
        for n, item in scoped:
            if isinstance(item, BiocRelation):
                seen[n] += 1
            if isinstance(item, BiocRelation) and not item.nodes and KIND not in item.infons:
                # A concept relation (PubTator, BC5CDR CID) names concepts, not annotations:
                # a corpuskit relation needs arguments, the layout record keeps it whole, and
                # its place among the container's relations.
                loose = {"id": item.id, "infons": item.infons, "at": seen[n] - 1}
                (holders[n].loose if n >= 0 else self.layout.loose).append(loose)
                self.loose += 1
                continue
            new = self.pool.take(item.id, "a" if isinstance(item, BiocAnnotation) else "r")
            if item.id is not None:
                self.ids.setdefault(item.id, new)
                local[n].setdefault(item.id, new)
                if item.id != new:
                    self.layout.ids[new] = item.id
            item.id = new
            (holders[n].items if n >= 0 else self.layout.items).append(new)
            kept.append((n, item))
        for n, item in kept:
            if isinstance(item, BiocRelation) and n >= 0:
                self.scope[item.id or ""] = local[n]
        annotations = [a for _, a in kept if isinstance(a, BiocAnnotation)]
        relations = [r for _, r in kept if isinstance(r, BiocRelation)]
        evidence = [
            (
                a.locations[0][0] - self.base,
                a.locations[0][0] + a.locations[0][1] - self.base,
                a.text,
            )
            for a in annotations
            if len(a.locations) == 1 and a.text
        ]
        # Passage offsets count the same unit: each unit places the texts its own way.
        texts = {u: self.filled(u) for u in UNITS}
        found = (
            unit_finding(texts, evidence, self.unit, f"offsets of document {bdoc.id}")
            if texts[self.unit] is not None
            else None
        )
        if found is not None:
            self.findings.append(_at(found.rule, found.message, bdoc.where, self.file, found.hint))
        document = self.build(doc_id, text, annotations, relations)
        renamed = renamed_finding(self.pool.renamed, "to fit corpuskit")
        if renamed is not None:
            self.findings.append(
                _at(renamed.rule, renamed.message, bdoc.where, self.file, renamed.hint)
            )
        return Imported(doc_id, self.file, document, self.findings, self.origins)

    def span(self, a: BiocAnnotation) -> Span | None:
        places: list[tuple[int, int]] = []
        for offset, length in a.locations:
            if length == 0:
                self.warn(
                    I.NOT_CARRIED,
                    f"annotation {a.id}: an empty location at {offset} has no corpuskit span; left out",
                    a.where,
                )
                continue
            (start, why), (end, why_end) = self.locate(offset), self.locate(offset + length)
            if start is None or end is None:
                at = offset if start is None else offset + length
                if (why if start is None else why_end) == "between":
                    self.warn(
                        I.INPUT_MALFORMED,
                        f"annotation {a.id}: offset {at} lies in no passage's text; left out",
                        a.where,
                    )
                    return None
                self.warn(
                    I.OFFSET_UNIT,
                    f"annotation {a.id}: offset {at} falls inside a character when counted in {self.unit}; left out",
                    a.where,
                )
                return None
            places.append((start, end))
        if not places:
            if not a.locations:
                self.warn(I.NOT_CARRIED, f"annotation {a.id} has no location; left out", a.where)
            return None
        covered = [self.doc_text[s:e] for s, e in places]
        if a.text is None or a.text in (" ".join(covered), "".join(covered)):
            return tuple(Fragment(s, e, c) for (s, e), c in zip(places, covered, strict=True))
        if len(places) == 1:
            # The stated text stays: the offset checks then say what is wrong and why.
            return (Fragment(places[0][0], places[0][1], a.text),)
        self.warn(
            I.INPUT_MALFORMED,
            f"annotation {a.id}: its text {a.text!r} does not match its {len(places)} locations",
            a.where,
        )
        return tuple(Fragment(s, e, c) for (s, e), c in zip(places, covered, strict=True))

    def cue(self, owner: str, found: list[BiocAnnotation]) -> Span:
        """The cue span of ``owner`` (``quote q1``, ``claim c1``), one fragment per annotation."""
        pieces = sorted(
            ((f, c) for c in found for f in self.span(c) or ()),
            key=lambda item: (item[0].start, item[0].end),
        )
        if len(found) > 1:
            self.warn(
                I.APPROXIMATED,
                f"{owner} has {len(found)} cue annotations "
                f"({', '.join(str(c.id) for c in found)}); they become the fragments of one cue",
                found[1].where,
            )
        kept: list[Fragment] = []
        for fragment, cue in pieces:
            if kept and fragment.start < kept[-1].end:
                self.warn(
                    I.NOT_CARRIED,
                    f"cue {cue.id} of {owner} overlaps another of its cues at "
                    f"[{fragment.start}, {fragment.end}); that part is left out",
                    cue.where,
                )
                continue
            kept.append(fragment)
        return tuple(kept)

    def ref(self, refid: str, relation: str | None = None) -> str:
        """The corpuskit id of a reference (from a relation: its container's ids first)."""
        local = self.scope.get(relation or "", {})
        return local.get(refid) or self.ids.get(refid, refid)

    def build(
        self,
        doc_id: str,
        text: str,
        annotations: list[BiocAnnotation],
        relations: list[BiocRelation],
    ) -> Document:
        by_id = {a.id: a for a in annotations if a.id is not None}
        # Each event relation's own trigger: events may share a trigger annotation.
        trigger_of: dict[str, str] = {}  # event relation id -> trigger annotation id
        for r in relations:
            kind = r.infons.get(KIND)
            if kind not in (None, "event"):
                continue
            for refid, role in r.nodes:
                target = by_id.get(self.ref(refid, r.id))
                if target is None or target.id is None:
                    continue
                if target.infons.get(KIND) == "trigger" or (
                    kind is None and role.lower() == "trigger"
                ):
                    trigger_of.setdefault(r.id or "", target.id)
        triggers = set(trigger_of.values())
        #: (quote or claim, its id) -> the cue annotations naming it.
        cues: dict[tuple[str, str], list[BiocAnnotation]] = defaultdict(list)
        mentions: list[Mention] = []
        quotes: list[Quote] = []
        claims: list[Claim] = []
        owners: list[tuple[str, dict[str, str], tuple[int, int]]] = []
        for a in annotations:
            assert a.id is not None
            kind = a.infons.get(KIND, "mention")
            if a.id in triggers:
                continue
            owners_named = [(k, a.infons[i]) for k, i in CUE_OF.items() if a.infons.get(i)]
            if kind == "cue" and owners_named:
                # A cue naming a quote and a claim is the cue of both: neither is guessed.
                for owner_kind, owner_id in owners_named:
                    cues[owner_kind, self.ref(owner_id)].append(a)
                continue
            span = self.span(a)
            if span is None:
                continue
            self.origins[a.id] = self.origin(a.where)
            note = a.infons.get(NOTE)
            if kind == "quote":
                mode = a.infons.get("corpuskit:mode", "direct")
                speaker = a.infons.get("corpuskit:speaker")
                quotes.append(
                    Quote(
                        a.id,
                        span,
                        "indirect" if mode == "indirect" else "direct",
                        self.ref(speaker) if speaker else None,
                        (),
                        note,
                    )
                )
            elif kind == "claim":
                source, channel = (
                    a.infons.get("corpuskit:source"),
                    a.infons.get("corpuskit:channel"),
                )
                claims.append(
                    Claim(
                        a.id,
                        span,
                        self.ref(source) if source else None,
                        self.ref(channel) if channel else None,
                        note,
                    )
                )
            else:
                if kind not in ("mention", "trigger", "cue"):
                    self.warn(
                        I.NOT_CARRIED,
                        f"annotation {a.id}: unknown corpuskit:kind {kind!r}; read as a mention",
                        a.where,
                    )
                elif kind != "mention":
                    self.warn(
                        I.APPROXIMATED,
                        f"annotation {a.id} is a {kind} of nothing; read as a mention",
                        a.where,
                    )
                mentions.append(Mention(a.id, self.type_of(a.infons, a.where), span, note))
                self.identify(mentions[-1], a)
            owners.append((a.id, a.infons, a.where))
        for i, q in enumerate(quotes):
            found = cues.pop(("quote", q.id), [])
            if found:
                joined = self.cue(f"quote {q.id}", found)
                quotes[i] = Quote(q.id, q.span, q.mode, q.speaker, joined, q.note)
        for i, c in enumerate(claims):
            found = cues.pop(("claim", c.id), [])
            if found:
                joined = self.cue(f"claim {c.id}", found)
                claims[i] = Claim(c.id, c.span, c.source, c.channel, c.note, joined)
        entities: list[Entity] = []
        events: list[Event] = []
        frames: list[Relation] = []
        for r in relations:
            assert r.id is not None
            kind = r.infons.get(KIND, "relation")
            note = r.infons.get(NOTE)
            self.origins[r.id] = self.origin(r.where)
            if kind == "entity":
                entities.append(self.entity(r))
            elif r.id in trigger_of:
                trigger = by_id[trigger_of[r.id]]
                span = self.span(trigger)
                if span is None:
                    self.warn(
                        I.NOT_CARRIED,
                        f"event {r.id} is left out: its trigger {trigger.id} has no usable span",
                        r.where,
                    )
                    continue
                args = tuple(
                    Argument(self.role(role, r.where), self.ref(refid, r.id))
                    for refid, role in r.nodes
                    if self.ref(refid, r.id) != trigger.id
                )
                # The trigger is a span of the event, not an annotation: its infons have no place.
                extra = [k for k in trigger.infons if k not in ("type", KIND)]
                if extra:
                    self.warn(
                        I.NOT_CARRIED,
                        f"trigger {trigger.id} of event {r.id}: infons {', '.join(extra)} are not kept",
                        trigger.where,
                    )
                # A producer may type the trigger rather than the event relation.
                typed = r.infons if "type" in r.infons else trigger.infons
                events.append(Event(r.id, self.type_of(typed, r.where), span, args, note))
            elif not r.nodes:
                self.warn(
                    I.NOT_CARRIED,
                    f"relation {r.id} has no nodes; corpuskit relations need arguments",
                    r.where,
                )
                continue
            else:
                if kind != "relation":
                    self.warn(
                        I.NOT_CARRIED,
                        f"relation {r.id}: unknown corpuskit:kind {kind!r}; read as a relation",
                        r.where,
                    )
                args = tuple(
                    Argument(self.role(role, r.where), self.ref(refid, r.id))
                    for refid, role in r.nodes
                )
                frames.append(Relation(r.id, self.type_of(r.infons, r.where), args, note))
            owners.append((r.id, r.infons, r.where))
        entities += self.identified_entities()
        for owner, infons, where in owners:
            self.attributes_of(owner, infons, where)
        order = self.bdoc.infons.get(ORDER, "").split()
        if order:  # corpuskit wrote the attributes grouped by target; this is their own order
            place = {ident: n for n, ident in enumerate(order)}
            self.attributes.sort(key=lambda a: place.get(a.id, len(place)))
        for (owner_kind, owner_id), orphans in cues.items():
            for cue in orphans:
                self.warn(
                    I.NOT_CARRIED,
                    f"cue {cue.id} belongs to {owner_id}, which is not a {owner_kind}; left out",
                    cue.where,
                )
        return Document(
            id=doc_id,
            meta=self.metadata(doc_id),
            text=text,
            text_sha256=text_sha256(text),
            mentions=tuple(mentions),
            entities=tuple(entities),
            quotes=tuple(quotes),
            claims=tuple(claims),
            events=tuple(events),
            relations=tuple(frames),
            attributes=tuple(self.attributes),
        )

    def identify(self, mention: Mention, a: BiocAnnotation) -> None:
        """Group a mention under the entity of its KB identifier, when the scheme declares the KB.

        Mentions with the same type and identifier infon are one entity (as PubTator means
        them); an identifier no declared base fits, or several fit, stays an attribute.
        """
        for key, value in a.infons.items():
            if key.startswith("corpuskit:") or not is_identifier_infon(key, self.scheme):
                continue
            if self.scheme is None or not self.scheme.knowledge_bases:
                return
            links, problem = resolve_identifier(key, value, self.scheme)
            if links is None:
                self.unlinked.setdefault((key, value, problem or ""), []).append(mention.id)
                continue
            group = self.identified.setdefault((mention.type, key, value), ([], links))
            group[0].append(mention.id)
            self.mapped.add((mention.id, key))
            return

    def identified_entities(self) -> list[Entity]:
        """The entities of KB identifiers, and what could not be linked, reported."""
        out = []
        for (type_name, key, value), (members, links) in self.identified.items():
            ident = self.pool.take(None, "e")
            out.append(
                Entity(
                    ident, type_name, tuple(members), links=tuple(KBLink(k, i) for k, i in links)
                )
            )
            self.layout.identifiers[ident] = {
                "infon": key,
                "value": value,
                "links": [list(link) for link in links],
            }
        for (key, value, problem), members in list(self.unlinked.items())[:20]:
            self.warn(
                I.APPROXIMATED,
                f"the {key} infon {value!r} of {', '.join(members[:5])}"
                f"{' …' if len(members) > 5 else ''} is kept as an attribute, not a link: {problem}",
            )
        if len(self.unlinked) > 20:
            self.warn(
                I.APPROXIMATED,
                f"{len(self.unlinked) - 20} more identifier infons are kept as attributes",
            )
        return out

    def type_of(self, infons: dict[str, str], where: tuple[int, int]) -> str:
        raw = infons.get("type")
        if raw is None:
            self.warn(I.NAME_CHANGED, 'no "type" infon; the type is "untyped"', where)
            return "untyped"
        return self.name(raw, where)

    def name(self, raw: str, where: tuple[int, int], fallback: str = "untyped") -> str:
        fitted = fit_name(raw, fallback)
        if fitted != raw:
            self.warn(I.NAME_CHANGED, f"name {raw!r} becomes {fitted!r}", where)
        return fitted

    def role(self, raw: str, where: tuple[int, int]) -> str:
        return self.name(raw, where, "arg")

    def entity(self, r: BiocRelation) -> Entity:
        assert r.id is not None
        links = []
        for pair in r.infons.get("corpuskit:links", "").split():
            kb, _, ident = pair.partition("=")
            links.append(KBLink(self.name(kb, r.where), ident))
        mentions = tuple(self.ref(refid, r.id) for refid, _ in r.nodes)
        return Entity(
            r.id,
            self.type_of(r.infons, r.where),
            mentions,
            r.infons.get("corpuskit:name"),
            tuple(links),
            r.infons.get(NOTE),
        )

    def attributes_of(self, target: str, infons: dict[str, str], where: tuple[int, int]) -> None:
        """Infons other than type as attributes (with what corpuskit:attributes adds)."""
        extras = _extras(infons.get(ATTRIBUTES))
        if extras is None:
            self.warn(
                I.INPUT_MALFORMED, f"the {ATTRIBUTES} infon of {target} is not a JSON object", where
            )
            extras = {}
        for key, text in infons.items():
            if key == "type" or key.startswith("corpuskit:") or (target, key) in self.mapped:
                continue
            name = self.name(key, where)
            extra = extras.get(key, {})
            spec = self.scheme.attributes.get(name) if self.scheme else None
            value = extra.get("value")
            if not isinstance(value, str | int | float | bool) or _infon_text(value) != text:
                value = _typed(text, spec)
            note = extra.get("note")
            kept = extra.get("id")  # from a layout record: anything, if edited by hand
            ident = self.pool.take(
                kept if isinstance(kept, str) and kept else _attribute_id(target, name), "a"
            )
            self.attributes.append(
                Attribute(ident, target, name, value, note if isinstance(note, str) else None)
            )
            self.origins[ident] = self.origin(where)

    def metadata(self, doc_id: str) -> Metadata:
        """Metadata from the document infons; a title passage gives the title if none does.

        Document infons that are no metadata, passages, sentences and what else the model
        cannot hold go into the layout record, a line of the provenance note (bioc_layout).
        """
        infons = self.bdoc.infons
        title = infons.get("title") or next(
            (
                (p.text or "").strip().split("\n")[0]
                for p in self.bdoc.passages
                if p.infons.get("type", "").lower() in ("title", "front") and (p.text or "").strip()
            ),
            doc_id,
        )
        meta = plain_metadata(title, infons.get("language"))
        carried = {"title"} if "title" in infons else set()
        if "title" not in infons:
            self.layout.derived["title"] = meta.title
        if "language" not in infons:
            self.layout.derived["language"] = meta.language
        elif meta.language != infons["language"]:
            self.warn(
                I.NOT_CARRIED,
                f'language {infons["language"]!r} is not a BCP 47 tag; "und" is used '
                "(the infon is kept for export)",
            )
        else:
            carried.add("language")
        fields: dict[str, str | None] = {}
        for key, pattern in _META_PATTERNS.items():
            value = infons.get(key)
            if value and not pattern.fullmatch(value):
                self.warn(
                    I.NOT_CARRIED,
                    f"the {key} infon {value!r} is not a valid corpuskit {key} "
                    "(the infon is kept for export)",
                )
                value = None
            elif value:
                carried.add(key)
            fields[key] = value or None
        provenance = None
        if "corpuskit:provenance" in infons:
            problem: str | None
            try:
                p, _, _ = load_json(infons["corpuskit:provenance"].encode("utf-8"))
                checked, problem = checked_metadata(
                    {"title": "t", "language": "und", "provenance": p}
                )
                provenance = checked.provenance if checked is not None else None
            except InputProblem as exc:
                problem = str(exc)
            if problem is not None:
                self.warn(
                    I.INPUT_MALFORMED,
                    f"the corpuskit:provenance infon is not corpuskit provenance ({problem}); left out",
                )
        self.layout.infons = {
            k: v
            for k, v in infons.items()
            if k not in carried and k not in ("corpuskit:provenance", ORDER)
        }
        if not self.layout.trivial():
            note, _ = split_note(provenance.note if provenance else None)
            provenance = Provenance(
                provenance.annotators if provenance else (),
                provenance.tool if provenance else None,
                provenance.tool_version if provenance else None,
                join_note(note, self.layout),
            )
        if self.loose:
            self.warn(
                I.APPROXIMATED,
                f"{self.loose} relation{'s' if self.loose != 1 else ''} without nodes "
                f"({', '.join(str(x['id']) for x in self.all_loose()[:5])}) name no annotation; "
                "a corpuskit relation needs arguments, so they are kept in the layout record "
                "and written back on export",
            )
        return Metadata(
            title=meta.title,
            language=meta.language,
            source=fields["source"],
            url=fields["url"],
            published=fields["published"],
            license=fields["license"],
            provenance=provenance,
        )

    def all_loose(self) -> list[dict[str, Any]]:
        """The relations without nodes, document-level first."""
        out = list(self.layout.loose)
        for p in self.layout.passages:
            for c in (p, *p.sentences):
                out += c.loose
        return out


def _attribute_id(target: str, name: str) -> str:
    """The id an attribute read from an infon gets unless corpuskit:attributes names one."""
    return f"{target}.{name.replace(':', '_')}"


def _extras(text: str | None) -> dict[str, dict[str, Any]] | None:
    """The corpuskit:attributes infon: attribute name -> id, typed value, note."""
    if text is None:
        return {}
    try:
        found, _, _ = load_json(text.encode("utf-8"))
    except InputProblem:
        return None
    if not isinstance(found, dict) or not all(isinstance(v, dict) for v in found.values()):
        return None
    return found


def _typed(text: str, spec: AttributeDef | None) -> AttributeValue:
    """An infon value as the scheme types it (enumeration member or datatype), else a string."""
    if spec is None:
        return text
    for value in spec.values:
        if _infon_text(value) == text and isinstance(value, str | int | float | bool):
            return value
    try:
        if spec.datatype == "boolean" and text in ("true", "false"):
            return text == "true"
        if spec.datatype == "integer":
            return int(text)
        if spec.datatype == "number":
            return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        pass
    return text


# --------------------------------------------------------------------------- corpuskit -> BioC


@dataclass(slots=True)
class _Placed:
    """A passage or sentence being written, with where its text lies in the document text."""

    element: BiocPassage
    start: int | None
    end: int | None
    map: OffsetMap | None


class _Writer:
    """Builds the BioC collection of one document."""

    def __init__(self, doc: Document, unit: str) -> None:
        self.doc = doc
        self.map = OffsetMap(doc.text, unit)
        self.unit = unit
        self.findings: list[Finding] = []
        self.where = {a.id: (kind, i, a) for kind, i, a in doc.annotations()}
        self.pool = IdPool()
        self.pool.reserve(self.where)
        self.elements: dict[str, BiocAnnotation | BiocRelation] = {}
        #: (attribute id, target) of the attributes written as infons, in document order.
        self.carried: list[tuple[str, str]] = []
        self.layout = self.usable_layout()
        #: Passages and sentences with text, in order (the layout's, else the one passage).
        self.placed: list[_Placed] = []
        #: The passages of the document, and every container by its layout record.
        self.passages: list[BiocPassage] = []
        self.by_record: dict[int, BiocPassage] = {}
        #: The relations without nodes of each container (by id() of its element).
        self.loose: dict[int, list[dict[str, Any]]] = {}
        self.place_containers()

    def warn(self, rule: Rule, ident: str, message: str) -> None:
        kind, i, _ = self.where[ident]
        self.findings.append(Finding(rule, message, pointer=f"/{kind}/{i}", annotation_id=ident))

    def usable_layout(self) -> Layout | None:
        """The document's layout record, when it is one and still fits the text."""
        layout, problem = layout_of(self.doc.meta)
        if layout is None:
            if problem is not None:
                self.findings.append(
                    Finding(
                        I.NOT_CARRIED,
                        f"the bioc-layout line of the provenance note is unreadable ({problem}); "
                        "the text is written as one passage",
                        pointer="/meta/provenance/note",
                    )
                )
            return None
        at = 0
        for p in layout.passages:
            for c in (p, *p.sentences):
                if c.start is None:
                    continue
                if not (at <= c.start <= (c.end or 0) <= len(self.doc.text)):
                    self.findings.append(
                        Finding(
                            I.NOT_CARRIED,
                            f"the bioc-layout record places a passage at [{c.start}, {c.end}), "
                            f"which does not fit the text ({len(self.doc.text)} characters, the "
                            f"text before it ending at {at}); the text is written as one passage",
                            pointer="/meta/provenance/note",
                        )
                    )
                    return None
                at = c.end or 0
        return layout

    def place_containers(self) -> None:
        """Passages and sentences at their offsets in the output unit (gaps as recorded)."""
        text = self.doc.text
        if self.layout is None:
            passage = BiocPassage(0, {}, text)
            self.passages.append(passage)
            self.placed.append(_Placed(passage, 0, len(text), self.map))
            return
        end = 0
        for p in self.layout.passages:
            passage = self.container(p, end)
            self.passages.append(passage)
            for c, element in ((p, passage), *((s, self.container(s, end)) for s in p.sentences)):
                element.offset = end + c.gap
                if element is not passage:
                    passage.sentences.append(element)
                if c.start is not None and c.end is not None:
                    piece = text[c.start : c.end]
                    element.text = piece
                    mapping = OffsetMap(piece, self.unit)
                    self.placed.append(_Placed(element, c.start, c.end, mapping))
                    end = element.offset + mapping.total

    def container(self, record: Container, end: int) -> BiocPassage:
        element = BiocPassage(end + record.gap, dict(record.infons))
        self.by_record[id(record)] = element
        self.loose[id(element)] = record.loose
        return element

    def offset(self, index: int, end: bool = False) -> int:
        """The output offset of a code point index (a start or an end of a fragment)."""
        placed = self.placed
        if self.layout is None or not placed:
            return self.map.from_codepoint(index)
        starts = [p.start or 0 for p in placed]
        i = max(bisect.bisect_right(starts, index) - 1, 0)
        here = placed[i]
        assert here.start is not None and here.end is not None and here.map is not None
        if index > here.end:  # in the line break between two texts
            if end or i + 1 == len(placed):
                return here.element.offset + here.map.total
            return placed[i + 1].element.offset
        return here.element.offset + here.map.from_codepoint(max(index - here.start, 0))

    def annotation(
        self, ident: str, infons: dict[str, str], span: Span, note: str | None
    ) -> BiocAnnotation:
        if note is not None:
            infons[NOTE] = note
        locations = [
            (self.offset(f.start), self.offset(f.end, True) - self.offset(f.start)) for f in span
        ]
        a = BiocAnnotation(ident, infons, locations, " ".join(f.text for f in span))
        self.elements[ident] = a
        return a

    def relation(
        self, ident: str, infons: dict[str, str], nodes: list[tuple[str, str]], note: str | None
    ) -> BiocRelation:
        if note is not None:
            infons[NOTE] = note
        r = BiocRelation(ident, infons, nodes)
        self.elements[ident] = r
        return r

    def identified(self, e: Entity) -> bool:
        """Write an entity made from identifier infons back as those infons, if unchanged."""
        record = self.layout.identifiers.get(e.id) if self.layout else None
        if record is None or e.name is not None or e.note is not None:
            return False
        if [[k.kb, k.id] for k in e.links] != record.get("links"):
            return False
        targets = [self.elements.get(m) for m in e.mentions]
        key = record["infon"]
        if not all(isinstance(t, BiocAnnotation) and key not in t.infons for t in targets):
            return False
        for t in targets:
            assert t is not None
            t.infons[key] = record["value"]
        return True

    def distribute(
        self, annotations: list[BiocAnnotation], relations: list[BiocRelation]
    ) -> BiocDocument:
        """Annotations and relations into the passage or sentence they were read from.

        New ones go where their first location lies (annotations) or to the document
        (relations); without a layout record everything is in the one passage.
        """
        layout = self.layout
        doc = BiocDocument(self.doc.id, {}, self.passages)
        if layout is None:
            self.passages[0].annotations += annotations
            self.passages[0].relations += relations
            return doc
        home: dict[str, BiocPassage | BiocDocument] = dict.fromkeys(layout.items, doc)
        for p in layout.passages:
            for c in (p, *p.sentences):
                home.update(dict.fromkeys(c.items, self.by_record[id(c)]))
        self.loose[id(doc)] = layout.loose
        starts = [p.start or 0 for p in self.placed]
        for a in annotations:
            where = home.get(a.id or "")
            if where is None:
                first = self.doc_fragment_start(a)
                i = max(bisect.bisect_right(starts, first) - 1, 0)
                where = self.placed[i].element if self.placed else doc
            where.annotations.append(a)
        for r in relations:
            home.get(r.id or "", doc).relations.append(r)
        holders: list[BiocDocument | BiocPassage] = [doc]
        holders += [c for p in self.passages for c in (p, *p.sentences)]
        for holder in holders:
            for x in self.loose.get(id(holder), []):
                at = x.get("at")
                place = at if isinstance(at, int) and at >= 0 else len(holder.relations)
                loose = BiocRelation(x.get("id"), dict(x.get("infons", {})), [])
                holder.relations.insert(place, loose)
        self.restore_ids(doc)
        return doc

    def doc_fragment_start(self, a: BiocAnnotation) -> int:
        """The code point where an annotation written by this writer starts."""
        kind_i_ann = self.where.get(a.id or "")
        if kind_i_ann is not None:
            span = getattr(kind_i_ann[2], "span", None) or getattr(kind_i_ann[2], "trigger", ())
            if span:
                return int(span[0].start)
        return 0

    def restore_ids(self, doc: BiocDocument) -> None:
        """Give elements back the BioC ids they were read with, where no two would share one."""
        assert self.layout is not None
        wanted = {new: old for new, old in self.layout.ids.items() if new in self.elements}
        taken = Counter([*wanted.values(), *(i for i in self.elements if i not in wanted)])
        clash = {i for i, n in taken.items() if n > 1}
        back = {new: old for new, old in wanted.items() if old not in clash}
        if not back:
            return
        for element in self.elements.values():
            if element.id in back:
                element.id = back[element.id]
            if isinstance(element, BiocRelation):
                element.nodes = [(back.get(ref, ref), role) for ref, role in element.nodes]

    def cue_annotation(
        self, annots: list[BiocAnnotation], kind: str, owner: str, cue: Span
    ) -> None:
        """The cue of quote or claim ``owner`` as an annotation ``{owner}.cue`` naming it."""
        if cue:
            ident = self.pool.fresh(f"{owner}.cue")
            infons = {"type": "cue", KIND: "cue", CUE_OF[kind]: owner}
            annots.append(self.annotation(ident, infons, cue, None))

    def collection(self) -> BiocCollection:
        doc = self.doc
        annots: list[BiocAnnotation] = []
        rels: list[BiocRelation] = []
        for m in doc.mentions:
            annots.append(self.annotation(m.id, {"type": m.type}, m.span, m.note))
        for q in doc.quotes:
            infons = {"type": "quote", KIND: "quote", "corpuskit:mode": q.mode}
            if q.speaker:
                infons["corpuskit:speaker"] = q.speaker
            annots.append(self.annotation(q.id, infons, q.span, q.note))
            self.cue_annotation(annots, "quote", q.id, q.cue)
        for c in doc.claims:
            infons = {"type": "claim", KIND: "claim"}
            for key, value in (("corpuskit:source", c.source), ("corpuskit:channel", c.channel)):
                if value:
                    infons[key] = value
            annots.append(self.annotation(c.id, infons, c.span, c.note))
            self.cue_annotation(annots, "claim", c.id, c.cue)
        for e in doc.entities:
            if self.identified(e):
                continue
            infons = {"type": e.type, KIND: "entity"}
            if e.name is not None:
                infons["corpuskit:name"] = e.name
            if e.links:
                infons["corpuskit:links"] = " ".join(f"{link.kb}={link.id}" for link in e.links)
            rels.append(self.relation(e.id, infons, [(m, "mention") for m in e.mentions], e.note))
        for ev in doc.events:
            trigger = self.pool.fresh(f"{ev.id}.trigger")
            annots.append(
                self.annotation(trigger, {"type": ev.type, KIND: "trigger"}, ev.trigger, None)
            )
            nodes = [(trigger, "trigger"), *((a.ref, a.role) for a in ev.args)]
            rels.append(self.relation(ev.id, {"type": ev.type, KIND: "event"}, nodes, ev.note))
        for r in doc.relations:
            rels.append(
                self.relation(r.id, {"type": r.type}, [(a.ref, a.role) for a in r.args], r.note)
            )
        for attr in doc.attributes:
            self.attribute(attr)
        meta = meta_to_dict(doc.meta)
        derived = self.layout.derived if self.layout else {}
        infons = {
            k: str(meta[k]) for k in _META_KEYS if k in meta and derived.get(k) != str(meta[k])
        }
        provenance = dict(meta.get("provenance", {}))
        note, line = split_note(provenance.pop("note", None))
        if note is not None:
            provenance["note"] = note
        # A provenance that held only the layout line was made by the import: none to write.
        if "provenance" in meta and (provenance or line is None):
            infons["corpuskit:provenance"] = json.dumps(provenance, ensure_ascii=False)
        for key, value in (self.layout.infons if self.layout else {}).items():
            infons.setdefault(key, value)
        # Infons group attributes by target; say their order when that grouping changes it.
        owners = [
            *(a.id for a in annots if a.infons.get(KIND) not in ("trigger", "cue")),
            *(r.id for r in rels),
        ]
        grouped = [i for owner in owners for i, target in self.carried if target == owner]
        if grouped != [i for i, _ in self.carried]:
            infons[ORDER] = " ".join(i for i, _ in self.carried)
        bdoc = self.distribute(annots, rels)
        bdoc.infons = infons
        if self.layout and self.layout.document:
            bdoc.id = self.layout.document
        kept = self.layout.collection if self.layout else {}
        return BiocCollection(
            str(kept.get("source", "corpuskit")),
            str(kept.get("date", "")),
            str(kept.get("key", "corpuskit")),
            {**kept.get("infons", {}), "corpuskit:offset_unit": self.unit},
            [bdoc],
        )

    def attribute(self, attr: Attribute) -> None:
        element = self.elements.get(attr.target)
        if element is None:
            self.warn(
                I.NOT_CARRIED,
                attr.id,
                f"attribute {attr.id} is on {attr.target}, which has no BioC element to carry infons",
            )
            return
        if attr.name == "type" or attr.name.startswith("corpuskit:") or attr.name in element.infons:
            self.warn(
                I.NOT_CARRIED,
                attr.id,
                f'attribute {attr.id}: the infon "{attr.name}" of {attr.target} is taken',
            )
            return
        element.infons[attr.name] = _infon_text(attr.value)
        self.carried.append((attr.id, attr.target))
        # What a plain infon cannot say (id, datatype, note) goes into one corpuskit:attributes
        # infon, so that BioC tools see name=value and corpuskit reads back the same attribute.
        extra: dict[str, AttributeValue] = {}
        if attr.id != _attribute_id(attr.target, attr.name):
            extra["id"] = attr.id
        if not isinstance(attr.value, str):
            extra["value"] = attr.value
        if attr.note is not None:
            extra["note"] = attr.note
        if extra:
            known = json.loads(element.infons.get(ATTRIBUTES, "{}"))
            known[attr.name] = extra
            element.infons[ATTRIBUTES] = json.dumps(known, ensure_ascii=False)


def to_collection(doc: Document, unit: str = "codepoint") -> tuple[BiocCollection, list[Finding]]:
    """A document as a one-document BioC collection, and what could not be carried."""
    writer = _Writer(doc, unit)
    return writer.collection(), writer.findings


def collection_xml(collection: BiocCollection) -> str:
    """A collection as BioC XML (with the DOCTYPE BioC files carry)."""
    from lxml import etree

    def infons(parent: Any, values: dict[str, str]) -> None:
        for key, value in values.items():
            etree.SubElement(parent, "infon", key=key).text = value

    def passage(parent: Any, p: BiocPassage, tag: str) -> None:
        el = etree.SubElement(parent, tag)
        infons(el, p.infons)
        etree.SubElement(el, "offset").text = str(p.offset)
        if p.text is not None:
            etree.SubElement(el, "text").text = p.text
        for s in p.sentences:
            passage(el, s, "sentence")
        items(el, p.annotations, p.relations)

    def items(el: Any, annotations: list[BiocAnnotation], relations: list[BiocRelation]) -> None:
        for a in annotations:
            ann = etree.SubElement(el, "annotation", id=a.id or "")
            infons(ann, a.infons)
            for offset, length in a.locations:
                etree.SubElement(ann, "location", offset=str(offset), length=str(length))
            etree.SubElement(ann, "text").text = a.text or ""
        for r in relations:
            rel = etree.SubElement(el, "relation", id=r.id or "")
            infons(rel, r.infons)
            for refid, role in r.nodes:
                etree.SubElement(rel, "node", refid=refid, role=role)

    root = etree.Element("collection")
    for tag, value in (
        ("source", collection.source),
        ("date", collection.date),
        ("key", collection.key),
    ):
        etree.SubElement(root, tag).text = value
    infons(root, collection.infons)
    for d in collection.documents:
        el = etree.SubElement(root, "document")
        etree.SubElement(el, "id").text = d.id or ""
        infons(el, d.infons)
        for p in d.passages:
            passage(el, p, "passage")
        items(el, d.annotations, d.relations)
    data: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=DOCTYPE
    )
    return data.decode("utf-8")


def collection_json(collection: BiocCollection) -> str:
    """A collection as BioC JSON (the layout of the bioc and PubTator tools)."""

    def annotations(found: list[BiocAnnotation]) -> list[dict[str, Any]]:
        return [
            {
                "id": a.id,
                "infons": a.infons,
                "text": a.text,
                "locations": [{"offset": o, "length": n} for o, n in a.locations],
            }
            for a in found
        ]

    def relations(found: list[BiocRelation]) -> list[dict[str, Any]]:
        return [
            {
                "id": r.id,
                "infons": r.infons,
                "nodes": [{"refid": i, "role": role} for i, role in r.nodes],
            }
            for r in found
        ]

    def passage(p: BiocPassage) -> dict[str, Any]:
        return {
            "offset": p.offset,
            "infons": p.infons,
            "text": p.text,
            "sentences": [passage(s) for s in p.sentences],
            "annotations": annotations(p.annotations),
            "relations": relations(p.relations),
        }

    data = {
        "source": collection.source,
        "date": collection.date,
        "key": collection.key,
        "infons": collection.infons,
        "documents": [
            {
                "id": d.id,
                "infons": d.infons,
                "passages": [passage(p) for p in d.passages],
                "annotations": annotations(d.annotations),
                "relations": relations(d.relations),
            }
            for d in collection.documents
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_bioc_xml(doc: Document, unit: str = "codepoint") -> Exported:
    """A document as a BioC XML collection (``.bioc.xml``)."""
    collection, findings = to_collection(doc, unit)
    return Exported({".bioc.xml": collection_xml(collection)}, findings)


def write_bioc_json(doc: Document, unit: str = "codepoint") -> Exported:
    """A document as a BioC JSON collection (``.bioc.json``)."""
    collection, findings = to_collection(doc, unit)
    return Exported({".bioc.json": collection_json(collection)}, findings)


def read_bioc_xml(
    data: bytes, file: str, unit: str | None = None, scheme: Scheme | None = None
) -> list[Imported]:
    """Every document of a BioC XML collection as a corpuskit document."""
    return read_bioc(data, file, "xml", unit, scheme)


def read_bioc_json(
    data: bytes, file: str, unit: str | None = None, scheme: Scheme | None = None
) -> list[Imported]:
    """Every document of a BioC JSON collection as a corpuskit document."""
    return read_bioc(data, file, "json", unit, scheme)


# --------------------------------------------------------------------------- the registry's entries


def _import_source(
    source: InputSource, options: ImportOptions, fmt: str
) -> Iterator[Imported | Converted]:
    from corpuskit.interop.registry import os_reason

    path = source.path
    try:
        data = options.read(path)
    except OSError as exc:
        message = f"cannot read: {os_reason(exc)}"
        yield Imported(
            path.stem, str(path), None, [Finding(I.INPUT_UNREADABLE, message, position=(1, 1))]
        )
        return
    # The scheme types infon values ("true" -> true where it declares a boolean).
    yield from read_bioc(data, str(path), fmt, options.unit, options.scheme_for(source.folder))


def import_xml_source(
    source: InputSource, options: ImportOptions
) -> Iterator[Imported | Converted]:
    """The registry's reader for bioc-xml: every document of one collection."""
    return _import_source(source, options, "xml")


def import_json_source(
    source: InputSource, options: ImportOptions
) -> Iterator[Imported | Converted]:
    """The registry's reader for bioc-json: every document of one collection."""
    return _import_source(source, options, "json")


def export_xml_document(document: Document, options: ExportOptions) -> Exported:
    """The registry's writer for bioc-xml: a one-document collection."""
    return write_bioc_xml(document, options.unit)


def export_json_document(document: Document, options: ExportOptions) -> Exported:
    """The registry's writer for bioc-json: a one-document collection."""
    return write_bioc_json(document, options.unit)
