"""Bad input through the CLI: never a traceback, never a silent pass, a clear message each time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, NEGATIVE, POSITIVE, run_cli

MINIMAL = (POSITIVE / "minimal.json").read_text("utf-8")


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("null", "S003 a document must be a JSON object, not null"),
        ("[1, 2]", "S003 a document must be a JSON object, not a list"),
        ("  \n", "P001 file is empty"),
        ("{}", 'S001 document is missing required property "corpuskit"'),
    ],
)
def test_documents_that_are_not_objects_fail(tmp_path: Path, content: str, expected: str) -> None:
    result = run_cli("validate", "--format", "concise", str(write(tmp_path, "d.json", content)))
    assert result.returncode == 1
    assert expected in result.stdout


def test_narrowing_the_rules_never_lets_a_broken_file_pass() -> None:
    broken = [
        NEGATIVE / "P001-json-syntax.json",
        NEGATIVE / "P006-xml-syntax.xml",
        NEGATIVE / "S001-missing-property.xml",
    ]
    result = run_cli("validate", "--select", "O", "--format", "concise", *map(str, broken))
    assert result.returncode == 1
    for code in ("P001", "P006", "S001"):
        assert f" {code} " in result.stdout


def test_rule_names_and_lower_case_codes_select_and_ignore(tmp_path: Path) -> None:
    target = NEGATIVE / "O003-span-text-mismatch.json"
    assert run_cli("validate", "--ignore", "span-text-mismatch", str(target)).returncode == 0
    assert run_cli("validate", "--ignore", "o003", str(target)).returncode == 0
    (tmp_path / "corpuskit.toml").write_text('paths = ["."]\nignore = ["o003"]\n')
    (tmp_path / "a.json").write_bytes(target.read_bytes())
    assert run_cli("validate", cwd=tmp_path).returncode == 0
    (tmp_path / "corpuskit.toml").write_text('paths = ["."]\nignore = ["nope"]\n')
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 2 and "corpuskit.toml" in result.stderr


def test_xml_must_be_utf8_by_its_declaration_too(tmp_path: Path) -> None:
    xml = (
        (POSITIVE / "minimal.xml")
        .read_text("utf-8")
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    )
    result = run_cli("validate", "--format", "concise", str(write(tmp_path, "d.xml", xml)))
    assert result.returncode == 1
    assert (
        result.stdout.count("\n") == 1 and "P002" in result.stdout and "ISO-8859-1" in result.stdout
    )


@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        ("utf-16-le", "UTF-16 (little-endian)"),  # no byte-order mark: valid UTF-8, NULs between
        ("utf-16-be", "UTF-16 (big-endian)"),
        ("utf-16", "UTF-16 (little-endian)"),  # with its mark (Python writes little-endian)
        ("utf-32-be", "UTF-32 (big-endian)"),
        ("utf-32", "UTF-32 (little-endian)"),
    ],
)
@pytest.mark.parametrize("suffix", ["json", "xml"])
def test_a_utf16_or_utf32_file_is_named_as_such(
    tmp_path: Path, encoding: str, named: str, suffix: str
) -> None:
    source = (POSITIVE / f"minimal.{suffix}").read_text("utf-8")
    path = write(tmp_path, f"d.{suffix}", source.encode(encoding))
    result = run_cli("validate", "--no-cache", "--format", "concise", str(path))
    assert result.returncode == 1
    assert result.stdout.count("\n") == 1, result.stdout
    assert f"d.{suffix}:1:1: P002 file looks encoded as {named}, not UTF-8" in result.stdout
    assert "re-save the file as UTF-8" in result.stdout


def test_wrong_namespace_names_the_expected_one(tmp_path: Path) -> None:
    xml = (POSITIVE / "minimal.xml").read_text("utf-8").replace("document/1.0", "document/2.0")
    result = run_cli("validate", str(write(tmp_path, "d.xml", xml)))
    assert result.returncode == 1
    assert (
        "https://corpuskit.dev/ns/document/1.0, not https://corpuskit.dev/ns/document/2.0"
        in result.stdout
    )


def test_a_file_of_another_type_is_unreadable_not_guessed(tmp_path: Path) -> None:
    result = run_cli(
        "validate", str(write(tmp_path, "doc.txt", (POSITIVE / "minimal.xml").read_text()))
    )
    assert result.returncode == 2
    assert "P000 not a .json or .xml file" in result.stdout


def test_an_empty_folder_is_no_pass(tmp_path: Path) -> None:
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: no .json or .xml documents found" in result.stderr
    assert "All checks passed" not in result.stdout and "No files checked." in result.stdout
    allowed = run_cli("validate", "--allow-empty", str(tmp_path))
    assert allowed.returncode == 0
    shown = run_cli("validate", "--allow-empty", "--show-settings", str(tmp_path))
    assert "allow-empty: true" in shown.stdout.splitlines()
    assert "warning: no .json or .xml documents found" in allowed.stderr


@pytest.mark.parametrize(
    "config",
    [
        'paths = ["corpus"]\ninclude = ["*.jsn"]\n',  # a typo that matches nothing
        'paths = ["corpus"]\ninclude = ["["]\n',  # a glob that matches nothing
        'paths = ["corpus"]\nexclude = ["*"]\n',
        "paths = []\n",
    ],
)
def test_a_configuration_that_selects_no_document_fails_the_run(
    tmp_path: Path, config: str
) -> None:
    (tmp_path / "corpus").mkdir()
    shutil.copy(POSITIVE / "minimal.json", tmp_path / "corpus" / "doc.json")
    (tmp_path / "corpuskit.toml").write_text(config, "utf-8")
    result = run_cli("validate", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no .json or .xml documents found" in result.stderr


def test_files_given_that_the_configuration_excludes_are_no_error(tmp_path: Path) -> None:
    # pre-commit passes the staged files: a commit of drafts only must not be blocked
    (tmp_path / "corpus" / "drafts").mkdir(parents=True)
    shutil.copy(POSITIVE / "minimal.json", tmp_path / "corpus" / "drafts" / "d.json")
    (tmp_path / "corpuskit.toml").write_text(
        'paths = ["corpus"]\nexclude = ["corpus/drafts/*"]\n', "utf-8"
    )
    given = run_cli("validate", "--no-cache", "corpus/drafts/d.json", cwd=tmp_path)
    assert given.returncode == 0, given.stdout + given.stderr
    assert "every file given is excluded by the configuration" in given.stderr
    # the folder, or the configured corpus, holding nothing else: nothing was checked
    for args in (["corpus/drafts"], []):
        result = run_cli("validate", "--no-cache", *args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)


def test_stdin_filename_without_standard_input_is_a_usage_error(tmp_path: Path) -> None:
    shutil.copy(POSITIVE / "minimal.json", tmp_path / "doc.json")
    result = run_cli("validate", "--stdin-filename", "x.json", str(tmp_path / "doc.json"))
    assert result.returncode == 2
    assert "--stdin-filename names the document read from standard input" in result.stderr


def test_a_typo_is_one_diagnostic_not_two(tmp_path: Path) -> None:
    doc = MINIMAL.replace('"id": "m3", "type"', '"id": "m3", "tpye"')
    result = run_cli("validate", "--format", "concise", str(write(tmp_path, "d.json", doc)))
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert (
        'S002 unknown property "tpye" in mention "m3" (and the required "type" is missing)'
        in lines[0]
    )


def test_forbidden_characters_anywhere_are_reported_and_never_written_as_xml(
    tmp_path: Path,
) -> None:
    record = json.loads(MINIMAL)
    record["mentions"][0]["note"] = "a\u0001b"
    source = write(tmp_path, "d.json", json.dumps(record))
    result = run_cli("validate", "--format", "concise", str(source))
    assert result.returncode == 1 and "O007 note contains U+0001" in result.stdout
    out = tmp_path / "d.xml"
    converted = run_cli("convert", str(source), "--to", "xml", "-o", str(out))
    assert converted.returncode == 1 and not out.exists()
    assert "Traceback" not in converted.stderr


def test_convert_to_a_bad_place_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli(
        "convert",
        str(POSITIVE / "minimal.json"),
        "--to",
        "xml",
        "-o",
        str(tmp_path / "no" / "x.xml"),
    )
    assert result.returncode == 2
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr


# 1e400 is spelled as in JSON but overflows: P005, as in JSON (tests/test_hostile_numbers.py).
@pytest.mark.parametrize("value", ["1_000", " 5 ", "١٢", "0x10"])
def test_xml_numbers_use_the_json_spelling(tmp_path: Path, value: str) -> None:
    xml = (
        (POSITIVE / "minimal.xml")
        .read_text("utf-8")
        .replace('datatype="string" value="actual"', f'datatype="number" value="{value}"')
    )
    result = run_cli("validate", "--format", "concise", str(write(tmp_path, "d.xml", xml)))
    assert result.returncode == 1 and "S003" in result.stdout


def test_deep_nesting_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    record = json.loads(MINIMAL)
    nested: object = 1
    for _ in range(300):
        nested = [nested]
    record["mentions"][0]["note"] = nested
    result = run_cli(
        "validate", "--format", "concise", str(write(tmp_path, "d.json", json.dumps(record)))
    )
    assert result.returncode == 1
    assert "P999" not in result.stdout and "nested too deeply" in result.stdout


def test_a_text_edit_is_diagnosed_as_one_shift(tmp_path: Path) -> None:
    edited = (
        (CORPUS / "iran-russia-missiles.json")
        .read_text("utf-8")
        .replace("has sent roughly", "has sent out roughly")
    )
    result = run_cli("validate", str(write(tmp_path, "d.json", edited)))
    assert result.returncode == 1
    assert "O006" in result.stdout
    assert "shifting by +4 makes all" in result.stdout


def test_fix_and_baseline_report_bad_paths_without_traceback(tmp_path: Path) -> None:
    good = write(tmp_path, "ok.json", MINIMAL)
    result = run_cli("fix", str(good), str(tmp_path / "missing.json"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "P000" in result.stdout
    result = run_cli("validate", str(POSITIVE), "--write-baseline", str(tmp_path / "no" / "b.json"))
    assert result.returncode == 2 and "cannot write" in result.stderr


def test_cached_results_are_reported_under_this_runs_path(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "bad.json").write_bytes((NEGATIVE / "O003-span-text-mismatch.json").read_bytes())
    (tmp_path / "corpuskit.toml").write_text('paths = ["sub"]\n')
    first = run_cli("validate", "--format", "concise", "bad.json", cwd=sub)
    assert first.stdout.startswith("bad.json:18:42: O003")
    second = run_cli("validate", "--format", "concise", "sub/bad.json", cwd=tmp_path)
    assert second.stdout.startswith("sub/bad.json:18:42: O003")


def test_fix_is_idempotent_on_crlf_files_and_files_without_a_final_newline(tmp_path: Path) -> None:
    source = (NEGATIVE / "O003-span-text-mismatch.json").read_bytes()
    for name, data in (
        ("crlf.json", source.replace(b"\n", b"\r\n")),
        ("bare.json", source.rstrip(b"\n")),
    ):
        target = write(tmp_path, name, data)
        assert run_cli("fix", str(target)).returncode == 0
        fixed = target.read_bytes()
        again = run_cli("fix", str(target))
        assert again.returncode == 0 and "Fixed 0 problems" in again.stderr + again.stdout
        assert target.read_bytes() == fixed
        assert run_cli("validate", "--select", "L001", str(target)).returncode == 0


def test_reanchor_keeps_spans_inside_the_new_text_and_refuses_bad_text(tmp_path: Path) -> None:
    doc = write(tmp_path, "d.json", MINIMAL)
    text = json.loads(MINIMAL)["text"]
    (tmp_path / "short.txt").write_text(text[:50], "utf-8")
    result = run_cli("reanchor", str(doc), "--text", str(tmp_path / "short.txt"))
    assert result.returncode == 1  # spans changed: listed for review
    check = run_cli("validate", "--format", "concise", str(doc))
    assert " O002 " not in check.stdout and " O003 " in check.stdout
    before = doc.read_bytes()
    (tmp_path / "bad.txt").write_text("a\x01b", "utf-8")
    refused = run_cli("reanchor", str(doc), "--text", str(tmp_path / "bad.txt"))
    assert refused.returncode == 2 and doc.read_bytes() == before


def test_import_never_overwrites_its_own_input(tmp_path: Path) -> None:
    exported = tmp_path / "out"
    assert (
        run_cli(
            "export", "bioc-json", str(CORPUS / "iran-russia-missiles.json"), "-o", str(exported)
        ).returncode
        == 0
    )
    (source,) = list(exported.glob("*.json"))
    original = source.read_bytes()
    inplace = tmp_path / "inplace"
    inplace.mkdir()
    twin = inplace / "iran-russia-missiles.json"
    twin.write_bytes(original)
    run_cli(
        "import",
        "bioc-json",
        str(inplace),
        "-o",
        str(inplace),
        "--scheme",
        str(CORPUS / "scheme.toml"),
    )
    assert twin.read_bytes() == original


def test_a_tool_header_pasted_into_corpuskit_toml_is_explained(tmp_path: Path) -> None:
    (tmp_path / "corpuskit.toml").write_text('[tool.corpuskit]\npaths = ["corpus"]\n', "utf-8")
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert 'unknown configuration key "tool"' in result.stderr
    assert "in corpuskit.toml, leave out the [tool.corpuskit] header" in result.stderr
