"""The human format: the problem line, the source line with a caret, the text at the span, a hint.

corpus/a.json:14:52: O003 covered text "Russia" does not match ...
   |
14 |     {"id": "m2", "type": "GPE", "span": [{"start": 27, "end": 33, ...
   |                                                    ^^^^^^^^^
   = text[27:33]: …sent 400 missiles to R⟦ussia.⟧⏎Tab…
   = help: "Russia" occurs once in the text, at [26, 32) (-1)
"""

from __future__ import annotations

from typing import TextIO

from corpuskit.diagnostics import Diagnostic, Excerpt, Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary

#: Source lines longer than this are shown as a window around the column.
WINDOW = 100

_RESET = "\x1b[0m"
_STYLE = {
    "path": "\x1b[1m",
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "dim": "\x1b[2m",
    "caret": "\x1b[1;31m",
    "span": "\x1b[1;4m",
    "ok": "\x1b[1;32m",
}


def _visible(text: str) -> str:
    """Make line breaks and tabs visible in a one-line excerpt."""
    return text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "␍").replace("\t", "⇥")


def _window(line: str, column: int, width: int) -> tuple[str, int, int]:
    """Cut a long line around ``column``; return the piece, the new column and the caret width."""
    if len(line) <= WINDOW:
        return line, column, width
    start = max(0, column - 1 - WINDOW // 3)
    piece = line[start : start + WINDOW]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + WINDOW < len(line) else ""
    column = column - start + len(prefix)
    width = min(width, len(piece) - (column - 1 - len(prefix)))
    return prefix + piece + suffix, column, max(1, width)


class TextReporter:
    """Readable diagnostics for people at a terminal; colour only when asked for."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream
        self.color = context.color

    def _s(self, style: str, text: str) -> str:
        return f"{_STYLE[style]}{text}{_RESET}" if self.color else text

    def file(self, report: FileReport) -> None:
        """Write every diagnostic of one file."""
        for d in report.diagnostics:
            self.stream.write(self.render(d))

    def render(self, d: Diagnostic) -> str:
        """One diagnostic as a block of lines."""
        level = "error" if d.severity is Severity.ERROR else "warning"
        # The first line stays exactly PATH:LINE:COL: CODE message for problem matchers;
        # severity shows in the code's colour.
        head = f"{self._s('path', f'{d.path}:{d.line}:{d.column}:')} {self._s(level, d.code)} {d.message}"
        out = [head]
        gutter = " " * len(str(d.line))
        if d.source_line is not None:
            width = 1
            if d.end_line == d.line and d.end_column is not None:
                width = max(1, d.end_column - d.column)
            line, column, width = _window(d.source_line.expandtabs(1), d.column, width)
            out.append(f"{gutter} {self._s('dim', '|')}")
            out.append(f"{self._s('dim', f'{d.line} |')} {line}")
            caret = " " * (column - 1) + "^" * width
            out.append(f"{gutter} {self._s('dim', '|')} {self._s('caret', caret)}")
        if d.excerpt is not None:
            out.append(f"{gutter} = {self._excerpt(d.excerpt)}")
        if d.hint:
            out.append(f"{gutter} = help: {d.hint}")
        if d.fix is not None:
            how = "corpuskit fix" if d.fix.safe else "corpuskit fix --unsafe-fixes"
            out.append(f"{gutter} = fix ({how}): {d.fix.description}")
        return "\n".join(out) + "\n\n"

    def _excerpt(self, e: Excerpt) -> str:
        before = ("…" if e.start > len(e.before) else "") + _visible(e.before)
        covered = self._s("span", "⟦" + _visible(e.covered) + "⟧")
        return f"text[{e.start}:{e.end}]: {before}{covered}{_visible(e.after)}…"

    def finish(self, summary: Summary) -> None:
        """The one-line summary."""
        if not summary.errors and not summary.warnings:
            self.stream.write(self._s("ok", summary_line(summary)) + "\n")
            return
        self.stream.write(summary_line(summary) + "\n")


def summary_line(summary: Summary) -> str:
    """The one-line summary of a run ("Checked 3 files: 1 error, 0 warnings.")."""
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    baselined = f" ({summary.baselined} more in the baseline)" if summary.baselined else ""
    if not summary.errors and not summary.warnings:
        return f"All checks passed: {files} checked.{baselined}"
    errors = f"{summary.errors} error{'s' if summary.errors != 1 else ''}"
    warnings = f"{summary.warnings} warning{'s' if summary.warnings != 1 else ''}"
    return f"Checked {files}: {errors}, {warnings}.{baselined}"
