"""brat cases of issue 17, each a small brat folder in tests/interop/brat_cases/.

Each case is imported (validated under the scheme converted from its annotation.conf, when it
has one) and exported back through the real commands; the lines that come back are compared
with the lines read, as a multiset (the writer groups lines by kind).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from conftest import ROOT
from corpuskit.interop.brat import brat_to_document, write_brat
from corpuskit.interop.bratconf import convert_conf
from corpuskit.interop.common import scheme_from_text

CASES = ROOT / "tests" / "interop" / "brat_cases"
CLI_APP = ROOT / "tests" / "interop" / "cli_app.py"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CLI_APP), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def round_trip(case: str, tmp_path: Path) -> tuple[int, list[str], dict[str, Any], list[str]]:
    """Import then export one case folder: (import exit code, its concise diagnostics, the
    imported document, the exported .ann lines)."""
    shutil.copytree(CASES / case, tmp_path / case)
    imported = _run("import", "brat", case, "-o", "imported", "--format", "concise", cwd=tmp_path)
    diagnostics = [ln for ln in imported.stdout.splitlines() if ln.startswith(f"{case}/")]
    document = tmp_path / "imported" / "doc.json"
    if not document.exists():
        return imported.returncode, diagnostics, {}, []
    exported = _run("export", "brat", "imported", "-o", "exported", cwd=tmp_path)
    assert exported.returncode == 0, exported.stdout + exported.stderr
    lines = (tmp_path / "exported" / "doc.ann").read_text("utf-8").splitlines()
    return imported.returncode, diagnostics, json.loads(document.read_text("utf-8")), lines


def ann_lines(case: str) -> list[str]:
    return (CASES / case / "doc.ann").read_text("utf-8").splitlines()


def test_an_undeclared_database_is_warned_at_its_line_imported_and_kept(tmp_path: Path) -> None:
    code, diagnostics, doc, lines = round_trip("normalization", tmp_path)
    assert code == 0
    assert [d.split(" ")[0:2] for d in diagnostics] == [["normalization/doc.ann:3:1:", "I014"]]
    assert "Wikipedia" in diagnostics[0]
    assert [link for e in doc["entities"] for link in e["links"]] == [
        {"kb": "Wikipedia", "id": "534366"},
        {"kb": "GeoNames", "id": "588409"},
    ]
    assert Counter(lines) == Counter(ann_lines("normalization"))
    # tools.conf's <URLBASE> is the entry link; <URL> (the home page) is not.
    scheme = (tmp_path / "imported" / "scheme.toml").read_text("utf-8")
    assert 'url = "https://www.geonames.org/{id}"' in scheme


def test_urlbase_wins_over_url_and_a_url_without_an_id_is_no_link() -> None:
    tools = "[normalization]\nA\t<URL>:https://a.org/\nB\t<URL>:https://b.org/q=%s, <URLBASE>:https://b.org/e/%s\n"
    toml_text, conf, findings = convert_conf(
        "[entities]\nX\n", "annotation.conf", tools, "tools.conf"
    )
    scheme = scheme_from_text(toml_text, "scheme.toml")
    assert scheme.knowledge_bases["A"].url is None
    assert scheme.knowledge_bases["B"].url == "https://b.org/e/{id}"
    assert conf.databases == frozenset({"A", "B"})
    assert findings == []


def test_numbered_roles_pair_as_brat_pairs_them(tmp_path: Path) -> None:
    code, diagnostics, doc, lines = round_trip("numbered", tmp_path)
    assert (code, diagnostics) == (0, [])
    # brat strips every role's digits (Theme1 too) ...
    roles = [(a["role"], a["ref"]) for a in doc["events"][0]["args"]]
    assert roles == [
        ("Theme", "T1"),
        ("Theme", "T2"),
        ("Theme", "T3"),
        ("Site", "T4"),
        ("Site", "T5"),
    ]
    # ... and Site2 stays with Theme2, Site3 with Theme3.
    assert "E1\tBinding:T6 Theme1:T1 Theme2:T2 Theme3:T3 Site2:T4 Site3:T5" in lines
    assert Counter(lines) == Counter(ann_lines("numbered"))


def test_pairing_is_not_claimed_once_the_arguments_change() -> None:
    text = (CASES / "numbered" / "doc.txt").read_text("utf-8")
    imported = brat_to_document(text, (CASES / "numbered" / "doc.ann").read_text("utf-8"), "d")
    assert imported.document is not None
    doc = imported.document
    event = doc.events[0]
    edited = type(doc)(
        id=doc.id,
        meta=doc.meta,
        text=doc.text,
        text_sha256=doc.text_sha256,
        mentions=doc.mentions,
        events=(type(event)(event.id, event.type, event.trigger, event.args[:4]),),
        attributes=doc.attributes,
    )
    exported = write_brat(edited)
    assert "E1\tBinding:T6 Theme:T1 Theme2:T2 Theme3:T3 Site:T4" in exported.files[".ann"]
    assert [f.rule.code for f in exported.findings] == ["I008"]
    assert "no longer matches" in exported.findings[0].message


def test_one_name_as_span_type_and_relation_type(tmp_path: Path) -> None:
    code, diagnostics, doc, lines = round_trip("shared-name", tmp_path)
    assert (code, diagnostics) == (0, [])
    assert doc["mentions"][1]["type"] == "_question_"
    assert doc["relations"][0]["type"] == "_question_:relation"
    assert Counter(lines) == Counter(ann_lines("shared-name"))


def test_every_note_type_is_kept_with_its_id(tmp_path: Path) -> None:
    code, diagnostics, doc, lines = round_trip("notes", tmp_path)
    assert (code, diagnostics) == (0, [])
    assert doc["mentions"][0]["note"] == "check the tense"
    assert [(a["id"], a["name"], a["value"]) for a in doc["attributes"]] == [
        ("note1", "note:Lemma", "cross"),
        ("note3", "note:POS", "VBD"),
    ]
    assert Counter(lines) == Counter(ann_lines("notes"))


def test_alias_stays_alias(tmp_path: Path) -> None:
    code, diagnostics, doc, lines = round_trip("alias", tmp_path)
    assert (code, diagnostics) == (0, [])
    assert doc["entities"][0]["mentions"] == ["T1", "T2"]
    assert "*\tAlias T1 T2" in lines
    assert Counter(lines) == Counter(ann_lines("alias"))


def test_several_triggers_on_one_span_keep_their_ids(tmp_path: Path) -> None:
    code, diagnostics, doc, lines = round_trip("triggers", tmp_path)
    assert (code, diagnostics) == (0, [])
    assert [e["id"] for e in doc["events"]] == ["E1", "E2"]
    assert Counter(lines) == Counter(ann_lines("triggers"))


def test_a_second_normalisation_keeps_its_text(tmp_path: Path) -> None:
    code, diagnostics, doc, lines = round_trip("second-norm", tmp_path)
    assert diagnostics == []
    assert code == 0
    assert doc["entities"][0]["name"] == "Paris"
    assert "N2\tReference T1 GeoNames:2988507\tParis, France" in lines
    assert Counter(lines) == Counter(ann_lines("second-norm"))


def test_without_an_overlap_line_overlapping_entities_are_an_error(tmp_path: Path) -> None:
    code, diagnostics, doc, _ = round_trip("overlap", tmp_path)
    assert code == 1 and doc == {}
    assert [d.split(" ")[1] for d in diagnostics] == ["C012"]
    scheme = (tmp_path / "imported" / "scheme.toml").read_text("utf-8")
    assert 'mention_overlap = "none"' in scheme


def test_an_equivalence_of_one_annotation_with_itself_is_reported_and_kept(
    tmp_path: Path,
) -> None:
    code, diagnostics, doc, lines = round_trip("self-equiv", tmp_path)
    assert doc["entities"][0]["mentions"] == ["T2", "T2"]
    assert code == 0
    assert [d.split(" ")[0:2] for d in diagnostics] == [["self-equiv/doc.ann:3:1:", "I014"]]
    assert (
        "T2, more than once" not in diagnostics[0] and "lists T2 more than once" in diagnostics[0]
    )
    assert Counter(lines) == Counter(ann_lines("self-equiv"))


def test_trailing_whitespace_brat_writes_is_kept(tmp_path: Path) -> None:
    code, diagnostics, doc, lines = round_trip("whitespace", tmp_path)
    assert (code, diagnostics) == (0, [])
    assert "E1\tInhibition:T3 " in lines and "R1\tTargets Arg1:T1 Arg2:T2\t" in lines
    assert doc["mentions"][0]["note"] == "check  "
    assert Counter(lines) == Counter(ann_lines("whitespace"))


def test_a_kept_line_with_a_huge_id_number_is_no_crash() -> None:
    # Found by the fuzzer (seed 23, brat case 3764): int() refuses over 4,300 digits.
    from corpuskit.interop.bratconf import LINE_ATTRIBUTE
    from corpuskit.model import Attribute, Document, Fragment, Mention, Metadata, text_sha256

    text = "Iran sent missiles."
    line = "T" + "1" * 4301 + "\tGPE 0 4\tIran"
    doc = Document(
        "d",
        Metadata("t", "en"),
        text,
        text_sha256(text),
        mentions=(Mention("T1", "GPE", (Fragment(0, 4, "Iran"),)),),
        attributes=(Attribute("A1", "T1", LINE_ATTRIBUTE, line),),
    )
    exported = write_brat(doc)
    assert "\tGPE 0 4\tIran" in exported.files[".ann"]
