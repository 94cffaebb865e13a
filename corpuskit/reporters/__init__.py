"""Reporters: one module per output format, all made from the same diagnostic records.

A reporter is fed file reports as they stream in and writes to a text stream; the name ->
class registry is what ``--format`` chooses from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TextIO

from corpuskit.engine import FileReport


@dataclass(slots=True)
class Summary:
    """Totals of a run."""

    files: int = 0
    errors: int = 0
    warnings: int = 0
    unreadable: int = 0

    def add(self, report: FileReport) -> None:
        """Count one file's report."""
        self.files += 1
        self.errors += report.errors
        self.warnings += report.warnings
        self.unreadable += report.unreadable


class Reporter(Protocol):
    """Writes a report as file results arrive."""

    def __init__(self, stream: TextIO, *, color: bool = False) -> None: ...

    def file(self, report: FileReport) -> None:
        """Report one file."""

    def finish(self, summary: Summary) -> None:
        """Write whatever closes the report (a summary line, a closing bracket)."""


def reporter_class(name: str) -> type[Reporter]:
    """The reporter class for a ``--format`` name."""
    from corpuskit.reporters.concise import ConciseReporter
    from corpuskit.reporters.text import TextReporter

    classes: dict[str, type[Reporter]] = {"text": TextReporter, "concise": ConciseReporter}
    return classes[name]


#: The names ``--format`` accepts.
REPORTER_NAMES = ("text", "concise")
