"""pylint's parseable format: ``PATH:LINE: [CODE(rule-name), ANNOTATION] message``.

This is ``pylint --output-format=parseable`` (``{path}:{line}: [{msg_id}({symbol}), {obj}]
{msg}``), which Jenkins' warnings plug-in, Emacs' compile mode and other tools built for pylint
read. corpuskit's rule code and name fill ``msg_id`` and ``symbol``, and the annotation the
problem is about fills ``obj`` (empty when there is none). The format has no column (``concise``
has one) and no severity: pylint's readers take the category from the code's first letter,
which in corpuskit is the rule family (P, S, O, R, C, L, I), so use the exit code or ``--select``
to tell errors from warnings.
"""

from __future__ import annotations

from typing import TextIO

from corpuskit.diagnostics import Diagnostic
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import display_path, visible


def line(d: Diagnostic) -> str:
    """One diagnostic as a parseable line."""
    # Escaped, so a line break or control character in the input cannot break the one-line
    # shape, and a "]" stays the one that closes the bracket only where it comes from us.
    obj = visible(d.annotation_id or "").replace("]", "\\x5d")
    return (
        f"{display_path(d.path)}:{d.line}: [{visible(d.code)}({visible(d.name)}), {obj}] "
        f"{visible(d.message)}"
    )


class PylintReporter:
    """One parseable line per diagnostic, nothing else."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream

    def file(self, report: FileReport) -> None:
        """Write one line per diagnostic of the file."""
        for d in report.diagnostics:
            self.stream.write(line(d) + "\n")

    def finish(self, summary: Summary) -> None:
        """Nothing closes a parseable report (as with ``pylint --reports=n --score=n``)."""
