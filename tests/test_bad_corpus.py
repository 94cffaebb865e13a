"""The bad-input corpus (tests/bad/): every hazard gets its documented exit code and rule code,
never a traceback, never a write, within bounded time and memory."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

BAD = ROOT / "tests" / "bad"
EXPECTED: dict[str, list[object]] = json.loads((BAD / "expected.json").read_text("utf-8"))
#: Per file: seconds of wall time and bytes of address space the CLI may use.
TIME_LIMIT = 30
MEMORY_LIMIT = 2 * 1024**3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def test_the_corpus_has_at_least_a_hundred_hazards() -> None:
    assert len(EXPECTED) >= 100
    assert sorted(
        p.name for p in BAD.iterdir() if p.suffix in (".json", ".xml") and p.name != "expected.json"
    ) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input(name: str, tmp_path: Path) -> None:
    exit_code, code = EXPECTED[name]
    target = tmp_path / name
    target.write_bytes((BAD / name).read_bytes())
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "corpuskit",
            "validate",
            "--strict",
            "--no-cache",
            "--format",
            "json",
            name,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limit_memory,
    )
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == exit_code, result.stdout[-3000:] + result.stderr
    report = json.loads(result.stdout)
    codes = [d["code"] for d in report["diagnostics"]]
    assert code in codes, codes
    assert "P999" not in codes
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before  # nothing written


def test_a_50_mb_text_node_is_refused_quickly(tmp_path: Path) -> None:
    xml = (ROOT / "tests" / "examples" / "positive" / "minimal.xml").read_bytes()
    at = xml.index(b"<title>") + len(b"<title>")
    target = tmp_path / "huge.xml"
    target.write_bytes(xml[:at] + b"x" * (50 * 1024 * 1024) + xml[at:])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "corpuskit",
            "validate",
            "--no-cache",
            "--format",
            "concise",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limit_memory,
    )
    assert result.returncode == 1
    assert "P006 a text node is longer than 10,000,000 bytes" in result.stdout


def test_files_above_the_size_limit_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "corpuskit.toml").write_text("max-file-size = 1000\n")
    target = tmp_path / "d.json"
    target.write_bytes((ROOT / "tests" / "examples" / "positive" / "minimal.json").read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "--format", "concise", "d.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    assert result.returncode == 1
    assert "P009 file is" in result.stdout and "max-file-size" in result.stdout
