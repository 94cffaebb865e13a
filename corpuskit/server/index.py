"""An index of one buffer: its record, where each JSON pointer sits in the source, the
annotations by id and every reference between them (for hovers, navigation and completion).

Built from the same record every format reads a document into, so JSON and XML share pointers.
A buffer that does not parse has no index; the features then answer nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from corpuskit.formats import format_module
from corpuskit.formats.json_positions import JsonPositions
from corpuskit.model import ANNOTATION_KINDS, SINGULAR

#: The kinds each reference field may point to (the README's table; R003 checks it, from the
#: model the rules read, while the server reads records, drafts included).
AGENTS = frozenset({"mentions", "entities"})
REFERENCE_KINDS: dict[tuple[str, str], frozenset[str]] = {
    ("entities", "mentions"): frozenset({"mentions"}),
    ("quotes", "speaker"): AGENTS,
    ("claims", "source"): AGENTS,
    ("claims", "channel"): AGENTS,
    ("events", "args"): frozenset({"mentions", "entities", "events"}),
    ("relations", "args"): frozenset({"mentions", "entities", "events", "relations"}),
    ("attributes", "target"): frozenset(ANNOTATION_KINDS) - {"attributes"},
}
SPAN_FIELDS = ("span", "cue", "trigger")
#: Characters of text shown around a span or a reference's covered text.
CONTEXT = 40


@dataclass(frozen=True, slots=True)
class Extent:
    """Where a pointer's value sits in the buffer: code-point offsets [start, end)."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Annotation:
    """One annotation of the record."""

    kind: str
    index: int
    id: str | None
    record: dict[str, Any]

    @property
    def pointer(self) -> str:
        """Its JSON pointer."""
        return f"/{self.kind}/{self.index}"


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference from one annotation's field to an id, at ``pointer``."""

    pointer: str
    field: str
    target: str
    owner: Annotation


@dataclass(slots=True)
class DocumentIndex:
    """A parsed buffer: record, source extents, annotations and references."""

    fmt: str
    record: dict[str, Any]
    extents: dict[str, Extent]
    annotations: list[Annotation] = field(default_factory=list)
    by_id: dict[str, list[Annotation]] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)

    @classmethod
    def build(cls, source: str, fmt: str) -> DocumentIndex | None:
        """The index of a buffer, or None when it does not parse into a document record."""
        record: Any
        if fmt == "json":
            import orjson

            try:
                record = orjson.loads(source)
            except orjson.JSONDecodeError:
                return None
            extents = {p: Extent(e.start, e.end) for p, e in JsonPositions(source).extents.items()}
        else:
            record = format_module("xml").parse(source.encode("utf-8", "surrogatepass")).record
            extents = xml_extents(source)
        if not isinstance(record, dict):
            return None
        index = cls(fmt, record, extents)
        index._collect()
        return index

    def _collect(self) -> None:
        for kind in ANNOTATION_KINDS:
            items = self.record.get(kind)
            for i, item in enumerate(items if isinstance(items, list) else ()):
                if not isinstance(item, dict):
                    continue
                ident = item.get("id") if isinstance(item.get("id"), str) else None
                annotation = Annotation(kind, i, ident, item)
                self.annotations.append(annotation)
                if ident is not None:
                    self.by_id.setdefault(ident, []).append(annotation)
                self._references(annotation)

    def _references(self, a: Annotation) -> None:
        item, base = a.record, a.pointer
        for (kind, name), _ in REFERENCE_KINDS.items():
            if kind != a.kind or name not in item:
                continue
            value = item[name]
            if isinstance(value, str):
                self.references.append(Reference(f"{base}/{name}", name, value, a))
            elif isinstance(value, list):
                for k, member in enumerate(value):
                    if isinstance(member, str):
                        self.references.append(Reference(f"{base}/{name}/{k}", name, member, a))
                    elif isinstance(member, dict) and isinstance(member.get("ref"), str):
                        ref = f"{base}/{name}/{k}/ref"
                        self.references.append(Reference(ref, name, member["ref"], a))

    @property
    def text(self) -> str:
        """The document's text ("" when it has none)."""
        text = self.record.get("text")
        return text if isinstance(text, str) else ""

    def pointer_at(self, offset: int) -> str | None:
        """The deepest pointer whose value contains ``offset`` (a cursor just after counts)."""
        best: tuple[int, str] | None = None
        for pointer, extent in self.extents.items():
            if extent.start <= offset <= extent.end and pointer:
                size = extent.end - extent.start
                if (
                    best is None
                    or size < best[0]
                    or (size == best[0] and len(pointer) > len(best[1]))
                ):
                    best = (size, pointer)
        return best[1] if best else None

    def value(self, pointer: str) -> Any:
        """The record's value at ``pointer`` (None when there is none)."""
        node: Any = self.record
        for token in pointer.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                return None
        return node

    def annotation_of(self, pointer: str) -> Annotation | None:
        """The annotation ``pointer`` lies in."""
        parts = pointer.split("/")
        if len(parts) < 3 or parts[1] not in ANNOTATION_KINDS or not parts[2].isdigit():
            return None
        found = self.value("/".join(parts[:3]))
        if not isinstance(found, dict):
            return None
        ident = found.get("id") if isinstance(found.get("id"), str) else None
        return Annotation(parts[1], int(parts[2]), ident, found)

    def reference_at(self, pointer: str) -> Reference | None:
        """The reference whose value is at ``pointer``."""
        for ref in self.references:
            if ref.pointer == pointer:
                return ref
        return None

    def references_to(self, ident: str) -> list[Reference]:
        """Every reference that names ``ident``."""
        return [r for r in self.references if r.target == ident]

    def fragments(self, a: Annotation) -> list[tuple[str, int, dict[str, Any]]]:
        """(span field, index, fragment) of every fragment of an annotation."""
        out = []
        for name in SPAN_FIELDS:
            span = a.record.get(name)
            for j, fragment in enumerate(span if isinstance(span, list) else ()):
                if isinstance(fragment, dict):
                    out.append((name, j, fragment))
        return out

    def covered(self, a: Annotation, depth: int = 0) -> str:
        """The text an annotation covers (its spans' text; an entity's name or first mention)."""
        pieces = []
        for name, _, fragment in self.fragments(a):
            if name == "span" or (name == "trigger" and a.kind == "events"):
                pieces.append(self.fragment_text(fragment))
        if pieces:
            return " … ".join(pieces)
        item = a.record
        if a.kind == "entities":
            if isinstance(item.get("name"), str):
                return str(item["name"])
            members = item.get("mentions")
            if isinstance(members, list) and members and depth < 2:
                first = self.by_id.get(str(members[0]))
                return self.covered(first[0], depth + 1) if first else ""
        if a.kind == "relations":
            args = item.get("args")
            return ", ".join(
                f"{arg.get('role')}: {arg.get('ref')}"
                for arg in (args if isinstance(args, list) else ())
                if isinstance(arg, dict)
            )
        if a.kind == "attributes":
            return f"{item.get('name')} = {item.get('value')!r} on {item.get('target')}"
        return ""

    def describe(self, a: Annotation) -> str:
        """One line for people: kind, type and covered text ("entity PER “Iranian official”")."""
        type_name = a.record.get("type")
        covered = shorten(self.covered(a))
        parts = (SINGULAR[a.kind], str(type_name) if type_name else "", f"“{covered}”")
        return " ".join(p for p in parts if p and p != "“”")

    def fragment_text(self, fragment: dict[str, Any]) -> str:
        """The text a fragment's offsets cover, or the text it gives when it has no offsets."""
        start, end = fragment.get("start"), fragment.get("end")
        if type(start) is int and type(end) is int and 0 <= start <= end <= len(self.text):
            return self.text[start:end]
        text = fragment.get("text")
        return text if isinstance(text, str) else ""


def shorten(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# XML: a tag scanner over the buffer (the document already parsed, so tags are well formed),
# mapping each element and attribute to the pointer the format gives it.
_XML_TOKEN = re.compile(
    r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<![^>]*>"
    r"|<(/?)([A-Za-z_][\w.:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>",
    re.DOTALL,
)
_XML_ATTR = re.compile(r"([A-Za-z_][\w.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def xml_extents(source: str) -> dict[str, Extent]:
    """Pointer -> extent of every element (whole), attribute value and text content."""
    from corpuskit.formats.xml_format import attribute_pointer, child_pointer

    out: dict[str, Extent] = {}
    # (pointer, local tag, start offset, end of the start tag, same-tag child counts)
    stack: list[tuple[str, str, int, int, dict[str, int]]] = []
    for m in _XML_TOKEN.finditer(source):
        if m.group(2) is None:
            continue
        closing, tag = m.group(1) == "/", m.group(2).rsplit(":", 1)[-1]
        if closing:
            if not stack:
                continue
            pointer, open_tag, start, content, _ = stack.pop()
            content_pointer = attribute_pointer(pointer, open_tag, None)
            if content_pointer != pointer and open_tag in ("frag", "text"):
                out[content_pointer] = Extent(content, m.start())
            out.setdefault(pointer, Extent(start, m.end()))
            continue
        if stack:
            parent, parent_tag, _, _, counts = stack[-1]
            nth = counts.get(tag, 0)
            counts[tag] = nth + 1
            pointer = child_pointer(parent, parent_tag, tag, nth)
        else:
            pointer, tag = "", "document"
        for attr in _XML_ATTR.finditer(m.group(3) or ""):
            name = attr.group(1)
            if name.startswith("xmlns") or (tag == "attribute" and name == "datatype"):
                continue
            group = 2 if attr.group(2) is not None else 3
            base = m.start(3)
            out[attribute_pointer(pointer, tag, name)] = Extent(
                base + attr.start(group), base + attr.end(group)
            )
        if m.group(4):
            out.setdefault(pointer, Extent(m.start(), m.end()))
        else:
            stack.append((pointer, tag, m.start(), m.end(), {}))
    return out
