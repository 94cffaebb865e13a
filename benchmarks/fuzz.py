"""The corpuskit fuzzer: mutated inputs for validate, fix, reanchor, convert and every importer.

    python benchmarks/fuzz.py --cases 100000 --seed 1 [--targets validate,fix] [--max-seconds S]

Each case draws a valid input (generated documents, tests/examples/positive, the interop
fixtures), mutates it (bytes; JSON and XML structure: types swapped, deep nesting, huge numbers,
odd number spellings, lone surrogates, control characters, long strings, fields missing or
empty; brat and annotation.conf lines; text edits) and checks what the library promises:

- ``validate``: ``check_bytes`` never raises and never reports P999; ``loads`` raises only
  DocumentError, and loads whatever validates; every reporter renders the report.
- ``fix``: the fixed text parses, passes the schema, keeps every annotation and its non-span
  content, has no more errors, and fixing it again changes nothing.
- ``reanchor``: on a text ``corpuskit reanchor`` accepts, no annotation is lost, every fragment
  lies inside the new text, unchanged ones cover their text, only moved ones are flagged.
- ``convert``: a document that validates converts (JSON <-> XML) to one that validates and holds
  the same document; canonical input round-trips byte for byte.
- ``brat``, ``bioc-xml``, ``bioc-json``, ``w3c``: the importer (and annotation.conf
  conversion) gives diagnostics or a document, never an exception; the document is validated
  and its diagnostics placed as ``corpuskit import`` does.

Outcomes are counted per target: crashes (an unexpected exception), hangs (a case over
``--timeout`` seconds, stopped by SIGALRM), data-loss cases and other broken promises. Each
failure is saved (traceback and inputs) under ``--save``. Case ``i`` depends only on
(``--seed``, its target, ``i``): ``--case i`` replays it. The exit code is 1 on any failure.
One case in a hundred scales its input up (copies of an annotation, brat lines or the text) and
runs at two sizes: time growing more than 10 times for 4 times the input is a hang too (a
time bound alone would flag slow linear work on a busy machine). ``--light`` leaves them out. The test suite runs a short fixed-seed, light version
(tests/test_fuzz.py).

Modules: this one runs cases and counts; fuzz_targets.py holds the command targets,
fuzz_import_targets.py the importer ones, fuzz_documents.py the valid inputs, fuzz_mutations.py
the mutations.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_import_targets as importers
import fuzz_targets as commands
from fuzz_targets import TARGETS, Broken, Case, DataLoss, Hang, case_rng, errors

__all__ = [
    "TARGETS",
    "Broken",
    "Case",
    "DataLoss",
    "Hang",
    "Result",
    "Tally",
    "errors",
    "main",
    "run",
]

DEFAULT_SAVE = Path(tempfile.gettempdir()) / "corpuskit-fuzz"
#: Target name -> the function that runs one case (TARGETS gives the order).
TARGET_FUNCTIONS: dict[str, Callable[[Case], str]] = {
    "validate": commands.target_validate,
    "fix": commands.target_fix,
    "reanchor": commands.target_reanchor,
    "convert": commands.target_convert,
    "brat": importers.target_brat,
    "bioc-xml": importers.target_bioc_xml,
    "bioc-json": importers.target_bioc_json,
    "w3c": importers.target_w3c,
}


# --------------------------------------------------------------------------- running


@dataclass
class Tally:
    """The outcomes of one target's cases."""

    cases: int = 0
    crashes: int = 0
    hangs: int = 0
    losses: int = 0
    broken: int = 0
    seconds: float = 0.0
    #: What the passing cases ended as (documents, diagnostics, refusals...).
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def failures(self) -> int:
        """Crashes, hangs, data-loss cases and broken promises."""
        return self.crashes + self.hangs + self.losses + self.broken


@dataclass
class Failure:
    """One failed case: what kind, where it is saved, a one-line description."""

    target: str
    index: int
    kind: str
    summary: str
    signature: str
    folder: Path | None = None


@dataclass
class Result:
    """A fuzz run: tallies per target and every failure."""

    seed: int
    tallies: dict[str, Tally]
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """Whether any case crashed, hung, lost data or broke a promise."""
        return bool(self.failures)

    def table(self) -> str:
        """The per-target figures as a text table."""
        rows = [
            f"{'target':<10} {'cases':>7} {'crashes':>7} {'hangs':>5} {'losses':>6} {'broken':>6} {'ms/case':>7}  outcomes"
        ]
        total = Tally()
        for name, t in self.tallies.items():
            per = 1000 * t.seconds / t.cases if t.cases else 0.0
            top = ", ".join(f"{k} {v}" for k, v in t.outcomes.most_common(4))
            rows.append(
                f"{name:<10} {t.cases:>7} {t.crashes:>7} {t.hangs:>5} {t.losses:>6} {t.broken:>6} {per:>7.2f}  {top}"
            )
            for attr in ("cases", "crashes", "hangs", "losses", "broken"):
                setattr(total, attr, getattr(total, attr) + getattr(t, attr))
            total.seconds += t.seconds
        per = 1000 * total.seconds / total.cases if total.cases else 0.0
        rows.append(
            f"{'total':<10} {total.cases:>7} {total.crashes:>7} {total.hangs:>5} {total.losses:>6} {total.broken:>6} {per:>7.2f}"
        )
        return "\n".join(rows)


def _where(exc: BaseException) -> str:
    """The innermost corpuskit frame of a traceback (file:line)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f"{os.sep}corpuskit{os.sep}" in f.filename] or frames
    return f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"


def _signature(kind: str, exc: BaseException) -> str:
    """One line per distinct defect: where a crash or a stopped case was, what a loss lost."""
    if kind == "crash":
        frames = traceback.extract_tb(exc.__traceback__)
        ours = any(f"{os.sep}corpuskit{os.sep}" in f.filename for f in frames)
        return f"{type(exc).__name__} at {_where(exc)}" + (
            "" if ours else " (in the fuzzer itself)"
        )
    if kind == "hang" and "superlinear" not in str(exc):
        return f"over the time bound, stopped at {_where(exc)}"
    return str(exc)[:120]


def _save(save: Path, case: Case, kind: str, seed: int, exc: BaseException) -> Path:
    folder = save / f"{case.target}-{case.index}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case.inputs.items():
        (folder / name).write_bytes(data)
    replay = f"python benchmarks/fuzz.py --seed {seed} --targets {case.target} --case {case.index}"
    replay += "" if case.heavy else " --light"
    text = "".join(traceback.format_exception(exc))
    (folder / "failure.txt").write_text(
        f"{kind} in {case.target} case {case.index}\nreplay: {replay}\n\n{text}", "utf-8"
    )
    return folder


class _Watchdog:
    """Ends the process when a case is stuck where SIGALRM cannot reach it (inside C code)."""

    def __init__(self, limit: float, save: Path | None) -> None:
        #: A case is given up for lost after ``limit`` times its time bound (plus 10 s).
        self.limit, self.save = limit, save
        self.case: Case | None = None
        self.started = 0.0
        self.stopped = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while not self.stopped.wait(0.5):
            case = self.case
            if (
                case is not None
                and time.monotonic() - self.started > self.limit * case.timeout + 10
            ):
                where = ""
                if self.save is not None:
                    folder = self.save / f"{case.target}-{case.index}"
                    folder.mkdir(parents=True, exist_ok=True)
                    for name, data in case.inputs.items():
                        (folder / name).write_bytes(data)
                    where = f" (inputs in {folder})"
                print(
                    f"hang: {case.target} case {case.index} stuck in C code{where}",
                    file=sys.stderr,
                    flush=True,
                )
                os._exit(3)


def _on_alarm(signum: int, frame: Any) -> None:
    raise Hang("the case ran over its time bound")


def run(
    targets: list[str],
    cases: int,
    seed: int = 0,
    *,
    timeout: float = 5.0,
    max_seconds: float | None = None,
    save: Path | None = None,
    only: int | None = None,
    heavy: bool = True,
    log: Callable[[str], None] | None = None,
    functions: dict[str, Callable[[Case], str]] | None = None,
) -> Result:
    """Run ``cases`` cases round-robin over ``targets`` (or only case ``only``) and tally them.

    Stops early after ``max_seconds``. Without ``heavy``, no input is scaled up (the quick run). ``log`` receives the first failure of each kind.
    """
    functions = functions or TARGET_FUNCTIONS
    result = Result(seed, {t: Tally() for t in targets})
    alarm = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGALRM, _on_alarm) if alarm else None
    watchdog = _Watchdog(4, save)
    seen: set[str] = set()
    start = time.perf_counter()
    indices = [only] if only is not None else range(cases)
    try:
        for i in indices:
            if max_seconds is not None and time.perf_counter() - start > max_seconds:
                break
            target = targets[i % len(targets)]
            case = Case(target, i, case_rng(seed, target, i), heavy, timeout)
            tally = result.tallies[target]
            kind = ""
            error: BaseException | None = None
            began = time.perf_counter()
            watchdog.case, watchdog.started = case, time.monotonic()
            try:
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                try:
                    outcome = functions[target](case)
                finally:
                    if alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                if time.perf_counter() - began > case.timeout:
                    raise Hang(f"the case took {time.perf_counter() - began:.1f} s")
                tally.outcomes[outcome] += 1
            except Hang as exc:
                kind, error = "hang", exc
                tally.hangs += 1
            except DataLoss as exc:
                kind, error = "data loss", exc
                tally.losses += 1
            except Broken as exc:
                kind, error = "broken", exc
                tally.broken += 1
            except Exception as exc:  # a crash: count it, save it, go on
                kind, error = "crash", exc
                tally.crashes += 1
            finally:
                watchdog.case = None
                tally.cases += 1
                tally.seconds += time.perf_counter() - began
            if error is not None:
                folder = _save(save, case, kind, seed, error) if save is not None else None
                signature = f"{target}: {kind}: {_signature(kind, error)}"
                summary = f"{type(error).__name__}: {error}"[:300]
                result.failures.append(Failure(target, i, kind, summary, signature, folder))
                if log is not None and signature not in seen:
                    log(
                        f"case {i} {signature}\n    {summary}"
                        + (f"\n    saved in {folder}" if folder else "")
                    )
                seen.add(signature)
    finally:
        watchdog.stopped.set()
        if alarm:
            signal.signal(signal.SIGALRM, previous)
    result.seconds = time.perf_counter() - start
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: run the fuzzer, print the table; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=10_000, help="cases in total (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--targets", default=",".join(TARGETS), help=f"comma-separated: {', '.join(TARGETS)}"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=None,
        help="stop after this long (the figures say how many ran)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        help="a case over this many seconds is a hang (default 5)",
    )
    parser.add_argument(
        "--save",
        type=Path,
        default=DEFAULT_SAVE,
        help=f"failures are saved here (default {DEFAULT_SAVE})",
    )
    parser.add_argument("--case", type=int, default=None, help="replay this one case")
    parser.add_argument(
        "--light", action="store_true", help="never scale inputs up to thousands of annotations"
    )
    args = parser.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in targets if t not in TARGET_FUNCTIONS]
    if unknown or not targets:
        parser.error(f"unknown target(s) {', '.join(unknown)} (choose from {', '.join(TARGETS)})")
    save = args.save / f"seed-{args.seed}"

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = run(
        targets,
        args.cases,
        args.seed,
        timeout=args.timeout,
        max_seconds=args.max_seconds,
        save=save,
        only=args.case,
        heavy=not args.light,
        log=log,
    )
    print(result.table())
    total = sum(t.cases for t in result.tallies.values())
    kinds = Counter(f.signature for f in result.failures)
    print(
        f"\n{total} cases in {result.seconds:.0f} s (seed {args.seed}); {len(result.failures)} failed, {len(kinds)} distinct"
    )
    for signature, count in kinds.most_common():
        print(f"  {count:>6}  {signature}")
    if result.failures:
        print(f"failures saved in {save}")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
