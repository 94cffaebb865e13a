"""reviewdog's diagnostic format (rdjson), so reviewdog can comment on changed lines only.

reviewdog's ``Position.column`` counts UTF-8 bytes (``'a𐐀b'``: b is at column 6), corpuskit's
columns count code points; the columns are converted here. A column that cannot be converted
for certain (the file is not the text that was checked, or is not UTF-8) is left out, which
reviewdog reads as the whole line, rather than given wrong.

A diagnostic with a safe fix carries ``suggestions``: each edit (a value set at a JSON pointer)
as the replacement of that value's text in the file, so reviewdog can offer it as a suggested
change. Only JSON documents get them: in XML one edited value can be several attributes and
element texts, written in a layout the suggestion could not reproduce. Unsafe fixes (a person
must judge them) and fixes whose edit adds a member the file does not have yet (no range to
replace) get none.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import dump_json, encodable, visible
from corpuskit.reporters.source import Source, read_source, window_byte_column


class RdjsonReporter:
    """One DiagnosticResult document, written at the end."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream
        self.context = context
        self.diagnostics: list[dict[str, Any]] = []

    def file(self, report: FileReport) -> None:
        """Collect the file's diagnostics."""
        source = None
        if report.diagnostics and not report.unreadable:
            source = read_source(report.path, self.context.root, report.diagnostics)
        path = visible(self.context.relative(report.path))
        for d in report.diagnostics:
            # reviewdog prints messages into CI logs and comments: input-derived text escaped.
            message = visible(d.message) + (f"\n{visible(d.hint)}" if d.hint else "")
            item: dict[str, Any] = {
                "message": message,
                "location": {"path": path, "range": _range(d, source)},
                "severity": "ERROR" if d.severity is Severity.ERROR else "WARNING",
                "code": {"value": visible(d.code)},
            }
            suggestions = _suggestions(d, source, report.path)
            if suggestions:
                item["suggestions"] = suggestions
            self.diagnostics.append(item)

    def finish(self, summary: Summary) -> None:
        """Write the result."""
        result = {"source": {"name": "corpuskit"}, "diagnostics": self.diagnostics}
        self.stream.write(dump_json(result) + "\n")


def _position(d: Diagnostic, source: Source | None, line: int, column: int) -> dict[str, int]:
    """A reviewdog position: the line, and the byte column when it is known for certain."""
    byte = source.byte_column(line, column) if source is not None else None
    if byte is None:
        byte = window_byte_column(d, line, column)
    return {"line": line} if byte is None else {"line": line, "column": byte}


def _range(d: Diagnostic, source: Source | None) -> dict[str, Any]:
    start = _position(d, source, d.line, d.column)
    end = _position(d, source, d.end_line or d.line, d.end_column or d.column)
    if "column" not in start or "column" not in end:
        # Half a range in bytes and half in lines would mean something else: whole lines.
        return {"start": {"line": start["line"]}, "end": {"line": end["line"]}}
    return {"start": start, "end": end}


def _suggestions(d: Diagnostic, source: Source | None, path: str) -> list[dict[str, Any]]:
    """The safe fix's edits as replacements of the edited values' text, or none at all."""
    if d.fix is None or not d.fix.safe or not d.fix.edits or source is None:
        return []
    if not path.lower().endswith(".json"):
        return []
    positions = source.json_positions
    out: list[dict[str, Any]] = []
    for edit in d.fix.edits:
        found = positions.find(edit.pointer)
        if found is None or found[0] != edit.pointer:
            return []  # a new member: no text to replace, so no part of the fix is offered
        extent = found[1]
        start_line, start_column = source.position(extent.start)
        end_line, end_column = source.position(extent.end)
        # Written as the canonical layout writes a value (one line, UTF-8 as is), but with
        # no raw control or bidi character (dump_json escapes them inside strings).
        text = json.dumps(edit.value, ensure_ascii=False, allow_nan=False)
        out.append(
            {
                "range": {
                    "start": {"line": start_line, "column": start_column},
                    "end": {"line": end_line, "column": end_column},
                },
                "text": encodable(text),
            }
        )
    return out
