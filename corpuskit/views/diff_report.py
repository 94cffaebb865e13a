"""Renderings of semantic diffs (text, markdown for a pull-request comment, JSON) and the
textconv view of one document that git can diff line by line."""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Sequence
from typing import Any

from corpuskit.model import ANNOTATION_KINDS, SINGULAR, Document, Fragment, Span
from corpuskit.reporters.escape import dump_json, visible
from corpuskit.views.common import (
    Index,
    first_start,
    format_value,
    natural_key,
    shorten,
)
from corpuskit.views.diff import AnnotationChange, DiffProblem, DocumentDiff, FieldChange
from corpuskit.views.text_edits import TextEdit

Renderer = Callable[[Sequence[DocumentDiff], Sequence[DiffProblem]], str]
#: Characters of covered text shown in a diff line.
LABEL_LIMIT = 70


def _quoted(text: str, limit: int = LABEL_LIMIT) -> str:
    return f"“{shorten(text, limit)}”"


def _span(value: Any) -> str:
    """A span in record form as ``[35, 41) “Russia”`` (fragments joined with " + ")."""
    if not value:
        return "(none)"
    return " + ".join(f"[{f['start']}, {f['end']}) {_quoted(f['text'])}" for f in value)


def _item(item: dict[str, Any]) -> str:
    if "role" in item:
        return f"{item['role']}={item['ref']} ({item['label']})"
    if "kb" in item:
        return f"{item['kb']}:{item['id']}"
    return f"{item['id']} ({item['label']})"


def describe_change(change: FieldChange) -> str:
    """One field change in words: ``span: [35, 41) “ussia,” → [34, 40) “Russia”``."""
    if change.added or change.removed:
        parts = [f"+ {_item(i)}" for i in change.added] + [f"− {_item(i)}" for i in change.removed]
        return f"{change.field}: {'; '.join(parts)}"
    if change.field in ("span", "cue", "trigger"):
        return f"{change.field}: {_span(change.old)} → {_span(change.new)}"

    def side(value: Any, label: str | None) -> str:
        if value is None:
            return "(none)"
        shown = value if isinstance(value, str) and label else json.dumps(value, ensure_ascii=False)
        return f"{shown} ({label})" if label else shown

    return f"{change.field}: {side(change.old, change.old_label)} → {side(change.new, change.new_label)}"


def _literal(text: str, limit: int = LABEL_LIMIT) -> str:
    """Edited text exactly, spaces kept and line breaks shown, cut in the middle when long."""
    flat = _flat(text)
    if len(flat) > limit:
        flat = flat[: limit // 2] + " … " + flat[-(limit // 2) :]
    return f"“{flat}”"


def describe_edit(edit: TextEdit) -> str:
    """One text edit in words, with what it does to the offsets after it."""
    if not edit.old_text:
        what = f"inserted {_literal(edit.new_text)} at {edit.old_start}"
    elif not edit.new_text:
        what = f"deleted {_literal(edit.old_text)} at [{edit.old_start}, {edit.old_end})"
    else:
        what = (
            f"replaced {_literal(edit.old_text)} at [{edit.old_start}, {edit.old_end}) "
            f"with {_literal(edit.new_text)}"
        )
    if edit.shift_after:
        return f"{what}; offsets from {edit.old_end} on: {edit.shift_after:+d}"
    return f"{what}; later offsets unchanged"


def _who(change: AnnotationChange) -> str:
    ident = change.id
    if change.status == "renumbered":
        ident = f"{change.old_id} → {change.new_id}"
    return f"{SINGULAR[change.kind]} {ident}"


def _what(change: AnnotationChange) -> str:
    # Event, relation and attribute labels already name their type.
    if change.type and change.kind in ("mentions", "entities", "quotes"):
        return f"{change.type} {change.label}"
    return change.label


def _paths(diff: DocumentDiff) -> str:
    if diff.old_path and diff.new_path and diff.old_path != diff.new_path:
        return f"{diff.old_path} → {diff.new_path}"
    return diff.new_path or diff.old_path or "(document)"


def _ident(diff: DocumentDiff) -> str:
    if diff.old_id and diff.new_id and diff.old_id != diff.new_id:
        return f"{diff.old_id} → {diff.new_id}"
    return diff.new_id or diff.old_id or "?"


def _counts_line(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind if n != 1 else SINGULAR[kind]}" for kind, n in counts.items() if n)


def _summary_words(diff: DocumentDiff) -> list[str]:
    summary = diff.summary()
    words = [
        f"{summary[s]} {s}" for s in ("added", "removed", "changed", "renumbered") if summary[s]
    ]
    if summary["shifted"]:
        words.append(f"{summary['shifted']} shifted with the text")
    return words


def _text_block(diff: DocumentDiff) -> list[str]:
    lines = [f"{_paths(diff)} ({_ident(diff)})"]
    if diff.status != "modified":
        state = "new document" if diff.status == "added" else "deleted document"
        length = diff.new_length if diff.status == "added" else diff.old_length
        lines.append(
            f"  {state}: {length:,} characters; {_counts_line(diff.counts) or 'no annotations'}"
        )
        lines.extend(f"  note: {n}" for n in diff.notes)
        return lines
    if diff.empty:
        lines.append("  no differences")
    if diff.text_edits:
        n = len(diff.text_edits)
        lines.append(
            f"  text: {n} edit{'s' if n != 1 else ''}, "
            f"{diff.old_length:,} → {diff.new_length:,} characters"
        )
        lines.extend(f"    {describe_edit(e)}" for e in diff.text_edits)
    lines.extend(f"  {describe_change(c)}" for c in diff.meta_changes)
    if diff.changes or diff.shifted:
        words = [*_summary_words(diff), f"{diff.unchanged} unchanged"]
        lines.append(f"  annotations: {', '.join(words)}")
        for change in diff.changes:
            where = f" at {change.start}" if change.start is not None else ""
            lines.append(f"    {change.status:<11} {_who(change)} {_what(change)}{where}")
            lines.extend(f"{'':16}{describe_change(c)}" for c in change.changes)
    elif not diff.empty:
        lines.append(f"  annotations: no changes ({diff.unchanged} unchanged)")
    lines.extend(f"  note: {n}" for n in diff.notes)
    return lines


def render_text(diffs: Sequence[DocumentDiff], problems: Sequence[DiffProblem] = ()) -> str:
    """A plain-text report for a terminal."""
    # Names, values and text come from the documents: every line is escaped (control, bidi and
    # line-breaking characters), so none can retitle a terminal or start a CI log command.
    blocks = ["\n".join(visible(line) for line in _text_block(d)) for d in diffs]
    blocks.extend(visible(f"{p.path}: cannot compare: {p.message}") for p in problems)
    if not blocks:
        return "No changed documents.\n"
    return "\n\n".join(blocks) + "\n"


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#~"})


def _md(text: str) -> str:
    """Text safe in a markdown table cell: special characters escaped, on one line."""
    return " ".join(text.translate(_MD_SPECIAL).split())


def _md_block(diff: DocumentDiff) -> list[str]:
    lines = [f"### {_md(_paths(diff))} ({_md(_ident(diff))})", ""]
    if diff.status != "modified":
        state = "New document" if diff.status == "added" else "Deleted document"
        length = diff.new_length if diff.status == "added" else diff.old_length
        counts = _counts_line(diff.counts) or "no annotations"
        lines.append(f"**{state}**: {length:,} characters; {counts}.")
        lines.extend(f"> {_md(n)}" for n in diff.notes)
        return [*lines, ""]
    if diff.empty:
        lines.append("No differences.")
    if diff.text_edits:
        n = len(diff.text_edits)
        lines.append(
            f"**Text**: {n} edit{'s' if n != 1 else ''}, "
            f"{diff.old_length:,} → {diff.new_length:,} characters"
        )
        lines.append("")
        lines.extend(f"- {_md(describe_edit(e))}" for e in diff.text_edits)
        lines.append("")
    if diff.meta_changes:
        lines.append("**Metadata**:")
        lines.append("")
        lines.extend(f"- {_md(describe_change(c))}" for c in diff.meta_changes)
        lines.append("")
    if diff.changes or diff.shifted:
        words = [*_summary_words(diff), f"{diff.unchanged} unchanged"]
        lines.append(f"**Annotations**: {' · '.join(words)}")
        lines.append("")
    if diff.changes:
        lines.append("| change | annotation | what | details |")
        lines.append("|---|---|---|---|")
        for change in diff.changes:
            if change.status == "renumbered":
                who = f"{SINGULAR[change.kind]} `{change.old_id}` → `{change.new_id}`"
            else:
                who = f"{SINGULAR[change.kind]} `{change.id}`"
            details = "<br>".join(_md(describe_change(c)) for c in change.changes)
            if not details and change.start is not None:
                details = f"at {change.start}"
            lines.append(f"| {change.status} | {who} | {_md(_what(change))} | {details} |")
        lines.append("")
    lines.extend(f"> {_md(n)}" for n in diff.notes)
    return lines


def render_markdown(diffs: Sequence[DocumentDiff], problems: Sequence[DiffProblem] = ()) -> str:
    """A markdown report for a pull-request comment: a heading and a table per document."""
    changed = [d for d in diffs if not d.empty]
    lines = ["## Annotation changes", ""]
    if not diffs and not problems:
        lines.append("No changed documents.")
    else:
        n = len(changed)
        lines.append(f"{n} document{'s' if n != 1 else ''} changed.")
    lines.append("")
    for diff in diffs:
        lines.extend(_md_block(diff))
    for problem in problems:
        lines.append(f"- **{_md(problem.path)}**: cannot compare: {_md(problem.message)}")
    return "\n".join(visible(line) for line in lines).rstrip("\n") + "\n"


def render_json(diffs: Sequence[DocumentDiff], problems: Sequence[DiffProblem] = ()) -> str:
    """The diff as JSON: ``{"documents": [...], "problems": [...]}``."""
    data = {
        "documents": [d.to_dict() for d in diffs],
        "problems": [p.to_dict() for p in problems],
    }
    return dump_json(data) + "\n"


RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}


# ---------------------------------------------------------------- textconv


def _flat(text: str) -> str:
    """Text on one line: line breaks and tabs made visible, so each annotation stays one line."""
    return text.replace("\r", "␍").replace("\n", "⏎").replace("\t", "⇥")


class _Lines:
    """Offsets as (line, column) in the text, so an edit of one paragraph does not change how
    the annotations of the others are written (each line of the text is a paragraph)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def at(self, offset: int) -> tuple[int, int]:
        """1-based line and 0-based code-point column of ``offset``."""
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line]

    def fragment(self, fragment: Fragment) -> str:
        """``@5:4-23 “text”`` (line 5, columns [4, 23)); ``@5:70-6:3`` across lines; the text
        at the offsets too when it differs from what the fragment states."""
        (line, col), (end_line, end_col) = self.at(fragment.start), self.at(fragment.end)
        where = (
            f"@{line}:{col}-{end_col}"
            if line == end_line
            else f"@{line}:{col}-{end_line}:{end_col}"
        )
        out = f"{where} “{_flat(fragment.text)}”"
        ok = 0 <= fragment.start <= fragment.end <= len(self.text)
        actual = self.text[fragment.start : fragment.end] if ok else ""
        if actual != fragment.text:
            out += f" ≠ text “{_flat(actual)}”"
        return out

    def span(self, span: Span) -> str:
        return " + ".join(self.fragment(f) for f in span) if span else "(empty)"


def _tc_ref(ident: str, index: Index) -> str:
    return f"{ident} ({_flat(index.label(ident, 200))})"


def _textconv_line(kind: str, a: Any, index: Index, lines: _Lines) -> str:
    parts = [SINGULAR[kind], a.id]
    if kind == "mentions":
        parts += [a.type, lines.span(a.span)]
    elif kind == "entities":
        parts += [a.type, f"“{_flat(a.name)}”" if a.name else "(no name)"]
        parts.append("mentions: " + ", ".join(_tc_ref(m, index) for m in a.mentions))
        if a.links:
            parts.append("links: " + ", ".join(f"{k.kb}:{k.id}" for k in a.links))
    elif kind == "quotes":
        parts += [a.mode, lines.span(a.span)]
        if a.speaker:
            parts.append(f"speaker: {_tc_ref(a.speaker, index)}")
        if a.cue:
            parts.append(f"cue: {lines.span(a.cue)}")
    elif kind == "claims":
        parts.append(lines.span(a.span))
        for name in ("source", "channel"):
            if getattr(a, name):
                parts.append(f"{name}: {_tc_ref(getattr(a, name), index)}")
    elif kind == "events":
        parts += [a.type, lines.span(a.trigger)]
        parts += [f"{g.role}: {_tc_ref(g.ref, index)}" for g in a.args]
    elif kind == "relations":
        parts.append(a.type)
        parts += [f"{g.role}: {_tc_ref(g.ref, index)}" for g in a.args]
    else:
        parts += [f"on {_tc_ref(a.target, index)}:", f"{a.name} = {format_value(a.value)}"]
    if a.note:
        parts.append(f"note: {_flat(a.note)}")
    return " ".join(parts)


def _meta_lines(prefix: str, value: Any) -> list[str]:
    if isinstance(value, dict):
        return [line for k, v in value.items() for line in _meta_lines(f"{prefix}.{k}", v)]
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return [f"{prefix}: {_flat(str(value))}"]


def render_textconv(document: Document) -> str:
    """A stable, line-per-item rendering of one document for ``git diff`` (textconv).

    The text comes first, one numbered line per text line; then one line per annotation with
    its covered text and what it refers to, kinds in storage order, annotations with a span by
    position in the text (so a renumbered id reads as a change in place), others by id. Spans
    are written as line and column (``@5:4-23``), so editing one paragraph of the text leaves
    the lines of annotations elsewhere unchanged.
    """
    from corpuskit.formats.records import meta_to_dict

    index = Index(document)
    text = document.text
    positions = _Lines(text)
    lines = [
        f"document {document.id} (corpuskit {document.version}, offsets in {document.offset_unit})"
    ]
    lines += _meta_lines("meta", meta_to_dict(document.meta))
    lines.append(f"text: {len(text)} characters, sha256 {document.text_sha256}")
    width = len(str(text.count("\n") + 1))
    lines += [f"text {n:>{width}}| {_flat(line)}" for n, line in enumerate(text.split("\n"), 1)]
    for kind in ANNOTATION_KINDS:
        items = list(getattr(document, kind))

        def order(a: Any) -> tuple[Any, ...]:
            start = first_start(a)
            return (start if start is not None else -1, natural_key(a.id))

        items.sort(key=order)
        lines += [_textconv_line(kind, a, index, positions) for a in items]
    return "\n".join(visible(line) for line in lines) + "\n"
