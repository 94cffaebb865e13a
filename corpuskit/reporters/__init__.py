"""Reporters: one module per output format, all made from the same diagnostic records.

A reporter is fed file reports as they stream in and writes to a text stream; the name ->
class registry is what ``--format`` chooses from. Reporters that produce one document (SARIF,
JSON, JUnit) collect the reports and write at ``finish``.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from corpuskit.engine import FileReport


@dataclass(slots=True)
class Summary:
    """Totals of a run."""

    files: int = 0
    errors: int = 0
    warnings: int = 0
    unreadable: int = 0
    #: Diagnostics left out because a baseline records them.
    baselined: int = 0

    def add(self, report: FileReport) -> None:
        """Count one file's report."""
        self.files += 1
        self.errors += report.errors
        self.warnings += report.warnings
        self.unreadable += report.unreadable


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What machine reports need besides the diagnostics."""

    #: Paths in reports are made relative to this folder (the repository root).
    root: Path = field(default_factory=Path.cwd)
    color: bool = False

    def relative(self, path: str) -> str:
        """``path`` relative to the root, POSIX-style, when it lies inside it."""
        try:
            return Path(os.path.abspath(path)).relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return Path(path).as_posix()


class Reporter(Protocol):
    """Writes a report as file results arrive."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None: ...

    def file(self, report: FileReport) -> None:
        """Report one file."""

    def finish(self, summary: Summary) -> None:
        """Write whatever closes the report (a summary line, the whole document)."""


#: ``--format`` name -> "module:Class"; modules are imported only when chosen.
REPORTERS = {
    "text": "corpuskit.reporters.text:TextReporter",
    "concise": "corpuskit.reporters.concise:ConciseReporter",
    "github": "corpuskit.reporters.github:GithubReporter",
    "sarif": "corpuskit.reporters.sarif:SarifReporter",
    "junit": "corpuskit.reporters.junit:JunitReporter",
    "rdjson": "corpuskit.reporters.rdjson:RdjsonReporter",
    "json": "corpuskit.reporters.json_report:JsonReporter",
}
REPORTER_NAMES = (*REPORTERS, "auto")


def resolve_format(name: str) -> str:
    """``auto`` is ``github`` inside GitHub Actions and ``text`` elsewhere."""
    if name == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return name


def reporter_class(name: str) -> type[Reporter]:
    """The reporter class for a ``--format`` name."""
    module, cls = REPORTERS[resolve_format(name)].split(":")
    found: type[Reporter] = getattr(importlib.import_module(module), cls)
    return found
