"""Valid inputs for the fuzzer (benchmarks/fuzz.py): generated documents, seed files, and
damage ``corpuskit fix`` promises to repair.

Documents are generated from a ``random.Random`` (valid by construction, every annotation kind,
text that makes code-point, UTF-16 and UTF-8 offsets differ); seed files come from
tests/examples/positive and the interop fixtures under tests/interop, never from corpus/ (user
data: adding a document there must not change what the fuzzer does).
"""

from __future__ import annotations

import itertools
import random
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
# fmt: off
TRICKY = [
    *"\r\n\t&<>\"'];", "\r\n", "  ", "]]>", "&amp;", "&#13;", "é", "ß", "İ", "ﬁ", "\u00a0",
    "\u2028", "\u200b", "\u202e", "👩\u200d💻", "🇺🇦", "\U0001f680", "𝕏", "\ufeff", "«", "“",
]
# fmt: on
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
def w3c_seeds() -> list[tuple[bytes, bytes]]:
    """The Web Annotation fixtures: (.jsonld, .txt beside it)."""
    return [
        (p.read_bytes(), p.with_suffix(".txt").read_bytes())
        for p in sorted((INTEROP / "w3c").glob("*.jsonld"))
    ]


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
