"""The plug-in registries: every reporter and every import/export format, looped over.

A reporter or a format is one module and one registry entry; the CLI's choices, its help texts
and the tables of docs/ci.md and docs/interop.md are made from the registries. These tests
check each entry does what it declares and that nothing else lists them by hand.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, run_cli
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport
from corpuskit.formats import json_format
from corpuskit.interop import registry
from corpuskit.interop.common import Imported
from corpuskit.interop.registry import (
    FORMATS,
    Converted,
    ExportOptions,
    ImportOptions,
    InputSource,
    InteropFormat,
)
from corpuskit.reporters import (
    AUTO,
    REPORTER_NAMES,
    REPORTERS,
    ReportContext,
    ReporterEntry,
    Summary,
    reporter_class,
)

DOCUMENT = CORPUS / "iran-russia-missiles.json"


def generated_block(file: str, name: str) -> str:
    """The table between a docs page's generated-block markers (docs/generate.py)."""
    text = (ROOT / "docs" / file).read_text("utf-8")
    begin = re.escape(f"<!-- begin: {name} (python docs/generate.py) -->")
    found = re.search(rf"^{begin}\n(.*?)^<!-- end: {re.escape(name)} -->$", text, re.M | re.S)
    assert found is not None, f"docs/{file} has no generated block {name!r}"
    return found.group(1)


def first_column(table: str) -> list[str]:
    """The backticked names in a Markdown table's first column (header and rule skipped)."""
    return re.findall(r"^\| `([^`]+)`", table, re.M)[1:]


# ---------------------------------------------------------------- reporters


def _report() -> FileReport:
    def diagnostic(line: int, code: str, name: str, severity: Severity) -> Diagnostic:
        return Diagnostic(
            path="corpus/a.json",
            line=line,
            column=7,
            code=code,
            name=name,
            severity=severity,
            message=f"{name} at line {line}",
            annotation_id="m4",
            source_line='    {"id": "m4"}',
        )

    return FileReport(
        "corpus/a.json",
        (
            diagnostic(3, "O003", "span-text-mismatch", Severity.ERROR),
            diagnostic(9, "R101", "unused-mention", Severity.WARNING),
        ),
    )


def test_docs_ci_lists_exactly_the_reporters() -> None:
    table = generated_block("ci.md", "reporters")
    assert table == registry_tables()["reporters"], "run python docs/generate.py"
    assert first_column(table) == list(REPORTER_NAMES)


def registry_tables() -> dict[str, str]:
    """What docs/generate.py writes, by block name."""
    from corpuskit.interop.registry import markdown_table as format_table
    from corpuskit.reporters import markdown_table as reporter_table

    return {"reporters": reporter_table(), "interop-formats": format_table()}


@pytest.mark.parametrize("entry", REPORTERS.values(), ids=lambda e: e.name)
def test_every_reporter_loads_and_finish_writes_what_it_declares(entry: ReporterEntry) -> None:
    stream = io.StringIO()
    reporter = reporter_class(entry.name)(stream, ReportContext(root=Path.cwd()))
    report = _report()
    reporter.file(report)
    streamed = stream.getvalue()
    summary = Summary()
    summary.add(report)
    reporter.finish(summary)
    closing = stream.getvalue()[len(streamed) :]
    if entry.closing == "document":
        assert streamed == "" and closing.strip(), "a document is written whole at finish"
    elif entry.closing == "summary":
        assert closing.count("\n") == 1 and "1 error" in closing
    else:
        assert closing == ""
    assert "O003" in streamed + closing and "R101" in streamed + closing
    assert entry.description and "|" not in entry.description  # one table cell


def test_the_auto_name_resolves_to_a_registered_reporter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert reporter_class(AUTO) is reporter_class("github")
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert reporter_class(AUTO) is reporter_class("text")


def test_a_reporter_name_given_twice_is_refused() -> None:
    from corpuskit.reporters import _index

    text = REPORTERS["text"]
    with pytest.raises(RuntimeError, match="duplicate"):
        _index((text, text))
    with pytest.raises(RuntimeError, match="duplicate"):
        _index((ReporterEntry(AUTO, text.target, "x", "summary"),))


def _help(*command: str) -> str:
    # Wide enough that no name is wrapped inside the help box.
    result = run_cli(*command, "--help", env={"COLUMNS": "400"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_texts_list_every_reporter_and_format() -> None:
    validate = _help("validate")
    assert all(name in validate for name in REPORTER_NAMES)
    for command, able in (("import", registry.importers()), ("export", registry.exporters())):
        shown = _help(command)
        assert all(name in shown for name in REPORTER_NAMES), command
        line = next(line for line in shown.splitlines() if "FORMAT " in line and "<str>" in line)
        assert f"<str>   {registry.choice_list(able)}. " in line, line


@pytest.mark.parametrize("entry", REPORTERS.values(), ids=lambda e: e.name)
def test_export_reports_in_every_reporter(tmp_path: Path, entry: ReporterEntry) -> None:
    (tmp_path / "in").mkdir()
    doc = tmp_path / "in" / DOCUMENT.name
    doc.write_bytes(DOCUMENT.read_bytes())
    result = run_cli(
        "export", "brat", "in", "-o", "out", "--format", entry.name, "--no-color", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "iran-russia-missiles.ann",
        "iran-russia-missiles.txt",
    ]
    line = "Exported 2 files into out: 0 errors, "
    # The run's summary line goes where the reporter's own would; beside a report, to stderr.
    assert (line in result.stdout) is (entry.closing == "summary")
    assert (line in result.stderr) is (entry.closing != "summary")
    assert "I006" in result.stdout  # brat renames the ids: a warning in every report
    if entry.closing == "document":
        if result.stdout.lstrip().startswith("<"):
            ET.fromstring(result.stdout)
        else:
            json.loads(result.stdout)


# ---------------------------------------------------------------- import/export formats


def test_docs_interop_lists_exactly_the_formats() -> None:
    table = generated_block("interop.md", "interop-formats")
    assert table == registry_tables()["interop-formats"], "run python docs/generate.py"
    assert first_column(table) == list(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=lambda f: f.name)
def test_every_format_declares_a_reader_or_writer_that_loads(fmt: InteropFormat) -> None:
    for target in (fmt.reader, fmt.writer):
        if target is not None:
            assert callable(registry._load(target)), target
    assert fmt.description and "|" not in fmt.description
    assert all(s == s.lower() and s.startswith(".") for s in (*fmt.suffixes, *fmt.writes))


@pytest.mark.parametrize("name", registry.exporters())
def test_every_writer_writes_the_files_it_declares(name: str) -> None:
    fmt = FORMATS[name]
    document = json_format.loads(DOCUMENT.read_bytes())
    exported = fmt.write(document, ExportOptions())
    assert list(exported.files) == list(fmt.writes)
    assert all(isinstance(text, str) and text for text in exported.files.values())


def _read_all(fmt: InteropFormat, folder: Path) -> list[Imported | Converted]:
    """Read every input of ``folder`` as the import command finds them."""
    paths = sorted(p for p in folder.iterdir() if p.suffix in fmt.suffixes)
    if fmt.one_per_name:
        paths = sorted({p.with_suffix(""): p for p in paths}.values())
    options = ImportOptions(output=folder / "out", root=folder)
    return [item for p in paths for item in fmt.read(InputSource(p, Path(), folder), options)]


@pytest.mark.parametrize("name", [n for n in registry.importers() if n in registry.exporters()])
def test_every_reader_reads_what_its_writer_wrote(tmp_path: Path, name: str) -> None:
    fmt = FORMATS[name]
    document = json_format.loads(DOCUMENT.read_bytes())
    for suffix, text in fmt.write(document, ExportOptions()).files.items():
        (tmp_path / f"doc{suffix}").write_text(text, "utf-8", newline="")
    read = [item for item in _read_all(fmt, tmp_path) if isinstance(item, Imported)]
    assert len(read) == 1
    (imported,) = read
    assert imported.document is not None and imported.errors == 0
    assert imported.document.text == document.text
    # Spans survive every format: each mention comes back at its offsets.
    spans = {(f.start, f.end) for m in document.mentions for f in m.span}
    assert spans <= {(f.start, f.end) for m in imported.document.mentions for f in m.span}


def test_a_reader_reports_an_unreadable_input_as_a_finding(tmp_path: Path) -> None:
    for name in registry.importers():
        fmt = FORMATS[name]
        missing = tmp_path / f"missing{fmt.suffixes[0]}"
        options = ImportOptions(output=tmp_path / "out", root=tmp_path)
        items = list(fmt.read(InputSource(missing, Path(), tmp_path), options))
        assert [i.findings[0].rule.code for i in items if isinstance(i, Imported)] == ["I001"]


def _invoke(args: list[str]) -> tuple[int, str]:
    """The real app in this process (a registry entry patched in is seen); exit code, stderr."""
    from typer.testing import CliRunner

    from corpuskit.cli import app

    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stderr


@pytest.mark.parametrize("direction", ["import", "export"])
def test_a_format_that_cannot_go_that_way_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direction: str
) -> None:
    one_way = (
        InteropFormat("spans-out", "test", writer="x:y", writes=(".x",))
        if direction == "import"
        else InteropFormat("spans-in", "test", reader="x:y", suffixes=(".x",), reads="x files")
    )
    monkeypatch.setitem(FORMATS, one_way.name, one_way)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    code, err = _invoke([direction, one_way.name, "src", "-o", "out"])
    assert code == 2
    other = "export" if direction == "import" else "import"
    assert f"{one_way.name} is an {other}-only format: it cannot {direction}" in err
    assert not (tmp_path / "out").exists()


def test_the_registries_refuse_duplicates_and_formats_that_do_nothing() -> None:
    brat = FORMATS["brat"]
    with pytest.raises(RuntimeError, match="duplicate"):
        registry._index((brat, brat))
    with pytest.raises(RuntimeError, match="neither"):
        registry._index((InteropFormat("none", "test"),))
    with pytest.raises(RuntimeError, match="declares no input"):
        registry._index((InteropFormat("in", "test", reader="x:y"),))


def test_the_cli_loads_no_reporter_and_no_converter_at_start() -> None:
    modules = {e.target.split(":")[0] for e in REPORTERS.values()}
    modules |= {t.split(":")[0] for f in FORMATS.values() for t in (f.reader, f.writer) if t}
    code = (
        "import sys, corpuskit.cli\n"
        f"loaded = sorted(m for m in {sorted(modules)!r} if m in sys.modules)\n"
        "print(loaded, 'lxml' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.stdout.strip() == "[] False", result.stdout + result.stderr
