"""What is being typed at the cursor: which annotation kind, which field, and the value so far.

Read from the text before the cursor only, so that a half-typed document (an unterminated
string, a missing bracket) still gives completions. JSON is tokenised with a stack of open
objects and arrays; XML by its open elements and the start tag being written.
"""

from __future__ import annotations

import dataclasses
import json
import re

from corpuskit.model import ANNOTATION_KINDS, SINGULAR

#: How far after the cursor to look for the rest of the annotation (its type, name, target).
LOOKAHEAD = 4000

_JSON_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<open>"(?:[^"\\\n]|\\.)*\\?$)'
    r'|[{}\[\]:,]|[^\s{}\[\]:,"]+|\s+',
    re.DOTALL,
)
#: Annotation element -> its kind (the list it is stored in).
_XML_ITEM_KIND = {singular: kind for kind, singular in SINGULAR.items()}
#: Child elements and the annotation field they stand for.
_XML_CHILD_FIELD = {"member": "mentions", "link": "links", "arg": "args"}
_XML_TAGS = re.compile(r"<!--.*?-->|<\?.*?\?>|<(/?)([A-Za-z_][\w.:-]*)([^<>]*?)(/?)>", re.DOTALL)
_XML_OPEN_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)((?:\s[^<>]*)?)$", re.DOTALL)
_XML_ATTR = re.compile(r"([A-Za-z_][\w.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_XML_PARTIAL = re.compile(r"([A-Za-z_][\w.:-]*)\s*=\s*(?:([\"'])([^\"'<>]*)|)$")


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    """A value being typed: ``kind`` (annotation list), ``field`` and, inside a list of
    objects (args, links), ``subfield``; the text typed so far starts at ``start``."""

    kind: str
    field: str
    subfield: str | None
    prefix: str
    start: int
    #: The cursor is inside quotes (insert the bare value) rather than after ``:`` or ``=``.
    quoted: bool
    #: The annotation's own simple fields read around the cursor (type, name, target ...).
    siblings: dict[str, str] = dataclasses.field(default_factory=dict)


def completion_context(source: str, offset: int, fmt: str) -> Context | None:
    """The value being typed at ``offset``, or None where corpuskit has nothing to offer."""
    offset = max(0, min(offset, len(source)))
    return _json_context(source, offset) if fmt == "json" else _xml_context(source, offset)


def _json_context(source: str, offset: int) -> Context | None:
    # Frames: [is_object, key or index, start offset, expecting a key]
    stack: list[list[object]] = []
    last = ""
    partial: tuple[int, str] | None = None
    for m in _JSON_TOKEN.finditer(source, 0, offset):
        token = m.group()
        if token.isspace():
            continue
        partial = None
        top = stack[-1] if stack else None
        if token in "{[" and len(token) == 1:
            stack.append([token == "{", None if token == "{" else 0, m.start(), token == "{"])
        elif token in "}]" and len(token) == 1:
            if stack:
                stack.pop()
        elif token == ":" and top is not None:
            top[3] = False
        elif token == "," and top is not None:
            if top[0]:
                top[1], top[3] = None, True
            else:
                top[1] = int(str(top[1])) + 1
        elif m.group("open") is not None:
            partial = (m.start() + 1, token[1:])  # the cursor is inside this string
        elif m.group("string") is not None and top is not None and top[0] and top[3]:
            top[1] = _decode(token)
        last = token
    path = [frame[1] for frame in stack]
    quoted = partial is not None
    if not quoted and last not in (":", "[", ","):
        return None
    if quoted and stack and stack[-1][0] and stack[-1][3]:
        return None  # a key, not a value
    if len(path) < 3 or path[0] not in ANNOTATION_KINDS or not isinstance(path[2], str):
        return None
    kind, name = str(path[0]), path[2]
    subfield = path[4] if len(path) >= 5 and isinstance(path[4], str) else None
    prefix, start = (partial[1], partial[0]) if partial else ("", offset)
    annotation_start = int(str(stack[2][2]))
    siblings = _json_siblings(source[annotation_start : _line_end(source, offset) + LOOKAHEAD])
    return Context(kind, name, subfield, prefix, start, quoted, siblings)


def _decode(token: str) -> str:
    try:
        value = json.loads(token)
    except ValueError:
        return token.strip('"')
    return value if isinstance(value, str) else token


def _line_end(source: str, offset: int) -> int:
    end = source.find("\n", offset)
    return len(source) if end < 0 else end


_JSON_SIBLING = re.compile(r'"(id|type|name|target|kb)"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _json_siblings(segment: str) -> dict[str, str]:
    """The first value of each simple field in an annotation's text (its own fields come
    before or beside its lists in any layout corpuskit or a person writes)."""
    out: dict[str, str] = {}
    depth = 0
    for m in re.finditer(r'[{}\[\]]|"(?:[^"\\]|\\.)*"\s*:\s*"(?:[^"\\]|\\.)*"', segment):
        token = m.group()
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
            if depth <= 0:
                break
        elif depth == 1:
            found = _JSON_SIBLING.match(token)
            if found and found.group(1) not in out:
                out[found.group(1)] = _decode(f'"{found.group(2)}"')
    return out


def _xml_context(source: str, offset: int) -> Context | None:
    before = source[:offset]
    cut = before.rfind("<")
    if cut < 0:
        return None
    tag_match = _XML_OPEN_TAG.match(before, cut)
    if tag_match is None:
        return None
    partial = _XML_PARTIAL.search(tag_match.group(2))
    if partial is None:
        return None
    tag = tag_match.group(1).rsplit(":", 1)[-1]
    attrs = _attrs(tag_match.group(2)[: partial.start()])
    rest = source[offset : offset + LOOKAHEAD]
    close = rest.find(">")
    attrs.update({k: v for k, v in _attrs(rest[: max(close, 0)]).items() if k not in attrs})
    quoted = partial.group(2) is not None
    prefix = partial.group(3) or ""
    start = offset - len(prefix)
    name = partial.group(1)
    if tag in _XML_ITEM_KIND:
        return Context(_XML_ITEM_KIND[tag], name, None, prefix, start, quoted, attrs)
    if tag in _XML_CHILD_FIELD:
        parent = _open_parent(source[:cut])
        if parent is None or parent[0] not in _XML_ITEM_KIND:
            return None
        parent_field = _XML_CHILD_FIELD[tag]
        subfield = None if tag == "member" else name
        return Context(
            _XML_ITEM_KIND[parent[0]], parent_field, subfield, prefix, start, quoted, parent[1]
        )
    return None


def _attrs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _XML_ATTR.finditer(text):
        out.setdefault(m.group(1), m.group(2) if m.group(2) is not None else m.group(3))
    return out


def _open_parent(before: str) -> tuple[str, dict[str, str]] | None:
    """The innermost element still open at the end of ``before``, with its attributes."""
    stack: list[tuple[str, dict[str, str]]] = []
    for m in _XML_TAGS.finditer(before):
        if m.group(2) is None:
            continue
        tag = m.group(2).rsplit(":", 1)[-1]
        if m.group(1):
            while stack and stack.pop()[0] != tag:
                pass
        elif not m.group(4):
            stack.append((tag, _attrs(m.group(3))))
    return stack[-1] if stack else None
