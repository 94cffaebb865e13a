"""corpuskit new and corpuskit text, through a real subprocess: exit codes, messages, the bytes
written, and the text given back byte for byte."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, run_cli

#: Nothing is written, and the message says so.
NOTHING = "(nothing written)"
META = ("--title", "A headline", "--language", "en")


def run_bytes(*args: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m corpuskit`` with ``args``, giving ``stdin`` and capturing raw bytes."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "corpuskit", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=120,
    )


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("validate", "--no-cache", str(path), cwd=path.parent)


# ---------------------------------------------------------------- new


def test_new_writes_a_canonical_document_that_validates(tmp_path: Path) -> None:
    write(
        tmp_path / "iran-report.txt", "Iran sent missiles.\n“More will come,” he said.\n".encode()
    )
    result = run_cli(
        "new",
        "iran-report.txt",
        "-o",
        "iran-report.json",
        *META,
        "--source",
        "Reuters",
        "--url",
        "https://example.org/a",
        "--published",
        "2024-02-21",
        "--license",
        "CC-BY-4.0",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = "Iran sent missiles.\n“More will come,” he said."
    assert result.stderr == (
        "corpuskit: dropped the final newline the editor added to iran-report.txt "
        "(not part of the published text)\n"
        'corpuskit: wrote iran-report.json: document "iran-report", 46 characters, '
        "no annotations yet\n"
    )
    written = (tmp_path / "iran-report.json").read_text("utf-8")
    record = json.loads(written)
    assert record == {
        "corpuskit": "1.0",
        "id": "iran-report",
        "meta": {
            "title": "A headline",
            "language": "en",
            "source": "Reuters",
            "url": "https://example.org/a",
            "published": "2024-02-21",
            "license": "CC-BY-4.0",
        },
        "offset_unit": "codepoint",
        "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "mentions": [],
        "entities": [],
        "quotes": [],
        "claims": [],
        "events": [],
        "relations": [],
        "attributes": [],
    }
    # The canonical layout: one key per line, as every corpuskit writer does.
    assert written.startswith('{\n  "corpuskit": "1.0",\n  "id": "iran-report",\n  "meta": {\n')
    checked = validate(tmp_path / "iran-report.json")
    assert checked.returncode == 0 and "All checks passed" in checked.stdout, checked.stdout
    layout = run_cli("validate", "--no-cache", "--select", "L", "iran-report.json", cwd=tmp_path)
    assert "L001" not in layout.stdout


def test_new_writes_xml_when_asked_and_the_text_comes_back_exactly(tmp_path: Path) -> None:
    text = "Line one\r\nTab\there & <there>\r\nastral 𝔸 👩‍💻 end"  # no final newline
    write(tmp_path / "t.txt", text.encode())
    result = run_cli("new", "t.txt", "-o", "doc.xml", "--id", "doc_1", *META, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "dropped" not in result.stderr  # there was no final newline to drop
    # The XML is the exact twin of the JSON document new writes for the same input.
    as_json = run_cli("new", "t.txt", "--id", "doc_1", *META, cwd=tmp_path).stdout
    assert run_cli("convert", "doc.xml", "--to", "json", cwd=tmp_path).stdout == as_json
    assert validate(tmp_path / "doc.xml").returncode == 0
    printed = run_bytes("text", "doc.xml", cwd=tmp_path)
    assert printed.returncode == 0 and printed.stderr == b""
    assert printed.stdout == text.encode("utf-8")


def test_new_without_output_writes_json_to_standard_output(tmp_path: Path) -> None:
    write(tmp_path / "story.txt", b"Just this.")
    result = run_cli("new", "story.txt", *META, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # nothing dropped, nothing to say
    record = json.loads(result.stdout)
    assert record["id"] == "story" and record["text"] == "Just this."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.txt"]


def test_new_reads_standard_input(tmp_path: Path) -> None:
    result = run_bytes(
        "new", "-", "--id", "from_stdin", "-o", "d.json", *META, cwd=tmp_path, stdin=b"Piped.\r\n"
    )
    assert result.returncode == 0, result.stderr
    assert b"dropped the final CRLF the editor added to standard input" in result.stderr
    assert json.loads((tmp_path / "d.json").read_bytes())["text"] == "Piped."
    # From standard input, the id comes from --id, or else from the output's name.
    named = run_bytes("new", "-", "-o", "piped.json", *META, cwd=tmp_path, stdin=b"x")
    assert named.returncode == 0 and json.loads((tmp_path / "piped.json").read_bytes())["id"] == (
        "piped"
    )
    nameless = run_bytes("new", "-", *META, cwd=tmp_path, stdin=b"x")
    assert nameless.returncode == 2 and nameless.stdout == b""
    assert b"pass --id (standard input has no file name to take it from)" in nameless.stderr


def test_new_never_overwrites(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"New text.")
    existing = write(tmp_path / "a.json", b"precious")
    before = existing.stat().st_mtime_ns
    result = run_cli("new", "a.txt", "-o", "a.json", *META, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"corpuskit: error: a.json already exists; corpuskit new never overwrites {NOTHING}\n"
    )
    assert existing.read_bytes() == b"precious" and existing.stat().st_mtime_ns == before
    # A dangling symbolic link is a name in use too: it is not followed and replaced.
    (tmp_path / "link.json").symlink_to(tmp_path / "elsewhere.json")
    linked = run_cli("new", "a.txt", "-o", "link.json", *META, cwd=tmp_path)
    assert linked.returncode == 2 and not (tmp_path / "elsewhere.json").exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Final LF.\n", "Final LF."),
        (b"Final CRLF.\r\n", "Final CRLF."),
        (b"Blank line kept.\n\n", "Blank line kept.\n"),
        (b"Inner\r\nCRLF kept", "Inner\r\nCRLF kept"),
        (b"No final newline", "No final newline"),
    ],
)
def test_new_drops_one_editor_newline_and_nothing_else(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    write(tmp_path / "t.txt", data)
    result = run_cli("new", "t.txt", "-o", "t.json", *META, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "t.json").read_bytes())["text"] == expected
    assert ("dropped the final" in result.stderr) == (data != expected.encode())


def test_new_refuses_text_that_is_not_nfc_unless_asked_to_normalise(tmp_path: Path) -> None:
    write(tmp_path / "cafe.txt", "Un café\nau lait".replace("é", "e\u0301").encode())
    refused = run_cli("new", "cafe.txt", "-o", "cafe.json", *META, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == (
        "corpuskit: error: cafe.txt is not NFC-normalised (first at line 1, column 7: U+0065 "
        "U+0301); the validator requires NFC (O005). Pass --nfc to normalise it (it reads the "
        f"same, but its bytes change), or normalise it yourself {NOTHING}\n"
    )
    assert not (tmp_path / "cafe.json").exists()
    done = run_cli("new", "cafe.txt", "-o", "cafe.json", "--nfc", *META, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "normalised the text to NFC as --nfc asked (first at line 1, column 7; 16 " in (
        done.stderr
    )
    assert json.loads((tmp_path / "cafe.json").read_bytes())["text"] == "Un café\nau lait"
    assert validate(tmp_path / "cafe.json").returncode == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"bell \x07 here", "t.txt contains U+0007 at character 5, which XML 1.0 cannot carry"),
        ("nonchar \uffff".encode(), "t.txt contains U+FFFF at character 8"),
        (b"caf\xe9", "t.txt is not UTF-8 (byte 0xe9 at byte offset 3); save it as UTF-8"),
        (b"\xef\xbb\xbfBOM", "t.txt starts with a byte-order mark (U+FEFF)"),
        (b"\n", "t.txt is empty"),
    ],
    ids=["control", "noncharacter", "latin-1", "bom", "only-a-newline"],
)
def test_new_refuses_text_the_validator_would_reject(
    tmp_path: Path, data: bytes, message: str
) -> None:
    write(tmp_path / "t.txt", data)
    result = run_cli("new", "t.txt", "-o", "t.json", *META, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"corpuskit: error: {message}"), result.stderr
    assert NOTHING in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "t.json").exists()


def test_new_names_the_options_to_fix(tmp_path: Path) -> None:
    write(tmp_path / "2024 report.txt", b"Text.")
    missing = run_cli("new", "2024 report.txt", "--title", "T", cwd=tmp_path)
    assert missing.returncode == 2
    assert (
        "pass --language (a BCP 47 tag such as en): the document schema requires it"
        in missing.stderr
    )
    bad = run_cli(
        "new",
        "2024 report.txt",
        "--title",
        "T",
        "--language",
        "english",
        "--published",
        "2024-02-30",
        "--url",
        "ftp://example.org",
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    err = bad.stderr
    assert '--id: "id" value "2024 report" does not have the allowed form' in err
    assert "(taken from the name of 2024 report.txt; pass --id)" in err
    assert "--language:" in err and "a BCP 47 language tag such as en" in err
    assert '--published: "published" "2024-02-30" is not a valid "date"' in err
    assert "--url:" in err and "http:// or https://" in err
    wrong_suffix = run_cli(
        "new", "2024 report.txt", "--id", "r", *META, "-o", "r.txt", cwd=tmp_path
    )
    assert wrong_suffix.returncode == 2
    assert "r.txt: the output must be a .json or .xml file" in wrong_suffix.stderr
    unreadable = run_cli("new", "missing.txt", *META, cwd=tmp_path)
    assert unreadable.returncode == 2
    assert "cannot read missing.txt: No such file or directory" in unreadable.stderr


# ---------------------------------------------------------------- text


@pytest.mark.parametrize("suffix", [".json", ".xml"])
def test_text_prints_the_corpus_text_byte_for_byte(suffix: str) -> None:
    doc = CORPUS / f"iran-russia-missiles{suffix}"
    expected = json.loads((CORPUS / "iran-russia-missiles.json").read_bytes())["text"]
    result = run_bytes("text", str(doc), cwd=ROOT)
    assert result.returncode == 0 and result.stderr == b""
    assert result.stdout == expected.encode("utf-8")
    assert (
        hashlib.sha256(result.stdout).hexdigest()
        == json.loads((CORPUS / "iran-russia-missiles.json").read_bytes())["text_sha256"]
    )


def test_text_adds_nothing_and_keeps_a_final_newline_that_is_part_of_the_text(
    tmp_path: Path,
) -> None:
    for name, text in (("bare", "ends here 𝄞"), ("nl", "ends with a newline\n")):
        made = run_bytes(
            "new",
            "-",
            "--id",
            name,
            "-o",
            f"{name}.json",
            *META,
            cwd=tmp_path,
            stdin=text.encode() + b"\n",
        )  # the editor's newline is dropped
        assert made.returncode == 0, made.stderr
        printed = run_bytes("text", f"{name}.json", cwd=tmp_path)
        assert printed.stdout == text.encode("utf-8")


def test_text_then_reanchor_round_trips_an_unchanged_document(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Kyiv and Київ.\n".encode())
    assert run_cli("new", "a.txt", "-o", "a.json", *META, cwd=tmp_path).returncode == 0
    before = (tmp_path / "a.json").read_bytes()
    printed = run_bytes("text", "a.json", cwd=tmp_path).stdout
    write(tmp_path / "edited.txt", printed + b"\n")  # as an editor saves it
    result = run_cli("reanchor", "a.json", "--text", "edited.txt", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "a.json").read_bytes() == before


def test_text_of_a_document_that_fails_the_schema_still_prints_its_text(tmp_path: Path) -> None:
    record = json.loads((CORPUS / "iran-russia-missiles.json").read_bytes())
    record["mentions"][0]["type"] = 7  # S003: the text itself is fine
    (tmp_path / "broken.json").write_text(json.dumps(record), "utf-8")
    result = run_bytes("text", "broken.json", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == record["text"].encode("utf-8")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("d.json", b'{"id": ', "d.json cannot be read: "),
        ("d.json", b'{"id": "x"}', "d.json has no text; run corpuskit validate d.json"),
        ("d.xml", b"<a/>", "d.xml cannot be read: the root element must be <document>"),
        ("d.txt", b"text", "d.txt: not a .json or .xml file"),
    ],
)
def test_text_of_something_unusable_is_a_message_not_a_traceback(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    write(tmp_path / name, data)
    result = run_cli("text", name, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"corpuskit: error: {message}"), result.stderr
    missing = run_cli("text", "nowhere.json", cwd=tmp_path)
    assert missing.returncode == 2
    assert "cannot read nowhere.json: No such file or directory" in missing.stderr
