"""SARIF 2.1.0: one run, the rules in ``tool.driver.rules``, a result per diagnostic."""

from __future__ import annotations

import hashlib
from typing import Any, TextIO

from corpuskit import __version__
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import dump_json, encodable, uri_path, visible
from corpuskit.rules import RULES

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def _level(severity: Severity) -> str:
    return "error" if severity is Severity.ERROR else "warning"


def fingerprint(d: Diagnostic, path: str) -> str:
    """Stable across runs and line moves: file, code, annotation (or pointer) and message."""
    anchor = d.annotation_id or d.pointer or ""
    raw = "\0".join((path, d.code, anchor, d.message))
    # surrogatepass: a file name that is not UTF-8 still hashes (to the same value every run).
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc},
            "help": {"text": rule.doc, "markdown": rule.doc},
            "defaultConfiguration": {"level": _level(rule.severity)},
            "properties": {"fixable": rule.fixable},
        }
        for rule in RULES
    ]


class SarifReporter:
    """The whole log is written at the end (SARIF is one JSON document)."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream
        self.context = context
        self.results: list[dict[str, Any]] = []
        self.index = {rule.code: i for i, rule in enumerate(RULES)}

    def file(self, report: FileReport) -> None:
        """Collect one result per diagnostic."""
        for d in report.diagnostics:
            path = self.context.relative(d.path)
            region: dict[str, Any] = {"startLine": d.line, "startColumn": d.column}
            if d.end_line is not None:
                region["endLine"] = d.end_line
            if d.end_column is not None:
                region["endColumn"] = d.end_column
            # SARIF viewers show message and snippet to people: input-derived text escaped.
            if d.source_line is not None:
                region["snippet"] = {"text": visible(d.source_line)}
            message = visible(d.message) + (f" ({visible(d.hint)})" if d.hint else "")
            result: dict[str, Any] = {
                "ruleId": d.code,
                "ruleIndex": self.index.get(d.code, -1),
                "level": _level(d.severity),
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri_path(path), "uriBaseId": "%SRCROOT%"},
                            "region": region,
                        }
                    }
                ],
                "partialFingerprints": {"corpuskit/v1": fingerprint(d, path)},
            }
            if d.annotation_id or d.pointer:
                result["properties"] = {
                    "annotationId": None if d.annotation_id is None else encodable(d.annotation_id),
                    "pointer": None if d.pointer is None else encodable(d.pointer),
                }
            self.results.append(result)

    def finish(self, summary: Summary) -> None:
        """Write the log."""
        log = {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "corpuskit",
                            "version": __version__,
                            "rules": _rules(),
                        }
                    },
                    "originalUriBaseIds": {
                        "%SRCROOT%": {"uri": self.context.root.resolve().as_uri() + "/"}
                    },
                    # Columns count Unicode code points, as corpuskit's offsets do.
                    "columnKind": "unicodeCodePoints",
                    "results": self.results,
                }
            ],
        }
        self.stream.write(dump_json(log) + "\n")
