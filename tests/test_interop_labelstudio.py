"""Label Studio JSON: regions and relations both ways, code point offsets, old UTF-16 exports.

Fixtures: tests/interop/multikind/newsroom.json; tests/interop/labelstudio/issue-1347.json (the
task of HumanSignal/label-studio#1347: an old Label Studio counted UTF-16 units after an emoji)
and two-annotators.json (region ids and Cyrillic labels as in HumanSignal/label-studio#539, a
left relation, a choices result, a cancelled annotation and a prediction).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hypothesis import given, settings

from conftest import run_cli
from corpuskit.formats import json_format
from corpuskit.interop.common import validate_imported
from corpuskit.interop.labelstudio import read_labelstudio, write_labelstudio
from corpuskit.model import Document
from strategies import documents

HERE = Path(__file__).parent / "interop"
NEWSROOM = HERE / "multikind" / "newsroom.json"
CLAIM_CUE = Path(__file__).parent / "fixtures" / "claim-cue.json"


def test_the_newsroom_round_trip_keeps_regions_and_relations() -> None:
    doc = json_format.loads(NEWSROOM.read_bytes())
    exported = write_labelstudio(doc)
    task = json.loads(exported.files[".labelstudio.json"])[0]
    reuters = next(r for r in task["annotations"][0]["result"] if r.get("id") == "m4")
    # Code points, as Label Studio counts them: "Reuters" follows 🗳 and starts at 54.
    assert reuters["value"] == {"start": 54, "end": 61, "text": "Reuters", "labels": ["ORG"]}
    (back,) = read_labelstudio(exported.files[".labelstudio.json"].encode(), "x", "newsroom")
    assert back.findings == [] and back.document is not None
    assert back.document.id == "newsroom" and back.document.meta == doc.meta
    assert [(m.id, m.type, m.span[0]) for m in back.document.mentions] == [
        (m.id, m.type, m.span[0]) for m in doc.mentions
    ]
    (relation,) = back.document.relations
    assert (relation.type, [(a.role, a.ref) for a in relation.args]) == (
        "mayor_of",
        [("from", "m1"), ("to", "m2")],
    )
    lost = {(f.rule.code, f.annotation_id or f.pointer) for f in exported.findings}
    assert {("I008", "m9"), ("I009", "r1"), ("I008", "/entities"), ("I008", "/events")} <= lost
    assert validate_imported(back)[1] is not None


def test_a_claim_and_its_cue_are_reported_not_written() -> None:
    # Label Studio tasks hold labelled regions: no region for the claim or its cue "informed".
    exported = write_labelstudio(json_format.load(CLAIM_CUE))
    (task,) = json.loads(exported.files[".labelstudio.json"])
    regions = [r["value"]["text"] for r in task["annotations"][0]["result"] if "value" in r]
    assert regions == ["Numerous sources", "Reuters"]
    (claims,) = [f for f in exported.findings if f.pointer == "/claims"]
    assert claims.rule.code == "I008" and claims.message.startswith("1 claim is not written")


def test_an_old_utf16_export_is_named_and_reads_with_the_unit() -> None:
    data = (HERE / "labelstudio" / "issue-1347.json").read_bytes()
    (as_codepoints,) = read_labelstudio(data, "i.json", "i")
    assert [f.rule.code for f in as_codepoints.findings] == ["I003"]
    assert "UTF-16 code units 1 of 1 match" in as_codepoints.findings[0].message
    (as_utf16,) = read_labelstudio(data, "i.json", "i", unit="utf16")
    assert as_utf16.findings == [] and as_utf16.document is not None
    (mention,) = as_utf16.document.mentions
    assert (mention.id, mention.span[0].start, mention.span[0].text) == (
        "BtfOIVC3G2",
        12,
        "annotation",
    )


def test_each_annotator_is_a_document_and_unread_results_are_named() -> None:
    data = (HERE / "labelstudio" / "two-annotators.json").read_bytes()
    first, second = read_labelstudio(data, "t.json", "t")
    assert (first.name, second.name) == ("t-1", "t-3")
    assert first.document is not None and second.document is not None
    (relation,) = first.document.relations
    # direction "left": from the to_id region to the from_id region.
    assert [a.ref for a in relation.args] == ["wRpqxOZF08", "m5n2MsvFQur"]
    messages = " | ".join(f.message for f in first.findings)
    assert "1 cancelled annotation(s) are not read" in messages
    assert "1 prediction(s) are not read" in messages
    assert "1 choices result(s) are not read" in messages
    assert "5n2MsvFQur → m5n2MsvFQur" in messages  # an id must not start with a digit


def test_a_task_whose_text_field_is_ambiguous_is_refused() -> None:
    data = json.dumps([{"data": {"title": "a", "body": "b"}}]).encode()
    (refused,) = read_labelstudio(data, "a.json", "a")
    assert refused.document is None and refused.findings[0].rule.code == "I001"
    assert "which is the text?" in refused.findings[0].message


@settings(max_examples=25, deadline=None)
@given(documents())
def test_first_fragments_survive_every_unit(doc: Document) -> None:
    for unit in ("codepoint", "utf16", "utf8"):
        text = write_labelstudio(doc, unit).files[".labelstudio.json"]
        (back,) = read_labelstudio(text.encode(), "p.json", "p")
        assert back.document is not None and back.errors == 0
        assert [m.span[0] for m in back.document.mentions] == [m.span[0] for m in doc.mentions]


def test_cli_round_trip(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(NEWSROOM, tmp_path / "in")
    out = run_cli("export", "labelstudio", "in", "-o", "ls", "--format", "concise", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "ls" / "newsroom.labelstudio.xml").read_text("utf-8").startswith("<View>")
    back = run_cli("import", "labelstudio", "ls", "-o", "back", "--format", "concise", cwd=tmp_path)
    assert back.returncode == 0, back.stdout + back.stderr
    assert json_format.loads((tmp_path / "back" / "newsroom.json").read_bytes()).id == "newsroom"
