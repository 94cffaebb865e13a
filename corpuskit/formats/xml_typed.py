"""One typed decode for XML: the parsed tree straight to the document model, for valid documents.

The full path for XML parses with lxml, validates against ``schema/document.xsd``, turns the tree
into a record, validates the record against the JSON Schema and builds the model from it. This
module parses with the standard library's C ElementTree (expat), whose elements keep tag,
attributes and text as plain fields (lxml builds a proxy and a new tag string for every element
it is asked for, which cost more than expat's parse saves), then walks the tree once and builds
the model classes directly, checking on the way everything the XSD and the JSON Schema would
check: element names, order and counts, attribute sets, text where none belongs, ids, names,
offsets, dates, constants. Expat is a second parser, so before it sees anything a prescan
(``_plain``) refuses every input on which it could read otherwise than the full path's hardened
lxml parser (``xml_format._parser``): markup declarations, comments, CDATA, processing
instructions, an unusual XML declaration, prefixed namespaces, carriage returns, sizes near
libxml2's limits. Anything it cannot vouch for (those, a draft part, a non-canonical offset such
as ``007``, a line break written raw inside an attribute) it refuses, and the full path then
says what, if anything, is wrong and where. So ``decode`` only ever says "valid as it is, and
here is the model"; ``tests/test_xml_typed.py`` checks on every fixture, on generated documents
and on mutation fuzz that whatever it accepts the full path accepts too, as the same model.

Before any of that, a document in the canonical writer's exact layout (``xml_format.dumps``:
one annotation a line, attributes in its order, only the references it writes, nothing XML
1.0 forbids) is read with no parser at all (``_Layout``: one regex per annotation kind
over the text): what that layout allows is well-formed by construction, and its values and
texts, references replaced, are what any parser reports. The values are then checked as the walk's are. Anything
else in the file, down to one character, sends it to the parse and the walk (``_walked``),
which decide as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import repeat, starmap
from typing import Any, Protocol, cast
from xml.etree.ElementTree import ParseError, XMLParser

from corpuskit.formats import typed
from corpuskit.formats import xml_format as X
from corpuskit.formats.common import UTF8_BOM
from corpuskit.model import (
    ANNOTATION_KINDS,
    FORMAT_VERSION,
    OFFSET_UNIT,
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


class Element(Protocol):
    """What the walk reads of an element: the C ElementTree's ``Element``, whose ``items()``
    and ``keys()`` return lists (typeshed says views: the walk indexes them)."""

    tag: str
    text: str | None
    attrib: dict[str, str]

    def __len__(self) -> int: ...
    def get(self, key: str, /) -> str | None: ...
    def items(self) -> list[tuple[str, str]]: ...
    def keys(self) -> list[str]: ...
    def iter(self) -> Iterator[Element]: ...
    def itertext(self) -> Iterator[str]: ...


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
_MENTION = _B + "mention"
_ENTITY = _B + "entity"
_QUOTE = _B + "quote"
_CLAIM = _B + "claim"
_EVENT = _B + "event"
_RELATION = _B + "relation"
_ATTRIBUTE = _B + "attribute"
#: The attributes of an ``attribute`` element without a note, in the writer's order.
_WRITTEN_ATTRIBUTE = ("id", "target", "name", "datatype", "value")
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
#: Offsets of up to nine digits, which are all valid: matched much faster than ``_OFFSETS``,
#: which decides when this refuses (an offset from 10**9 on, or no offset at all).
_SHORT_OFFSETS = re.compile(typed._lines(r"(?:0|[1-9][0-9]{0,8}+)\n"))
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
    """One pass over a document tree in document order (``root.iter()``, which ElementTree
    walks in C; the tree holds elements only: the prescan refused comments and processing
    instructions, which expat would drop where lxml keeps them).
    Each element's number of children (``len``) tells the walk how many of the next nodes are
    its children, so no child list is ever built; an element that must have no children is
    not asked: if one has some, nodes are left over when the walk is done (``finished``). Ids,
    names, KB ids and offsets are collected and checked in batches at the end, and so is the
    character data: the texts of the elements that hold text are collected, and everything
    else must be white space (see ``decode``).

    Each annotation kind has one loop over its container's elements with the reading of its
    attributes written out in it (a method call per element costs as much as the element's
    own work). Attributes are read with one ``items()`` call and unpacked in the writer's
    order; any other order takes the reading by name (``_named``), and any other number of
    them raises ValueError on unpacking, which refuses the document like ``_Refused``."""

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
        """The next node as a ``tag`` (span, cue or trigger) element: its fragments, one or more
        (one, the usual number, read right here)."""
        next_node = self.next
        el = next_node()
        count = len(el)
        if el.tag != tag or not count or el.keys():
            raise _Refused
        if count != 1:
            return self.fragments(count)
        f = next_node()
        if f.tag != _FRAG:
            raise _Refused
        (first, start), (second, end) = f.items()
        if first != "start" or second != "end":
            if first != "end" or second != "start":
                raise _Refused
            start, end = end, start
        text = f.text
        if not text:
            raise _Refused
        self.offsets += (start, end)
        self.texts.append(text)
        return (Fragment(int(start), int(end), text),)

    def fragments(self, count: int) -> Span:
        """The next ``count`` nodes, as ``frag`` elements given by their offsets."""
        next_node, add_offset, add_text = self.next, self.offsets.append, self.texts.append
        out = []
        for _ in range(count):
            f = next_node()
            if f.tag != _FRAG:
                raise _Refused
            # Anything but start and end (prefix and suffix: a draft) goes the full path.
            (first, start), (second, end) = f.items()
            if first != "start" or second != "end":
                if first != "end" or second != "start":
                    raise _Refused
                start, end = end, start
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
            (first, role), (second, ref) = a.items()
            if first != "role" or second != "ref":
                if first != "ref" or second != "role":
                    raise _Refused
                role, ref = ref, role
            add_name(role)
            add_id(ref)
            out.append(Argument(role, ref))
        return tuple(out)

    # ------------------------------------------------------------------ annotations

    def mentions(self, count: int) -> tuple[Mention, ...]:
        """``count`` ``mention`` elements: id, type, note?; one span. The most frequent
        annotation: a span of one fragment, the usual one, is read right here."""
        next_node, add_offset, add_text = self.next, self.offsets.append, self.texts.append
        add_id, add_name = self.ids.append, self.names.append
        out = []
        for _ in range(count):
            el = next_node()
            if el.tag != _MENTION or len(el) != 1:
                raise _Refused
            # _id_type_note written out: id, type and note? in the writer's order.
            attributes = el.items()
            count = len(attributes)
            if count == 2:
                (first, ident), (second, kind) = attributes
                note = None
            elif count == 3 and attributes[2][0] == "note":
                (first, ident), (second, kind), (_, note) = attributes
            else:
                first = ""
            if first != "id" or second != "type":
                ident, kind, note = _id_type_note(el)
            add_id(ident)
            add_name(kind)
            span = next_node()
            fragments = len(span)
            if span.tag != _SPAN or not fragments or span.keys():
                raise _Refused
            if fragments != 1:
                out.append(Mention(ident, kind, self.fragments(fragments), note))
                continue
            f = next_node()
            if f.tag != _FRAG:
                raise _Refused
            (first, start), (second, end) = f.items()
            if first != "start" or second != "end":
                if first != "end" or second != "start":
                    raise _Refused
                start, end = end, start
            text = f.text
            if not text:
                raise _Refused
            add_offset(start)
            add_offset(end)
            add_text(text)
            out.append(Mention(ident, kind, (Fragment(int(start), int(end), text),), note))
        return tuple(out)

    def entities(self, count: int) -> tuple[Entity, ...]:
        """``count`` ``entity`` elements: id, type, name?, note?; member+, then link*."""
        next_node, add_id, add_name = self.next, self.ids.append, self.names.append
        add_kb_id = self.kb_ids.append
        out = []
        for _ in range(count):
            el = next_node()
            if el.tag != _ENTITY:
                raise _Refused
            attributes = el.items()
            if len(attributes) == 3 and attributes[0][0] == "id" and attributes[1][0] == "type":
                (_, ident), (_, kind), (last, value) = attributes
                if last == "name":
                    name, note = value, None
                elif last == "note":
                    name, note = None, value
                else:
                    raise _Refused
            else:
                found_id, found_type, name, note = _named(
                    el, len(attributes), "id", "type", "name", "note"
                )
                if found_id is None or found_type is None:
                    raise _Refused
                ident, kind = found_id, found_type
            if name == "":
                raise _Refused
            add_id(ident)
            add_name(kind)
            members: list[str] = []
            links: list[KBLink] = []
            add_member = members.append
            for _ in range(len(el)):
                child = next_node()
                tag = child.tag
                # Empty elements: not even white space inside.
                if child.text is not None:
                    raise _Refused
                attributes = child.items()
                if tag == _MEMBER and not links:
                    ((key, ref),) = attributes
                    if key != "ref":
                        raise _Refused
                    add_member(ref)
                elif tag == _LINK and members:
                    (first, kb), (second, kb_id) = attributes
                    if first != "kb" or second != "id":
                        if first != "id" or second != "kb":
                            raise _Refused
                        kb, kb_id = kb_id, kb
                    add_name(kb)
                    add_kb_id(kb_id)
                    links.append(KBLink(kb, kb_id))
                else:
                    raise _Refused
            if not members:
                raise _Refused
            self.ids += members
            out.append(Entity(ident, kind, tuple(members), name, tuple(links), note))
        return tuple(out)

    def quotes(self, count: int) -> tuple[Quote, ...]:
        """``count`` ``quote`` elements: id, mode, speaker?, note?; span, then cue?."""
        next_node, add_id, span_of = self.next, self.ids.append, self.span
        out = []
        for _ in range(count):
            el = next_node()
            children = len(el)
            if el.tag != _QUOTE or (children != 1 and children != 2):
                raise _Refused
            attributes = el.attrib
            get = attributes.get
            ident, mode, speaker, note = get("id"), get("mode"), get("speaker"), get("note")
            # No other attribute: as many as were found.
            if len(attributes) != 4 - (speaker is None) - (note is None) or ident is None:
                raise _Refused
            quote_mode = _MODES.get(mode or "")
            if quote_mode is None:
                raise _Refused
            add_id(ident)
            if speaker is not None:
                add_id(speaker)
            span = span_of(_SPAN)
            cue = span_of(_CUE) if children == 2 else ()
            out.append(Quote(ident, span, quote_mode, speaker, cue, note))
        return tuple(out)

    def claims(self, count: int) -> tuple[Claim, ...]:
        """``count`` ``claim`` elements: id, source?, channel?, note?; span, then cue?."""
        next_node, add_id, span_of = self.next, self.ids.append, self.span
        out = []
        for _ in range(count):
            el = next_node()
            children = len(el)
            if el.tag != _CLAIM or (children != 1 and children != 2):
                raise _Refused
            attributes = el.attrib
            get = attributes.get
            ident, source, channel, note = get("id"), get("source"), get("channel"), get("note")
            # No other attribute: as many as were found.
            given = 4 - (source is None) - (channel is None) - (note is None)
            if len(attributes) != given or ident is None:
                raise _Refused
            add_id(ident)
            if source is not None:
                add_id(source)
            if channel is not None:
                add_id(channel)
            span = span_of(_SPAN)
            cue = span_of(_CUE) if children == 2 else ()
            out.append(Claim(ident, span, source, channel, note, cue))
        return tuple(out)

    def events(self, count: int) -> tuple[Event, ...]:
        """``count`` ``event`` elements: id, type, note?; trigger, then arg*. A trigger of one
        fragment and the args are read right here (a method call costs as much)."""
        next_node, add_id, add_name = self.next, self.ids.append, self.names.append
        add_offset, add_text = self.offsets.append, self.texts.append
        out = []
        for _ in range(count):
            el = next_node()
            children = len(el)
            if el.tag != _EVENT or not children:
                raise _Refused
            # _id_type_note written out, as in mentions.
            attributes = el.items()
            given = len(attributes)
            if given == 2:
                (first, ident), (second, kind) = attributes
                note = None
            elif given == 3 and attributes[2][0] == "note":
                (first, ident), (second, kind), (_, note) = attributes
            else:
                first = ""
            if first != "id" or second != "type":
                ident, kind, note = _id_type_note(el)
            add_id(ident)
            add_name(kind)
            span = next_node()
            fragments = len(span)
            if span.tag != _TRIGGER or not fragments or span.keys():
                raise _Refused
            if fragments == 1:
                f = next_node()
                if f.tag != _FRAG:
                    raise _Refused
                (first, start), (second, end) = f.items()
                if first != "start" or second != "end":
                    if first != "end" or second != "start":
                        raise _Refused
                    start, end = end, start
                text = f.text
                if not text:
                    raise _Refused
                add_offset(start)
                add_offset(end)
                add_text(text)
                trigger: Span = (Fragment(int(start), int(end), text),)
            else:
                trigger = self.fragments(fragments)
            args = []
            for _ in range(children - 1):
                a = next_node()
                if a.tag != _ARG or a.text is not None:
                    raise _Refused
                (first, role), (second, ref) = a.items()
                if first != "role" or second != "ref":
                    if first != "ref" or second != "role":
                        raise _Refused
                    role, ref = ref, role
                add_name(role)
                add_id(ref)
                args.append(Argument(role, ref))
            out.append(Event(ident, kind, trigger, tuple(args), note))
        return tuple(out)

    def relations(self, count: int) -> tuple[Relation, ...]:
        """``count`` ``relation`` elements: id, type, note?; arg+."""
        next_node, add_id, add_name = self.next, self.ids.append, self.names.append
        out = []
        for _ in range(count):
            el = next_node()
            children = len(el)
            if el.tag != _RELATION or not children:
                raise _Refused
            attributes = el.items()
            given = len(attributes)
            if given == 2:
                (first, ident), (second, kind) = attributes
                note = None
            elif given == 3 and attributes[2][0] == "note":
                (first, ident), (second, kind), (_, note) = attributes
            else:
                first = ""
            if first != "id" or second != "type":
                ident, kind, note = _id_type_note(el)
            add_id(ident)
            add_name(kind)
            out.append(Relation(ident, kind, self.args(children), note))
        return tuple(out)

    def attributes(self, count: int) -> tuple[Attribute, ...]:
        """``count`` ``attribute`` elements: id, target, name, datatype, value, note?; empty."""
        next_node, add_id, add_name = self.next, self.ids.append, self.names.append
        typed_value = X._typed
        out = []
        for _ in range(count):
            el = next_node()
            if el.tag != _ATTRIBUTE or el.text is not None:
                raise _Refused
            attributes = el.items()
            if (
                len(attributes) == 5
                and (
                    attributes[0][0],
                    attributes[1][0],
                    attributes[2][0],
                    attributes[3][0],
                    attributes[4][0],
                )
                == _WRITTEN_ATTRIBUTE
            ):
                (_, ident), (_, target), (_, name), (_, datatype), (_, raw) = attributes
                note = None
            else:
                found = _named(
                    el, len(attributes), "id", "target", "name", "datatype", "value", "note"
                )
                found_id, found_target, found_name, found_datatype, found_raw, note = found
                if (
                    found_id is None
                    or found_target is None
                    or found_name is None
                    or found_datatype is None
                    or found_raw is None
                ):
                    raise _Refused
                ident, target, name = found_id, found_target, found_name
                datatype, raw = found_datatype, found_raw
            if datatype == "string":
                value: Any = raw
            else:
                try:
                    # The full path's own reading: JSON's spellings only, nothing a double
                    # cannot hold.
                    value = typed_value(datatype, raw)
                except ValueError:
                    raise _Refused from None
            add_id(ident)
            add_id(target)
            add_name(name)
            out.append(Attribute(ident, target, name, value, note))
        return tuple(out)

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
            # The reader of each kind is the method named as its member.
            kinds[kind] = getattr(self, kind)(len(container))
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

    def patterns_hold(self) -> bool:
        """Whether the ids, names, KB ids and offsets collected on the way have the schema's form."""
        return _patterns_hold(self.ids, self.names, self.kb_ids, self.offsets)


def _patterns_hold(ids: list[str], names: list[str], kb_ids: list[str], offsets: list[str]) -> bool:
    """Whether ids, names, KB ids and offsets have the schema's form."""
    # Each distinct id and name once: references repeat ids, and a handful of types and
    # roles make most names. (The hashes the sets compute are the checks' later.)
    return (
        typed._ids_and_names_match(list(set(ids)), list(set(names)))
        and typed.all_match(typed._KB_IDS, kb_ids)
        and (typed.all_match(_SHORT_OFFSETS, offsets) or typed.all_match(_OFFSETS, offsets))
    )


_KIND_ORDER: dict[object, int] = {_B + kind: i for i, kind in enumerate(ANNOTATION_KINDS)}
#: The XML declarations expat may read: version 1.0, the encoding UTF-8 or none, in any quotes
#: and spacing XML's grammar allows (no CR: refused before); any other version, encoding
#: spelling or a standalone goes the full path.
_DECLARATION = re.compile(
    rb"<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*([\"'])1\.0\1"
    rb"(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*([\"'])[Uu][Tt][Ff]-8\2)?[ \t\n]*\?>"
)
#: Beyond this many bytes a text or attribute value may near libxml2's limit for one (10**7
#: bytes without huge_tree), which expat does not have.
_LARGEST = 9_000_000


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


def _marked(data: bytes, start: int, mark: bytes, before: bytes) -> bool:
    """Whether ``before + mark`` occurs in ``data`` at or after ``start``. ``mark`` is a byte
    a document seldom holds (memchr finds each one), where a search for the pair would stop at
    every "<" of the file; past a few dozen of them the rest is searched for the pair."""
    width = len(before)
    at = data.find(mark, start + width)
    for _ in range(32):
        if at < 0:
            return False
        if data[at - width : at] == before:
            return True
        at = data.find(mark, at + 1)
    return at >= 0 and data.find(before + mark, at - width) >= 0


def _plain(data: bytes) -> int:
    """Where the root element starts when expat may read ``data`` (when it reads it as the full
    path's lxml parser does: the same elements, attributes and text, accepted or refused alike,
    for every document the walk can accept), else -1. Anything else is refused before expat
    sees it; the full path then decides, with its positions."""
    if len(data) > _LARGEST or b"\r" in data:
        return -1
    declared = _DECLARATION.match(data)
    start = declared.end() if declared else 0
    # "<!": a DOCTYPE (with entities of its own), a comment, CDATA; "<?": a processing
    # instruction or another declaration. Expat drops comments and instructions that lxml
    # keeps as nodes. A raw "<" stands only in markup, so each pair found is one of those.
    if _marked(data, start, b"!", b"<") or _marked(data, start, b"?", b"<"):
        return -1
    # Deeper than libxml2's 256 levels or than its 50,000 characters for a name only where the
    # walk refuses anyway: it takes five levels and its own names.
    # A prefix: libxml2 refuses a name over 50,000 characters and a namespace name that is no
    # URI where expat reads on; unprefixed names the walk compares with its own.
    if _marked(data, start, b":", b"xmlns"):
        return -1
    # Only white space may stand before the root (expat refuses anything else).
    return data.find(b"<", start)


#: Fed to expat after a document: an element after the root, which it refuses with the line it
#: stands on, so the parse that builds the tree counts the document's line breaks as well.
_AFTER_ROOT = b"<x/>"
#: Expat's XML_ERROR_JUNK_AFTER_DOC_ELEMENT.
_JUNK_AFTER_ROOT = 9


def _parse(data: bytes) -> tuple[Element, int] | None:
    """The tree expat builds from ``data`` and how many line breaks ``data`` holds (no CR: the
    prescan refused them), or None when expat refuses ``data``, or when anything but white
    space follows the root (then its end tag is not the last markup)."""
    parser = XMLParser()
    try:
        parser.feed(data)
    except (ParseError, UnicodeDecodeError):
        # UnicodeDecodeError: never seen, expat refuses malformed UTF-8 first.
        return None
    if data[data.rfind(b">") + 1 :].strip(b" \t\n"):
        return None
    try:
        # The whole document is read and its root closed: expat refuses the element fed now
        # at once, on the line after the document's last line break.
        parser.feed(_AFTER_ROOT)
    except ParseError as error:
        if error.code != _JUNK_AFTER_ROOT or not error.position:  # pragma: no cover
            return None
        target = cast(Any, parser).target
        return cast(Element, target.close()), error.position[0] - 1
    return None  # the root is still open: a truncated document


# ---------------------------------------------------------------------- the writer's layout

#: Character data as the canonical writer leaves it, between its references (``_REFERRING``):
#: no markup, no "&" (so no "]]>"), no character XML 1.0 forbids and no CR (U+FFFE and U+FFFF
#: are looked for apart: a class of byte-sized characters only is a bitmap to sre, the fastest).
_T = r"[^<>&\x00-\x08\x0b-\x1f]"
#: The same on one line (fragment texts: the writer escapes their line breaks and tabs).
_L = r"[^<>&\x00-\x1f]"
#: An attribute value as the writer leaves it: no quote, and no raw white space but the space
#: (a parser would normalise it; the full path's P007 is about it).
_V = r'[^"<>&\x00-\x1f]'


class _Grammar:
    """The layout's regexes, for one choice of the classes of character data (``t``, ``l``:
    text, one-line text) and of attribute values (``v``)."""

    __slots__ = ("annotator", "frag", "head", "lines")

    def __init__(self, t: str, l: str, v: str) -> None:  # noqa: E741 - the classes' names
        frags = rf'(?:<frag start="[0-9]++" end="[0-9]++">{l}++</frag>)++'
        first_frag = rf'<frag start="([0-9]++)" end="([0-9]++)">({l}++)</frag>({frags})?+'
        args = rf'(?:<arg role="{v}*+" ref="{v}*+"/>)'
        id_type = rf'id="({v}*+)" type="({v}*+)"'

        def optional(name: str) -> str:
            # An optional attribute, captured as ="value: absent ("") and empty differ.
            return rf'(?: {name}(="{v}*+)")?+'

        #: The declaration, the root's start tag, the metadata and the text.
        self.head = re.compile(
            r'<\?xml version="1\.0" encoding="UTF-8"\?>\n'
            rf'<document xmlns="{re.escape(X.NS)}" corpuskit="{re.escape(FORMAT_VERSION)}" '
            rf'id="(?P<id>{v}*+)">\n'
            r"  <meta>\n"
            + "".join(rf"(?:    <{name}>(?P<{name}>{t}*+)</{name}>\n)?+" for name in X._META_TEXT)
            + r"(?P<provenance>    <provenance"
            + "".join(
                rf'(?: {name}(?P<{name}>="{v}*+)")?+' for name in ("tool", "tool_version", "note")
            )
            + rf"(?:/>|>(?P<annotators>(?:<annotator>{t}*+</annotator>)++)</provenance>)\n)?+"
            + rf'  </meta>\n  <text offset_unit="{re.escape(OFFSET_UNIT)}" '
            + rf'sha256="(?P<sha256>[0-9a-f]{{64}})">(?P<text>{t}*+)</text>\n'
        )
        self.frag = re.compile(rf'<frag start="([0-9]++)" end="([0-9]++)">({l}++)</frag>')
        self.annotator = re.compile(rf"<annotator>({t}*+)</annotator>")
        #: One line per annotation, in the writer's spelling; the first fragment of a
        #: mention's span and of an event's trigger is captured (most have one), the rest apart.
        self.lines = {
            "mentions": re.compile(
                rf"(?m)^    <mention {id_type}{optional('note')}><span>{first_frag}"
                r"</span></mention>\n"
            ),
            "entities": re.compile(
                rf"(?m)^    <entity {id_type}{optional('name')}{optional('note')}>"
                rf'<member ref="((?:{v}*+"/><member ref=")*+{v}*+)"/>'
                rf'((?:<link kb="{v}*+" id="{v}*+"/>)*+)</entity>\n'
            ),
            "quotes": re.compile(
                rf'(?m)^    <quote id="({v}*+)" mode="(direct|indirect)"'
                rf"{optional('speaker')}{optional('note')}><span>({frags})</span>"
                rf"(?:<cue>({frags})</cue>)?+</quote>\n"
            ),
            "claims": re.compile(
                rf'(?m)^    <claim id="({v}*+)"'
                rf"{optional('source')}{optional('channel')}{optional('note')}><span>({frags})"
                rf"</span>(?:<cue>({frags})</cue>)?+</claim>\n"
            ),
            "events": re.compile(
                rf"(?m)^    <event {id_type}{optional('note')}><trigger>{first_frag}</trigger>"
                rf"({args}*+)</event>\n"
            ),
            "relations": re.compile(
                rf"(?m)^    <relation {id_type}{optional('note')}>({args}++)</relation>\n"
            ),
            "attributes": re.compile(
                rf'(?m)^    <attribute id="({v}*+)" target="({v}*+)" name="({v}*+)" '
                rf'datatype="({v}*+)" value="({v}*+)"{optional("note")}/>\n'
            ),
        }


_PLAIN = _Grammar(_T, _L, _V)

#: The references the canonical writer writes (``_replace`` reads them).
_R = "&(?:amp|lt|gt|quot|#13|#10|#9);"
#: The layout with those references among the character data and values. A reference is read
#: whole, where a character of data may stand, so it can never stand for markup (a "<", a
#: '"' or the ">" of a tag end must be written as themselves); any other reference, or an "&"
#: that begins none, is not in the layout (the walk reads it).
#: (A unit is a run of plain characters or one reference: a class repeated in C between
#: references, not an alternation tried at every character.)
_REFERRING = _Grammar(rf"(?:{_T}++|{_R})", rf"(?:{_L}++|{_R})", rf"(?:{_V}++|{_R})")
#: Which captures of each kind's line are values (read with their references replaced); the
#: others are literal or hold several values, split first (``fragments``, ``args``, members).
_VALUES = {
    "mentions": (0, 1, 2, 5),
    "entities": (0, 1, 2, 3),
    "quotes": (0, 2, 3),
    "claims": (0, 1, 2, 3),
    "events": (0, 1, 2, 5),
    "relations": (0, 1, 2),
    "attributes": (0, 1, 2, 3, 4, 5),
}


def _replace(value: str) -> str:
    """``value`` with the writer's references replaced as a parser reads them: "&amp;" last,
    so that "&amp;lt;" reads "&lt;" (no replacement makes a new reference: only "&amp;" gives
    an "&", and nothing is replaced after it). str.replace in C, not a call per reference."""
    if "&" not in value:
        return value
    return (
        value.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#13;", "\r")
        .replace("&#10;", "\n")
        .replace("&#9;", "\t")
        .replace("&amp;", "&")
    )


def _replaced(line: tuple[str, ...], values: tuple[int, ...]) -> tuple[str, ...]:
    """A line's captures with the values' references replaced."""
    out = list(line)
    for i in values:
        out[i] = _replace(out[i])
    return tuple(out)


def _value(captured: str | None) -> str | None:
    """An optional attribute's value from its capture (``="value``), None if absent. (The
    annotation loops write this out: a call per annotation costs as much as its reading.)"""
    return captured[2:] if captured else None


class _Layout:
    """The canonical writer's layout read by one regex per annotation kind (one line each)
    instead of a parsed tree: ``read`` gives the document, or None for anything else (then
    the tree is parsed and walked). What the layout allows holds no markup but the writer's,
    no reference but the writer's (read whole, and replaced in each value once the line is
    split) and no forbidden character, so the values and texts are what any parser would
    report; the values are then checked as the walk's are (``_patterns_hold``)."""

    __slots__ = ("grammar", "ids", "kb_ids", "names", "offsets", "referring", "text")

    def __init__(self, text: str, grammar: _Grammar) -> None:
        self.text = text
        self.grammar = grammar
        #: The values of the part being read may hold references: each is read replaced.
        #: (Given the grammar with references, the file holds an "&"; ``read`` then chooses
        #: per part.)
        self.referring = grammar is _REFERRING
        self.ids: list[str] = []
        self.names: list[str] = []
        self.kb_ids: list[str] = []
        self.offsets: list[str] = []

    def fragments(self, written: str) -> Span:
        """The fragments of a span as the layout's pattern took it."""
        found = self.grammar.frag.findall(written)
        offsets = self.offsets
        out = []
        for start, end, text in found:
            offsets += (start, end)
            out.append(Fragment(int(start), int(end), _replace(text) if self.referring else text))
        return tuple(out)

    def args(self, written: str) -> tuple[Argument, ...]:
        """The args of an event or relation as the layout's pattern took them: split at the
        quotes (no value holds one), ``<arg role=`` R `` ref=`` F ``/>`` for each arg."""
        parts = written.split('"')
        if self.referring:
            parts = [_replace(part) for part in parts]  # split first: no value holds a '"'
        roles, refs = parts[1::4], parts[3::4]
        self.names += roles
        self.ids += refs
        return tuple(map(Argument, roles, refs))

    def mentions(self, lines: list[Any]) -> tuple[Mention, ...]:
        """Mentions from their lines: field by field in C (``map``, ``zip``) when no span has
        a second fragment, the usual case; else one by one."""
        if not lines:
            return ()
        idents, kinds, notes, starts, ends, texts, more = zip(*lines, strict=True)
        self.ids += idents
        self.names += kinds
        self.offsets += starts
        self.offsets += ends
        if any(more):
            return tuple(starmap(self._mention, lines))
        spans = zip(map(Fragment, map(int, starts), map(int, ends), texts))
        notes_given = [n[2:] if n else None for n in notes] if any(notes) else repeat(None)
        return tuple(map(Mention, idents, kinds, spans, notes_given))

    def _mention(
        self, ident: str, kind: str, note: str, start: str, end: str, text: str, more: str
    ) -> Mention:
        """One mention from its line's captures (its id, type and offsets already taken)."""
        span: Span = (Fragment(int(start), int(end), text),)
        if more:
            span += self.fragments(more)
        return Mention(ident, kind, span, _value(note))

    def entities(self, lines: list[Any]) -> tuple[Entity, ...]:
        """Entities from their lines."""
        ids, names, kb_ids = self.ids, self.names, self.kb_ids
        out = []
        for ident, kind, name, note, members, links in lines:
            ids.append(ident)
            names.append(kind)
            refs = tuple(members.split('"/><member ref="'))
            if self.referring:
                refs = tuple(map(_replace, refs))
            ids += refs
            if links:
                # As the args: ``<link kb=`` K `` id=`` I ``/>`` for each link.
                parts = links.split('"')
                if self.referring:
                    parts = [_replace(part) for part in parts]
                kbs, kb_link_ids = parts[1::4], parts[3::4]
                names += kbs
                kb_ids += kb_link_ids
                kb_links: tuple[KBLink, ...] = tuple(map(KBLink, kbs, kb_link_ids))
            else:
                kb_links = ()
            if name == '="':
                raise _Refused  # an empty name
            out.append(
                Entity(
                    ident,
                    kind,
                    refs,
                    name[2:] if name else None,
                    kb_links,
                    note[2:] if note else None,
                )
            )
        return tuple(out)

    def quotes(self, lines: list[Any]) -> tuple[Quote, ...]:
        """Quotes from their lines."""
        ids, fragments = self.ids, self.fragments
        out = []
        for ident, mode, speaker, note, span, cue in lines:
            ids.append(ident)
            who = speaker[2:] if speaker else None
            if who is not None:
                ids.append(who)
            out.append(
                Quote(
                    ident,
                    fragments(span),
                    _MODES[mode],
                    who,
                    fragments(cue) if cue else (),
                    note[2:] if note else None,
                )
            )
        return tuple(out)

    def claims(self, lines: list[Any]) -> tuple[Claim, ...]:
        """Claims from their lines."""
        ids, fragments = self.ids, self.fragments
        out = []
        for ident, source, channel, note, span, cue in lines:
            ids.append(ident)
            came_from = source[2:] if source else None
            through = channel[2:] if channel else None
            if came_from is not None:
                ids.append(came_from)
            if through is not None:
                ids.append(through)
            out.append(
                Claim(
                    ident,
                    fragments(span),
                    came_from,
                    through,
                    note[2:] if note else None,
                    fragments(cue) if cue else (),
                )
            )
        return tuple(out)

    def events(self, lines: list[Any]) -> tuple[Event, ...]:
        """Events from their lines."""
        ids, names, offsets, args_of = self.ids, self.names, self.offsets, self.args
        out = []
        for ident, kind, note, start, end, text, more, args in lines:
            ids.append(ident)
            names.append(kind)
            offsets += (start, end)
            trigger: Span = (Fragment(int(start), int(end), text),)
            if more:
                trigger += self.fragments(more)
            out.append(
                Event(
                    ident, kind, trigger, args_of(args) if args else (), note[2:] if note else None
                )
            )
        return tuple(out)

    def relations(self, lines: list[Any]) -> tuple[Relation, ...]:
        """Relations from their lines."""
        ids, names, args_of = self.ids, self.names, self.args
        out = []
        for ident, kind, note, args in lines:
            ids.append(ident)
            names.append(kind)
            out.append(Relation(ident, kind, args_of(args), note[2:] if note else None))
        return tuple(out)

    def attributes(self, lines: list[Any]) -> tuple[Attribute, ...]:
        """Attributes from their lines (the typed value read as the walk reads it)."""
        ids, names = self.ids, self.names
        typed_value = X._typed
        out = []
        for ident, target, name, datatype, raw, note in lines:
            ids += (ident, target)
            names.append(name)
            value: Any = raw if datatype == "string" else typed_value(datatype, raw)
            out.append(Attribute(ident, target, name, value, note[2:] if note else None))
        return tuple(out)

    def read(self) -> Document | None:
        """The document, or None when anything is not in the writer's layout. Raises _Refused
        or ValueError for a value the walk refuses too."""
        text = self.text
        # Each part is read by the grammar without references unless it holds an "&" (memchr):
        # the one with references costs a fifth more.
        references = self.referring
        if references:
            head_end = text.find("</text>\n")  # no value or text holds a "<"
            self.referring = head_end < 0 or "&" in text[:head_end]
        grammar = self.grammar = _REFERRING if self.referring else _PLAIN
        match = grammar.head.match(text)
        if match is None:
            return None
        head: dict[str, str | None] = match.groupdict()
        if self.referring:
            head = {k: None if v is None else _replace(v) for k, v in head.items()}
            if head["annotators"] is not None:
                # Split first (an annotator's "&lt;/annotator&gt;" is its text): read apart.
                head["annotators"] = match["annotators"]
        title, language = head["title"], head["language"]
        if title is None or language is None:
            return None
        provenance = None
        if head["provenance"] is not None:
            annotators = head["annotators"]
            named = grammar.annotator.findall(annotators) if annotators else []
            provenance = Provenance(
                tuple(map(_replace, named) if self.referring else named),
                _value(head["tool"]),
                _value(head["tool_version"]),
                _value(head["note"]),
            )
        meta = Metadata(
            title=title,
            language=language,
            source=head["source"],
            url=head["url"],
            published=head["published"],
            license=head["license"],
            provenance=provenance,
        )
        ident, body, sha256 = head["id"], head["text"], head["sha256"]
        assert ident is not None and body is not None and sha256 is not None  # required groups
        self.ids.append(ident)
        kinds: dict[str, tuple[Any, ...]] = {}
        at = match.end()
        for kind in ANNOTATION_KINDS:
            if text.startswith(f"  <{kind}/>\n", at):
                kinds[kind] = ()
                at += len(kind) + 6
            elif text.startswith(f"  <{kind}>\n", at):
                start = at + len(kind) + 5
                closing = f"  </{kind}>\n"
                # No value or text holds a "<": the first end tag is the container's.
                end = text.find("\n" + closing, start - 1) + 1
                if end <= 0:
                    return None
                self.referring = references and "&" in text[start:end]
                grammar = self.grammar = _REFERRING if self.referring else _PLAIN
                lines = grammar.lines[kind].findall(text, start, end)
                # Each match is one whole line (from a line's start to its line break, and no
                # other): as many as there are lines, and every line is one.
                if len(lines) != text.count("\n", start, end):
                    return None
                if self.referring:
                    values = _VALUES[kind]
                    lines = [_replaced(line, values) for line in lines]
                kinds[kind] = getattr(self, kind)(lines)
                at = end + len(closing)
        if text[at:] != "</document>\n":
            return None
        return Document(
            id=ident,
            meta=meta,
            text=body,
            text_sha256=sha256,
            offset_unit=OFFSET_UNIT,
            version=FORMAT_VERSION,
            **kinds,
        )


def _canonical(data: bytes) -> Document | None:
    """The document when ``data`` is in the canonical writer's layout and valid, else None
    (then the tree is parsed and walked). No parser: see ``_Layout``."""
    if not data.startswith(b"<?xml version") or len(data) > _LARGEST:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # The two characters XML 1.0 forbids that the layout's classes let through.
    if "\ufffe" in text or "\uffff" in text:
        return None
    # References are read where a character of data may stand, each value replaced after
    # the line is matched (replacing "&gt;" in the whole file first once let an "&gt;" stand
    # for the ">" that ends a tag: review, a file with <mention ...&gt; passed as valid).
    layout = _Layout(text, _REFERRING if b"&" in data else _PLAIN)  # memchr: most have none
    try:
        document = layout.read()
    except (_Refused, ValueError):
        # ValueError: an attribute value of another type in a spelling JSON does not have.
        return None
    if document is None or not typed._meta_valid(document.meta):
        return None
    if not _patterns_hold(layout.ids, layout.names, layout.kb_ids, layout.offsets):
        return None
    return document


def decode(data: bytes) -> Document | None:
    """The document in ``data`` when it is an XML document that both schemas accept as it is
    (UTF-8, no forbidden construct, no draft part), else None: then the full path
    (``xml_format.parse`` + ``schema.check_record`` + ``records.from_dict``) reads it and says
    what is wrong. Whenever this returns a Document, the full path reports no P or S finding
    for ``data`` and builds an equal Document."""
    # Most documents are as the canonical writer wrote them: read without a parser.
    document = _canonical(data)
    return document if document is not None else _walked(data)


def _walked(data: bytes) -> Document | None:
    """``decode`` by parsing ``data`` with expat and walking the tree: any layout."""
    root_at = -1 if data.startswith(UTF8_BOM) else _plain(data)
    if root_at < 0:
        return None
    # No UTF-8 decode of its own: expat refuses every malformed sequence, and what it reads
    # (names, values, text) ElementTree decodes strictly.
    parsed = _parse(data)
    if parsed is None:
        return None
    root, line_breaks = parsed
    walk = _Walk(root)
    try:
        document = walk.document()
    except (_Refused, ValueError):
        # ValueError: int() of an offset that is no plain number; the pattern check would
        # refuse it anyway.
        return None
    if not walk.finished():
        return None
    # All character data (in C: the root's text and every descendant's text and tail).
    content = "".join(root.itertext())
    collected = "".join(walk.texts)
    if b"\t" in data or _marked(data, root_at, b"#", b"&"):
        # Tabs, or character references (white space in the character data that the file
        # does not hold as such): all kinds of white space counted, and the candidate search.
        if _visible(content) != _visible(collected):
            return None
        searched = True
    else:
        # Only spaces and line breaks can be white space here. The character data holds
        # visible characters only where the walk collected them (the XSD allows only white
        # space between elements) ...
        lines = content.count("\n")
        visible = len(content) - content.count(" ") - lines
        if visible != len(collected) - collected.count(" ") - collected.count("\n"):
            return None
        # ... and every line break of the file stands before the root, after it, in the
        # character data or in a tag: when the first three account for all of them, no tag
        # holds one, and the full path's P007 check (raw white space in an attribute,
        # ``xml_format._raw_whitespace_attribute``), which looks inside tags only, finds
        # nothing. Else the candidate search decides.
        outside = data.count(b"\n", 0, root_at) + data.count(b"\n", data.rfind(b">"))
        searched = line_breaks - outside != lines
    if searched and _raw_whitespace_attribute(data, data.decode("utf-8")):
        return None
    if not walk.patterns_hold() or typed._SHA256.fullmatch(document.text_sha256) is None:
        return None
    if not typed._meta_valid(document.meta):
        return None
    return document
