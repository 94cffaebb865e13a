"""The concise format: one line per diagnostic,
``PATH:LINE:COL: CODE message [severity] help: ...; fix (how): ...``.

The line starts with the shape editors and problem matchers read (``PATH:LINE:COL: CODE``); the
severity follows the message in brackets, as ESLint's ``unix`` format writes it (warnings do not
fail a run, so a reader must be able to tell them apart). The help and the fix come last, on the
same line: the pre-commit hook prints this format, and without them a committer sees what is
wrong but not what to do, while one line per problem is what editors, problem matchers and
``grep`` count on.
"""

from __future__ import annotations

from typing import TextIO

from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import display_path, visible
from corpuskit.reporters.text import fix_command


def line(d: Diagnostic) -> str:
    """One diagnostic as one line, its help and fix included."""
    level = "error" if d.severity is Severity.ERROR else "warning"
    # Escaped, so a line break or control character in the input cannot start a line of its
    # own or reach the terminal.
    out = f"{display_path(d.path)}:{d.line}:{d.column}: {visible(d.code)} {visible(d.message)}"
    out += f" [{level}]"
    extra = []
    if d.hint:
        extra.append(f"help: {visible(d.hint)}")
    if d.fix is not None:
        extra.append(f"fix ({fix_command(d.fix)}): {visible(d.fix.description)}")
    return " ".join((out, "; ".join(extra))) if extra else out


class ConciseReporter:
    """One line per diagnostic: for editors, problem matchers and the pre-commit hook."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream

    def file(self, report: FileReport) -> None:
        """Write one line per diagnostic of the file."""
        for d in report.diagnostics:
            self.stream.write(line(d) + "\n")

    def finish(self, summary: Summary) -> None:
        """Nothing closes a concise report."""
