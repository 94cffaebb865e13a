"""Mutations for the fuzzer (benchmarks/fuzz.py): bytes, JSON and XML structure, canonical XML
one or two edits away from the writer's layout (for the typed decode's layout reader), text and
line-oriented files (brat .ann, annotation.conf, tools.conf), and inputs scaled up.

Every mutation draws from the ``random.Random`` it is given, so a case is reproducible.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
from typing import Any

from fuzz_documents import TRICKY, WORDS

# --------------------------------------------------------------------------- byte mutations

# fmt: off
TOKENS = [
    *(t.encode() for t in '{}[],:"\\<>&'), b"\\u", b"\\ud800", b"\xff",
    b"\xed\xa0\x80",  # a surrogate encoded as UTF-8 (CESU-8)
    b"\xc0\x80", b"NaN", b"Infinity",
    b"1e999", b"-0", b"99999999999999999999", b"9" * 5000, b"\x00", b"\x07", b"\r\n", b"\r",
    b"&amp;", b"&#0;", b"&#xD800;", b"&#xFFFE;", b"&undefined;", b"<!DOCTYPE x>",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE x SYSTEM "file:///etc/hostname">', b"<![CDATA[x]]>", b"<!--c-->", b"<?pi x?>",
    b"]]>", b"\xef\xbb\xbf", "é".encode(), "e\u0301".encode(), "👩\u200d💻".encode(),
    "\u2028".encode(), b"null", b"true", b"\t",
]
# fmt: on


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Flip, cut, insert or duplicate bytes, or re-encode the whole input."""
    if data and rng.random() < 0.03:
        # A whole-file change of encoding or line ends: what an editor or a checkout does.
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return data[::-1]
        choice = rng.randrange(5)
        if choice == 0:
            return text.encode("utf-16")
        if choice == 1:
            return text.replace("\n", "\r\n").encode()
        if choice == 2:
            return text.replace("\n", "\r").encode()
        if choice == 3:
            return b"\xef\xbb\xbf" + data
        return text.encode("latin-1", errors="replace")
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not out:
            out += rng.choice(TOKENS)
            continue
        at = rng.randrange(len(out))
        roll = rng.random()
        if roll < 0.25:
            out[at] = rng.randrange(256)
        elif roll < 0.5:
            del out[at : at + rng.randint(1, 20)]
        elif roll < 0.75:
            out[at:at] = rng.choice(TOKENS)
        else:
            end = min(len(out), at + rng.randint(1, 200))
            out[at:at] = out[at:end]
    return bytes(out)


# --------------------------------------------------------------------------- JSON structure

#: A marker replaced, after serialisation, by text json.dumps cannot produce (deep nesting).
DEEP = "\x00corpuskit-fuzz-deep\x00"
# fmt: off
HUGE_NUMBERS: list[Any] = [
    2**31, 2**53, 2**53 + 1, -(2**63), 2**64, 10**30, 10**400, 1e308, -0.0, 5e-324, 0.1, 1.0, -1,
]
# fmt: on
# fmt: off
ODD_STRINGS = [
    "", " ", "x", "\x00", "\x07\x1b", "\ud800", "\udfff", "a\ud83dz", "\ufffe", "\u202e",
    "e\u0301", "\r\n", "m1", "e1", "ev1", "codepoint", "utf16", "utf8", "1.0", "007", "٣",
]
# fmt: on


def odd_value(rng: random.Random) -> Any:
    """A value of a random JSON type: odd numbers, odd strings, empty or deep containers."""
    kind = rng.randrange(9)
    if kind == 0:
        return rng.choice(HUGE_NUMBERS)
    if kind == 1:
        return rng.choice(ODD_STRINGS)
    if kind == 2:
        return rng.choice(ODD_STRINGS) * rng.choice([1000, 100_000])
    if kind == 3:
        return rng.choice([None, True, False])
    if kind == 4:
        return rng.choice([[], {}, [None], {"a": 1}, [[]], {"": ""}])
    if kind == 5:
        return DEEP
    return rng.choice([0, -1, 1, 3, 2**31 - 1, "x", None, [], {}])


def _walk(node: Any, path: list[Any], out: list[list[Any]]) -> None:
    out.append(path)
    if isinstance(node, dict):
        for k, v in node.items():
            _walk(v, [*path, k], out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _walk(v, [*path, i], out)


def _retyped(value: Any, rng: random.Random) -> Any:
    """The same content as another type: "non-list where list expected" and its kin."""
    if isinstance(value, list):
        return rng.choice(
            [value[0] if value else None, {"0": value}, json.dumps(value), len(value)]
        )
    if isinstance(value, dict):
        return rng.choice([list(value.values()), list(value), json.dumps(value), None])
    if isinstance(value, bool):
        return rng.choice([int(value), str(value).lower(), None])
    if isinstance(value, int):
        if abs(value) > 10**300:  # no float holds it (and a few thousand digits have no str)
            return rng.choice([[value], -value, 0.5])
        return rng.choice([str(value), float(value), value + 0.5, [value], value * 10**20, -value])
    if isinstance(value, float):
        return rng.choice([int(value) if value == value and abs(value) < 1e300 else 0, str(value)])
    if isinstance(value, str):
        return rng.choice(
            [
                [value],
                {"value": value},
                int(value) if value.isdecimal() and len(value) < 4000 else len(value),
                value + rng.choice(ODD_STRINGS),
                value[: len(value) // 2],
                value * 2,
            ]
        )
    return rng.choice([[], {}, 0, ""])


def mutate_structure(record: Any, rng: random.Random) -> Any:
    """Replace, delete, duplicate, retype or nudge values anywhere; rename or add keys."""
    for _ in range(rng.randint(1, 3)):
        paths: list[list[Any]] = []
        _walk(record, [], paths)
        if len(paths) < 2:
            return odd_value(rng)
        path = rng.choice(paths[1:])
        parent: Any = record
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        value = parent[key]
        choice = rng.random()
        if choice < 0.25:
            parent[key] = odd_value(rng)
        elif choice < 0.4:
            parent[key] = _retyped(value, rng)
        elif choice < 0.5:
            parent.pop(key)
        elif choice < 0.6 and isinstance(value, int) and not isinstance(value, bool):
            parent[key] = value + rng.choice([-100, -5, -1, 1, 2, 5, 100, 2**53])
        elif choice < 0.7 and isinstance(parent, dict):
            new_key = rng.choice([key + "x", key.upper(), "", "__proto__", key[:-1] or "k"])
            parent[new_key] = parent.pop(key)
        elif choice < 0.8 and isinstance(parent, dict):
            parent[rng.choice(["extra", "note", "id", "span", "text", "\ud800"])] = odd_value(rng)
        elif isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(value)))
        elif isinstance(value, str):
            at = rng.randint(0, len(value))
            parent[key] = value[:at] + rng.choice(ODD_STRINGS + TRICKY) + value[at:]
        else:
            parent[key] = odd_value(rng)
    return record


def dump_json(value: Any, rng: random.Random) -> bytes:
    """Serialise a mutated JSON value in a random layout (lone surrogates as CESU-8 or \\u)."""
    text = json.dumps(
        value,
        ensure_ascii=rng.random() < 0.4,
        indent=rng.choice([None, 2, 0, "\t"]),
        allow_nan=True,
    )
    deep = json.dumps(DEEP)
    if deep in text:
        depth = rng.choice([50, 500, 5000, 100_000])
        nest = rng.choice([("[" * depth, "]" * depth), ('{"a":' * depth, "}" * depth)])
        text = text.replace(deep, nest[0] + "1" + nest[1])
    return text.encode("utf-8", errors="surrogatepass")


def mutate_json_bytes(data: bytes, rng: random.Random) -> bytes:
    """A structure-level mutation of JSON input (a byte-level one when it does not parse)."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return mutate_bytes(data, rng)
    return dump_json(mutate_structure(value, rng), rng)


# --------------------------------------------------------------------------- XML structure

#: Spellings of numbers that XML Schema, Python's int() and JSON disagree about.
# fmt: off
NUMBER_SPELLINGS = [
    "0004", "+4", " 4 ", "4\n", "٤", "４", "4_0", "1e2", "4.0", "-0", "-1", "0x4", "", "NaN", "inf",
    "&#52;", "&#x661;", "9" * 25, "9" * 5000, "1" + "0" * 4300, "0" * 4400 + "4", str(2**53),
]
# fmt: on
_NUMBER_ATTR = re.compile(rb'\b(start|end|offset|length|value)="([^"]*)"')
_NUMBER_TEXT = re.compile(rb">(-?[0-9]+)<")
_DATATYPE = re.compile(rb'\bdatatype="([^"]*)"')
_ATTR = re.compile(rb'\s[A-Za-z_:][\w:.-]*="[^"]*"')
_TAG = re.compile(rb"<([A-Za-z_][\w:.-]*)")
_ELEMENT_TEXT = re.compile(rb">([^<>]+)<")


def mutate_xml(data: bytes, rng: random.Random) -> bytes:
    """An XML-aware mutation: odd number spellings, lines duplicated or dropped, tags renamed,
    attributes dropped or duplicated, deep nesting, character references, long text."""
    choice = rng.randrange(10)
    if choice == 9:
        types = list(_DATATYPE.finditer(data))
        if types:
            hit = rng.choice(types)
            kind = rng.choice([b"string", b"integer", b"number", b"boolean", b"", b"date"])
            return data[: hit.start(1)] + kind + data[hit.end(1) :]
    if choice == 0:
        hits = list(_NUMBER_ATTR.finditer(data)) + list(_NUMBER_TEXT.finditer(data))
        if hits:
            hit = rng.choice(hits)
            spelled = rng.choice(NUMBER_SPELLINGS).encode()
            return (
                data[: hit.start(2) if hit.re is _NUMBER_ATTR else hit.start(1)]
                + spelled
                + data[hit.end(2) if hit.re is _NUMBER_ATTR else hit.end(1) :]
            )
    if choice == 1:
        lines = data.split(b"\n")
        i = rng.randrange(len(lines))
        op = rng.randrange(3)
        if op == 0:
            lines.insert(i, lines[i])
        elif op == 1:
            del lines[i]
        else:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    if choice == 2:
        tags = list(_TAG.finditer(data))
        if tags:
            hit = rng.choice(tags)
            other = rng.choice(tags).group(1)
            return (
                data[: hit.start(1)]
                + rng.choice([other, b"x", hit.group(1).upper()])
                + data[hit.end(1) :]
            )
    if choice == 3:
        attrs = list(_ATTR.finditer(data))
        if attrs:
            hit = rng.choice(attrs)
            replacement = rng.choice(
                [b"", hit.group(0) * 2, hit.group(0) + b' xml:space="preserve"']
            )
            return data[: hit.start()] + replacement + data[hit.end() :]
    if choice == 4:
        texts = list(_ELEMENT_TEXT.finditer(data))
        if texts:
            hit = rng.choice(texts)
            new = rng.choice(
                [
                    b"&#13;",
                    b"&#0;",
                    b"&#xD800;",
                    b"&#x1F680;",
                    b"&lt;",
                    b"<![CDATA[" + hit.group(1) + b"]]>",
                    hit.group(1) * rng.choice([2, 1000]),
                    b"",
                    b"\r\n",
                    b"\xc2\x85",
                ]
            )
            return data[: hit.start(1)] + new + data[hit.end(1) :]
    if choice == 5:
        at = data.find(b">", rng.randrange(max(1, len(data)))) + 1
        depth = rng.choice([10, 300, 10_000])
        return data[:at] + b"<a>" * depth + b"</a>" * depth + data[at:]
    if choice == 6:
        head = rng.choice(
            [
                b'<?xml version="1.0" encoding="latin-1"?>\n',
                b'<?xml version="1.1"?>\n',
                b'<?xml version="1.0" encoding="UTF-16"?>\n',
                b"<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/hostname'>]>\n",
            ]
        )
        return head + data.split(b"?>", 1)[-1] if data.startswith(b"<?xml") else head + data
    return mutate_bytes(data, rng)


def xml_variant(data: bytes, rng: random.Random) -> bytes:
    """The same XML document written differently (a declaration, single quotes, character
    references, explicit end tags, spaces in tags): it must read as the same document."""
    choice = rng.randrange(5)
    if choice == 0:
        if data.startswith(b"<?xml"):
            return b"\n\n".join(data.split(b"\n", 1))  # a blank line after the declaration
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + data
    if choice == 1:
        attrs = [m for m in _ATTR.finditer(data) if b"'" not in m.group(0)]
        if attrs:
            hit = rng.choice(attrs)
            name, value = hit.group(0).split(b"=", 1)
            return data[: hit.start()] + name + b"='" + value[1:-1] + b"'" + data[hit.end() :]
    if choice == 2:
        # Character data inside an element (not the layout between tags or after the prolog).
        texts = [
            m
            for m in _ELEMENT_TEXT.finditer(data)
            if b"&" not in m.group(1)
            and m.group(1).strip()
            and data[m.start() - 1 : m.start()] != b"?"
        ]
        if texts:
            hit = rng.choice(texts)
            chars = hit.group(1).decode("utf-8")
            at = rng.randrange(len(chars))
            ref = f"&#{ord(chars[at])};" if rng.random() < 0.5 else f"&#x{ord(chars[at]):X};"
            new = (chars[:at] + ref + chars[at + 1 :]).encode()
            return data[: hit.start(1)] + new + data[hit.end(1) :]
    if choice == 3:
        empties = list(re.finditer(rb"<([A-Za-z_][\w.-]*)([^<>]*?)/>", data))
        if empties:
            hit = rng.choice(empties)
            full = b"<" + hit.group(1) + hit.group(2) + b"></" + hit.group(1) + b">"
            return data[: hit.start()] + full + data[hit.end() :]
    attrs = list(_ATTR.finditer(data))
    if attrs:
        hit = rng.choice(attrs)
        return data[: hit.start()] + b" \t " + hit.group(0).lstrip() + data[hit.end() :]
    return data


# --------------------------------------------------------------------------- canonical XML

#: What a near-canonical file may hold at a place of markup or inside a value or a text:
#: references (for markup too: "&gt;" for the ">" that ends a tag), markup characters, white
#: space and control characters, characters XML forbids or UTF-8 cannot hold, digits, names,
#: comments, CDATA, namespaces (the tokens of the review that found the layout reader's "&gt;").
# fmt: off
MARKUP_TOKENS = [
    b"&gt;", b"&amp;", b"&lt;", b"&quot;", b"&apos;", b"&#10;", b"&#x3e;", b"&#62;", b"&amp;amp;",
    b"&amp;gt;", b"&", b">", b"<", b'"', b"'", b"\t", b"\n", b"\r", b"\r\n", b"\x00", b"\x01",
    b"\x1f", b"\x7f", "\u0085".encode(), "\u2028".encode(), "\ufffe".encode(), "\uffff".encode(),
    "\ufeff".encode(), b"\xed\xa0\x80", b"\xc0\xbe", b"\xe0\x80\xbe", b"\xff", b"\x80", b" ",
    b"  ", b"/", b"=", b"]]>", b"]]&gt;", b"0", b"00", b"9", b"99999999999", b"-", b"+", b":",
    b"x", "é".encode(), "😀".encode(), "\u0301".encode(), b"<!-- c -->", b"<?pi x?>",
    b"<![CDATA[x]]>", b'xmlns="urn:x"', b' xmlns:x="urn:x"', b"&#0;", b"&#xD800;", b"<x/>",
    b"</x>", b"a", b"\\", b'"/>', b"/>",
]
#: Values an attribute of the canonical layout may be given instead of its own.
ODD_VALUES = [
    b"", b"007", b"1 ", b" 1", b"4294967296", b"2147483648", b"a b", b"a&amp;b", b"a&gt;b", b'x"',
    b"\xc2\xa0", b"a:b", b"1e3", b"true", b"TRUE", b"-0", b"1.0", b"NaN", b"m1", b"e0", b"ev0",
]
# fmt: on
#: The characters of the writer's markup: where a token goes in or replaces one.
_MARKUP = frozenset(b'<>"=/ \n')
#: A markup character written as a reference: a file that is no longer well-formed XML.
_AS_REFERENCE = {
    ord(">"): [b"&gt;", b"&gt;", b"&#62;", b"&#x3e;"],
    ord("<"): [b"&lt;", b"&#60;"],
    ord('"'): [b"&quot;", b"&#34;"],
    ord("="): [b"&#61;"],
    ord("/"): [b"&#47;"],
}
_REFERENCE = re.compile(rb"&(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);")
_TEXT_ELEMENT = re.compile(rb'(<text offset_unit="[^"]*" sha256=")([0-9a-f]*)(">)([^<]*)(</text>)')
_VALUE = re.compile(rb'="([^"]*)"')


def without_references(data: bytes) -> bytes:
    """Canonical writer output with every reference replaced by "z" (and the text's sha256
    worked out again): still in the canonical layout, read by the layout reader's grammar
    without references. A reference stands for one ASCII character, so every offset still
    holds in every unit."""
    plain = _REFERENCE.sub(b"z", data)
    text = _TEXT_ELEMENT.search(plain)
    if text is None:
        return plain
    digest = hashlib.sha256(text.group(4)).hexdigest().encode()
    return plain[: text.start(2)] + digest + plain[text.end(2) :]


def _markup_positions(data: bytes) -> list[int]:
    return [i for i, byte in enumerate(data) if byte in _MARKUP]


def _canonical_edit(data: bytes, rng: random.Random) -> bytes:
    """One edit of a near-canonical file: a markup character written as a reference, a token
    put in or for one at a place of markup, inside a value or a text, a value replaced, a line
    duplicated, dropped, swapped or extended, a few bytes cut."""
    op = rng.randrange(10)
    if op in (0, 9):
        markup = [i for i, byte in enumerate(data) if byte in _AS_REFERENCE]
        at = rng.choice(markup)
        return data[:at] + rng.choice(_AS_REFERENCE[data[at]]) + data[at + 1 :]
    if op in (1, 2):
        at = rng.choice(_markup_positions(data))
        if op == 1:
            at += rng.choice((0, 1))
            return data[:at] + rng.choice(MARKUP_TOKENS) + data[at:]
        return data[:at] + rng.choice(MARKUP_TOKENS) + data[at + 1 :]
    if op in (3, 4):
        # Inside an attribute value or an element's text, or the value as a whole.
        hits = list(_VALUE.finditer(data)) + list(_ELEMENT_TEXT.finditer(data))
        hit = rng.choice(hits)
        start, end = hit.span(1)
        if op == 4:
            value = rng.choice([*ODD_VALUES, hit.group(1) * 2, hit.group(1)[::-1]])
            return data[:start] + value + data[end:]
        at = rng.randint(start, end)
        cut = at + rng.choice((0, 0, 1))  # put in, or put for one character
        return data[:at] + rng.choice(MARKUP_TOKENS) + data[min(cut, end) :]
    if op == 5:
        lines = data.split(b"\n")
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        how = rng.randrange(4)
        if how == 0:
            lines.insert(i, lines[j])
        elif how == 1:
            del lines[i]
        elif how == 2:
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] += rng.choice([b" ", b"\r", b"\t", b"<x/>", b"&gt;", b">"])
        return b"\n".join(lines)
    if op == 6:
        at = rng.randrange(len(data))
        return data[:at] + data[at + rng.randint(1, 4) :]
    if op == 7:
        at = rng.randrange(len(data) + 1)
        return data[:at] + rng.choice(MARKUP_TOKENS) + data[at:]
    # A reference in the text, and a markup ">" written otherwise (the review's combination).
    at = rng.randrange(len(data) + 1)
    data = data[:at] + rng.choice([b"&amp;", b"&gt;"]) + data[at:]
    at = rng.choice([i for i, byte in enumerate(data) if byte == ord(">")])
    return data[:at] + rng.choice([b"&gt;", b">>", b""]) + data[at + 1 :]


def mutate_canonical_xml(data: bytes, rng: random.Random) -> bytes:
    """Canonical writer output (``xml_format.dumps``) kept in the canonical layout, so that the
    typed decode's layout reader reads it (with the writer's references half of the time, which
    that reader reads too, and without them the other half), then one or two edits at places of
    markup or inside values and texts: mostly files one token away from that layout,
    well-formed or not, which the layout reader must refuse or read as the full path does."""
    if rng.random() < 0.5:
        data = without_references(data)
    for _ in range(rng.choice((1, 1, 1, 2))):
        data = _canonical_edit(data, rng)
    return data


def scale_up(record: dict[str, Any], rng: random.Random, copies: int) -> dict[str, Any]:
    """A record with ``copies`` more of one of its annotations (fresh ids)."""
    kinds = [k for k in ("mentions", "quotes", "claims", "events", "attributes") if record.get(k)]
    if not kinds:
        return record
    items = record[rng.choice(kinds)]
    if not isinstance(items, list) or not isinstance(items[0], dict):
        return record
    items.extend({**items[0], "id": f"zz{i}"} for i in range(copies))
    return record


def scale_lines(text: str, copies: int) -> str:
    """A brat .ann with ``copies`` more of its first five annotation lines (ids renumbered)."""
    lines = [line for line in text.split("\n") if line[:1] in ("T", "E", "R", "A", "N", "#")][:5]
    extra = []
    for i in range(copies):
        for k, line in enumerate(lines):
            head = re.match(r"[TERAN#]\d*", line)
            if head is not None:
                extra.append(f"{line[0]}{100_000 + 10 * i + k}{line[head.end() :]}")
    return text + "\n" + "\n".join(extra) + "\n"


# --------------------------------------------------------------------------- text and lines

_TEXT_PIECES = [*TRICKY, *WORDS, "\x00", "\x0b", "\ud800", "\ufffe", "e\u0301", "\u0301", "\n\n\n"]


def edit_text(text: str, rng: random.Random) -> str:
    """Random edits of a text: insertions, deletions, replacements, lines moved or re-ended."""
    for _ in range(rng.randint(1, 5)):
        op = rng.randrange(8)
        at = rng.randint(0, len(text))
        end = min(len(text), at + rng.randint(1, 30))
        if op == 0:
            text = text[:at] + rng.choice(_TEXT_PIECES) + text[at:]
        elif op == 1:
            text = text[:at] + text[end:]
        elif op == 2:
            text = text[:at] + rng.choice(_TEXT_PIECES) + text[end:]
        elif op == 3:
            lines = text.splitlines(keepends=True)
            if len(lines) > 1:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                text = "".join(lines)
        elif op == 4:
            text = text[:at] + text[at:end] * rng.randint(2, 5) + text[end:]
        elif op == 5:
            text = rng.choice(
                [text.replace("\n", "\r\n"), text.replace("\r\n", "\n"), text.upper()]
            )
        elif op == 6:
            text = unicodedata.normalize(rng.choice(["NFD", "NFKC", "NFC"]), text)
        else:
            text = rng.choice(["", "x", text * 50, text[::-1], " " + text + " "])
    return text


def mutate_lines(text: str, rng: random.Random, extra: list[str]) -> str:
    """Line-level mutation of a line-oriented file (brat .ann, annotation.conf): lines dropped,
    duplicated, swapped, fields edited (numbers, separators, ids), ``extra`` lines inserted."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        op = rng.randrange(7)
        if op == 0:
            lines.insert(i, rng.choice(extra))
        elif op == 1:
            del lines[i]
            lines = lines or [""]
        elif op == 2:
            lines.insert(i, lines[i])
        elif op == 3:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 4:
            # A number of thousands of digits (an earlier mutation's) is not one int() reads.
            numbers = list(re.finditer(r"\d{1,1000}(?!\d)", lines[i]))
            if numbers:
                hit = rng.choice(numbers)
                spelled = rng.choice(
                    [*NUMBER_SPELLINGS, str(int(hit.group()) + rng.randint(-3, 3))]
                )
                lines[i] = lines[i][: hit.start()] + spelled + lines[i][hit.end() :]
        elif op == 5:
            fields = re.split(r"(\t| |:|;|,|\|)", lines[i])
            k = rng.randrange(len(fields))
            fields[k] = rng.choice(
                ["", "\t", " ", ":", ";", "T1", "E1", "R1", "Theme", *ODD_STRINGS]
            )
            lines[i] = "".join(fields)
        else:
            lines[i] = lines[i].replace(
                rng.choice(["\t", " ", ":"]), rng.choice(["\t", " ", "  ", ""])
            )
    return "\n".join(lines)


# fmt: off
ANN_LINES = [
    "T99\tProtein 0 1\tI", "T1\tProtein 0 5\tdup", "T50\tProtein 5 2\tbackwards",
    "T51\tProtein 0 0\t", "T52\tProtein 0 3;1 2\tx", "T53\tProtein 0 99999999\tx",
    "T54\tProtein -1 3\tx", "T55\tWeird type! 0 3\tx", "E50\tBinding:T6 Theme:E50",
    "E51\tBinding:E1 Theme:T1", "E52\tBinding:T99 Theme:T1 Theme:T1",
    "E53\tPositive_regulation:T2", "R50\tPart-of Arg1:T3 Arg2:T3", "R51\tPart-of Arg1:R50 Arg2:E1",
    "R52\tPart-of Arg1:T3", "A50\tNegation E99", "A51\tConfidence E1 Unknown",
    "M50\tSpeculation T1", "N50\tReference T1 UniProt:", "N51\tReference T99 :P1\tname",
    "#50\tAnnotatorNotes X9\tnote", "#51\tAnnotatorNotes T1", "*\tEquiv T1", "*\tEquiv T1 T1 E1",
    "*\tPart-of T1 T2", "\t", "", "X1\twhat", "T\tProtein 0 1\tI", "T1 Protein 0 1 I",
]
# fmt: on
# fmt: off
CONF_LINES = [
    "[entities]", "[events]", "[relations]", "[attributes]", "[unknown]", "!Abstract",
    "\tIndented", "<A>=<B>", "<B>=<A>", "<ENTITY>=Protein", "Protein", "Protein|Gene",
    "Rel\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive",
    "Rel\tArg1:<A>, Arg2:<ANY>", "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
    "Ev\tTheme{5-2}:Protein", "Ev\tTheme{99999999999}:Protein, Site?:Protein",
    "Ev\tTheme{٣}:Protein", "Ev\tTheme+:<EVENT>, Cause*:<ANY>", "Ev\t:Protein",
    "Attr\tArg:<EVENT>, Value:A|B|A", "Attr\tArg:Nothing, Value:", "Attr\tArg:<EVENT>",
    "----------", "# comment", "Ünïcode\tArg1:Protein", "a b c\td e f",
]
# fmt: on
# fmt: off
TOOLS_LINES = [
    "[normalization]", "KB\t<URL>:https://kb.example/%s",
    "KB\t<URL>:https://kb.example/{id}, <URLBASE>:https://kb.example/", "Bad name!\t<URL>:x", "KB",
    "\tKB\t<URL>",
]
# fmt: on


def decode_or_none(data: bytes) -> str | None:
    """``data`` as UTF-8 text, or None when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def mutate_text_bytes(data: bytes, rng: random.Random, extra: list[str] | None = None) -> bytes:
    """A text file mutated by edits (or by lines, given ``extra`` lines), else byte-level."""
    text = decode_or_none(data)
    if text is None or rng.random() < 0.3:
        return mutate_bytes(data, rng)
    edited = mutate_lines(text, rng, extra) if extra is not None else edit_text(text, rng)
    return edited.encode("utf-8", errors="surrogatepass")
