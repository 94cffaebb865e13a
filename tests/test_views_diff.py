"""The semantic diff: pairing, text edits, renderings, --git and the textconv driver."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import CORPUS, NEGATIVE, ROOT
from corpuskit.formats import json_format, xml_format
from corpuskit.model import Document, Fragment
from corpuskit.views.diff import DocumentDiff, diff_documents
from corpuskit.views.diff_report import render_markdown, render_text, render_textconv
from corpuskit.views.text_edits import OffsetMap, text_edits

VIEWS = ROOT / "tests" / "views"
BUNDLED = CORPUS / "iran-russia-missiles.json"
POSITIVE_MINIMAL = ROOT / "tests" / "examples" / "positive" / "minimal.json"


def run_views(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run the view commands (tests/views/cli_app.py) in a real subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, str(VIEWS / "cli_app.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def fixtures() -> ModuleType:
    """tests/views/make_fixtures.py, loaded by path (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_fixtures", VIEWS / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pair(name: str) -> tuple[Document, Document]:
    old = json_format.load(VIEWS / f"{name}.old.json")
    new = json_format.load(VIEWS / f"{name}.new.json")
    return old, new


def statuses(diff: DocumentDiff) -> set[tuple[str, str | None, str | None]]:
    return {(c.status, c.old_id, c.new_id) for c in diff.changes}


def fields_of(diff: DocumentDiff, ident: str) -> dict[str, Any]:
    change = next(c for c in diff.changes if c.id == ident)
    return {f.field: f for f in change.changes}


@pytest.fixture
def bundled_v2(tmp_path: Path) -> Path:
    """A second version of the bundled document: text fix, span fix, new mention, renumbering."""
    make = fixtures()
    path = tmp_path / "iran-russia-missiles.json"
    make.dump(make.bundled_second_version(make.load(BUNDLED)), path)
    return path


# ---------------------------------------------------------------- fixtures on disk


def test_fixture_files_are_what_the_generator_makes(tmp_path: Path) -> None:
    written = fixtures().write_pairs(tmp_path)
    for path in written:
        assert path.read_bytes() == (VIEWS / path.name).read_bytes(), path.name


def test_fixture_versions_are_valid_documents() -> None:
    for path in sorted(VIEWS.glob("*.json")):
        json_format.load(path)  # raises DocumentError if not


# ---------------------------------------------------------------- pairing


def test_identical_documents_have_no_differences() -> None:
    doc = json_format.load(BUNDLED)
    diff = diff_documents(doc, doc)
    assert diff.empty
    assert diff.changes == () and diff.text_edits == () and diff.shifted == ()
    assert diff.unchanged == len(doc.annotations())
    assert "no differences" in render_text([diff])


def test_renumbered_ids_are_paired_by_span_and_type() -> None:
    diff = diff_documents(*pair("renumbered"))
    assert statuses(diff) == {
        ("added", None, "m6"),
        ("renumbered", "m6", "m7"),
        ("added", None, "e3"),
        ("renumbered", "e3", "e4"),
    }
    # The quote, claim and relation point at the renumbered entity under its new id: no change.
    assert diff.summary()["changed"] == 0
    renumbered = next(c for c in diff.changes if c.old_id == "e3")
    assert renumbered.changes == ()
    assert renumbered.label == "Iranian official"


def test_swapped_ids_are_two_renumberings_not_two_changes() -> None:
    old = json_format.load(VIEWS / "renumbered.old.json")
    make = fixtures()
    record = make.load(VIEWS / "renumbered.old.json")
    make.rename(record, "m5", "tmp")
    make.rename(record, "m6", "m5")
    make.rename(record, "tmp", "m6")
    new = json_format.loads(json.dumps(record))
    diff = diff_documents(old, new)
    assert statuses(diff) == {("renumbered", "m5", "m6"), ("renumbered", "m6", "m5")}


def test_text_edits_shift_offsets_without_reporting_every_annotation() -> None:
    diff = diff_documents(*pair("text-edit"))
    assert [(e.old_start, e.old_end, e.old_text, e.new_text) for e in diff.text_edits] == [
        (5, 5, "", "has "),
        (22, 22, "", "ballistic "),
    ]
    assert [e.shift_after for e in diff.text_edits] == [4, 14]
    assert statuses(diff) == {("changed", "m5", "m5"), ("changed", "c1", "c1")}
    span = fields_of(diff, "m5")["span"]
    assert span.old[0]["text"] == "an official" and span.new[0]["text"] == "official"
    assert fields_of(diff, "c1")["span"].new[0]["text"].startswith("Iran has sent")
    # Everything after the first insertion moved with the text; m1 ("Iran") did not move.
    assert set(diff.shifted) == {"m2", "m3", "m4", "m6", "q1", "ev1"}
    assert diff.unchanged == 6


def test_field_changes_of_every_sort() -> None:
    diff = diff_documents(*pair("fields"))
    assert statuses(diff) == {
        ("changed", "m1", "m1"),
        ("changed", "m4", "m4"),
        ("changed", "e1", "e1"),
        ("changed", "e2", "e2"),
        ("changed", "e3", "e3"),
        ("changed", "q1", "q1"),
        ("changed", "ev1", "ev1"),
        ("changed", "a1", "a1"),
        ("removed", "r1", None),
    }
    assert [(c.field, c.old, c.new) for c in diff.meta_changes] == [
        ("meta.title", "A minimal corpuskit document", "A minimal corpuskit document, revised")
    ]
    assert fields_of(diff, "m4")["type"].new == "LOC"
    assert fields_of(diff, "m1")["note"].old is None
    assert fields_of(diff, "e1")["links"].added == ({"kb": "wikidata", "id": "Q1"},)
    assert fields_of(diff, "e2")["links"].removed == ({"kb": "wikidata", "id": "Q159"},)
    assert fields_of(diff, "e3")["mentions"].removed == ({"id": "m6", "label": "“he”"},)
    speaker = fields_of(diff, "q1")["speaker"]
    assert (speaker.old, speaker.new, speaker.new_label) == ("e3", "m6", "“he”")
    args = fields_of(diff, "ev1")["args"]
    assert args.added == ({"role": "quantity", "ref": "m2", "label": "“roughly 400”"},)
    assert args.removed == ({"role": "recipient", "ref": "e2", "label": "Russia"},)
    assert fields_of(diff, "a1")["value"].new == "future"


def test_bundled_document_second_version(bundled_v2: Path) -> None:
    old, new = json_format.load(BUNDLED), json_format.load(bundled_v2)
    diff = diff_documents(old, new)
    assert [(e.old_text, e.new_text, e.shift_after) for e in diff.text_edits] == [
        ("U.N.", "UN", -2)
    ]
    assert statuses(diff) == {
        ("changed", "m23", "m23"),
        ("added", None, "m94"),
        ("changed", "m53", "m53"),
        ("renumbered", "e40", "e41"),
        ("changed", "ev12", "ev12"),
    }
    assert fields_of(diff, "ev12")["args"].added[0]["ref"] == "m94"
    # Events that point at the renumbered entity are not reported as changed.
    assert not any(c.id in ("ev1", "ev2", "ev3", "ev15", "ev16") for c in diff.changes)
    assert len(diff.shifted) > 50


def test_the_format_does_not_matter(bundled_v2: Path, tmp_path: Path) -> None:
    xml = tmp_path / "new.xml"
    xml.write_text(xml_format.dumps(json_format.load(bundled_v2)), "utf-8")
    from_json = diff_documents(json_format.load(BUNDLED), json_format.load(bundled_v2))
    from_xml = diff_documents(json_format.load(BUNDLED), xml_format.load(xml))
    assert from_json.to_dict() == from_xml.to_dict()


def test_added_and_deleted_documents_are_summarised() -> None:
    doc = json_format.load(BUNDLED)
    added = diff_documents(None, doc, None, "x.json")
    assert added.status == "added" and added.counts["mentions"] == len(doc.mentions)
    assert "new document" in render_text([added])
    deleted = diff_documents(doc, None, "x.json", None)
    assert "Deleted document" in render_markdown([deleted])


# ---------------------------------------------------------------- text edits and offsets


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("Iran sent x", "Iran has sent x", [(5, 5, "", "has ")]),
        ("the U.N. Council", "the UN Council", [(4, 8, "U.N.", "UN")]),
        ("Russia, and", "Russian, and", [(0, 6, "Russia", "Russian")]),
        ("to Russia.", "to Russia now.", [(9, 9, "", " now")]),
        ("a  b", "a b", [(2, 3, " ", "")]),
        ("", "abc", [(0, 0, "", "abc")]),
        ("same", "same", []),
    ],
)
def test_text_edits_are_whole_words(
    old: str, new: str, expected: list[tuple[int, int, str, str]]
) -> None:
    assert [
        (e.old_start, e.old_end, e.old_text, e.new_text) for e in text_edits(old, new)
    ] == expected


def test_offset_map_around_an_insertion_and_a_replacement() -> None:
    offsets = OffsetMap(text_edits("abc def ghi", "abc XY def gh!"))
    assert offsets.start(0) == 0 and offsets.end(3) == 3  # before the edits
    assert offsets.span((Fragment(4, 7, "def"),)) == ((7, 10, "def"),)  # after the insertion
    assert offsets.start(8) is None and offsets.end(10) is None  # inside the replaced "ghi"
    assert offsets.end(11) == 14  # the end of the text is still the end of the text


@given(
    text=st.text(alphabet="ab .\n", min_size=1, max_size=40),
    data=st.data(),
)
def test_spans_clear_of_edits_map_to_the_same_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    inserted = data.draw(st.text(alphabet="ab .\n", max_size=5))
    new = text[:start] + inserted + text[end:]
    edits = text_edits(text, new)
    offsets = OffsetMap(edits)
    for a in range(len(text) + 1):
        for b in range(a + 1, len(text) + 1):
            clear = all(e.old_end <= a or e.old_start >= b for e in edits)
            mapped = offsets.span((Fragment(a, b, text[a:b]),))
            if clear:
                assert mapped is not None
                ((s, e, _),) = mapped
                assert new[s:e] == text[a:b]


# ---------------------------------------------------------------- command line


def test_cli_text_markdown_and_json(bundled_v2: Path) -> None:
    text = run_views("diff", str(BUNDLED), str(bundled_v2))
    assert text.returncode == 0, text.stderr
    assert "replaced “U.N.” at [573, 577) with “UN”; offsets from 577 on: -2" in text.stdout
    assert "renumbered  entity e40 → e41" in text.stdout
    assert "span: [1443, 1455) “the Cold War” → [1445, 1453) “Cold War”" in text.stdout
    markdown = run_views("diff", str(BUNDLED), str(bundled_v2), "--format", "markdown")
    assert markdown.returncode == 0
    assert "| renumbered | entity `e40` → `e41` |" in markdown.stdout
    assert markdown.stdout.startswith("## Annotation changes")
    data = json.loads(run_views("diff", str(BUNDLED), str(bundled_v2), "--format", "json").stdout)
    (document,) = data["documents"]
    assert document["summary"] == {
        "added": 1,
        "removed": 0,
        "changed": 3,
        "renumbered": 1,
        "shifted": len(document["shifted"]),
    }


def test_cli_writes_output_file(bundled_v2: Path, tmp_path: Path) -> None:
    out = tmp_path / "diff.md"
    result = run_views(
        "diff", str(BUNDLED), str(bundled_v2), "--format", "markdown", "-o", str(out)
    )
    assert result.returncode == 0 and result.stdout == ""
    assert "Annotation changes" in out.read_text("utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["diff", str(BUNDLED)],
        ["diff", str(BUNDLED), str(BUNDLED), "--format", "yaml"],
        ["diff", str(BUNDLED), "missing.json"],
        ["diff", str(BUNDLED), str(NEGATIVE / "P001-json-syntax.json")],
        ["diff", "--textconv", str(BUNDLED), str(BUNDLED)],
    ],
)
def test_cli_usage_and_unreadable_input_exit_2(args: list[str]) -> None:
    result = run_views(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("corpuskit: error:")


def test_a_partly_broken_document_is_diffed_with_a_note() -> None:
    result = run_views("diff", str(POSITIVE_MINIMAL), str(NEGATIVE / "S001-missing-property.json"))
    assert result.returncode == 0, result.stderr
    assert "annotations fail the schema and are left out" in result.stdout


# ---------------------------------------------------------------- textconv


def test_textconv_is_stable_and_line_per_annotation() -> None:
    doc = json_format.load(BUNDLED)
    rendered = render_textconv(doc)
    assert rendered == render_textconv(json_format.load(BUNDLED))
    lines = rendered.splitlines()
    assert sum(line.startswith("mention ") for line in lines) == len(doc.mentions)
    assert sum(line.startswith("attribute ") for line in lines) == len(doc.attributes)
    assert "mention m1 GPE @1:0-4 “Iran”" in lines
    result = run_views("diff", "--textconv", str(CORPUS / "iran-russia-missiles.xml"))
    assert result.returncode == 0 and result.stdout == rendered


def test_textconv_shows_a_mismatched_span_and_passes_broken_files_through() -> None:
    rendered = run_views("diff", "--textconv", str(NEGATIVE / "O003-span-text-mismatch.json"))
    assert "“Russia” ≠ text “ussia,”" in rendered.stdout
    broken = NEGATIVE / "P001-json-syntax.json"
    result = run_views("diff", "--textconv", str(broken))
    assert result.returncode == 0
    assert result.stdout == broken.read_text("utf-8")


# ---------------------------------------------------------------- git


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, bundled_v2: Path) -> Path:
    """A repository whose first commit has the bundled corpus and whose second edits it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    (root / "corpus").mkdir(parents=True)
    for f in CORPUS.iterdir():
        shutil.copy(f, root / "corpus" / f.name)
    (root / "settings.json").write_text('{"not": "a document"}\n', "utf-8")
    git(root, "init", "-q")
    git(root, "config", "user.email", "test@example.org")
    git(root, "config", "user.name", "test")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    shutil.copy(bundled_v2, root / "corpus" / "iran-russia-missiles.json")
    (root / "settings.json").write_text('{"not": "a document", "changed": true}\n', "utf-8")
    return root


def test_git_working_tree_against_head(repo: Path) -> None:
    result = run_views("diff", "--git", "HEAD", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "corpus/iran-russia-missiles.json" in result.stdout
    assert "renumbered  entity e40 → e41" in result.stdout
    assert "settings.json" not in result.stdout  # changed, but not a corpuskit document


def test_git_ranges_additions_deletions_and_renames(repo: Path) -> None:
    git(repo, "commit", "-qam", "second")
    shutil.copy(NEGATIVE.parent / "positive" / "minimal.json", repo / "corpus" / "new.json")
    git(repo, "rm", "-q", "corpus/iran-russia-missiles.xml")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "third")
    second = run_views("diff", "--git", "HEAD~2..HEAD~1", "--format", "json", cwd=repo)
    (document,) = json.loads(second.stdout)["documents"]
    assert document["summary"]["renumbered"] == 1
    third = json.loads(run_views("diff", "--git", "HEAD~1..", "--format", "json", cwd=repo).stdout)
    assert sorted((d["status"], d["old_path"] or d["new_path"]) for d in third["documents"]) == [
        ("added", "HEAD:corpus/new.json"),
        ("deleted", "HEAD~1:corpus/iran-russia-missiles.xml"),
    ]
    both = run_views("diff", "--git", "HEAD~2...HEAD", "corpus/new.json", cwd=repo)
    assert both.returncode == 0 and "new document" in both.stdout
    assert "iran-russia-missiles" not in both.stdout  # limited by the path given


def test_git_errors_exit_2(repo: Path, tmp_path: Path) -> None:
    unknown = run_views("diff", "--git", "no-such-ref", cwd=repo)
    assert unknown.returncode == 2
    assert "unknown revision 'no-such-ref'" in unknown.stderr
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = run_views("diff", "--git", "HEAD", cwd=outside)
    assert result.returncode == 2
    assert "not inside a git work tree" in result.stderr
    assert "Traceback" not in unknown.stderr + result.stderr


def test_git_diff_driver_with_textconv(repo: Path) -> None:
    (repo / ".gitattributes").write_text("*.json diff=corpuskit\n*.xml diff=corpuskit\n", "utf-8")
    command = f"{sys.executable} {VIEWS / 'cli_app.py'} diff --textconv"
    git(repo, "config", "diff.corpuskit.textconv", command)
    shown = git(repo, "diff", "HEAD", "--", "corpus/iran-russia-missiles.json")
    assert "+mention m94 PER @5:431-447 “civilian targets”" in shown
    assert "-mention m53 DATE @7:150-162 “the Cold War”" in shown
    assert "+mention m53 DATE @7:154-162 “Cold War”" in shown
    # Paragraphs the text edit did not touch keep their lines.
    assert "-mention m41" not in shown and "+mention m41" not in shown


def test_diff_of_a_copy_is_not_affected_by_mutating_fixtures() -> None:
    make = fixtures()
    record = make.load(BUNDLED)
    before = copy.deepcopy(record)
    make.bundled_second_version(record)
    assert record == before
