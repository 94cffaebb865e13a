"""JUnit XML for CI test viewers: one testcase per file, a failure listing its problems.

"JUnit XML" has no single schema; the report is valid against the two its readers follow,
Jenkins xunit's ``junit-10.xsd`` and the Apache Ant schema (both in tests/report_schemas/):

- ``<testsuites>`` carries no attribute (Ant allows none); its one ``<testsuite>`` carries
  ``package``, ``id``, ``timestamp`` (UTC, no zone: Ant's pattern), ``hostname`` and ``time``;
- each ``<testcase>`` has ``name`` (the file), ``classname`` and ``time``, no ``file``/``line``
  (Jenkins' schema refuses them), and at most one child (Ant's): ``<failure>`` for a file that
  fails the run (errors; warnings too with ``--strict``), ``<error>`` for a file that could not
  be read;
- warnings of files that pass go to the suite's ``<system-out>`` (Ant has no per-case output).

A testcase's ``time`` is the wall time since the previous file's result arrived, so the cases
add up to the suite's time; files checked in parallel or from the cache take less.
"""

from __future__ import annotations

import platform
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import TextIO

from corpuskit import __version__
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import display_path, visible


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


class JunitReporter:
    """One testsuite; a file that fails the run is a failed testcase, an unreadable one an error."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream
        self.context = context
        self.cases: list[ET.Element] = []
        self.failures = 0
        self.errors = 0
        self.passing_output: list[str] = []
        self.started = datetime.now(UTC)
        self.clock = time.monotonic()
        self.last = self.clock

    def _lines(self, report: FileReport) -> list[str]:
        # Viewers print these lines into CI logs: each starts with the path, shown so it cannot
        # read as a workflow command, and everything from the input is escaped (XML 1.0 cannot
        # carry most C0 controls even as character references).
        shown = display_path(self.context.relative(report.path))
        return [
            f"{shown}:{d.line}:{d.column}: {visible(d.code)} {visible(d.message)}"
            + (f"\n    help: {visible(d.hint)}" if d.hint else "")
            for d in report.diagnostics
        ]

    def _failing(self, report: FileReport) -> list[Diagnostic]:
        """The diagnostics that fail the run: errors, and warnings too under ``--strict``."""
        if self.context.strict:
            return list(report.diagnostics)
        return [d for d in report.diagnostics if d.severity is Severity.ERROR]

    def file(self, report: FileReport) -> None:
        """Make the file's testcase."""
        now = time.monotonic()
        elapsed, self.last = now - self.last, now
        case = ET.Element(
            "testcase",
            {
                "name": visible(self.context.relative(report.path)),
                "classname": "corpuskit.validate",
                "time": f"{elapsed:.3f}",
            },
        )
        lines = self._lines(report)
        failing = self._failing(report)
        if report.unreadable or failing:
            first = (failing or list(report.diagnostics))[0]
            errors, warnings = report.errors, report.warnings
            if report.unreadable:
                self.errors += 1
                tag, count = "error", "cannot be checked"
            else:
                self.failures += 1
                tag = "failure"
                count = _plural(errors, "error")
                if self.context.strict and warnings:
                    count += f", {_plural(warnings, 'warning')} (--strict)"
            element = ET.SubElement(
                case,
                tag,
                {
                    "message": f"{count}: {visible(first.code)} {visible(first.message)}",
                    "type": visible(first.code),
                },
            )
            element.text = "\n".join(lines)
        elif lines:
            self.passing_output.extend(lines)
        self.cases.append(case)

    def finish(self, summary: Summary) -> None:
        """Write the document."""
        suites = ET.Element("testsuites")
        suite = ET.SubElement(
            suites,
            "testsuite",
            {
                "name": "corpuskit validate",
                "package": "corpuskit",
                "id": "0",
                "timestamp": self.started.strftime("%Y-%m-%dT%H:%M:%S"),
                "hostname": visible(platform.node()) or "localhost",
                "tests": str(len(self.cases)),
                "failures": str(self.failures),
                "errors": str(self.errors),
                "skipped": "0",
                "time": f"{time.monotonic() - self.clock:.3f}",
            },
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("corpuskit.version", __version__),
            ("strict", str(self.context.strict).lower()),
        ):
            ET.SubElement(properties, "property", {"name": name, "value": value})
        suite.extend(self.cases)
        ET.SubElement(suite, "system-out").text = "\n".join(self.passing_output)
        ET.SubElement(suite, "system-err")
        ET.indent(suites)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(ET.tostring(suites, encoding="unicode") + "\n")
