"""The offset hints' search for a fragment's text is bounded per document, and what was not
searched is never read as "occurs nowhere" or "occurs once" (no span moves on it).

A hostile document can hold thousands of distinct fragment texts absent from a text of
megabytes (each a scan of the whole text), or a fragment text that overlaps itself in a text
made of it (each occurrence a find that re-reads the overlap); both once took minutes to hours.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from conftest import POSITIVE
from corpuskit.engine import check_bytes
from corpuskit.model import ANNOTATION_KINDS
from corpuskit.rules import offsets


def _bytes(text: str, fragments: list[dict[str, Any]]) -> bytes:
    doc: dict[str, Any] = json.loads((POSITIVE / "minimal.json").read_text("utf-8"))
    for kind in ANNOTATION_KINDS:
        doc[kind] = []
    doc["text"] = text
    doc["text_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc["mentions"] = [
        {"id": f"m{i}", "type": "GPE", "span": [fragment]} for i, fragment in enumerate(fragments)
    ]
    return json.dumps(doc).encode("utf-8")


def _o003(data: bytes) -> list[tuple[str, bool]]:
    """(hint, whether a fix is offered) of every O003 finding."""
    report = check_bytes(data, "d.json")
    return [(d.hint or "", d.fix is not None) for d in report.diagnostics if d.code == "O003"]


TEXT = "Iran sent missiles to Russia, officials said."


def test_past_the_budget_a_text_is_not_looked_for_and_no_span_moves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "Russia" slipped by one character: found once nearby, the span is moved (a safe fix).
    slipped = {"start": 23, "end": 29, "text": "Russia"}
    absent = {"start": 0, "end": 4, "text": "Iraq"}
    hints = _o003(_bytes(TEXT, [absent, slipped]))
    assert "occurs nowhere in the text" in hints[0][0]
    assert "occurs once in the text" in hints[1][0] and hints[1][1]
    # A budget for one search: "Iraq" is looked for, "Russia" is not, and is not moved.
    monkeypatch.setattr(offsets, "SEARCH_BUDGET", len(TEXT) + offsets._FEW * 4)
    hints = _o003(_bytes(TEXT, [absent, slipped]))
    assert "occurs nowhere in the text" in hints[0][0]
    assert '"Russia" was not looked for in the text' in hints[1][0]
    assert hints[1][1] is False


def test_a_typo_is_not_called_absent_when_it_was_not_looked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stored text a small edit from what the offsets cover, and found nowhere, gets the
    (unsafe) fix "set the covered text"; not looked for, it gets none."""
    typo = {"start": 22, "end": 28, "text": "Russla"}
    hint, fixed = _o003(_bytes(TEXT, [typo]))[0]
    assert "occurs nowhere" in hint and "(unsafe fix: set it to what" in hint and fixed
    monkeypatch.setattr(offsets, "SEARCH_BUDGET", 0)
    hint, fixed = _o003(_bytes(TEXT, [typo]))[0]
    assert "was not looked for" in hint and "nothing is fixed" in hint and fixed is False


def test_overlapping_occurrences_are_counted_up_to_a_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "a" * 5_000 + "b"
    wrong = {"start": 4_998, "end": 5_000, "text": "ab"}  # covers "aa"
    overlapping = {"start": 0, "end": 3, "text": "aab"}  # covers "aaa"; "aab" occurs once
    hints = [hint for hint, _ in _o003(_bytes(text, [wrong, overlapping]))]
    assert "occurs once in the text" in hints[0]
    stored = {"start": 1, "end": 4, "text": "aaab"}  # "aaab" once; "aa..." counted below
    assert "occurs once" in _o003(_bytes(text, [stored]))[0][0]
    many = {"start": 4_999, "end": 5_001, "text": "aa"}  # covers "ab"; "aa" occurs 4,999 times
    assert "occurs 4999 times" in _o003(_bytes(text, [many]))[0][0]
    monkeypatch.setattr(offsets, "_MOST_COUNTED", 4_500)
    assert "occurs more than 4,500 times" in _o003(_bytes(text, [many]))[0][0]


def test_a_fragment_given_by_its_text_is_not_anchored_when_not_looked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draft = _bytes(TEXT, [{"text": "Russia"}])
    found = [d for d in check_bytes(draft, "d.json").diagnostics if d.code == "O008"]
    assert "occurs once" in (found[0].hint or "") and found[0].fix is not None
    monkeypatch.setattr(offsets, "SEARCH_BUDGET", 0)
    found = [d for d in check_bytes(draft, "d.json").diagnostics if d.code == "O008"]
    assert "was not looked for" in (found[0].hint or "") and found[0].fix is None
