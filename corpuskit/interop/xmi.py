"""UIMA CAS XMI with its type system, as INCEpTION and WebAnno export and import it.

Read and written through dkpro-cassis, the library INCEpTION's own Python tools use. A document
is two files: ``NAME.xmi`` (the CAS) and its type system (``NAME.typesystem.xml`` as written
here; ``TypeSystem.xml`` beside the .xmi as INCEpTION's "UIMA CAS XMI" export lays it out).

The layers are INCEpTION's own where it has one and custom layers (``webanno.custom.*``, the
namespace INCEpTION gives layers a project defines) where it has none, shaped so that
INCEpTION's type-system analysis (``TypeSystemAnalysis`` in inception-project/inception) turns
each into a layer of the right kind:

- mentions are DKPro Core ``NamedEntity`` (``value`` = type, ``identifier`` = the entity's KB
  link as an IRI, as INCEpTION's entity linking writes it);
- entities are coreference chains (DKPro Core ``CoreferenceChain``/``CoreferenceLink``, a
  link per mention, ``referenceType`` = entity type);
- binary relations between mentions are a relation layer ``webanno.custom.Relation``
  (``Governor``/``Dependent`` on ``NamedEntity``, ``label`` = type, the two roles as strings);
- events, quotes and claims are span layers ``webanno.custom.Event`` / ``Quote`` / ``Claim``
  whose arguments, speakers, sources, channels and cues are slot (link) features: an array of
  ``<layer><Feature>Link`` with ``role`` and ``target``; a reference to an entity targets the
  coreference link of its first mention, a cue is a ``webanno.custom.Cue`` span;
- attributes are primitive features of the layer of their target, declared in the type system.

UIMA counts offsets in UTF-16 code units; cassis converts them to code points when reading and
back when writing, and an offset that falls inside a character is an I003 error here. UIMA
annotations are contiguous and carry no ids: what does not fit is reported (docs/interop.md).
"""

from __future__ import annotations

import io
import itertools
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuskit.diagnostics import Finding, Rule
from corpuskit.interop.common import (
    Exported,
    Imported,
    document_id,
    fit_name,
    plain_metadata,
    renamed_finding,
    shorten,
)
from corpuskit.model import (
    SINGULAR,
    Annotation,
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
    Quote,
    QuoteMode,
    Relation,
    Span,
    text_sha256,
)
from corpuskit.rules import interop as I

if TYPE_CHECKING:
    from corpuskit.interop.registry import Converted, ExportOptions, ImportOptions, InputSource

# DKPro Core types as INCEpTION uses them (cassis ships the DKPro Core type system:
# cassis/resources/dkpro-core-types.xml; DocumentMetaData as INCEpTION exports it).
NE = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
CHAIN = "de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceChain"
LINK = "de.tudarmstadt.ukp.dkpro.core.api.coref.type.CoreferenceLink"
META = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
DOCUMENT_ANNOTATION = "uima.tcas.DocumentAnnotation"
ANNOTATION = "uima.tcas.Annotation"
# Custom layers, named as INCEpTION names the layers a project defines.
RELATION = "webanno.custom.Relation"
EVENT = "webanno.custom.Event"
QUOTE = "webanno.custom.Quote"
CLAIM = "webanno.custom.Claim"
CUE = "webanno.custom.Cue"
#: Span layer -> (its slot feature, the link type: layer + Feature + "Link", as INCEpTION names it).
SLOTS = {
    EVENT: ("arguments", "webanno.custom.EventArgumentsLink"),
    QUOTE: ("roles", "webanno.custom.QuoteRolesLink"),
    CLAIM: ("roles", "webanno.custom.ClaimRolesLink"),
}
#: The layer whose features carry the attributes of each kind (an entity's: its first link's).
LAYER_OF = {
    "mentions": NE,
    "entities": LINK,
    "quotes": QUOTE,
    "claims": CLAIM,
    "events": EVENT,
    "relations": RELATION,
}
#: Features each layer has of its own; an attribute may not take one of these names.
OWN_FEATURES = {
    NE: {"value", "identifier"},
    LINK: {"next", "referenceType", "referenceRelation"},
    QUOTE: {"mode", "roles"},
    CLAIM: {"roles"},
    EVENT: {"value", "arguments"},
    RELATION: {"Governor", "Dependent", "label", "governorRole", "dependentRole"},
}
_BUILT_IN = {"begin", "end", "sofa", "self", "type"}
#: A UIMA feature name (a Java identifier, ASCII here).
_FEATURE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
STRING, BOOLEAN, INTEGER, DOUBLE = (
    "uima.cas.String",
    "uima.cas.Boolean",
    "uima.cas.Integer",
    "uima.cas.Double",
)
#: Knowledge bases whose IRIs INCEpTION's entity linking writes -> the IRI prefix of an id.
KB_IRIS = {
    "wikidata": "http://www.wikidata.org/entity/",
    "dbpedia": "http://dbpedia.org/resource/",
    "geonames": "https://sws.geonames.org/",
}
#: What UIMA writes for a document whose language nobody set.
_NO_LANGUAGE = "x-unspecified"


def _cassis() -> Any:
    """The cassis module; ValueError naming the extra to install when it is missing."""
    try:
        import cassis
    except ImportError:
        raise ValueError(
            "UIMA CAS XMI needs dkpro-cassis: pip install 'corpuskit[inception]'"
        ) from None
    return cassis


def _reserved_feature(name: str) -> bool:
    """Whether ``name`` clashes with a cassis feature-structure attribute (``xmiID``, ``get``)."""
    from cassis.typesystem import FeatureStructure

    return name in _BUILT_IN or hasattr(FeatureStructure, name)


def type_system(extra: dict[str, dict[str, str]] | None = None) -> Any:
    """The type system of the layers above, with ``extra`` features (layer -> name -> range)."""
    ts = _cassis().TypeSystem()
    meta = ts.create_type(META, DOCUMENT_ANNOTATION)
    for name in ("documentTitle", "documentId", "documentUri", "collectionId", "documentBaseUri"):
        ts.create_feature(meta, name, STRING)
    ts.create_feature(meta, "isLastSegment", BOOLEAN)
    ne = ts.create_type(NE, ANNOTATION)
    ts.create_feature(ne, "value", STRING)
    ts.create_feature(ne, "identifier", STRING)
    link = ts.create_type(LINK, ANNOTATION)
    ts.create_feature(link, "next", LINK)
    ts.create_feature(link, "referenceType", STRING)
    ts.create_feature(link, "referenceRelation", STRING)
    chain = ts.create_type(CHAIN, "uima.cas.AnnotationBase")
    ts.create_feature(chain, "first", LINK)
    ts.create_type(CUE, ANNOTATION)
    for layer, (feature, link_type) in SLOTS.items():
        span = ts.create_type(layer, ANNOTATION)
        slot = ts.create_type(link_type, "uima.cas.TOP")
        ts.create_feature(slot, "role", STRING)
        ts.create_feature(slot, "target", ANNOTATION)
        ts.create_feature(span, feature, "uima.cas.FSArray", elementType=link_type)
    ts.create_feature(EVENT, "value", STRING)
    ts.create_feature(QUOTE, "mode", STRING)
    relation = ts.create_type(RELATION, ANNOTATION)
    ts.create_feature(relation, "Governor", NE)
    ts.create_feature(relation, "Dependent", NE)
    for name in ("label", "governorRole", "dependentRole"):
        ts.create_feature(relation, name, STRING)
    for layer, features in (extra or {}).items():
        for name, range_ in features.items():
            ts.create_feature(layer, name, range_)
    return ts


def kb_iri(link: KBLink) -> str:
    """A KB link as the identifier INCEpTION stores: an IRI where the KB has one, else kb:id."""
    prefix = KB_IRIS.get(link.kb)
    return f"{prefix}{link.id}" if prefix else f"{link.kb}:{link.id}"


def kb_link(identifier: str) -> tuple[KBLink, bool]:
    """An identifier as a KB link, and whether it was read exactly (False: kept as an IRI)."""
    for kb, prefix in KB_IRIS.items():
        if identifier.startswith(prefix) and len(identifier) > len(prefix):
            return KBLink(kb, identifier[len(prefix) :].rstrip("/")), True
    kb, sep, ident = identifier.partition(":")
    if sep and ident and not ident.startswith("//") and re.fullmatch(r"[A-Za-z_][\w.-]*", kb):
        return KBLink(kb, ident), True
    return KBLink("iri", identifier), False


# --------------------------------------------------------------------------- corpuskit -> XMI


def _uima_range(values: list[AttributeValue]) -> str:
    """The UIMA range that holds every value (booleans, integers, numbers, else strings)."""
    if all(isinstance(v, bool) for v in values):
        return BOOLEAN
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return INTEGER
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return DOUBLE
    return STRING


#: Named entities a message lists by id (a span may carry thousands).
_LISTED = 10


class _Writer:
    """Builds the CAS of one document, and the findings of what it cannot carry."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.findings: list[Finding] = []
        self.where = {a.id: (kind, i) for kind, i, a in doc.annotations()}
        #: Annotation id -> the feature structure a reference to it targets.
        self.targets: dict[str, Any] = {}
        #: Annotation id -> the feature structure its attributes go on.
        self.hosts: dict[str, Any] = {}

    def warn(self, rule: Rule, ident: str, message: str, field: str = "") -> None:
        kind, i = self.where[ident]
        self.findings.append(
            Finding(rule, message, pointer=f"/{kind}/{i}{field}", annotation_id=ident)
        )

    def fragment(self, ident: str, span: Span, field: str) -> Fragment | None:
        """The fragment a UIMA annotation covers: the first; the others are reported."""
        if len(span) > 1:
            rest = ", ".join(repr(f.text) for f in span[1:])
            self.warn(
                I.NOT_CARRIED,
                ident,
                f"{ident}: {field} has {len(span)} fragments; UIMA annotations are contiguous, "
                f"only the first is written ({rest} not carried)",
                f"/{field}",
            )
        return span[0] if span else None

    def attribute_features(self) -> dict[str, dict[str, str]]:
        """The features the attributes need, by layer; attributes that cannot have one are reported."""
        values: dict[tuple[str, str], list[AttributeValue]] = {}
        seen: set[tuple[str, str]] = set()
        self.carried: list[Attribute] = []
        for attr in self.doc.attributes:
            kind = self.where.get(attr.target, ("", 0))[0]
            layer = LAYER_OF.get(kind)
            why = None
            if layer is None:
                why = f"{attr.target} has no UIMA annotation to carry features"
            elif not _FEATURE_NAME.fullmatch(attr.name) or _reserved_feature(attr.name):
                why = f'"{attr.name}" is no usable UIMA feature name'
            elif attr.name in OWN_FEATURES[layer]:
                why = f'the layer already has a feature "{attr.name}"'
            elif (attr.target, attr.name) in seen:
                why = f"{attr.target} already has an attribute {attr.name}"
            if why is not None:
                self.warn(I.NOT_CARRIED, attr.id, f"attribute {attr.id} is not written: {why}")
                continue
            assert layer is not None
            seen.add((attr.target, attr.name))
            values.setdefault((layer, attr.name), []).append(attr.value)
            self.carried.append(attr)
        extra: dict[str, dict[str, str]] = {}
        for (layer, name), found in values.items():
            extra.setdefault(layer, {})[name] = _uima_range(found)
        self.ranges = {(layer, n): r for layer, named in extra.items() for n, r in named.items()}
        return extra

    def build(self) -> Any:
        doc = self.doc
        ts = type_system(self.attribute_features())
        cas = _cassis().Cas(typesystem=ts)
        cas.sofa_string = doc.text
        cas.sofa_mime = "text/plain"
        meta = ts.get_type(META)(begin=0, end=len(doc.text))
        meta.set("language", doc.meta.language)
        meta.set("documentTitle", doc.meta.title)
        meta.set("documentId", doc.id)
        cas.add(meta)
        self.mentions(cas, ts)
        self.entities(cas, ts)
        events = self.spans(cas, ts)
        self.slots(cas, ts, events)
        self.relations(cas, ts)
        self.attributes()
        self.losses()
        return cas, ts

    def mentions(self, cas: Any, ts: Any) -> None:
        ne = ts.get_type(NE)
        for m in self.doc.mentions:
            f = self.fragment(m.id, m.span, "span")
            if f is None:
                continue
            fs = ne(begin=f.start, end=f.end)
            fs.set("value", m.type)
            cas.add(fs)
            self.targets[m.id] = self.hosts[m.id] = fs

    def entities(self, cas: Any, ts: Any) -> None:
        link_type, chain_type = ts.get_type(LINK), ts.get_type(CHAIN)
        identifiers: dict[str, str] = {}
        for e in self.doc.entities:
            links = []
            for ref in e.mentions:
                mention = self.targets.get(ref)
                if mention is None:
                    self.warn(I.NOT_CARRIED, e.id, f"entity {e.id}: mention {ref} was not written")
                    continue
                link = link_type(begin=mention.begin, end=mention.end)
                link.set("referenceType", e.type)
                cas.add(link)
                links.append(link)
                if e.links:
                    iri = kb_iri(e.links[0])
                    if identifiers.get(ref, iri) != iri:
                        self.warn(
                            I.NOT_CARRIED,
                            e.id,
                            f"entity {e.id}: mention {ref} already carries the identifier "
                            f"{identifiers[ref]} of another entity; {iri} is not written on it",
                        )
                        continue
                    identifiers[ref] = iri
                    mention.set("identifier", iri)
            if not links:
                self.warn(I.NOT_CARRIED, e.id, f"entity {e.id} has no mention to chain")
                continue
            for a, b in itertools.pairwise(links):
                a.set("next", b)
            chain = chain_type()
            chain.set("first", links[0])
            cas.add(chain)
            self.targets[e.id] = self.hosts[e.id] = links[0]
            if len(e.links) > 1:
                rest = ", ".join(f"{k.kb}:{k.id}" for k in e.links[1:])
                self.warn(
                    I.NOT_CARRIED,
                    e.id,
                    f"entity {e.id}: a named entity holds one identifier; {rest} not written",
                    "/links",
                )

    def spans(self, cas: Any, ts: Any) -> list[tuple[Any, Event]]:
        """Quotes, claims and event triggers as span annotations (slots are filled later)."""
        events = []
        for kind, layer in (("quotes", QUOTE), ("claims", CLAIM), ("events", EVENT)):
            for a in getattr(self.doc, kind):
                span = a.trigger if kind == "events" else a.span
                f = self.fragment(a.id, span, "trigger" if kind == "events" else "span")
                if f is None:
                    continue
                fs = ts.get_type(layer)(begin=f.start, end=f.end)
                if kind == "events":
                    fs.set("value", a.type)
                    events.append((fs, a))
                elif kind == "quotes":
                    fs.set("mode", a.mode)
                cas.add(fs)
                self.targets[a.id] = self.hosts[a.id] = fs
        return events

    def slots(self, cas: Any, ts: Any, events: list[tuple[Any, Event]]) -> None:
        def cue(a: Quote | Claim) -> list[tuple[str, Any]]:
            f = self.fragment(a.id, a.cue, "cue") if a.cue else None
            if f is None:
                return []
            fs = ts.get_type(CUE)(begin=f.start, end=f.end)
            cas.add(fs)
            return [("cue", fs)]

        for q in self.doc.quotes:
            if q.id in self.hosts:
                refs = [("speaker", q.speaker)] if q.speaker else []
                self.fill(ts, q.id, QUOTE, refs, cue(q))
        for c in self.doc.claims:
            if c.id in self.hosts:
                refs = [
                    (role, ref)
                    for role, ref in (("source", c.source), ("channel", c.channel))
                    if ref
                ]
                self.fill(ts, c.id, CLAIM, refs, cue(c))
        for _fs, ev in events:
            self.fill(ts, ev.id, EVENT, [(a.role, a.ref) for a in ev.args], [])

    def fill(
        self,
        ts: Any,
        ident: str,
        layer: str,
        refs: list[tuple[str, str]],
        resolved: list[tuple[str, Any]],
    ) -> None:
        """Set the slot feature of ``ident``'s annotation to links (role, target)."""
        links = list(resolved)
        for role, ref in refs:
            target = self.targets.get(ref)
            if target is None:
                self.warn(
                    I.NOT_CARRIED,
                    ident,
                    f"{ident}: the {role} {ref} is a {SINGULAR.get(self.where.get(ref, ('?', 0))[0], 'reference')} "
                    "with no span annotation to point to; not written",
                )
                continue
            links.append((role, target))
        if not links:
            return
        feature, link_type = SLOTS[layer]
        made = []
        for role, target in links:
            link = ts.get_type(link_type)()
            link.set("role", role)
            link.set("target", target)
            made.append(link)
        self.hosts[ident].set(feature, ts.get_type("uima.cas.FSArray")(elements=made))

    def relations(self, cas: Any, ts: Any) -> None:
        relation_type = ts.get_type(RELATION)
        entities = {e.id: e for e in self.doc.entities}
        for r in self.doc.relations:
            ends = []
            moved = []
            for arg in r.args:
                ref = arg.ref
                if ref in entities and entities[ref].mentions:
                    moved.append(f"{ref} → {entities[ref].mentions[0]}")
                    ref = entities[ref].mentions[0]
                if self.where.get(ref, ("", 0))[0] == "mentions" and ref in self.targets:
                    ends.append((arg.role, self.targets[ref]))
            if len(ends) != 2 or len(r.args) != 2:
                self.warn(
                    I.NOT_CARRIED,
                    r.id,
                    f"relation {r.id} is not written: an INCEpTION relation joins two named "
                    f"entities, it has {len(r.args)} arguments"
                    + ("" if len(ends) == len(r.args) else " not all mentions or entities"),
                )
                continue
            if moved:
                self.warn(
                    I.APPROXIMATED,
                    r.id,
                    f"relation {r.id}: a relation layer joins named entities; its entity "
                    f"arguments point to their first mentions ({', '.join(moved)})",
                )
            (gov_role, gov), (dep_role, dep) = ends
            fs = relation_type(begin=dep.begin, end=dep.end)
            fs.set("Governor", gov)
            fs.set("Dependent", dep)
            fs.set("label", r.type)
            fs.set("governorRole", gov_role)
            fs.set("dependentRole", dep_role)
            cas.add(fs)
            self.hosts[r.id] = fs

    def attributes(self) -> None:
        for attr in self.carried:
            host = self.hosts.get(attr.target)
            if host is None:
                self.warn(
                    I.NOT_CARRIED, attr.id, f"attribute {attr.id}: {attr.target} was not written"
                )
                continue
            kind = self.where[attr.target][0]
            value: AttributeValue = attr.value
            if self.ranges[(LAYER_OF[kind], attr.name)] == STRING and not isinstance(value, str):
                self.warn(
                    I.APPROXIMATED,
                    attr.id,
                    f"attribute {attr.id}: {attr.name} holds values of several types on "
                    f"{LAYER_OF[kind].rsplit('.', 1)[-1]}; {shorten(value)} is written as a string",
                )
                value = str(value).lower() if isinstance(value, bool) else str(value)
            host.set(attr.name, value)

    def losses(self) -> None:
        doc = self.doc
        dropped = [
            k
            for k in ("source", "url", "published", "license", "provenance")
            if getattr(doc.meta, k)
        ]
        if dropped:
            self.findings.append(
                Finding(
                    I.NOT_CARRIED,
                    f"DocumentMetaData keeps title, id and language; {', '.join(dropped)} not written",
                    "/meta",
                )
            )
        noted = [(kind, i, a) for kind, i, a in doc.annotations() if a.note]
        if noted:
            kind, i, a = noted[0]
            self.findings.append(
                Finding(
                    I.NOT_CARRIED,
                    f"the notes of {len(noted)} annotation{'s' if len(noted) != 1 else ''} are not "
                    "written: UIMA layers here have no note feature",
                    f"/{kind}/{i}/note",
                    annotation_id=a.id,
                )
            )
        named = [e for e in doc.entities if e.name is not None]
        if named:
            shown = ", ".join(f"{e.id} {shorten(e.name)}" for e in named[:5])
            more = f" and {len(named) - 5} more" if len(named) > 5 else ""
            self.warn(
                I.NOT_CARRIED,
                named[0].id,
                f"the names of {len(named)} entit{'ies' if len(named) != 1 else 'y'} are not "
                f"written: a coreference chain has no name ({shown}{more})",
                "/name",
            )
        renamed = [(a.id, new) for a, new in expected_ids(doc) if a.id != new]
        found = renamed_finding(renamed, "when read back (UIMA annotations carry no ids)")
        if found is not None:
            self.findings.append(found)


def expected_ids(doc: Document) -> list[tuple[Annotation, str]]:
    """Each annotation with the id reading its XMI back gives it (ids are counted per kind)."""
    prefix = {"mentions": "m", "entities": "e", "quotes": "q", "claims": "c", "events": "ev"}
    out: list[tuple[Annotation, str]] = []
    for kind, p in (*prefix.items(), ("relations", "r")):
        out.extend((a, f"{p}{n}") for n, a in enumerate(getattr(doc, kind), 1))
    out.extend((a, f"{a.target}.{a.name}") for a in doc.attributes)
    return out


def write_xmi(doc: Document) -> Exported:
    """A document as UIMA CAS XMI (``.xmi``) and its type system (``.typesystem.xml``)."""
    writer = _Writer(doc)
    cas, ts = writer.build()
    xmi: str = cas.to_xmi(pretty_print=True)
    types: str = ts.to_xml()
    return Exported({".xmi": xmi, ".typesystem.xml": types}, writer.findings)


def export_document(document: Document, options: ExportOptions) -> Exported:
    """The registry's writer: ``.xmi`` and ``.typesystem.xml`` (offsets are always UTF-16)."""
    return write_xmi(document)


# --------------------------------------------------------------------------- XMI -> corpuskit


class _Reader:
    """Builds one corpuskit document from a CAS."""

    def __init__(self, cas: Any, file: str, name: str) -> None:
        self.cas = cas
        self.ts = cas.typesystem
        self.file = file
        self.name = name
        self.text: str = cas.sofa_string or ""
        self.findings: list[Finding] = []
        self.mentions: list[Mention] = []
        self.entities: list[Entity] = []
        self.quotes: list[Quote] = []
        self.claims: list[Claim] = []
        self.events: list[Event] = []
        self.relations: list[Relation] = []
        self.attributes: list[Attribute] = []
        #: xmiID of a feature structure -> the id of what it became.
        self.ids: dict[int, str] = {}
        #: xmiID -> the cue span a Cue annotation became.
        self.cues: dict[int, Span] = {}
        #: xmiID of the first link of each chain -> the entity id (link attributes go there).
        self.first_links: dict[int, str] = {}
        #: The named entities a coreference link takes its mention from, by (span, type).
        self._on_span: dict[tuple[tuple[int, int], str], list[Mention]] = {}
        self.handled: set[str] = set()

    def warn(self, rule: Rule, message: str) -> None:
        self.findings.append(Finding(rule, message, position=(1, 1)))

    def select(self, type_name: str) -> list[Any]:
        if not self.ts.contains_type(type_name):
            return []
        self.handled.add(type_name)
        found: list[Any] = self.cas.select(type_name)
        # Creation order: what corpuskit wrote in document order comes back in that order.
        return sorted(found, key=lambda fs: fs.xmiID or 0)

    def span(self, fs: Any) -> Span:
        begin, end = fs.begin, fs.end
        return (Fragment(begin, end, self.text[begin:end]),)

    def name_of(self, raw: Any, what: str, fallback: str) -> str:
        if raw is None or raw == "":
            return fallback
        fitted = fit_name(str(raw), fallback)
        if fitted != raw:
            self.warn(I.NAME_CHANGED, f"{what} {shorten(raw)} is written {fitted}")
        return fitted

    def read(self) -> Document:
        meta = self.metadata()
        self.read_mentions()
        self.read_chains()
        self.read_cues()
        self.read_spans()
        self.read_relations()
        self.read_attributes()
        self.report_unread()
        return Document(
            id=self.document_id,
            meta=meta,
            text=self.text,
            text_sha256=text_sha256(self.text),
            mentions=tuple(self.mentions),
            entities=tuple(self.entities),
            quotes=tuple(self.quotes),
            claims=tuple(self.claims),
            events=tuple(self.events),
            relations=tuple(self.relations),
            attributes=tuple(self.attributes),
        )

    def metadata(self) -> Metadata:
        self.document_id = document_id(self.name)
        found = self.select(DOCUMENT_ANNOTATION)
        self.handled.add(META)
        if not found:
            return plain_metadata(self.name)
        fs = found[0]
        title = self.name
        raw_id = None
        if fs.type.get_feature("documentTitle") is not None:
            title = fs.get("documentTitle") or self.name
            raw_id = fs.get("documentId")
        if isinstance(raw_id, str) and raw_id:
            self.document_id = document_id(raw_id)
        language = fs.get("language") if fs.type.get_feature("language") is not None else None
        if language == _NO_LANGUAGE:
            language = None
        return plain_metadata(title, language)

    def read_mentions(self) -> None:
        self.identifiers: dict[str, str] = {}
        for n, fs in enumerate(self.select(NE), 1):
            ident = f"m{n}"
            raw = fs.get("value")
            if raw is None:
                self.warn(
                    I.NAME_CHANGED,
                    f"a named entity at {fs.begin}-{fs.end} has no value; typed untyped",
                )
            kind = self.name_of(raw, "named entity value", "untyped")
            self.mentions.append(Mention(ident, kind, self.span(fs)))
            self.ids[fs.xmiID] = ident
            identifier = fs.get("identifier")
            if identifier:
                self.identifiers[ident] = identifier

    def read_chains(self) -> None:
        by_span: dict[tuple[int, int], list[Mention]] = {}
        for m in self.mentions:
            by_span.setdefault((m.span[0].start, m.span[0].end), []).append(m)
        chained: set[str] = set()
        self.select(LINK)
        for chain in self.select(CHAIN):
            ident = f"e{len(self.entities) + 1}"
            members: list[str] = []
            kinds: list[str] = []
            first: Mention | None = None
            link, seen = chain.get("first"), set()
            while link is not None and link.xmiID not in seen:
                seen.add(link.xmiID)
                kinds.append(self.name_of(link.get("referenceType"), "coreference type", ""))
                mention = self.chain_mention(link, by_span, kinds[-1], ident)
                members.append(mention.id)
                self.ids.setdefault(link.xmiID, ident)
                if first is None:
                    first = mention
                    self.first_links[link.xmiID] = ident
                link = link.get("next")
            if first is None:
                continue
            chained.update(members)
            kind = next((k for k in kinds if k), first.type)
            self.entities.append(Entity(ident, kind, tuple(members), links=self.links(members)))
        for m in self.mentions:
            if m.id in self.identifiers and m.id not in chained:
                # A linked mention outside any chain is an entity of one mention, as in brat.
                ident = f"e{len(self.entities) + 1}"
                self.entities.append(Entity(ident, m.type, (m.id,), links=self.links([m.id])))

    def chain_mention(
        self, link: Any, by_span: dict[tuple[int, int], list[Mention]], kind: str, entity: str
    ) -> Mention:
        """The mention a coreference link stands on; a new mention when no named entity is there."""
        at = (link.begin, link.end)
        # Many links on one span of many named entities: each span's choice is worked out
        # once (a span's list only grows from empty, below, so a non-empty choice stays).
        typed = self._on_span.get((at, kind))
        if typed is None:
            candidates = by_span.get(at, [])
            typed = [m for m in candidates if m.type == kind] or candidates
            if typed:
                self._on_span[(at, kind)] = typed
        if len(typed) > 1:
            named = ", ".join(m.id for m in typed[:_LISTED])
            more = f" and {len(typed) - _LISTED:,} more" if len(typed) > _LISTED else ""
            self.warn(
                I.APPROXIMATED,
                f"a coreference link of {entity} at {at[0]}-{at[1]} stands on "
                f"{len(typed)} named entities ({named}{more}); "
                f"{typed[0].id} is taken as its mention",
            )
        if typed:
            return typed[0]
        ident = f"m{len(self.mentions) + 1}"
        if not kind:
            self.warn(
                I.NAME_CHANGED,
                f"a coreference link of {entity} at {at[0]}-{at[1]} has no type and no named "
                "entity under it; its mention is typed untyped",
            )
        mention = Mention(ident, kind or "untyped", self.span(link))
        self.mentions.append(mention)
        by_span.setdefault(at, []).append(mention)
        return mention

    def links(self, members: list[str]) -> tuple[KBLink, ...]:
        out: list[KBLink] = []
        for m in members:
            identifier = self.identifiers.get(m)
            if identifier is None:
                continue
            link, exact = kb_link(identifier)
            if not exact:
                self.warn(
                    I.APPROXIMATED,
                    f"identifier {shorten(identifier)} of {m} names no known knowledge base; "
                    'kept as a link to the knowledge base "iri"',
                )
            if link not in out:
                out.append(link)
        return tuple(out)

    def read_cues(self) -> None:
        for fs in self.select(CUE):
            self.cues[fs.xmiID] = self.span(fs)

    def slot_links(self, fs: Any, feature: str, owner: str) -> list[tuple[str, str | Span]]:
        """(role, target id or cue span) of each link of a slot feature."""
        out: list[tuple[str, str | Span]] = []
        array = fs.get(feature)
        for link in (array.elements if array is not None else None) or []:
            role = self.name_of(link.get("role"), "role", "arg")
            target = link.get("target")
            if target is None:
                self.warn(I.NOT_CARRIED, f"{owner}: a {role} link without a target is not kept")
            elif target.xmiID in self.cues:
                out.append((role, self.cues[target.xmiID]))
            elif target.xmiID in self.ids:
                out.append((role, self.ids[target.xmiID]))
            else:
                self.warn(
                    I.NOT_CARRIED,
                    f"{owner}: the {role} is a {target.type.name} annotation, which is not read; "
                    "the argument is not kept",
                )
        return out

    def roles(self, fs: Any, ident: str, known: tuple[str, ...]) -> dict[str, str | Span]:
        """A quote's or claim's links by role: one per role, each other one reported."""
        out: dict[str, str | Span] = {}
        for role, target in self.slot_links(fs, "roles", ident):
            if role in out or role not in known:
                why = "a second" if role in out else f"not one of {', '.join(known)}:"
                self.warn(I.NOT_CARRIED, f"{ident}: {why} {role} link is not kept")
                continue
            if isinstance(target, tuple) != (role == "cue"):
                self.warn(
                    I.NOT_CARRIED,
                    f"{ident}: the {role} link targets the wrong kind of annotation; not kept",
                )
                continue
            out[role] = target
        return out

    def read_spans(self) -> None:
        layers = ((QUOTE, "q"), (CLAIM, "c"), (EVENT, "ev"))
        found = {layer: self.select(layer) for layer, _ in layers}
        for layer, prefix in layers:
            self.handled.add(SLOTS[layer][1])
            for n, fs in enumerate(found[layer], 1):
                self.ids[fs.xmiID] = f"{prefix}{n}"
        for fs in found[QUOTE]:
            ident = self.ids[fs.xmiID]
            raw = fs.get("mode")
            mode: QuoteMode = "indirect" if raw == "indirect" else "direct"
            if raw != mode:
                self.warn(
                    I.APPROXIMATED,
                    f"{ident}: quote mode {shorten(raw)} is not direct or indirect; read as direct",
                )
            slots = self.roles(fs, ident, ("speaker", "cue"))
            speaker, cue = slots.get("speaker"), slots.get("cue")
            self.quotes.append(
                Quote(
                    ident,
                    self.span(fs),
                    mode,
                    speaker=speaker if isinstance(speaker, str) else None,
                    cue=cue if isinstance(cue, tuple) else (),
                )
            )
        for fs in found[CLAIM]:
            ident = self.ids[fs.xmiID]
            slots = self.roles(fs, ident, ("source", "channel", "cue"))
            source, channel, cue = slots.get("source"), slots.get("channel"), slots.get("cue")
            self.claims.append(
                Claim(
                    ident,
                    self.span(fs),
                    source=source if isinstance(source, str) else None,
                    channel=channel if isinstance(channel, str) else None,
                    cue=cue if isinstance(cue, tuple) else (),
                )
            )
        for fs in found[EVENT]:
            ident = self.ids[fs.xmiID]
            args = tuple(
                Argument(role, ref)
                for role, ref in self.slot_links(fs, "arguments", ident)
                if isinstance(ref, str)
            )
            kind = self.name_of(fs.get("value"), "event value", "untyped")
            self.events.append(Event(ident, kind, self.span(fs), args))

    def read_relations(self) -> None:
        for n, fs in enumerate(self.select(RELATION), 1):
            ident = f"r{n}"
            gov, dep = fs.get("Governor"), fs.get("Dependent")
            ends = [self.ids.get(x.xmiID) if x is not None else None for x in (gov, dep)]
            if None in ends:
                self.warn(
                    I.INPUT_MALFORMED,
                    f"relation {ident} lacks a governor or dependent named entity; left out",
                )
                continue
            roles = (
                self.name_of(fs.get("governorRole"), "role", "Governor"),
                self.name_of(fs.get("dependentRole"), "role", "Dependent"),
            )
            kind = self.name_of(fs.get("label"), "relation label", "untyped")
            args = tuple(Argument(r, str(e)) for r, e in zip(roles, ends, strict=True))
            self.relations.append(Relation(ident, kind, args))
            self.ids[fs.xmiID] = ident

    def read_attributes(self) -> None:
        first_links = self.first_links
        for layer, own in OWN_FEATURES.items():
            if not self.ts.contains_type(layer):
                continue
            names = [
                f.name
                for f in self.ts.get_type(layer).all_features
                if f.name not in own
                and f.name not in _BUILT_IN
                and f.rangeType.name
                in (
                    STRING,
                    BOOLEAN,
                    INTEGER,
                    DOUBLE,
                    "uima.cas.Float",
                    "uima.cas.Long",
                    "uima.cas.Short",
                    "uima.cas.Byte",
                )
            ]
            if not names:
                continue
            for fs in self.cas.select(layer):
                target = first_links.get(fs.xmiID) if layer == LINK else self.ids.get(fs.xmiID)
                for name in names:
                    value = fs.get(name)
                    if value is None:
                        continue
                    if target is None:
                        self.warn(
                            I.NOT_CARRIED,
                            f"feature {name} = {shorten(value)} of a {layer.rsplit('.', 1)[-1]} "
                            f"at {fs.begin}-{fs.end} has no annotation to carry it",
                        )
                        continue
                    self.attributes.append(Attribute(f"{target}.{name}", target, name, value))

    def report_unread(self) -> None:
        skipped: dict[str, int] = {}
        for fs in self.cas.select_all_fs():
            name = fs.type.name
            if name not in self.handled and not self.ts.is_instance_of(name, DOCUMENT_ANNOTATION):
                skipped[name] = skipped.get(name, 0) + 1
        for name, count in sorted(skipped.items()):
            self.warn(
                I.NOT_CARRIED,
                f"{count} {name} annotation{'s are' if count != 1 else ' is'} not read "
                "(no corpuskit kind corresponds to the layer)",
            )


def read_xmi(data: bytes, types: bytes, file: str, name: str) -> Imported:
    """A CAS (XMI bytes and its type system's bytes) as a corpuskit document."""

    def failed(message: str) -> Imported:
        return Imported(name, file, None, [Finding(I.INPUT_UNREADABLE, message, position=(1, 1))])

    try:
        cassis = _cassis()
    except ValueError as exc:
        return failed(str(exc))
    try:
        ts = cassis.load_typesystem(io.BytesIO(types))
    except Exception as exc:  # cassis raises whatever its parser meets
        return failed(f"the type system cannot be read: {shorten(str(exc))}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cas = cassis.load_cas_from_xmi(io.BytesIO(data), typesystem=ts, lenient=True)
        except Exception as exc:
            return failed(f"not a CAS in XMI this type system describes: {shorten(str(exc))}")
    if cas.sofa_string is None:
        return failed("the CAS has no text (no sofaString in its initial view)")
    reader = _Reader(cas, file, name)
    findings: list[Finding] = []
    for w in caught:
        message = str(w.message)
        if "offset" in message:
            findings.append(
                Finding(
                    I.OFFSET_UNIT,
                    f"{message.split(' which ')[0]}: UIMA offsets count UTF-16 code units and "
                    "this one falls inside a character (half of a surrogate pair) or past the text",
                    position=(1, 1),
                )
            )
    if len(cas.views) > 1:
        findings.append(
            Finding(
                I.NOT_CARRIED,
                f"the CAS has {len(cas.views)} views; only the initial view is read",
                position=(1, 1),
            )
        )
    try:
        document = reader.read()
    except Exception as exc:  # a CAS its type system allows but no INCEpTION layer would hold
        return failed(f"the CAS cannot be read: {shorten(str(exc))}")
    return Imported(name, file, document, findings + reader.findings)


def type_system_for(path: Path) -> list[Path]:
    """Where the type system of ``path`` may be, in the order looked at."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return [
        path.with_name(f"{stem}.typesystem.xml"),
        path.with_name("TypeSystem.xml"),
        path.with_name("typesystem.xml"),
    ]


def import_source(source: InputSource, options: ImportOptions) -> Iterator[Imported | Converted]:
    """The registry's reader: one ``.xmi`` and the type system beside it."""
    from corpuskit.interop.registry import os_reason

    path = source.path
    name = path.stem
    try:
        data = options.read(path)
    except OSError as exc:
        message = f"cannot read: {os_reason(exc)}"
        yield Imported(
            name, str(path), None, [Finding(I.INPUT_UNREADABLE, message, position=(1, 1))]
        )
        return
    candidates = type_system_for(path)
    for candidate in candidates:
        try:
            types = options.read(candidate)
        except FileNotFoundError:
            continue
        except OSError as exc:
            message = f"cannot read its type system {candidate.name}: {os_reason(exc)}"
            yield Imported(
                name, str(path), None, [Finding(I.INPUT_UNREADABLE, message, position=(1, 1))]
            )
            return
        yield read_xmi(data, types, str(path), name)
        return
    shown = " or ".join(c.name for c in candidates[:2])
    yield Imported(
        name,
        str(path),
        None,
        [
            Finding(
                I.INPUT_UNREADABLE,
                f"no type system beside it ({shown}): an XMI cannot be read without one",
                position=(1, 1),
                hint="export from INCEpTION as UIMA CAS XMI, which writes TypeSystem.xml beside the documents",
            )
        ],
    )
