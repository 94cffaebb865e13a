"""What a BioC document holds beyond the corpuskit model, kept so that export restores it.

A corpuskit document has one text and no passages; BioC documents have passages and sentences at
offsets, each with infons, annotations placed in them, relations at document level, collection
fields and ids that need not be corpuskit ids. The importer joins the passages' texts (one line
break between passages, one space between sentences, nothing where they touch) and records the
rest in a *layout record*: one line of the document's ``meta.provenance.note``,

    bioc-layout: {"v": 1, "unit": "codepoint", "passages": [...], ...}

(schema-valid: a provenance note is free text; docs/interop.md describes every member). The
exporter reads the line back, writes passages at their offsets, annotations into the passage or
sentence they came from, and strips the line from the provenance it writes. The format itself
would need a ``sections`` list (or passage-typed spans with infons) to hold this natively.

KB identifiers: an ``identifier`` infon, or an infon named like a knowledge base the scheme
declares (``MESH``), becomes an entity link when exactly one declared knowledge base fits the
value; when several fit, the infon stays an attribute and every candidate is reported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corpuskit.model import Metadata
    from corpuskit.scheme import Scheme

#: The prefix of the provenance-note line holding the layout record.
MARKER = "bioc-layout: "
VERSION = 1
#: How PubTator and BC5CDR join several ids in one infon (``D012345|D000001``).
_ID_SEPARATORS = re.compile(r"[|;,]")


@dataclass(slots=True)
class Container:
    """A passage or sentence: where its text went, its infons and what it held."""

    #: BioC offset minus the end of the text before it (in the unit read): restored on export.
    gap: int
    #: Its text in the corpuskit text, as [start, end) code points (None: it had no text).
    start: int | None = None
    end: int | None = None
    infons: dict[str, str] = field(default_factory=dict)
    #: corpuskit ids of the annotations and relations it held, in order.
    items: list[str] = field(default_factory=list)
    #: Relations without nodes (PubTator concept relations): no corpuskit relation can hold
    #: them, so they are kept whole, as ``{"id", "infons"}``.
    loose: list[dict[str, Any]] = field(default_factory=list)
    sentences: list[Container] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """The container as JSON (empty members left out)."""
        out: dict[str, Any] = {"gap": self.gap}
        if self.start is not None:
            out["start"], out["end"] = self.start, self.end
        for key, value in (("infons", self.infons), ("items", self.items), ("loose", self.loose)):
            if value:
                out[key] = value
        if self.sentences:
            out["sentences"] = [s.record() for s in self.sentences]
        return out


@dataclass(slots=True)
class Layout:
    """The layout record of one document (see the module docstring)."""

    unit: str = "codepoint"
    #: The BioC document id, when it was not a corpuskit id.
    document: str = ""
    #: The collection's source, date, key and infons, when not corpuskit's own.
    collection: dict[str, Any] = field(default_factory=dict)
    #: Document infons that did not become metadata.
    infons: dict[str, str] = field(default_factory=dict)
    passages: list[Container] = field(default_factory=list)
    #: Annotations and relations of the document itself (not of a passage).
    items: list[str] = field(default_factory=list)
    loose: list[dict[str, Any]] = field(default_factory=list)
    #: corpuskit id -> the BioC id it was read as (only ids that had to change).
    ids: dict[str, str] = field(default_factory=dict)
    #: Entity id -> {"infon", "value", "links"}: entities made from identifier infons.
    identifiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Metadata the importer made up when no infon gave it (title from a passage, language
    #: ``und``): export writes a metadata infon only when it was one or has changed since.
    derived: dict[str, str] = field(default_factory=dict)

    def trivial(self) -> bool:
        """Whether one plain passage at offset 0 says it all (then nothing is recorded)."""
        if len(self.passages) != 1:
            return False
        (p,) = self.passages
        return not (
            p.gap or p.infons or p.sentences or p.loose or p.start is None or p.start != 0
        ) and not (
            self.collection
            or self.infons
            or self.items
            or self.loose
            or self.ids
            or self.identifiers
            or self.document
        )

    def line(self) -> str:
        """The provenance-note line holding the record."""
        record: dict[str, Any] = {"v": VERSION, "unit": self.unit}
        if self.document:
            record["document"] = self.document
        for key in ("collection", "infons", "derived", "ids", "identifiers", "items", "loose"):
            value = getattr(self, key)
            if value:
                record[key] = value
        record["passages"] = [p.record() for p in self.passages]
        return MARKER + json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _container(raw: Any) -> Container:
    if not isinstance(raw, dict) or not isinstance(raw.get("gap"), int):
        raise ValueError("a passage needs a whole-number gap")
    start, end = raw.get("start"), raw.get("end")
    if (start is None) != (end is None) or not all(
        v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in (start, end)
    ):
        raise ValueError("a passage's start and end must both be whole numbers")
    infons = _strings(raw.get("infons", {}))
    items = raw.get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("items must be a list of ids")
    return Container(
        raw["gap"],
        start,
        end,
        infons,
        items,
        _loose(raw.get("loose", [])),
        [_container(s) for s in _list(raw.get("sentences", []))],
    )


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("infons must map names to strings")
    return value


def _loose(value: Any) -> list[dict[str, Any]]:
    for item in _list(value):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str | None):
            raise ValueError("a loose relation needs an id")
        _strings(item.get("infons", {}))
    return list(value)


def split_note(note: str | None) -> tuple[str | None, str | None]:
    """(the note without the layout line, the layout line's JSON) of a provenance note."""
    if note is None:
        return None, None
    lines = note.split("\n")
    if not lines[-1].startswith(MARKER):
        return note, None
    rest = "\n".join(lines[:-1])
    return rest or None, lines[-1][len(MARKER) :]


def join_note(note: str | None, layout: Layout) -> str:
    """A provenance note with the layout line after what it said."""
    return f"{note}\n{layout.line()}" if note else layout.line()


def parse_layout(text: str) -> Layout:
    """The record of a layout line's JSON; ValueError saying what is wrong."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    if not isinstance(raw, dict) or raw.get("v") != VERSION:
        raise ValueError(f"not a version-{VERSION} layout record")
    unit = raw.get("unit")
    if unit not in ("codepoint", "utf8", "utf16"):
        raise ValueError(f"unknown unit {unit!r}")
    collection = raw.get("collection", {})
    if not isinstance(collection, dict):
        raise ValueError("collection must be an object")
    ids = _strings(raw.get("ids", {}))
    identifiers = raw.get("identifiers", {})
    if not isinstance(identifiers, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("infon"), str) and isinstance(v.get("value"), str)
        for v in identifiers.values()
    ):
        raise ValueError("identifiers must map entity ids to an infon and a value")
    items = raw.get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("items must be a list of ids")
    document = raw.get("document", "")
    if not isinstance(document, str):
        raise ValueError("the document id must be a string")
    return Layout(
        unit,
        document,
        collection,
        _strings(raw.get("infons", {})),
        [_container(p) for p in _list(raw.get("passages", []))],
        items,
        _loose(raw.get("loose", [])),
        ids,
        identifiers,
        _strings(raw.get("derived", {})),
    )


def layout_of(meta: Metadata) -> tuple[Layout | None, str | None]:
    """The layout record a document's provenance note holds, and what is wrong with it."""
    _, line = split_note(meta.provenance.note if meta.provenance else None)
    if line is None:
        return None, None
    try:
        return parse_layout(line), None
    except ValueError as exc:
        return None, str(exc)


# --------------------------------------------------------------------------- KB identifiers


def is_identifier_infon(key: str, scheme: Scheme | None) -> bool:
    """Whether an infon holds KB ids: ``identifier``, or a declared knowledge base's name."""
    if key.lower() == "identifier":
        return True
    return scheme is not None and any(key.lower() == kb.lower() for kb in scheme.knowledge_bases)


def kb_candidates(key: str, value: str, scheme: Scheme) -> list[tuple[str, str]]:
    """Every (knowledge base, id) the scheme allows for one id of an identifier infon.

    ``MESH:D009270`` names its base; an infon named like a base (``MESH``) names it too; a bare
    ``identifier`` (``3039``) fits every base whose id pattern accepts it.
    """
    from corpuskit.scheme import compile_pattern

    bases = scheme.knowledge_bases
    named = [kb for kb in bases if kb.lower() == key.lower()]
    prefix, sep, rest = value.partition(":")
    by_prefix = [kb for kb in bases if sep and kb.lower() == prefix.lower()]
    out: list[tuple[str, str]] = []
    for kb in named or by_prefix or list(bases):
        pattern = compile_pattern(bases[kb].id_pattern)
        for ident in (value, rest) if sep and kb in (*named, *by_prefix) else (value,):
            if ident and pattern.search(ident) and (kb, ident) not in out:
                out.append((kb, ident))
                break
    return out


def resolve_identifier(
    key: str, value: str, scheme: Scheme
) -> tuple[list[tuple[str, str]] | None, str | None]:
    """(links, None) when every id of the infon fits exactly one declared knowledge base;
    (None, why not) otherwise, naming every candidate of an ambiguous id."""
    links: list[tuple[str, str]] = []
    for part in (p.strip() for p in _ID_SEPARATORS.split(value)):
        found = kb_candidates(key, part, scheme) if part else []
        if not found:
            return None, f"{part!r} fits no knowledge base the scheme declares"
        if len(found) > 1:
            shown = " or ".join(f"{kb}:{ident}" for kb, ident in found)
            return None, f"{part!r} fits several knowledge bases ({shown})"
        links.append(found[0])
    return links, None
