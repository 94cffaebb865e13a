"""Corpus statistics: documents, characters, annotations per kind and type, quotes per speaker,
knowledge-base coverage and attribute value distributions.

A document stored twice (the bundled corpus keeps each article as JSON and as XML) is counted
once: files with the same document id count as one document, and the report says whether the
copies agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpuskit.model import ANNOTATION_KINDS, Document
from corpuskit.reporters.escape import display_path, dump_json, report_line, visible
from corpuskit.views.common import Index, format_value, load_document, speaker_name

#: Kinds whose annotations are broken down by type (quotes by mode, attributes by name).
_TYPE_OF = {
    "mentions": "type",
    "entities": "type",
    "quotes": "mode",
    "events": "type",
    "relations": "type",
    "attributes": "name",
}


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A document id held by several files."""

    id: str
    paths: tuple[str, ...]
    #: Whether every copy holds the same document (same text, metadata and annotations).
    identical: bool


@dataclass(slots=True)
class CorpusStats:
    """The numbers of one corpus (a folder or file given on the command line)."""

    name: str
    files: int = 0
    documents: int = 0
    characters: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    #: Kind -> type (quote mode, attribute name) -> count.
    types: dict[str, Counter[str]] = field(default_factory=dict)
    #: Speaker name (the entity's name) -> quotes.
    quote_speakers: Counter[str] = field(default_factory=Counter)
    #: Source name -> claims.
    claim_sources: Counter[str] = field(default_factory=Counter)
    entities: int = 0
    entities_linked: int = 0
    #: Knowledge base -> links.
    links: Counter[str] = field(default_factory=Counter)
    #: Entity type -> (linked, total).
    linked_by_type: dict[str, list[int]] = field(default_factory=dict)
    #: Attribute name -> value (as JSON) -> count.
    attribute_values: dict[str, Counter[str]] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)
    #: Files that are not readable documents: (path, why).
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: Annotations left out because they fail the schema.
    skipped_annotations: int = 0

    @property
    def kb_coverage(self) -> float | None:
        """Share of entities with at least one knowledge-base link (None without entities)."""
        return self.entities_linked / self.entities if self.entities else None

    def add(self, document: Document) -> None:
        """Count one document."""
        index = Index(document)
        self.documents += 1
        self.characters += len(document.text)
        for kind in ANNOTATION_KINDS:
            items = getattr(document, kind)
            self.kinds[kind] += len(items)
            if kind in _TYPE_OF:
                by_type = self.types.setdefault(kind, Counter())
                by_type.update(str(getattr(a, _TYPE_OF[kind])) for a in items)
        for quote in document.quotes:
            self.quote_speakers[speaker_name(quote.speaker, index)] += 1
        for claim in document.claims:
            self.claim_sources[speaker_name(claim.source, index)] += 1
        for entity in document.entities:
            self.entities += 1
            linked = self.linked_by_type.setdefault(entity.type, [0, 0])
            linked[1] += 1
            if entity.links:
                self.entities_linked += 1
                linked[0] += 1
            self.links.update(link.kb for link in entity.links)
        for attribute in document.attributes:
            values = self.attribute_values.setdefault(attribute.name, Counter())
            values[format_value(attribute.value)] += 1

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output (counts sorted, most frequent first)."""
        return {
            "corpus": self.name,
            "files": self.files,
            "documents": self.documents,
            "characters": self.characters,
            "annotations": {
                "total": sum(self.kinds.values()),
                "by_kind": {k: self.kinds.get(k, 0) for k in ANNOTATION_KINDS},
                "by_type": {k: _ranked(v) for k, v in self.types.items()},
            },
            "quotes_per_speaker": _ranked(self.quote_speakers),
            "claims_per_source": _ranked(self.claim_sources),
            "knowledge_bases": {
                "entities": self.entities,
                "linked": self.entities_linked,
                "coverage": self.kb_coverage,
                "links": _ranked(self.links),
                "by_type": {
                    t: {"linked": n[0], "entities": n[1]}
                    for t, n in sorted(self.linked_by_type.items())
                },
            },
            "attribute_values": {n: _ranked(v) for n, v in sorted(self.attribute_values.items())},
            "duplicates": [
                {"id": d.id, "paths": list(d.paths), "identical": d.identical}
                for d in self.duplicates
            ],
            "unreadable": [{"path": p, "message": m} for p, m in self.unreadable],
            "skipped_annotations": self.skipped_annotations,
        }


def _ranked(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def corpus_stats(path: Path, name: str | None = None) -> CorpusStats:
    """The statistics of every document under ``path`` (a folder, searched recursively, or a file)."""
    from corpuskit.engine import iter_documents

    stats = CorpusStats(name or str(path))
    if not path.exists():
        stats.unreadable.append((str(path), "no such file or folder"))
        return stats
    seen: dict[str, tuple[Document, list[str], list[bool]]] = {}
    for file in iter_documents([path]):
        stats.files += 1
        loaded = load_document(file)
        document = loaded.document
        if document is None:
            stats.unreadable.append((str(file), loaded.problem or "not a document"))
            continue
        stats.skipped_annotations += loaded.skipped
        if document.id in seen:
            first, paths, same = seen[document.id]
            paths.append(str(file))
            same.append(first == document)
            continue
        seen[document.id] = (document, [str(file)], [])
        stats.add(document)
    stats.duplicates = [
        Duplicate(ident, tuple(paths), all(same))
        for ident, (_, paths, same) in seen.items()
        if len(paths) > 1
    ]
    return stats


# ---------------------------------------------------------------- rendering


def _table(rows: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    # Escaped before the widths are taken, so that the columns line up as shown.
    rows = [(visible(label), value) for label, value in rows]
    width = max(len(label) for label, _ in rows)
    number = max(len(value) for _, value in rows)
    return [f"{indent}{label:<{width}}  {value:>{number}}" for label, value in rows]


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def _text_block(stats: CorpusStats) -> list[str]:
    total = sum(stats.kinds.values())
    lines = [
        f"{display_path(stats.name)}: {stats.documents:,} document{'s' if stats.documents != 1 else ''} "
        f"in {stats.files:,} file{'s' if stats.files != 1 else ''}, "
        f"{stats.characters:,} characters, {total:,} annotations"
    ]
    for d in stats.duplicates:
        agree = "identical" if d.identical else "they DIFFER"
        lines.append(
            f"  {d.id}: one document in {len(d.paths)} files ({agree}): {', '.join(d.paths)}"
        )
    for path, message in stats.unreadable:
        lines.append(f"  skipped {path}: {message}")
    if stats.skipped_annotations:
        lines.append(
            f"  {stats.skipped_annotations} annotations fail the schema and are not counted"
        )
    rows: list[tuple[str, str]] = []
    for kind in ANNOTATION_KINDS:
        rows.append((kind, f"{stats.kinds.get(kind, 0):,}"))
        rows.extend(
            (f"  {t}", f"{n:,}") for t, n in _ranked(stats.types.get(kind, Counter())).items()
        )
    lines += ["", "Annotations", *_table(rows)]
    if stats.quote_speakers:
        speakers = [(s, f"{n:,}") for s, n in _ranked(stats.quote_speakers).items()]
        lines += ["", "Quotes per speaker", *_table(speakers)]
    if stats.claim_sources:
        sources = [(s, f"{n:,}") for s, n in _ranked(stats.claim_sources).items()]
        lines += ["", "Claims per source", *_table(sources)]
    lines += [
        "",
        f"Knowledge-base links: {stats.entities_linked:,} of {stats.entities:,} entities linked "
        f"({_percent(stats.kb_coverage)})",
    ]
    lines += _table([(kb, f"{n:,} links") for kb, n in _ranked(stats.links).items()])
    if stats.linked_by_type:
        lines.append("  linked entities by type")
        by_type = [
            (t, f"{n[0]:,} of {n[1]:,} ({_percent(n[0] / n[1])})")
            for t, n in sorted(stats.linked_by_type.items())
        ]
        lines += _table(by_type, "    ")
    if stats.attribute_values:
        lines += ["", "Attribute values"]
        for name, values in sorted(stats.attribute_values.items()):
            lines.append(f"  {name}")
            lines += _table([(v, f"{n:,}") for v, n in _ranked(values).items()], "    ")
    return lines


def render_text(corpora: list[CorpusStats]) -> str:
    """A plain-text report: one block of tables per corpus.

    Types, names, ids, attribute values and file names come from the documents: every line is
    escaped as a whole (control, line-breaking and bidi characters), so none reaches a terminal
    raw, and none reads as a CI runner's command (the escapes are plain ASCII: a label escaped
    already for its column is left as it is)."""
    blocks = ("\n".join(map(report_line, _text_block(s))) for s in corpora)
    return "\n\n".join(blocks) + "\n"


def render_json(corpora: list[CorpusStats]) -> str:
    """The statistics as JSON: ``{"corpora": [...]}``, with no raw control, line-breaking or
    bidi character (JSON escapes keep the values exact)."""
    return dump_json({"corpora": [s.to_dict() for s in corpora]}) + "\n"


RENDERERS = {"text": render_text, "json": render_json}
