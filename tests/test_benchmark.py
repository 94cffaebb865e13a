"""The benchmark runs (on a tiny corpus: timings belong in benchmarks/, not in tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from run import median_interval


@pytest.mark.parametrize(
    ("n", "ranks"),
    # The ranks of the usual tables (95 %): 96.9 % covered for 6 values, 96.1 % for 9, 97.9 %
    # for 10, 95.6 % for 42 (the cold-cache figure's pairs).
    [(6, (1, 6)), (9, (2, 8)), (10, (2, 9)), (42, (15, 28))],
)
def test_the_interval_of_a_median_is_the_binomial_order_statistics(
    n: int, ranks: tuple[int, int]
) -> None:
    values = [float(v) for v in range(n, 0, -1)]  # unsorted: the function sorts
    assert median_interval(values) == (float(ranks[0]), float(ranks[1]))


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
    assert "95 % interval of the median" in table and "middle half of 6 pairs" in table
    # --jobs 1 and every core: three times the pairs, each ratio with its spread (3 pairs
    # here: the range, said to be too few for an interval)
    assert table.count("x A (range ") == 4  # two corpora, two rows each
    assert "x, 3 pairs: too few for a 95 % interval" in table
    assert "## seed, 4 documents" in table and "## generated, 4 documents" in table
