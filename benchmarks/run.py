"""The benchmark: ``python benchmarks/run.py`` (see the README's Performance section).

Generates synthetic corpora from the seed article (benchmarks/generate.py; document i depends
only on (seed, i)), then times whole processes, each a median of several runs taken alternately
with its yardstick, and prints a table of figures and ratios:

- limit A: a fresh process that reads every JSON file and ``orjson.loads`` it;
- limit B: the same with ``lxml.etree.parse`` of every XML file;
- ``corpuskit validate`` on JSON (1 process and all cores) and on XML (1 process), no cache;
- a second run with a warm cache; ``--changed-since`` with one changed file;
- one document in a fresh process against ``python -c pass``;
- peak memory (RSS) of ``validate --jobs 1`` at each N.

    python benchmarks/run.py --sizes 1000,5000,20000 --runs 3 --output benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_corpus

PY = sys.executable
LIMIT_A = (
    "import orjson,pathlib,sys\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.json')): orjson.loads(p.read_bytes())"
)
LIMIT_B = (
    "import lxml.etree as E,pathlib,sys\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.xml')): E.parse(str(p))"
)
# Runs a command and prints its peak RSS in KiB (the child's, measured by the kernel).
RSS = (
    "import resource,subprocess,sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed(cmd: list[str], cwd: Path | None = None) -> float:
    """Wall seconds of one run (exit codes 0 and 1 are both normal for validate)."""
    start = time.perf_counter()
    result = subprocess.run(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr[-500:]}")
    return elapsed


def pair(
    limit: list[str], subject: list[str], runs: int, cwd: Path | None = None
) -> tuple[float, float]:
    """Medians of the yardstick and the subject, run alternately."""
    a, b = [], []
    for _ in range(runs):
        a.append(timed(limit, cwd))
        b.append(timed(subject, cwd))
    return statistics.median(a), statistics.median(b)


def median(cmd: list[str], runs: int, cwd: Path | None = None) -> float:
    """Median wall seconds."""
    return statistics.median(timed(cmd, cwd) for _ in range(runs))


def peak_rss_mib(cmd: list[str], cwd: Path | None = None) -> float:
    """Peak resident memory of a command, MiB."""
    out = subprocess.run([PY, "-c", RSS, *cmd], cwd=cwd, capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def git(cwd: Path, *args: str) -> None:
    """Run git quietly."""
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def bench_size(n: int, runs: int, work: Path) -> tuple[list[tuple[str, str, str]], float]:
    """Rows (what, figure, ratio) for one corpus size, and the peak RSS in MiB."""
    json_dir, xml_dir = work / f"json-{n}", work / f"xml-{n}"
    write_corpus(json_dir, n, fmt="json")
    write_corpus(xml_dir, n, fmt="xml")
    validate = [PY, "-m", "corpuskit", "validate", "--format", "concise"]
    rows: list[tuple[str, str, str]] = []
    a, v1 = pair(
        [PY, "-c", LIMIT_A, str(json_dir)],
        [*validate, "--no-cache", "-j", "1", str(json_dir)],
        runs,
    )
    rows.append((f"limit A: read + orjson.loads, {n:,} JSON files", f"{a:.2f} s", "1"))
    rows.append(("validate JSON, --jobs 1, no cache", f"{v1:.2f} s", f"{v1 / a:.2f}x A"))
    _, vall = pair(
        [PY, "-c", LIMIT_A, str(json_dir)],
        [*validate, "--no-cache", "-j", str(cores()), str(json_dir)],
        runs,
    )
    rows.append(
        (f"validate JSON, --jobs {cores()}, no cache", f"{vall:.2f} s", f"{vall / a:.2f}x A")
    )
    b, x1 = pair(
        [PY, "-c", LIMIT_B, str(xml_dir)], [*validate, "--no-cache", "-j", "1", str(xml_dir)], runs
    )
    rows.append((f"limit B: lxml.etree.parse, {n:,} XML files", f"{b:.2f} s", "1"))
    rows.append(("validate XML, --jobs 1, no cache", f"{x1:.2f} s", f"{x1 / b:.2f}x B"))
    # A hidden folder inside the project: the only kind of place a cache may be among documents.
    (json_dir / "corpuskit.toml").write_text('cache-dir = ".bench-cache"\n')
    timed([*validate, str(json_dir)], json_dir)  # fills the cache
    _, warm = pair([PY, "-c", LIMIT_A, str(json_dir)], [*validate, "."], runs, json_dir)
    rows.append(("validate JSON, second run, warm cache", f"{warm:.2f} s", f"{warm / a:.2f}x A"))
    git(json_dir, "init", "-q")
    git(json_dir, "add", "-A")
    git(json_dir, "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-q", "-m", "corpus")
    changed = sorted(json_dir.glob("*.json"))[n // 2]
    changed.write_text(
        changed.read_text("utf-8").replace('"value": "actual"', '"value": "future"', 1), "utf-8"
    )
    one = [*validate, "--no-cache", str(sorted(json_dir.glob("*.json"))[0])]
    p, single = pair([PY, "-c", "pass"], one, max(runs, 5), json_dir)
    since = median([*validate, "--no-cache", "--changed-since", "HEAD", "."], runs, json_dir)
    rows.append(
        (
            "one document, fresh process",
            f"{single * 1000:.0f} ms",
            f"{single / p:.1f}x `python -c pass` ({p * 1000:.0f} ms)",
        )
    )
    rows.append(
        (
            "--changed-since HEAD, one changed file",
            f"{since * 1000:.0f} ms",
            f"{since / single:.1f}x one document",
        )
    )
    rss = peak_rss_mib([*validate, "--no-cache", "-j", "1", str(json_dir)])
    rows.append(("peak RSS, validate JSON --jobs 1", f"{rss:.0f} MiB", ""))
    return rows, rss


def machine() -> str:
    """A one-line description of this machine."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cores()} cores ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main() -> None:
    """Run the benchmark and print (and optionally write) the table."""
    parser = argparse.ArgumentParser(description="corpuskit benchmark")
    parser.add_argument("--sizes", default="1000,5000,20000", help="corpus sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--output", type=Path, help="also write the table here (Markdown)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    report = [
        "# Benchmark results",
        "",
        f"`python benchmarks/run.py --sizes {args.sizes} --runs {args.runs}`",
        "",
        f"Machine: {machine()}. Medians of {args.runs} runs, whole processes.",
        "",
    ]
    print("\n".join(report), flush=True)
    memory: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            rows, rss = bench_size(n, args.runs, Path(tmp))
            memory.append((n, rss))
            block = [f"## {n:,} documents", "", "| what | figure | ratio |", "|---|---:|---:|"]
            block += [f"| {what} | {fig} | {ratio} |" for what, fig, ratio in rows]
            block.append("")
            print("\n".join(block), flush=True)
            report += block
    lo, hi = min(r for _, r in memory), max(r for _, r in memory)
    summary = (
        f"Peak RSS from {memory[0][0]:,} to {memory[-1][0]:,} documents: "
        f"{lo:.0f} to {hi:.0f} MiB ({(hi / lo - 1) * 100:.0f} % apart)."
    )
    print(summary)
    report.append(summary)
    if args.output is not None:
        args.output.write_text("\n".join(report) + "\n", "utf-8")


if __name__ == "__main__":
    main()
