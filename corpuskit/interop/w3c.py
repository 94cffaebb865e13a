"""W3C Web Annotation (JSON-LD) to and from corpuskit documents.

Each corpuskit annotation becomes a Web Annotation. Spans are targets whose selectors are a
TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector (code points, as the W3C
model says); a discontinuous span is a ``List`` of such targets. Types are ``tagging`` bodies
and notes ``commenting`` bodies, so that any Web Annotation client shows them; what the W3C
vocabulary has no term for (entity links, roles, quote speakers, typed attribute values)
travels in a ``corpuskit`` member declared in the JSON-LD context as a JSON literal.

The text itself is not part of Web Annotations: it is written beside them (``.txt``) and read
from there. Importing anchors each target by its positions, and by its quote when the
positions disagree (I004) or are missing; annotations from other tools become mentions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from corpuskit.diagnostics import Finding, Rule
from corpuskit.formats.common import LineIndex
from corpuskit.formats.json_positions import JsonPositions
from corpuskit.formats.records import meta_to_dict
from corpuskit.interop.common import (
    Exported,
    HugeNumber,
    IdPool,
    Imported,
    InputProblem,
    Origin,
    SourceFinding,
    checked_metadata,
    document_id,
    fit_name,
    load_json,
    plain_metadata,
    renamed_finding,
    shorten,
)
from corpuskit.interop.units import OffsetMap, unit_finding
from corpuskit.model import (
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

CONTEXT: list[Any] = [
    "http://www.w3.org/ns/anno.jsonld",
    {"corpuskit": {"@id": "https://corpuskit.dev/ns/webanno#data", "@type": "@json"}},
]
_URL = re.compile(r"https?://\S+")
#: Annotation members corpuskit reads; any other is reported as not kept.
_KNOWN = {"@context", "id", "type", "motivation", "body", "bodyValue", "target", "corpuskit"}
#: Characters of context in a TextQuoteSelector's prefix and suffix (as Hypothesis uses).
CONTEXT_CHARS = 32
#: At most this much of a prefix or suffix is compared when anchoring: a long one costs time at
#: every occurrence of the quote and says no more.
MAX_CONTEXT = 256
_MOTIVATION = {
    "mentions": "tagging",
    "entities": "identifying",
    "quotes": "highlighting",
    "claims": "highlighting",
    "events": "tagging",
    "relations": "linking",
    "attributes": "describing",
}


def _iri(doc_id: str, ident: str | None = None) -> str:
    return f"urn:corpuskit:{doc_id}" + (f":{ident}" if ident else "")


# --------------------------------------------------------------------------- corpuskit -> W3C


class _Writer:
    def __init__(self, doc: Document, unit: str) -> None:
        self.doc = doc
        self.map = OffsetMap(doc.text, unit)
        self.unit = unit
        self.source = doc.meta.url or _iri(doc.id)

    def resource(self, f: Fragment) -> dict[str, Any]:
        text = self.doc.text
        return {
            "type": "SpecificResource",
            "source": self.source,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": f.text,
                    "prefix": text[max(0, f.start - CONTEXT_CHARS) : f.start],
                    "suffix": text[f.end : f.end + CONTEXT_CHARS],
                },
                {
                    "type": "TextPositionSelector",
                    "start": self.map.from_codepoint(f.start),
                    "end": self.map.from_codepoint(f.end),
                },
            ],
        }

    def span(self, span: Span) -> dict[str, Any] | list[dict[str, Any]]:
        """A span as targets: one SpecificResource per fragment.

        The model (section 3.1) lets an annotation have several targets; the normative
        context defines no ``List`` (JSON-LD would expand it to a relative IRI), so a
        discontinuous span is a list of targets, and the ``corpuskit`` member marks them as
        the fragments of one span.
        """
        parts = [self.resource(f) for f in span]
        return parts[0] if len(parts) == 1 else parts

    def annotation(self, kind: str, a: Annotation) -> dict[str, Any]:
        doc_id = self.doc.id
        bodies: list[dict[str, Any]] = []
        extra: dict[str, Any] = {}
        kind_type = getattr(a, "type", None)
        if isinstance(kind_type, str):
            bodies.append({"type": "TextualBody", "purpose": "tagging", "value": kind_type})
        target: Any
        if isinstance(a, Mention):
            target = self.span(a.span)
            if len(a.span) > 1:
                extra = {"kind": "mention"}
        elif isinstance(a, Entity):
            target = [_iri(doc_id, m) for m in a.mentions]
            extra = {"kind": "entity", "links": [{"kb": k.kb, "id": k.id} for k in a.links]}
            if a.name is not None:
                extra["name"] = a.name
                bodies.append({"type": "TextualBody", "purpose": "identifying", "value": a.name})
        elif isinstance(a, Quote):
            target = self.span(a.span)
            extra = {"kind": "quote", "mode": a.mode, "speaker": a.speaker}
        elif isinstance(a, Claim):
            target = self.span(a.span)
            extra = {"kind": "claim", "source": a.source, "channel": a.channel}
        elif isinstance(a, Event):
            target = self.span(a.trigger)
            extra = {"kind": "event", "args": [{"role": x.role, "ref": x.ref} for x in a.args]}
        elif isinstance(a, Relation):
            target = [_iri(doc_id, r) for r in dict.fromkeys(x.ref for x in a.args)]
            extra = {"kind": "relation", "args": [{"role": x.role, "ref": x.ref} for x in a.args]}
        else:
            assert isinstance(a, Attribute)
            target = _iri(doc_id, a.target)
            shown = (
                json.dumps(a.value, ensure_ascii=False) if not isinstance(a.value, str) else a.value
            )
            bodies.append(
                {"type": "TextualBody", "purpose": "describing", "value": f"{a.name}: {shown}"}
            )
            extra = {"kind": "attribute", "name": a.name, "value": a.value}
        if isinstance(a, Quote | Claim) and a.cue:
            # No Web Annotation term says "the words that attribute it": the member keeps it.
            extra["cue"] = [{"start": f.start, "end": f.end, "text": f.text} for f in a.cue]
        if a.note is not None:
            bodies.append({"type": "TextualBody", "purpose": "commenting", "value": a.note})
        out: dict[str, Any] = {
            "id": _iri(doc_id, a.id),
            "type": "Annotation",
            "motivation": _MOTIVATION[kind],
        }
        if bodies:
            out["body"] = bodies
        out["target"] = target
        if extra:
            out["corpuskit"] = {k: v for k, v in extra.items() if v is not None}
        return out

    def collection(self) -> dict[str, Any]:
        """The AnnotationCollection, with its annotations in one embedded page.

        A page MUST have an ``id`` and one or more ``items`` (model, section 5.2): a document
        without annotations is a collection with ``total`` 0 and no page.
        """
        doc = self.doc
        items = [self.annotation(kind, a) for kind, _, a in doc.annotations()]
        out: dict[str, Any] = {
            "@context": CONTEXT,
            "id": _iri(doc.id),
            "type": "AnnotationCollection",
            "label": doc.meta.title,
            "total": len(items),
            "corpuskit": {
                "id": doc.id,
                "meta": meta_to_dict(doc.meta),
                "text_sha256": doc.text_sha256,
                "offset_unit": self.unit,
            },
        }
        if items:
            out["first"] = {
                "id": f"{_iri(doc.id)}:page:1",
                "type": "AnnotationPage",
                "partOf": _iri(doc.id),
                "startIndex": 0,
                "items": items,
            }
        return out


def write_w3c(doc: Document, unit: str = "codepoint") -> Exported:
    """A document as a W3C AnnotationCollection (``.jsonld``) and its text (``.txt``).

    Nothing is lost: what the W3C vocabulary lacks travels in ``corpuskit`` members.
    """
    data = _Writer(doc, unit).collection()
    return Exported(
        {".jsonld": json.dumps(data, ensure_ascii=False, indent=2) + "\n", ".txt": doc.text}
    )


def export_document(document: Document, options: ExportOptions) -> Exported:
    """The registry's writer: ``.jsonld`` and the ``.txt`` it annotates."""
    return write_w3c(document, options.unit)


# --------------------------------------------------------------------------- W3C -> corpuskit


def _obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(value: Any) -> set[str]:
    """The ``type`` names of a node (a string or a list; anything else names nothing)."""
    return {t for t in _as_list(value) if isinstance(t, str)}


def _items(data: Any) -> tuple[list[tuple[str, Any]], dict[str, Any]] | None:
    """(pointer, annotation) pairs of a collection, page, list or single annotation."""
    if isinstance(data, list):
        return [(f"/{i}", a) for i, a in enumerate(data)], {}
    if not isinstance(data, dict):
        return None
    kinds = _types(data.get("type"))
    if "Annotation" in kinds:
        return [("", data)], {}
    if "AnnotationPage" in kinds:
        return [(f"/items/{i}", a) for i, a in enumerate(_as_list(data.get("items")))], {}
    if "AnnotationCollection" in kinds:
        out: list[tuple[str, Any]] = []
        page, pointer = data.get("first"), "/first"
        while isinstance(page, dict):  # embedded pages only: nothing is fetched
            out += [(f"{pointer}/items/{i}", a) for i, a in enumerate(_as_list(page.get("items")))]
            page, pointer = page.get("next"), f"{pointer}/next"
        return out, data
    return None


def _context_before(text: str, at: int, prefix: str) -> int:
    """How many characters before ``at`` agree with the end of ``prefix`` (at most
    MAX_CONTEXT), found by halving with slice comparisons: C speed, no character loop."""
    low, high = 0, min(at, len(prefix), MAX_CONTEXT)
    while low < high:
        middle = (low + high + 1) // 2
        # Agreement over the last ``middle`` characters implies it over fewer.
        if text[at - middle : at] == prefix[len(prefix) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def _context_after(text: str, at: int, suffix: str) -> int:
    """How many characters from ``at`` on agree with the start of ``suffix`` (at most
    MAX_CONTEXT)."""
    low, high = 0, min(len(text) - at, len(suffix), MAX_CONTEXT)
    while low < high:
        middle = (low + high + 1) // 2
        if text[at : at + middle] == suffix[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


#: Occurrences of one quote weighed at most. A quote found more often is not placed by its
#: quote: weighing each against its prefix and suffix would take minutes on a hostile text,
#: and the report asks for a position instead.
MAX_OCCURRENCES = 100_000
#: What one import may spend weighing quotes, all annotations together: occurrences weighed
#: (each a few microseconds), and characters of quotes matched (a quote that overlaps itself
#: costs its length at every occurrence). Past either, a quote without a usable position is
#: no longer placed (a file of many such quotes, or one long one, cannot run for hours).
OCCURRENCE_BUDGET = 1_000_000
CHARACTER_BUDGET = 2_000_000_000


class TooManyOccurrences(Exception):
    """A quote is not weighed: it occurs too often, or the import's budget is spent (the
    message says which, to follow "the quote ...")."""


class Budget:
    """What is left of one import's budget for weighing quotes."""

    def __init__(self, occurrences: int | None = None, characters: int | None = None) -> None:
        self.occurrences = OCCURRENCE_BUDGET if occurrences is None else occurrences
        self.characters = CHARACTER_BUDGET if characters is None else characters


def _scored(
    text: str, exact: str, prefix: str, suffix: str, budget: Budget | None = None
) -> Iterator[tuple[int, int]]:
    """(place, characters of prefix and suffix that agree around it) for each occurrence of
    ``exact``; raises TooManyOccurrences past MAX_OCCURRENCES or once ``budget`` is spent."""
    if not exact:
        return
    budget = budget or Budget()
    at, seen = text.find(exact), 0
    while at >= 0:
        seen += 1
        if seen > MAX_OCCURRENCES:
            raise TooManyOccurrences(f"occurs more than {MAX_OCCURRENCES:,} times in the text")
        budget.occurrences -= 1
        budget.characters -= len(exact)
        if budget.occurrences < 0 or budget.characters < 0:
            raise TooManyOccurrences(
                "is not looked for: this file's quotes have used up the work one import may "
                f"spend finding quotes ({OCCURRENCE_BUDGET:,} occurrences or "
                f"{CHARACTER_BUDGET:,} characters)"
            )
        yield at, _context_before(text, at, prefix) + _context_after(text, at + len(exact), suffix)
        at = text.find(exact, at + 1)


def best_occurrences(
    text: str, exact: str, prefix: str = "", suffix: str = "", budget: Budget | None = None
) -> list[int]:
    """Where ``exact`` occurs with surroundings matching ``prefix`` and ``suffix`` best
    (raises TooManyOccurrences: see :func:`_scored`)."""
    best: list[int] = []
    score = -1
    for at, context in _scored(text, exact, prefix, suffix, budget):
        if context > score:
            best, score = [at], context
        elif context == score:
            best.append(at)
    return best


def anchor(
    text: str,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    near: int | None = None,
    budget: Budget | None = None,
) -> tuple[int, int] | None:
    """Where ``exact`` occurs in ``text``: the occurrence whose surroundings best match the
    prefix and suffix, the nearest to ``near`` breaking ties; None when it does not occur
    (raises TooManyOccurrences: see :func:`_scored`)."""
    best: tuple[int, int, int] | None = None
    for at, context in _scored(text, exact, prefix, suffix, budget):
        distance = abs(at - near) if near is not None else 0
        if best is None or (context, -distance) > (best[1], -best[2]):
            best = (at, context, distance)
    return (best[0], best[0] + len(exact)) if best else None


class _Reader:
    def __init__(self, text: str, file: str, unit: str, raw: str, text_file: str | None) -> None:
        self.text, self.file, self.unit, self.text_file = text, file, unit, text_file
        self.map = OffsetMap(text, unit)
        #: What is left of this import's budget for weighing quotes.
        self.budget = Budget()
        self.findings: list[Finding] = []
        self.origins: dict[str, Origin] = {}
        self.lines = LineIndex(raw)
        self.positions = JsonPositions(raw)
        self.pool = IdPool()
        self.evidence: list[tuple[int, int, str]] = []
        #: The ``source`` of every text target: the annotated page, if it is one.
        self.sources: set[str] = set()
        #: Whether the annotation being read was written by corpuskit (its ``corpuskit`` member).
        self.ours = False

    def where(self, pointer: str) -> tuple[int, int]:
        found = self.positions.find(pointer)
        return self.lines.line_col(found[1].start) if found else (1, 1)

    def warn(self, rule: Rule, message: str, pointer: str, hint: str | None = None) -> None:
        self.findings.append(
            SourceFinding(rule, message, position=self.where(pointer), file=self.file, hint=hint)
        )

    def fragment(self, resource: Any, pointer: str, ident: str) -> Fragment | None:
        if not isinstance(resource, dict):
            self.warn(
                I.NOT_CARRIED, f"{ident}: target {resource!r} is not a part of the text", pointer
            )
            return None
        if isinstance(resource.get("source"), str):
            self.sources.add(resource["source"])
        selectors = [s for s in _as_list(resource.get("selector")) if isinstance(s, dict)]
        quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"), None)
        position = next((s for s in selectors if s.get("type") == "TextPositionSelector"), None)
        if quote is None and position is None:
            self.warn(
                I.NOT_CARRIED,
                f"{ident}: no TextQuoteSelector or TextPositionSelector; left out",
                pointer,
            )
            return None
        exact = quote.get("exact") if quote else None
        exact = exact if isinstance(exact, str) and exact else None
        start = end = None
        if position is not None:
            s, e = position.get("start"), position.get("end")
            usable = all(isinstance(v, int) and not isinstance(v, bool) for v in (s, e))
            if not usable and exact is not None:
                self.warn(
                    I.REANCHORED,
                    f"{ident}: the TextPositionSelector's start {shorten(s)} and end {shorten(e)} "
                    "are not both whole numbers; anchored by the quote",
                    pointer,
                )
            if usable:
                assert isinstance(s, int) and isinstance(e, int)
                if exact is not None:
                    self.evidence.append((s, e, exact))
                start, end = self.map.to_codepoint(s), self.map.to_codepoint(e)
                if start is None or end is None:
                    self.warn(
                        I.OFFSET_UNIT,
                        f"{ident}: position {s if start is None else e} falls inside a character when counted in {self.unit}",
                        pointer,
                        "try another --offset-unit",
                    )
                    start = end = None
        if exact is None:
            if start is None or end is None:
                self.warn(
                    I.INPUT_MALFORMED,
                    f"{ident}: the position selector is unusable and there is no quote",
                    pointer,
                )
                return None
            return Fragment(start, end, self.text[start:end])
        if start is not None and end is not None and self.text[start:end] == exact:
            return Fragment(start, end, exact)
        given_prefix = quote.get("prefix") if quote else None
        given_suffix = quote.get("suffix") if quote else None
        prefix = given_prefix if isinstance(given_prefix, str) else ""
        suffix = given_suffix if isinstance(given_suffix, str) else ""
        found: tuple[int, int] | None
        try:
            if start is None:
                # No position to choose by: an occurrence the prefix and suffix do not single
                # out is not guessed (the first is no likelier than the others).
                places = best_occurrences(self.text, exact, prefix, suffix, self.budget)
                found = (places[0], places[0] + len(exact)) if places else None
            else:
                found = anchor(self.text, exact, prefix, suffix, start, self.budget)
        except TooManyOccurrences as exc:
            self._too_many(f"{ident}: the quote", exact, pointer, exc)
            return None
        if start is None and len(places) > 1:
            shown = ", ".join(f"[{a}, {a + len(exact)})" for a in places[:10])
            more = f" and {len(places) - 10} more" if len(places) > 10 else ""
            self.warn(
                I.QUOTE_NOT_FOUND,
                f"{ident}: the quote {exact!r} occurs {len(places)} times with surroundings "
                f"that match its prefix and suffix equally ({shown}{more}); left out",
                pointer,
                "give a prefix or suffix that occurs around one of them only, or a "
                "TextPositionSelector",
            )
            return None
        if found is None:
            self.warn(
                I.QUOTE_NOT_FOUND,
                f"{ident}: the quote {exact!r} occurs nowhere in the text; left out",
                pointer,
            )
            return None
        if start is not None:
            self.warn(
                I.REANCHORED,
                f"{ident}: the text at [{start}, {end}) is not the quote {exact!r}; re-anchored by the quote at [{found[0]}, {found[1]})",
                pointer,
            )
        return Fragment(found[0], found[1], exact)

    def _too_many(self, what: str, exact: str, pointer: str, why: TooManyOccurrences) -> None:
        self.warn(
            I.QUOTE_NOT_FOUND,
            f"{what} {shorten(exact)} {why}: not placed by its quote; left out",
            pointer,
            "give a TextPositionSelector (or the cue's start and end) that holds the quote",
        )

    def span(self, target: Any, pointer: str, ident: str) -> Span | None:
        targets = _as_list(target)
        resources: list[tuple[Any, str]] = []
        for i, t in enumerate(targets):
            p = f"{pointer}/{i}" if isinstance(target, list) else pointer
            if isinstance(t, dict) and _types(t.get("type")) & {"List", "Composite"}:
                resources += [
                    (item, f"{p}/items/{j}") for j, item in enumerate(_as_list(t.get("items")))
                ]
            else:
                resources.append((t, p))
        if isinstance(target, list) and len(target) > 1 and not self.ours:
            self.warn(
                I.APPROXIMATED,
                f"{ident} has {len(target)} targets; they become the fragments of one span",
                pointer,
            )
        fragments = []
        for resource, p in resources:
            f = self.fragment(resource, p, ident)
            if f is None:
                return None
            fragments.append(f)
        return tuple(fragments) or None

    def cue(self, value: Any, pointer: str, ident: str) -> Span:
        """A quote's or claim's cue from the corpuskit member, re-anchored when it moved."""
        out = []
        for item in _as_list(value):
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                self.warn(
                    I.INPUT_MALFORMED,
                    f"{ident}: the cue part {shorten(item)} has no text; left out",
                    pointer,
                )
                continue
            start, end, exact = item.get("start"), item.get("end"), item["text"]
            if isinstance(start, int) and isinstance(end, int) and self.text[start:end] == exact:
                out.append(Fragment(start, end, exact))
                continue
            try:
                found = anchor(
                    self.text,
                    exact,
                    near=start if isinstance(start, int) else None,
                    budget=self.budget,
                )
            except TooManyOccurrences as exc:
                self._too_many(f"{ident}: the cue", exact, pointer, exc)
                return ()
            if found is None:
                self.warn(
                    I.QUOTE_NOT_FOUND,
                    f"{ident}: the cue {exact!r} occurs nowhere in the text; left out",
                    pointer,
                )
                return ()
            self.warn(
                I.REANCHORED,
                f"{ident}: the cue {exact!r} was re-anchored at [{found[0]}, {found[1]})",
                pointer,
            )
            out.append(Fragment(found[0], found[1], exact))
        return tuple(out)


def read_w3c(
    data: bytes,
    text: str,
    file: str = "annotations.jsonld",
    text_file: str | None = None,
    unit: str | None = None,
    name: str | None = None,
) -> Imported:
    """Web Annotations (a collection, page, list or one annotation) on ``text``.

    ``unit`` counts TextPositionSelector offsets (default: what the file says it used, or
    code points as the W3C model prescribes).
    """
    stem = name or file.rsplit("/", 1)[-1].split(".")[0]
    try:
        parsed, raw, warnings = load_json(data)
    except InputProblem as problem:
        return Imported(
            stem,
            file,
            None,
            [Finding(I.INPUT_UNREADABLE, str(problem), position=problem.position)],
        )
    found = _items(parsed)
    if found is None:
        return Imported(
            stem,
            file,
            None,
            [
                Finding(
                    I.INPUT_UNREADABLE,
                    "not an Annotation, AnnotationPage, AnnotationCollection or list of annotations",
                    position=(1, 1),
                )
            ],
        )
    items, collection = found
    ours = _obj(collection.get("corpuskit"))
    declared = ours.get("offset_unit")
    chosen = unit or (declared if declared in ("codepoint", "utf8", "utf16") else "codepoint")
    reader = _Reader(text, file, chosen, raw, text_file)
    reader.findings.extend(warnings)
    doc_id = ours.get("id") if isinstance(ours.get("id"), str) else None
    doc_id = document_id(doc_id or stem)
    if isinstance(ours.get("text_sha256"), str) and ours["text_sha256"] != text_sha256(text):
        reader.warn(
            I.REANCHORED,
            "the text is not the one these annotations were made on (its sha256 differs); they are anchored by their quotes",
            "/corpuskit",
        )
    document = _document(reader, items, doc_id, ours, collection)
    unit_problem = unit_finding(text, reader.evidence, chosen, "TextPositionSelector offsets")
    if unit_problem is not None:
        # Quotes have re-anchored what the positions missed: the unit is worth a warning.
        reader.findings.insert(
            0, Finding(I.REANCHORED, unit_problem.message, position=(1, 1), hint=unit_problem.hint)
        )
    renamed = renamed_finding(reader.pool.renamed, "to fit corpuskit")
    if renamed is not None:
        reader.findings.append(renamed)
    return Imported(stem, file, document, reader.findings, reader.origins)


def import_source(source: InputSource, options: ImportOptions) -> Iterator[Imported | Converted]:
    """The registry's reader: one ``.jsonld`` file, on the text of the ``.txt`` beside it."""
    from corpuskit.interop.registry import os_reason

    path = source.path
    text_path = path.with_suffix(".txt")
    current = path
    try:
        data = options.read(path)
        current = text_path
        text = options.read(text_path).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else str(exc)
        problem = Finding(
            I.INPUT_UNREADABLE,
            f"{current}: cannot read: {reason}",
            position=(1, 1),
            hint="Web Annotations are read with the text they annotate, in a .txt beside them",
        )
        yield Imported(path.stem, str(path), None, [problem])
        return
    yield read_w3c(data, text, str(path), str(text_path), options.unit, path.stem)


def _local_id(iri: Any, doc_id: str) -> str | None:
    """The annotation id inside an annotation IRI (``urn:corpuskit:doc:m1``, ``...#m1``, ``.../m1``)."""
    if not isinstance(iri, str) or not iri:
        return None
    prefix = _iri(doc_id) + ":"
    if iri.startswith(prefix):
        return iri[len(prefix) :]
    for sep in ("#", "/", ":"):
        if sep in iri:
            return iri.rsplit(sep, 1)[-1] or None
    return iri


def _document(
    reader: _Reader,
    items: list[tuple[str, Any]],
    doc_id: str,
    ours: dict[str, Any],
    collection: dict[str, Any],
) -> Document:
    annotations = [(p, a) for p, a in items if isinstance(a, dict)]
    for p, a in items:
        if not isinstance(a, dict):
            reader.warn(I.INPUT_MALFORMED, "an annotation must be an object; left out", p)
    reader.pool.reserve(_local_id(a.get("id"), doc_id) for _, a in annotations)
    by_iri: dict[str, str] = {}
    local: dict[str, str] = {}
    idents = []
    for p, a in annotations:
        raw = _local_id(a.get("id"), doc_id)
        ident = reader.pool.take(raw, "wa")
        if a.get("id") is not None and not isinstance(a.get("id"), str):
            reader.warn(
                I.ID_RENAMED,
                f"the id {shorten(a.get('id'))} is not a string (an IRI); the annotation is {ident}",
                f"{p}/id",
            )
        idents.append(ident)
        if isinstance(a.get("id"), str):
            by_iri.setdefault(a["id"], ident)  # as local ids: the first of a repeated id
        if raw is not None:
            local.setdefault(raw, ident)

    def ref(value: Any) -> str:
        if isinstance(value, str) and value in by_iri:
            return by_iri[value]
        found = _local_id(value, doc_id) or ""
        return local.get(found, found)

    kinds: dict[str, list[Any]] = {k: [] for k in _MOTIVATION}
    for (p, a), ident in zip(annotations, idents, strict=True):
        extra = _obj(a.get("corpuskit"))
        kind = extra.get("kind", "mention")
        bodies = [b for b in _as_list(a.get("body")) if isinstance(b, dict)]
        if isinstance(a.get("bodyValue"), str):
            bodies.append({"type": "TextualBody", "value": a["bodyValue"]})
        tags = [
            b["value"]
            for b in bodies
            if b.get("purpose") == "tagging" and isinstance(b.get("value"), str)
        ]
        notes = [
            b["value"]
            for b in bodies
            if b.get("purpose") in (None, "commenting") and isinstance(b.get("value"), str)
        ]
        note = "\n".join(notes) if notes else None
        other = [
            b
            for b in bodies
            if b.get("purpose") not in (None, "commenting", "tagging", "identifying", "describing")
        ]
        other += [b for b in _as_list(a.get("body")) if not isinstance(b, dict)]
        if other:
            reader.warn(
                I.NOT_CARRIED,
                f"{ident}: {len(other)} bodies that are neither tags nor comments are not kept",
                p,
            )
        if len(tags) > 1:
            reader.warn(
                I.NOT_CARRIED,
                f"{ident}: only the first of its tags ({', '.join(tags)}) becomes its type",
                p,
            )
        motivation = next((m for m in _as_list(a.get("motivation")) if isinstance(m, str)), None)
        type_name = tags[0] if tags else None
        if type_name is None and kind in ("mention", "entity", "event", "relation"):
            type_name = motivation or "untyped"
            reader.warn(
                I.APPROXIMATED,
                f"{ident} has no tagging body; its type is {fit_name(type_name)!r}",
                p,
            )
        type_name = _name(reader, type_name or "untyped", p)
        target = a.get("target")
        tp = f"{p}/target"
        reader.ours = isinstance(a.get("corpuskit"), dict)
        reader.origins[ident] = Origin(
            reader.file, *reader.where(p), reader.lines.line_text(reader.where(p)[0])
        )
        if kind in ("mention", "quote", "claim", "event"):
            span = reader.span(target, tp, ident)
            if span is None:
                continue
            if kind == "mention":
                kinds["mentions"].append(Mention(ident, type_name, span, note))
            elif kind == "quote":
                mode: QuoteMode = "indirect" if extra.get("mode") == "indirect" else "direct"
                speaker = extra.get("speaker")
                cue = reader.cue(extra.get("cue"), p, ident)
                kinds["quotes"].append(
                    Quote(ident, span, mode, ref(speaker) if speaker else None, cue, note)
                )
            elif kind == "claim":
                source, channel = extra.get("source"), extra.get("channel")
                kinds["claims"].append(
                    Claim(
                        ident,
                        span,
                        ref(source) if source else None,
                        ref(channel) if channel else None,
                        note,
                        reader.cue(extra.get("cue"), p, ident),
                    )
                )
            else:
                kinds["events"].append(
                    Event(ident, type_name, span, _args(reader, extra, ref, p), note)
                )
        elif kind == "entity":
            links: list[KBLink] = []
            for k in _as_list(extra.get("links")):
                if isinstance(k, dict) and isinstance(k.get("kb"), str) and k.get("id"):
                    links.append(KBLink(_name(reader, k["kb"], p), _text(k["id"])))
                else:
                    reader.warn(
                        I.INPUT_MALFORMED,
                        f"{ident}: the link {shorten(k)} is not a kb and an id; left out",
                        p,
                    )
            name = extra.get("name")
            kinds["entities"].append(
                Entity(
                    ident,
                    type_name,
                    tuple(ref(t) for t in _as_list(target)),
                    name if isinstance(name, str) else None,
                    tuple(links),
                    note,
                )
            )
        elif kind == "relation":
            kinds["relations"].append(
                Relation(ident, type_name, _args(reader, extra, ref, p), note)
            )
        elif kind == "attribute":
            value = extra.get("value")
            if not isinstance(value, str | int | float | bool) or not isinstance(
                extra.get("name"), str
            ):
                reader.warn(
                    I.INPUT_MALFORMED,
                    f"{ident}: an attribute needs a name and a string, number or boolean value",
                    p,
                )
                continue
            attr_value: AttributeValue = value
            if isinstance(value, HugeNumber):
                reader.warn(
                    I.APPROXIMATED,
                    f"{ident}: the value has {len(value):,} digits, too many for a number; "
                    "it is kept as a string",
                    p,
                )
            kinds["attributes"].append(
                Attribute(ident, ref(target), _name(reader, extra["name"], p), attr_value, note)
            )
        else:
            reader.warn(I.NOT_CARRIED, f"{ident}: unknown corpuskit kind {kind!r}; left out", p)
    # Properties of the annotations themselves (who, when, with what) have no corpuskit place.
    dropped = sorted({k for _, a in annotations for k in a} - _KNOWN)
    if dropped:
        reader.warn(
            I.NOT_CARRIED,
            f"annotation properties {', '.join(dropped)} are not kept",
            annotations[0][0],
        )
    meta = _metadata(ours, collection, doc_id, reader)
    return Document(
        id=doc_id,
        meta=meta,
        text=reader.text,
        text_sha256=text_sha256(reader.text),
        mentions=tuple(kinds["mentions"]),
        entities=tuple(kinds["entities"]),
        quotes=tuple(kinds["quotes"]),
        claims=tuple(kinds["claims"]),
        events=tuple(kinds["events"]),
        relations=tuple(kinds["relations"]),
        attributes=tuple(kinds["attributes"]),
    )


def _name(reader: _Reader, raw: str, pointer: str) -> str:
    fitted = fit_name(raw)
    if fitted != raw:
        reader.warn(I.NAME_CHANGED, f"name {raw!r} becomes {fitted!r}", pointer)
    return fitted


def _text(value: Any) -> str:
    """A scalar as text (an id may be written as a number); objects as their JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _args(reader: _Reader, extra: dict[str, Any], ref: Any, pointer: str) -> tuple[Argument, ...]:
    out = []
    for x in _as_list(extra.get("args")):
        if not isinstance(x, dict):
            reader.warn(
                I.INPUT_MALFORMED, f"the argument {shorten(x)} is not an object; left out", pointer
            )
            continue
        out.append(
            Argument(_name(reader, _text(x.get("role") or "arg"), pointer), ref(x.get("ref")))
        )
    return tuple(out)


def _metadata(
    ours: dict[str, Any], collection: dict[str, Any], doc_id: str, reader: _Reader
) -> Metadata:
    meta = ours.get("meta")
    if meta is not None:
        checked, problem = checked_metadata(meta)
        if checked is not None:
            return checked
        reader.warn(
            I.INPUT_MALFORMED,
            f"the collection's corpuskit metadata does not fit corpuskit ({problem}); "
            "only its label is kept",
            "/corpuskit/meta",
        )
    label = collection.get("label")
    meta = plain_metadata(label if isinstance(label, str) and label else doc_id)
    # Annotations made on one web page say which: that is the document's URL.
    (source,) = reader.sources if len(reader.sources) == 1 else ("",)
    if _URL.fullmatch(source):
        return Metadata(title=meta.title, language=meta.language, url=source)
    return meta
