"""Local run against a Dask run of the same corpus: wall time, alternated in one run.

Generates N documents (benchmarks/generate.py) that follow the corpus scheme, starts a
distributed.LocalCluster (worker processes over TCP on 127.0.0.1), and times, no cache, in
alternation: the library run in one process (``--jobs 1``), with a process pool (``--jobs W``),
and on the cluster (``--executor dask``). It also checks that the three give the same reports.

    python benchmarks/dask_run.py [N] [--workers W] [--rounds R]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from generate import ROOT, write_corpus

from corpuskit import runner
from corpuskit.config import Config
from corpuskit.engine import FileReport, Settings


def _run(corpus: Path, **changes: object) -> tuple[float, float, list[FileReport]]:
    """Wall time, this process's CPU time (for Dask: what feeding the cluster costs), reports."""
    options = runner.RunOptions(
        paths=(corpus,),
        settings=Settings(root=corpus.parent),
        config=Config(root=corpus.parent, source=corpus.parent / "corpuskit.toml"),
        **changes,  # type: ignore[arg-type]
    )
    start, cpu = time.perf_counter(), time.process_time()
    reports = list(runner.run(options))
    return time.perf_counter() - start, time.process_time() - cpu, reports


def main() -> None:
    """Print the median wall time of each way of running, and its ratio to ``--jobs 1``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        corpus = project / "corpus"
        write_corpus(corpus, args.n)
        shutil.copy(ROOT / "corpus" / "scheme.toml", project / "scheme.toml")
        (project / "corpuskit.toml").write_text('scheme = "scheme.toml"\n')
        with LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
        ) as cluster:
            ways = {
                "local --jobs 1": {"jobs": 1},
                f"local --jobs {args.workers}": {"jobs": args.workers},
                f"dask, {args.workers} workers x 1 thread": {
                    "executor": "dask",
                    "scheduler": cluster.scheduler_address,
                },
            }
            times: dict[str, list[float]] = {name: [] for name in ways}
            cpus: dict[str, list[float]] = {name: [] for name in ways}
            reference: list[FileReport] | None = None
            _run(corpus, **ways["local --jobs 1"])  # warm the page cache and the imports
            for _ in range(args.rounds):
                for name, changes in ways.items():
                    seconds, cpu, reports = _run(corpus, **changes)
                    times[name].append(seconds)
                    cpus[name].append(cpu)
                    if reference is None:
                        reference = reports
                    elif reports != reference:
                        sys.exit(f"{name} reported differently from local --jobs 1")
    base = statistics.median(times["local --jobs 1"])
    print(f"{args.n} documents (seed + corpus scheme), no cache, median of {args.rounds} rounds")
    print(f"  {'':32} {'wall':>9}  {'ratio':>6}  {'docs/s':>7}  main-process CPU per document")
    for name, values in times.items():
        median = statistics.median(values)
        cpu = statistics.median(cpus[name]) / args.n * 1e6
        print(
            f"  {name:32} {median:7.2f} s  {median / base:5.2f}x  {args.n / median:7,.0f}"
            f"  {cpu:,.0f} µs"
        )


if __name__ == "__main__":
    main()
