"""One typed decode for XML: the lxml tree straight to the document model, for valid documents.

The full path for XML parses, validates against ``schema/document.xsd``, turns the tree into a
record, validates the record against the JSON Schema and builds the model from it. This module
parses with the same hardened parser (``xml_format._parser``), then walks the tree once and
builds the model classes directly, checking on the way everything the XSD and the JSON Schema
would check: element names, order and counts, attribute sets, text where none belongs, ids,
names, offsets, dates, constants. Anything it cannot vouch for (a draft part, a DOCTYPE, a
comment, a non-canonical offset such as ``007``, a line break written raw inside an attribute)
it refuses, and the full path then says what, if anything, is wrong and where. So ``decode``
only ever says "valid as it is, and here is the model"; ``tests/test_xml_typed.py`` checks on
every fixture, on generated documents and on mutation fuzz that whatever it accepts the full
path accepts too, as the same model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from corpuskit.formats import typed
from corpuskit.formats import xml_format as X
from corpuskit.formats.common import UTF8_BOM
from corpuskit.model import (
    ANNOTATION_KINDS,
    FORMAT_VERSION,
    OFFSET_UNIT,
    SINGULAR,
    Argument,
    Attribute,
    Claim,
    Document,
    Entity,
    Event,
    Fragment,
    KBLink,
    Mention,
    Metadata,
    Provenance,
    Quote,
    QuoteMode,
    Relation,
    Span,
)

if TYPE_CHECKING:
    from lxml import etree

    Element = etree._Element
else:
    Element = Any

_B = "{" + X.NS + "}"
_DOCUMENT = _B + "document"
_META = _B + "meta"
_TEXT = _B + "text"
_PROVENANCE = _B + "provenance"
_ANNOTATOR = _B + "annotator"
_SPAN = _B + "span"
_CUE = _B + "cue"
_TRIGGER = _B + "trigger"
_FRAG = _B + "frag"
_MEMBER = _B + "member"
_LINK = _B + "link"
_ARG = _B + "arg"
#: The metadata elements, in the order the XSD's sequence wants them.
_META_ORDER: dict[object, int] = {
    _B + name: i
    for i, name in enumerate(
        ("title", "source", "url", "published", "language", "license", "provenance")
    )
}
_TITLE, _LANGUAGE = 0, 4
_MODES: dict[str, QuoteMode] = {"direct": "direct", "indirect": "indirect"}
#: XML's white space (not str.isspace, which also takes U+0085, U+00A0 ...).
_WS = " \t\n\r"
#: An offset as ``Offset`` in the XSD allows it, in the one spelling JSON has (no sign, no
#: leading zero, no white space: the full path reads "007" as 7, and we leave that to it), up to
#: 2147483647; one per line, so that all offsets are checked by one match.
_OFFSETS = re.compile(
    r"(?:(?:0|[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
    r"|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
    r"|21474836[0-3][0-9]|214748364[0-7])\n)*"
)
#: A tab, CR or LF followed, on its line, by a quote before any ``<``: every attribute value
#: holding raw white space has one (the last white space in it), so where this finds nothing
#: the full path's P007 check (``xml_format._raw_whitespace_attribute``) finds nothing either.
_RAW_WHITESPACE_CANDIDATE = re.compile(r"""[\t\n\r][^"'<\t\n\r]*+["']""")
#: The same for a file without tabs and CRs: a pattern that starts with a literal is searched
#: for ten times faster than one that starts with a class.
_RAW_NEWLINE_CANDIDATE = re.compile(r"""\n[^"'<\t\n\r]*+["']""")


class _Refused(Exception):
    """Raised inside the walk for anything the decode does not vouch for."""


def _visible(text: str) -> int:
    """How many characters of ``text`` are not XML white space."""
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r")


def _named(el: Element, given: int, *names: str) -> list[str | None]:
    """The values of the attributes ``names`` (None where absent), refusing an element with
    attributes other than those (``given``: how many it has)."""
    values = list(map(el.get, names))
    if given != len(names) - values.count(None):
        raise _Refused
    return values


def _pair(el: Element, first: str, second: str) -> tuple[str, str]:
    """The values of an element's two attributes ``first`` and ``second``, in either order,
    refusing any other attribute: one items() call."""
    attributes = el.items()
    if len(attributes) != 2:
        raise _Refused
    (one, one_value), (other, other_value) = attributes
    if one == first and other == second:
        return one_value, other_value
    if one == second and other == first:
        return other_value, one_value
    raise _Refused


def _id_type_note(el: Element) -> tuple[str, str, str | None]:
    """The id, type and note? of a mention, event or relation element; the id and type are
    required. The writer's order (id, type, note) is read in one call, any other by name."""
    attributes = el.items()
    count = len(attributes)
    if count == 2 or count == 3:
        (first, ident), (second, kind) = attributes[0], attributes[1]
        if first == "id" and second == "type":
            if count == 2:
                return ident, kind, None
            if attributes[2][0] == "note":
                return ident, kind, attributes[2][1]
    found_id, found_type, note = _named(el, count, "id", "type", "note")
    if found_id is None or found_type is None:
        raise _Refused
    return found_id, found_type, note


class _Walk:
    """One pass over a document tree in document order (``root.iter()``, which lxml walks in C
    and which yields comments and processing instructions too, so the walk refuses them).
    Each element's number of children (``len``) tells the walk how many of the next nodes are
    its children, so no child list is ever built; an element that must have no children is
    not asked: if one has some, nodes are left over when the walk is done (``finished``). Ids, names, KB ids and offsets are collected
    and checked in batches at the end, and so is the character data: the texts of the
    elements that hold text are collected, and everything else must be white space (see
    ``stray_text``)."""

    __slots__ = ("ids", "kb_ids", "names", "next", "offsets", "texts")

    def __init__(self, root: Element) -> None:
        self.next: Callable[[], Element] = root.iter().__next__
        self.ids: list[str] = []
        self.names: list[str] = []
        self.kb_ids: list[str] = []
        self.offsets: list[str] = []
        self.texts: list[str] = []

    def child(self, tag: str) -> Element:
        """The next node, which must be a ``tag`` element."""
        el = self.next()
        if el.tag != tag:
            raise _Refused
        return el

    # ------------------------------------------------------------------ spans and arguments

    def span(self, tag: str) -> Span:
        """The next node as a ``tag`` (span, cue or trigger) element: its fragments, one or more.
        The hottest loop of the walk, hence written out rather than calling helpers."""
        el = self.next()
        count = len(el)
        if el.tag != tag or not count or el.keys():
            raise _Refused
        next_node, add_offset, add_text = self.next, self.offsets.append, self.texts.append
        out = []
        for _ in range(count):
            f = next_node()
            if f.tag != _FRAG:
                raise _Refused
            # Anything but start and end (prefix and suffix: a draft) goes the full path.
            start, end = _pair(f, "start", "end")
            text = f.text
            if not text:
                raise _Refused
            add_offset(start)
            add_offset(end)
            add_text(text)
            out.append(Fragment(int(start), int(end), text))
        return tuple(out)

    def args(self, count: int) -> tuple[Argument, ...]:
        """The next ``count`` nodes, as ``arg`` elements (empty: not even white space inside,
        as the XSD's empty content type wants)."""
        next_node, add_name, add_id = self.next, self.names.append, self.ids.append
        out = []
        for _ in range(count):
            a = next_node()
            if a.tag != _ARG or a.text is not None:
                raise _Refused
            role, ref = _pair(a, "role", "ref")
            add_name(role)
            add_id(ref)
            out.append(Argument(role, ref))
        return tuple(out)

    # ------------------------------------------------------------------ annotations

    def typed_head(self, el: Element) -> tuple[str, str, str | None, int]:
        """The id, type and note? of a mention, event or relation element (with the id and type
        taken for the pattern checks), and its number of children, one at least."""
        ident, kind, note = _id_type_note(el)
        count = len(el)
        if not count:
            raise _Refused
        self.ids.append(ident)
        self.names.append(kind)
        return ident, kind, note, count

    def mention(self, el: Element) -> Mention:
        """A ``mention`` element: id, type, note?; one span."""
        ident, kind, note, count = self.typed_head(el)
        if count != 1:
            raise _Refused
        return Mention(ident, kind, self.span(_SPAN), note)

    def entity(self, el: Element) -> Entity:
        """An ``entity`` element: id, type, name?, note?; member+, then link*."""
        ident, kind, name, note = _named(el, len(el.attrib), "id", "type", "name", "note")
        if ident is None or kind is None or name == "":
            raise _Refused
        self.ids.append(ident)
        self.names.append(kind)
        members: list[str] = []
        links: list[KBLink] = []
        for _ in range(len(el)):
            child = self.next()
            tag = child.tag
            # Empty elements: not even white space inside.
            if child.text is not None:
                raise _Refused
            attributes = child.items()
            if tag == _MEMBER and not links and len(attributes) == 1:
                ((key, ref),) = attributes
                if key != "ref":
                    raise _Refused
                members.append(ref)
            elif tag == _LINK and members:
                kb, kb_id = _named(child, len(attributes), "kb", "id")
                if kb is None or kb_id is None:
                    raise _Refused
                self.names.append(kb)
                self.kb_ids.append(kb_id)
                links.append(KBLink(kb, kb_id))
            else:
                raise _Refused
        if not members:
            raise _Refused
        self.ids.extend(members)
        return Entity(ident, kind, tuple(members), name, tuple(links), note)

    def _span_and_cue(self, el: Element) -> tuple[Span, Span]:
        count = len(el)
        if count != 1 and count != 2:
            raise _Refused
        span = self.span(_SPAN)
        return span, self.span(_CUE) if count == 2 else ()

    def quote(self, el: Element) -> Quote:
        """A ``quote`` element: id, mode, speaker?, note?; span, then cue?."""
        ident, mode, speaker, note = _named(el, len(el.attrib), "id", "mode", "speaker", "note")
        quote_mode = _MODES.get(mode or "")
        if ident is None or quote_mode is None:
            raise _Refused
        self.ids.append(ident)
        if speaker is not None:
            self.ids.append(speaker)
        span, cue = self._span_and_cue(el)
        return Quote(ident, span, quote_mode, speaker, cue, note)

    def claim(self, el: Element) -> Claim:
        """A ``claim`` element: id, source?, channel?, note?; span, then cue?."""
        ident, source, channel, note = _named(el, len(el.attrib), "id", "source", "channel", "note")
        if ident is None:
            raise _Refused
        self.ids.append(ident)
        self.ids.extend(ref for ref in (source, channel) if ref is not None)
        span, cue = self._span_and_cue(el)
        return Claim(ident, span, source, channel, note, cue)

    def event(self, el: Element) -> Event:
        """An ``event`` element: id, type, note?; trigger, then arg*."""
        ident, kind, note, count = self.typed_head(el)
        trigger = self.span(_TRIGGER)
        return Event(ident, kind, trigger, self.args(count - 1), note)

    def relation(self, el: Element) -> Relation:
        """A ``relation`` element: id, type, note?; arg+."""
        ident, kind, note, count = self.typed_head(el)
        return Relation(ident, kind, self.args(count), note)

    def attribute(self, el: Element) -> Attribute:
        """An ``attribute`` element: id, target, name, datatype, value, note?; empty."""
        if el.text is not None:
            raise _Refused
        ident, target, name, datatype, raw, note = _named(
            el, len(el.attrib), "id", "target", "name", "datatype", "value", "note"
        )
        if ident is None or target is None or name is None or datatype is None or raw is None:
            raise _Refused
        try:
            # The full path's own reading: JSON's spellings only, nothing a double cannot hold.
            value = X._typed(datatype, raw)
        except ValueError:
            raise _Refused from None
        self.ids.append(ident)
        self.ids.append(target)
        self.names.append(name)
        return Attribute(ident, target, name, value, note)

    # ------------------------------------------------------------------ the document

    def meta(self, el: Element) -> Metadata:
        """The ``meta`` element: its fields in the XSD's order, title and language required."""
        if len(el.attrib):
            raise _Refused
        fields: dict[int, str] = {}
        provenance = None
        last = -1
        for _ in range(len(el)):
            child = self.next()
            at = _META_ORDER.get(child.tag, -1)
            if at <= last:
                raise _Refused
            last = at
            if child.tag == _PROVENANCE:
                provenance = self.provenance(child)
            elif len(child.attrib):
                raise _Refused
            else:
                fields[at] = child.text or ""
                self.texts.append(fields[at])
        if _TITLE not in fields or _LANGUAGE not in fields:
            raise _Refused
        return Metadata(
            title=fields[_TITLE],
            language=fields[_LANGUAGE],
            source=fields.get(1),
            url=fields.get(2),
            published=fields.get(3),
            license=fields.get(5),
            provenance=provenance,
        )

    def provenance(self, el: Element) -> Provenance:
        """The ``provenance`` element: tool?, tool_version?, note?; annotator*."""
        tool, version, note = _named(el, len(el.attrib), "tool", "tool_version", "note")
        names = []
        for _ in range(len(el)):
            a = self.child(_ANNOTATOR)
            if len(a.attrib):
                raise _Refused
            names.append(a.text or "")
        self.texts.extend(names)
        return Provenance(tuple(names), tool, version, note)

    def text(self, el: Element) -> tuple[str, str]:
        """The ``text`` element: the article text and its hash (a draft leaves the hash out)."""
        unit, sha256 = _named(el, len(el.attrib), "offset_unit", "sha256")
        if unit != OFFSET_UNIT or sha256 is None:
            raise _Refused
        text = el.text or ""
        self.texts.append(text)
        return text, sha256

    def document(self) -> Document:
        """The whole tree, as a Document."""
        root = self.child(_DOCUMENT)
        version, ident = _named(root, len(root.attrib), "corpuskit", "id")
        count = len(root)
        if version != FORMAT_VERSION or ident is None or count < 2:
            raise _Refused
        self.ids.append(ident)
        meta = self.meta(self.child(_META))
        text, sha256 = self.text(self.child(_TEXT))
        kinds: dict[str, tuple[Any, ...]] = {}
        last = -1
        for _ in range(count - 2):
            container = self.next()
            at = _KIND_ORDER.get(container.tag, -1)
            if at <= last or len(container.attrib):
                raise _Refused
            last = at
            kind = ANNOTATION_KINDS[at]
            # The builder of each kind is the method named as its element.
            build, tag, next_node = getattr(self, SINGULAR[kind]), _B + SINGULAR[kind], self.next
            items = []
            for _ in range(len(container)):
                el = next_node()
                if el.tag != tag:
                    raise _Refused
                items.append(build(el))
            kinds[kind] = tuple(items)
        return Document(
            id=ident,
            meta=meta,
            text=text,
            text_sha256=sha256,
            offset_unit=OFFSET_UNIT,
            version=FORMAT_VERSION,
            **kinds,
        )

    def finished(self) -> bool:
        """Whether the walk has taken every node of the tree. Each element taken as a parent
        had exactly its ``len`` children taken after it, so a node is left over exactly when
        an element taken as empty or as text had children."""
        try:
            self.next()
        except StopIteration:
            return True
        return False

    def stray_text(self, root: Element) -> bool:
        """Whether character data other than white space stands outside the elements whose
        text was collected (the XSD allows only white space between elements). Counted over
        all of the tree's text at once, which lxml joins in C."""
        from lxml import etree

        everything = etree.tostring(root, method="text", encoding="unicode", with_tail=False)
        return _visible(everything) != _visible("".join(self.texts))

    def patterns_hold(self) -> bool:
        """Whether the ids, names, KB ids and offsets collected on the way have the schema's form."""
        return (
            typed.all_match(typed._IDS, self.ids)
            and typed.all_match(typed._NAMES, self.names)
            and typed.all_match(typed._KB_IDS, self.kb_ids)
            and typed.all_match(_OFFSETS, self.offsets)
        )


_KIND_ORDER: dict[object, int] = {_B + kind: i for i, kind in enumerate(ANNOTATION_KINDS)}


def _raw_whitespace_attribute(data: bytes, text: str) -> bool:
    """Whether an attribute value may hold a raw tab or line break (P007 in the full path):
    the exact check runs only around the few places the cheap candidate search points at."""
    searched_to = 0
    tabs_or_crs = b"\t" in data or b"\r" in data
    candidates = _RAW_WHITESPACE_CANDIDATE if tabs_or_crs else _RAW_NEWLINE_CANDIDATE
    for candidate in candidates.finditer(text):
        at = candidate.start()
        if at < searched_to:
            continue
        # A tag has no "<" inside (attribute values cannot hold one): the window between the
        # "<" before the candidate and the next "<" holds the whole tag it may lie in.
        start = text.rfind("<", 0, at)
        end = text.find("<", at)
        searched_to = len(text) if end < 0 else end
        if X._RAW_WHITESPACE_ATTRIBUTE.search(text, max(start, 0), searched_to) is not None:
            return True
    return False


def decode(data: bytes) -> Document | None:
    """The document in ``data`` when it is an XML document that both schemas accept as it is
    (UTF-8, no forbidden construct, no draft part), else None: then the full path
    (``xml_format.parse`` + ``schema.check_record`` + ``records.from_dict``) reads it and says
    what is wrong. Whenever this returns a Document, the full path reports no P or S finding
    for ``data`` and builds an equal Document."""
    from lxml import etree

    if data.startswith(UTF8_BOM):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    declared = X._DECLARED_ENCODING.match(text)
    if declared and declared.group(1).lower() not in ("utf-8", "utf8"):
        return None
    if _raw_whitespace_attribute(data, text):
        return None
    try:
        root = etree.fromstring(data, X._parser())
    except etree.LxmlError:
        return None
    # What xml_format._forbidden refuses: a DOCTYPE, visible only in the document info, and
    # nodes beside the root; comments, processing instructions and entity references inside
    # it are nodes the walk refuses wherever they stand.
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        return None
    if root.getprevious() is not None or root.getnext() is not None:
        return None
    walk = _Walk(root)
    try:
        document = walk.document()
    except (_Refused, ValueError):
        # ValueError: int() of an offset that is no plain number; the pattern check would
        # refuse it anyway.
        return None
    if not walk.finished() or walk.stray_text(root):
        return None
    if not walk.patterns_hold() or typed._SHA256.fullmatch(document.text_sha256) is None:
        return None
    if not typed._meta_valid(document.meta):
        return None
    return document
