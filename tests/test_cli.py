"""The CLI through a real subprocess: exit codes, positions, output formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import (
    BUNDLED_CORPUS,
    BUNDLED_PROJECT,
    CORPUS,
    NEGATIVE,
    POSITIVE,
    ROOT,
    expected_negatives,
    run_cli,
)
from corpuskit.diagnostics import Severity
from corpuskit.rules import RULE_BY_CODE

LINE = re.compile(r"^(?P<path>[^\n:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]\d{3}) ", re.M)


@pytest.mark.parametrize("name", sorted(expected_negatives()))
def test_negative_example_reports_its_code_at_its_position(name: str) -> None:
    code, line, col = expected_negatives()[name]
    result = run_cli("validate", "--format", "concise", str(NEGATIVE / name))
    found = [(m["code"], int(m["line"]), int(m["col"])) for m in LINE.finditer(result.stdout)]
    assert found == [(code, line, col)], result.stdout + result.stderr
    is_error = RULE_BY_CODE[str(code)].severity is Severity.ERROR
    assert result.returncode == (1 if is_error else 0)


def test_every_negative_example_in_one_run_gives_no_traceback() -> None:
    result = run_cli("validate", str(NEGATIVE))
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert "P999" not in output
    assert result.returncode == 1
    for name in expected_negatives():
        assert f"{name}:" in output
    assert re.search(r"Checked \d+ files: \d+ errors, \d+ warnings\.", result.stdout)


def test_positive_examples_pass() -> None:
    result = run_cli("validate", str(POSITIVE))
    assert result.returncode == 0, result.stdout
    assert "All checks passed: 2 files checked." in result.stdout


@pytest.mark.bundled
def test_bundled_corpus_is_the_default_and_passes() -> None:
    # The one test of what corpus/ holds: every document in it validates, whatever their number.
    result = run_cli("validate", cwd=BUNDLED_PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout
    count = len([p for p in BUNDLED_CORPUS.rglob("*") if p.suffix in (".json", ".xml")])
    assert f"{count} files checked" in result.stdout


def test_text_format_shows_source_caret_text_and_diagnosis() -> None:
    result = run_cli("validate", str(NEGATIVE / "O003-span-text-mismatch.json"))
    out = result.stdout
    assert re.search(
        r"^.*O003-span-text-mismatch\.json:18:42: O003 covered text \"Russia\"", out, re.M
    )
    assert '18 |     {"id": "m4", "type": "GPE", "span": [{"start": 35' in out
    assert re.search(r"^\s+\|\s+\^{10,}$", out, re.M), out  # caret under the whole fragment
    assert "= text[35:41]: " in out and "⟦ussia,⟧" in out
    assert '= help: "Russia" occurs once in the text, at [34, 40) (-1)' in out
    assert out.rstrip().endswith("Checked 1 file: 1 error, 0 warnings.")


def test_unreadable_path_exits_2_and_the_run_goes_on() -> None:
    result = run_cli("validate", "no-such-file.json", str(POSITIVE / "minimal.json"))
    assert result.returncode == 2
    assert "no-such-file.json:1:1: P000 no such file or folder" in result.stdout
    assert "Checked 2 files: 1 error, 0 warnings." in result.stdout


def test_no_colour_when_piped_or_no_color_and_colour_on_request() -> None:
    target = str(NEGATIVE / "O003-span-text-mismatch.json")
    assert "\x1b[" not in run_cli("validate", target).stdout
    # An explicit --color wins over NO_COLOR, as with other tools.
    assert "\x1b[" in run_cli("validate", "--color", target, env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" in run_cli("validate", "--color", target).stdout
    assert "\x1b[" not in run_cli("validate", target, env={"NO_COLOR": "1"}).stdout


def test_select_and_ignore() -> None:
    target = str(NEGATIVE / "O003-span-text-mismatch.json")
    assert run_cli("validate", "--ignore", "O003", target).returncode == 0
    assert run_cli("validate", "--ignore", "O", target).returncode == 0
    assert run_cli("validate", "--select", "R", target).returncode == 0
    assert run_cli("validate", "--select", "O003", target).returncode == 1


@pytest.mark.parametrize(
    "args",
    [("--format", "yaml"), ("--select", "Z123"), ("--ignore", "nonsense")],
)
def test_usage_errors_exit_2_with_a_message(args: tuple[str, ...]) -> None:
    result = run_cli("validate", *args, str(POSITIVE))
    assert result.returncode == 2
    assert "corpuskit: error:" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_configuration_key_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "corpuskit.toml").write_text('paths = ["docs"]\npaht = ["x"]\n')
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert 'unknown configuration key "paht"' in result.stderr


def test_configured_paths_are_relative_to_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.json").write_bytes(
        (NEGATIVE / "R002-dangling-reference.json").read_bytes()
    )
    (tmp_path / "corpuskit.toml").write_text('paths = ["docs"]\n')
    (tmp_path / "sub").mkdir()
    result = run_cli("validate", "--format", "concise", cwd=tmp_path / "sub")
    assert result.returncode == 1
    assert "a.json:28:110: R002" in result.stdout


def test_missing_default_corpus_exits_2(tmp_path: Path) -> None:
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "corpus" in result.stderr


def test_rules_lists_every_code_and_rule_prints_its_doc() -> None:
    listing = run_cli("rules")
    assert listing.returncode == 0
    for code in RULE_BY_CODE:
        assert re.search(rf"^{code}\s", listing.stdout, re.M)
    doc = run_cli("rule", "O003")
    assert doc.returncode == 0
    assert "span-text-mismatch" in doc.stdout and "Fails:" in doc.stdout and "Passes:" in doc.stdout
    assert run_cli("rule", "span-text-mismatch").stdout == doc.stdout
    assert run_cli("rule", "X999").returncode == 2


def test_convert_both_ways_is_byte_identical_on_the_corpus(tmp_path: Path) -> None:
    # Every JSON/XML twin pair (the corpus may also hold documents in one format only).
    pairs = [
        source
        for folder in (POSITIVE, CORPUS)
        for source in sorted(folder.glob("*.json"))
        if source.with_suffix(".xml").exists()
    ]
    assert pairs
    for source in pairs:
        twin = source.with_suffix(".xml")
        result = run_cli("convert", str(source), "--to", "xml", "-o", str(tmp_path / "out.xml"))
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "out.xml").read_bytes() == twin.read_bytes()
        back = run_cli("convert", str(twin), "--to", "json")
        assert back.returncode == 0
        assert back.stdout.encode("utf-8") == source.read_bytes()


def test_convert_refuses_a_broken_document_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    result = run_cli(
        "convert", str(NEGATIVE / "S003-wrong-type.json"), "--to", "xml", "-o", str(out)
    )
    assert result.returncode == 1
    assert not out.exists()
    assert "S003" in result.stderr and "nothing written" in result.stderr


def test_module_and_console_script_agree() -> None:
    import shutil
    import subprocess

    exe = shutil.which("corpuskit")
    if exe is None:
        pytest.skip("console script not on PATH")
    direct = subprocess.run([exe, "rules"], capture_output=True, text=True, cwd=ROOT)
    assert direct.stdout == run_cli("rules").stdout
