"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per diagnostic.

GitHub shows about ten annotations per level per step; for large reports upload SARIF instead
(see docs/ci.md).
"""

from __future__ import annotations

from typing import TextIO

from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import visible


def escape_data(text: str) -> str:
    """Escape a command's message as the runner requires (%, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: the message escapes plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _data(text: str) -> str:
    """Input-derived text as command data: controls shown escaped, then the runner's escapes."""
    return escape_data(visible(text))


def _property(text: str) -> str:
    """Input-derived text as a property value: controls shown escaped, then the runner's escapes."""
    return escape_property(visible(text))


def command(d: Diagnostic, path: str) -> str:
    """The workflow command for one diagnostic."""
    level = "error" if d.severity is Severity.ERROR else "warning"
    # Every piece taken from the input is escaped visibly first: the runner unescapes only its
    # own %XX sequences, so a raw ESC or line separator would reach the log and the annotation.
    props = [f"file={_property(path)}", f"line={d.line}"]
    end_line = d.end_line or d.line
    # The runner drops an annotation whose columns span several lines: omit them then.
    if end_line == d.line:
        props.append(f"col={d.column}")
        if d.end_column is not None:
            props.extend([f"endLine={end_line}", f"endColumn={d.end_column}"])
    else:
        props.append(f"endLine={end_line}")
    props.append(f"title={_property(f'{d.code} {d.name}')}")
    # The one line break is ours (message, then hint); the runner turns %0A back into it.
    message = _data(d.message) + (f"%0A{_data(d.hint)}" if d.hint else "")
    return f"::{level} {','.join(props)}::{message}"


class GithubReporter:
    """Annotations for a pull request, and a plain summary line."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream
        self.context = context

    def file(self, report: FileReport) -> None:
        """One command per diagnostic."""
        for d in report.diagnostics:
            self.stream.write(command(d, self.context.relative(d.path)) + "\n")

    def finish(self, summary: Summary) -> None:
        """The summary as a plain line in the log."""
        from corpuskit.reporters.text import summary_line

        self.stream.write(summary_line(summary) + "\n")
