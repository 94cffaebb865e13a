"""Baselines: adopt corpuskit on an existing corpus by reporting only new problems.

A baseline records, per file, how many diagnostics of each code each annotation has. Matching is
by file, code and annotation id, never by line, so edits elsewhere in a file do not bring
recorded problems back.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpuskit.diagnostics import CorpuskitError, Diagnostic
from corpuskit.engine import FileReport

BASELINE_VERSION = 1
#: A baseline file larger than this is not read.
MAX_BASELINE_BYTES = 64 * 1024 * 1024
Key = tuple[str, str, str]


class BaselineError(CorpuskitError):
    """The baseline file cannot be read (exit code 2)."""


def _key(path: str, d: Diagnostic) -> Key:
    return (path, d.code, d.annotation_id or "")


@dataclass
class Baseline:
    """Recorded problems, consumed as they are matched."""

    remaining: Counter[Key] = field(default_factory=Counter)

    @classmethod
    def load(cls, path: Path, root: Path | None = None) -> Baseline:
        """Read a baseline file: a regular file, no link out of ``root`` (default: the current
        folder), at most :data:`MAX_BASELINE_BYTES`; BaselineError otherwise."""
        from corpuskit.io import read_text_input

        try:
            text = read_text_input(path, root=root, limit=MAX_BASELINE_BYTES)
        except UnicodeDecodeError as exc:
            raise BaselineError(
                f"{path}: cannot read baseline: not UTF-8 (byte {exc.start})"
            ) from None
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
        try:
            data = json.loads(text)
            entries = data["entries"]
            if data.get("version") != BASELINE_VERSION:
                raise BaselineError(f"{path}: unsupported baseline version {data.get('version')!r}")
            counts: Counter[Key] = Counter()
            for e in entries:
                counts[(str(e["path"]), str(e["code"]), str(e.get("annotation_id") or ""))] += int(
                    e.get("count", 1)
                )
        except RecursionError:
            raise BaselineError(f"{path}: not a corpuskit baseline (nested too deeply)") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BaselineError(f"{path}: not a corpuskit baseline ({exc})") from exc
        return cls(counts)

    def filter(self, report: FileReport, path: str) -> tuple[FileReport, int]:
        """The report without the diagnostics the baseline records, and how many were left out."""
        kept: list[Diagnostic] = []
        for d in report.diagnostics:
            key = _key(path, d)
            if self.remaining[key] > 0:
                self.remaining[key] -= 1
            else:
                kept.append(d)
        dropped = len(report.diagnostics) - len(kept)
        return (replace(report, diagnostics=tuple(kept)) if dropped else report), dropped


def write_baseline(
    target: Path, reports: Iterable[FileReport], relative: Callable[[str], str]
) -> int:
    """Record every diagnostic of ``reports``; return how many were recorded."""
    from corpuskit.io import write_atomic

    counts: Counter[Key] = Counter()
    for report in reports:
        for d in report.diagnostics:
            counts[_key(relative(report.path), d)] += 1
    entries = [
        {"path": p, "code": c, "annotation_id": a or None, "count": n}
        for (p, c, a), n in sorted(counts.items())
    ]
    write_atomic(
        target, json.dumps({"version": BASELINE_VERSION, "entries": entries}, indent=2) + "\n"
    )
    return sum(counts.values())
