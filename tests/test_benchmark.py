"""The benchmark runs (on a tiny corpus: timings belong in benchmarks/, not in tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_the_benchmark_runs_and_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--sizes",
            "4",
            "--rss-sizes",
            "4,8",
            "--runs",
            "1",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    table = out.read_text("utf-8")
    for row in (
        "limit A",
        "limit B",
        "validate JSON, --jobs 1",
        "validate XML",
        "cold cache",
        "cache on disk",
        "warm cache",
        "--changed-since",
        "one document with its scheme, fresh process",
        "peak RSS, validate --jobs 1, 8 documents",
    ):
        assert row in table
    assert "middle half of 6 pairs" in table
    assert "x A (3 pairs)" in table
    assert "## seed, 4 documents" in table and "## generated, 4 documents" in table
