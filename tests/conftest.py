"""Shared helpers: paths and a real subprocess run of the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "examples"
NEGATIVE = EXAMPLES / "negative"
POSITIVE = EXAMPLES / "positive"
CORPUS = ROOT / "corpus"


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m corpuskit`` with ``args``, capturing text output."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "corpuskit", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def expected_negatives() -> dict[str, list[object]]:
    """negative/expected.json: file name -> [code, line, column]."""
    loaded: dict[str, list[object]] = json.loads((NEGATIVE / "expected.json").read_text("utf-8"))
    return loaded


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A scratch copy of the bundled corpus."""
    target = tmp_path / "corpus"
    target.mkdir()
    for f in CORPUS.iterdir():
        if f.suffix in (".json", ".xml"):
            (target / f.name).write_bytes(f.read_bytes())
    return target
