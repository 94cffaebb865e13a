"""CoNLL-2003-style IOB2 export: tokens, sentences, documents, and each mention BIO cannot hold.

Fixture: tests/interop/multikind/newsroom.json (a title nesting a name and a place, a
discontinuous mention, every other kind).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from hypothesis import given, settings

from conftest import run_cli
from corpuskit.formats import json_format
from corpuskit.interop.conll import DOCSTART, flat_mentions, write_conll
from corpuskit.model import Document
from strategies import documents

NEWSROOM = Path(__file__).parent / "interop" / "multikind" / "newsroom.json"
CLAIM_CUE = Path(__file__).parent / "fixtures" / "claim-cue.json"


def _decode(conll: str) -> tuple[list[list[tuple[str, str]]], list[tuple[str, str]]]:
    """Sentences of (token, tag), and (type, tokens joined without spaces) of each B-I run."""
    blocks = [b for b in conll.split("\n\n") if b.strip()]
    assert blocks[0] == DOCSTART
    sentences = []
    for block in blocks[1:]:
        rows = [line.split(" ") for line in block.split("\n") if line]
        assert all(len(r) == 4 and r[1:3] == ["_", "_"] for r in rows), rows
        sentences.append([(r[0], r[3]) for r in rows])
    spans: list[tuple[str, str]] = []
    for sentence in sentences:
        for token, tag in sentence:
            if tag.startswith("B-"):
                spans.append((tag[2:], token))
            elif tag.startswith("I-"):
                assert spans and spans[-1][0] == tag[2:], "I- continues the mention before it"
                spans[-1] = (spans[-1][0], spans[-1][1] + token)
    return sentences, spans


def test_the_newsroom_document_as_iob2() -> None:
    doc = json_format.loads(NEWSROOM.read_bytes())
    exported = write_conll(doc)
    sentences, spans = _decode(exported.files[".conll"])
    assert [" ".join(t for t, _ in s) for s in sentences][1] == (
        "The council voted twice ; Silva left Lisbon on Friday ."
    )
    assert spans == [
        ("TITLE", "MayorAnaSilvaofLisbon"),
        ("ORG", "Reuters"),
        ("ORG", "Thecouncil"),
        ("PER", "Silva"),
        ("GPE", "Lisbon"),
        ("DATE", "Friday"),
    ]
    # Nested and discontinuous mentions are losses, one finding per mention.
    per_mention = {f.annotation_id: f.message for f in exported.findings if f.annotation_id}
    assert set(per_mention) == {"m1", "m2", "m9"}
    assert "overlaps m3" in per_mention["m1"] and "2 fragments" in per_mention["m9"]
    kinds = {f.pointer for f in exported.findings if not f.annotation_id}
    assert {"/entities", "/quotes", "/claims", "/events", "/relations", "/attributes"} <= kinds


def test_a_claim_and_its_cue_are_reported_not_written() -> None:
    # BIO tags mentions only: the claim, its source, channel and cue go with it, named once.
    exported = write_conll(json_format.load(CLAIM_CUE))
    sentences, spans = _decode(exported.files[".conll"])
    assert spans == [("PER", "Numeroussources"), ("ORG", "Reuters")]
    assert ("informed", "O") in sentences[0]
    (claims,) = [f for f in exported.findings if f.pointer == "/claims"]
    assert claims.rule.code == "I008" and claims.message.startswith("1 claim is not written")


@settings(max_examples=25, deadline=None)
@given(documents())
def test_every_written_mention_is_one_bio_run_of_its_text(doc: Document) -> None:
    exported = write_conll(doc)
    _, spans = _decode(exported.files[".conll"])
    kept, dropped = flat_mentions(doc)
    # Tokens never hold whitespace, so a mention's text without whitespace is its joined run;
    # a mention of whitespace alone has no token and is reported.
    written = [m for m in kept if m.span[0].text.strip()]
    expected = sorted((m.type, re.sub(r"\s", "", m.span[0].text)) for m in written)
    assert sorted(spans) == expected
    reported = {f.annotation_id for f in exported.findings if f.annotation_id}
    assert reported == {m.id for m in doc.mentions} - {m.id for m in written}
    assert len(kept) + len(dropped) == len(doc.mentions)


def test_cli_exports_conll_and_refuses_to_import_it(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(NEWSROOM, tmp_path / "in")
    result = run_cli("export", "conll", "in", "-o", "out", "--format", "concise", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "newsroom.conll").read_text("utf-8")
    assert text.startswith(DOCSTART + "\n\nMayor _ _ B-TITLE\n")
    assert result.stdout.count(" I008 ") >= 3
    back = run_cli("import", "conll", "out", "-o", "back", cwd=tmp_path)
    assert back.returncode == 2 and "export-only" in back.stderr
