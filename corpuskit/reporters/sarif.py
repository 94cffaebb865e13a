"""SARIF 2.1.0: one run, the rules in ``tool.driver.rules``, a result per diagnostic.

What GitHub code scanning needs beyond the schema:

- every result's ``partialFingerprints`` value is unique in the run (GitHub merges results that
  share one into one alert): repeated identical problems get their occurrence folded in;
- at most :data:`MAX_RESULTS` results per run (GitHub rejects a larger upload whole): past it,
  errors are kept before warnings, and a ``toolExecutionNotifications`` entry says how many
  were left out;
- no absolute path of the machine that ran it: locations are relative to ``%SRCROOT%`` (the
  repository root), which ``originalUriBaseIds`` describes without a ``uri``;
- problems a baseline records, when the reporter is given them, are results with
  ``suppressions`` (and ``baselineState: unchanged``; the others are then ``new``), not
  dropped.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TextIO

from corpuskit import __version__
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import dump_json, encodable, uri_path, visible
from corpuskit.reporters.fingerprint import Fingerprints
from corpuskit.rules import RULES

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
#: GitHub code scanning accepts at most this many results per run.
MAX_RESULTS = 25_000
#: The labels of ``Project-URL`` metadata taken as the project's repository, in this order.
_REPOSITORY_LABELS = ("repository", "source", "source code", "homepage")
#: Where a repository host keeps a file of the default branch, after the repository URL.
_BLOB = {"github.com": "/blob/HEAD/", "gitlab.com": "/-/blob/HEAD/"}


def _level(severity: Severity) -> str:
    return "error" if severity is Severity.ERROR else "warning"


def anchor(code: str, name: str) -> str:
    """The heading anchor of a rule in docs/rules.md (``## O003 span-text-mismatch``)."""
    return f"{code.lower()}-{name}"


@cache
def docs_base() -> str | None:
    """The absolute URL of docs/rules.md in the project's repository, from the installed
    package's ``Project-URL`` metadata; None when it names no repository on a known host."""
    from importlib.metadata import PackageNotFoundError, metadata
    from urllib.parse import urlsplit

    try:
        urls = metadata("corpuskit").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    labelled: dict[str, str] = {}
    for entry in urls:
        label, _, url = entry.partition(",")
        labelled.setdefault(label.strip().lower(), url.strip())
    for label in _REPOSITORY_LABELS:
        url = labelled.get(label, "").rstrip("/")
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.netloc in _BLOB and parts.path.count("/") == 2:
            return f"{url}{_BLOB[parts.netloc]}docs/rules.md"
    return None


def _rules() -> list[dict[str, Any]]:
    base = docs_base()
    out = []
    for rule in RULES:
        where = f"{base or 'docs/rules.md'}#{anchor(rule.code, rule.name)}"
        entry: dict[str, Any] = {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc},
            "help": {
                "text": rule.doc,
                "markdown": f"{rule.doc}\n\n[{rule.code} in the rules]({where})",
            },
            "defaultConfiguration": {"level": _level(rule.severity)},
            "properties": {"fixable": rule.fixable},
        }
        # SARIF wants an absolute URI here (the schema's format "uri"): without a repository
        # URL in the package metadata, the relative link stays in help.markdown only.
        if base is not None:
            entry["helpUri"] = where
        out.append(entry)
    return out


class SarifReporter:
    """The whole log is written at the end (SARIF is one JSON document)."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream
        self.context = context
        self.results: list[dict[str, Any]] = []
        self.suppressed: list[dict[str, Any]] = []
        self.index = {rule.code: i for i, rule in enumerate(RULES)}
        self.fingerprints = Fingerprints()

    def file(self, report: FileReport) -> None:
        """Collect one result per diagnostic."""
        self.results.extend(self._result(d) for d in report.diagnostics)

    def baselined(self, report: FileReport) -> None:
        """Collect the diagnostics a baseline hid, as suppressed results."""
        for d in report.diagnostics:
            result = self._result(d)
            result["suppressions"] = [
                {"kind": "external", "justification": "recorded in the baseline"}
            ]
            result["baselineState"] = "unchanged"
            self.suppressed.append(result)

    def _result(self, d: Diagnostic) -> dict[str, Any]:
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
            "partialFingerprints": {"corpuskit/v1": self.fingerprints.unique(d, path)},
        }
        if d.annotation_id or d.pointer:
            result["properties"] = {
                "annotationId": None if d.annotation_id is None else encodable(d.annotation_id),
                "pointer": None if d.pointer is None else encodable(d.pointer),
            }
        return result

    def _capped(self) -> tuple[list[dict[str, Any]], int]:
        """The results to write (errors first when there are too many) and how many are left
        out."""
        if self.suppressed:
            for result in self.results:
                result["baselineState"] = "new"
        everything = self.results + self.suppressed
        if len(everything) <= MAX_RESULTS:
            return everything, 0
        # Reported errors, then reported warnings, then baselined ones: what a reviewer must see.
        order = sorted(
            range(len(everything)),
            key=lambda i: ("suppressions" in everything[i], everything[i]["level"] != "error", i),
        )
        kept = sorted(order[:MAX_RESULTS])
        return [everything[i] for i in kept], len(everything) - MAX_RESULTS

    def finish(self, summary: Summary) -> None:
        """Write the log."""
        results, left_out = self._capped()
        invocation: dict[str, Any] = {"executionSuccessful": True}
        if left_out:
            invocation["toolExecutionNotifications"] = [
                {
                    "level": "warning",
                    "descriptor": {"id": "results-capped"},
                    "message": {
                        "text": f"{left_out:,} of {len(results) + left_out:,} results were left "
                        f"out: code scanning accepts at most {MAX_RESULTS:,} per run (errors "
                        "are kept first); run corpuskit validate for the full list"
                    },
                }
            ]
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
                    "invocations": [invocation],
                    # No uri: the repository root's absolute path is the runner's, not the
                    # reader's; every location is relative to it.
                    "originalUriBaseIds": {
                        "%SRCROOT%": {"description": {"text": "the repository root"}}
                    },
                    # Columns count Unicode code points, as corpuskit's offsets do.
                    "columnKind": "unicodeCodePoints",
                    "results": results,
                }
            ],
        }
        self.stream.write(dump_json(log) + "\n")
