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
#: The corpus the tests read: a frozen copy of the seed article (JSON, its XML twin, the scheme)
#: with a corpuskit.toml above it that names that scheme. Tests never read corpus/, so a
#: document added there, or an annotation changed, changes no test's input.
CORPUS = ROOT / "tests" / "fixtures" / "seed"
#: The repository's corpus/ (what users copy). Only tests marked ``bundled`` read it; run them
#: against another copy with CORPUSKIT_BUNDLED_PROJECT=<folder holding corpus/ and its config>.
BUNDLED_PROJECT = Path(os.environ.get("CORPUSKIT_BUNDLED_PROJECT", ROOT))
BUNDLED_CORPUS = BUNDLED_PROJECT / "corpus"


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
    """A scratch copy of the test corpus (the frozen seed article)."""
    target = tmp_path / "corpus"
    target.mkdir()
    for f in CORPUS.iterdir():
        if f.suffix in (".json", ".xml"):
            (target / f.name).write_bytes(f.read_bytes())
    return target


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``bundled`` marker: tests that read the repository's corpus/."""
    config.addinivalue_line(
        "markers", "bundled: reads the repository's corpus/ (CORPUSKIT_BUNDLED_PROJECT overrides)"
    )
