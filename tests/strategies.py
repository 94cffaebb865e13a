"""Hypothesis strategies for corpuskit documents (shared by the property tests)."""

from __future__ import annotations

import itertools

from hypothesis import strategies as st

from corpuskit.model import (
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
    Relation,
    text_sha256,
)

# Characters XML 1.0 can carry, with the ones that stress escaping and offsets drawn often.
TRICKY = [
    *"\r\n\t&<>\"'];",
    "\r\n",
    "👩\u200d💻",
    "🇺🇦",
    "é",
    "e\u0301",
    "\U0001f680",
    "\u2028",
    "]]>",
]
chars = st.characters(
    min_codepoint=0x20, max_codepoint=0x10FFFF, exclude_categories=("Cs",)
).filter(lambda c: c not in "\ufffe\uffff")
texts = st.lists(st.one_of(chars, st.sampled_from(TRICKY)), min_size=1, max_size=60).map("".join)
free_text = st.one_of(
    st.none(), st.lists(st.one_of(chars, st.sampled_from(TRICKY)), max_size=12).map("".join)
)
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.:-]{0,8}", fullmatch=True)
values = st.one_of(
    free_text.filter(lambda v: v is not None),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)


def provenances(
    texts: st.SearchStrategy[str], free: st.SearchStrategy[str | None]
) -> st.SearchStrategy[Provenance | None]:
    """No provenance, or one with annotators, a tool and a note drawn from the given text."""
    return st.one_of(
        st.none(),
        st.builds(
            Provenance,
            st.lists(texts, max_size=2).map(tuple),
            st.one_of(st.none(), texts),
            st.just(None),
            free,
        ),
    )


@st.composite
def spans(draw: st.DrawFn, text: str) -> tuple[Fragment, ...]:
    """One or more sorted, non-overlapping, non-empty fragments of text."""
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=6))))
    pairs = [(a, b) for a, b in itertools.pairwise(cuts) if b > a]
    if not pairs:
        pairs = [(0, len(text))]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=3, unique=True))
    return tuple(Fragment(a, b, text[a:b]) for a, b in sorted(chosen))


@st.composite
def documents(draw: st.DrawFn) -> Document:
    """Valid-by-construction documents with every annotation kind."""
    text = draw(texts)
    n = draw(st.integers(1, 5))
    mentions = tuple(
        Mention(f"m{i}", draw(names), draw(spans(text)), draw(free_text)) for i in range(n)
    )
    m_ids = [m.id for m in mentions]
    entities = (
        Entity(
            "e0",
            draw(names),
            tuple(draw(st.lists(st.sampled_from(m_ids), min_size=1, max_size=3, unique=True))),
            draw(st.one_of(st.none(), texts)),
            tuple(
                KBLink(draw(names), f"Q{draw(st.integers(1, 10**6))}")
                for _ in range(draw(st.integers(0, 2)))
            ),
        ),
    )
    agents = [*m_ids, "e0"]
    quotes = tuple(
        Quote(
            f"q{i}",
            draw(spans(text)),
            draw(st.sampled_from(["direct", "indirect"])),
            draw(st.one_of(st.none(), st.sampled_from(agents))),
            draw(st.one_of(st.just(()), spans(text))),
            draw(free_text),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    claims = tuple(
        Claim(
            f"c{i}",
            draw(spans(text)),
            draw(st.one_of(st.none(), st.sampled_from(agents))),
            draw(st.one_of(st.none(), st.sampled_from(agents))),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    events = tuple(
        Event(
            f"ev{i}",
            draw(names),
            draw(spans(text)),
            tuple(
                Argument(draw(names), draw(st.sampled_from(agents)))
                for _ in range(draw(st.integers(0, 3)))
            ),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    relations = tuple(
        Relation(
            f"r{i}",
            draw(names),
            tuple(
                Argument(draw(names), draw(st.sampled_from(agents)))
                for _ in range(draw(st.integers(1, 3)))
            ),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    targets = [*m_ids, "e0", *(q.id for q in quotes), *(e.id for e in events)]
    attributes = tuple(
        Attribute(
            f"a{i}", draw(st.sampled_from(targets)), draw(names), draw(values), draw(free_text)
        )
        for i in range(draw(st.integers(0, 3)))
    )
    meta = Metadata(
        title=draw(texts),
        language=draw(st.sampled_from(["en", "de-CH", "uk", "zh-Hant-TW"])),
        source=draw(st.one_of(st.none(), texts)),
        url=draw(st.one_of(st.none(), st.just("https://example.org/a?b=1&c=<2>"))),
        published=draw(
            st.one_of(
                st.none(), st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10)
            )
        ),
        license=draw(st.one_of(st.none(), st.just("CC-BY-4.0"))),
        provenance=draw(provenances(texts, free_text)),
    )
    return Document(
        id=draw(names.filter(lambda s: ":" not in s)),
        meta=meta,
        text=text,
        text_sha256=text_sha256(text),
        mentions=mentions,
        entities=entities,
        quotes=quotes,
        claims=claims,
        events=events,
        relations=relations,
        attributes=attributes,
    )


@st.composite
def interchange_documents(
    draw: st.DrawFn,
    texts: st.SearchStrategy[str],
    names: st.SearchStrategy[str],
    values: st.SearchStrategy[str | int | float | bool],
    free: st.SearchStrategy[str | None],
    languages: tuple[str, ...] = ("en", "de-CH", "zh-Hant-TW"),
    derived_attribute_ids: bool = False,
) -> Document:
    """Valid-by-construction documents with every annotation kind and full metadata, for the
    interchange formats' round trips (each test passes its own alphabets). With
    ``derived_attribute_ids``, attributes carry distinct (target, name) pairs and may be
    named after them (``m0.negated``), as BioC infons become attributes."""
    text = draw(texts)
    mentions = tuple(
        Mention(f"m{i}", draw(names), draw(spans(text)), draw(free))
        for i in range(draw(st.integers(1, 4)))
    )
    m_ids = [m.id for m in mentions]
    entities = tuple(
        Entity(
            f"e{i}",
            draw(names),
            tuple(draw(st.lists(st.sampled_from(m_ids), min_size=1, max_size=3, unique=True))),
            draw(st.one_of(st.none(), texts)),
            tuple(
                KBLink(draw(names), f"Q{draw(st.integers(1, 999))}")
                for _ in range(draw(st.integers(0, 2)))
            ),
            draw(free),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    agents = [*m_ids, *(e.id for e in entities)]
    maybe = st.one_of(st.none(), st.sampled_from(agents))
    quotes = tuple(
        Quote(
            f"q{i}",
            draw(spans(text)),
            draw(st.sampled_from(["direct", "indirect"])),
            draw(maybe),
            draw(st.one_of(st.just(()), spans(text))),
            draw(free),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    claims = tuple(
        Claim(
            f"c{i}",
            draw(spans(text)),
            draw(maybe),
            draw(maybe),
            draw(free),
            draw(st.one_of(st.just(()), spans(text))),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    events: list[Event] = []
    for i in range(draw(st.integers(0, 2))):
        refs = [*agents, *(e.id for e in events)]
        args = tuple(
            Argument(draw(names), draw(st.sampled_from(refs)))
            for _ in range(draw(st.integers(0, 3)))
        )
        events.append(Event(f"ev{i}", draw(names), draw(spans(text)), args, draw(free)))
    nodes = [*agents, *(e.id for e in events)]
    relations = tuple(
        Relation(
            f"r{i}",
            draw(names),
            tuple(
                Argument(draw(names), draw(st.sampled_from(nodes)))
                for _ in range(draw(st.integers(1, 3)))
            ),
            draw(free),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    targets = [*nodes, *(q.id for q in quotes), *(c.id for c in claims), *(r.id for r in relations)]
    if derived_attribute_ids:
        pairs = draw(st.lists(st.tuples(st.sampled_from(targets), names), max_size=4, unique=True))
        attributes = tuple(
            Attribute(
                draw(st.sampled_from([f"a{i}", f"{target}.{name.replace(':', '_')}"])),
                target,
                name,
                draw(values),
                draw(free),
            )
            for i, (target, name) in enumerate(pairs)
        )
        if len({a.id for a in attributes}) < len(attributes):
            attributes = tuple(
                Attribute(f"a{i}", a.target, a.name, a.value, a.note)
                for i, a in enumerate(attributes)
            )
    else:
        attributes = tuple(
            Attribute(
                f"a{i}", draw(st.sampled_from(targets)), draw(names), draw(values), draw(free)
            )
            for i in range(draw(st.integers(0, 3)))
        )
    meta = Metadata(
        title=draw(texts),
        language=draw(st.sampled_from(languages)),
        source=draw(st.one_of(st.none(), texts)),
        url=draw(st.one_of(st.none(), st.just("https://example.org/a?b=1&c=<2>"))),
        published=draw(st.one_of(st.none(), st.just("2024-09-06"))),
        license=draw(st.one_of(st.none(), st.just("CC-BY-4.0"))),
        provenance=draw(provenances(texts, free)),
    )
    return Document(
        id=draw(st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,8}", fullmatch=True)),
        meta=meta,
        text=text,
        text_sha256=text_sha256(text),
        mentions=mentions,
        entities=entities,
        quotes=quotes,
        claims=claims,
        events=tuple(events),
        relations=relations,
        attributes=attributes,
    )
