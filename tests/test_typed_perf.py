"""The typed decode's cheaper guards (formats/typed.py): the string count that proves no key was
dropped as a duplicate, read escape by escape while there are few escapes and counted in C
past that, the one decode that tells given members from defaults, and the ids' and names' one
match. Each case asserts the agreement with the full path (tests/agreement.py) and, where the
guard must refuse, that the typed decode does."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from agreement import agree

from corpuskit.formats import typed
from corpuskit.model import text_sha256
from corpuskit.rules import CheckInput, offsets

TEXT = 'He said "no" and left.\nThen \\ came back.'


def _record(text: str = TEXT, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "corpuskit": "1.0",
        "id": "d",
        "meta": {"title": 'A "quoted" title', "language": "en"},
        "offset_unit": "codepoint",
        "text": text,
        "text_sha256": text_sha256(text),
        "mentions": [{"id": "m1", "type": "PER", "span": [{"start": 0, "end": 2, "text": "He"}]}],
        "entities": [],
        "quotes": [],
        "claims": [],
        "events": [],
        "relations": [],
        "attributes": [],
    }
    record.update(changes)
    return record


def _dumps(record: dict[str, Any], ensure_ascii: bool = False) -> bytes:
    return json.dumps(record, ensure_ascii=ensure_ascii).encode("utf-8")


# Few escapes (read one by one) and many (counted in C past the first 64): a text of 200 lines
# and quotes, or non-ASCII written as \uXXXX escapes.
LONG_TEXT = "".join(f'line {i} says "x{i}" \\ and é\n' for i in range(200))


@pytest.mark.parametrize("text", [TEXT, LONG_TEXT], ids=["few escapes", "many escapes"])
@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf-8", "ascii"])
def test_valid_documents_with_escapes_take_the_typed_decode(text: str, ascii_only: bool) -> None:
    data = _dumps(_record(text), ensure_ascii=ascii_only)
    assert agree(data) is not None


@pytest.mark.parametrize("text", [TEXT, LONG_TEXT], ids=["few escapes", "many escapes"])
@pytest.mark.parametrize(
    "duplicate",
    [
        '"note": "z", ',  # a string member
        '"note": "\\"", ',  # holding an escaped quote
        '"note": "\\u0022\\u0022", ',  # holding quotes written as \u0022
        '"note": "\\\\", ',  # holding an escaped backslash before its closing quote
        '"span": [{"start": 0, "end": 1, "text": "\\""}], ',  # a list, an escaped quote
    ],
)
def test_a_dropped_duplicate_is_refused_whatever_the_escapes(text: str, duplicate: str) -> None:
    # The dropped member comes first (msgspec keeps the last), in the mention, which comes
    # after the text: with many escapes, past those read one by one. Without it, accepted.
    mention = {
        "id": "m1",
        "type": "PER",
        "note": "ok",
        "span": [{"start": 0, "end": 1, "text": "H"}],
    }
    data = _dumps(_record(text, mentions=[mention]))
    assert agree(data) is not None
    at = data.index(b'{"id": "m1"') + 1
    assert typed.decode(data[:at] + duplicate.encode() + data[at:]) is None
    # And at the top level, before the text.
    assert typed.decode(b"{" + duplicate.replace("note", "id").encode() + data[1:]) is None


@pytest.mark.parametrize("text", [TEXT, LONG_TEXT], ids=["few escapes", "many escapes"])
def test_an_escaped_backslash_before_a_quote_is_read_as_such(text: str) -> None:
    # \\\" is an escaped backslash, then an escaped quote; \\" (a string ending in a
    # backslash) an escaped backslash, then the closing quote: among the first escapes (read
    # one by one) and past them (one regex scan) alike.
    mention = {"id": "m1", "type": "PER", "span": [{"start": 0, "end": 1, "text": "a"}]}
    data = _dumps(
        _record(
            text + 'a backslash and a quote: \\"\n',
            meta={"title": "ends in \\", "language": "en"},  # before the text
            mentions=[{**mention, "note": "ends in \\"}],  # after it
        )
    )
    assert data.count(b'\\\\\\"') == 1 and data.count(b'\\\\", ') == 1
    assert data.count(b'\\\\"') == 3
    assert agree(data) is not None


def test_annotation_lists_given_empty_or_left_out_are_both_read() -> None:
    record = _record()
    for kind in ("entities", "quotes", "claims", "events", "relations", "attributes"):
        del record[kind]
    assert agree(_dumps(record)) is not None
    assert agree(_dumps(_record())) is not None


@pytest.mark.parametrize("member", ["corpuskit", "offset_unit"])
def test_a_missing_constant_member_is_refused(member: str) -> None:
    record = _record()
    del record[member]
    assert typed.decode(_dumps(record)) is None


def test_a_null_annotation_list_is_refused() -> None:
    assert typed.decode(_dumps(_record(quotes=None))) is None


@pytest.mark.parametrize(
    ("ids", "names"),
    [
        (["a\tb"], []),  # a tab inside an id: no line of either kind takes it
        (["\t"], ["x"]),  # an id that looks like the line between ids and names
        ([], ["\t"]),
        (["a:b"], []),  # a colon: a name's character, not an id's
        (["a" * 201], []),
        ([], ["b" * 201]),
        (["a" * 200], ["b" * 200]),
        ([""], []),
        (["1a"], []),
        ([], [".a"]),
        (["a\nb"], []),
    ],
)
def test_ids_and_names_in_one_match_agree_with_one_match_each(
    ids: list[str], names: list[str]
) -> None:
    # The reference: each kind's own pattern, one match each.
    each_id = re.compile(typed._lines(typed._ID))
    each_name = re.compile(typed._lines(typed._NAME))
    separately = typed.all_match(each_id, ids) and typed.all_match(each_name, names)
    assert typed._ids_and_names_match(ids, names) == separately


def test_a_tab_in_an_id_is_refused() -> None:
    record = _record(
        mentions=[{"id": "m\t1", "type": "PER", "span": [{"start": 0, "end": 2, "text": "He"}]}]
    )
    assert typed.decode(_dumps(record)) is None


def test_remembered_ids_and_names_keep_their_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only strings that matched are remembered, each by its kind: a name is not thereby an id,
    # and a bad string beside remembered ones is still matched (and refused).
    ids: set[str] = set()
    names: set[str] = set()
    monkeypatch.setattr(typed, "_KNOWN_IDS", ids)
    monkeypatch.setattr(typed, "_KNOWN_NAMES", names)
    assert not typed._ids_and_names_match(["m1", "a:b"], ["GPE"])
    assert ids == set() and names == set()
    assert typed._ids_and_names_match(["m1", "e1"], ["GPE", "kb:x"])
    assert ids == {"m1", "e1"} and names == {"GPE", "kb:x"}
    assert typed._ids_and_names_match(["e1", "m1"], ["kb:x"])  # from the sets alone
    assert not typed._ids_and_names_match(["m1", "kb:x"], ["GPE"])  # a name, not an id
    assert not typed._ids_and_names_match(["m1"], ["GPE", "1a"])
    assert not typed._ids_and_names_match(["m1", "a\nb"], [])
    assert ids == {"m1", "e1"} and names == {"GPE", "kb:x"}


def test_the_remembered_ids_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    ids: set[str] = set()
    monkeypatch.setattr(typed, "_KNOWN_IDS", ids)
    monkeypatch.setattr(typed, "_MOST_KNOWN", 4)
    assert typed._ids_and_names_match(["a", "b", "c"], [])
    assert typed._ids_and_names_match(["c", "d", "e"], [])  # 5 would pass 4: cleared first
    assert ids == {"d", "e"}
    assert typed._ids_and_names_match([f"x{i}" for i in range(9)], [])  # more than it holds
    assert ids == set()
    assert not typed._ids_and_names_match(["d", "1x"], [])


@pytest.mark.parametrize(
    "document",
    sorted(p.name for p in (Path(__file__).parent / "fixtures" / "seed").glob("*.json")),
)
def test_the_free_strings_of_the_walk_are_the_text_checks(document: str) -> None:
    # The strings the decode's walk hands to the text check are those the check would list
    # (empty notes aside, which add nothing to its joined screen), in any order.
    data = (Path(__file__).parent / "fixtures" / "seed" / document).read_bytes()
    read = typed.decode_with_strings(data)
    assert read is not None
    doc, strings, _ = read
    assert typed.decode(data) == doc
    assert sorted(filter(None, strings)) == sorted(offsets._annotation_values(doc))
    assert len(strings) > 20  # notes, names, links and values all reach it


@pytest.mark.parametrize("bad", ["\x07", "\ufffe"])
@pytest.mark.parametrize(
    "where",
    ["mention note", "entity name", "entity link", "attribute value", "attribute note", "none"],
)
def test_the_text_check_screens_the_strings_the_decode_met(bad: str, where: str) -> None:
    entity: dict[str, Any] = {"id": "e1", "type": "PER", "mentions": ["m1"]}
    attribute: dict[str, Any] = {"id": "a1", "target": "m1", "name": "x", "value": "v"}
    mention: dict[str, Any] = {
        "id": "m1",
        "type": "PER",
        "span": [{"start": 0, "end": 2, "text": "He"}],
    }
    if where == "mention note":
        mention["note"] = "a" + bad
    elif where == "entity name":
        entity["name"] = "b" + bad
    elif where == "entity link":
        entity["links"] = [{"kb": "wd", "id": "Q" + bad}]
    elif where == "attribute value":
        attribute["value"] = bad
    elif where == "attribute note":
        attribute["note"] = bad + "c"
    data = _dumps(_record(mentions=[mention], entities=[entity], attributes=[attribute]))
    read = typed.decode_with_strings(data)
    if read is None:  # the schema refuses it: the full path reads it, without the strings
        assert where != "none"
        return
    doc, strings, _ = read
    with_strings = list(
        offsets.check_text(CheckInput(doc, None, {offsets.ANNOTATION_STRINGS: strings}))
    )
    assert with_strings == list(offsets.check_text(CheckInput(doc, None, {})))
    assert any(f.rule.code == "O007" for f in with_strings) == (where != "none")
