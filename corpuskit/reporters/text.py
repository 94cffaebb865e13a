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
from corpuskit.fixes import Fix
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import display_path, visible

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
    """Make line breaks and tabs readable in a one-line excerpt, and every other control escaped."""
    return visible(
        text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "␍").replace("\t", "⇥")
    )


def _window(line: str, column: int, width: int, cut: bool = False) -> tuple[str, int, int]:
    """Cut a long line around ``column``; return the piece, the new column and the caret width.

    ``cut`` says the line is already a piece whose start was cut off (the engine keeps a window
    of long source lines), so it is shown with a leading ellipsis.
    """
    if len(line) <= WINDOW and not cut:
        return line, column, width
    start = 0 if len(line) <= WINDOW else max(0, column - 1 - WINDOW // 3)
    piece = line[start : start + WINDOW]
    prefix = "…" if start > 0 or cut else ""
    suffix = "…" if start + WINDOW < len(line) else ""
    column = column - start + len(prefix)
    width = min(width, len(piece) - (column - 1 - len(prefix)))
    return prefix + piece + suffix, column, max(1, width)


def _source_display(d: Diagnostic, source_line: str) -> tuple[str, int, int]:
    """The source line to show (escaped), the caret's column in it and the caret's width."""
    width = 1
    if d.end_line == d.line and d.end_column is not None:
        width = max(1, d.end_column - d.column)
    # The engine may keep only a window of a long line: columns count from the real line start.
    column = max(1, d.column - d.source_offset)
    line, column, width = _window(source_line.expandtabs(1), column, width, cut=d.source_offset > 0)
    # Escapes are longer than the characters they stand for: measure the caret on the escaped
    # text (escaping is per character, so the pieces escape exactly as the whole line does).
    before = visible(line[: column - 1])
    marked = visible(line[column - 1 : column - 1 + width])
    return visible(line), len(before) + 1, max(1, len(marked))


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
        # severity shows in the code's colour. Everything taken from the input is escaped, so
        # no control character is written raw and no line starts with document text.
        where = f"{display_path(d.path)}:{d.line}:{d.column}:"
        head = f"{self._s('path', where)} {self._s(level, visible(d.code))} {visible(d.message)}"
        out = [head]
        gutter = " " * len(str(d.line))
        if d.source_line is not None:
            line, column, width = _source_display(d, d.source_line)
            out.append(f"{gutter} {self._s('dim', '|')}")
            out.append(f"{self._s('dim', f'{d.line} |')} {line}")
            caret = " " * (column - 1) + "^" * width
            out.append(f"{gutter} {self._s('dim', '|')} {self._s('caret', caret)}")
        if d.excerpt is not None:
            out.append(f"{gutter} = {self._excerpt(d.excerpt)}")
        if d.hint:
            out.append(f"{gutter} = help: {visible(d.hint)}")
        if d.fix is not None:
            out.append(f"{gutter} = fix ({fix_command(d.fix)}): {visible(d.fix.description)}")
        return "\n".join(out) + "\n\n"

    def _excerpt(self, e: Excerpt) -> str:
        before = ("…" if e.start > len(e.before) else "") + _visible(e.before)
        covered = self._s("span", "⟦" + _visible(e.covered) + "⟧")
        return f"text[{e.start}:{e.end}]: {before}{covered}{_visible(e.after)}…"

    def finish(self, summary: Summary) -> None:
        """The one-line summary."""
        if summary.files and not summary.errors and not summary.warnings:
            self.stream.write(self._s("ok", summary_line(summary)) + "\n")
            return
        self.stream.write(summary_line(summary) + "\n")


def fix_command(fix: Fix) -> str:
    """The command that applies ``fix``: unsafe fixes need ``--unsafe-fixes``."""
    return "corpuskit fix" if fix.safe else "corpuskit fix --unsafe-fixes"


def summary_line(summary: Summary) -> str:
    """The one-line summary of a run ("Checked 3 files: 1 error, 0 warnings.")."""
    if not summary.files:  # nothing was checked: nothing passed either
        return "No files checked."
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    baselined = f" ({summary.baselined} more in the baseline)" if summary.baselined else ""
    if not summary.errors and not summary.warnings:
        return f"All checks passed: {files} checked.{baselined}"
    errors = f"{summary.errors} error{'s' if summary.errors != 1 else ''}"
    warnings = f"{summary.warnings} warning{'s' if summary.warnings != 1 else ''}"
    return f"Checked {files}: {errors}, {warnings}.{baselined}"
