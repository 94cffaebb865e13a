"""Inputs for the fuzzer (benchmarks/fuzz.py): valid documents, seed files and mutations.

Everything is drawn from a ``random.Random`` so that a case is reproducible from its seed.
Documents are generated here (valid by construction, every annotation kind, text that makes
code-point, UTF-16 and UTF-8 offsets differ); seed files come from tests/examples/positive and
the interop fixtures under tests/interop, never from corpus/ (user data).
"""

from __future__ import annotations

import itertools
import json
import random
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from corpuskit.model import (
    Argument,
    Attribute,
    AttributeValue,
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
    Relation,
    Span,
    text_sha256,
)

ROOT = Path(__file__).resolve().parents[1]
POSITIVE = ROOT / "tests" / "examples" / "positive"
INTEROP = ROOT / "tests" / "interop"

# --------------------------------------------------------------------------- valid documents

#: Pieces of document text: words, and characters that stress escaping, line ends and units.
WORDS = ["Iran", "sent", "missiles", "to", "Russia", "an", "official", "said", "Zoë", "Łódź"]
TRICKY = [
    *"\r\n\t&<>\"'];",
    "\r\n",
    "  ",
    "]]>",
    "&amp;",
    "&#13;",
    "é",
    "ß",
    "İ",
    "ﬁ",
    "\u00a0",
    "\u2028",
    "\u200b",
    "\u202e",
    "👩\u200d💻",
    "🇺🇦",
    "\U0001f680",
    "𝕏",
    "\ufeff",
    "«",
    "“",
]
NAMES = ["PER", "GPE", "ORG", "transfer", "agent", "x.y", "a:b", "_", "T-1", "realis"]
LANGUAGES = ["en", "de-CH", "uk", "zh-Hant-TW", "und"]


def random_text(rng: random.Random, pieces: int) -> str:
    """NFC text of words and tricky characters (never empty, nothing XML cannot carry)."""
    parts = [rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(TRICKY) for _ in range(pieces)]
    text = unicodedata.normalize("NFC", " ".join(parts) if rng.random() < 0.7 else "".join(parts))
    return text or "x"


def random_span(rng: random.Random, text: str) -> Span:
    """One to three sorted, non-overlapping, non-empty fragments of ``text``."""
    cuts = sorted({rng.randrange(len(text) + 1) for _ in range(rng.randint(2, 6))})
    pairs = [(a, b) for a, b in itertools.pairwise(cuts) if b > a] or [(0, len(text))]
    chosen = sorted(rng.sample(pairs, rng.randint(1, min(3, len(pairs)))))
    return tuple(Fragment(a, b, text[a:b]) for a, b in chosen)


def _free_text(rng: random.Random) -> str | None:
    return None if rng.random() < 0.6 else random_text(rng, rng.randint(1, 6))


def _value(rng: random.Random) -> AttributeValue:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.random() < 0.5
    if kind == 1:
        return rng.choice([0, -1, 7, 2**53 - 1, -(2**53) + 1])
    if kind == 2:
        return rng.choice([0.5, -0.0, 1e-7, 1.5e300, 3.141592653589793, 1e16])
    if kind == 3:
        return rng.choice(["007", " 1 ", "true", "1e3", "", "-0"])
    return random_text(rng, rng.randint(1, 4))


def random_document(rng: random.Random) -> Document:
    """A valid document with every annotation kind (O-family warnings are possible)."""
    text = random_text(rng, rng.randint(1, 40))
    mentions = tuple(
        Mention(f"m{i}", rng.choice(NAMES), random_span(rng, text), _free_text(rng))
        for i in range(rng.randint(1, 6))
    )
    m_ids = [m.id for m in mentions]
    entities = tuple(
        Entity(
            f"e{i}",
            rng.choice(NAMES),
            tuple(rng.sample(m_ids, rng.randint(1, len(m_ids)))),
            _free_text(rng),
            tuple(
                KBLink("wikidata", f"Q{rng.randint(1, 10**6)}") for _ in range(rng.randint(0, 2))
            ),
        )
        for i in range(rng.randint(0, 2))
    )
    agents = [*m_ids, *(e.id for e in entities)]
    quotes = tuple(
        Quote(
            f"q{i}",
            random_span(rng, text),
            rng.choice(["direct", "indirect"]),
            rng.choice([None, *agents]),
            random_span(rng, text) if rng.random() < 0.5 else (),
            _free_text(rng),
        )
        for i in range(rng.randint(0, 2))
    )
    claims = tuple(
        Claim(
            f"c{i}",
            random_span(rng, text),
            rng.choice([None, *agents]),
            rng.choice([None, *agents]),
        )
        for i in range(rng.randint(0, 2))
    )
    events: list[Event] = []
    for i in range(rng.randint(0, 2)):
        refs = [*agents, *(e.id for e in events)]
        args = tuple(
            Argument(rng.choice(NAMES), rng.choice(refs)) for _ in range(rng.randint(0, 3))
        )
        events.append(Event(f"ev{i}", rng.choice(NAMES), random_span(rng, text), args))
    relations: list[Relation] = []
    for i in range(rng.randint(0, 2)):
        refs = [*agents, *(e.id for e in events), *(r.id for r in relations)]
        args = tuple(
            Argument(rng.choice(NAMES), rng.choice(refs)) for _ in range(rng.randint(1, 3))
        )
        relations.append(Relation(f"r{i}", rng.choice(NAMES), args))
    targets = [*agents, *(q.id for q in quotes), *(c.id for c in claims), *(e.id for e in events)]
    attributes = tuple(
        Attribute(f"a{i}", rng.choice(targets), rng.choice(NAMES), _value(rng), _free_text(rng))
        for i in range(rng.randint(0, 3))
    )
    provenance = (
        Provenance((random_text(rng, 2),), "corpuskit", "0.1.0", _free_text(rng))
        if rng.random() < 0.5
        else None
    )
    meta = Metadata(
        title=random_text(rng, rng.randint(1, 8)),
        language=rng.choice(LANGUAGES),
        source=_free_text(rng),
        url=rng.choice([None, "https://example.org/a?b=1&c=<2>"]),
        published=rng.choice([None, "2024-02-29", "1999-12-31"]),
        license=rng.choice([None, "CC-BY-4.0"]),
        provenance=provenance,
    )
    return Document(
        id=rng.choice(["d", "doc-1", "a.b_c", "x" * 60]),
        meta=meta,
        text=text,
        text_sha256=text_sha256(text),
        mentions=mentions,
        entities=entities,
        quotes=quotes,
        claims=claims,
        events=tuple(events),
        relations=tuple(relations),
        attributes=attributes,
    )


# --------------------------------------------------------------------------- seed files


@cache
def positive_seeds() -> tuple[tuple[str, bytes], ...]:
    """(name, bytes) of the valid example documents."""
    return tuple((p.name, p.read_bytes()) for p in sorted(POSITIVE.glob("*.*")))


@cache
def brat_seeds() -> list[dict[str, bytes]]:
    """The brat fixtures: {".txt", ".ann", "annotation.conf", "tools.conf"} -> bytes."""
    conf = (INTEROP / "brat" / "annotation.conf").read_bytes()
    tools = (INTEROP / "brat" / "tools.conf").read_bytes()
    return [
        {
            ".txt": ann.with_suffix(".txt").read_bytes(),
            ".ann": ann.read_bytes(),
            "annotation.conf": conf,
            "tools.conf": tools,
        }
        for ann in sorted((INTEROP / "brat").rglob("*.ann"))
    ]


@cache
def bioc_seeds(suffix: str) -> list[bytes]:
    """The BioC fixtures with ``suffix`` (.xml or .json)."""
    return [p.read_bytes() for p in sorted((INTEROP / "bioc").glob(f"*{suffix}"))]


@cache
def webanno_seeds() -> list[tuple[bytes, bytes]]:
    """The Web Annotation fixtures: (.jsonld, .txt beside it)."""
    return [
        (p.read_bytes(), p.with_suffix(".txt").read_bytes())
        for p in sorted((INTEROP / "webanno").glob("*.jsonld"))
    ]


# --------------------------------------------------------------------------- byte mutations

TOKENS = [
    *(t.encode() for t in '{}[],:"\\<>&'),
    b"\\u",
    b"\\ud800",
    b"\xff",
    b"\xed\xa0\x80",  # a surrogate encoded as UTF-8 (CESU-8)
    b"\xc0\x80",
    b"NaN",
    b"Infinity",
    b"1e999",
    b"-0",
    b"99999999999999999999",
    b"9" * 5000,
    b"\x00",
    b"\x07",
    b"\r\n",
    b"\r",
    b"&amp;",
    b"&#0;",
    b"&#xD800;",
    b"&#xFFFE;",
    b"&undefined;",
    b"<!DOCTYPE x>",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE x SYSTEM "file:///etc/hostname">',
    b"<![CDATA[x]]>",
    b"<!--c-->",
    b"<?pi x?>",
    b"]]>",
    b"\xef\xbb\xbf",
    "é".encode(),
    "e\u0301".encode(),
    "👩\u200d💻".encode(),
    "\u2028".encode(),
    b"null",
    b"true",
    b"\t",
]


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
HUGE_NUMBERS: list[Any] = [
    2**31,
    2**53,
    2**53 + 1,
    -(2**63),
    2**64,
    10**30,
    10**400,
    1e308,
    -0.0,
    5e-324,
    0.1,
    1.0,
    -1,
]
ODD_STRINGS = [
    "",
    " ",
    "x",
    "\x00",
    "\x07\x1b",
    "\ud800",
    "\udfff",
    "a\ud83dz",
    "\ufffe",
    "\u202e",
    "e\u0301",
    "\r\n",
    "m1",
    "e1",
    "ev1",
    "codepoint",
    "utf16",
    "utf8",
    "1.0",
    "007",
    "٣",
]


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
        return rng.choice([str(value), float(value), value + 0.5, [value], value * 10**20, -value])
    if isinstance(value, float):
        return rng.choice([int(value) if value == value and abs(value) < 1e300 else 0, str(value)])
    if isinstance(value, str):
        return rng.choice(
            [
                [value],
                {"value": value},
                int(value) if value.isdecimal() else len(value),
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
NUMBER_SPELLINGS = [
    "0004",
    "+4",
    " 4 ",
    "4\n",
    "٤",
    "４",
    "4_0",
    "1e2",
    "4.0",
    "-0",
    "-1",
    "0x4",
    "",
    "NaN",
    "inf",
    "&#52;",
    "&#x661;",
    "9" * 25,
    "9" * 5000,
    "1" + "0" * 4300,
    str(2**53),
]
_NUMBER_ATTR = re.compile(rb'\b(start|end|offset|length|value)="([^"]*)"')
_NUMBER_TEXT = re.compile(rb">(-?[0-9]+)<")
_ATTR = re.compile(rb'\s[A-Za-z_:][\w:.-]*="[^"]*"')
_TAG = re.compile(rb"<([A-Za-z_][\w:.-]*)")
_ELEMENT_TEXT = re.compile(rb">([^<>]+)<")


def mutate_xml(data: bytes, rng: random.Random) -> bytes:
    """An XML-aware mutation: odd number spellings, lines duplicated or dropped, tags renamed,
    attributes dropped or duplicated, deep nesting, character references, long text."""
    choice = rng.randrange(9)
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
            numbers = list(re.finditer(r"\d+", lines[i]))
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


ANN_LINES = [
    "T99\tProtein 0 1\tI",
    "T1\tProtein 0 5\tdup",
    "T50\tProtein 5 2\tbackwards",
    "T51\tProtein 0 0\t",
    "T52\tProtein 0 3;1 2\tx",
    "T53\tProtein 0 99999999\tx",
    "T54\tProtein -1 3\tx",
    "T55\tWeird type! 0 3\tx",
    "E50\tBinding:T6 Theme:E50",
    "E51\tBinding:E1 Theme:T1",
    "E52\tBinding:T99 Theme:T1 Theme:T1",
    "E53\tPositive_regulation:T2",
    "R50\tPart-of Arg1:T3 Arg2:T3",
    "R51\tPart-of Arg1:R50 Arg2:E1",
    "R52\tPart-of Arg1:T3",
    "A50\tNegation E99",
    "A51\tConfidence E1 Unknown",
    "M50\tSpeculation T1",
    "N50\tReference T1 UniProt:",
    "N51\tReference T99 :P1\tname",
    "#50\tAnnotatorNotes X9\tnote",
    "#51\tAnnotatorNotes T1",
    "*\tEquiv T1",
    "*\tEquiv T1 T1 E1",
    "*\tPart-of T1 T2",
    "\t",
    "",
    "X1\twhat",
    "T\tProtein 0 1\tI",
    "T1 Protein 0 1 I",
]
CONF_LINES = [
    "[entities]",
    "[events]",
    "[relations]",
    "[attributes]",
    "[unknown]",
    "!Abstract",
    "\tIndented",
    "<A>=<B>",
    "<B>=<A>",
    "<ENTITY>=Protein",
    "Protein",
    "Protein|Gene",
    "Rel\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive",
    "Rel\tArg1:<A>, Arg2:<ANY>",
    "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
    "Ev\tTheme{5-2}:Protein",
    "Ev\tTheme{99999999999}:Protein, Site?:Protein",
    "Ev\tTheme{٣}:Protein",
    "Ev\tTheme+:<EVENT>, Cause*:<ANY>",
    "Ev\t:Protein",
    "Attr\tArg:<EVENT>, Value:A|B|A",
    "Attr\tArg:Nothing, Value:",
    "Attr\tArg:<EVENT>",
    "----------",
    "# comment",
    "Ünïcode\tArg1:Protein",
    "a b c\td e f",
]
TOOLS_LINES = [
    "[normalization]",
    "KB\t<URL>:https://kb.example/%s",
    "KB\t<URL>:https://kb.example/{id}, <URLBASE>:https://kb.example/",
    "Bad name!\t<URL>:x",
    "KB",
    "\tKB\t<URL>",
]


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


# --------------------------------------------------------------------------- fixable damage


def _shift(span: list[Any], delta: int) -> None:
    for fragment in span:
        if isinstance(fragment, dict):
            for key in ("start", "end"):
                if isinstance(fragment.get(key), int):
                    fragment[key] += delta


def damage_fixably(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Damage a valid document record the way ``corpuskit fix`` promises to repair: text
    inserted without moving spans, offsets shifted or in another unit, covered text or hash
    stale, text decomposed (NFD), a fragment's text missing or padded with whitespace."""
    text = record.get("text")
    spans = [
        a[field]
        for kind in ("mentions", "quotes", "claims", "events")
        for a in record.get(kind) or []
        if isinstance(a, dict)
        for field in ("span", "cue", "trigger")
        if isinstance(a.get(field), list)
    ]
    if not isinstance(text, str) or not spans:
        return record
    op = rng.randrange(7)
    if op == 0:
        at = rng.randint(0, len(text))
        record["text"] = text[:at] + rng.choice(["x", " ", "\n", "é", "🚀"]) + text[at:]
        if rng.random() < 0.5:
            record["text_sha256"] = text_sha256(record["text"])
    elif op == 1:
        delta = rng.choice([-2, -1, 1, 2, 5])
        for span in rng.sample(spans, rng.randint(1, len(spans))):
            _shift(span, delta)
    elif op == 2:
        utf16 = rng.random() < 0.5
        positions = [0]
        for ch in text:
            width = (
                (2 if ord(ch) > 0xFFFF else 1)
                if utf16
                else len(ch.encode("utf-8", "surrogatepass"))
            )
            positions.append(positions[-1] + width)
        for span in spans:
            for f in span:
                if (
                    isinstance(f, dict)
                    and isinstance(f.get("start"), int)
                    and isinstance(f.get("end"), int)
                    and 0 <= f["start"] <= f["end"] <= len(text)
                ):
                    f["start"], f["end"] = positions[f["start"]], positions[f["end"]]
    elif op == 3:
        record["text_sha256"] = "0" * 64
    elif op == 4:
        record["text"] = unicodedata.normalize("NFD", text)
        record["text_sha256"] = text_sha256(record["text"])
    elif op == 5:
        fragment = rng.choice(rng.choice(spans))
        if isinstance(fragment, dict):
            if rng.random() < 0.5:
                fragment.pop("text", None)
            else:
                fragment["text"] = "stale"
    else:
        fragment = rng.choice(rng.choice(spans))
        if isinstance(fragment, dict) and isinstance(fragment.get("start"), int):
            fragment["start"] = max(0, fragment["start"] - 1)
            fragment["text"] = text[fragment["start"] : fragment.get("end", 0)]
    return record


def reorder_record(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The same record with its keys in another order (a non-canonical layout)."""
    items = list(record.items())
    rng.shuffle(items)
    return dict(items)
