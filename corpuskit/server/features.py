"""Hover, go to definition, find references, the outline and completion, from a buffer's index
and the scheme the document follows."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from lsprotocol import types as lsp

from corpuskit.model import SINGULAR
from corpuskit.scheme import Scheme
from corpuskit.server.buffers import Buffer
from corpuskit.server.context import Context
from corpuskit.server.convert import location, to_range
from corpuskit.server.index import (
    CONTEXT,
    REFERENCE_KINDS,
    SPAN_FIELDS,
    Annotation,
    DocumentIndex,
    shorten,
)

SYMBOL_KIND = {
    "mentions": lsp.SymbolKind.Variable,
    "entities": lsp.SymbolKind.Class,
    "quotes": lsp.SymbolKind.String,
    "claims": lsp.SymbolKind.Object,
    "events": lsp.SymbolKind.Event,
    "relations": lsp.SymbolKind.Interface,
    "attributes": lsp.SymbolKind.Property,
}


def _block(text: str) -> str:
    """``text`` as a Markdown code block (document text is shown, never interpreted)."""
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}text\n{text}\n{fence}"


def _in_context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    return " ".join(f"…{before}⟦{text[start:end]}⟧{after}…".split())


def hover(index: DocumentIndex, offset: int, scheme: Scheme | None) -> str | None:
    """Markdown for what is under the cursor: a fragment, a reference, a type, an annotation."""
    pointer = index.pointer_at(offset)
    if pointer is None:
        return None
    parts = pointer.split("/")[1:]
    owner = index.annotation_of(pointer)
    if owner is not None and len(parts) >= 4 and parts[2] in SPAN_FIELDS and parts[3].isdigit():
        fragment = index.value("/".join(pointer.split("/")[:5]))
        if isinstance(fragment, dict):
            return _fragment_hover(index, owner, fragment)
    ref = index.reference_at(pointer)
    if ref is not None:
        targets = index.by_id.get(ref.target, [])
        if not targets:
            return f"**{ref.target}**: no annotation has this id"
        return "\n\n".join(_annotation_hover(index, t) for t in targets)
    described = _scheme_hover(index, pointer, scheme) if owner is not None else None
    if described is not None:
        return described
    if owner is not None and (len(parts) == 2 or parts[2:] == ["id"]):
        uses = len(index.references_to(owner.id)) if owner.id else 0
        return f"{_annotation_hover(index, owner)}\n\nreferenced {uses} time{'s' * (uses != 1)}"
    return None


def _fragment_hover(index: DocumentIndex, owner: Annotation, fragment: dict[str, Any]) -> str:
    text, given = index.text, fragment.get("text")
    head = f"**{owner.id or owner.pointer}** {SINGULAR[owner.kind]}"
    start, end = fragment.get("start"), fragment.get("end")
    if type(start) is not int or type(end) is not int:
        count = text.count(given) if isinstance(given, str) and given else 0
        return (
            f"{head}: fragment given by its text alone, without offsets; "
            f"the text occurs {count} time{'s' * (count != 1)}\n\n{_block(str(given))}"
        )
    if not 0 <= start <= end <= len(text):
        return f"{head}: fragment [{start}, {end}) lies outside the text ({len(text)} characters)"
    covered = text[start:end]
    verdict = (
        "✓ matches the fragment's text"
        if covered == given
        else f"✗ differs from the fragment's text: {json.dumps(given, ensure_ascii=False)}"
    )
    return f"{head}: text[{start}:{end}]\n\n{_block(_in_context(text, start, end))}\n\n{verdict}"


def _annotation_hover(index: DocumentIndex, a: Annotation) -> str:
    lines = [f"**{a.id or a.pointer}**: {index.describe(a)}"]
    for name, _, fragment in index.fragments(a)[:3]:
        start, end = fragment.get("start"), fragment.get("end")
        if type(start) is int and type(end) is int and 0 <= start <= end <= len(index.text):
            lines.append(_block(f"{name} [{start}, {end}): {_in_context(index.text, start, end)}"))
    return "\n\n".join(lines)


def _scheme_hover(index: DocumentIndex, pointer: str, scheme: Scheme | None) -> str | None:
    if scheme is None:
        return None
    parts = pointer.split("/")[1:]
    kind, rest = parts[0], parts[2:]
    value = index.value(pointer)
    if not isinstance(value, str | int | float | bool):
        return None
    owner = index.annotation_of(pointer)
    record = owner.record if owner is not None else {}
    if rest == ["type"] and kind in ("mentions", "entities"):
        return _describe_type(scheme, str(value))
    if rest == ["type"] and kind in ("events", "relations"):
        return _describe_frame(scheme, kind, str(value))
    if len(rest) == 3 and rest[0] == "args" and rest[2] == "role":
        frames = scheme.events if kind == "events" else scheme.relations
        frame = frames.get(str(record.get("type")))
        role = frame.roles.get(str(value)) if frame else None
        if role is None:
            return f"role **{value}** is not declared for {record.get('type')!r}"
        card = role.cardinality.describe()
        return f"role **{role.name}** of {frame.name if frame else ''}: {', '.join(role.types)} ({card})"
    if kind == "attributes" and rest in (["name"], ["value"]):
        return _describe_attribute(scheme, str(record.get("name")))
    if len(rest) == 3 and rest[0] == "links" and rest[2] in ("kb", "id"):
        link = index.value("/".join(pointer.split("/")[:-1]))
        kb = scheme.knowledge_bases.get(str(link.get("kb"))) if isinstance(link, dict) else None
        if kb is None:
            return None
        text = f"knowledge base **{kb.name}**: {scheme.descriptions.get(('knowledge_bases', kb.name), '')}"
        if kb.url and isinstance(link, dict) and isinstance(link.get("id"), str):
            text += f"\n\n{kb.url.format(id=link['id'])}"
        return text
    return None


def _describe_type(scheme: Scheme, name: str) -> str:
    found = scheme.types.get(name)
    if found is None:
        return f"type **{name}** is not declared in {scheme.path}"
    notes = []
    if found.parent:
        notes.append(f"a kind of {found.parent}")
    if found.union:
        notes.append(f"stands for {', '.join(found.union)}")
    notes.append("for " + " and ".join(sorted(k + "s" for k in found.kinds)))
    description = scheme.descriptions.get(("types", name), "")
    return f"type **{name}**: {description}\n\n{'; '.join(notes)} ({found.where})"


def _describe_frame(scheme: Scheme, kind: str, name: str) -> str:
    frame = (scheme.events if kind == "events" else scheme.relations).get(name)
    what = SINGULAR[kind]
    if frame is None:
        return f"{what} type **{name}** is not declared in {scheme.path}"
    roles = "\n".join(
        f"- {r.name}: {', '.join(r.types)} ({r.cardinality.describe()})"
        for r in frame.roles.values()
    )
    description = scheme.descriptions.get((kind, name), "")
    return f"{what} type **{name}**: {description}\n\n{roles}\n\n({frame.where})"


def _describe_attribute(scheme: Scheme, name: str) -> str:
    found = scheme.attributes.get(name)
    if found is None:
        return f"attribute **{name}** is not declared in {scheme.path}"
    allowed = (
        ", ".join(json.dumps(v) for v in found.values) if found.values else found.datatype or "any"
    )
    description = scheme.descriptions.get(("attributes", name), "")
    return (
        f"attribute **{name}**: {description}\n\nvalues: {allowed}; on "
        f"{', '.join(sorted(found.on))}{'; required' if found.required else ''} ({found.where})"
    )


def definition(index: DocumentIndex, buf: Buffer, offset: int) -> list[lsp.Location]:
    """Where the annotation a reference names is."""
    pointer = index.pointer_at(offset)
    ref = index.reference_at(pointer) if pointer else None
    if ref is None:
        return []
    targets = [index.extents.get(t.pointer) for t in index.by_id.get(ref.target, [])]
    return [location(buf, e) for e in targets if e is not None]


def references(
    index: DocumentIndex, buf: Buffer, offset: int, declaration: bool
) -> list[lsp.Location]:
    """Every reference to the annotation under the cursor (or named by the reference there)."""
    pointer = index.pointer_at(offset)
    if pointer is None:
        return []
    ref = index.reference_at(pointer)
    owner = index.annotation_of(pointer)
    ident = ref.target if ref is not None else owner.id if owner is not None else None
    if ident is None:
        return []
    pointers = [r.pointer for r in index.references_to(ident)]
    if declaration:
        pointers = [f"{a.pointer}/id" for a in index.by_id.get(ident, [])] + pointers
    extents = [index.extents.get(p) for p in pointers]
    return [location(buf, e) for e in extents if e is not None]


def symbols(index: DocumentIndex, buf: Buffer) -> list[lsp.DocumentSymbol]:
    """The outline: annotations by kind, each labelled with its id and covered text."""
    groups: dict[str, list[lsp.DocumentSymbol]] = {}
    for a in index.annotations:
        extent = index.extents.get(a.pointer)
        if extent is None:
            continue
        whole = to_range(buf, extent.start, extent.end)
        id_extent = index.extents.get(f"{a.pointer}/id")
        chosen = to_range(buf, id_extent.start, id_extent.end) if id_extent else whole
        covered = shorten(index.covered(a))
        groups.setdefault(a.kind, []).append(
            lsp.DocumentSymbol(
                name=f"{a.id or '(no id)'} {covered}".strip() if covered else a.id or "(no id)",
                detail=str(a.record.get("type") or a.record.get("name") or ""),
                kind=SYMBOL_KIND[a.kind],
                range=whole,
                selection_range=chosen,
            )
        )
    out = []
    for kind, children in groups.items():
        extent = index.extents.get(f"/{kind}")
        whole = (
            to_range(buf, extent.start, extent.end)
            if extent
            else lsp.Range(children[0].range.start, children[-1].range.end)
        )
        out.append(
            lsp.DocumentSymbol(
                name=kind,
                detail=f"{len(children)}",
                kind=lsp.SymbolKind.Namespace,
                range=whole,
                selection_range=lsp.Range(whole.start, whole.start),
                children=children,
            )
        )
    return out


def completions(
    ctx: Context, index: DocumentIndex | None, scheme: Scheme | None
) -> list[tuple[Any, str, str]]:
    """(value, detail, documentation) of what may be written at a completion context."""
    kind, name, sub = ctx.kind, ctx.field, ctx.subfield
    out: list[tuple[Any, str, str]] = []
    if (kind, name) in REFERENCE_KINDS and sub == ("ref" if name == "args" else None):
        allowed = REFERENCE_KINDS[(kind, name)]
        for a in index.annotations if index is not None else ():
            if a.kind in allowed and a.id is not None and a.id != ctx.siblings.get("id"):
                out.append((a.id, SINGULAR[a.kind], index.describe(a) if index else ""))
        return out
    if scheme is None:
        return _used_values(ctx, index)
    if name == "type" and kind in ("mentions", "entities"):
        usable = "mention" if kind == "mentions" else "entity"
        for type_name in scheme.types:
            if scheme.usable(type_name, usable):
                out.append((type_name, "type", scheme.descriptions.get(("types", type_name), "")))
    elif name == "type" and kind in ("events", "relations"):
        frames = scheme.events if kind == "events" else scheme.relations
        for frame in frames:
            out.append(
                (frame, f"{SINGULAR[kind]} type", scheme.descriptions.get((kind, frame), ""))
            )
    elif name == "args" and sub == "role":
        frames = scheme.events if kind == "events" else scheme.relations
        found = frames.get(ctx.siblings.get("type", ""))
        for role in found.roles.values() if found else ():
            out.append(
                (role.name, "role", f"{', '.join(role.types)} ({role.cardinality.describe()})")
            )
    elif kind == "attributes" and name == "name":
        target = ctx.siblings.get("target")
        targets = index.by_id.get(target, []) if index is not None and target else []
        for attribute in scheme.attributes.values():
            if targets and not any(t.kind in attribute.on for t in targets):
                continue
            description = scheme.descriptions.get(("attributes", attribute.name), "")
            out.append((attribute.name, "attribute", description))
    elif kind == "attributes" and name == "value":
        declared = scheme.attributes.get(ctx.siblings.get("name", ""))
        values: tuple[Any, ...] = ()
        if declared is not None:
            values = declared.values or ((True, False) if declared.datatype == "boolean" else ())
        out.extend((v, "value", "") for v in values)
    elif name == "links" and sub == "kb":
        for kb in scheme.knowledge_bases.values():
            out.append(
                (
                    kb.name,
                    "knowledge base",
                    scheme.descriptions.get(("knowledge_bases", kb.name), ""),
                )
            )
    return out


def _used_values(ctx: Context, index: DocumentIndex | None) -> list[tuple[Any, str, str]]:
    """Without a scheme: the values this field already has elsewhere in the document."""
    seen: dict[str, None] = {}
    for a in index.annotations if index is not None else ():
        if a.kind != ctx.kind:
            continue
        value = a.record.get(ctx.field)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if ctx.subfield is not None:
                item = item.get(ctx.subfield) if isinstance(item, dict) else None
            if isinstance(item, str):
                seen.setdefault(item)
    return [(v, "used in this document", "") for v in seen]


def completion_items(
    ctx: Context, buf: Buffer, cursor: int, fmt: str, found: list[tuple[Any, str, str]]
) -> list[lsp.CompletionItem]:
    """Completion items that replace what was typed of the value."""
    edit_range = to_range(buf, ctx.start, cursor)
    items = []
    for n, (value, detail, doc) in enumerate(found):
        label = value if isinstance(value, str) else json.dumps(value)
        if fmt == "json":
            text = json.dumps(value, ensure_ascii=False)
            text = text[1:-1] if ctx.quoted and isinstance(value, str) else text
        else:
            text = escape(label, {'"': "&quot;"})
            text = text if ctx.quoted else f'"{text}"'
        items.append(
            lsp.CompletionItem(
                label=label,
                detail=detail,
                documentation=doc or None,  # a plain string: every client shows it
                kind=lsp.CompletionItemKind.Reference
                if detail in SINGULAR.values()
                else lsp.CompletionItemKind.EnumMember,
                sort_text=f"{n:05d}",
                filter_text=label,
                text_edit=lsp.TextEdit(range=edit_range, new_text=text),
            )
        )
    return items
