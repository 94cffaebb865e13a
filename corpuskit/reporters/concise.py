"""The concise format: exactly one ``PATH:LINE:COL: CODE message`` line per diagnostic."""

from __future__ import annotations

from typing import TextIO

from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import display_path, visible


class ConciseReporter:
    """One line per diagnostic, nothing else: for editors and problem matchers."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream

    def file(self, report: FileReport) -> None:
        """Write one line per diagnostic of the file."""
        for d in report.diagnostics:
            # Escaped, so a line break or control character in the input cannot break the
            # one-line-per-diagnostic shape or reach the terminal.
            where = f"{display_path(d.path)}:{d.line}:{d.column}:"
            self.stream.write(f"{where} {visible(d.code)} {visible(d.message)}\n")

    def finish(self, summary: Summary) -> None:
        """Nothing closes a concise report."""
