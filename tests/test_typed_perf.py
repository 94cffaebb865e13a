"""The typed decode's cheaper guards (formats/typed.py): the string count that proves no key was
dropped as a duplicate, read escape by escape while there are few escapes and counted in C
past that, the one decode that tells given members from defaults, and the ids' and names' one
match. Each case asserts the agreement with the full path (tests/agreement.py) and, where the
guard must refuse, that the typed decode does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from agreement import agree

from corpuskit.engine import strict_document
from corpuskit.formats import typed
from corpuskit.model import text_sha256

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
        '"id": "z", ',  # a string member
        '"id": "\\"", ',  # holding an escaped quote
        '"id": "\\u0022\\u0022", ',  # holding quotes written as \u0022
        '"id": "\\\\", ',  # holding an escaped backslash before its closing quote
        '"entities": [], ',  # an empty list
    ],
)
def test_a_dropped_duplicate_is_refused_whatever_the_escapes(text: str, duplicate: str) -> None:
    data = b"{" + duplicate.encode() + _dumps(_record(text))[1:]
    assert typed.decode(data) is None


def test_an_escaped_backslash_before_a_quote_in_a_long_document_is_only_slower() -> None:
    # Past the first 64 escapes a quote after a run of backslashes is not counted as escaped
    # (the run's parity is not read there): the typed decode refuses, the full path accepts.
    text = LONG_TEXT + 'a backslash and a quote: \\"\n'
    data = _dumps(_record(text))
    assert typed.decode(data) is None
    assert strict_document(data, "json") is not None
    # Among the first 64 escapes, each is read: accepted.
    data = _dumps(_record('a backslash and a quote: \\"\n'))
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
    separately = typed.all_match(typed._IDS, ids) and typed.all_match(typed._NAMES, names)
    assert typed._ids_and_names_match(ids, names) == separately


def test_a_tab_in_an_id_is_refused() -> None:
    record = _record(
        mentions=[{"id": "m\t1", "type": "PER", "span": [{"start": 0, "end": 2, "text": "He"}]}]
    )
    assert typed.decode(_dumps(record)) is None
