"""JSON Lines spans (export only): one object per fragment, offsets in the chosen unit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS, ROOT, run_cli
from corpuskit.formats import json_format
from corpuskit.interop.jsonl import write_jsonl
from corpuskit.model import Document, Event, Fragment, Mention, Metadata, Quote, text_sha256

KEYS = ["document", "annotation", "kind", "field", "fragment", "type", "start", "end", "text"]
DOCUMENT = CORPUS / "iran-russia-missiles.json"
#: A claim with source, channel and cue (line 3 of the seed article).
CLAIM_CUE = ROOT / "tests" / "fixtures" / "claim-cue.json"


def lines(text: str) -> list[dict[str, Any]]:
    """The objects of a JSONL text, one per line as Python's splitlines cuts it."""
    return [json.loads(line) for line in text.splitlines()]


def test_every_fragment_of_the_corpus_is_one_line_holding_its_text() -> None:
    doc = json_format.loads(DOCUMENT.read_bytes())
    exported = write_jsonl(doc)
    records = lines(exported.files[".jsonl"])
    fragments = (
        sum(len(m.span) for m in doc.mentions)
        + sum(len(q.span) + len(q.cue) for q in doc.quotes)
        + sum(len(c.span) + len(c.cue) for c in doc.claims)
        + sum(len(e.trigger) for e in doc.events)
    )
    assert len(records) == fragments
    assert all(list(r) == KEYS for r in records)
    assert all(doc.text[r["start"] : r["end"]] == r["text"] for r in records)
    assert records[0] == {
        "document": "iran-russia-missiles",
        "annotation": "m1",
        "kind": "mention",
        "field": "span",
        "fragment": 0,
        "type": "GPE",
        "start": 0,
        "end": 4,
        "text": "Iran",
    }
    cue = next(r for r in records if r["annotation"] == "q1" and r["field"] == "cue")
    assert (cue["kind"], cue["type"], cue["text"]) == ("quote", "direct", "said")
    assert {r["kind"] for r in records} == {"mention", "quote", "claim", "event"}
    # Everything that is not a span is named, never dropped in silence.
    lost = {(f.rule.code, f.pointer.split("/")[1]) for f in exported.findings}
    assert lost >= {("I008", k) for k in ("meta", "entities", "relations", "attributes")}
    assert any("references of" in f.message for f in exported.findings)
    assert any("notes of" in f.message for f in exported.findings)


def test_a_claims_cue_is_a_line_of_its_own() -> None:
    doc = json_format.load(CLAIM_CUE)
    records = lines(write_jsonl(doc).files[".jsonl"])
    claim = [(r["field"], r["text"]) for r in records if r["kind"] == "claim"]
    assert claim == [("span", doc.claims[0].span[0].text), ("cue", "informed")]
    (cue,) = (r for r in records if r["field"] == "cue")
    assert (cue["annotation"], cue["type"], cue["start"], cue["end"]) == ("c1", None, 17, 25)


def _document(text: str) -> Document:
    return Document(
        id="d",
        meta=Metadata(title="t", language="en"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=(
            Mention("m1", "X", (Fragment(0, 1, text[0]), Fragment(3, 5, text[3:5]))),
            Mention("m2", "Y", (Fragment(6, 7, text[6]),)),
        ),
        quotes=(Quote("q1", (Fragment(6, 7, text[6]),), mode="indirect"),),
        events=(Event("ev1", "move", (Fragment(3, 5, text[3:5]),)),),
    )


@pytest.mark.parametrize(("unit", "codec"), [("utf16", "utf-16-le"), ("utf8", "utf-8")])
def test_offsets_count_in_the_chosen_unit(unit: str, codec: str) -> None:
    text = "😀a\u2028\u0085bcd"  # an astral character first, then line separators
    records = lines(write_jsonl(_document(text), unit).files[".jsonl"])
    width = 2 if codec == "utf-16-le" else 1
    for r in records:
        covered = text.encode(codec)[r["start"] * width : r["end"] * width]
        assert covered.decode(codec) == r["text"]
    # A discontinuous span is one line per fragment, in order.
    assert [(r["annotation"], r["fragment"]) for r in records][:2] == [("m1", 0), ("m1", 1)]
    assert [r["type"] for r in records] == ["X", "X", "Y", "indirect", "move"]


def test_line_separators_inside_a_text_never_split_a_line() -> None:
    text = "a\u2028\u0085\u2029b\nc"
    doc = Document(
        id="d",
        meta=Metadata(title="t", language="en"),
        text=text,
        text_sha256=text_sha256(text),
        mentions=(Mention("m1", "X", (Fragment(0, 7, text),)),),
    )
    out = write_jsonl(doc).files[".jsonl"]
    assert len(out.splitlines()) == 1
    assert lines(out)[0]["text"] == text


def test_cli_exports_jsonl_and_refuses_to_import_it(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / DOCUMENT.name).write_bytes(DOCUMENT.read_bytes())
    result = run_cli("export", "jsonl", "in", "-o", "out", "--format", "concise", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "out" / "iran-russia-missiles.jsonl"
    assert lines(written.read_text("utf-8"))[0]["annotation"] == "m1"
    assert " I008 " in result.stdout
    back = run_cli("import", "jsonl", "out", "-o", "back", cwd=tmp_path)
    assert back.returncode == 2
    assert "jsonl is an export-only format: it cannot import" in back.stderr
    assert "Traceback" not in back.stderr and not (tmp_path / "back").exists()
