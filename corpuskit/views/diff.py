"""A semantic diff of two versions of a document: text edits and annotation changes.

Annotations are paired in three passes, kind by kind: the same id with the same content (spans
mapped through the text edits, references through the pairs found so far); then the same
content under another id (renumbered); then the same id with other content (changed). What is
left is removed or added. Spans that only moved because the text was edited count as "shifted",
not as changes, so one inserted word does not flood the diff.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal

from corpuskit.formats.records import annotation_to_dict, meta_to_dict
from corpuskit.model import (
    ANNOTATION_KINDS,
    Annotation,
    Attribute,
    Claim,
    Document,
    Entity,
    Event,
    Mention,
    Quote,
    Relation,
    Span,
    spans_of,
)
from corpuskit.views.common import Index, describe, first_start, natural_key
from corpuskit.views.text_edits import OffsetMap, TextEdit, text_edits

Status = Literal["added", "removed", "changed", "renumbered"]
#: Fields whose value is a span.
SPAN_FIELDS = ("span", "cue", "trigger")
#: Fields whose value is one id.
REF_FIELDS = ("speaker", "source", "channel", "target")


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A field of an annotation that differs; for collections, also what came and what went."""

    field: str
    old: Any
    new: Any
    #: Items that came (for collections), each a dict with the item's fields and a ``label``.
    added: tuple[dict[str, Any], ...] = ()
    #: Items that went, as written in the old version.
    removed: tuple[dict[str, Any], ...] = ()
    #: Human names of the old and new value when the field holds a reference.
    old_label: str | None = None
    new_label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        out: dict[str, Any] = {"field": self.field, "old": self.old, "new": self.new}
        if self.added or self.removed:
            out["added"] = list(self.added)
            out["removed"] = list(self.removed)
        if self.old_label is not None or self.new_label is not None:
            out["old_label"] = self.old_label
            out["new_label"] = self.new_label
        return out


@dataclass(frozen=True, slots=True)
class AnnotationChange:
    """One annotation added, removed, changed or renumbered, with what it covers."""

    status: Status
    kind: str
    old_id: str | None
    new_id: str | None
    #: Its type (mention, entity, event, relation), mode (quote) or attribute name.
    type: str | None
    #: A short human name: the covered text, an entity's name ...
    label: str
    #: Where it starts in the new text (old text for removed ones), for ordering and display.
    start: int | None
    changes: tuple[FieldChange, ...] = ()

    @property
    def id(self) -> str:
        """The id to show: the new one, or the old one for a removed annotation."""
        return self.new_id or self.old_id or "?"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "status": self.status,
            "kind": self.kind,
            "old_id": self.old_id,
            "new_id": self.new_id,
            "type": self.type,
            "label": self.label,
            "start": self.start,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True, slots=True)
class DocumentDiff:
    """Everything that differs between two versions of one document."""

    old_path: str | None
    new_path: str | None
    old_id: str | None
    new_id: str | None
    #: ``modified``, or ``added``/``deleted`` when only one version exists.
    status: Literal["modified", "added", "deleted"] = "modified"
    old_length: int = 0
    new_length: int = 0
    text_edits: tuple[TextEdit, ...] = ()
    meta_changes: tuple[FieldChange, ...] = ()
    changes: tuple[AnnotationChange, ...] = ()
    #: Ids (new) of annotations whose offsets moved only because the text was edited.
    shifted: tuple[str, ...] = ()
    unchanged: int = 0
    #: Annotations per kind in the version that exists (for added or deleted documents).
    counts: dict[str, int] = field(default_factory=dict)
    #: Things the reader should know (annotations left out because they fail the schema ...).
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether the two versions hold the same text, metadata and annotations."""
        return (
            self.status == "modified"
            and not self.text_edits
            and not self.meta_changes
            and not self.changes
            and self.old_id == self.new_id
        )

    def summary(self) -> dict[str, int]:
        """How many annotations were added, removed, changed, renumbered and shifted."""
        counted = Counter(c.status for c in self.changes)
        out = {s: counted.get(s, 0) for s in ("added", "removed", "changed", "renumbered")}
        out["shifted"] = len(self.shifted)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "old_path": self.old_path,
            "new_path": self.new_path,
            "old_id": self.old_id,
            "new_id": self.new_id,
            "status": self.status,
            "old_length": self.old_length,
            "new_length": self.new_length,
            "summary": self.summary(),
            "text_edits": [e.to_dict() for e in self.text_edits],
            "meta_changes": [c.to_dict() for c in self.meta_changes],
            "changes": [c.to_dict() for c in self.changes],
            "shifted": list(self.shifted),
            "unchanged": self.unchanged,
            "counts": self.counts,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class DiffProblem:
    """A document that could not be compared (unreadable, or not buildable)."""

    path: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {"path": self.path, "message": self.message}


# ---------------------------------------------------------------- pairing


def span_value(span: Span) -> list[dict[str, Any]]:
    """A span as plain data (its record form)."""
    return [{"start": f.start, "end": f.end, "text": f.text} for f in span]


def _own_span(span: Span) -> tuple[tuple[int, int, str], ...]:
    return tuple((f.start, f.end, f.text) for f in span)


class _Pairing:
    """Pairs old annotations with new ones; ``ids`` maps paired old ids to new ids."""

    def __init__(self, old: Document, new: Document, offsets: OffsetMap) -> None:
        self.old, self.new, self.offsets = old, new, offsets
        self.ids: dict[str, str] = {}
        self.pairs: list[tuple[str, Annotation, Annotation]] = []
        self.removed: list[tuple[str, Annotation]] = []
        self.added: list[tuple[str, Annotation]] = []

    def ref(self, ident: str) -> str:
        """An old reference in new ids (unpaired ids cannot equal a new id: they get a marker)."""
        return self.ids.get(ident, f"\0{ident}")

    def signature(self, a: Annotation, old: bool) -> Hashable:
        """What makes two annotations "the same" apart from their id and their note."""
        ref: Callable[[str], str] = self.ref if old else str

        def span(s: Span) -> Hashable:
            mapped = self.offsets.span(s) if old else _own_span(s)
            # An edited span matches nothing: its annotation is paired by id or not at all.
            return mapped if mapped is not None else ("\0edited", id(a))

        if isinstance(a, Mention):
            return (a.type, span(a.span))
        if isinstance(a, Quote | Claim):
            return span(a.span)
        if isinstance(a, Event):
            return (a.type, span(a.trigger))
        if isinstance(a, Entity):
            return (a.type, frozenset(ref(m) for m in a.mentions))
        if isinstance(a, Relation):
            return (a.type, tuple(sorted((g.role, ref(g.ref)) for g in a.args)))
        return (ref(a.target), a.name)

    def pair_kind(self, kind: str) -> None:
        """Pair the annotations of one kind (references to earlier kinds are already paired)."""
        olds: dict[str, Annotation] = {}
        for a in getattr(self.old, kind):
            olds.setdefault(a.id, a)
        news: dict[str, Annotation] = {}
        for a in getattr(self.new, kind):
            news.setdefault(a.id, a)
        taken: set[str] = set()
        # Relations may point at relations: repeat until no new pair turns up.
        for _ in range(len(olds) + 1 if kind == "relations" else 1):
            before = len(taken)
            self._by_content(kind, olds, news, taken)
            if len(taken) == before:
                break
        paired_old = {o.id for k, o, _ in self.pairs if k == kind}
        for ident, a in olds.items():
            if ident not in paired_old and ident in news and ident not in taken:
                self._pair(kind, a, news[ident], taken)  # same id, other content: changed
                paired_old.add(ident)
        self.removed.extend((kind, a) for i, a in olds.items() if i not in paired_old)
        self.added.extend((kind, a) for i, a in news.items() if i not in taken)

    def _by_content(
        self, kind: str, olds: dict[str, Annotation], news: dict[str, Annotation], taken: set[str]
    ) -> None:
        done = {o.id for k, o, _ in self.pairs if k == kind}
        # Same id and same content first, so a renumbering elsewhere cannot steal it.
        for ident, a in olds.items():
            if (
                ident not in done
                and ident in news
                and ident not in taken
                and self.signature(a, True) == self.signature(news[ident], False)
            ):
                self._pair(kind, a, news[ident], taken)
                done.add(ident)
        by_signature: dict[Hashable, list[str]] = {}
        for ident, b in news.items():
            if ident not in taken:
                by_signature.setdefault(self.signature(b, False), []).append(ident)
        for ident, a in olds.items():
            if ident in done:
                continue
            candidates = [
                c for c in by_signature.get(self.signature(a, True), ()) if c not in taken
            ]
            if candidates:
                self._pair(kind, a, news[candidates[0]], taken)
                done.add(ident)

    def _pair(self, kind: str, a: Annotation, b: Annotation, taken: set[str]) -> None:
        self.pairs.append((kind, a, b))
        self.ids[a.id] = b.id
        taken.add(b.id)


# ---------------------------------------------------------------- field changes


def _collection_change(
    name: str,
    old_items: list[Any],
    new_items: list[Any],
    key_old: Callable[[Any], Hashable],
    key_new: Callable[[Any], Hashable],
    show_old: Callable[[Any], dict[str, Any]],
    show_new: Callable[[Any], dict[str, Any]],
) -> FieldChange | None:
    """The change of an unordered collection (mentions, args, links): what came and what went.

    Keys compare old items in new ids, so a renumbered reference is no change; items are shown
    as written in their own version."""
    unmatched_new = Counter(key_new(y) for y in new_items)
    removed = []
    for x in old_items:
        key = key_old(x)
        if unmatched_new[key] > 0:
            unmatched_new[key] -= 1
        else:
            removed.append(show_old(x))
    unmatched_old = Counter(key_old(x) for x in old_items)
    added = []
    for y in new_items:
        key = key_new(y)
        if unmatched_old[key] > 0:
            unmatched_old[key] -= 1
        else:
            added.append(show_new(y))
    if not added and not removed:
        return None
    return FieldChange(name, old_items, new_items, tuple(added), tuple(removed))


def _field_changes(
    kind: str, a: Annotation, b: Annotation, pairing: _Pairing, old_ix: Index, new_ix: Index
) -> tuple[list[FieldChange], bool]:
    """The fields that differ between paired annotations, and whether a span only shifted."""
    old, new = annotation_to_dict(kind, a), annotation_to_dict(kind, b)
    changes: list[FieldChange] = []
    shifted = False
    ref = pairing.ref
    for name in dict.fromkeys([*old, *new]):
        if name == "id":
            continue
        before, after = old.get(name), new.get(name)
        change: FieldChange | None = None
        if name in SPAN_FIELDS:
            old_span = dict(spans_of(a)).get(name, ())
            new_span = dict(spans_of(b)).get(name, ())
            if pairing.offsets.span(old_span) == _own_span(new_span):
                shifted = shifted or _own_span(old_span) != _own_span(new_span)
            else:
                change = FieldChange(name, before, after)
        elif name in REF_FIELDS:
            if (ref(before) if isinstance(before, str) else before) != after:
                change = FieldChange(
                    name,
                    before,
                    after,
                    old_label=old_ix.label(before) if isinstance(before, str) else None,
                    new_label=new_ix.label(after) if isinstance(after, str) else None,
                )
        elif name == "mentions":
            change = _collection_change(
                name,
                list(before or ()),
                list(after or ()),
                ref,
                str,
                lambda m: {"id": m, "label": old_ix.label(m)},
                lambda m: {"id": m, "label": new_ix.label(m)},
            )
        elif name == "args":
            change = _collection_change(
                name,
                list(before or ()),
                list(after or ()),
                lambda g: (g["role"], ref(g["ref"])),
                lambda g: (g["role"], g["ref"]),
                lambda g: {**g, "label": old_ix.label(g["ref"])},
                lambda g: {**g, "label": new_ix.label(g["ref"])},
            )
        elif name == "links":
            change = _collection_change(
                name,
                list(before or ()),
                list(after or ()),
                lambda k: (k["kb"], k["id"]),
                lambda k: (k["kb"], k["id"]),
                dict,
                dict,
            )
        elif before != after or type(before) is not type(after):
            change = FieldChange(name, before, after)
        if change is not None:
            changes.append(change)
    return changes, shifted


def _type_of(a: Annotation) -> str | None:
    if isinstance(a, Mention | Entity | Event | Relation):
        return a.type
    if isinstance(a, Quote):
        return a.mode
    if isinstance(a, Attribute):
        return a.name
    return None


def _order(change: AnnotationChange) -> tuple[Any, ...]:
    start = change.start if change.start is not None else -1
    return (ANNOTATION_KINDS.index(change.kind), start, natural_key(change.id))


def _counts(document: Document) -> dict[str, int]:
    return {kind: len(getattr(document, kind)) for kind in ANNOTATION_KINDS}


def diff_documents(
    old: Document | None,
    new: Document | None,
    old_path: str | None = None,
    new_path: str | None = None,
    notes: tuple[str, ...] = (),
) -> DocumentDiff:
    """The semantic diff of two versions of a document (either may be None: added or deleted)."""
    if old is None or new is None:
        present = new if old is None else old
        if present is None:
            raise ValueError("diff_documents needs at least one document")
        return DocumentDiff(
            old_path,
            new_path,
            old.id if old else None,
            new.id if new else None,
            status="added" if old is None else "deleted",
            old_length=len(old.text) if old else 0,
            new_length=len(new.text) if new else 0,
            counts=_counts(present),
            notes=notes,
        )
    edits = text_edits(old.text, new.text)
    pairing = _Pairing(old, new, OffsetMap(edits))
    for kind in ANNOTATION_KINDS:
        pairing.pair_kind(kind)
    old_index, new_index = Index(old), Index(new)
    changes: list[AnnotationChange] = []
    shifted: list[str] = []
    unchanged = 0
    for kind, a, b in pairing.pairs:
        fields, moved = _field_changes(kind, a, b, pairing, old_index, new_index)
        if a.id != b.id:
            status: Status = "renumbered"
        elif fields:
            status = "changed"
        else:
            if moved:
                shifted.append(b.id)
            else:
                unchanged += 1
            continue
        changes.append(
            AnnotationChange(
                status,
                kind,
                a.id,
                b.id,
                _type_of(b),
                describe(b, new_index),
                first_start(b),
                tuple(fields),
            )
        )
    for kind, a in pairing.removed:
        changes.append(
            AnnotationChange(
                "removed", kind, a.id, None, _type_of(a), describe(a, old_index), first_start(a)
            )
        )
    for kind, b in pairing.added:
        changes.append(
            AnnotationChange(
                "added", kind, None, b.id, _type_of(b), describe(b, new_index), first_start(b)
            )
        )
    old_meta, new_meta = meta_to_dict(old.meta), meta_to_dict(new.meta)
    meta_changes = [
        FieldChange(f"meta.{name}", old_meta.get(name), new_meta.get(name))
        for name in dict.fromkeys([*old_meta, *new_meta])
        if old_meta.get(name) != new_meta.get(name)
    ]
    return DocumentDiff(
        old_path,
        new_path,
        old.id,
        new.id,
        old_length=len(old.text),
        new_length=len(new.text),
        text_edits=tuple(edits),
        meta_changes=tuple(meta_changes),
        changes=tuple(sorted(changes, key=_order)),
        shifted=tuple(sorted(shifted, key=natural_key)),
        unchanged=unchanged,
        notes=notes,
    )
