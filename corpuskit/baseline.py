"""Baselines: adopt corpuskit on an existing corpus by reporting only new problems.

A baseline records, per file, how many diagnostics there are of each (code, annotation id,
stable message). Matching never uses the line, so edits elsewhere in a file do not bring recorded
problems back; it does use the message, so a different problem of the same code on the same
annotation (another dangling reference) is reported, not hidden.

The stable message is the message with the parts that move when something else is edited made
uniform: numbers outside quotes (offsets, positions, indexes such as ``mention #3``), the
document text quoted after a range (``the text at [27, 33): "ussia,"``) and scheme locations
(``corpus/scheme.toml:12``, which also depend on the working directory). Quoted values are kept
otherwise: they are the ids, references, roles and types that tell one problem from another.

Counting never hides an unrecorded problem: a baseline entry hides as many diagnostics as it
counts, and when a file has more diagnostics of one key than recorded, which of them are new
cannot be told, so all of them are reported, each with a note saying so.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from msgspec.structs import replace

from corpuskit.diagnostics import CorpuskitError, Diagnostic
from corpuskit.engine import FileReport

BASELINE_VERSION = 2
#: Versions read: 1 recorded no messages (its entries match any message, with a warning).
READABLE_VERSIONS = (1, 2)
#: A baseline file larger than this is not read.
MAX_BASELINE_BYTES = 64 * 1024 * 1024
#: (path, code, annotation id, stable message); a None message (version 1) matches any.
Key = tuple[str, str, str, str | None]

_QUOTED = r'"(?:[^"\\]|\\.)*"'
#: The document text found at a range: it changes whenever the text or the offsets move.
_TEXT_AT = re.compile(r"\[\d+, \d+\): " + _QUOTED)
#: A scheme location, ``PATH.toml`` with an optional ``:LINE``.
_SCHEME_AT = re.compile(r"[^\s()\"]+\.toml(?::\d+)?")
_PIECES = re.compile(r"(" + _QUOTED + r")")
_NUMBER = re.compile(r"\d+")


class BaselineError(CorpuskitError):
    """The baseline file cannot be read (exit code 2)."""


def stable_message(message: str) -> str:
    """``message`` with what moves on unrelated edits made uniform (see the module docstring)."""
    message = _TEXT_AT.sub('[#, #): "…"', message)
    pieces = _PIECES.split(message)
    # split() with one group alternates: outside quotes at even indexes, quoted at odd ones.
    for i in range(0, len(pieces), 2):
        pieces[i] = _NUMBER.sub("#", _SCHEME_AT.sub("<scheme>", pieces[i]))
    return "".join(pieces)


def _key(path: str, d: Diagnostic) -> Key:
    return (path, d.code, d.annotation_id or "", stable_message(d.message))


@dataclass
class Baseline:
    """Recorded problems, consumed as they are matched."""

    remaining: Counter[Key] = field(default_factory=Counter)
    #: The version the file was written in (1: without messages).
    version: int = BASELINE_VERSION
    #: Files seen by :meth:`filter`: recorded problems of other files were not looked for.
    seen: set[str] = field(default_factory=set)

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
            version = data.get("version")
            if version not in READABLE_VERSIONS:
                raise BaselineError(f"{path}: unsupported baseline version {version!r}")
            counts: Counter[Key] = Counter()
            for e in entries:
                message = None if version == 1 else str(e["message"])
                key = (str(e["path"]), str(e["code"]), str(e.get("annotation_id") or ""), message)
                count = int(e.get("count", 1))
                if count < 1:
                    raise ValueError(f"count {count} is not a positive number")
                counts[key] += count
        except RecursionError:
            raise BaselineError(f"{path}: not a corpuskit baseline (nested too deeply)") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BaselineError(f"{path}: not a corpuskit baseline ({exc})") from exc
        return cls(counts, version)

    def filter(self, report: FileReport, path: str) -> tuple[FileReport, int]:
        """The report without the diagnostics the baseline records, and how many were left out."""
        kept, hidden = self.split(report, path)
        return kept, len(hidden.diagnostics)

    def split(self, report: FileReport, path: str) -> tuple[FileReport, FileReport]:
        """The report without the diagnostics the baseline records, and those diagnostics (for
        reports that mark them as suppressed instead of leaving them out)."""
        self.seen.add(path)
        groups: dict[Key, list[int]] = {}
        for i, d in enumerate(report.diagnostics):
            groups.setdefault(_key(path, d), []).append(i)
        hidden: set[int] = set()
        noted: dict[int, str] = {}
        for key, found in groups.items():
            recorded, source = self._take(key, len(found))
            if recorded >= len(found):
                hidden.update(found)
            elif recorded:
                # More than recorded: the new ones cannot be told from the old, so none is
                # hidden and each says why it is shown.
                note = (
                    f"the baseline records {recorded} problem{'s' if recorded != 1 else ''} "
                    f"like this in this file and {len(found)} were found; which are new cannot "
                    "be told, so all are shown"
                )
                noted.update(dict.fromkeys(found, note))
            if source is not None:
                self.remaining[source] -= min(recorded, len(found))
        if not hidden and not noted:
            return report, replace(report, diagnostics=())
        kept = []
        for i, d in enumerate(report.diagnostics):
            if i in hidden:
                continue
            if i in noted:
                d = replace(d, hint=f"{d.hint}; {noted[i]}" if d.hint else noted[i])
            kept.append(d)
        matched = tuple(d for i, d in enumerate(report.diagnostics) if i in hidden)
        return replace(report, diagnostics=tuple(kept)), replace(report, diagnostics=matched)

    def _take(self, key: Key, wanted: int) -> tuple[int, Key | None]:
        """How many diagnostics of ``key`` are recorded (and under which key): the exact key,
        else a version-1 entry of the same path, code and annotation."""
        for candidate in (key, (*key[:3], None)):
            if self.remaining[candidate] > 0:
                return self.remaining[candidate], candidate
        return 0, None

    def unmatched(self) -> int:
        """Recorded problems of the files seen that were not found (fixed, or changed)."""
        return sum(n for key, n in self.remaining.items() if key[0] in self.seen and n > 0)


def write_baseline(
    target: Path, reports: Iterable[FileReport], relative: Callable[[str], str]
) -> int:
    """Record every diagnostic of ``reports``; return how many were recorded."""
    from corpuskit.io import write_atomic

    counts: Counter[tuple[str, str, str, str]] = Counter()
    for report in reports:
        for d in report.diagnostics:
            p, c, a, m = _key(relative(report.path), d)
            counts[(p, c, a, m or "")] += 1
    entries = [
        {"path": p, "code": c, "annotation_id": a or None, "message": m, "count": n}
        for (p, c, a, m), n in sorted(counts.items())
    ]
    write_atomic(
        target, json.dumps({"version": BASELINE_VERSION, "entries": entries}, indent=2) + "\n"
    )
    return sum(counts.values())
