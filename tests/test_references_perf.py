"""Reference checks on the cases their fast paths skip or narrow (R001-R004, R101, R102).

The check first proves, with set operations, that most documents have nothing to report and
walks only what might; these documents sit on the edges of those proofs: ids shared across
kinds, spans sharing a first fragment, graphs with chains and cycles, mentions without
fragments (only a program can build those), references to annotations left out of the model.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from corpuskit.diagnostics import Finding
from corpuskit.formats import typed
from corpuskit.model import (
    Argument,
    Attribute,
    Claim,
    Document,
    Entity,
    Event,
    Fragment,
    Mention,
    Metadata,
    Quote,
    Relation,
    text_sha256,
)
from corpuskit.rules import references
from corpuskit.rules import scheme as scheme_rules
from corpuskit.rules.references import check
from strategies import documents

TEXT = "Iran sent missiles to Russia, officials said."


def frag(start: int, end: int) -> Fragment:
    """The fragment of TEXT from ``start`` to ``end``."""
    return Fragment(start, end, TEXT[start:end])


def mention(ident: str, start: int, end: int, kind: str = "GPE") -> Mention:
    """A one-fragment mention."""
    return Mention(ident, kind, (frag(start, end),))


def doc(**annotations: Any) -> Document:
    """A document over TEXT with ``annotations`` (mentions=..., events=...)."""
    fields: dict[str, Any] = {kind: tuple(items) for kind, items in annotations.items()}
    meta = Metadata(title="t", language="en")
    return Document(id="d", meta=meta, text=TEXT, text_sha256=text_sha256(TEXT), **fields)


def found(document: Document, also_known: dict[str, str] | None = None) -> list[tuple[str, ...]]:
    """(code, pointer, message) of every finding, in order (the same from the lists the typed
    decode makes, whenever its walk takes the document)."""
    out: list[Finding] = list(check(document, also_known))
    walked = typed._walk(document)
    if walked is not None:
        assert list(check(document, also_known, walked[5])) == out
    return [(f.rule.code, f.pointer or "", f.message) for f in out]


MENTIONS = (mention("m1", 0, 4), mention("m2", 10, 18, "WEAPON"), mention("m3", 22, 28))


def event(ident: str, *refs: str) -> Event:
    """An event triggered by "sent" with one argument per ref."""
    return Event(
        ident, "transfer", (frag(5, 9),), tuple(Argument(f"r{i}", r) for i, r in enumerate(refs))
    )


def test_a_clean_document_has_nothing_to_report() -> None:
    """Every reference resolves to an allowed kind; a chain of events is no cycle."""
    d = doc(
        mentions=MENTIONS,
        entities=[Entity("e1", "GPE", ("m1",)), Entity("e2", "GPE", ("m3",))],
        quotes=[
            Quote("q1", (frag(30, 39),), "indirect"),
            Quote("q2", (frag(30, 39),), "direct", "e1"),
        ],
        claims=[Claim("c1", (frag(30, 39),), source="m1", channel=None)],
        events=[event("ev1", "m1", "ev2"), event("ev2", "ev3", "e2"), event("ev3", "m2")],
        relations=[
            Relation("r1", "rel", (Argument("a", "ev1"), Argument("b", "r2"))),
            Relation("r2", "rel", (Argument("a", "e1"),)),
        ],
        attributes=[Attribute("a1", "ev1", "negated", False), Attribute("a2", "r1", "x", 1)],
    )
    assert found(d) == []


def test_an_id_shared_across_kinds_takes_the_first_kind() -> None:
    """ "x" is a mention first: R001 at the event, and an argument naming "x" is no edge."""
    d = doc(
        mentions=[mention("x", 0, 4)],
        events=[event("ev1", "x"), event("x", "ev1")],
    )
    assert found(d) == [
        ("R001", "/events/1/id", 'id "x" is already used by a mention'),
    ]


def test_a_cycle_through_events_with_a_duplicate_id() -> None:
    """Duplicate ids: every reference is walked, and the cycle found through the first id."""
    d = doc(
        mentions=MENTIONS,
        events=[event("ev1", "ev2"), event("ev2", "ev1"), event("ev2", "m1")],
    )
    assert found(d) == [
        ("R001", "/events/2/id", 'id "ev2" is already used by an event'),
        ("R004", "/events/0", "reference cycle: ev1 -> ev2 -> ev1"),
    ]


def test_a_cycle_reached_from_a_tail_is_reported_once_at_its_first_member() -> None:
    """ev1 points into the cycle ev3 -> r1 -> ev2 -> ev3; the tail is not part of it."""
    d = doc(
        mentions=MENTIONS,
        events=[event("ev1", "ev3"), event("ev2", "ev3"), event("ev3", "m1")],
        relations=[
            Relation("r0", "rel", (Argument("a", "r1"),)),
            Relation("r1", "rel", (Argument("a", "ev2"),)),
            Relation("r2", "rel", (Argument("a", "r2"),)),
        ],
        attributes=[Attribute("a1", "ev3", "x", True)],
    )
    assert found(d) == [("R004", "/relations/2", "reference cycle: r2 -> r2")]
    # Closing ev3 -> r1 (an event may not name a relation: R003, and still no edge).
    closed = doc(
        mentions=MENTIONS,
        events=[event("ev1", "ev3"), event("ev2", "ev3"), event("ev3", "r1")],
        relations=[Relation("r1", "rel", (Argument("a", "ev2"),))],
    )
    assert [code for code, _, _ in found(closed)] == ["R003"]
    looped = doc(
        mentions=MENTIONS,
        events=[event("ev1", "ev3"), event("ev2", "ev3"), event("ev3", "ev2")],
    )
    assert found(looped) == [("R004", "/events/1", "reference cycle: ev2 -> ev3 -> ev2")]


def test_wrong_and_dangling_references_of_every_kind_in_order() -> None:
    d = doc(
        mentions=MENTIONS,
        entities=[Entity("e1", "GPE", ("m1", "e1", "m9"))],
        quotes=[Quote("q1", (frag(30, 39),), "direct", "ev1")],
        claims=[Claim("c1", (frag(30, 39),), source=None, channel="q1")],
        events=[event("ev1", "r1", "gone")],
        relations=[Relation("r1", "rel", (Argument("a", "a1"),))],
        attributes=[Attribute("a1", "a1", "x", 1), Attribute("a2", "skipped", "x", 1)],
    )
    assert [(code, pointer) for code, pointer, _ in found(d, {"skipped": "mentions"})] == [
        ("R003", "/entities/0/mentions/1"),
        ("R002", "/entities/0/mentions/2"),
        ("R003", "/quotes/0/speaker"),
        ("R003", "/claims/0/channel"),
        ("R003", "/events/0/args/0/ref"),
        ("R002", "/events/0/args/1/ref"),
        ("R003", "/relations/0/args/0/ref"),
        ("R003", "/attributes/0/target"),
    ]


def test_a_mention_in_two_entities_but_not_twice_in_one() -> None:
    d = doc(
        mentions=MENTIONS,
        entities=[
            Entity("e1", "GPE", ("m1", "m1")),
            Entity("e2", "GPE", ("m3", "m1")),
            Entity("e1", "GPE", ("m1",)),
        ],
    )
    assert [(code, pointer) for code, pointer, _ in found(d)] == [
        ("R001", "/entities/2/id"),
        ("R101", "/entities/1/mentions/1"),
    ]


def test_duplicate_mentions_compare_every_fragment_and_the_type() -> None:
    """Mentions sharing a first fragment repeat each other only with the same fragments
    and the same type."""
    two = (frag(0, 4), frag(22, 28))
    d = doc(
        mentions=[
            mention("m1", 0, 4),
            Mention("m2", "GPE", two),
            mention("m3", 0, 4, "ORG"),
            Mention("m4", "GPE", (frag(0, 4), frag(10, 18))),
            Mention("m5", "GPE", two),
            mention("m6", 0, 4),
            mention("m7", 10, 18, "WEAPON"),
            mention("m7", 0, 4, "ORG"),
        ]
    )
    assert [(code, pointer) for code, pointer, _ in found(d)] == [
        ("R001", "/mentions/7/id"),
        ("R102", "/mentions/4"),
        ("R102", "/mentions/5"),
        ("R102", "/mentions/7"),
    ]
    assert (
        found(d)[1][2]
        == 'mention "m5" repeats mention "m2": same type GPE and span "Iran … Russia"'
    )


def test_mentions_without_fragments_are_compared_too() -> None:
    """A program may build a mention with no fragments; two such of one type repeat."""
    d = doc(mentions=[mention("m1", 0, 4), Mention("m2", "GPE", ()), Mention("m3", "GPE", ())])
    (finding,) = check(d)
    assert (finding.rule.code, finding.pointer, finding.text_range) == ("R102", "/mentions/2", None)


def test_did_you_mean_hints_stop_at_a_budget_and_every_dangling_reference_is_still_reported() -> (
    None
):
    # Fuzzer, seed 43, brat case 16036: each hint compares the reference with every id, so
    # many ids and many dangling references cost their product. The hints stop; no finding does.
    from corpuskit.rules import references

    mentions = tuple(mention(f"m{i}", 0, 4) for i in range(1000))
    entities = tuple(Entity(f"e{i}", "GPE", (f"m{i}x",)) for i in range(200))
    doc = Document(
        id="d",
        meta=Metadata("t", "en"),
        text=TEXT,
        text_sha256=text_sha256(TEXT),
        mentions=mentions,
        entities=entities,
    )
    dangling = [f for f in check(doc) if f.rule.code == "R002"]
    assert len(dangling) == 200
    hinted = [f for f in dangling if f.hint and f.hint.startswith("did you mean")]
    ids = len(mentions) + len(entities)
    assert hinted and len(hinted) == references.SUGGESTION_BUDGET // ids
    assert all(f.hint == "add the annotation or fix the id" for f in dangling[len(hinted) :])


# --------------------------------------------------------------------------- cycles at scale


def _old_may_cycle(graph: dict[str, list[str]]) -> bool:
    """The peeling as it was first written (a round rescans every node left): the reference."""
    live = set(graph)
    while live:
        keep = {node for node in live if not live.isdisjoint(graph[node])}
        if len(keep) == len(live):
            return True
        live = keep
    return False


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from("abcdefgh"),
        st.lists(st.sampled_from("abcdefghxy"), max_size=4),
        max_size=8,
    )
)
def test_peeling_in_linear_time_answers_as_the_rounds_did(graph: dict[str, list[str]]) -> None:
    assert references._may_cycle(graph) == _old_may_cycle(graph)


def _chain(n: int, back_to_first: bool = False) -> Document:
    """Relations r1 -> r2 -> ... -> rn; with ``back_to_first`` every one also names r1."""
    relations = []
    for i in range(1, n + 1):
        args = [Argument("party", "m1")]
        if i < n:
            args.append(Argument("party", f"r{i + 1}"))
        if back_to_first:
            args.append(Argument("party", "r1"))
        relations.append(Relation(f"r{i}", "alliance", tuple(args)))
    return doc(mentions=MENTIONS, relations=relations)


def test_a_long_chain_of_relations_has_no_cycle() -> None:
    """20,000 relations in a chain (the peeling once took 47 s on it): nothing to report."""
    assert found(_chain(20_000)) == []


def test_thousands_of_cycles_are_reported_up_to_a_limit_and_long_ones_shortened() -> None:
    """Every relation of a 2,000-long chain also names r1: 2,000 cycles through r1, the longest
    2,000 long. The first MAX_CYCLES are reported, each naming at most MAX_CYCLE_NAMES members
    besides the first, then one finding counts the rest."""
    got = found(_chain(2_000, back_to_first=True))
    assert len(got) == references.MAX_CYCLES + 1
    assert {code for code, _, _ in got} == {"R004"}
    longest = got[0][2]
    assert longest.startswith("reference cycle: r1 -> r2 -> ") and longest.endswith(" -> r1")
    assert "… 1,980 more -> r1991 ->" in longest
    assert len(longest.split(" -> ")) == references.MAX_CYCLE_NAMES + 2
    assert got[-1][2] == (
        f"{2_000 - references.MAX_CYCLES:,} more ways round reference cycles are not listed "
        f"(the first {references.MAX_CYCLES} cycles are)"
    )
    # A short cycle's message is whole, as always.
    assert [message for _, _, message in found(_chain(3, back_to_first=True))] == [
        "reference cycle: r1 -> r2 -> r3 -> r1",
        "reference cycle: r1 -> r2 -> r1",
        "reference cycle: r1 -> r1",
    ]


@settings(max_examples=300, deadline=None)
@given(documents())
def test_the_typed_decodes_lists_give_the_same_sets_and_tables(document: Document) -> None:
    # Generated documents (ids repeated across kinds, dangling references, cycles now and
    # then): the reference findings and the id -> type table from the walk's lists are those
    # made from the annotations.
    walked = typed._walk(document)
    if walked is None:
        return
    parts = walked[5]
    assert list(check(document, None, parts)) == list(check(document))
    table = scheme_rules._type_of_parts(parts)
    assert list(table.items()) == list(scheme_rules._type_of(document).items())


def test_the_id_table_from_the_lists_keeps_the_first_of_ids_shared_across_kinds() -> None:
    shared = doc(
        mentions=(mention("x", 0, 4), mention("m2", 10, 18), mention("x", 22, 28, "PER")),
        entities=(Entity("y", "GPE", ("x",)), Entity("x", "ORG", ("m2",))),
        quotes=(Quote("y", "direct", (frag(30, 39),), speaker="x"),),
        claims=(Claim("z", (frag(30, 39),), source="y"),),
        events=(event("z", "x"), event("w", "z")),
        relations=(Relation("w", "alliance", (Argument("a", "x"),)), Relation("v", "r", ())),
        attributes=(Attribute("v", "x", "n", "1"), Attribute("x", "w", "n", 2)),
    )
    parts = typed._walk(shared)
    assert parts is not None
    table = scheme_rules._type_of_parts(parts[5])
    assert list(table.items()) == list(scheme_rules._type_of(shared).items())
    assert table["x"] == ("mentions", "GPE") and table["y"] == ("entities", "GPE")
    assert table["z"] == ("claims", "") and table["w"] == ("events", "transfer")
    assert table["v"] == ("relations", "r")
    assert found(shared)  # (and the reference findings agree: see found)
