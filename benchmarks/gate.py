"""The gate's worst cases, timed: ``python benchmarks/gate.py [--megabytes 30] [--errors 140]``.

A single-line JSON document of about 30 MB with 140 span errors once took 50 s and wrote a
3.9 GB cache entry (every diagnostic stored the whole source line). This prints, for a cold and
a warm run of ``corpuskit validate`` in a fresh process: wall time, peak memory of the process
and the size of the cache folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "examples" / "positive" / "minimal.json"


def make_document(folder: Path, megabytes: int, errors: int, seed: int = 1) -> Path:
    """A single-line document of about ``megabytes`` MB with ``errors`` mismatched spans."""
    doc = json.loads(MINIMAL.read_text("utf-8"))
    words = "lorem ipsum dolor sit amet "
    text = doc["text"] + " " + words * (megabytes * 1_000_000 // len(words))
    rng = random.Random(seed)
    mentions = []
    for n in range(errors):
        start = rng.randrange(100, len(text) - 10)
        span = [{"start": start, "end": start + 5, "text": "zzzzz"}]
        mentions.append({"id": f"m{n}", "type": "PER", "span": span})
    doc.update(entities=[], quotes=[], claims=[], events=[], relations=[], attributes=[])
    doc.update(text=text, mentions=mentions)
    doc["text_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    target = folder / "corpus" / "big.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    (folder / "corpuskit.toml").write_text('paths = ["corpus"]\nmax-file-size = 268435456\n')
    return target


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def timed_run(cwd: Path) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (KiB) of the child and its exit code for one validate run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "--format", "concise"],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before), result.returncode


def main() -> None:
    """Build the document, run validate cold and warm, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=int, default=30)
    parser.add_argument("--errors", type=int, default=140)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        doc = make_document(folder, args.megabytes, args.errors)
        size = doc.stat().st_size
        print(f"document: {size / 1e6:.1f} MB on one line, {args.errors} span errors")
        for label in ("cold", "warm"):
            seconds, peak, code = timed_run(folder)
            cache = _folder_size(folder / ".corpuskit_cache")
            print(
                f"{label}: {seconds:.2f} s, peak RSS {peak / 1024:.0f} MiB (largest child so far),"
                f" exit {code}, cache {cache / 1024:.0f} KiB"
            )


if __name__ == "__main__":
    main()
