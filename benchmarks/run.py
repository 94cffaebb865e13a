"""The benchmark: ``python benchmarks/run.py`` (see the README's Performance section).

Two corpora, each N documents in JSON and in XML:

- ``seed``: the seed article (the frozen copy in tests/fixtures/seed) replicated N times,
  checked against its scheme (every scheme rule runs);
- ``generated``: documents generated from it (benchmarks/generate.py; document i depends only
  on (seed, i)), without a scheme.

For each, whole processes are timed, each figure a median of several runs taken alternately with
its yardstick, and printed with its ratio:

- limit A: a fresh process that reads every JSON file and ``orjson.loads`` it;
- limit B: the same with ``lxml.etree.parse`` of every XML file;
- ``corpuskit validate`` on JSON with ``--jobs 1`` and with every core, on XML with ``--jobs 1``,
  no cache; a cold run with the cache on against ``--no-cache``; the cache's size on disk per
  document; a second run with a warm cache; ``--changed-since`` with one changed file;
- peak memory (RSS) of ``validate --jobs 1`` at each N (the ``--rss-sizes``);
- one document in a fresh process (the ``corpuskit`` command) against ``python -c pass``.

Every timed command runs in a normal (not editable) install of the package made for the run
(:func:`normal_install`), yardsticks included, bytecode compiled (PYTHONDONTWRITEBYTECODE is
dropped for the fresh-process runs).

    python benchmarks/run.py --sizes 5000 --rss-sizes 5000,50000 --runs 3 --output benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import tomllib
from dataclasses import dataclass
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


def measured(cmd: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the process and its children) of one run
    (exit codes 0 and 1 are both normal for validate)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def timed(cmd: list[str], cwd: Path | None = None) -> float:
    """Wall seconds of one run."""
    return measured(cmd, cwd)[0]


@dataclass(frozen=True)
class Paired:
    """A subject timed against its yardstick, alternately."""

    limit: float
    subject: float
    #: Median of the wall-time ratios of the back-to-back pairs.
    ratio: float
    #: The same with CPU time (what a machine's other tenants cannot add to, for one process).
    cpu_ratio: float
    #: The wall-time ratio of each pair, in the order run.
    ratios: tuple[float, ...] = ()

    def interval(self) -> str:
        """The ratio's 95 % interval of the median, and the number of pairs (below 6 pairs no
        two order statistics cover the median with 95 %: then the range, said so)."""
        low, high = median_interval(list(self.ratios))
        n = len(self.ratios)
        if n < 6:
            return f"range {low:.2f}-{high:.2f}x, {n} pairs: too few for a 95 % interval"
        return f"95 % interval of the median {low:.2f}-{high:.2f}x, {n} pairs"


#: Pairs of cold-cache and --no-cache runs per run of the other figures (see bench_corpus).
COLD_PAIRS = 6
#: Pairs of the all-cores figure, and of the --jobs 1 figure, per run of the others.
PARALLEL_PAIRS = 3
SERIAL_PAIRS = 3


def pair(limit: list[str], subject: list[str], runs: int, cwd: Path | None = None) -> Paired:
    """Medians of the yardstick and the subject, run alternately, and the median of the
    ratios of each pair (a pair runs back to back, so a slow spell of a shared machine
    tends to slow both: the ratio is steadier than the ratio of the medians)."""
    a, b = [], []
    for i in range(runs):
        # Every other pair the subject goes first, so that a machine speeding up or slowing
        # down over the run favours neither side.
        if i % 2:
            b.append(measured(subject, cwd))
            a.append(measured(limit, cwd))
        else:
            a.append(measured(limit, cwd))
            b.append(measured(subject, cwd))
    ratios = tuple(y[0] / x[0] for x, y in zip(a, b, strict=True))
    return Paired(
        statistics.median(x[0] for x in a),
        statistics.median(y[0] for y in b),
        statistics.median(ratios),
        statistics.median(y[1] / x[1] for x, y in zip(a, b, strict=True)),
        ratios,
    )


def median_interval(values: list[float], level: float = 0.95) -> tuple[float, float]:
    """A distribution-free confidence interval for the median of ``values``: the order
    statistics x(k) and x(n+1-k) with the largest k for which fewer than k of n values fall
    below the median with probability at most (1 - level) / 2 (binomial, p = 1/2)."""
    xs = sorted(values)
    n = len(xs)
    tail, k = 0.0, 0
    while k < n // 2:
        tail += math.comb(n, k) / 2**n  # P(exactly k values below the median)
        if tail > (1 - level) / 2:
            break
        k += 1
    k = max(k, 1)
    return xs[k - 1], xs[n - k]


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


ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed"
#: Environment for the fresh-process figure: bytecode written and used, as installed.
COMPILED_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def write_seed_corpus(out: Path, n: int, fmt: str) -> None:
    """The seed article replicated n times (ids kept: each file is its own document), with
    its scheme configured."""
    out.mkdir(parents=True, exist_ok=True)
    data = (SEED / f"iran-russia-missiles.{fmt}").read_bytes()
    for i in range(n):
        (out / f"d{i:06d}.{fmt}").write_bytes(data)
    (out / "scheme.toml").write_bytes((SEED / "scheme.toml").read_bytes())
    (out / "corpuskit.toml").write_text('scheme = "scheme.toml"\n', "utf-8")


def write(kind: str, out: Path, n: int, fmt: str) -> None:
    """Write corpus ``kind`` (seed or generated) of n documents in ``fmt``."""
    if kind == "seed":
        write_seed_corpus(out, n, fmt)
    else:
        write_corpus(out, n, fmt=fmt)


def cache_bytes(folder: Path) -> int:
    """Bytes the cache folder takes on disk."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def bench_corpus(
    kind: str, n: int, runs: int, work: Path, installed: Installed
) -> list[tuple[str, str, str]]:
    """Rows (what, figure, ratio) for one corpus at one size."""
    json_dir, xml_dir = work / f"{kind}-json-{n}", work / f"{kind}-xml-{n}"
    write(kind, json_dir, n, "json")
    write(kind, xml_dir, n, "xml")
    validate = [*installed.corpuskit, "validate", "--format", "concise"]
    limit_a = [installed.python, "-c", LIMIT_A, str(json_dir)]
    rows: list[tuple[str, str, str]] = []
    # Three times the pairs of the others: the figure nearest its target; on a shared machine
    # the yardstick alone moved by a fifth between two runs of 7 pairs (RESULTS.md, runs 11, 12).
    one = pair(limit_a, [*validate, "--no-cache", "-j", "1", str(json_dir)], SERIAL_PAIRS * runs)
    a = one.limit
    rows.append((f"limit A: read + orjson.loads, {n:,} JSON files", f"{a:.2f} s", "1"))
    rows.append(
        (
            "validate JSON, --jobs 1, no cache",
            f"{one.subject:.2f} s",
            f"{one.ratio:.2f}x A ({one.interval()}; CPU time {one.cpu_ratio:.2f}x)",
        )
    )
    # Three times the pairs: a run of workers on every core is the most exposed to another
    # tenant of the machine.
    every_runs = PARALLEL_PAIRS * runs
    every = pair(limit_a, [*validate, "--no-cache", "-j", str(cores()), str(json_dir)], every_runs)
    rows.append(
        (
            f"validate JSON, --jobs {cores()}, no cache",
            f"{every.subject:.2f} s",
            f"{every.ratio:.2f}x A ({every.interval()})",
        )
    )
    xml = pair(
        [installed.python, "-c", LIMIT_B, str(xml_dir)],
        [*validate, "--no-cache", "-j", "1", str(xml_dir)],
        runs,
    )
    rows.append((f"limit B: lxml.etree.parse, {n:,} XML files", f"{xml.limit:.2f} s", "1"))
    rows.append(
        (
            "validate XML, --jobs 1, no cache",
            f"{xml.subject:.2f} s",
            f"{xml.ratio:.2f}x B (CPU time {xml.cpu_ratio:.2f}x)",
        )
    )
    # A hidden folder inside the project: the only kind of place a cache may be among documents.
    config = json_dir / "corpuskit.toml"
    config.write_text(config.read_text("utf-8") if config.exists() else "", "utf-8")
    with config.open("a", encoding="utf-8") as out:
        out.write('cache-dir = ".bench-cache"\n')
    cache = json_dir / ".bench-cache"
    cold, uncached = [], []
    # Six times the pairs of the other figures, every other one in the other order: the two
    # runs differ by under a tenth, and on this shared machine two identical runs back to back
    # differ by up to 15 % either way (a median of 14 pairs moved by +-5 % between runs).
    for i in range(COLD_PAIRS * runs):
        shutil.rmtree(cache, ignore_errors=True)
        if i % 2:
            uncached.append(measured([*validate, "--no-cache", "-j", "1", "."], json_dir))
            cold.append(measured([*validate, "-j", "1", "."], json_dir))
        else:
            cold.append(measured([*validate, "-j", "1", "."], json_dir))
            uncached.append(measured([*validate, "--no-cache", "-j", "1", "."], json_dir))
    c = statistics.median(x[0] for x in cold)
    ratios = [x[0] / y[0] - 1 for x, y in zip(cold, uncached, strict=True)]
    extra = statistics.median(ratios)
    low, _, high = statistics.quantiles(ratios, n=4)
    # The middle half says how far one pair strays; the interval, how far the median may be
    # from what more pairs would give (what a target is judged on).
    sure_low, sure_high = median_interval(ratios)
    extra_cpu = statistics.median(x[1] / y[1] for x, y in zip(cold, uncached, strict=True)) - 1
    rows.append(
        (
            "validate JSON, --jobs 1, cold cache",
            f"{c:.2f} s",
            f"{extra * 100:+.0f} % vs no cache (95 % interval of the median"
            f" {sure_low * 100:+.0f} to {sure_high * 100:+.0f} %; middle half of {len(ratios)}"
            f" pairs {low * 100:+.0f} to {high * 100:+.0f} %; CPU time {extra_cpu * 100:+.0f} %)",
        )
    )
    size = cache_bytes(cache)
    rows.append(("cache on disk", f"{size / 1024:.0f} KiB", f"{size / n:.0f} bytes per document"))
    warm = pair(limit_a, [*validate, "."], runs, json_dir)
    rows.append(
        ("validate JSON, second run, warm cache", f"{warm.subject:.2f} s", f"{warm.ratio:.2f}x A")
    )
    git(json_dir, "init", "-q")
    git(json_dir, "add", "-A")
    git(json_dir, "-c", "user.email=b@b", "-c", "user.name=b", "commit", "-q", "-m", "corpus")
    first = sorted(json_dir.glob("*.json"))[0]
    changed = sorted(json_dir.glob("*.json"))[n // 2]
    changed.write_text(changed.read_text("utf-8").replace('"value": "', '"value": "x', 1), "utf-8")
    since = median([*validate, "--no-cache", "--changed-since", "HEAD", "."], runs, json_dir)
    one = [*validate, "--no-cache", str(first)]
    single = median(one, max(runs, 5), json_dir)
    rows.append(
        (
            "--changed-since HEAD, one changed file",
            f"{since * 1000:.0f} ms",
            f"{since / single:.1f}x one document",
        )
    )
    return rows


@dataclass(frozen=True)
class Installed:
    """A normal install: its Python, and the ``corpuskit`` command as pip installs it."""

    python: str
    corpuskit: list[str]


def normal_install(work: Path) -> Installed:
    """corpuskit as a normal install runs it: a fresh virtual environment whose site-packages
    holds a copy of the package (its schemas inside, as the wheel has them), with bytecode
    compiled, a ``.pth`` line naming this environment's site-packages for the dependencies,
    and the ``corpuskit`` script pip writes for the entry point pyproject.toml names. Every
    command the benchmark times runs there, its yardsticks too. Not this environment itself:
    an editable install adds an import hook (a ``.pth`` that imports pathlib and more) to
    every process, ``python -c pass`` included (13 ms -> 22 ms on the machine of
    benchmarks/RESULTS.md), and a user runs the ``corpuskit`` command, not ``python -m``."""
    venv = work / "normal-install"
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([PY, "-m", "venv", "--without-pip", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = str(bindir / "python")
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(
        subprocess.run(
            [python, "-c", where], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    package = site / "corpuskit"
    shutil.copytree(ROOT / "corpuskit", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "schema", package / "schema")
    ours = sysconfig.get_paths()
    (site / "dependencies.pth").write_text(
        "\n".join(sorted({ours["purelib"], ours["platlib"]})) + "\n", "utf-8"
    )
    subprocess.run([python, "-m", "compileall", "-q", str(package)], env=COMPILED_ENV, check=True)
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    module, function = entry["corpuskit"].split(":")
    script = bindir / "corpuskit"
    # What pip 26 (.ci/run upgrades to it) writes for a console script, the interpreter in the
    # first line; pip 23 wrote "import re" and a re.sub, which corpuskit imports anyway.
    script.write_text(
        f"#!{python}\nimport sys\n"
        f"from {module} import {function}\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n"
        f"    sys.exit({function}())\n",
        "utf-8",
    )
    script.chmod(0o755)
    return Installed(python, [str(script)])


def fresh_process(work: Path, runs: int, installed: Installed) -> tuple[str, str, str]:
    """One document in a fresh process (the ``corpuskit`` command) against ``python -c pass``,
    both in a normal install (:func:`normal_install`), bytecode compiled."""
    write_seed_corpus(work / "one", 1, "json")
    python = installed.python
    one = [*installed.corpuskit, "validate", "--no-cache", "d000000.json"]
    check = subprocess.run(one, cwd=work / "one", env=COMPILED_ENV, capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit(f"the normal install does not validate: {check.stdout}{check.stderr}")
    bare, single = [], []
    for _ in range(max(runs, 5) * 3):
        start = time.perf_counter()
        subprocess.run([python, "-c", "pass"], env=COMPILED_ENV)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(one, cwd=work / "one", env=COMPILED_ENV, stdout=subprocess.DEVNULL)
        single.append(time.perf_counter() - start)
    p, v = statistics.median(bare), statistics.median(single)
    ratio = statistics.median(y / x for x, y in zip(bare, single, strict=True))
    return (
        "one document with its scheme, fresh process (normal install)",
        f"{v * 1000:.0f} ms",
        f"{ratio:.1f}x `python -c pass` ({p * 1000:.0f} ms)",
    )


def rss_rows(sizes: list[int], work: Path, installed: Installed) -> list[tuple[str, str, str]]:
    """Peak RSS of validate --jobs 1 on the seed corpus at each size."""
    rows: list[tuple[str, str, str]] = []
    base: float | None = None
    for n in sizes:
        folder = work / f"rss-{n}"
        write_seed_corpus(folder, n, "json")
        rss = peak_rss_mib([*installed.corpuskit, "validate", "--no-cache", "-j", "1", str(folder)])
        base = base or rss
        rows.append(
            (
                f"peak RSS, validate --jobs 1, {n:,} documents",
                f"{rss:.1f} MiB",
                f"{(rss / base - 1) * 100:+.0f} %",
            )
        )
        shutil.rmtree(folder)
    return rows


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
    parser.add_argument("--sizes", default="5000", help="corpus sizes, comma-separated")
    parser.add_argument(
        "--rss-sizes", default="5000,50000", help="sizes for the peak-memory rows, comma-separated"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--output", type=Path, help="also write the table here (Markdown)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rss_sizes = [int(s) for s in args.rss_sizes.split(",")]
    report = [
        "# Benchmark results",
        "",
        f"`python benchmarks/run.py --sizes {args.sizes} --rss-sizes {args.rss_sizes} "
        f"--runs {args.runs}`",
        "",
        f"Machine: {machine()}. Whole processes, in a normal install (the `corpuskit` command "
        f"pip writes; limits A and B with the same Python); each figure the median of {args.runs} runs "
        "taken alternately with its yardstick, each ratio the median of the ratios of those "
        "back-to-back pairs (steadier on a shared machine; the cold cache against --no-cache, "
        f"a difference of a few per cent, from {COLD_PAIRS * args.runs} pairs, --jobs 1 from "
        f"{SERIAL_PAIRS * args.runs} and --jobs {cores()} from {PARALLEL_PAIRS * args.runs}); "
        "bytecode "
        "compiled first, as an "
        "installed package has it. Corpora: `seed` = the seed article replicated, with its "
        "scheme; `generated` = benchmarks/generate.py, no scheme.",
        "",
    ]
    print("\n".join(report), flush=True)
    # Fresh bytecode for every run below (this machine may forbid writing it at run time).
    subprocess.run(
        [PY, "-m", "compileall", "-q", str(Path(__file__).resolve().parents[1] / "corpuskit")],
        env=COMPILED_ENV,
        capture_output=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        installed = normal_install(work)
        for n in sizes:
            for kind in ("seed", "generated"):
                rows = bench_corpus(kind, n, args.runs, work, installed)
                block = [f"## {kind}, {n:,} documents", "", "| what | figure | ratio |"]
                block += ["|---|---:|---:|", *(f"| {w} | {f} | {r} |" for w, f, r in rows), ""]
                print("\n".join(block), flush=True)
                report += block
                for folder in work.glob(f"{kind}-*"):
                    shutil.rmtree(folder)
        rows = [fresh_process(work, args.runs, installed), *rss_rows(rss_sizes, work, installed)]
        block = ["## start-up and memory", "", "| what | figure | ratio |", "|---|---:|---:|"]
        block += [f"| {w} | {f} | {r} |" for w, f, r in rows]
        print("\n".join(block), flush=True)
        report += block
    if args.output is not None:
        args.output.write_text("\n".join(report) + "\n", "utf-8")


if __name__ == "__main__":
    main()
