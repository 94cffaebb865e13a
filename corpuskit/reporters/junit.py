"""JUnit XML for CI test viewers: one testcase per file, a failure listing its errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TextIO

from corpuskit.diagnostics import Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext, Summary
from corpuskit.reporters.escape import display_path, visible


class JunitReporter:
    """One testsuite; a file with errors is a failed testcase, warnings go to system-out."""

    def __init__(self, stream: TextIO, context: ReportContext) -> None:
        self.stream = stream
        self.context = context
        self.cases: list[ET.Element] = []
        self.failures = 0

    def file(self, report: FileReport) -> None:
        """Make the file's testcase."""
        # XML 1.0 cannot carry most C0 controls even as character references, nor the surrogates
        # of a file name that is not UTF-8: every input-derived string is escaped visibly.
        path = visible(self.context.relative(report.path))
        first = report.diagnostics[0].line if report.diagnostics else 1
        case = ET.Element(
            "testcase",
            {"classname": "corpuskit.validate", "name": path, "file": path, "line": str(first)},
        )
        # Viewers print these lines into CI logs: each starts with the path, shown so it cannot
        # read as a workflow command.
        shown = display_path(self.context.relative(report.path))
        lines = [
            f"{shown}:{d.line}:{d.column}: {visible(d.code)} {visible(d.message)}"
            + (f"\n    help: {visible(d.hint)}" if d.hint else "")
            for d in report.diagnostics
        ]
        errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
        if errors:
            self.failures += 1
            count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
            first_error = f"{visible(errors[0].code)} {visible(errors[0].message)}"
            failure = ET.SubElement(
                case,
                "failure",
                {"message": f"{count}: {first_error}", "type": visible(errors[0].code)},
            )
            failure.text = "\n".join(lines)
        elif lines:
            ET.SubElement(case, "system-out").text = "\n".join(lines)
        self.cases.append(case)

    def finish(self, summary: Summary) -> None:
        """Write the document."""
        counts = {
            "tests": str(len(self.cases)),
            "failures": str(self.failures),
            "errors": "0",
            "skipped": "0",
        }
        suites = ET.Element("testsuites", {"name": "corpuskit", **counts})
        suite = ET.SubElement(suites, "testsuite", {"name": "corpuskit validate", **counts})
        suite.extend(self.cases)
        ET.indent(suites)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(ET.tostring(suites, encoding="unicode") + "\n")
