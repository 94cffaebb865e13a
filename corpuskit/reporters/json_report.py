"""The JSON report: a stable, versioned structure described by schema/report.schema.json."""

from __future__ import annotations

from typing import Any, TextIO

from corpuskit import __version__
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import dump_json, encodable, visible

#: Version of the report structure; bumped on any incompatible change.
REPORT_VERSION = "1"


class JsonReporter:
    """Every diagnostic as a flat record, then a summary; written at the end."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream
        self.context = context
        self.diagnostics: list[dict[str, Any]] = []

    def file(self, report: FileReport) -> None:
        """Collect the file's diagnostics."""
        for d in report.diagnostics:
            record = d.to_dict()
            # Text for people (path, message, hint, fix) is escaped visibly, as in every report;
            # data fields stay exact (JSON escapes their controls) but must be encodable as UTF-8.
            record["path"] = visible(self.context.relative(d.path))
            for key in ("code", "rule", "message", "hint"):
                if record[key] is not None:
                    record[key] = visible(record[key])
            for key in ("pointer", "annotation_id", "document_id"):
                if record[key] is not None:
                    record[key] = encodable(record[key])
            if "fix" in record:
                record["fix"]["description"] = visible(record["fix"]["description"])
            self.diagnostics.append(record)

    def finish(self, summary: Summary) -> None:
        """Write the report."""
        report = {
            "format": "corpuskit-report",
            "version": REPORT_VERSION,
            "tool": {"name": "corpuskit", "version": __version__},
            "diagnostics": self.diagnostics,
            "summary": {
                "files": summary.files,
                "errors": summary.errors,
                "warnings": summary.warnings,
                "unreadable": summary.unreadable,
                "baselined": summary.baselined,
            },
        }
        self.stream.write(dump_json(report) + "\n")
