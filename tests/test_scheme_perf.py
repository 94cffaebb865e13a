"""The scheme checks' fast paths: tables kept on a scheme never change a finding.

The checks clear clean annotations with per-scheme tables (role sets, remembered verdicts)
that fill as documents are checked, and send anything else to the exact path. A scheme that
has seen many documents must say about each what a fresh copy says, and the overlap sweep
must agree with the plain definition of an overlap, broken fragments included.
"""

from __future__ import annotations

import math
import pickle
import random
from pathlib import Path
from typing import Any

import msgspec
import pytest
from msgspec.structs import replace

from corpuskit.formats import typed
from corpuskit.model import ANNOTATION_KINDS, Argument, Document, Fragment, Mention, Metadata
from corpuskit.rules import scheme as rules
from corpuskit.scheme import Scheme, load_scheme

SEED = Path(__file__).resolve().parent / "fixtures" / "seed"


def _findings(doc: Document, scheme: Scheme) -> list[tuple[Any, ...]]:
    return [
        (f.rule.code, f.message, f.pointer, f.annotation_id, f.hint, f.text_range)
        for f in rules.check(doc, scheme)
    ]


def _mutant(doc: Document, scheme: Scheme, rng: random.Random) -> Document:
    """The seed with a few labels, references, roles, values and ids changed at random."""
    ids = [a.id for _, _, a in doc.annotations()] + ["nowhere"]
    names = [*scheme.types, *scheme.events, *scheme.relations, "nope", "EVENT", "*"]
    roles = sorted(
        {r for f in (*scheme.events.values(), *scheme.relations.values()) for r in f.roles}
    )
    values: list[Any] = [True, False, 1, 1.0, 0, "actual", "future", "maybe", math.nan]
    changed: dict[str, list[Any]] = {kind: list(getattr(doc, kind)) for kind in ANNOTATION_KINDS}
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(list(changed))
        items = changed[kind]
        if not items:
            continue
        k = rng.randrange(len(items))
        a = items[k]
        what = rng.randrange(6)
        if what == 0:
            items[k] = msgspec.structs.replace(a, id=rng.choice(ids))  # a duplicate id
        elif kind in ("mentions", "entities", "events", "relations") and what == 1:
            items[k] = msgspec.structs.replace(a, type=rng.choice(names))
        elif kind in ("events", "relations") and a.args:
            args = list(a.args)
            j = rng.randrange(len(args))
            if what == 2:
                args[j] = Argument(rng.choice([*roles, "nope"]), args[j].ref)
            elif what == 3:
                args[j] = Argument(args[j].role, rng.choice(ids))
            elif what == 4:
                args.append(args[j])  # a role repeated
            else:
                del args[j]
            items[k] = msgspec.structs.replace(a, args=tuple(args))
        elif kind == "entities":
            members = [*a.mentions, rng.choice(ids)] if what < 4 else list(a.mentions[1:]) or ["m1"]
            items[k] = msgspec.structs.replace(a, mentions=tuple(members))
        elif kind == "attributes":
            field = rng.choice(["name", "target", "value"])
            pick = {
                "name": [*scheme.attributes, "nope"],
                "target": ids,
                "value": values,
            }[field]
            items[k] = msgspec.structs.replace(a, **{field: rng.choice(pick)})
        elif kind == "quotes":
            items[k] = msgspec.structs.replace(a, speaker=rng.choice([*ids, None]))
        elif kind == "claims":
            field = rng.choice(["source", "channel"])
            items[k] = msgspec.structs.replace(a, **{field: rng.choice([*ids, None])})
    return msgspec.structs.replace(doc, **{k: tuple(v) for k, v in changed.items()})


def test_a_scheme_that_has_seen_documents_says_what_a_fresh_one_says() -> None:
    seed = typed.decode((SEED / "iran-russia-missiles.json").read_bytes())
    assert seed is not None
    warm = load_scheme(SEED / "scheme.toml")
    rng = random.Random(20)
    for _ in range(300):
        doc = _mutant(seed, warm, rng)
        assert _findings(doc, warm) == _findings(doc, replace(warm))


def test_tables_are_not_copied_nor_pickled() -> None:
    scheme = load_scheme(SEED / "scheme.toml")
    seed = typed.decode((SEED / "iran-russia-missiles.json").read_bytes())
    assert seed is not None
    before = _findings(seed, scheme)
    assert scheme.derived.checks is not None
    assert replace(scheme).derived.checks is None
    copy = pickle.loads(pickle.dumps(scheme))
    assert copy.derived.checks is None and copy == scheme
    assert _findings(seed, copy) == before


def test_what_a_scheme_remembers_is_no_part_of_its_equality() -> None:
    # The memos live beside the fields (in the instance __dict__): a scheme that has checked
    # documents equals a fresh load of the same file, and copies and pickles start empty.
    used, fresh = load_scheme(SEED / "scheme.toml"), load_scheme(SEED / "scheme.toml")
    seed = typed.decode((SEED / "iran-russia-missiles.json").read_bytes())
    assert seed is not None
    _findings(seed, used)
    assert used.accepted and used.hierarchy.memo.found and used.derived.checks is not None
    assert used == fresh and used.hierarchy == fresh.hierarchy
    assert repr(used) == repr(fresh)
    copy = pickle.loads(pickle.dumps(used))
    assert not copy.accepted and not copy.hierarchy.memo.found
    assert not replace(used).accepted
    assert replace(used, mention_overlap="none") != used
    assert len(pickle.dumps(used)) == len(pickle.dumps(fresh))


def _overlaps_plainly(doc: Document, policy: str) -> bool:
    """Some fragment starts inside another seen before it (in order of start, longest first)
    and, under "nested", ends after it."""
    pieces = sorted((f.start, -f.end) for m in doc.mentions for f in m.span)
    for j, (start, neg_end) in enumerate(pieces):
        for _, other_neg_end in pieces[:j]:
            if start < -other_neg_end and (policy == "none" or -neg_end > -other_neg_end):
                return True
    return False


def test_the_overlap_sweep_is_the_plain_definition_broken_fragments_too() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        found = []
        for i in range(rng.randint(0, 7)):
            frags = []
            for _ in range(rng.randint(1, 3)):
                start = rng.randint(-3, 20)
                end = rng.randint(-3, 22) if rng.random() < 0.2 else start + rng.randint(0, 8)
                frags.append(Fragment(start, end, "x"))
            found.append(Mention(f"m{i}", "T", tuple(frags)))
        doc = Document("d", Metadata("t", "en"), "x" * 30, "", mentions=tuple(found))
        for policy in ("none", "nested"):
            assert rules._may_overlap(doc, policy) == _overlaps_plainly(doc, policy)


def test_the_sweep_over_mentions_as_listed_is_the_plain_definition() -> None:
    # Listed in the sweep's order, the fragments are swept as they are (never None); listed
    # otherwise, an answer before the first fragment out of order is the plain one too.
    rng = random.Random(11)
    answered = 0
    for _ in range(3000):
        pieces = []
        for _ in range(rng.randint(0, 9)):
            start = rng.randint(-3, 20)
            end = rng.randint(-3, 22) if rng.random() < 0.2 else start + rng.randint(0, 8)
            pieces.append(Fragment(start, end, "x"))
        listed = sorted(pieces, key=lambda f: (f.start, -f.end))
        for frags, in_order in ((listed, True), (pieces, False)):
            found = tuple(Mention(f"m{i}", "T", (f,)) for i, f in enumerate(frags))
            doc = Document("d", Metadata("t", "en"), "x" * 30, "", mentions=found)
            for policy in ("none", "nested"):
                swept = rules._may_overlap_as_listed(found, policy != "none")
                assert swept is not None or not in_order
                if swept is not None:
                    answered += not in_order
                    assert swept == _overlaps_plainly(doc, policy)
                assert rules._may_overlap(doc, policy) == _overlaps_plainly(doc, policy)
    assert answered  # some unordered lists are answered before their first misplaced fragment


def test_an_unhashable_attribute_value_is_reported_not_raised() -> None:
    # The value table is a set; a model built by a program may carry a list where a file
    # cannot. It must reach the exact path (C006), as it did before the table existed.
    from corpuskit.model import Attribute

    scheme = load_scheme(SEED / "scheme.toml")
    mention = Mention("m1", "PER", (Fragment(0, 1, "a"),))
    doc = Document(
        id="d",
        meta=Metadata("t", "en"),
        text="a",
        text_sha256="",
        mentions=(mention,),
        attributes=(Attribute("a1", "m1", "realis", ["x"]),),  # type: ignore[arg-type]
    )
    codes = [code for code, *_ in _findings(doc, scheme)]
    assert "C006" in codes


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'"type": "GPE"', b'"type": "GEO"'),  # undeclared, on mentions and entities
        (b'"type": "WEAPON"', b'"type": "AGENT"'),  # a union: declared, not usable
        (b'"type": "DATE"', b'"type": "PER"'),  # usable: the types are clean, C014 may speak
        (b"", b""),
    ],
)
def test_the_type_checks_read_the_typed_decodes_lists_as_the_model(old: bytes, new: bytes) -> None:
    from corpuskit.rules import CHECKS, CheckInput
    from corpuskit.rules.base import PARTS

    scheme = load_scheme(SEED / "scheme.toml")
    data = (SEED / "iran-russia-missiles.json").read_bytes().replace(old, new)
    read = typed.decode_with_strings(data)
    assert read is not None
    doc, _, parts = read
    for check in CHECKS:
        from_lists = list(check.run(CheckInput(doc, scheme, {}, {PARTS: parts})))
        assert from_lists == list(check.run(CheckInput(doc, scheme, {})))
        if check.name == "scheme-types":
            unknown = any(f.rule.code == "C001" for f in from_lists)
            assert unknown == (old in (b'"type": "GPE"', b'"type": "WEAPON"'))
