"""W3C Web Annotation: export, import, re-anchoring by quote, round trips and lossy cases."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, ROOT
from corpuskit.diagnostics import Finding
from corpuskit.formats import json_format
from corpuskit.interop import w3c
from corpuskit.interop.common import ImportStamper, validate_imported
from corpuskit.interop.w3c import CONTEXT, anchor, read_w3c, write_w3c
from corpuskit.model import (
    Document,
    Fragment,
    Mention,
    Metadata,
    text_sha256,
)
from strategies import interchange_documents

W3C = ROOT / "tests" / "interop" / "w3c"
CLI_APP = ROOT / "tests" / "interop" / "cli_app.py"
CORPUS_DOC = CORPUS / "iran-russia-missiles.json"


def codes(findings: list[Finding]) -> list[str]:
    return [f.rule.code for f in findings]


def run_app(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CLI_APP), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


TEXT = "Iran sent missiles to Russia; Russia thanked Iran.\n"


def _annotation(
    exact: str, start: int | None = None, end: int | None = None, **extra: Any
) -> dict[str, Any]:
    selectors: list[dict[str, Any]] = [{"type": "TextQuoteSelector", "exact": exact, **extra}]
    if start is not None:
        selectors.append({"type": "TextPositionSelector", "start": start, "end": end})
    return {
        "id": f"https://example.org/anno/{exact.lower()}-{start}",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "GPE"}],
        "target": {"source": "https://example.org/news", "selector": selectors},
    }


def _read(items: list[dict[str, Any]], text: str = TEXT, unit: str | None = None) -> Any:
    data = json.dumps({"type": "AnnotationPage", "items": items}).encode()
    return read_w3c(data, text, "a.jsonld", "a.txt", unit)


# --------------------------------------------------------------------------- export


def test_each_annotation_has_a_quote_and_a_position_selector() -> None:
    doc = json_format.load(CORPUS_DOC)
    exported = write_w3c(doc)
    assert exported.findings == []
    assert exported.files[".txt"] == doc.text
    data = json.loads(exported.files[".jsonld"])
    assert data["@context"] == CONTEXT and data["type"] == "AnnotationCollection"
    assert data["total"] == len(doc.annotations())
    first = data["first"]["items"][0]
    assert first["id"] == "urn:corpuskit:iran-russia-missiles:m1"
    assert first["body"] == [{"type": "TextualBody", "purpose": "tagging", "value": "GPE"}]
    quote, position = first["target"]["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": "Iran",
        "prefix": "",
        "suffix": " Sending Ballistic Missiles To R",
    }
    assert position == {"type": "TextPositionSelector", "start": 0, "end": 4}


def test_a_discontinuous_span_is_one_target_per_fragment_and_offsets_can_count_utf16() -> None:
    text = "🚀 Iran and, later, Russia\n"
    doc = Document(
        "d",
        Metadata("t", "en"),
        text,
        text_sha256(text),
        mentions=(Mention("m1", "GPE", (Fragment(2, 6, "Iran"), Fragment(19, 25, "Russia"))),),
    )
    written = write_w3c(doc, "utf16").files
    # The normative context (http://www.w3.org/ns/anno.jsonld) defines no List: several
    # targets (model 3.1, "an Annotation MAY have one or more targets") carry the fragments.
    assert '"List"' not in written[".jsonld"]
    target = json.loads(written[".jsonld"])["first"]["items"][0]["target"]
    assert [t["type"] for t in target] == ["SpecificResource", "SpecificResource"]
    assert [t["selector"][1]["start"] for t in target] == [3, 20]
    assert [t["selector"][0]["exact"] for t in target] == ["Iran", "Russia"]
    back = read_w3c(written[".jsonld"].encode(), written[".txt"], "a.jsonld")
    assert back.findings == [] and back.document == doc


def test_what_the_model_requires_of_collections_pages_and_annotations() -> None:
    doc = json_format.load(CORPUS_DOC)
    data = json.loads(write_w3c(doc).files[".jsonld"])
    # 5.1: a collection MUST have an IRI id and the type AnnotationCollection.
    assert data["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection" and data["id"].startswith("urn:")
    page = data["first"]
    # 5.2: a page MUST have an IRI id, the type AnnotationPage and one or more items.
    assert page["type"] == "AnnotationPage" and page["id"].startswith("urn:")
    assert page["id"] != data["id"] and page["partOf"] == data["id"]
    assert len(page["items"]) == data["total"] > 0
    ids = [a["id"] for a in page["items"]]
    assert len(set(ids)) == len(ids)
    for a in page["items"]:
        # 3.1: an annotation MUST have an id, the type Annotation and one or more targets.
        assert a["type"] == "Annotation" and a["id"].startswith("urn:") and a["target"]
        for target in a["target"] if isinstance(a["target"], list) else [a["target"]]:
            assert isinstance(target, str) or target["type"] == "SpecificResource"
        for body in a.get("body", []):
            # 3.2.4: a TextualBody MUST have a value.
            assert body["type"] == "TextualBody" and isinstance(body["value"], str)


def test_a_document_without_annotations_has_no_page() -> None:
    text = "Nothing annotated.\n"
    doc = Document("d", Metadata("t", "en"), text, text_sha256(text))
    written = write_w3c(doc).files
    data = json.loads(written[".jsonld"])
    # A page MUST have items: an empty collection says total 0 and has no first page.
    assert data["total"] == 0 and "first" not in data
    back = read_w3c(written[".jsonld"].encode(), written[".txt"], "a.jsonld")
    assert back.findings == [] and back.document == doc


def test_a_quote_that_several_places_match_equally_is_listed_not_guessed() -> None:
    text = "Iran said Iran would answer; Iran did.\n"

    def annotation(selector: dict[str, str]) -> bytes:
        target = {"source": "https://example.org/a", "selector": selector}
        item = {"id": "https://example.org/a1", "type": "Annotation", "target": target}
        return json.dumps(item).encode()

    bare = read_w3c(annotation({"type": "TextQuoteSelector", "exact": "Iran"}), text, "a.jsonld")
    assert bare.document is not None and bare.document.mentions == ()
    (problem,) = [f for f in bare.findings if f.rule.code == "I005"]
    assert "occurs 3 times" in problem.message
    assert "[0, 4), [10, 14), [29, 33)" in problem.message
    chosen = read_w3c(
        annotation({"type": "TextQuoteSelector", "exact": "Iran", "prefix": "said "}),
        text,
        "a.jsonld",
    )
    assert chosen.document is not None
    assert [m.span[0].start for m in chosen.document.mentions] == [10]
    assert "I005" not in codes(chosen.findings)


@pytest.mark.parametrize("command", ["import", "export"])
def test_the_old_name_is_refused_naming_the_new_one(command: str, tmp_path: Path) -> None:
    from corpuskit.interop.registry import FORMATS, RENAMED

    assert "w3c" in FORMATS and "webanno" not in FORMATS
    done = subprocess.run(
        [sys.executable, "-m", "corpuskit", command, "webanno", str(CORPUS_DOC), "-o", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    # The registry's message (which names w3c and xmi), not "unknown format" and its list.
    assert done.stderr == f"corpuskit: error: {RENAMED['webanno']}\n"
    assert "w3c" in done.stderr and "xmi" in done.stderr
    assert not (tmp_path / "out").exists()


def test_the_bundled_corpus_goes_through_web_annotation_byte_for_byte() -> None:
    doc = json_format.load(CORPUS_DOC)
    for unit in ("codepoint", "utf8", "utf16"):
        exported = write_w3c(doc, unit)
        back = read_w3c(exported.files[".jsonld"].encode(), exported.files[".txt"], "a.jsonld")
        assert back.findings == []
        assert back.document is not None
        assert json_format.dumps(back.document) == CORPUS_DOC.read_text("utf-8")


def test_a_claims_cue_travels_in_the_corpuskit_member_and_reanchors_like_a_quotes() -> None:
    doc = json_format.load(ROOT / "tests" / "fixtures" / "claim-cue.json")
    exported = write_w3c(doc)
    (claim,) = [
        a for a in json.loads(exported.files[".jsonld"])["first"]["items"] if a["id"].endswith("c1")
    ]
    assert claim["corpuskit"]["cue"] == [{"start": 17, "end": 25, "text": "informed"}]
    back = read_w3c(exported.files[".jsonld"].encode(), exported.files[".txt"], "a.jsonld")
    assert back.findings == [] and back.document == doc
    # Two words put before the text: the cue's offsets are stale, its text finds it again.
    shifted = "So: " + doc.text
    moved = read_w3c(exported.files[".jsonld"].encode(), shifted, "a.jsonld")
    assert moved.document is not None
    assert moved.document.claims[0].cue == (Fragment(21, 29, "informed"),)
    assert any(
        "the cue 'informed' was re-anchored at [21, 29)" in f.message for f in moved.findings
    )


# --------------------------------------------------------------------------- anchoring


def test_anchor_prefers_the_occurrence_the_context_describes() -> None:
    assert anchor(TEXT, "Russia") == (22, 28)
    assert anchor(TEXT, "Russia", prefix="Russia; ") == (30, 36)
    assert anchor(TEXT, "Russia", suffix=" thanked") == (30, 36)
    assert anchor(TEXT, "Iran", near=40) == (45, 49)
    assert anchor(TEXT, "Tehran") is None


def _agreeing_before(text: str, at: int, prefix: str) -> int:
    """The definition: characters compared one at a time, backwards from ``at``."""
    n = 0
    while n < min(at, len(prefix), w3c.MAX_CONTEXT) and text[at - 1 - n] == prefix[-1 - n]:
        n += 1
    return n


def _agreeing_after(text: str, at: int, suffix: str) -> int:
    n = 0
    while n < min(len(text) - at, len(suffix), w3c.MAX_CONTEXT) and text[at + n] == suffix[n]:
        n += 1
    return n


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="ab😀", max_size=40),
    context=st.text(alphabet="ab😀", max_size=12),
    at=st.integers(0, 40),
)
def test_context_agreement_is_the_character_by_character_count(
    text: str, context: str, at: int
) -> None:
    at = min(at, len(text))
    assert w3c._context_before(text, at, context) == _agreeing_before(text, at, context)
    assert w3c._context_after(text, at, context) == _agreeing_after(text, at, context)


def test_a_quote_found_too_often_is_left_out_and_a_position_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Weighing every occurrence of a quote is bounded: past MAX_OCCURRENCES the annotation is
    not placed by its quote (hostile texts repeat a quote millions of times); a position that
    holds the quote still places it."""
    monkeypatch.setattr(w3c, "MAX_OCCURRENCES", 3)
    text = "Iran and Iran and Iran and Iran.\n"
    imported = _read([_annotation("Iran", suffix=" and"), _annotation("Iran", 9, 13)], text)
    assert codes(imported.findings) == ["I005"]
    assert "occurs more than 3 times in the text" in imported.findings[0].message
    assert "TextPositionSelector" in (imported.findings[0].hint or "")
    assert [m.span for m in imported.document.mentions] == [(Fragment(9, 13, "Iran"),)]
    # A wrong position is re-anchored by the quote only when the quote is rare enough.
    moved = _read([_annotation("Iran", 10, 14)], text)
    assert codes(moved.findings) == ["I005"] and moved.document.mentions == ()
    monkeypatch.setattr(w3c, "MAX_OCCURRENCES", 4)
    moved = _read([_annotation("Iran", 10, 14)], text)
    assert codes(moved.findings) == ["I004"]


def test_an_import_stops_weighing_quotes_once_its_budget_is_spent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The time one import spends finding quotes is bounded, all annotations together: many
    quotes each just under the per-quote limit, or one long quote that overlaps itself, cannot
    make an import run for hours. Quotes placed by their position cost nothing."""
    monkeypatch.setattr(w3c, "OCCURRENCE_BUDGET", 6)
    text = "Iran and Iran and Iran and Iran.\n"
    items = [
        _annotation("Iran", suffix=" and", prefix="nd "),  # weighs 4 occurrences
        _annotation("Iran", 9, 13),  # placed by its position
        {
            **_annotation("Iran", suffix="."),
            "id": "https://example.org/anno/iran-b",
        },  # 4 more: over
    ]
    imported = _read(items, text)
    assert codes(imported.findings) == ["I005", "I005"]
    assert "occurs 2 times" in imported.findings[0].message  # ties: not guessed, as before
    assert "used up the work one import may spend finding quotes" in imported.findings[1].message
    assert [m.span for m in imported.document.mentions] == [(Fragment(9, 13, "Iran"),)]
    monkeypatch.setattr(w3c, "OCCURRENCE_BUDGET", 1_000)
    monkeypatch.setattr(w3c, "CHARACTER_BUDGET", 25)
    long = "a" * 10
    overlapping = _read([_annotation(long, suffix="b")], "a" * 12 + "b\n")
    assert codes(overlapping.findings) == ["I005"]  # 3 occurrences x 10 characters > 25
    assert "used up" in overlapping.findings[0].message


def test_positions_that_disagree_with_the_quote_are_reanchored_and_reported() -> None:
    imported = _read([_annotation("Russia", 31, 37, prefix="Russia; ", suffix=" thanked")])
    assert codes(imported.findings) == ["I004"]
    assert "re-anchored by the quote at [30, 36)" in imported.findings[0].message
    assert imported.document.mentions[0].span == (Fragment(30, 36, "Russia"),)


def test_a_quote_alone_is_enough_and_a_missing_quote_is_an_error() -> None:
    imported = _read([_annotation("Russia", suffix=" thanked"), _annotation("Tehran", 0, 6)])
    assert codes(imported.findings) == ["I005"]
    assert imported.errors == 1
    assert [m.span[0].start for m in imported.document.mentions] == [30]


def test_a_text_other_than_the_annotated_one_is_said_once_and_quotes_anchor() -> None:
    doc = json_format.load(CORPUS_DOC)
    exported = write_w3c(doc)
    edited = "Breaking: " + exported.files[".txt"]
    imported = read_w3c(exported.files[".jsonld"].encode(), edited, "a.jsonld")
    assert imported.findings[0].message.startswith("the text is not the one these annotations")
    assert set(codes(imported.findings)) == {"I004"}
    _, report = validate_imported(imported)
    assert (
        report is not None
        and [d.code for d in report.diagnostics if d.severity.value == "error"] == []
    )
    assert imported.document is not None
    assert imported.document.mentions[0].span == (Fragment(10, 14, "Iran"),)


def test_utf16_positions_from_a_javascript_tool_are_detected() -> None:
    text = "🚀 Iran sent missiles to Russia.\n"
    items = [_annotation("Iran", 3, 7), _annotation("Russia", 25, 31)]
    imported = _read(items, text)
    assert codes(imported.findings) == ["I004", "I004", "I004"]
    assert imported.findings[0].hint == "re-run with --offset-unit utf16"
    assert _read(items, text, "utf16").findings == []


# --------------------------------------------------------------------------- foreign annotations


def test_hypothesis_style_annotations_become_mentions() -> None:
    path = W3C / "hypothesis.jsonld"
    imported = read_w3c(
        path.read_bytes(), (W3C / "hypothesis.txt").read_text("utf-8"), str(path), unit="utf16"
    )
    doc = imported.document
    assert doc is not None
    assert doc.meta.url == "https://example.org/2024/07/lyon-ia"
    assert [(m.id, m.type, m.span[0].text) for m in doc.mentions] == [
        ("q7XbA1", "PER", "Élise Martin"),
        ("q7XbA2", "GPE", "Lyon"),
        ("q7XbA3", "ORG", "centre de recherche"),
        ("q7XbA4", "Technologie_IA", "l'IA"),
        ("q7XbA5", "highlighting", "La France doit rester souveraine."),
        ("q7XbA6", "DATE", "14 juillet 2024"),
    ]
    assert doc.mentions[0].note == "ministre de la Recherche depuis 2023"
    stamper = ImportStamper(imported)
    found = [(d.code, d.line) for d in map(stamper.finding, imported.findings)]
    assert found == [("I004", 57), ("I007", 100), ("I009", 131), ("I008", 6)]
    assert imported.findings[-1].message == "annotation properties created, creator are not kept"
    _, report = validate_imported(imported)
    assert report is not None and report.diagnostics == ()


def test_what_foreign_annotations_hold_beyond_corpuskit_is_reported() -> None:
    item = _annotation("Iran", 0, 4)
    item["body"] += [
        {"type": "TextualBody", "purpose": "tagging", "value": "Country"},
        {
            "type": "SpecificResource",
            "purpose": "linking",
            "source": "https://www.wikidata.org/entity/Q794",
        },
    ]
    item["target"] = [
        item["target"],
        {
            "source": "https://example.org/news",
            "selector": {"type": "TextQuoteSelector", "exact": "Russia", "suffix": ";"},
        },
    ]
    imported = _read([item])
    assert sorted(codes(imported.findings)) == ["I008", "I008", "I009"]
    assert imported.document.mentions[0].span == (
        Fragment(0, 4, "Iran"),
        Fragment(22, 28, "Russia"),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"{", "not valid JSON"), (b'{"type": "Dataset"}', "not an Annotation")],
)
def test_unreadable_files_are_one_finding(data: bytes, message: str) -> None:
    imported = read_w3c(data, TEXT, "a.jsonld")
    assert imported.document is None
    assert codes(imported.findings) == ["I001"] and message in imported.findings[0].message


# --------------------------------------------------------------------------- round-trip property


chars = st.characters(
    min_codepoint=0x09, max_codepoint=0x10FFFF, exclude_categories=("Cs",)
).filter(lambda c: c not in "\ufffe\uffff" and (c >= " " or c in "\t\n\r"))
texts = st.lists(
    st.one_of(chars, st.sampled_from(["\r\n", "🚀", "é", "e\u0301"])), min_size=1, max_size=40
).map("".join)
free = st.one_of(st.none(), st.lists(chars, max_size=10).map("".join))
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.:-]{0,7}", fullmatch=True)
values = st.one_of(
    st.lists(chars, max_size=8).map("".join),
    st.booleans(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)


def documents() -> st.SearchStrategy[Document]:
    """The shared interchange documents, with this test's alphabets."""
    return interchange_documents(texts, names, values, free, languages=("en", "fr", "zh-Hant-TW"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.sampled_from(["codepoint", "utf16", "utf8"]))
def test_corpuskit_to_web_annotation_to_corpuskit_is_exact(doc: Document, unit: str) -> None:
    exported = write_w3c(doc, unit)
    assert exported.findings == []
    imported = read_w3c(exported.files[".jsonld"].encode(), exported.files[".txt"], "a.jsonld")
    assert imported.findings == []
    assert imported.document == doc


# --------------------------------------------------------------------------- the CLI


def test_cli_round_trip_and_a_missing_text_file(tmp_path: Path) -> None:
    out, back = tmp_path / "out", tmp_path / "back"
    result = run_app("export", "w3c", str(CORPUS_DOC), "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "iran-russia-missiles.jsonld",
        "iran-russia-missiles.txt",
    ]
    (out / "orphan.jsonld").write_text('{"type": "AnnotationPage", "items": []}', "utf-8")
    result = run_app("import", "w3c", str(out), "-o", str(back), "--format", "concise")
    assert result.returncode == 1
    assert re.search(r"orphan\.jsonld:1:1: I001 .*orphan\.txt", result.stdout), result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert (back / "iran-russia-missiles.json").read_bytes() == CORPUS_DOC.read_bytes()


def test_cli_imports_the_hypothesis_fixture_with_warnings(tmp_path: Path) -> None:
    result = run_app(
        "import",
        "w3c",
        str(W3C / "hypothesis.jsonld"),
        "-o",
        str(tmp_path),
        "--offset-unit",
        "utf16",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "hypothesis.jsonld:57:17: I004 q7XbA2: the text at [61, 65) is not the quote 'Lyon'"
        in result.stdout
    )
    assert "0 errors, 4 warnings" in result.stdout
    doc = json_format.load(tmp_path / "hypothesis.json")
    assert len(doc.mentions) == 6
