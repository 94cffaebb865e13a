"""The typed decode (formats/typed.py) and the full path (orjson + JSON Schema + from_dict) agree.

The typed decode may refuse a valid document (it then takes the full path, only slower), but
whatever it accepts the full path must accept too, as the same model: that is what lets the
engine skip the schema for it. Checked on every JSON fixture, on generated documents, and on
structural and byte mutations of them.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from agreement import agree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpuskit.engine import check_bytes
from corpuskit.formats import json_format, typed
from corpuskit.model import Document
from strategies import documents

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from fuzz_mutations import (
    dump_json,
    mutate_bytes,
    mutate_json_bytes,
    mutate_structure,
)

TESTS = Path(__file__).resolve().parent
FIXTURES = sorted(p for p in TESTS.rglob("*.json") if "node_modules" not in p.parts)
VALID = TESTS / "examples" / "positive"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(TESTS)))
def test_every_json_fixture(path: Path) -> None:
    agree(path.read_bytes())


def test_valid_documents_take_the_typed_decode() -> None:
    # Otherwise the fast path would be dead code and the agreement tests vacuous.
    valid = sorted(VALID.glob("*.json"))
    assert valid
    for path in valid:
        assert agree(path.read_bytes()) is not None, path.name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_decode_to_themselves(doc: Document) -> None:
    data = json_format.dumps(doc).encode("utf-8")
    # The canonical writer's output takes the typed decode, unless an integer a double cannot
    # hold sends it the full path (which then reports P008).
    huge = any(type(a.value) is int and abs(a.value) >= 2**53 for a in doc.attributes)
    assert agree(data) == doc or huge


def _seed_records() -> list[dict[str, Any]]:
    return [orjson.loads(p.read_bytes()) for p in sorted(VALID.glob("*.json"))]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.integers(0, 50))
def test_structural_mutations_agree(seed: int, pick: int) -> None:
    records = _seed_records()
    rng = random.Random(seed)
    record = mutate_structure(json.loads(json.dumps(records[pick % len(records)])), rng)
    agree(dump_json(record, rng))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.integers(0, 50))
def test_byte_mutations_agree(seed: int, pick: int) -> None:
    valid = sorted(VALID.glob("*.json"))
    data = valid[pick % len(valid)].read_bytes()
    rng = random.Random(seed)
    agree(mutate_json_bytes(data, rng) if rng.random() < 0.5 else mutate_bytes(data, rng))


MINIMAL = {
    "corpuskit": "1.0",
    "id": "d",
    "meta": {"title": "T", "language": "en"},
    "offset_unit": "codepoint",
    "text": "Iran sent missiles.",
    "text_sha256": "",
    "mentions": [{"id": "m1", "type": "GPE", "span": [{"start": 0, "end": 4, "text": "Iran"}]}],
    "quotes": [{"id": "q1", "mode": "direct", "span": [{"start": 5, "end": 9, "text": "sent"}]}],
    "relations": [{"id": "r1", "type": "rel", "args": [{"role": "a", "ref": "m1"}]}],
}


def _minimal(**changes: Any) -> dict[str, Any]:
    from corpuskit.model import text_sha256

    record = json.loads(json.dumps(MINIMAL))
    record["text_sha256"] = text_sha256(record["text"])
    record.update(changes)
    return record


def test_the_minimal_document_is_accepted() -> None:
    assert agree(json.dumps(_minimal()).encode()) is not None


# Each case is valid JSON the model classes alone would take, and the schema refuses (or, for
# the duplicate key, P004 reports): the guards must send it the full path.
REFUSED = {
    "duplicate key": b'{"id": "x", ' + json.dumps(_minimal()).encode()[1:],
    "null member": json.dumps(_minimal(meta={"title": "T", "language": "en", "url": None})),
    "missing quote mode": json.dumps(
        _minimal(quotes=[{"id": "q1", "span": [{"start": 5, "end": 9, "text": "sent"}]}])
    ),
    "missing relation args": json.dumps(_minimal(relations=[{"id": "r1", "type": "rel"}])),
    "missing corpuskit": json.dumps({k: v for k, v in _minimal().items() if k != "corpuskit"}),
    "bad id pattern": json.dumps(_minimal(id="1abc")),
    "id too long": json.dumps(_minimal(id="a" * 201)),
    # One regex checks every id at once, a line each: a line break must not split one in two.
    "line break in an id": json.dumps(_minimal(id="a\nb")),
    "line break in a type": json.dumps(
        _minimal(
            mentions=[
                {"id": "m1", "type": "G\nPE", "span": [{"start": 0, "end": 4, "text": "Iran"}]}
            ]
        )
    ),
    "bad language": json.dumps(_minimal(meta={"title": "T", "language": "english"})),
    "impossible date": json.dumps(
        _minimal(meta={"title": "T", "language": "en", "published": "2024-02-30"})
    ),
    "bad hash": json.dumps(_minimal(text_sha256="abc")),
    "empty span": json.dumps(
        _minimal(mentions=[{"id": "m1", "type": "GPE", "span": []}]),
    ),
    "long integer": json.dumps(
        _minimal(attributes=[{"id": "a1", "target": "m1", "name": "n", "value": 10**17}])
    ),
    "spaced duplicate": b'{"id" : "x", ' + json.dumps(_minimal()).encode()[1:],
    "empty list then the kept one": b'{"quotes": [], ' + json.dumps(_minimal()).encode()[1:],
    "kept empty list after one": json.dumps(_minimal()).encode()[:-1] + b', "quotes": []}',
    "nested empty duplicate": json.dumps(
        _minimal(entities=[{"id": "e1", "type": "GPE", "mentions": ["m1"], "links": []}])
    )
    .replace('"links": []', '"links": [], "links": [{"kb": "wikidata", "id": "Q794"}]')
    .encode(),
    # A missing required member the model has a default for must not cancel out a duplicate.
    "missing mode and a duplicate offset": json.dumps(
        _minimal(quotes=[{"id": "q1", "span": [{"start": 5, "end": 9, "text": "sent"}]}])
    ).replace('"start": 5', '"start": 1, "start": 5'),
    "missing offset_unit and a duplicate": json.dumps(
        {k: v for k, v in _minimal().items() if k != "offset_unit"}
    ).replace('"start": 0', '"start": 3, "start": 0'),
    "a quote escaped as \\u0022 and a duplicate": json.dumps(_minimal(id="d")).replace(
        '"text": "Iran sent missiles."', '"text": "Iran sent missiles.", "text": "x\\u0022\\u0022"'
    ),
    "value starting with a colon hides no key": json.dumps(
        _minimal(meta={"title": ":T", "language": "en"})
    ).replace('"title": ":T"', '"title": ":T", "title": ":U"'),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_guards_send_invalid_documents_the_full_path(name: str) -> None:
    data = REFUSED[name]
    data = data if isinstance(data, bytes) else data.encode("utf-8")
    assert typed.decode(data) is None
    assert check_bytes(data, "d.json").diagnostics, "the full path reports the problem"


def test_an_explicit_empty_list_is_valid_and_only_slower() -> None:
    # "links": [] is valid; the typed decode cannot tell it from an absent member and refuses
    # it, so the full path (which accepts it) decides.
    record = _minimal(entities=[{"id": "e1", "type": "GPE", "mentions": ["m1"], "links": []}])
    data = json.dumps(record).encode("utf-8")
    assert typed.decode(data) is None
    assert not check_bytes(data, "d.json").diagnostics


SEED = TESTS / "fixtures" / "seed" / "iran-russia-missiles.json"
ODD_STRINGS = ["", " ", "a\n", "\n", "x" * 201, "é", "1a"]
ODD_NUMBERS: list[Any] = [-1, 2**31, 5.0, True, "5"]


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))]
    return [path]


def test_every_leaf_of_the_seed_set_to_an_odd_value_agrees() -> None:
    # A constraint the model's types miss (the entity name's minLength did) shows up here: the
    # typed decode would accept a value the schema refuses.
    record = orjson.loads(SEED.read_bytes())
    accepted = 0
    seen: set[tuple[str, ...]] = set()
    for path in _leaves(record):
        shape = tuple(str(p) if isinstance(p, str) else "#" for p in path)
        if shape in seen:
            continue  # one leaf per place in the structure is enough
        seen.add(shape)
        holder = record
        for key in path[:-1]:
            holder = holder[key]
        original = holder[path[-1]]
        for odd in ODD_STRINGS if isinstance(original, str) else ODD_NUMBERS:
            holder[path[-1]] = odd
            accepted += agree(json.dumps(record).encode("utf-8")) is not None
        holder[path[-1]] = original
    assert len(seen) > 40 and accepted > 0  # the loop reached the structure, and some passed
