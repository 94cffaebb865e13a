"""The XML form of a document, with the ``json``-module API: load, loads, dump, dumps.

It holds exactly what the JSON form holds. Canonical layout: two-space indent, one annotation
per line, the article text as the content of ``<text>``. Characters that an XML parser would
normalise (CR anywhere; tab and LF in attributes and in one-line elements) are written as
character references so that the text survives byte for byte.
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpuskit.diagnostics import Finding
from corpuskit.formats import problems as P
from corpuskit.formats import schema as S
from corpuskit.formats import schema_dir
from corpuskit.formats import schema_rules as SR
from corpuskit.formats.common import (
    EXACT_INTEGER_BOUND,
    LineIndex,
    NumberOutOfRange,
    Parsed,
    Position,
    decimal_integer,
    decode_utf8,
    shorten_literal,
)
from corpuskit.formats.records import Record, to_dict
from corpuskit.model import ANNOTATION_KINDS, SINGULAR, Document, xml_forbidden

if TYPE_CHECKING:
    from lxml import etree

NS = "https://corpuskit.dev/ns/document/1.0"
_NSB = "{" + NS + "}"
_SPAN_FIELDS = ("span", "cue", "trigger")
_META_TEXT = ("title", "source", "url", "published", "language", "license")
_ATTR_ORDER = {
    "mentions": ("id", "type"),
    "entities": ("id", "type", "name"),
    "quotes": ("id", "mode", "speaker"),
    "claims": ("id", "source", "channel"),
    "events": ("id", "type"),
    "relations": ("id", "type"),
}

# --------------------------------------------------------------------------- writing


def _escape(value: str, extra: dict[str, str]) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char, ref in extra.items():
        value = value.replace(char, ref)
    return value


_CR = {"\r": "&#13;"}
_ONE_LINE = {"\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
_ATTR = {'"': "&quot;", **_ONE_LINE}


def _a(value: str) -> str:
    return _escape(value, _ATTR)


def _c(value: str) -> str:
    return _escape(value, _ONE_LINE)


def _attrs(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f' {k}="{_a(str(v))}"' for k, v in pairs if v is not None)


def _span_xml(tag: str, fragments: list[Record]) -> str:
    frags = "".join(
        # A fragment given by its text (a draft) has prefix and suffix in place of offsets.
        f'<frag start="{f["start"]}" end="{f["end"]}">{_c(f["text"])}</frag>'
        if "start" in f
        else f"<frag{_attrs([('prefix', f.get('prefix')), ('suffix', f.get('suffix'))])}>"
        f"{_c(f['text'])}</frag>"
        for f in fragments
    )
    return f"<{tag}>{frags}</{tag}>"


def _value_xml(value: Any) -> tuple[str, str]:
    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, int):
        return "integer", str(value)
    if isinstance(value, float):
        return "number", repr(value)
    return "string", str(value)


def _annotation_xml(kind: str, a: Record) -> str:
    tag = SINGULAR[kind]
    if kind == "attributes":
        datatype, value = _value_xml(a["value"])
        pairs = [("id", a.get("id")), ("target", a["target"]), ("name", a["name"])]
        pairs += [("datatype", datatype), ("value", value), ("note", a.get("note"))]
        return f"<{tag}{_attrs(pairs)}/>"
    pairs = [(k, a.get(k)) for k in _ATTR_ORDER[kind]] + [("note", a.get("note"))]
    body = "".join(_span_xml(f, a[f]) for f in _SPAN_FIELDS if f in a)
    if kind == "entities":
        body += "".join(f'<member ref="{_a(m)}"/>' for m in a["mentions"])
        body += "".join(
            f"<link{_attrs([('kb', x['kb']), ('id', x['id'])])}/>" for x in a.get("links", ())
        )
    body += "".join(
        f"<arg{_attrs([('role', x['role']), ('ref', x['ref'])])}/>" for x in a.get("args", ())
    )
    return f"<{tag}{_attrs(pairs)}>{body}</{tag}>"


def dumps_record(record: Record) -> str:
    """Write a record as canonical XML."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    out.append(
        f'<document xmlns="{NS}"{_attrs([("corpuskit", record["corpuskit"]), ("id", record["id"])])}>'
    )
    meta = record["meta"]
    out.append("  <meta>")
    out.extend(f"    <{k}>{_c(meta[k])}</{k}>" for k in _META_TEXT if k in meta)
    if "provenance" in meta:
        prov = meta["provenance"]
        attrs = _attrs([(k, prov.get(k)) for k in ("tool", "tool_version", "note")])
        names = "".join(f"<annotator>{_c(n)}</annotator>" for n in prov.get("annotators", ()))
        out.append(
            f"    <provenance{attrs}>{names}</provenance>" if names else f"    <provenance{attrs}/>"
        )
    out.append("  </meta>")
    text_attrs = _attrs(
        [("offset_unit", record["offset_unit"]), ("sha256", record.get("text_sha256"))]
    )
    out.append(f"  <text{text_attrs}>{_escape(record['text'], _CR)}</text>")
    for kind in ANNOTATION_KINDS:
        items = record.get(kind)
        if items is None:
            continue
        if not items:
            out.append(f"  <{kind}/>")
            continue
        out.append(f"  <{kind}>")
        out.extend(f"    {_annotation_xml(kind, a)}" for a in items)
        out.append(f"  </{kind}>")
    out.append("</document>")
    written = "\n".join(out) + "\n"
    bad = xml_forbidden().search(written)
    if bad is not None:
        # Writing it anyway would produce a file no XML parser reads back.
        raise ValueError(f"U+{ord(bad.group()):04X} cannot be written as XML 1.0 (see rule O007)")
    return written


def dumps(doc: Document) -> str:
    """The document as canonical XML text."""
    return dumps_record(to_dict(doc))


# --------------------------------------------------------------------------- reading


def _local(tag: Any) -> str:
    return tag[len(_NSB) :] if isinstance(tag, str) and tag.startswith(_NSB) else str(tag)


@functools.cache
def _parser() -> etree.XMLParser:
    from lxml import etree

    # No entity resolution, no DTD, no network, no recovery: a document is plain data.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        recover=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
    )


@functools.cache
def _xml_schema() -> etree.XMLSchema:
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(schema_dir() / "document.xsd"), _parser()))


def _line_of(data: bytes, needle: bytes) -> int:
    at = data.find(needle)
    return data.count(b"\n", 0, at) + 1 if at >= 0 else 1


def _forbidden(tree: etree._ElementTree, data: bytes) -> Finding | None:
    from lxml import etree

    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return Finding(
            P.XML_FORBIDDEN,
            "DOCTYPE declarations are not allowed in corpuskit documents",
            position=(_line_of(data, b"<!DOCTYPE"), 1),
            hint="remove the <!DOCTYPE ...>; write characters directly or as &#NNN; references",
        )
    root = tree.getroot()
    for node in root.iter(etree.Entity, etree.Comment, etree.ProcessingInstruction):
        if isinstance(node, etree._Entity):
            what = "entity reference"
        elif isinstance(node, etree._Comment):
            what = "comment"
        else:
            what = "processing instruction"
        return Finding(
            P.XML_FORBIDDEN,
            f"{what} not allowed in corpuskit documents",
            position=(node.sourceline or 1, 1),
            hint="comments and processing instructions do not survive conversion to JSON: use a note"
            if what != "entity reference"
            else "write the character itself or a character reference such as &#160;",
        )
    for node in root.itersiblings(preceding=True):
        return Finding(
            P.XML_FORBIDDEN,
            "only the <document> element may stand at the top level",
            position=(getattr(node, "sourceline", None) or 1, 1),
            hint="comments and processing instructions do not survive conversion to JSON",
        )
    for node in root.itersiblings():
        return Finding(
            P.XML_FORBIDDEN,
            "only the <document> element may stand at the top level",
            position=(getattr(node, "sourceline", None) or 1, 1),
            hint="comments and processing instructions do not survive conversion to JSON",
        )
    return None


def child_pointer(parent_pointer: str, parent_tag: str, tag: str, index: int) -> str:
    """The record pointer of an element, given its parent's and its place among same-tag siblings."""
    if parent_tag == "document":
        return f"/{tag}"
    if parent_tag == "provenance":
        return f"{parent_pointer}/annotators/{index}"
    if parent_tag in ANNOTATION_KINDS or parent_tag in _SPAN_FIELDS:
        return f"{parent_pointer}/{index}"
    plural = {"member": "mentions", "link": "links", "arg": "args"}.get(tag)
    if plural:
        return f"{parent_pointer}/{plural}/{index}"
    return f"{parent_pointer}/{tag}"


def attribute_pointer(element_pointer: str, tag: str, attr: str | None) -> str:
    """The record pointer of an XML attribute (or of the element's content when attr is None)."""
    if tag == "document":
        return f"/{attr}" if attr else ""
    if tag == "text":
        return {"offset_unit": "/offset_unit", "sha256": "/text_sha256"}.get(attr or "", "/text")
    if tag == "member":
        return element_pointer
    if tag == "attribute" and attr in ("datatype", "value"):
        return f"{element_pointer}/value"
    if tag == "frag" and attr is None:
        return f"{element_pointer}/text"
    return f"{element_pointer}/{attr}" if attr else element_pointer


def element_pointer(element: etree._Element) -> str:
    """The record pointer of any element of a document tree."""
    chain = []
    node: etree._Element | None = element
    while node is not None:
        chain.append(node)
        node = node.getparent()
    pointer = ""
    for parent, child in zip(reversed(chain), list(reversed(chain))[1:], strict=False):
        index = sum(1 for s in child.itersiblings(preceding=True) if s.tag == child.tag)
        pointer = child_pointer(pointer, _local(parent.tag), _local(child.tag), index)
    return pointer


_XSD_MISSING = ("SCHEMAV_CVC_COMPLEX_TYPE_4",)
_XSD_UNKNOWN = (
    "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1",
    "SCHEMAV_CVC_ELT_1",
    "SCHEMAV_CVC_COMPLEX_TYPE_2_1",
)
_UNEXPECTED = re.compile(r"<(\w+)>: This element is not expected\. Expected is \(([^)]*)\)")
_KNOWN_TAGS = frozenset(
    {"meta", "text", *ANNOTATION_KINDS, *SINGULAR.values(), *_META_TEXT, "provenance", "span"}
    | {"cue", "trigger", "frag", "member", "link", "arg", "annotator"}
)
_DATATYPE = re.compile(r"'([^']*)' is not a valid value of the (?:atomic|local atomic) type")
_ATTRIBUTE = re.compile(r"attribute '([^']+)'")


#: A long quoted value without spaces in a libxml2 message (a 5,000-digit offset).
_LONG_QUOTED = re.compile(r"'([^'\s]{41,})'")


def _xsd_finding(error: Any, tree: etree._ElementTree) -> Finding:
    message = error.message.replace(_NSB, "")
    message = re.sub(r"^Element '([^']+)'(, attribute '([^']+)')?: ", r"<\1>\2: ", message)
    message = message.replace(", attribute '", " attribute '")
    kind = error.type_name
    hint = None
    if kind == "SCHEMAV_CVC_ELT_1":
        root = tree.getroot()
        found_ns = (
            root.tag[1:].split("}")[0]
            if isinstance(root.tag, str) and root.tag.startswith("{")
            else ""
        )
        message = f"the root element must be <document> in the namespace {NS}"
        if str(root.tag).rsplit("}", 1)[-1] == "document":
            message += f", not {found_ns or 'no namespace'}"
        hint = f'write <document xmlns="{NS}" corpuskit="1.0" id="...">'
    unexpected = _UNEXPECTED.search(message)
    if kind in _XSD_MISSING or "Missing child element" in message:
        rule = SR.MISSING_PROPERTY
    elif (
        unexpected and unexpected.group(1) in _KNOWN_TAGS and " " not in unexpected.group(2).strip()
    ):
        # A known element where another one was required: the required one is missing.
        rule = SR.MISSING_PROPERTY
        found, wanted = unexpected.group(1), unexpected.group(2).strip()
        message = f"<{wanted}> is missing (found <{found}> where <{wanted}> must come first)"
    elif kind in _XSD_UNKNOWN or "This element is not expected" in message:
        rule = SR.UNKNOWN_PROPERTY
    elif kind.startswith("SCHEMAV_CVC_DATATYPE_VALID"):
        value = _DATATYPE.search(message)
        numeric = value is not None and re.fullmatch(r"\s*[-+]?[0-9]+\s*", value.group(1))
        rule = SR.INVALID_VALUE if numeric else SR.WRONG_TYPE
    else:
        rule = SR.INVALID_VALUE
    pointer = ""
    annotation_id = None
    try:
        found = tree.xpath(error.path) if error.path else []
    except Exception:  # an XPath libxml2 cannot evaluate: keep the line only
        found = []
    if found and not isinstance(found, (str, bytes, bool, float)) and len(found) > 0:
        element = found[0]
        attr = _ATTRIBUTE.search(error.message)
        tag = _local(element.tag)
        pointer = attribute_pointer(element_pointer(element), tag, attr.group(1) if attr else None)
        parts = pointer.split("/")
        if len(parts) > 2 and parts[1] in ANNOTATION_KINDS:
            item = element
            while item is not None and _local(item.tag) != SINGULAR.get(parts[1]):
                item = item.getparent()
            annotation_id = item.get("id") if item is not None else None
    # libxml2 quotes the offending value whole: a 5,000-digit offset must not fill the screen.
    message = _LONG_QUOTED.sub(lambda m: f"'{shorten_literal(m.group(1))}'", message)
    return Finding(
        rule,
        message,
        pointer=pointer,
        annotation_id=annotation_id,
        position=None if pointer else (error.line, 1),
        hint=hint,
    )


_DECLARED_ENCODING = re.compile(r"""<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_TRUE_FALSE = {"true": True, "false": False}
# The JSON spellings, so that a value read from XML is written back the same way.
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


class _NotFinite(ValueError):
    """A number literal that overflows a double (rule P005, as in JSON)."""


def _typed(datatype: str, value: str) -> Any:
    """The typed value of an attribute; ValueError for a wrong spelling, NumberOutOfRange
    (P008) and _NotFinite (P005) for values a JSON reader could not hold, as in JSON."""
    if datatype == "integer" and _INTEGER.fullmatch(value):
        return decimal_integer(value)
    if datatype == "number" and _NUMBER.fullmatch(value):
        if not any(c in value for c in ".eE"):
            # An integer literal, as JSON reads it: beyond 2^53 it cannot be stored exactly.
            decimal_integer(value)
        number = float(value)
        if not math.isfinite(number):
            raise _NotFinite(value)
        return number
    if datatype == "boolean" and value in _TRUE_FALSE:
        return _TRUE_FALSE[value]
    if datatype == "string":
        return value
    raise ValueError(value)


def _out_of_range(raw: str, pointer: str, annotation_id: str | None) -> Finding:
    return Finding(
        P.NUMBER_RANGE,
        f'number "{shorten_literal(raw)}" is beyond ±2^53 and cannot be stored exactly',
        pointer=pointer,
        annotation_id=annotation_id,
        hint=f"integers must lie within ±{EXACT_INTEGER_BOUND - 1}; write large values as strings",
    )


def _offset(raw: str | None, pointer: str, annotation_id: str | None, bad: list[Finding]) -> int:
    """An offset attribute's value. The XSD has checked it, but its lexical space allows a sign,
    white space and any number of leading zeros, which int() alone cannot always read."""
    try:
        return decimal_integer(raw or "")
    except NumberOutOfRange:
        bad.append(_out_of_range(raw or "", pointer, annotation_id))
    except ValueError:
        bad.append(
            Finding(
                SR.WRONG_TYPE,
                f'offset "{shorten_literal(raw or "")}" is not a non-negative integer',
                pointer=pointer,
                annotation_id=annotation_id,
            )
        )
    return 0


def _fragments(
    el: etree._Element, pointer: str, annotation_id: str | None, bad: list[Finding]
) -> list[Record]:
    out: list[Record] = []
    for i, f in enumerate(el):
        # A draft may give a fragment by its text alone, with a prefix and suffix (rule O008).
        frag: Record = {
            name: _offset(f.get(name), f"{pointer}/{i}/{name}", annotation_id, bad)
            for name in ("start", "end")
            if f.get(name) is not None
        }
        frag["text"] = f.text or ""
        frag.update((name, f.get(name)) for name in ("prefix", "suffix") if f.get(name) is not None)
        out.append(frag)
    return out


def _annotation_record(kind: str, el: etree._Element, pointer: str, bad: list[Finding]) -> Record:
    a: Record = {k: el.get(k) for k in el.keys() if k != "note"}  # noqa: SIM118 - lxml attrib order
    if kind == "attributes":
        datatype = a.pop("datatype")
        raw = a.pop("value")
        try:
            a["value"] = _typed(datatype, raw)
        except NumberOutOfRange:
            a["value"] = raw
            bad.append(_out_of_range(raw, f"{pointer}/value", a.get("id")))
        except _NotFinite:
            a["value"] = raw
            bad.append(
                Finding(
                    P.NON_FINITE,
                    f'number "{shorten_literal(raw)}" is too large for a double',
                    pointer=f"{pointer}/value",
                    annotation_id=a.get("id"),
                    hint="write a finite number, or the value as a string",
                )
            )
        except ValueError:
            a["value"] = raw
            bad.append(
                Finding(
                    SR.WRONG_TYPE,
                    f'value "{shorten_literal(raw)}" is not a valid {datatype}',
                    pointer=f"{pointer}/value",
                    annotation_id=a.get("id"),
                    hint="integers: 42; numbers: 0.5; booleans: true or false "
                    "(no sign '+', no leading zeros, as in JSON)",
                )
            )
    for child in el:
        tag = _local(child.tag)
        if tag in _SPAN_FIELDS:
            a[tag] = _fragments(child, f"{pointer}/{tag}", a.get("id"), bad)
        elif tag == "member":
            a.setdefault("mentions", []).append(child.get("ref"))
        elif tag == "link":
            a.setdefault("links", []).append({"kb": child.get("kb"), "id": child.get("id")})
        elif tag == "arg":
            a.setdefault("args", []).append({"role": child.get("role"), "ref": child.get("ref")})
    if el.get("note") is not None:
        a["note"] = el.get("note")
    return a


def tree_to_record(root: etree._Element) -> tuple[Record, list[Finding]]:
    """Convert a schema-valid document tree into a record (the JSON data model)."""
    record: Record = {"corpuskit": root.get("corpuskit"), "id": root.get("id")}
    bad: list[Finding] = []
    for child in root:
        tag = _local(child.tag)
        if tag == "meta":
            meta: Record = {}
            for field in child:
                name = _local(field.tag)
                if name == "provenance":
                    prov: Record = {}
                    names = [a.text or "" for a in field]
                    if names:
                        prov["annotators"] = names
                    for key in ("tool", "tool_version", "note"):
                        if field.get(key) is not None:
                            prov[key] = field.get(key)
                    meta["provenance"] = prov
                else:
                    meta[name] = field.text or ""
            record["meta"] = meta
        elif tag == "text":
            record["offset_unit"] = child.get("offset_unit")
            record["text"] = child.text or ""
            if child.get("sha256") is not None:  # a draft may leave it out (rule O006)
                record["text_sha256"] = child.get("sha256")
        elif tag in ANNOTATION_KINDS:
            record[tag] = [
                _annotation_record(tag, el, f"/{tag}/{i}", bad) for i, el in enumerate(child)
            ]
    return record, bad


def _syntax_finding(exc: Exception, data: bytes) -> Finding:
    line, col = getattr(exc, "position", (1, 1)) or (1, 1)
    message = str(getattr(exc, "msg", exc)).split(", line ")[0]
    rule = P.XML_SYNTAX
    if "Entity" in message or "entity" in message:
        rule = P.XML_FORBIDDEN if b"<!DOCTYPE" in data or b"<!ENTITY" in data else P.XML_SYNTAX
    hint = None
    if "Excessive depth" in message:
        message = "elements are nested deeper than 256 levels"
        hint = "a corpuskit document nests six levels at most"
    elif "Text node too long" in message or "huge" in message.lower():
        message = "a text node is longer than 10,000,000 bytes, the parser's safety limit"
        hint = "articles are far shorter; split the file or check that it is a document"
    elif "amplification" in message.lower() or "Detected an entity reference loop" in message:
        rule = P.XML_FORBIDDEN
        message = "entity expansion is not allowed (an entity-expansion attack?)"
        hint = "remove the DOCTYPE and its entities"
    elif "EntityRef" in message or "xmlParseEntityRef" in message:
        hint = "write a literal & as &amp; (and < as &lt;)"
    elif "not proper UTF-8" in message or "encoding" in message.lower():
        hint = "corpuskit documents are UTF-8"
    return Finding(rule, message, position=(max(line, 1), max(col, 1)), hint=hint)


#: An attribute value with a raw line break or tab (double or single quoted); only looked for
#: when the cheap test below finds one might exist.
_RAW_WHITESPACE_ATTRIBUTE = re.compile(r"""=\s*(?:"[^"<]*[\t\n\r][^"<]*"|'[^'<]*[\t\n\r][^'<]*')""")
_TAG = re.compile(r"""<[A-Za-z_][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")


def _raw_whitespace_attribute(text: str) -> Finding | None:
    """P007 for an attribute holding a literal line break or tab, which XML turns into a space."""
    if _RAW_WHITESPACE_ATTRIBUTE.search(text) is None:
        return None
    for tag in _TAG.finditer(text):
        found = _RAW_WHITESPACE_ATTRIBUTE.search(tag.group())
        if found is not None:
            at = tag.start() + found.start()
            line = text.count("\n", 0, at) + 1
            column = at - (text.rfind("\n", 0, at) + 1) + 1
            return Finding(
                P.XML_FORBIDDEN,
                "a line break or tab is written as itself inside an attribute value: XML reads it "
                "as a space, so the value would not be what the file shows",
                position=(line, column),
                hint="write a line break as &#10; (a carriage return &#13;, a tab &#9;)",
            )
    return None


def parse(data: bytes) -> Parsed:
    """Read XML bytes into a document record, with XSD problems as findings."""
    from lxml import etree

    text, problem = decode_utf8(data)
    if text is None:
        return Parsed(None, [problem] if problem else [])
    if not data.strip():
        return Parsed(None, [Finding(P.XML_SYNTAX, "file is empty", position=(1, 1))])
    declared = _DECLARED_ENCODING.match(text)
    if declared and declared.group(1).lower() not in ("utf-8", "utf8"):
        return Parsed(
            None,
            [
                Finding(
                    P.ENCODING,
                    f'the XML declaration says encoding="{declared.group(1)}"; documents are UTF-8',
                    position=(1, declared.start(1) + 1),
                    hint='write encoding="UTF-8" (and save the file as UTF-8)',
                )
            ],
        )
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        return Parsed(None, [_syntax_finding(exc, data)])
    forbidden = _forbidden(tree, data) or _raw_whitespace_attribute(text)
    if forbidden is not None:
        return Parsed(None, [forbidden])
    schema = _xml_schema()
    if not schema.validate(tree):
        return Parsed(None, [_xsd_finding(e, tree) for e in schema.error_log], structural=True)
    record, bad = tree_to_record(tree.getroot())
    fatal = [f for f in bad if f.rule.family == "P"]
    if fatal:
        # A number no JSON reader can hold is a parse error, as it is in JSON: no further checks.
        return Parsed(None, fatal)
    return Parsed(record, bad, structural=bool(bad))


class XmlLocator:
    """Source positions in an XML document, computed on demand (failing documents only)."""

    def __init__(self, data: bytes) -> None:
        from lxml import etree

        self.lines = LineIndex(data.decode("utf-8", errors="replace"))
        self.nodes: dict[str, tuple[int, int, str | None]] = {}
        try:
            root = etree.fromstring(data, _parser())
        except etree.XMLSyntaxError:
            return
        seen_on_line: dict[tuple[int, str], int] = {}
        self._walk(root, "", "", seen_on_line)

    def _walk(
        self, el: Any, pointer: str, parent_tag: str, seen: dict[tuple[int, str], int]
    ) -> None:
        tag = _local(el.tag)
        line = el.sourceline or 1
        nth = seen.get((line, tag), 0)
        seen[(line, tag)] = nth + 1
        self.nodes.setdefault(attribute_pointer(pointer, tag, None), (line, nth, None))
        if tag != "document":
            self.nodes[pointer] = (line, nth, None)
        for attr in el.keys():  # noqa: SIM118
            self.nodes.setdefault(attribute_pointer(pointer, tag, attr), (line, nth, attr))
        counts: dict[str, int] = {}
        for child in el:
            if not isinstance(child.tag, str):
                continue
            ctag = _local(child.tag)
            index = counts.get(ctag, 0)
            counts[ctag] = index + 1
            self._walk(child, child_pointer(pointer, tag, ctag, index), tag, seen)

    def locate(self, pointer: str, *, key: bool = False) -> Position | None:
        """The position of ``pointer`` or of its nearest ancestor."""
        while pointer not in self.nodes:
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]
        line, nth, attr = self.nodes[pointer]
        text = self.lines.line_text(line)
        tag = self._tag_at(pointer)
        starts = [m.start() for m in re.finditer(rf"<{re.escape(tag)}[\s/>]", text)] if tag else []
        col = (
            starts[nth]
            if nth < len(starts)
            else (starts[0] if starts else len(text) - len(text.lstrip()))
        )
        end = text.find(">", col) + 1 or len(text)
        if attr:
            m = re.compile(rf'\s{re.escape(attr)}="[^"]*"').search(text, col)
            if m:
                col, end = m.start() + 1, m.end()
        return Position(line, col + 1, line, end + 1, text)

    def _tag_at(self, pointer: str) -> str | None:
        parts = pointer.split("/")[1:]
        if not parts:
            return "document"
        if parts[0] in ANNOTATION_KINDS:
            if len(parts) == 1:
                return parts[0]
            if len(parts) == 2:
                return SINGULAR[parts[0]]
            if parts[2] in _SPAN_FIELDS:
                return "frag" if len(parts) >= 4 else parts[2]
            return {"mentions": "member", "links": "link", "args": "arg"}.get(
                parts[2], SINGULAR[parts[0]]
            )
        if parts[0] in ("text", "offset_unit", "text_sha256"):
            return "text"
        if parts[0] == "meta":
            return (
                parts[-1] if len(parts) == 2 else "provenance" if len(parts) == 3 else "annotator"
            )
        return "document"


def locator(data: bytes) -> XmlLocator:
    """A locator for the document in ``data``."""
    return XmlLocator(data)


def loads(data: bytes | str) -> Document:
    """Parse XML and check it against the XSD; raise DocumentError when it is not a document."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return S.build_document(parse(raw))


def load(path: str | Path) -> Document:
    """Read an XML document file."""
    return loads(Path(path).read_bytes())


def dump(doc: Document, path: str | Path) -> None:
    """Write a document as canonical XML, atomically."""
    from corpuskit.io import write_atomic

    write_atomic(Path(path), dumps(doc))
