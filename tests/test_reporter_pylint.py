"""The pylint reporter: pylint's parseable lines, as the tools built for pylint read them."""

from __future__ import annotations

import io
import re

from conftest import NEGATIVE, expected_negatives, run_cli
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import ReportContext
from corpuskit.reporters.pylint import PylintReporter, line

#: ``pylint --output-format=parseable``: ``{path}:{line}: [{msg_id}({symbol}), {obj}] {msg}``.
PARSEABLE = re.compile(
    r"(?P<path>[^:]+):(?P<line>\d+): \[(?P<code>[A-Z]\d{3})\((?P<name>[a-z0-9-]+)\), "
    r"(?P<obj>[^\]]*)\] (?P<message>.+)"
)
#: The Jenkins warnings plug-in's PyLint parser (analysis-model, PyLintParser).
JENKINS = re.compile(r"(.*):(\d+): \[(\D\d*).*\] (.*)")


def test_every_negative_example_is_one_parseable_line_at_its_line() -> None:
    expected = expected_negatives()
    result = run_cli(
        "validate", "--no-cache", "--format", "pylint", *(str(NEGATIVE / n) for n in expected)
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(PARSEABLE.fullmatch(x) and JENKINS.fullmatch(x) for x in lines)
    found = {
        (m["path"].rsplit("/", 1)[-1], m["code"], int(m["line"]))
        for m in map(PARSEABLE.fullmatch, lines)
        if m
    }
    for name, (code, at, _column) in expected.items():
        assert (name, code, at) in found


def test_the_annotation_fills_obj_and_the_input_cannot_break_the_line() -> None:
    d = Diagnostic(
        path="corpus/a.json",
        line=14,
        column=52,
        code="O003",
        name="span-text-mismatch",
        severity=Severity.ERROR,
        message='covered text "Russia"\n::error::x',
        annotation_id="m4",
    )
    assert line(d) == (
        'corpus/a.json:14: [O003(span-text-mismatch), m4] covered text "Russia"\\n::error::x'
    )
    odd = Diagnostic(
        path="::a.json",
        line=1,
        column=1,
        code="S002",
        name="unknown-property",
        severity=Severity.WARNING,
        message="m",
        annotation_id="m]1\x1b",
    )
    assert line(odd) == "./::a.json:1: [S002(unknown-property), m\\x5d1\\x1b] m"
    stream = io.StringIO()
    reporter = PylintReporter(stream, ReportContext())
    reporter.file(FileReport("corpus/a.json", (d, odd)))
    assert stream.getvalue().count("\n") == 2
