"""Hostile numbers in XML, XML twins that would not validate, and the views on hostile files
(issue 13): every command answers with a diagnostic or a message and a non-zero exit, never
a traceback, and never prints what a refused file holds."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

BAD = ROOT / "tests" / "bad"
POSITIVE = ROOT / "tests" / "examples" / "positive"
XML = (POSITIVE / "minimal.xml").read_text("utf-8")
#: More leading zeros than Python's int() converts (4,300 digits), as the XSD allows.
ZEROS = "0" * 4400
SECRET = "hostile-numbers-secret-7c1e"


def _xml(old: str, new: str) -> str:
    assert old in XML, old
    return XML.replace(old, new, 1)


def _attribute(datatype: str, value: str) -> str:
    return _xml('datatype="string" value="actual"', f'datatype="{datatype}" value="{value}"')


def _codes(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    result = run_cli("validate", "--no-cache", "--format", "json", path.name, cwd=path.parent)
    assert "Traceback" not in result.stderr + result.stdout
    return result


def _clean(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-2000:]
    return result


# --- numbers in the XML form --------------------------------------------------------------


def test_an_offset_with_4400_leading_zeros_is_read_as_its_value(tmp_path: Path) -> None:
    (tmp_path / "d.xml").write_text(_xml('end="4"', f'end="{ZEROS}4"'))
    result = _validate(tmp_path / "d.xml")
    assert result.returncode == 0, result.stdout
    assert _codes(result) == []
    converted = _clean(run_cli("convert", "d.xml", "--to", "json", cwd=tmp_path))
    assert converted.returncode == 0
    assert json.loads(converted.stdout)["mentions"][0]["span"] == [
        {"start": 0, "end": 4, "text": "Iran"}
    ]


def test_a_wrong_offset_behind_leading_zeros_is_reported_with_its_value(tmp_path: Path) -> None:
    (tmp_path / "d.xml").write_text(_xml('end="4"', f'end="{ZEROS}5"'))
    result = _validate(tmp_path / "d.xml")
    assert result.returncode == 1
    assert _codes(result) == ["O003"]
    assert "[0, 5)" in json.loads(result.stdout)["diagnostics"][0]["message"]


def test_fix_reads_an_offset_with_leading_zeros(tmp_path: Path) -> None:
    (tmp_path / "d.xml").write_text(_xml('end="4"', f'end="{ZEROS}5"'))
    result = _clean(run_cli("fix", "d.xml", cwd=tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert '<frag start="0" end="4">Iran</frag>' in (tmp_path / "d.xml").read_text("utf-8")
    assert _validate(tmp_path / "d.xml").returncode == 0


def test_an_offset_of_5000_digits_is_out_of_range_with_a_short_message(tmp_path: Path) -> None:
    (tmp_path / "d.xml").write_text(_xml('end="4"', 'end="' + "9" * 5000 + '"'))
    result = _validate(tmp_path / "d.xml")
    assert result.returncode == 1
    assert _codes(result) == ["S004"]
    message = json.loads(result.stdout)["diagnostics"][0]["message"]
    assert len(message) < 300 and "5,000 characters" in message


@pytest.mark.parametrize(
    ("datatype", "value", "code"),
    [
        ("integer", "9" * 4400, "P008"),
        ("integer", "-99999999999999999999", "P008"),
        ("number", "99999999999999999999", "P008"),
        ("number", "1e400", "P005"),
    ],
)
def test_an_attribute_value_json_cannot_hold_gets_the_json_code(
    tmp_path: Path, datatype: str, value: str, code: str
) -> None:
    (tmp_path / "d.xml").write_text(_attribute(datatype, value))
    result = _validate(tmp_path / "d.xml")
    assert result.returncode == 1
    assert _codes(result) == [code]
    diagnostic = json.loads(result.stdout)["diagnostics"][0]
    assert diagnostic["line"] == 38 and len(diagnostic["message"]) < 200


def test_integer_values_are_exact_below_2_53_and_p008_from_it(tmp_path: Path) -> None:
    (tmp_path / "in.xml").write_text(_attribute("integer", str(-(2**53 - 1))))
    (tmp_path / "out.xml").write_text(_attribute("integer", str(2**53)))
    assert _codes(_validate(tmp_path / "in.xml")) == []
    assert _codes(_validate(tmp_path / "out.xml")) == ["P008"]


# --- convert: the twin must validate ------------------------------------------------------


def _json_with_text(text: str, **meta: str) -> str:
    import hashlib

    record = json.loads((POSITIVE / "minimal.json").read_text("utf-8"))
    record["text"] = text
    record["text_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    record["meta"].update(meta)
    return json.dumps(record, ensure_ascii=False)


def test_convert_refuses_an_xml_twin_over_the_parsers_text_limit(tmp_path: Path) -> None:
    record = json.loads((POSITIVE / "minimal.json").read_text("utf-8"))
    (tmp_path / "big.json").write_text(_json_with_text(record["text"] + " " + "x" * 10_100_000))
    assert _validate(tmp_path / "big.json").returncode == 0  # the JSON form itself is fine
    result = _clean(run_cli("convert", "big.json", "--to", "xml", "-o", "big.xml", cwd=tmp_path))
    assert result.returncode == 1
    assert "P006" in result.stderr and "would not validate; nothing written" in result.stderr
    assert not (tmp_path / "big.xml").exists()
    to_stdout = _clean(run_cli("convert", "big.json", "--to", "xml", cwd=tmp_path))
    assert to_stdout.returncode == 1 and to_stdout.stdout == ""


def test_convert_refuses_only_errors_the_twin_adds_to_the_sources(tmp_path: Path) -> None:
    source = ROOT / "tests" / "examples" / "negative" / "O003-span-text-mismatch.json"
    shutil.copy(source, tmp_path / "own.json")
    # Year 0000 is a date to JSON Schema's format checker but not to xs:date.
    text = source.read_text("utf-8")
    (tmp_path / "year0.json").write_text(
        text.replace('"published": "2024-02-21"', '"published": "0000-01-01"', 1)
    )
    kept = _clean(run_cli("convert", "own.json", "--to", "xml", "-o", "own.xml", cwd=tmp_path))
    assert kept.returncode == 0, kept.stderr
    assert _codes(_validate(tmp_path / "own.xml")) == ["O003"]  # the source's error, carried
    refused = _clean(
        run_cli("convert", "year0.json", "--to", "xml", "-o", "year0.xml", cwd=tmp_path)
    )
    assert refused.returncode == 1 and "nothing written" in refused.stderr
    assert "S003" in refused.stderr and "O003" not in refused.stderr
    assert not (tmp_path / "year0.xml").exists()


# --- show, stats and diff on hostile files ------------------------------------------------


def _hostile(folder: Path) -> dict[str, str | None]:
    """Hostile files in ``folder``: name -> a word the error message must contain (None: the
    document is valid and the command succeeds)."""
    (folder / "zeros.xml").write_text(_xml('end="4"', f'end="{ZEROS}4"'))
    (folder / "huge_value.xml").write_text(_attribute("integer", "9" * 4400))
    for name in ("nested_300.xml", "nested_100000_arrays.json", "invalid_utf8.xml"):
        shutil.copy(BAD / name, folder / name)
    (folder / "env.json").symlink_to("/proc/self/environ")
    return {
        "zeros.xml": None,
        "huge_value.xml": "2^53",
        "nested_300.xml": "nested deeper",
        "nested_100000_arrays.json": "nested deeper",
        "invalid_utf8.xml": "invalid UTF-8",
        "env.json": "not read",
    }


def _check(result: subprocess.CompletedProcess[str], expect: str | None, name: str) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, (name, output[-2000:])
    assert SECRET not in output, name
    if expect is None:
        assert result.returncode == 0, (name, output[-2000:])
    else:
        assert result.returncode != 0, (name, output[-2000:])
        assert expect in output, (name, output[-2000:])


@pytest.mark.parametrize("command", ["show", "stats", "diff-old", "diff-new", "textconv"])
def test_views_on_hostile_files_give_a_message_not_a_traceback(
    tmp_path: Path, command: str
) -> None:
    shutil.copy(POSITIVE / "minimal.xml", tmp_path / "ok.xml")
    for name, expect in _hostile(tmp_path).items():
        args = {
            "show": ["show", name, "-o", "page.html"],
            "stats": ["stats", name],
            "diff-old": ["diff", name, "ok.xml"],
            "diff-new": ["diff", "ok.xml", name],
            "textconv": ["diff", "--textconv", name],
        }[command]
        if command == "textconv" and expect is not None and name != "env.json":
            expect = None  # textconv must not fail git diff: it prints an unreadable file raw
        result = run_cli(*args, cwd=tmp_path, env={"HOSTILE_TOKEN": SECRET})
        _check(result, expect, name)


def test_stats_of_a_folder_with_a_link_to_proc_environ_says_it_was_not_read(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(POSITIVE / "minimal.json", corpus / "good.json")
    (corpus / "env.json").symlink_to("/proc/self/environ")
    result = run_cli("stats", "--format", "json", "corpus", cwd=tmp_path, env={"T": SECRET})
    _check(result, "not read", "corpus")
    report = json.loads(result.stdout)["corpora"][0]
    assert report["documents"] == 1
    assert [u["path"] for u in report["unreadable"]] == [str(Path("corpus") / "env.json")]


def test_diff_git_does_not_follow_a_committed_link_to_proc_environ(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "t")
    shutil.copy(POSITIVE / "minimal.json", tmp_path / "d.json")
    git("add", "d.json")
    git("commit", "-q", "-m", "one")
    (tmp_path / "d.json").unlink()
    (tmp_path / "d.json").symlink_to("/proc/self/environ")
    result = run_cli("diff", "--git", "HEAD", cwd=tmp_path, env={"T": SECRET})
    _check(result, "not read", "d.json")


def test_convert_does_not_read_or_echo_a_link_to_proc_environ(tmp_path: Path) -> None:
    (tmp_path / "env.json").symlink_to("/proc/self/environ")
    result = run_cli("convert", "env.json", "--to", "xml", cwd=tmp_path, env={"T": SECRET})
    _check(result, "kernel pseudo-file", "env.json")
    assert result.stdout == ""
