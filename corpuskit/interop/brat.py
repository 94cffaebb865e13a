"""brat standoff (a .txt and its .ann) to and from corpuskit documents.

brat → corpuskit: text-bound annotations (T) become mentions, except event triggers, whose
span becomes the event's trigger; events (E, numbered roles ``Theme2`` read as ``Theme``),
relations (R), attributes and modifiers (A/M; binary ones are ``true``), notes (#) become the
annotation's note, equivalences (``*``) and normalisations (N) become entities with KB links.
corpuskit → brat does the reverse; what brat cannot carry is reported (docs/interop.md).

Importing writes the document back in memory and compares: every brat annotation that would
not come back as it was read is named (I010), so that a round trip is exact or says why not.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from corpuskit.diagnostics import Finding, Rule, Severity
from corpuskit.interop.bratconf import (
    LINE_ATTRIBUTE,
    NOTE_PREFIX,
    NOTES_TYPE,
    RELATION_SUFFIX,
    BratConf,
)
from corpuskit.interop.common import (
    Exported,
    IdPool,
    Imported,
    Origin,
    SourceFinding,
    document_id,
    fit_name,
    plain_metadata,
    renamed_finding,
    shorten,
    whole_number,
)
from corpuskit.interop.units import OffsetMap, unit_finding
from corpuskit.io import DEFAULT_LIMIT, read_input
from corpuskit.model import (
    Annotation,
    Argument,
    Attribute,
    AttributeValue,
    Document,
    Entity,
    Event,
    Fragment,
    KBLink,
    Mention,
    Relation,
    Span,
    text_sha256,
)
from corpuskit.rules import interop as I

if TYPE_CHECKING:
    from corpuskit.interop.registry import Converted, ExportOptions, ImportOptions, InputSource

#: Types written by corpuskit for what brat has no annotation kind for.
EQUIV, REFERENCE, NOTES = "Equiv", "Reference", NOTES_TYPE
#: A role with brat's number: brat strips trailing digits (``Theme2`` and ``Site2`` pair up).
_NUMBERED = re.compile(r"(.+?)([0-9]+)")
#: Characters brat (and Python's line splitting) treats as line breaks: a fragment cannot hold one.
_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_HEAD = re.compile(r"(\S+)\s+(.*)", re.S)
#: Above this many written annotations of one kind, a changed one is not matched to its nearest.
_MAX_NEAREST = 1000


# --------------------------------------------------------------------------- the .ann file


@dataclass(slots=True)
class TextBound:
    """``T1<TAB>Type 0 4;9 12<TAB>text``"""

    id: str
    type: str
    offsets: list[tuple[int, int]]
    text: str | None
    line: int
    #: 1-based column of each ``start end`` pair on the line.
    columns: list[int]


@dataclass(slots=True)
class Record:
    """Any other line: R, E, A/M, N, # or ``*``, split into its fields."""

    id: str
    type: str
    #: R and E: (role, id); A/M: [(target, value or "")]; N: [(target, "kb:id")]; #: [(target, "")];
    #: ``*``: [("", member) ...]
    args: list[tuple[str, str]]
    line: int
    #: E: the trigger; N and #: the text after the second tab.
    extra: str | None = None


@dataclass(slots=True)
class Standoff:
    """The annotations of one .ann file, by kind, in file order."""

    textbounds: dict[str, TextBound] = field(default_factory=dict)
    events: dict[str, Record] = field(default_factory=dict)
    relations: dict[str, Record] = field(default_factory=dict)
    attributes: dict[str, Record] = field(default_factory=dict)
    norms: dict[str, Record] = field(default_factory=dict)
    notes: dict[str, Record] = field(default_factory=dict)
    equivs: list[Record] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def parse_ann(text: str, file: str = "doc.ann") -> tuple[Standoff, list[Finding]]:
    """Read .ann text; malformed lines are findings (I002) and left out."""
    out = Standoff()
    findings: list[Finding] = []
    seen: set[str] = set()

    def bad(number: int, message: str, hint: str | None = None) -> None:
        findings.append(
            SourceFinding(I.INPUT_MALFORMED, message, position=(number, 1), file=file, hint=hint)
        )

    for number, raw in enumerate(text.split("\n"), 1):
        line = raw[:-1] if raw.endswith("\r") else raw  # an .ann saved with CRLF
        out.lines.append(line)
        if not line.strip():
            continue
        ident, tab, rest = line.partition("\t")
        if not tab:
            bad(number, "line has no tab after the annotation id", "brat lines are ID<TAB>...")
            continue
        if ident in seen and ident != "*":
            bad(number, f"id {ident} is used twice; this line is left out")
            continue
        seen.add(ident)
        prefix = ident[:1]
        head, _, tail = rest.partition("\t")
        try:
            if prefix == "T":
                out.textbounds[ident] = _textbound(ident, head, tail if _ else None, number)
            elif prefix in "RE":
                tokens = head.split()
                pairs = [_pair(t) for t in tokens[1:]] if prefix == "E" else []
                if prefix == "E":
                    kind, trigger = _pair(tokens[0])
                    out.events[ident] = Record(ident, kind, pairs, number, trigger)
                else:
                    out.relations[ident] = Record(
                        ident, tokens[0], [_pair(t) for t in tokens[1:]], number
                    )
            elif prefix in "AM":
                tokens = head.split()
                if len(tokens) not in (2, 3):
                    raise ValueError("an attribute is NAME TARGET [VALUE]")
                value = tokens[2] if len(tokens) == 3 else ""
                out.attributes[ident] = Record(ident, tokens[0], [(tokens[1], value)], number)
            elif prefix == "N":
                kind, target, ref = head.split()
                if ":" not in ref:
                    raise ValueError("a normalisation refers to DB:ID")
                out.norms[ident] = Record(ident, kind, [(target, ref)], number, tail)
            elif prefix == "#":
                kind, target = head.split()
                out.notes[ident] = Record(ident, kind, [(target, "")], number, tail)
            elif ident == "*":
                tokens = head.split()
                out.equivs.append(Record("*", tokens[0], [("", m) for m in tokens[1:]], number))
            else:
                bad(
                    number,
                    f"unknown annotation kind {ident!r}",
                    "ids start with T, R, E, A, M, N, # or *",
                )
        except (ValueError, IndexError) as exc:
            bad(number, f"{shorten(ident)}: cannot read {shorten(rest)}: {exc}")
    return out, findings


def _pair(token: str) -> tuple[str, str]:
    role, colon, ref = token.rpartition(":")
    if not colon or not role or not ref:
        raise ValueError(f"{token!r} is not ROLE:ID")
    return role, ref


def _textbound(ident: str, head: str, text: str | None, number: int) -> TextBound:
    m = _HEAD.fullmatch(head)
    if m is None:
        raise ValueError("a text-bound annotation is TYPE START END[;START END...]")
    kind, offsets_text = m.group(1), m.group(2)
    offsets: list[tuple[int, int]] = []
    columns: list[int] = []
    column = len(ident) + 1 + m.start(2) + 1
    for piece in offsets_text.split(";"):
        numbers = piece.split()
        if len(numbers) != 2 or not all(n.isascii() and n.isdigit() for n in numbers):
            raise ValueError(f"{shorten(piece.strip())} is not START END")
        offsets.append((whole_number(numbers[0]), whole_number(numbers[1])))
        columns.append(column + len(piece) - len(piece.lstrip()))
        column += len(piece) + 1
    return TextBound(ident, kind, offsets, text, number, columns)


# --------------------------------------------------------------------------- brat -> corpuskit


def read_brat(
    txt_path: Path,
    ann_path: Path | None = None,
    conf: BratConf | None = None,
    unit: str = "codepoint",
    name: str | None = None,
    *,
    root: Path | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Imported:
    """Read a brat document (``ann_path`` defaults to the .ann beside the .txt; missing: none).

    Files are read as :func:`corpuskit.io.read_input` reads them: no link out of ``root``, no
    file but a regular one, at most ``limit`` bytes.
    """
    ann_path = ann_path or txt_path.with_suffix(".ann")
    stem = name or txt_path.stem
    source = str(ann_path)
    texts: list[str] = []
    for path, required in ((txt_path, True), (ann_path, False)):
        try:
            texts.append(read_input(path, root=root, limit=limit).decode("utf-8"))
        except FileNotFoundError:
            if required:
                return _unreadable(stem, source, f"{path}: the text file is missing")
            texts.append("")  # brat shows a text without .ann as unannotated
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            return _unreadable(stem, str(path), f"{path}: cannot read: {reason}")
    return brat_to_document(
        texts[0], texts[1], document_id(txt_path.stem), conf, unit, stem, str(txt_path), source
    )


def _unreadable(name: str, source: str, message: str) -> Imported:
    return Imported(name, source, None, [Finding(I.INPUT_UNREADABLE, message, position=(1, 1))])


def brat_to_document(
    text: str,
    ann: str,
    doc_id: str,
    conf: BratConf | None = None,
    unit: str = "codepoint",
    name: str | None = None,
    txt_file: str = "doc.txt",
    ann_file: str = "doc.ann",
) -> Imported:
    """A brat document (text and .ann text) as a corpuskit document, with findings."""
    standoff, findings = parse_ann(ann, ann_file)
    reader = _Reader(text, standoff, conf, unit, ann_file, findings)
    document: Document | None = reader.document(doc_id)
    if document is not None and not any(f.rule.severity is Severity.ERROR for f in findings):
        document = reader.keep_lines(document)
    imported = Imported(name or doc_id, ann_file, document, findings, reader.origins, txt_file)
    if document is not None and not imported.errors:
        findings.extend(_round_trip(standoff, document, unit, ann_file, findings))
    return imported


class _Reader:
    """Maps one parsed .ann onto the corpuskit model."""

    def __init__(
        self,
        text: str,
        standoff: Standoff,
        conf: BratConf | None,
        unit: str,
        ann_file: str,
        findings: list[Finding],
    ) -> None:
        self.text, self.s, self.conf, self.ann_file = text, standoff, conf, ann_file
        self.findings = findings
        self.map = OffsetMap(text, unit)
        self.unit = unit
        self.origins: dict[str, Origin] = {}
        self.triggers = {e.extra for e in standoff.events.values() if e.extra}
        self.owner: dict[str, str] = {}
        for e in standoff.events.values():
            if e.extra:
                self.owner.setdefault(e.extra, e.id)
        self.pool = IdPool()
        all_ids = [
            *standoff.textbounds,
            *standoff.events,
            *standoff.relations,
            *standoff.attributes,
        ]
        self.pool.reserve(all_ids)
        self.ids = {i: self.pool.take(i, "brat_") for i in all_ids}
        self.typed_notes: list[Attribute] = []
        #: .ann line number -> the annotations its kept line (``brat:line``) would go on.
        self.line_owner: dict[int, list[str]] = defaultdict(list)

    def finding(self, rule: Rule, message: str, line: int, hint: str | None = None) -> None:
        self.findings.append(
            SourceFinding(rule, message, position=(line, 1), file=self.ann_file, hint=hint)
        )

    def origin(self, line: int, columns: list[int] | tuple[int, ...] = ()) -> Origin:
        source = self.s.lines[line - 1] if 0 < line <= len(self.s.lines) else None
        return Origin(self.ann_file, line, 1, source, tuple(columns))

    def ref(self, target: str, line: int, what: str) -> str:
        """A reference; one to a trigger goes to its event (corpuskit triggers have no id)."""
        if target in self.triggers:
            event = self.owner[target]
            self.finding(
                I.APPROXIMATED,
                f"{what} refers to {target}, the trigger of event {event}; it now refers to the event",
                line,
            )
            return self.ids.get(event, event)
        return self.ids.get(target, target)

    def span(self, t: TextBound) -> Span | None:
        fragments: list[Fragment] = []
        starts: list[tuple[int, int]] = []
        for start, end in t.offsets:
            a, b = self.map.to_codepoint(start), self.map.to_codepoint(end)
            if a is None or b is None:
                self.finding(
                    I.OFFSET_UNIT,
                    f"{t.id}: offset {start if a is None else end} falls inside a character when "
                    f"counted in {self.unit}; the annotation is left out",
                    t.line,
                    "try another --offset-unit",
                )
                return None
            starts.append((a, b))
        covered = _split_covered(t.text, [b - a for a, b in starts])
        if covered is None:
            self.finding(
                I.INPUT_MALFORMED,
                f"{t.id}: the text field {t.text!r} does not fit its {len(starts)} fragments",
                t.line,
                "brat joins the fragments' texts with one space",
            )
            covered = [self.text[a:b] for a, b in starts]
        for (a, b), piece in zip(starts, covered, strict=True):
            fragments.append(Fragment(a, b, piece if piece is not None else self.text[a:b]))
        return tuple(fragments)

    def role(self, role: str, event_type: str) -> str:
        """``Theme2`` -> ``Theme``: brat numbers repeated roles, corpuskit repeats them.

        brat strips the digits of every role (``Theme1`` too); a numbered role the conf
        declares as it is stays. Which ``Site2`` goes with which ``Theme2`` is kept by the
        line itself (``brat:line``), written back while the arguments are unchanged.
        """
        m = _NUMBERED.fullmatch(role)
        if m is None:
            return role
        if self.conf is not None and role in self.conf.roles.get(event_type, set()):
            return role
        return m.group(1)

    def document(self, doc_id: str) -> Document:
        """The document; what cannot be read is left out and reported."""
        s = self.s
        evidence = [
            (t.offsets[0][0], t.offsets[0][1], t.text)
            for t in s.textbounds.values()
            if len(t.offsets) == 1 and t.text
        ]
        unit = unit_finding(self.text, evidence, self.unit, "offsets")
        if unit is not None:
            self.findings.append(unit)
        notes = self.notes()
        spans = {t.id: self.span(t) for t in s.textbounds.values()}
        mentions = []
        for t in s.textbounds.values():
            span = spans[t.id]
            if t.id in self.triggers or span is None:
                continue
            ident = self.ids[t.id]
            mentions.append(Mention(ident, self.name(t.type, t.line), span, notes.get(t.id)))
            self.line_owner[t.line].append(ident)
            self.origins[ident] = self.origin(t.line, t.columns)
        events = []
        for e in s.events.values():
            trigger = s.textbounds.get(e.extra or "")
            span = spans.get(e.extra or "")
            if trigger is None:
                self.finding(
                    I.INPUT_MALFORMED, f"event {e.id}: trigger {e.extra} does not exist", e.line
                )
                continue
            if span is None:
                self.finding(
                    I.INPUT_MALFORMED,
                    f"event {e.id} is left out: its trigger {trigger.id} could not be read",
                    e.line,
                )
                continue
            if trigger.type != e.type:
                self.finding(
                    I.APPROXIMATED,
                    f"event {e.id} has type {e.type} but its trigger {trigger.id} has type {trigger.type}; the event's type is kept",
                    e.line,
                )
            args = tuple(
                Argument(
                    self.name(self.role(r, e.type), e.line),
                    self.ref(x, e.line, f"event {e.id}"),
                )
                for r, x in e.args
            )
            ident = self.ids[e.id]
            events.append(Event(ident, self.name(e.type, e.line), span, args, notes.get(e.id)))
            self.origins[ident] = self.origin(e.line)
            self.origins[f"{ident}/trigger"] = self.origin(trigger.line, trigger.columns)
            self.line_owner[e.line].append(ident)
            self.line_owner[trigger.line].append(ident)
        relations = []
        for r in s.relations.values():
            args = tuple(
                Argument(self.name(role, r.line), self.ref(x, r.line, f"relation {r.id}"))
                for role, x in r.args
            )
            ident = self.ids[r.id]
            kind = self.relation_type(r)
            relations.append(Relation(ident, self.name(kind, r.line), args, notes.get(r.id)))
            self.line_owner[r.line].append(ident)
            self.origins[ident] = self.origin(r.line)
        attributes = []
        for a in s.attributes.values():
            target, value_text = a.args[0]
            value: AttributeValue = value_text if value_text else True
            ident = self.ids[a.id]
            attributes.append(
                Attribute(
                    ident,
                    self.ref(target, a.line, f"attribute {a.id}"),
                    self.name(a.type, a.line),
                    value,
                    notes.get(a.id),
                )
            )
            self.origins[ident] = self.origin(a.line)
            self.line_owner[a.line].append(attributes[-1].target)
        attributes += self.typed_notes
        entities = self.entities()
        renamed = renamed_finding(self.pool.renamed, "to fit corpuskit")
        if renamed is not None:
            self.findings.append(renamed)
        return Document(
            id=doc_id,
            meta=plain_metadata(doc_id),
            text=self.text,
            text_sha256=text_sha256(self.text),
            mentions=tuple(mentions),
            entities=tuple(entities),
            events=tuple(events),
            relations=tuple(relations),
            attributes=tuple(attributes),
        )

    def relation_type(self, r: Record) -> str:
        """A relation's type; one named like a span type takes the suffix the scheme gave it."""
        if self.conf is not None and r.type in self.conf.renamed_relations:
            return self.conf.renamed_relations[r.type]
        if r.type.endswith(RELATION_SUFFIX):
            self.finding(
                I.APPROXIMATED,
                f"relation {r.id}: the type {r.type} ends in {RELATION_SUFFIX}, which the brat "
                "writer removes (it marks a relation named like a span type)",
                r.line,
            )
        return r.type

    def name(self, raw: str, line: int) -> str:
        fitted = fit_name(raw)
        if fitted != raw:
            self.finding(I.NAME_CHANGED, f"name {raw!r} becomes {fitted!r}", line)
        return fitted

    def notes(self) -> dict[str, str]:
        """Annotation id -> its notes joined by line breaks (brat notes are one line each)."""
        by_target: dict[str, list[str]] = defaultdict(list)
        known = {*self.s.textbounds, *self.s.events, *self.s.relations, *self.s.attributes}
        for n in self.s.notes.values():
            target = n.args[0][0]
            if target in self.triggers:
                event = self.owner[target]
                self.finding(
                    I.APPROXIMATED,
                    f"note {n.id} is on {target}, the trigger of event {event}; it becomes the event's note",
                    n.line,
                )
                target = event
            elif target in self.s.norms:
                self.finding(
                    I.NOT_CARRIED,
                    f"note {n.id} is on normalisation {target}, which corpuskit keeps as a link without notes",
                    n.line,
                )
                continue
            elif target not in known:
                self.finding(
                    I.NOT_CARRIED,
                    f"note {n.id} is on {target}, which is not an annotation corpuskit keeps",
                    n.line,
                )
                continue
            if n.type == NOTES:
                by_target[target].append(n.extra or "")
                self.line_owner[n.line].append(self.ids.get(target, target))
                continue
            if target in self.s.attributes:
                self.finding(
                    I.NOT_CARRIED,
                    f"note {n.id} ({n.type}) is on attribute {target}; corpuskit attributes "
                    "cannot carry attributes, and only AnnotatorNotes become a note",
                    n.line,
                )
                continue
            # Any other note type (TDT's Lemma) is an attribute note:TYPE holding the text.
            ident = self.pool.take("note" + n.id[1:], "note")
            self.typed_notes.append(
                Attribute(ident, self.ids.get(target, target), NOTE_PREFIX + n.type, n.extra or "")
            )
            self.origins[ident] = self.origin(n.line)
            self.line_owner[n.line].append(self.ids.get(target, target))
        return {target: "\n".join(texts) for target, texts in by_target.items()}

    def entities(self) -> list[Entity]:
        """Equivalence groups and normalised mentions as entities, in order of appearance."""
        s = self.s
        mentions = {t for t in s.textbounds if t not in self.triggers}
        groups: list[tuple[int, list[str]]] = []
        group_of: dict[str, int] = {}
        for eq in s.equivs:
            members = []
            listed = [m for _, m in eq.args]
            twice = sorted(m for m, n in Counter(listed).items() if n > 1)
            if twice or len(listed) < 2:
                self.finding(
                    I.BRAT_FLAGGED,
                    f"the equivalence {' '.join(listed)} "
                    + (f"lists {', '.join(twice)} more than once" if twice else "has one member")
                    + "; it says nothing (brat accepts it); it is kept as it is",
                    eq.line,
                    "remove the line, or name the annotations that are equivalent",
                )
            for _, m in eq.args:
                if m in mentions:
                    members.append(m)
                else:
                    self.finding(
                        I.NOT_CARRIED,
                        f"equivalence member {m} is not a text-bound entity; left out of the group",
                        eq.line,
                    )
            if members:
                for m in members:
                    group_of.setdefault(m, len(groups))
                groups.append((eq.line, members))
        links: dict[int, list[tuple[int, Record]]] = defaultdict(list)
        for n in s.norms.values():
            target = n.args[0][0]
            if target not in mentions:
                self.finding(
                    I.NOT_CARRIED,
                    f"normalisation {n.id} is on {target}, which is not a text-bound entity",
                    n.line,
                )
                continue
            database = n.args[0][1].partition(":")[0]
            declared = self.conf.databases if self.conf is not None else None
            if self.conf is not None and (declared is None or database not in declared):
                self.finding(
                    I.BRAT_FLAGGED,
                    f"normalisation {n.id}: the database {database} is declared in no tools.conf "
                    "[normalization]; brat shows it without a link. It is imported as it is",
                    n.line,
                    f"declare {database} in tools.conf [normalization] (with <URLBASE>)",
                )
            if target not in group_of:
                group_of[target] = len(groups)
                groups.append((n.line, [target]))
            links[group_of[target]].append((n.line, n))
        order = sorted(
            range(len(groups)), key=lambda g: min([groups[g][0], *(ln for ln, _ in links[g])])
        )
        out = []
        for g in order:
            line, members = groups[g]
            kb_links = []
            name = None
            for _, n in links[g]:
                kb, _, kb_id = n.args[0][1].partition(":")
                kb_links.append(KBLink(self.name(kb, n.line), kb_id))
                # A second name is not the entity's: the N line itself keeps it (brat:line).
                name = name or (n.extra or None)
            # brat equivalences have no type of their own: the entity takes its first member's.
            first = s.textbounds[members[0]]
            ident = self.pool.fresh(f"{self.ids[members[0]]}.entity")
            out.append(
                Entity(
                    ident,
                    self.name(first.type, line),
                    tuple(self.ids[m] for m in members),
                    name,
                    tuple(kb_links),
                )
            )
            self.origins[ident] = self.origin(line)
            for owned in (groups[g][0], *(ln for ln, _ in links[g])):
                self.line_owner[owned].append(ident)
        return out

    def _prune(self, document: Document, writer: _Writer, text: str) -> Document:
        """Without the kept lines of annotations with fixed ids that came back anyway (a kept
        line that made a trigger id right makes its event's line right too)."""
        redundant = {
            line for line in writer.redundant if line[:1] in "TERAM" and line[1:2].isdigit()
        }
        if not redundant:
            return document
        pruned = _with_attributes(
            document,
            tuple(
                a
                for a in document.attributes
                if a.name != LINE_ATTRIBUTE or a.value not in redundant
            ),
        )
        same = write_brat(pruned, self.unit).files[".ann"] == text
        return pruned if same else document

    def keep_lines(self, document: Document) -> Document:
        """``document`` with a ``brat:line`` attribute for each line writing it back would change.

        Writing is repeated until nothing changes: a kept id (a trigger's) can move the ids
        the writer derives for others. Lines no annotation owns (left out and reported) are
        not kept.
        """
        kept: set[int] = set()
        for _ in range(4):
            writer = _Writer(document, self.unit)
            text = writer.write()
            written = Counter(text.split("\n"))
            # A kept line that means something else than what is written (a reference moved
            # from a trigger to its event) would never be used: it is dropped, and reported.
            unused = {line for line, n in writer.unused.items() if n > 0}
            attributes = tuple(
                a for a in document.attributes if a.name != LINE_ATTRIBUTE or a.value not in unused
            )
            added: list[Attribute] = []
            for number, line in enumerate(self.s.lines, 1):
                if not line.strip():
                    continue
                if written[line] > 0:
                    written[line] -= 1
                    continue
                if number in kept:
                    continue
                kept.add(number)
                for owner in dict.fromkeys(self.line_owner.get(number, [])):
                    ident = self.pool.fresh(f"{owner}.brat")
                    added.append(Attribute(ident, owner, LINE_ATTRIBUTE, line))
                    self.origins[ident] = self.origin(number)
            if not added and len(attributes) == len(document.attributes):
                return self._prune(document, writer, text)
            document = _with_attributes(document, (*attributes, *added))
        return document


def _with_attributes(document: Document, attributes: tuple[Attribute, ...]) -> Document:
    return Document(
        id=document.id,
        meta=document.meta,
        text=document.text,
        text_sha256=document.text_sha256,
        mentions=document.mentions,
        entities=document.entities,
        events=document.events,
        relations=document.relations,
        attributes=attributes,
    )


def _split_covered(text: str | None, lengths: list[int]) -> list[str | None] | None:
    """The text field split into each fragment's text (brat joins them with one space)."""
    if text is None:
        return [None] * len(lengths)
    if len(lengths) == 1:
        return [text]
    if len(text) != sum(lengths) + len(lengths) - 1:
        return None
    out: list[str | None] = []
    at = 0
    for n in lengths:
        out.append(text[at : at + n])
        at += n + 1
    return out


# --------------------------------------------------------------------------- corpuskit -> brat


def _cut(span: Span) -> tuple[list[tuple[int, int]], bool]:
    """A span's pieces split at line breaks (brat fragments cannot hold one), and whether any was."""
    pieces: list[tuple[int, int]] = []
    split = False
    for f in span:
        at = f.start
        for m in _BREAK.finditer(f.text):
            split = True
            if m.start() > 0 or at > f.start:
                pieces.append((at, f.start + m.start()))
            at = f.start + m.end()
        if at < f.end:
            pieces.append((at, f.end))
    return [(a, b) for a, b in pieces if b > a], split


def _meaning(line: str) -> tuple[object, ...] | None:
    """What one .ann line says, without what a kept line (``brat:line``) is kept for.

    Left out: the ids of normalisation, note and text-bound lines (a trigger's id), the type
    of a ``*`` line, role numbers, whitespace and text after the fields. None: not a line.
    """
    standoff, problems = parse_ann(line)
    if problems:
        return None
    for t in standoff.textbounds.values():
        return ("T", t.type, tuple(t.offsets))
    for e in standoff.events.values():
        roles = sorted((_base_role(role), ref) for role, ref in e.args)
        return ("E", e.id, e.type, e.extra, tuple(roles))
    for r in standoff.relations.values():
        return ("R", r.id, r.type, tuple(sorted(r.args)))
    for a in standoff.attributes.values():
        return ("A", a.id, a.type, tuple(a.args))
    for n in standoff.norms.values():
        return ("N", n.args[0])
    for n in standoff.notes.values():
        return ("#", n.type, n.args[0][0], (n.extra or "").strip())
    for eq in standoff.equivs:
        return ("*", tuple(sorted(m for _, m in eq.args)))
    return None


def _base_role(role: str) -> str:
    m = _NUMBERED.fullmatch(role)
    return m.group(1) if m else role


class _Numbers:
    """Numbers in use after one id letter; new ones fill gaps (triggers) or go past the end."""

    def __init__(self) -> None:
        self.used: set[int] = set()
        #: The largest number in use (0: none), so that ``next`` need not scan ``used``.
        self.top = 0
        #: Every number from 1 below this one is in use: numbers are never given back, so the
        #: search for a gap resumes here instead of at 1.
        self.free = 1

    def keep(self, n: int) -> None:
        """Mark ``n`` as in use."""
        self.used.add(n)
        self.top = max(self.top, n)

    def gap(self) -> int:
        """The smallest number from 1 not in use, now in use."""
        while self.free in self.used:
            self.free += 1
        self.keep(self.free)
        return self.free

    def next(self) -> int:
        """One past the largest number in use, now in use."""
        n = self.top + 1
        self.keep(n)
        return n


class _KeptLines:
    """The kept lines of one (owner, meaning) not used yet, in order of the attributes.

    A queue that a line can also be taken out of from the middle (the first copy of it), as a
    list with ``pop(0)`` and ``remove`` would, each step in constant amortised time: a line
    taken from the middle is counted in ``skip`` and passed over when it reaches the front.
    """

    __slots__ = ("head", "left", "lines", "size", "skip")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.head = 0
        #: Copies of each line still waiting.
        self.left: Counter[str] = Counter()
        #: Copies of each line taken from the middle, not yet passed over at the front.
        self.skip: Counter[str] = Counter()
        self.size = 0

    def append(self, line: str) -> None:
        """Add ``line`` at the end."""
        self.lines.append(line)
        self.left[line] += 1
        self.size += 1

    def __bool__(self) -> bool:
        return self.size > 0

    def __contains__(self, line: object) -> bool:
        return isinstance(line, str) and self.left[line] > 0

    def first(self) -> str:
        """The first line waiting (there is one)."""
        while self.skip[self.lines[self.head]] > 0:
            self.skip[self.lines[self.head]] -= 1
            self.head += 1
        return self.lines[self.head]

    def take(self) -> str:
        """The first line waiting (there is one), no longer waiting."""
        line = self.first()
        self.head += 1
        self.left[line] -= 1
        self.size -= 1
        return line

    def remove(self, line: str) -> bool:
        """The first copy of ``line`` no longer waiting; False if none was."""
        if self.left[line] <= 0:
            return False
        self.left[line] -= 1
        self.skip[line] += 1
        self.size -= 1
        return True


_KEEP = {"mentions": "T", "events": "E", "relations": "R", "attributes": "AM"}


class _Writer:
    """Builds the .ann lines of one document."""

    def __init__(self, doc: Document, unit: str) -> None:
        self.doc = doc
        self.map = OffsetMap(doc.text, unit)
        self.findings: list[Finding] = []
        self.where: dict[str, tuple[str, int, Annotation]] = {
            a.id: (kind, i, a) for kind, i, a in doc.annotations()
        }
        self.numbers: dict[str, _Numbers] = defaultdict(_Numbers)
        self.bid: dict[str, str] = {}
        #: (kind letter, line) in the order written.
        self.lines: list[tuple[str, str]] = []
        self.renamed: list[tuple[str, str]] = []
        #: (owner, meaning) -> brat lines kept as they were read (``brat:line``), unused ones.
        self.kept: dict[tuple[str, tuple[object, ...]], _KeptLines] = defaultdict(_KeptLines)
        #: Copies of each kept line still unused, over all of ``kept``.
        self.unused: Counter[str] = Counter()
        #: A kept line -> the keys of ``kept`` that may still hold it.
        self.holders: dict[str, dict[tuple[str, tuple[object, ...]], None]] = defaultdict(dict)
        #: (owner, "kb:id") -> the members whose kept normalisation line has that link.
        self.kept_norms: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.kept_by: dict[str, str] = {}
        #: Kept lines that are exactly what would be written without them.
        self.redundant: set[str] = set()
        #: Typed notes (``note:TYPE``) and kept lines are no brat attributes of their own.
        self.carriers = {
            a.id
            for a in doc.attributes
            if a.name == LINE_ATTRIBUTE or a.name.startswith(NOTE_PREFIX)
        }
        for kind, letters in _KEEP.items():
            for a in getattr(doc, kind):
                m = re.fullmatch(r"([A-Z])([0-9]+)", a.id)
                if m and m.group(1) in letters and a.id not in self.carriers:
                    self.numbers[m.group(1)].keep(int(m.group(2)))
                    self.bid[a.id] = a.id
        for a in doc.attributes:
            if a.name.startswith(NOTE_PREFIX) and (m := re.fullmatch(r"note([0-9]+)", a.id)):
                self.numbers["#"].keep(int(m.group(1)))
            if a.name != LINE_ATTRIBUTE:
                continue
            key = _meaning(a.value) if isinstance(a.value, str) else None
            if key is None:
                self.warn(
                    I.NOT_CARRIED,
                    a.id,
                    f"attribute {a.id} ({LINE_ATTRIBUTE}) holds no brat line; it is not written",
                )
                continue
            assert isinstance(a.value, str)
            match key:
                case ("N", (str() as member, str() as ref)) if (a.target, key) not in self.kept:
                    self.kept_norms[(a.target, ref)].append(member)
            self.kept[(a.target, key)].append(a.value)
            self.unused[a.value] += 1
            self.holders[a.value][(a.target, key)] = None
            self.kept_by[a.value] = a.id
            # At most 200 digits (an id's length): a longer number cannot collide with an id
            # this export makes, and int() refuses over 4,300 digits.
            m = re.match(r"([TERAMN#])([0-9]{1,200})\t", a.value)
            if m:  # its id stays taken, whether the line is used or not
                self.numbers[m.group(1)].keep(int(m.group(2)))

    def warn(self, rule: Rule, ident: str | None, message: str, pointer: str | None = None) -> None:
        if pointer is None and ident is not None and ident in self.where:
            kind, i, _ = self.where[ident]
            pointer = f"/{kind}/{i}"
        self.findings.append(Finding(rule, message, pointer=pointer or "", annotation_id=ident))

    def new_id(self, letter: str, original: str | None = None, gap: bool = False) -> str:
        numbers = self.numbers[letter]
        new = f"{letter}{numbers.gap() if gap else numbers.next()}"
        if original is not None:
            self.bid[original] = new
            self.renamed.append((original, new))
        return new

    def emit(
        self, ident: str, line: str, owner: str | None = None, letter: str | None = None
    ) -> None:
        """Add a line; the line kept for ``owner`` that means the same goes in its place."""
        if owner is not None and self.kept:
            key = _meaning(line)
            found = self.kept.get((owner, key)) if key is not None else None
            if found:
                kept = found.take()
                self.unused[kept] -= 1
                if kept == line:
                    self.redundant.add(kept)
                line = kept
        self.lines.append((letter or ident[0], line))

    def offsets(self, span: Span, ident: str) -> tuple[str, str] | None:
        """``start end;start end`` and the text field, split at line breaks as brat does."""
        pieces, split = _cut(span)
        if split:
            self.warn(
                I.APPROXIMATED,
                ident,
                f"{ident}: the span crosses a line break; brat splits it into {len(pieces)} fragments",
            )
        if not pieces:
            return None
        text = self.doc.text
        spans = ";".join(
            f"{self.map.from_codepoint(a)} {self.map.from_codepoint(b)}" for a, b in pieces
        )
        return spans, " ".join(text[a:b] for a, b in pieces)

    def textbound(self, ident: str, kind: str, span: Span, owner: str) -> bool:
        found = self.offsets(span, owner)
        if found is None:
            self.warn(
                I.NOT_CARRIED,
                owner,
                f"{owner}: the span holds only line breaks; brat cannot carry it",
            )
            return False
        self.emit(ident, f"{ident}\t{kind} {found[0]}\t{found[1]}", owner)
        return True

    def target(self, ref: str, owner: str, what: str, relations: bool = False) -> str | None:
        """The brat id an argument (or, with ``relations``, an attribute) points to.

        Entities have no brat id: a reference to one goes to its first mention. None when
        brat cannot point there (an attribute; a relation, unless ``relations``).
        """
        found = self.where.get(ref)
        if found is None:
            return None
        kind, _, a = found
        if isinstance(a, Entity):
            first = self.bid.get(a.mentions[0]) if a.mentions else None
            if first is not None:
                self.warn(
                    I.APPROXIMATED,
                    owner,
                    f"{what} of {owner} points to entity {ref}; in brat it points to its first mention {a.mentions[0]}",
                )
            return first
        if kind == "attributes" or (kind == "relations" and not relations):
            return None
        return self.bid.get(ref)

    def write(self) -> str:
        doc = self.doc
        for m in doc.mentions:
            if m.id not in self.bid:
                self.new_id("T", m.id)
        # A trigger read from brat keeps its id (several events may have one each on one
        # span); the others are shared by the events of one type and span, numbered in gaps.
        kept_triggers = {ev.id: self.kept_trigger(ev) for ev in doc.events}
        triggers: dict[tuple[str, Span], str] = {}
        for ev in doc.events:
            if kept_triggers[ev.id] is None and (ev.type, ev.trigger) not in triggers:
                triggers[(ev.type, ev.trigger)] = self.new_id("T", gap=True)
        framed: list[tuple[str, str]] = [
            *((e.id, "E") for e in doc.events),
            *((r.id, "R") for r in doc.relations),
            *((a.id, "A") for a in doc.attributes),
        ]
        for ident, letter in framed:
            if ident not in self.bid and ident not in self.carriers:
                self.new_id(letter, ident)
        for ident in [q.id for q in doc.quotes] + [c.id for c in doc.claims]:
            self.bid[ident] = self.new_id("T")
        for m in doc.mentions:
            self.textbound(self.bid[m.id], m.type, m.span, m.id)
        # A shared trigger's line goes to the first event of its type and span.
        owners: dict[tuple[str, Span], str] = {}
        for ev in doc.events:
            owners.setdefault((ev.type, ev.trigger), ev.id)
        for (kind, span), tid in triggers.items():
            self.textbound(tid, kind, span, owners[(kind, span)])
        written: set[str] = set()
        for ev in doc.events:
            line = kept_triggers[ev.id]
            if line is None:
                continue
            # Used: no longer waiting in ``kept`` for an annotation to match (one copy from
            # each list holding it). A list left without it is not visited again.
            holders = self.holders.get(line, {})
            for key in list(holders):
                left = self.kept[key]
                if left.remove(line):
                    self.unused[line] -= 1
                if line not in left:
                    del holders[key]
            if line not in written:
                written.add(line)
                self.lines.append(("T", line))
        self.quotes_and_claims()
        for ev in doc.events:
            kept = kept_triggers[ev.id]
            self.event(ev, kept.partition("\t")[0] if kept else triggers[(ev.type, ev.trigger)])
        for rel in doc.relations:
            self.relation(rel)
        for attr in doc.attributes:
            self.attribute(attr)
        self.entities()
        self.notes()
        self.metadata()
        for line, ident in self.kept_by.items():
            if self.unused[line] > 0:
                self.warn(
                    I.NOT_CARRIED,
                    ident,
                    f"the brat line kept in {ident} no longer matches its annotation (it was "
                    f"edited); the annotation is written as it is now, not as {shorten(line)}",
                )
        renamed = renamed_finding(self.renamed, "to brat's form (a letter and a number)")
        if renamed is not None:
            self.findings.append(renamed)
        # Grouped by kind as brat files usually are; within a kind, in document order, so
        # that reading the file back gives the annotations in the order they had.
        order = {"T": 0, "E": 1, "R": 2, "A": 3, "M": 3, "N": 4, "#": 5}
        self.lines.sort(key=lambda item: order.get(item[0], 6))
        return "".join(line + "\n" for _, line in self.lines)

    def event(self, ev: Event, trigger: str) -> None:
        ident = self.bid[ev.id]
        counts: dict[str, int] = defaultdict(int)
        parts = [f"{ev.type}:{trigger}"]
        for arg in ev.args:
            ref = self.target(arg.ref, ev.id, f'argument "{arg.role}"')
            if ref is None:
                self.warn(
                    I.NOT_CARRIED,
                    ev.id,
                    f'argument "{arg.role}" of event {ev.id} points to {arg.ref}; brat event arguments are entities or events',
                )
                continue
            m = _NUMBERED.fullmatch(arg.role)
            if m:
                self.warn(
                    I.APPROXIMATED,
                    ev.id,
                    f'role "{arg.role}" of event {ev.id} ends in digits, which brat strips: '
                    f'it reads back as "{m.group(1)}"',
                )
            counts[arg.role] += 1
            n = counts[arg.role]
            parts.append(f"{arg.role}{n if n > 1 else ''}:{ref}")
        # brat writes TYPE:TRIGGER, a space, then the arguments: a space ends an event without.
        head, args = parts[0], " ".join(parts[1:])
        self.emit(ident, f"{ident}\t{head} {args}", ev.id)

    def relation(self, rel: Relation) -> None:
        args = []
        for arg in rel.args:
            ref = self.target(arg.ref, rel.id, f'argument "{arg.role}"')
            if ref is None:
                self.warn(
                    I.NOT_CARRIED,
                    rel.id,
                    f"relation {rel.id}: argument {arg.ref} is not an entity or event; brat relations link those only",
                )
                return
            args.append(f"{arg.role}:{ref}")
        if len(args) != 2:
            self.warn(
                I.NOT_CARRIED,
                rel.id,
                f"relation {rel.id} has {len(args)} arguments; brat relations have exactly two",
            )
            return
        ident = self.bid[rel.id]
        kind = rel.type.removesuffix(RELATION_SUFFIX) or rel.type
        self.emit(ident, f"{ident}\t{kind} {' '.join(args)}", rel.id)

    def attribute(self, attr: Attribute) -> None:
        if attr.name == LINE_ATTRIBUTE:
            return  # written in the place of the line it stands for
        if attr.name.startswith(NOTE_PREFIX):
            self.typed_note(attr)
            return
        target = self.target(attr.target, attr.id, "the target", relations=True)
        if target is None:
            self.warn(
                I.NOT_CARRIED,
                attr.id,
                f"attribute {attr.id} is on {attr.target}, which brat cannot carry attributes on",
            )
            return
        value = attr.value
        if value is False:
            self.warn(
                I.NOT_CARRIED,
                attr.id,
                f"attribute {attr.id} is false; brat binary attributes are present or absent",
            )
            return
        ident = self.bid[attr.id]
        if value is True:
            self.emit(ident, f"{ident}\t{attr.name} {target}", attr.target)
            return
        shown = str(value)
        if not isinstance(value, str):
            self.warn(
                I.APPROXIMATED,
                attr.id,
                f"attribute {attr.id}: the {type(value).__name__} {shown} is written as text and reads back as the string {shown!r}",
            )
        if not shown or re.search(r"\s", shown):
            self.warn(
                I.NOT_CARRIED,
                attr.id,
                f"attribute {attr.id}: the value {shown!r} is empty or holds whitespace, which brat values cannot",
            )
            return
        self.emit(ident, f"{ident}\t{attr.name} {target} {shown}", attr.target)

    def entities(self) -> None:
        for e in self.doc.entities:
            members = [
                self.bid[m]
                for m in e.mentions
                if m in self.bid and isinstance(self.where[m][2], Mention)
            ]
            if len(members) != len(e.mentions):
                self.warn(
                    I.NOT_CARRIED,
                    e.id,
                    f"entity {e.id} has members that are not mentions; brat equivalences hold text-bound entities only",
                )
            if not members:
                continue
            first = members[0]
            position: dict[str, int] = {}
            for i, m in enumerate(members):
                position.setdefault(m, i)
            waiting: dict[str, deque[str]] = {}
            # Each entity's equivalence and normalisations stay together, entity by entity:
            # reading them back keeps the order of the entities.
            if len(members) > 1:
                self.emit("*", f"*\t{EQUIV} {' '.join(members)}", e.id, "N")
            for link in e.links:
                norm = self.numbers["N"].next()
                if ":" in link.kb:
                    self.warn(
                        I.APPROXIMATED,
                        e.id,
                        f"entity {e.id}: the knowledge base {link.kb!r} holds a colon; brat reads {link.kb}:{link.id} at the first one",
                    )
                line = f"N{norm}\t{REFERENCE} {first} {link.kb}:{link.id}\t{e.name or ''}"
                # A kept line may put the normalisation on another member, as brat had it.
                ref = f"{link.kb}:{link.id}"
                other = self.norm_member(e.id, ref, position, waiting, first)
                self.emit("N", line.replace(f" {first} ", f" {other} ", 1), e.id)
            lost = []
            first_mention = self.where[e.mentions[0]][2]
            if isinstance(first_mention, Mention) and first_mention.type != e.type:
                lost.append(
                    f"its type {e.type} (brat takes the mentions' type {first_mention.type})"
                )
            if e.name and not e.links:
                lost.append(f"its name {e.name!r} (brat keeps names only with normalisations)")
            if e.note:
                lost.append("its note")
            if e.id != f"{first}.entity":
                lost.append(f"its id (it reads back as {first}.entity)")
            if len(members) == 1 and not e.links:
                lost = ["it: brat has no single-mention entity without a normalisation"]
            if lost:
                self.warn(
                    I.NOT_CARRIED, e.id, f"entity {e.id}: brat does not keep {'; '.join(lost)}"
                )

    def notes(self) -> None:
        notes = [(a.id, a.note) for _, _, a in self.doc.annotations() if a.note is not None]
        for ident, note in notes:
            kind = self.where[ident][0]
            target = self.bid.get(ident)
            if target is None or kind == "entities":
                if kind != "entities":  # entities said so already
                    self.warn(
                        I.NOT_CARRIED, ident, f"the note of {ident} has nowhere to go in brat"
                    )
                continue
            if "\r" in note:
                self.warn(
                    I.APPROXIMATED,
                    ident,
                    f"the note of {ident} holds a carriage return, which brat notes cannot; it is dropped",
                )
            for piece in note.replace("\r", "").split("\n"):
                number = self.numbers["#"].gap()
                self.emit(f"#{number}", f"#{number}\t{NOTES} {target}\t{piece}", ident)

    def typed_note(self, attr: Attribute) -> None:
        """A ``note:TYPE`` attribute as the brat note it was read from (``#N<TAB>TYPE ID<TAB>text``)."""
        target = self.target(attr.target, attr.id, "the target", relations=True)
        kind = attr.name.removeprefix(NOTE_PREFIX)
        text = attr.value if isinstance(attr.value, str) else str(attr.value)
        if target is None or not kind or re.search(r"\s", kind) or _BREAK.search(text):
            self.warn(
                I.NOT_CARRIED,
                attr.id,
                f"attribute {attr.id} cannot be a brat {kind or 'untyped'} note: its target, "
                "type or a line break in its text has no place in a # line",
            )
            return
        m = re.fullmatch(r"note([0-9]+)", attr.id)
        number = int(m.group(1)) if m else self.numbers["#"].next()
        self.emit(f"#{number}", f"#{number}\t{kind} {target}\t{text}", attr.target)

    def norm_member(
        self,
        owner: str,
        ref: str,
        position: dict[str, int],
        waiting: dict[str, deque[str]],
        default: str,
    ) -> str:
        """The first member (in ``position``'s order) with an unused kept N line for ``ref``.

        ``waiting`` holds, per link, the candidates of one entity in member order: a kept list
        once used up stays empty, so those at the front without a line are dropped for good.
        """
        queue = waiting.get(ref)
        if queue is None:
            candidates = [m for m in self.kept_norms.get((owner, ref), ()) if m in position]
            queue = waiting[ref] = deque(sorted(candidates, key=position.__getitem__))
        while queue and not self.kept.get((owner, ("N", (queue[0], ref)))):
            queue.popleft()
        return queue[0] if queue else default

    def kept_trigger(self, ev: Event) -> str | None:
        """The trigger line kept for ``ev`` when it still covers the event's trigger."""
        if not self.kept:
            return None
        pieces = _cut(ev.trigger)[0]
        offsets = tuple((self.map.from_codepoint(a), self.map.from_codepoint(b)) for a, b in pieces)
        found = self.kept.get((ev.id, ("T", ev.type, offsets)))
        # Several events may share the line: it is looked up, not used up.
        return found.first() if found else None

    def cue(self, owner: str, span: Span, owner_id: str) -> None:
        """A quote's or claim's cue: a text-bound Cue and a Cue relation from ``owner`` to it."""
        if not span:
            return
        cue = self.new_id("T")
        if self.textbound(cue, "Cue", span, owner_id):
            rid = self.new_id("R")
            self.emit(rid, f"{rid}\tCue Arg1:{owner} Arg2:{cue}")

    def quotes_and_claims(self) -> None:
        doc = self.doc
        links: list[tuple[str, str, str | None]] = []
        for q in doc.quotes:
            tid = self.bid[q.id]
            self.textbound(tid, "Quote" if q.mode == "direct" else "IndirectQuote", q.span, q.id)
            links.append((q.id, "Speaker", q.speaker))
            self.cue(tid, q.cue, q.id)
            self.warn(
                I.APPROXIMATED,
                q.id,
                f"quote {q.id} is written as a text-bound {'Quote' if q.mode == 'direct' else 'IndirectQuote'} ({tid}) with Speaker and Cue relations; it reads back as a mention and relations",
            )
        for c in doc.claims:
            tid = self.bid[c.id]
            self.textbound(tid, "Claim", c.span, c.id)
            links += [(c.id, "Source", c.source), (c.id, "Channel", c.channel)]
            self.cue(tid, c.cue, c.id)
            roles = "Source, Channel and Cue" if c.cue else "Source and Channel"
            self.warn(
                I.APPROXIMATED,
                c.id,
                f"claim {c.id} is written as a text-bound Claim ({tid}) with {roles} relations; it reads back as a mention and relations",
            )
        for owner, kind, ref in links:
            if ref is None:
                continue
            target = self.target(ref, owner, kind.lower())
            if target is None:
                continue
            rid = self.new_id("R")
            self.emit(rid, f"{rid}\t{kind} Arg1:{self.bid[owner]} Arg2:{target}")

    def metadata(self) -> None:
        meta = self.doc.meta
        if meta != plain_metadata(self.doc.id):
            self.warn(
                I.NOT_CARRIED,
                None,
                "brat keeps no metadata: the title, language and the rest of meta are not written",
                "/meta",
            )


def write_brat(doc: Document, unit: str = "codepoint") -> Exported:
    """A document as brat standoff: ``.txt`` (the text, unchanged) and ``.ann``."""
    writer = _Writer(doc, unit)
    ann = writer.write()
    return Exported({".txt": doc.text, ".ann": ann}, writer.findings)


# --------------------------------------------------------------------------- the registry's entry


def import_source(source: InputSource, options: ImportOptions) -> Iterator[Imported | Converted]:
    """The registry's reader: one brat document (``source`` is its .txt or .ann).

    Its annotation.conf, found upward as brat finds it, is converted once per run (yielded
    the first time, before the document) and declared as the document's scheme.
    """
    from corpuskit.interop.bratconf import conf_for

    txt = source.path.with_suffix(".txt")
    conf, scheme, converted = conf_for(txt.parent, source.top, options)
    if converted is not None:
        yield converted
    imported = read_brat(
        txt,
        source.path.with_suffix(".ann"),
        conf,
        options.unit or "codepoint",
        root=options.root,
        limit=options.limit,
    )
    if scheme is not None:
        options.declared_schemes[imported.source] = scheme
    yield imported


def export_document(document: Document, options: ExportOptions) -> Exported:
    """The registry's writer: ``.txt`` and ``.ann``."""
    return write_brat(document, options.unit)


# --------------------------------------------------------------------------- round trip


def canonical(standoff: Standoff) -> dict[str, tuple[object, ...]]:
    """Each annotation's content without its line (what a round trip must keep), by id."""
    out: dict[str, tuple[object, ...]] = {}
    for t in standoff.textbounds.values():
        out[t.id] = ("T", t.type, tuple(t.offsets))
    for e in standoff.events.values():
        out[e.id] = ("E", e.type, e.extra, tuple(sorted(e.args)))
    for r in standoff.relations.values():
        out[r.id] = ("R", r.type, tuple(sorted(r.args)))
    for group in (standoff.attributes, standoff.norms, standoff.notes):
        for a in group.values():
            out[a.id] = (a.id[0].replace("M", "A"), a.type, tuple(a.args), a.extra or "")
    return out


def equivalences(standoff: Standoff) -> list[tuple[str, tuple[str, ...]]]:
    """The ``*`` lines as (type, members), sorted (they have no ids)."""
    return sorted((e.type, tuple(m for _, m in e.args)) for e in standoff.equivs)


def _round_trip(
    original: Standoff, doc: Document, unit: str, ann_file: str, said: list[Finding]
) -> list[Finding]:
    """I010 for every annotation that writing ``doc`` back would not reproduce."""
    exported, _ = parse_ann(write_brat(doc, unit).files[".ann"])
    before, after = canonical(original), canonical(exported)
    by_content: dict[tuple[object, ...], str] = {v: k for k, v in after.items()}
    lines = {
        **{t.id: t.line for t in original.textbounds.values()},
        **{
            r.id: r.line
            for g in (
                original.events,
                original.relations,
                original.attributes,
                original.norms,
                original.notes,
            )
            for r in g.values()
        },
    }
    out: list[Finding] = []

    def report(line: int, message: str) -> None:
        out.append(SourceFinding(I.ROUND_TRIP, message, position=(line, 1), file=ann_file))

    reported = {f.position for f in said if isinstance(f, SourceFinding)}
    by_kind: dict[object, list[str]] = defaultdict(list)
    for written, value in after.items():
        by_kind[value[0]].append(written)
    for ident, content in before.items():
        if after.get(ident) == content or (lines[ident], 1) in reported:
            continue
        other = by_content.get(content)
        if other is not None:
            report(lines[ident], f"{ident} will be written back as {other}")
        else:
            # The nearest written annotation of the same kind: its own id first, then the one
            # that agrees on most fields (a note or normalisation whose id or target moved).
            # The search is skipped for kinds with thousands of lines: it would make the import
            # quadratic in the size of the .ann.
            same_kind = by_kind.get(content[0], [])
            nearest = (
                ident
                if ident in after
                else max(
                    same_kind if len(same_kind) <= _MAX_NEAREST else [],
                    key=lambda k: sum(a == b for a, b in zip(after[k], content, strict=False)),
                    default=None,
                )
            )
            line = exported.lines[_line_of(exported, nearest) - 1] if nearest else None
            shown = f": {line!r}" if line else " (it is not written back)"
            report(lines[ident], f"{ident} will be written back differently{shown}")
    kept = Counter(equivalences(exported))
    for eq in original.equivs:
        key = (eq.type, tuple(m for _, m in eq.args))
        if kept[key] > 0:
            kept[key] -= 1
        elif (eq.line, 1) not in reported:
            report(
                eq.line,
                f"the equivalence {' '.join(key[1])} will be written back as {EQUIV} over the entity's mentions",
            )
    return out


def _line_of(standoff: Standoff, ident: str) -> int:
    for group in (
        standoff.textbounds,
        standoff.events,
        standoff.relations,
        standoff.attributes,
        standoff.norms,
        standoff.notes,
    ):
        found = group.get(ident)
        if found is not None:
            return found.line
    return 1
