"""Corpus statistics, checked on the bundled corpus against counts made straight from its JSON."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS as SEED_CORPUS
from conftest import NEGATIVE, POSITIVE, ROOT, run_cli
from corpuskit.model import ANNOTATION_KINDS
from corpuskit.views.stats import corpus_stats, render_json, render_text

VIEWS = ROOT / "tests" / "views"


def _seed_project() -> Path:
    """A project of the test's own: the seed article (both formats, the frozen copy under
    tests/fixtures/seed) and its scheme, and the positive examples."""
    root = Path(tempfile.mkdtemp(prefix="corpuskit-stats-"))
    atexit.register(shutil.rmtree, root, True)
    (root / "corpus").mkdir()
    for f in (*SEED_CORPUS.glob("iran-russia-missiles.*"), SEED_CORPUS / "scheme.toml"):
        shutil.copy(f, root / "corpus" / f.name)
    shutil.copytree(POSITIVE, root / "tests" / "examples" / "positive")
    (root / "corpuskit.toml").write_text('paths = ["corpus"]\nscheme = "corpus/scheme.toml"\n')
    return root


PROJECT = _seed_project()
CORPUS = PROJECT / "corpus"
BUNDLED = CORPUS / "iran-russia-missiles.json"


def run_views(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
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


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """The bundled document as plain JSON, counted independently of corpuskit's model."""
    data: dict[str, Any] = json.loads(BUNDLED.read_text("utf-8"))
    return data


def _name(raw: dict[str, Any], ident: str) -> str:
    entity = next(e for e in raw["entities"] if e["id"] == ident)
    return str(entity["name"])


def test_bundled_corpus_counts(raw: dict[str, Any]) -> None:
    stats = corpus_stats(CORPUS).to_dict()
    assert stats["files"] == 2  # the same document in JSON and in XML
    assert stats["documents"] == 1
    assert stats["duplicates"] == [
        {
            "id": raw["id"],
            "paths": [
                str(CORPUS / "iran-russia-missiles.json"),
                str(CORPUS / "iran-russia-missiles.xml"),
            ],
            "identical": True,
        }
    ]
    assert stats["characters"] == len(raw["text"])
    by_kind = {kind: len(raw.get(kind, [])) for kind in ANNOTATION_KINDS}
    assert stats["annotations"]["by_kind"] == by_kind
    assert stats["annotations"]["total"] == sum(by_kind.values())
    for kind, key in (
        ("mentions", "type"),
        ("entities", "type"),
        ("events", "type"),
        ("relations", "type"),
    ):
        by_type = stats["annotations"]["by_type"][kind]
        assert Counter(by_type) == Counter(a[key] for a in raw[kind])
        assert list(by_type.values()) == sorted(by_type.values(), reverse=True)
    assert stats["annotations"]["by_type"]["quotes"] == dict(
        Counter(q["mode"] for q in raw["quotes"])
    )
    assert stats["unreadable"] == [] and stats["skipped_annotations"] == 0


def test_bundled_quotes_per_speaker(raw: dict[str, Any]) -> None:
    stats = corpus_stats(CORPUS).to_dict()
    expected = Counter(_name(raw, q["speaker"]) for q in raw["quotes"])
    assert Counter(stats["quotes_per_speaker"]) == expected
    assert list(stats["quotes_per_speaker"].values()) == sorted(expected.values(), reverse=True)
    assert stats["quotes_per_speaker"]["Mikhail Bogdanov"] == 3


def test_bundled_kb_coverage(raw: dict[str, Any]) -> None:
    kb = corpus_stats(CORPUS).to_dict()["knowledge_bases"]
    linked = [e for e in raw["entities"] if e.get("links")]
    assert kb["entities"] == len(raw["entities"])
    assert kb["linked"] == len(linked)
    assert kb["coverage"] == pytest.approx(len(linked) / len(raw["entities"]))
    assert kb["links"] == {"wikidata": sum(len(e["links"]) for e in linked)}
    gpe = [e for e in raw["entities"] if e["type"] == "GPE"]
    assert kb["by_type"]["GPE"] == {
        "linked": sum(bool(e.get("links")) for e in gpe),
        "entities": len(gpe),
    }


def test_bundled_attribute_values(raw: dict[str, Any]) -> None:
    values = corpus_stats(CORPUS).to_dict()["attribute_values"]
    expected: dict[str, Counter[str]] = {}
    for a in raw["attributes"]:
        expected.setdefault(a["name"], Counter())[json.dumps(a["value"])] += 1
    assert {name: Counter(v) for name, v in values.items()} == expected
    assert values["negated"] == {"true": 2}


def test_text_rendering_of_the_bundled_corpus(raw: dict[str, Any]) -> None:
    text = render_text([corpus_stats(CORPUS, "corpus")])
    assert text.startswith(f"corpus: 1 document in 2 files, {len(raw['text']):,} characters")
    assert "one document in 2 files (identical)" in text
    assert "Quotes per speaker" in text and "Mikhail Bogdanov" in text
    linked = sum(bool(e.get("links")) for e in raw["entities"])
    total = len(raw["entities"])
    assert (
        f"Knowledge-base links: {linked} of {total} entities linked ({linked / total:.0%})" in text
    )
    assert '"actual"' in text


def test_twins_that_differ_and_unreadable_files_are_reported(tmp_path: Path) -> None:
    shutil.copy(BUNDLED, tmp_path / "a.json")
    record = json.loads(BUNDLED.read_text("utf-8"))
    record["mentions"][0]["note"] = "changed"
    (tmp_path / "b.json").write_text(json.dumps(record), "utf-8")
    shutil.copy(NEGATIVE / "P001-json-syntax.json", tmp_path / "broken.json")
    stats = corpus_stats(tmp_path)
    assert stats.documents == 1 and stats.files == 3
    assert [d.identical for d in stats.duplicates] == [False]
    assert [Path(p).name for p, _ in stats.unreadable] == ["broken.json"]
    assert "they DIFFER" in render_text([stats])
    assert json.loads(render_json([stats]))["corpora"][0]["unreadable"][0]["path"].endswith(
        "broken.json"
    )


def test_a_partly_broken_document_counts_what_is_sound() -> None:
    stats = corpus_stats(NEGATIVE / "S001-missing-property.json")
    assert stats.documents == 1 and stats.skipped_annotations == 1
    assert "fail the schema and are not counted" in render_text([stats])


def test_cli_defaults_to_the_configured_corpus() -> None:
    result = run_views("stats")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("corpus: 1 document in 2 files")


def test_cli_json_and_several_corpora() -> None:
    positive = PROJECT / "tests" / "examples" / "positive"
    result = run_views("stats", str(CORPUS), str(positive), "--format", "json")
    assert result.returncode == 0, result.stderr
    corpora = json.loads(result.stdout)["corpora"]
    assert [c["corpus"] for c in corpora] == ["corpus", "tests/examples/positive"]
    assert [c["documents"] for c in corpora] == [1, 1]


def test_cli_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "stats.json"
    result = run_views("stats", str(CORPUS), "--format", "json", "-o", str(out))
    assert result.returncode == 0 and result.stdout == ""
    assert json.loads(out.read_text("utf-8"))["corpora"][0]["documents"] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["stats", "no/such/folder"],
        ["stats", str(NEGATIVE / "P001-json-syntax.json")],
        ["stats", "--format", "yaml"],
    ],
)
def test_cli_unreadable_input_and_usage_errors_exit_2(args: list[str]) -> None:
    result = run_views(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr


#: What a committed document may hold to attack a terminal: an OSC title with BEL, a clear
#: screen, CSI as one C1 character, a line separator, a bidi override, a line break.
EVIL = "\x1b]0;OWNED\x07\x1b[2J\x9b31m\u2028\u202e\n::error::x"
EVIL_SHOWN = "\\x1b]0;OWNED\\x07\\x1b[2J\\u009b31m\\u2028\\u202e\\n::error::x"
#: Never raw in a report (reporters/escape.py's set, less the line breaks a report is made of).
RAW = set("\x00\x07\x1b\x7f\x85\x9b\u2028\u2029\u202e")


def _evil_project(tmp_path: Path, name: str = EVIL) -> Path:
    import hashlib

    text = "Iran said it."
    record = {
        "corpuskit": "1.0",
        "id": "st",
        "meta": {"title": "t", "language": "en"},
        "offset_unit": "codepoint",
        "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "mentions": [{"id": "m1", "type": "GPE", "span": [{"start": 0, "end": 4, "text": "Iran"}]}],
        "entities": [{"id": "e1", "type": "GPE", "name": name, "mentions": ["m1"]}],
        "quotes": [
            {
                "id": "q1",
                "mode": "direct",
                "span": [{"start": 5, "end": 12, "text": "said it"}],
                "speaker": "e1",
            }
        ],
        "attributes": [{"id": "a1", "target": "m1", "name": "x", "value": EVIL}],
    }
    folder = tmp_path / "corpus\x1b[31m"
    folder.mkdir()
    (folder / "doc\x1b[31m.json").write_text(json.dumps(record), "utf-8")
    (folder / "broken\x1b[2J.json").write_text("{", "utf-8")  # a "skipped" line names it
    return folder


def test_stats_shows_what_documents_and_file_names_hold_escaped(tmp_path: Path) -> None:
    folder = _evil_project(tmp_path)
    result = run_cli("stats", folder.name, cwd=tmp_path)
    assert result.returncode == 2, result.stderr  # (the file it skipped)
    out = result.stdout
    assert not RAW & set(out), sorted(RAW & set(out))
    # the attribute value, escaped whole; the speaker's name too (its spaces made one)
    assert f'"{EVIL_SHOWN}"' in out
    assert out.count("\\x1b]0;OWNED\\x07\\x1b[2J\\u009b31m") == 2
    assert out.startswith("corpus\\x1b[31m: 1 document in 2 files")
    assert "skipped corpus\\x1b[31m/broken\\x1b[2J.json" in out


def test_stats_json_keeps_values_exact_with_no_unsafe_character_raw(tmp_path: Path) -> None:
    folder = _evil_project(tmp_path)
    result = run_cli("stats", folder.name, "--format", "json", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert not RAW & set(result.stdout), sorted(RAW & set(result.stdout))
    (corpus,) = json.loads(result.stdout)["corpora"]
    assert corpus["attribute_values"] == {"x": {f'"{EVIL}"': 1}}


@pytest.mark.parametrize("name", ["::error file=x.py::owned", "##[error]owned", " \t::warning::x"])
def test_stats_never_prints_a_line_a_ci_runner_reads_as_a_command(
    tmp_path: Path, name: str
) -> None:
    # A runner reads "::command" and "##[command]" at the start of a line, after white space.
    folder = _evil_project(tmp_path, name)
    result = run_cli("stats", folder.name, cwd=tmp_path)
    assert "Quotes per speaker" in result.stdout
    for line in result.stdout.splitlines():
        assert not line.lstrip().startswith(("::", "##[")), line
    rows = result.stdout.split("Quotes per speaker\n")[1].split("\n\n")[0].splitlines()
    assert len(rows) == 1 and rows[0].endswith("  1"), rows  # the speaker, shown
