"""More ways a hostile pull request got through the gate: workflow commands in error messages
and diffs, raw control characters in the views, deep TOML, the baseline file, huge limits.

Each test runs the CLI in a subprocess: the exit code and the output are the point.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, POSITIVE, run_cli

SECRET = "corpuskit-test-secret-7d2e0b"
#: What must never reach a terminal or CI log raw (ESC, OSC's BEL, bidi override, separators).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _commands(output: str) -> list[str]:
    """The lines a GitHub runner would read as workflow commands (it trims whitespace first)."""
    return [line for line in output.split("\n") if line.lstrip().startswith(("::", "##["))]


def _assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    for stream in (result.stdout, result.stderr):
        assert not _commands(stream), stream
        assert not RAW.search(stream), repr(stream)
    assert "Traceback" not in result.stderr


def test_a_configuration_key_cannot_start_a_log_line(tmp_path: Path) -> None:
    (tmp_path / "corpuskit.toml").write_text(
        '"x\\n::error title=Injected::from the PR config\\n" = 1\n', "utf-8"
    )
    result = run_cli("validate", str(POSITIVE / "minimal.json"), cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown configuration key" in result.stderr
    _assert_clean(result)


def test_a_scheme_string_cannot_start_a_log_line(tmp_path: Path) -> None:
    scheme = (EXAMPLES / "scheme.toml").read_text("utf-8")
    scheme = scheme.replace(
        'speaker_types = ["AGENT"]', 'speaker_types = ["AGENT\\n::warning title=x::y"]'
    )
    (tmp_path / "scheme.toml").write_text(scheme, "utf-8")
    result = run_cli(
        "validate", "--scheme", "scheme.toml", str(POSITIVE / "minimal.json"), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "::warning" in result.stderr  # quoted, on the line of the message
    _assert_clean(result)


def test_the_views_escape_their_error_messages(tmp_path: Path) -> None:
    result = run_cli("diff", "a\n::error title=x::y.json", "b.json", cwd=tmp_path)
    assert result.returncode == 2
    _assert_clean(result)


def test_new_escapes_the_name_it_reports(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text("Iran sent missiles.\n", "utf-8")
    out = "x\n::error title=x::y.json"
    result = run_cli(
        "new", "article.txt", "-o", out, "--title", "T", "--language", "en", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / out).is_file()
    _assert_clean(result)


def _hostile_xml(tail: str) -> str:
    """The minimal XML document with ``tail`` appended to its text, and one fixable problem
    (a span's offsets off by one, its text occurring once)."""
    xml = (POSITIVE / "minimal.xml").read_text("utf-8")
    text = (
        "Iran sent roughly 400 missiles to Russia, an official said.\n"
        f"“More will come,” he said.{tail}"
    )
    old_hash = hashlib.sha256(text.removesuffix(tail).encode("utf-8")).hexdigest()
    xml = xml.replace(old_hash, hashlib.sha256(text.encode("utf-8")).hexdigest())
    xml = xml.replace('<frag start="0" end="4">Iran</frag>', '<frag start="1" end="5">Iran</frag>')
    return xml.replace("he said.</text>", f"he said.{tail}</text>")


def _git_apply_check(folder: Path, patch: str) -> subprocess.CompletedProcess[str]:
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    return subprocess.run(
        ["git", "apply", "--check", "-"], cwd=folder, input=patch, capture_output=True, text=True
    )


def test_fix_diff_cannot_start_a_log_line_and_still_applies(tmp_path: Path) -> None:
    (tmp_path / "doc.xml").write_text(_hostile_xml("\n::error title=Injected::x"), "utf-8")
    result = run_cli("fix", "--diff", "doc.xml", cwd=tmp_path)
    assert result.returncode == 1
    assert '+    <mention id="m1"' in result.stdout  # the offsets are fixed
    assert "::error title=Injected::x" in result.stdout
    _assert_clean(result)
    applied = _git_apply_check(tmp_path, result.stdout)
    assert applied.returncode == 0, applied.stderr


def test_fix_diff_shows_control_and_bidi_characters_escaped(tmp_path: Path) -> None:
    (tmp_path / "doc.xml").write_text(_hostile_xml("\n\u202eevil\u2028x\x85"), "utf-8")
    result = run_cli("fix", "--diff", "doc.xml", cwd=tmp_path)
    assert result.returncode == 1
    assert "\\u202eevil\\u2028x" in result.stdout
    assert "does not apply as a patch" in result.stderr
    _assert_clean(result)


def _hostile_pair(tmp_path: Path) -> tuple[Path, Path]:
    record = json.loads((POSITIVE / "minimal.json").read_text("utf-8"))
    old = tmp_path / "old.json"
    old.write_text(json.dumps(record), "utf-8")
    record["entities"][0]["name"] = "Iran\x1b]0;owned\x07\u202e\u2028::error title=x::y"
    new = tmp_path / "new.json"
    new.write_text(json.dumps(record), "utf-8")
    return old, new


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_diff_escapes_document_content(tmp_path: Path, fmt: str) -> None:
    old, new = _hostile_pair(tmp_path)
    result = run_cli("diff", "--format", fmt, str(old), str(new), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "owned" in result.stdout
    _assert_clean(result)
    if fmt == "json":  # the data stays exact for a JSON reader
        data = json.loads(result.stdout)
        assert "\u202e" in json.dumps(data, ensure_ascii=False)


def test_diff_textconv_escapes_document_content(tmp_path: Path) -> None:
    _, new = _hostile_pair(tmp_path)
    result = run_cli("diff", "--textconv", str(new), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "owned" in result.stdout
    _assert_clean(result)


def test_diff_git_escapes_document_content(tmp_path: Path) -> None:
    old, new = _hostile_pair(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    shutil.copy(old, tmp_path / "doc.json")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "doc.json"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "old"], cwd=tmp_path, check=True)
    shutil.copy(new, tmp_path / "doc.json")
    result = run_cli("diff", "--git", "main", "doc.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "owned" in result.stdout
    _assert_clean(result)


@pytest.mark.parametrize("depth", [300, 5000])
def test_a_deeply_nested_scheme_is_refused_clearly(tmp_path: Path, depth: int) -> None:
    (tmp_path / "scheme.toml").write_text("x = " + "[" * depth + "]" * depth + "\n", "utf-8")
    result = run_cli(
        "validate", "--scheme", "scheme.toml", str(POSITIVE / "minimal.json"), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "nested more than" in result.stderr
    assert "Traceback" not in result.stderr


def _baseline_run(tmp_path: Path, baseline: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(POSITIVE / "minimal.json", tmp_path / "doc.json")
    return run_cli("validate", "--no-cache", "--baseline", baseline, "doc.json", cwd=tmp_path)


def test_a_baseline_linked_to_dev_zero_is_refused(tmp_path: Path) -> None:
    os.symlink("/dev/zero", tmp_path / "baseline.json")
    result = _baseline_run(tmp_path, "baseline.json")
    assert result.returncode == 2
    assert "cannot read baseline" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_baseline_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "baseline.json")
    result = _baseline_run(tmp_path, "baseline.json")
    assert result.returncode == 2
    assert "not a regular file" in result.stderr


def test_a_baseline_link_out_of_the_project_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(f'{{"version": "{SECRET}", "entries": []}}', "utf-8")
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(outside, project / "baseline.json")
    result = _baseline_run(project, "baseline.json")
    assert result.returncode == 2
    assert "outside the project" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_stdin_with_a_huge_max_file_size_is_read_normally(tmp_path: Path) -> None:
    (tmp_path / "corpuskit.toml").write_text("max-file-size = 1099511627776\n", "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "-", "--stdin-filename", "a.json"],
        cwd=tmp_path,
        input="{}",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "S001" in result.stdout
    assert "Traceback" not in result.stderr


def test_an_upper_case_suffix_is_not_skipped_by_a_folder_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "B.JSON").write_text("{}", "utf-8")
    folder = run_cli("validate", "--no-cache", "corpus", cwd=tmp_path)
    named = run_cli("validate", "--no-cache", "corpus/B.JSON", cwd=tmp_path)
    assert named.returncode == 1
    assert folder.returncode == named.returncode


def test_a_deeply_nested_configuration_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpuskit.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    result = run_cli("validate", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2 and "nested too deeply" in result.stderr
    assert "Traceback" not in result.stderr


def test_max_file_size_is_capped(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpuskit.toml").write_text("max-file-size = 4611686018427387904\n")
    result = run_cli("validate", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2 and "max-file-size" in result.stderr
