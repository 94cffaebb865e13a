"""GitLab Code Quality: the JSON array GitLab reads from ``artifacts:reports:codequality``.

Each problem is one object with the fields GitLab's documentation lists
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format): ``description``,
``check_name`` (the rule code), ``fingerprint`` (unique in the report: GitLab shows one problem
per fingerprint, and compares them between the source and target branch), ``severity`` and
``location.path`` (relative to the repository root) with ``location.lines.begin``.

GitLab's severities are ``info``, ``minor``, ``major``, ``critical`` and ``blocker``; an error is
``major``, a warning ``minor`` and a file that could not be checked at all ``blocker``.
"""

from __future__ import annotations

from typing import Any, TextIO

from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import dump_json, visible
from corpuskit.reporters.fingerprint import Fingerprints


def severity(d: Diagnostic, unreadable: bool) -> str:
    """GitLab's severity word for a diagnostic."""
    if unreadable:
        return "blocker"
    return "major" if d.severity is Severity.ERROR else "minor"


class GitlabReporter:
    """One Code Quality report (a JSON array), written at the end."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream
        self.context = context
        self.issues: list[dict[str, Any]] = []
        self.fingerprints = Fingerprints()

    def file(self, report: FileReport) -> None:
        """Collect one issue per diagnostic."""
        for d in report.diagnostics:
            path = self.context.relative(d.path)
            # GitLab shows the description in merge requests: input-derived text escaped.
            description = visible(d.message) + (f" ({visible(d.hint)})" if d.hint else "")
            self.issues.append(
                {
                    "description": description,
                    "check_name": visible(d.code),
                    "fingerprint": self.fingerprints.unique(d, path),
                    "severity": severity(d, report.unreadable),
                    "location": {"path": visible(path), "lines": {"begin": d.line}},
                }
            )

    def finish(self, summary: Summary) -> None:
        """Write the report."""
        self.stream.write(dump_json(self.issues) + "\n")
