"""Quick timing: `corpuskit validate` against the cost of merely parsing the same files.

    python benchmarks/quick.py [N] [--runs R]

Generates N documents (JSON and XML) in a temporary folder, then times whole processes,
median of R runs each, the yardstick alternating with the subject:
limit A = read every JSON file and orjson.loads it; limit B = lxml.etree.parse every XML file.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_corpus

LIMIT_A = "import orjson,pathlib,sys\nfor p in sorted(pathlib.Path(sys.argv[1]).glob('*.json')): orjson.loads(p.read_bytes())"
LIMIT_B = "import lxml.etree as E,pathlib,sys\nfor p in sorted(pathlib.Path(sys.argv[1]).glob('*.xml')): E.parse(str(p))"


def timed(cmd: list[str]) -> float:
    """Wall seconds of one run of cmd (exit codes 0 and 1 are both normal for validate)."""
    start = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed: {result.stderr}")
    return elapsed


def pair(limit: list[str], subject: list[str], runs: int) -> tuple[float, float]:
    """Medians of the limit and the subject, run alternately."""
    a, b = [], []
    for _ in range(runs):
        a.append(timed(limit))
        b.append(timed(subject))
    return statistics.median(a), statistics.median(b)


def main() -> None:
    """Generate, time, print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        json_dir, xml_dir = Path(tmp, "json"), Path(tmp, "xml")
        write_corpus(json_dir, args.n, fmt="json")
        write_corpus(xml_dir, args.n, fmt="xml")
        py = sys.executable
        validate = [py, "-m", "corpuskit", "validate", "--format", "concise"]
        a, vj = pair([py, "-c", LIMIT_A, str(json_dir)], [*validate, str(json_dir)], args.runs)
        b, vx = pair([py, "-c", LIMIT_B, str(xml_dir)], [*validate, str(xml_dir)], args.runs)
        one = sorted(json_dir.glob("*.json"))[0]
        p, v1 = pair([py, "-c", "pass"], [*validate, str(one)], args.runs)
    print(f"{args.n} generated documents, median of {args.runs} runs, whole processes\n")
    print("| what | wall s | ratio |")
    print("|---|---:|---:|")
    print(f"| limit A: read + orjson.loads every JSON file | {a:.2f} | 1 |")
    print(f"| corpuskit validate, JSON | {vj:.2f} | {vj / a:.1f}x A |")
    print(f"| limit B: lxml.etree.parse every XML file | {b:.2f} | 1 |")
    print(f"| corpuskit validate, XML | {vx:.2f} | {vx / b:.1f}x B |")
    print(f"| python -c pass | {p * 1000:.0f} ms | 1 |")
    print(f"| corpuskit validate, one JSON file | {v1 * 1000:.0f} ms | {v1 / p:.1f}x |")


if __name__ == "__main__":
    main()
