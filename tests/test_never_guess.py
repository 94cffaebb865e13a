"""Repairs that a new annotator found could still put a span on the wrong word: each is now
reported instead of fixed (safe fixes), through the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from conftest import POSITIVE, run_cli
from corpuskit.model import ANNOTATION_KINDS


def _document(text: str, mentions: list[dict[str, Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((POSITIVE / "minimal.json").read_text("utf-8"))
    for kind in ANNOTATION_KINDS:
        doc[kind] = []
    doc["text"] = text
    doc["text_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc["mentions"] = mentions
    return doc


def _mention(ident: str, start: int, end: int, text: str) -> dict[str, Any]:
    return {"id": ident, "type": "GPE", "span": [{"start": start, "end": end, "text": text}]}


def _spans(path: Path) -> list[tuple[int, int]]:
    doc = json.loads(path.read_text("utf-8"))
    return [(m["span"][0]["start"], m["span"][0]["end"]) for m in doc["mentions"]]


def test_a_shift_is_not_fixed_when_another_shift_fits_every_span_too(tmp_path: Path) -> None:
    # -1 and +12 both explain both spans: the offsets do not say which sentence is meant.
    doc = _document(
        "Iran Russia. Iran Russia.", [_mention("m1", 1, 5, "Iran"), _mention("m2", 6, 12, "Russia")]
    )
    path = tmp_path / "two-shifts.json"
    path.write_text(json.dumps(doc), "utf-8")
    for unsafe in ([], ["--unsafe-fixes"]):
        result = run_cli("fix", *unsafe, str(path), cwd=tmp_path)
        assert result.returncode == 1, result.stdout
        assert _spans(path) == [(1, 5), (6, 12)]
        assert "O003" in result.stdout


def test_a_single_far_occurrence_is_only_an_unsafe_fix(tmp_path: Path) -> None:
    # After an edit "Iran ... Tehran" -> "Tehran ... Iran", the span that covered "Tehran" sits
    # on "Iran"; the only "Tehran" is 30 characters away, where another mention already is.
    text = "Tehran has sent missiles. Then Iran denied it."
    doc = _document(text, [_mention("m1", 0, 6, "Tehran"), _mention("m4", 31, 35, "Tehran")])
    doc["mentions"][1]["span"][0]["end"] = 37  # "Iran d": covers as many characters as before
    path = tmp_path / "far.json"
    path.write_text(json.dumps(doc), "utf-8")
    before = _spans(path)
    result = run_cli("fix", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert _spans(path) == before
    shown = run_cli("validate", str(path), cwd=tmp_path).stdout
    assert "characters away" in shown and "--unsafe-fixes" in shown


def test_a_slip_of_a_few_characters_onto_the_only_occurrence_is_still_safe(
    tmp_path: Path,
) -> None:
    text = "Missiles went from Iran to Russia."
    doc = _document(text, [_mention("m1", 21, 25, "Iran")])
    path = tmp_path / "slip.json"
    path.write_text(json.dumps(doc), "utf-8")
    assert run_cli("fix", str(path), cwd=tmp_path).returncode == 0
    assert _spans(path) == [(19, 23)]


def test_one_span_is_no_evidence_for_utf16_over_a_slip(tmp_path: Path) -> None:
    # "]" at [5, 6) covers ">": in UTF-16 units (the flag is four) it is [3, 4), one character
    # back it is [4, 5); both are "]". Found by hypothesis (test_fix's slipped-span property).
    text = "0\U0001f1fa\U0001f1e6]]>"
    doc = _document(text, [_mention("m1", 5, 6, "]")])
    path = tmp_path / "flag.json"
    path.write_text(json.dumps(doc), "utf-8")
    for unsafe in ([], ["--unsafe-fixes"]):
        result = run_cli("fix", *unsafe, str(path), cwd=tmp_path)
        assert result.returncode == 1, result.stdout
        assert _spans(path) == [(5, 6)]
    shown = run_cli("validate", str(path), cwd=tmp_path).stdout
    assert "UTF-16" in shown and "[3, 4)" in shown and "[4, 5)" in shown


def test_one_span_in_utf16_units_onto_the_only_occurrence_is_still_fixed(tmp_path: Path) -> None:
    text = "\U0001f1fa\U0001f1e6 Kyiv said."
    doc = _document(text, [_mention("m1", 5, 9, "Kyiv")])  # [3, 7) in code points
    path = tmp_path / "kyiv.json"
    path.write_text(json.dumps(doc), "utf-8")
    assert run_cli("fix", str(path), cwd=tmp_path).returncode == 0
    assert _spans(path) == [(3, 7)]


def test_a_raw_line_break_in_an_xml_attribute_is_refused_not_read_as_a_space(
    tmp_path: Path,
) -> None:
    # XML reads a literal line break in an attribute as a space: suffix="⏎Russia" would become
    # " Russia" and pick the second "Iran" without a word.
    (tmp_path / "x.txt").write_text("Iran\nRussia talks began. Iran Russia talks ended.")
    assert (
        run_cli(
            "new", "x.txt", "-o", "x.xml", "--title", "T", "--language", "en", cwd=tmp_path
        ).returncode
        == 0
    )
    path = tmp_path / "x.xml"
    frag = '<mention id="m1" type="GPE"><span><frag suffix="\nRussia">Iran</frag></span></mention>'
    path.write_text(path.read_text().replace("<mentions/>", f"<mentions>{frag}</mentions>"))
    result = run_cli("fix", "x.xml", cwd=tmp_path)
    assert result.returncode == 1 and "P007" in result.stdout and "&#10;" in result.stdout
    assert 'start="' not in path.read_text()
    escaped = frag.replace('suffix="\n', 'suffix="&#10;')
    path.write_text(path.read_text().replace(frag, escaped))
    assert run_cli("fix", "x.xml", cwd=tmp_path).returncode == 0
    assert 'start="0" end="4"' in path.read_text()
