"""Label Studio JSON (tasks with text, labelled regions and relations) to and from corpuskit.

A Label Studio export is a list of tasks: ``data`` holds the text, each entry of
``annotations`` one annotator's ``result``: ``labels`` regions (``value``: ``start``, ``end``,
``text``, ``labels``) and ``relation`` results (``from_id``, ``to_id``, ``direction``,
``labels``). Each annotation of a task becomes one corpuskit document: regions are mentions,
relations are relations with roles ``from`` and ``to``. Each such document repeats its task's
text, so the documents made from one input may hold, in all, TEXT_FACTOR (8) times its size in
characters of text, or MIN_TEXT_BUDGET (16 Mi) when that is more; past that, the rest of the
input is not read, and I001 says how much.
Export writes one task per document, importable into Label Studio as pre-annotated data.

Offsets: Label Studio's Text tag counts code points (its frontend tests "NER - Emoji - Text"
assert offsets by code points; versions before the fix of HumanSignal/label-studio-frontend#308
counted UTF-16 units, HumanSignal/label-studio#1347). Reading checks the offsets against the
``text`` each region repeats, and names ``--offset-unit utf16`` when that fits better (I003).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from corpuskit.diagnostics import Finding
from corpuskit.formats.records import meta_to_dict
from corpuskit.interop.common import (
    Exported,
    IdPool,
    Imported,
    InputProblem,
    checked_metadata,
    document_id,
    fit_name,
    load_json,
    plain_metadata,
    renamed_finding,
    shorten,
)
from corpuskit.interop.units import OffsetMap, unit_finding
from corpuskit.model import SINGULAR, Argument, Document, Fragment, Mention, Relation, text_sha256
from corpuskit.rules import interop as I

if TYPE_CHECKING:
    from corpuskit.interop.registry import Converted, ExportOptions, ImportOptions, InputSource

#: The control and object tag names written (a labelling config using them reads the export).
LABELS, TEXT = "label", "text"
#: The labelling configuration the export matches, for a project's settings.
CONFIG = (
    '<View><Labels name="label" toName="text"/><Relations/><Text name="text" value="$text"/></View>'
)
#: Each annotation of a task is a document holding the task's whole text, so a long text with
#: many annotations (even empty ones, ``{"id": 7}``) would make documents far larger than their
#: input: 3 million such entries on a 32 MB text fit in 64 MiB and would make 96 TB. The
#: documents made from one input hold at most TEXT_FACTOR times its size in characters of text,
#: and at least MIN_TEXT_BUDGET; past that the rest of the input is not read, and a finding
#: says how much. A task's text is in the input, so tasks of one annotation each never reach it.
TEXT_FACTOR = 8
MIN_TEXT_BUDGET = 1 << 24


# --------------------------------------------------------------------------- corpuskit -> Label Studio


def to_task(doc: Document, unit: str = "codepoint") -> tuple[dict[str, Any], list[Finding]]:
    """A document as one Label Studio task with one annotation, and what it cannot carry."""
    offsets = OffsetMap(doc.text, unit)
    findings: list[Finding] = []
    result: list[dict[str, Any]] = []
    index = {m.id: i for i, m in enumerate(doc.mentions)}
    for i, m in enumerate(doc.mentions):
        f = m.span[0]
        if len(m.span) > 1:
            rest = ", ".join(repr(x.text) for x in m.span[1:])
            message = f"mention {m.id}: a region is contiguous; only its first fragment is written ({rest} not carried)"
            findings.append(
                Finding(I.NOT_CARRIED, message, f"/mentions/{i}/span", annotation_id=m.id)
            )
        value = {
            "start": offsets.from_codepoint(f.start),
            "end": offsets.from_codepoint(f.end),
            "text": f.text,
            "labels": [m.type],
        }
        result.append(
            {"id": m.id, "from_name": LABELS, "to_name": TEXT, "type": "labels", "value": value}
        )
    first = {e.id: e.mentions[0] for e in doc.entities if e.mentions}
    for i, r in enumerate(doc.relations):
        refs = [first.get(a.ref, a.ref) for a in r.args]
        pointer = f"/relations/{i}"
        if len(refs) != 2 or not all(ref in index for ref in refs):
            message = f"relation {r.id} is not written: Label Studio relations join two regions"
            findings.append(Finding(I.NOT_CARRIED, message, pointer, annotation_id=r.id))
            continue
        roles = tuple(a.role for a in r.args)
        if roles != ("from", "to") or refs != [a.ref for a in r.args]:
            message = (
                f"relation {r.id}: written from {refs[0]} to {refs[1]} (entities as their first "
                f"mention); the roles {', '.join(roles)} read back as from, to"
            )
            findings.append(Finding(I.APPROXIMATED, message, pointer, annotation_id=r.id))
        result.append(
            {
                "from_id": refs[0],
                "to_id": refs[1],
                "type": "relation",
                "direction": "right",
                "labels": [r.type],
            }
        )
    for kind in ("entities", "quotes", "claims", "events", "attributes"):
        n = len(getattr(doc, kind))
        if n:
            noun = SINGULAR[kind] if n == 1 else kind
            message = f"{n} {noun} {'is' if n == 1 else 'are'} not written: Label Studio tasks hold regions and relations"
            findings.append(Finding(I.NOT_CARRIED, message, f"/{kind}"))
    noted = [kind for kind, _, a in doc.annotations() if a.note]
    if noted:
        findings.append(
            Finding(
                I.NOT_CARRIED,
                f"the notes of {len(noted)} annotation(s) are not written",
                "/mentions",
            )
        )
    data = {
        "text": doc.text,
        "corpuskit": {"id": doc.id, "meta": meta_to_dict(doc.meta), "offset_unit": unit},
    }
    return {"data": data, "annotations": [{"result": result}]}, findings


def write_labelstudio(doc: Document, unit: str = "codepoint") -> Exported:
    """A document as a Label Studio task list (``.labelstudio.json``) and its labelling config."""
    task, findings = to_task(doc, unit)
    text = json.dumps([task], ensure_ascii=False, indent=2) + "\n"
    return Exported({".labelstudio.json": text, ".labelstudio.xml": CONFIG + "\n"}, findings)


def export_document(document: Document, options: ExportOptions) -> Exported:
    """The registry's writer: ``.labelstudio.json`` and the labelling config ``.labelstudio.xml``."""
    return write_labelstudio(document, options.unit)


# --------------------------------------------------------------------------- Label Studio -> corpuskit


def _fail(name: str, file: str, message: str) -> Imported:
    return Imported(name, file, None, [Finding(I.INPUT_UNREADABLE, message, position=(1, 1))])


def _text_of(data: Any) -> tuple[str | None, str | None]:
    """The task's text, or None and why: never a guess between several string fields."""
    if not isinstance(data, dict):
        return None, "the task has no data object"
    if isinstance(data.get("text"), str):
        return data["text"], None
    strings = [k for k, v in data.items() if isinstance(v, str)]
    if len(strings) == 1:
        return data[strings[0]], None
    shown = ", ".join(shorten(k) for k in strings) or "none"
    return (
        None,
        f"no data field 'text', and the string fields are not one ({shown}): which is the text?",
    )


class TextBudget:
    """The characters of text the documents made from one input may still hold."""

    def __init__(self, size: int) -> None:
        #: What the documents of an input of ``size`` bytes may hold in all.
        self.total = max(MIN_TEXT_BUDGET, TEXT_FACTOR * size)
        self.left = self.total
        #: Once spent: the name of the first document not made, and how many annotations of
        #: its task are not read.
        self.stopped: tuple[str, int] | None = None

    def spend(self, text: str, name: str, unread: int) -> bool:
        """Whether one more document holding ``text`` fits (it is then counted); when it does
        not, ``name`` and the ``unread`` annotations of its task are where reading stops."""
        if len(text) > self.left:
            self.stopped = (name, unread)
            return False
        self.left -= len(text)
        return True


def _annotations(task: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in task.get("annotations") or [] if isinstance(a, dict)]


def read_task(
    task: Any, file: str, name: str, unit: str | None = None, budget: TextBudget | None = None
) -> list[Imported]:
    """Every annotation of one task as a corpuskit document, while ``budget`` lasts (the
    documents made before it ran out; ``budget.stopped`` says where)."""
    if not isinstance(task, dict):
        return [_fail(name, file, f"a task must be an object, not {shorten(task)}")]
    text, why = _text_of(task.get("data"))
    if text is None:
        return [_fail(name, file, why or "no text")]
    data = task["data"]
    extra = data.get("corpuskit") if isinstance(data.get("corpuskit"), dict) else {}
    declared = extra.get("offset_unit")
    chosen: str = unit or (declared if declared in ("codepoint", "utf16", "utf8") else "codepoint")
    annotations = _annotations(task)
    findings: list[Finding] = []
    cancelled = [a for a in annotations if a.get("was_cancelled")]
    if cancelled:
        findings.append(
            Finding(
                I.NOT_CARRIED,
                f"{len(cancelled)} cancelled annotation(s) are not read",
                position=(1, 1),
            )
        )
    if task.get("predictions"):
        findings.append(
            Finding(
                I.NOT_CARRIED,
                f"{len(task['predictions'])} prediction(s) are not read (only annotations)",
                position=(1, 1),
            )
        )
    kept = [a for a in annotations if not a.get("was_cancelled")]
    budget = budget if budget is not None else TextBudget(0)
    out: list[Imported] = []
    for n, annotation in enumerate(kept, 1):
        suffix = f"-{annotation.get('id', n)}" if len(kept) > 1 else ""
        if not budget.spend(text, f"{name}{suffix}", len(kept) - n + 1):
            return out
        out.append(
            _read_annotation(
                annotation, text, extra, file, f"{name}{suffix}", chosen, findings if n == 1 else []
            )
        )
    if not out:
        if not budget.spend(text, name, 0):
            return out
        doc = Document(
            id=document_id(name),
            meta=plain_metadata(name),
            text=text,
            text_sha256=text_sha256(text),
        )
        out.append(Imported(name, file, doc, findings))
    return out


def _read_annotation(
    annotation: dict[str, Any],
    text: str,
    extra: dict[str, Any],
    file: str,
    name: str,
    unit: str,
    findings: list[Finding],
) -> Imported:
    offsets = OffsetMap(text, unit)
    findings = list(findings)
    pool = IdPool()
    results = [r for r in annotation.get("result") or [] if isinstance(r, dict)]
    pool.reserve(
        str(r["id"]) for r in results if r.get("type") == "labels" and r.get("id") is not None
    )
    mentions: list[Mention] = []
    region_ids: dict[str, str] = {}
    evidence: list[tuple[int, int, str]] = []
    skipped: dict[str, int] = {}
    for r in results:
        raw_value = r.get("value")
        value: dict[str, Any] = raw_value if isinstance(raw_value, dict) else {}
        if r.get("type") != "labels":
            if r.get("type") != "relation":
                skipped[str(r.get("type"))] = skipped.get(str(r.get("type")), 0) + 1
            continue
        start, end, labels = value.get("start"), value.get("end"), value.get("labels") or []
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
            findings.append(
                Finding(
                    I.INPUT_MALFORMED,
                    f"region {shorten(r.get('id'))}: start and end are not character offsets (a hypertext region?); left out",
                    position=(1, 1),
                )
            )
            continue
        if isinstance(value.get("text"), str):
            evidence.append((start, end, value["text"]))
        a, b = offsets.to_codepoint(start), offsets.to_codepoint(end)
        if a is None or b is None:
            findings.append(
                Finding(
                    I.OFFSET_UNIT,
                    f"region {shorten(r.get('id'))}: offset {start}-{end} falls inside a character in {unit}",
                    position=(1, 1),
                )
            )
            continue
        if len(labels) > 1:
            findings.append(
                Finding(
                    I.APPROXIMATED,
                    f"region {shorten(r.get('id'))} has {len(labels)} labels: one mention each",
                    position=(1, 1),
                )
            )
        for k, label in enumerate(labels or ["untyped"]):
            raw_id = str(r.get("id")) if r.get("id") is not None and k == 0 else None
            ident = pool.take(raw_id, "m")
            if k == 0 and raw_id is not None:
                region_ids[raw_id] = ident
            kind = fit_name(str(label))
            if kind != label:
                findings.append(
                    Finding(
                        I.NAME_CHANGED, f"label {shorten(label)} is written {kind}", position=(1, 1)
                    )
                )
            mentions.append(Mention(ident, kind, (Fragment(a, b, text[a:b]),)))
    relations: list[Relation] = []
    for r in results:
        if r.get("type") != "relation":
            continue
        ends = [region_ids.get(str(r.get(k))) for k in ("from_id", "to_id")]
        if None in ends:
            findings.append(
                Finding(
                    I.INPUT_MALFORMED,
                    f"a relation from {shorten(r.get('from_id'))} to {shorten(r.get('to_id'))} names no region; left out",
                    position=(1, 1),
                )
            )
            continue
        if r.get("direction") == "left":
            ends.reverse()
        roles = ("arg", "arg") if r.get("direction") == "bi" else ("from", "to")
        labels = r.get("labels") or ["related"]
        kind = fit_name(str(labels[0]))
        relations.append(
            Relation(
                pool.take(None, "r"),
                kind,
                tuple(Argument(role, str(e)) for role, e in zip(roles, ends, strict=True)),
            )
        )
    for kind, count in sorted(skipped.items()):
        findings.append(
            Finding(
                I.NOT_CARRIED,
                f"{count} {kind} result(s) are not read: no corpuskit kind corresponds",
                position=(1, 1),
            )
        )
    suggestion = unit_finding(text, evidence, unit, f"offsets of {name}")
    if suggestion is not None:
        findings.append(suggestion)
    renamed = renamed_finding(pool.renamed, "to fit corpuskit ids")
    if renamed is not None:
        findings.append(renamed)
    meta = plain_metadata(name)
    if "meta" in extra:
        checked, _problem = checked_metadata(extra["meta"])
        meta = checked or meta
    raw_id = extra.get("id")
    doc = Document(
        id=document_id(raw_id if isinstance(raw_id, str) else name),
        meta=meta,
        text=text,
        text_sha256=text_sha256(text),
        mentions=tuple(mentions),
        relations=tuple(relations),
    )
    return Imported(name, file, doc, findings)


def read_labelstudio(data: bytes, file: str, name: str, unit: str | None = None) -> list[Imported]:
    """Every annotation of every task of a Label Studio JSON export."""
    try:
        tasks, _, warnings = load_json(data)
    except InputProblem as problem:
        return [
            Imported(
                name,
                file,
                None,
                [Finding(I.INPUT_UNREADABLE, str(problem), position=problem.position)],
            )
        ]
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        return [_fail(name, file, "a Label Studio export is a list of tasks")]
    out: list[Imported] = []
    budget = TextBudget(len(data))
    for n, task in enumerate(tasks, 1):
        task_id = task.get("id", n) if isinstance(task, dict) else n
        task_name = name if len(tasks) == 1 else f"{name}-{task_id}"
        out.extend(read_task(task, file, task_name, unit, budget))
        if budget.stopped is not None:
            out.append(_not_read(*budget.stopped, budget.total, tasks[n:], file))
            break
    if out:
        out[0].findings[:0] = warnings
    return out


def _not_read(name: str, unread: int, total: int, rest: list[Any], file: str) -> Imported:
    """The refusal of what is left once the text budget (``total``) is spent: from document
    ``name`` on, ``unread`` annotations of its task, and the tasks of ``rest``."""
    unread += sum(
        sum(not a.get("was_cancelled") for a in _annotations(task))
        for task in rest
        if isinstance(task, dict)
    )
    message = (
        f"the rest of the input is not read (from {shorten(name)} on: {unread:,} annotation(s) "
        f"of {len(rest) + 1:,} task(s)): each annotation is a document holding its task's "
        f"whole text, and the documents of one input hold at most {total:,} characters "
        f"of text ({TEXT_FACTOR} times its size, at least {MIN_TEXT_BUDGET:,})"
    )
    hint = "split the export into smaller files, or keep only the annotations wanted"
    return Imported(
        name, file, None, [Finding(I.INPUT_UNREADABLE, message, hint=hint, position=(1, 1))]
    )


def import_source(source: InputSource, options: ImportOptions) -> Iterator[Imported | Converted]:
    """The registry's reader: every annotation of every task of one export."""
    from corpuskit.interop.registry import os_reason

    path = source.path
    name = path.name.removesuffix(".json").removesuffix(".labelstudio")
    try:
        data = options.read(path)
    except OSError as exc:
        yield _fail(name, str(path), f"cannot read: {os_reason(exc)}")
        return
    yield from read_labelstudio(data, str(path), name, options.unit)
