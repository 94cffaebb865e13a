"""brat round trip on real data (issue 17): ``python benchmarks/brat_corpus.py --brat DIR``.

``DIR`` is a checkout of brat (https://github.com/nlplab/brat) or its ``example-data`` folder:
eleven folders of brat's own example data (BioNLP-ST 2011 GE/EPI/ID/REL, CoNLL-ST 2002 esp/ned,
CoNLL-ST 2006, NCBI-disease, TDT, the news and bio tutorials). The data is copied into a
temporary project, then ``corpuskit import brat`` (which validates under the scheme converted
from each annotation.conf) and ``corpuskit export brat`` run on it as whole processes, exactly
as a user would run them. Per folder it prints:

- files: .ann files in; refused (no document written); altered (the .ann written back differs
  from the one read, line order aside, or the .txt differs);
- lines in, lines out, lines preserved (an input line that comes back byte for byte; lines are
  compared as a multiset, so a reordered file loses nothing);
- lines reported: input lines that a diagnostic of the import names (by file and line), and
  lines lost in silence: lines not preserved that no diagnostic names. The goal is 0.

Nothing of the data is committed: it is read from the brat checkout given.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: The folders brat's example data holds annotated documents in.
FOLDERS = (
    "corpora/BioNLP-ST_2011/BioNLP-ST_2011_EPI",
    "corpora/BioNLP-ST_2011/BioNLP-ST_2011_GE",
    "corpora/BioNLP-ST_2011/BioNLP-ST_2011_ID",
    "corpora/BioNLP-ST_2011/BioNLP-ST_2011_REL",
    "corpora/CoNLL-ST_2002/esp",
    "corpora/CoNLL-ST_2002/ned",
    "corpora/CoNLL-ST_2006",
    "corpora/NCBI-disease",
    "corpora/TDT",
    "tutorials/bio",
    "tutorials/news",
)


@dataclass
class Tally:
    """Figures of one folder."""

    files: int = 0
    refused: int = 0
    altered: int = 0
    lines_in: int = 0
    lines_out: int = 0
    preserved: int = 0
    reported: int = 0
    silent: int = 0
    silent_examples: list[str] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)


def _lines(text: str) -> list[str]:
    """The annotation lines of an .ann (blank lines are no annotation; CR of CRLF dropped)."""
    return [ln.removesuffix("\r") for ln in text.split("\n") if ln.strip()]


def _run(args: list[str], cwd: Path) -> list[dict[str, object]]:
    """One corpuskit command as a process; its diagnostics (``--format json``)."""
    done = subprocess.run(
        [sys.executable, "-m", "corpuskit", *args, "--format", "json"],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"corpuskit {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    # The summary line may follow the report on stdout: read the JSON value alone.
    report, _ = json.JSONDecoder().raw_decode(done.stdout)
    diagnostics: list[dict[str, object]] = report["diagnostics"]
    return diagnostics


def measure(example_data: Path, work: Path) -> dict[str, Tally]:
    """Import, validate and export every folder; the figures by folder."""
    data = work / "example-data"
    shutil.copytree(example_data, data)
    diagnostics = _run(["import", "brat", "example-data", "-o", "imported"], work)
    _run(["export", "brat", "imported", "-o", "exported"], work)
    named: dict[str, set[int]] = {}
    codes: dict[str, Counter[str]] = {}
    for d in diagnostics:
        path = Path(str(d["path"]))
        key = str(path.resolve() if path.is_absolute() else (work / path).resolve())
        named.setdefault(key, set()).add(int(str(d["line"])))
        codes.setdefault(key, Counter())[str(d["code"])] += 1
    tallies: dict[str, Tally] = {}
    for folder in FOLDERS:
        tally = tallies[folder] = Tally()
        for ann in sorted((data / folder).glob("*.ann")):
            rel = ann.relative_to(data)
            tally.files += 1
            lines_in = _lines(ann.read_text("utf-8"))
            key = str(ann.resolve())
            tally.codes.update(codes.get(key, Counter()))
            back = work / "exported" / rel
            text_back = back.with_suffix(".txt")
            if not (work / "imported" / rel.with_suffix(".json")).exists():
                tally.refused += 1
            lines_out = _lines(back.read_text("utf-8")) if back.exists() else []
            if Counter(lines_in) != Counter(lines_out) or (
                text_back.exists()
                and text_back.read_bytes() != ann.with_suffix(".txt").read_bytes()
            ):
                tally.altered += 1
            left = Counter(lines_out)
            tally.lines_in += len(lines_in)
            tally.lines_out += len(lines_out)
            numbered = [
                (n, ln.removesuffix("\r"))
                for n, ln in enumerate(ann.read_text("utf-8").split("\n"), 1)
                if ln.strip()
            ]
            for number, line in numbered:
                if left[line] > 0:
                    left[line] -= 1
                    tally.preserved += 1
                elif number in named.get(key, set()):
                    tally.reported += 1
                else:
                    tally.silent += 1
                    if len(tally.silent_examples) < 3:
                        tally.silent_examples.append(f"{rel}:{number}: {line[:100]}")
    return tallies


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--brat", type=Path, required=True, help="brat checkout or example-data")
    parser.add_argument("--keep", type=Path, help="work here (kept) instead of a temp folder")
    args = parser.parse_args()
    source = args.brat / "example-data" if (args.brat / "example-data").is_dir() else args.brat
    with tempfile.TemporaryDirectory() as temp:
        work = args.keep or Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        tallies = measure(source, work)
    print(
        "| folder | files | refused | altered | lines in | lines out | preserved | "
        "reported | silent |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    total = Tally()
    for folder, t in tallies.items():
        print(
            f"| {folder} | {t.files} | {t.refused} | {t.altered} | {t.lines_in:,} | "
            f"{t.lines_out:,} | {t.preserved:,} ({_percent(t.preserved, t.lines_in)}) | "
            f"{t.reported:,} | {t.silent:,} |"
        )
        for name in ("files", "refused", "altered", "lines_in", "lines_out", "preserved"):
            setattr(total, name, getattr(total, name) + getattr(t, name))
        total.reported += t.reported
        total.silent += t.silent
        total.silent_examples += t.silent_examples
        total.codes.update(t.codes)
    print(
        f"| **all** | {total.files} | {total.refused} | {total.altered} | {total.lines_in:,} | "
        f"{total.lines_out:,} | {total.preserved:,} ({_percent(total.preserved, total.lines_in)}) "
        f"| {total.reported:,} | {total.silent:,} |"
    )
    print("\ndiagnostics of the import by code:", dict(sorted(total.codes.items())))
    for example in total.silent_examples[:10]:
        print("lost in silence:", example)


if __name__ == "__main__":
    main()
