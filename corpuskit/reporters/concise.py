"""The concise format: exactly one ``PATH:LINE:COL: CODE message`` line per diagnostic."""

from __future__ import annotations

from typing import TextIO

from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary


class ConciseReporter:
    """One line per diagnostic, nothing else: for editors and problem matchers."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream

    def file(self, report: FileReport) -> None:
        """Write one line per diagnostic of the file."""
        for d in report.diagnostics:
            message = d.message.replace("\n", " ")
            self.stream.write(f"{d.path}:{d.line}:{d.column}: {d.code} {message}\n")

    def finish(self, summary: Summary) -> None:
        """Nothing closes a concise report."""
