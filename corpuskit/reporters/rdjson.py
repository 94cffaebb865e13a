"""reviewdog's diagnostic format (rdjson), so reviewdog can comment on changed lines only."""

from __future__ import annotations

from typing import Any, TextIO

from corpuskit.diagnostics import Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import dump_json, visible


class RdjsonReporter:
    """One DiagnosticResult document, written at the end."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream
        self.context = context
        self.diagnostics: list[dict[str, Any]] = []

    def file(self, report: FileReport) -> None:
        """Collect the file's diagnostics."""
        for d in report.diagnostics:
            end = {"line": d.end_line or d.line, "column": d.end_column or d.column}
            # reviewdog prints messages into CI logs and comments: input-derived text escaped.
            message = visible(d.message) + (f"\n{visible(d.hint)}" if d.hint else "")
            self.diagnostics.append(
                {
                    "message": message,
                    "location": {
                        "path": visible(self.context.relative(d.path)),
                        "range": {"start": {"line": d.line, "column": d.column}, "end": end},
                    },
                    "severity": "ERROR" if d.severity is Severity.ERROR else "WARNING",
                    "code": {"value": visible(d.code)},
                }
            )

    def finish(self, summary: Summary) -> None:
        """Write the result."""
        result = {"source": {"name": "corpuskit"}, "diagnostics": self.diagnostics}
        self.stream.write(dump_json(result) + "\n")
