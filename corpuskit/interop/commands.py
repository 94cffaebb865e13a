"""``corpuskit import`` and ``corpuskit export``: every format of the interop registry.

``register(app)`` adds both commands to the corpuskit Typer app. Options become a plan; the
format's reader or writer (``corpuskit.interop.registry``) converts; this module reads and
writes files and prints. It names no format: choices and help texts come from the registries
of formats and reporters. Other imports stay inside the functions: the CLI starts without
loading lxml or the converters.
Exit codes: 0 converted (warnings allowed), 1 some input had errors (the others are still
converted; a document with errors is not written), 2 usage errors.

Every read and write goes through ``corpuskit.io``, fenced by the project root (the folder of
the configuration, else the working folder): no link leading out of it is followed, reads stop
at ``max-file-size``, no read-only file is replaced, and a file that cannot be read or written
is a diagnostic (I001, I013) for that input while the others are still converted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corpuskit.formats import FORMAT_BY_SUFFIX
from corpuskit.interop.registry import (
    FORMATS,
    RENAMED,
    Converted,
    ExportOptions,
    ImportOptions,
    InputSource,
    choice_list,
    exporters,
    importers,
    os_reason,
)
from corpuskit.reporters import (
    REPORTER_NAMES,
    REPORTERS,
    ReportContext,
    Summary,
    choices_help,
    reporter_class,
    resolve_format,
)

if TYPE_CHECKING:
    from corpuskit.diagnostics import Diagnostic, Finding
    from corpuskit.interop.common import Imported
    from corpuskit.interop.registry import InteropFormat
    from corpuskit.model import Document
    from corpuskit.scheme import Scheme


EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
_UNIT_HELP = "Offsets outside counted in utf8 (bytes), utf16 (code units) or codepoint."
#: The corpuskit document formats (json, xml), in the order they are preferred.
_DOCUMENT_FORMATS = tuple(dict.fromkeys(FORMAT_BY_SUFFIX.values()))
_DOCUMENT_SUFFIXES = tuple(FORMAT_BY_SUFFIX)
_REPORT_HELP = f"Diagnostics as {choices_help()}."


def register(app: typer.Typer) -> None:
    """Add the ``import`` and ``export`` commands to ``app``."""
    app.command("import")(import_command)
    app.command("export")(export_command)


def _fail(message: str) -> typer.Exit:
    from corpuskit.reporters.escape import message as escaped

    typer.echo(f"corpuskit: error: {escaped(message)}", err=True)
    return typer.Exit(EXIT_USAGE)


def _check_choices(
    fmt: str, unit: str | None, output_format: str, *, export: bool
) -> InteropFormat:
    """The chosen format, when it can go this way and unit and report format are known."""
    from corpuskit.interop.units import UNITS

    able = exporters() if export else importers()
    direction = "export" if export else "import"
    # A renamed format is not a typo: say what it is called now (and what reads the old name's
    # other meaning) instead of listing every choice.
    if fmt in RENAMED and fmt not in FORMATS:
        raise _fail(RENAMED[fmt])
    if fmt not in FORMATS:
        raise _fail(f"unknown format {fmt!r} (choose {', '.join(able)})")
    if fmt not in able:
        other = "import" if export else "export"
        raise _fail(
            f"{fmt} is an {other}-only format: it cannot {direction} (choose {', '.join(able)})"
        )
    if unit is not None and unit not in UNITS:
        raise _fail(f"unknown offset unit {unit!r} (choose {', '.join(UNITS)})")
    if output_format not in REPORTER_NAMES:
        raise _fail(f"unknown output format {output_format!r} (choose {', '.join(REPORTER_NAMES)})")
    return FORMATS[fmt]


def _project() -> tuple[Path, int]:
    """The project root (the configuration's folder, else the working folder) and max-file-size."""
    from corpuskit.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    return config.root, config.max_file_size


def _output_folder(output: Path, root: Path) -> None:
    from corpuskit.io import make_folder

    if output.exists() and not output.is_dir():
        raise _fail(f"{output} exists and is not a folder")
    try:
        make_folder(output, root=root)
    except OSError as exc:
        raise _fail(f"cannot use {output} as the output folder: {os_reason(exc)}") from None


class _Run:
    """Reports one conversion run: diagnostics per input, what was written, the exit code."""

    def __init__(self, output_format: str, color: bool | None, root: Path, limit: int) -> None:
        #: What the reporter's finish writes decides where the run's own summary line goes.
        self.closing = REPORTERS[resolve_format(output_format)].closing
        if color is None:
            color = not os.environ.get("NO_COLOR") and sys.stdout.isatty()
        self.reporter = reporter_class(output_format)(
            sys.stdout, ReportContext(root=root, color=color)
        )
        #: Links may not lead out of this folder; reads stop at ``limit`` bytes.
        self.root, self.limit = root, limit
        self.summary = Summary()
        self.written: list[Path] = []
        self.errors = self.warnings = 0
        self._targets: set[Path] = set()
        #: The inputs of the run (files and folders): an output never replaces one of their files.
        self.sources: list[Path] = []

    def report(self, path: str, diagnostics: list[Diagnostic]) -> None:
        from corpuskit.diagnostics import Severity
        from corpuskit.engine import FileReport

        self.errors += sum(d.severity is Severity.ERROR for d in diagnostics)
        self.warnings += sum(d.severity is Severity.WARNING for d in diagnostics)
        ordered = sorted(diagnostics, key=lambda d: (d.path, d.line, d.column, d.code, d.message))
        report = FileReport(path, tuple(ordered))
        self.summary.add(report)
        self.reporter.file(report)

    def read(self, path: Path) -> bytes:
        """An input's bytes (no link out of the project, at most max-file-size); OSError."""
        from corpuskit.io import read_input

        return read_input(path, root=self.root, limit=self.limit)

    def claim(self, target: Path) -> bool:
        """Whether ``target`` is still free in this run (two inputs never share an output)."""
        key = target.resolve()
        if key in self._targets:
            return False
        self._targets.add(key)
        return True

    def write(self, target: Path, text: str) -> str | None:
        """Write one file atomically; the reason when it could not be written (never raises)."""
        from corpuskit.io import make_folder, write_atomic

        resolved = target.resolve()
        if resolved.exists() and any(resolved == s or s in resolved.parents for s in self.sources):
            return f"not written: {target} is one of the input files (choose another -o folder)"
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"not written: {target} would hold U+{ord(exc.object[exc.start]):04X}, which UTF-8 cannot encode"
        try:
            make_folder(target.parent, root=self.root)
            write_atomic(target, data, root=self.root)
        except OSError as exc:
            return f"not written: {target}: {os_reason(exc)}"
        self.written.append(target)
        return None

    def finish(self, verb: str, output: Path) -> None:
        errors = f"{self.errors} error{'s' if self.errors != 1 else ''}"
        warnings = f"{self.warnings} warning{'s' if self.warnings != 1 else ''}"
        line = f"{verb} {len(self.written)} file{'s' if len(self.written) != 1 else ''} into {output}: {errors}, {warnings}."
        if self.closing == "document":
            self.reporter.finish(self.summary)  # the report is one document, written at the end
        # The run's line stands in for a reporter's summary line; beside any other report it
        # goes to standard error, so that standard output holds the report alone.
        typer.echo(line, err=self.closing != "summary")
        raise typer.Exit(EXIT_ERRORS if self.errors else EXIT_OK)


def _diagnostic(finding: Finding, path: str, line: int = 1, column: int = 1) -> Diagnostic:
    from corpuskit.diagnostics import Diagnostic

    return Diagnostic(
        path=path,
        line=line,
        column=column,
        code=finding.rule.code,
        name=finding.rule.name,
        severity=finding.rule.severity,
        message=finding.message,
        hint=finding.hint,
    )


def _problem(rule_name: str, message: str, path: str) -> Diagnostic:
    from corpuskit.diagnostics import Finding
    from corpuskit.rules import interop as I
    from corpuskit.rules import parse as P

    rule = {
        "unreadable": I.INPUT_UNREADABLE,
        "collision": I.OUTPUT_COLLISION,
        "unwritable": I.OUTPUT_UNWRITABLE,
    }.get(rule_name, P.INTERNAL_ERROR)
    return _diagnostic(Finding(rule, message), path)


def _walk(path: Path, suffixes: tuple[str, ...]) -> Iterator[tuple[Path, Path]]:
    """(file, its folder relative to the output) under ``path``, hidden ones skipped."""
    if not path.is_dir():
        yield path, Path()
        return
    found = []
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [
            Path(folder, f) for f in files if not f.startswith(".") and f.lower().endswith(suffixes)
        ]
    for f in sorted(found):
        yield f, f.parent.relative_to(path)


# --------------------------------------------------------------------------- import


def import_command(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=f"{choice_list(importers())}.")],
    sources: Annotated[
        list[Path],
        typer.Argument(
            metavar="SRC...",
            help="Files or folders: "
            + "; ".join(f"{FORMATS[name].reads} for {name}" for name in importers())
            + ".",
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write documents to.")],
    offset_unit: Annotated[
        str | None, typer.Option("--offset-unit", help=_UNIT_HELP + " Default: codepoint.")
    ] = None,
    to: Annotated[
        str,
        typer.Option("--to", help=f"Write documents as {choice_list(_DOCUMENT_FORMATS)}."),
    ] = _DOCUMENT_FORMATS[0],
    scheme: Annotated[
        Path | None,
        typer.Option(
            help="Validate against this scheme (default: the one the input declares, when its "
            "format has one, else the configured one)."
        ),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help=_REPORT_HELP)] = "text",
    color: Annotated[bool | None, typer.Option("--color/--no-color", help="Colour output.")] = None,
) -> None:
    """Import files of another format (see FORMAT) as corpuskit documents, validated before writing."""
    from corpuskit.diagnostics import CorpuskitError
    from corpuskit.scheme import load_scheme

    chosen_format = _check_choices(fmt, offset_unit, output_format, export=False)
    if to not in _DOCUMENT_FORMATS:
        raise _fail(f"unknown document format {to!r} (choose {choice_list(_DOCUMENT_FORMATS)})")
    root, limit = _project()
    _output_folder(output, root)
    try:
        chosen = load_scheme(scheme) if scheme is not None else None
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    run = _Run(output_format, color, root, limit)
    run.sources = [s.resolve() for s in sources]
    importer = _Importer(run, chosen_format, output, offset_unit, to, chosen)
    for source in sources:
        importer.source(source)
    run.finish("Imported", output)


class _Importer:
    """Reads inputs of one format, validates each document and writes the good ones."""

    def __init__(
        self,
        run: _Run,
        fmt: InteropFormat,
        output: Path,
        unit: str | None,
        to: str,
        scheme: Scheme | None,
    ) -> None:
        from corpuskit.config import SchemeFinder

        self.run, self.fmt, self.output, self.to = run, fmt, output, to
        self.scheme = scheme
        self.finder = SchemeFinder()
        self.options = ImportOptions(
            output=output,
            root=run.root,
            limit=run.limit,
            unit=unit,
            scheme_for=self.folder_scheme,
        )

    def source(self, source: Path) -> None:
        if not source.exists():
            self.run.report(
                str(source), [_problem("unreadable", f"{source} does not exist", str(source))]
            )
            return
        found = list(_walk(source, self.fmt.suffixes))
        if self.fmt.one_per_name:
            # One document per name: the file that sorts last stands for it (brat: the .txt,
            # or an .ann whose .txt is missing, which the reader reports).
            names = {path.with_suffix(""): (path, rel) for path, rel in found}
            found = sorted(names.values())
        for path, rel in found:
            try:
                for item in self.fmt.read(InputSource(path, rel, source), self.options):
                    if isinstance(item, Converted):
                        self.converted(item)
                    else:
                        self.finish(item, rel)
            except typer.Exit:
                raise  # a usage error found on the way (an unusable configured scheme)
            except Exception as exc:  # a bug must not stop the run or print a traceback
                self.run.report(
                    str(path),
                    [
                        _problem(
                            "internal",
                            f"corpuskit failed on this file ({type(exc).__name__}: {exc}); this is a bug",
                            str(path),
                        )
                    ],
                )

    def configured(self, target: Path) -> Scheme | None:
        """The scheme configured for a document written to ``target`` (as validate finds it)."""
        from corpuskit.diagnostics import CorpuskitError

        try:
            return self.finder.for_document(target)
        except CorpuskitError as exc:
            raise _fail(str(exc)) from None

    def folder_scheme(self, folder: Path) -> Scheme | None:
        """--scheme, else the scheme configured for documents written to ``DIR/folder``."""
        return self.scheme or self.configured(self.output / folder / "document.json")

    def scheme_for(self, imported: Imported, target: Path) -> Scheme | None:
        """--scheme, else the one the input declares (brat's annotation.conf), else the
        one configured for DIR."""
        return (
            self.scheme
            or self.options.declared_schemes.get(imported.source)
            or self.configured(target)
        )

    def converted(self, converted: Converted) -> None:
        """Report an input that is not a document and write what it was converted to."""
        from corpuskit.interop.common import Imported, ImportStamper

        stamper = ImportStamper(Imported("", converted.source, None))
        diagnostics = [stamper.finding(f) for f in converted.findings]
        if converted.target is not None:
            target = self.output / converted.target
            if not self.run.claim(target):
                diagnostics.append(
                    _problem(
                        "collision",
                        f"{target} is written from another {Path(converted.source).name} already",
                        converted.source,
                    )
                )
            else:
                problem = self.run.write(target, converted.text)
                if problem:
                    diagnostics.append(_problem("unwritable", problem, converted.source))
        self.run.report(converted.source, diagnostics)

    def finish(self, imported: Imported, rel: Path) -> None:
        """Validate one imported document; write it when it has no errors; report."""
        from corpuskit.diagnostics import Severity
        from corpuskit.interop.common import ImportStamper, validate_imported

        stamper = ImportStamper(imported)
        diagnostics = [stamper.finding(f) for f in imported.findings]
        target = self.output / rel / f"{imported.name}.{self.to}"
        if imported.document is not None:
            unsafe = _unwritable(imported.document, self.to == "xml")
            # A document its output format cannot carry is still checked, in its JSON form (an
            # XML writer would refuse it), and is not written.
            checked_as = "json" if unsafe else self.to
            text, report = validate_imported(
                imported, checked_as, self.scheme_for(imported, target)
            )
            if report is not None:
                diagnostics += [stamper.validation(d) for d in report.diagnostics]
            if unsafe:
                text = None
                # O007 names such characters as validate does; what it did not name is named here.
                named = (
                    {d.pointer for d in report.diagnostics if d.code == "O007"} if report else set()
                )
                diagnostics += [stamper.finding(f) for f in unsafe if f.pointer not in named]
            if text is not None and not any(d.severity is Severity.ERROR for d in diagnostics):
                if not self.run.claim(target):
                    diagnostics.append(
                        _problem(
                            "collision",
                            f"{target} was written from another input already; not written",
                            imported.source,
                        )
                    )
                else:
                    problem = self.run.write(target, text)
                    if problem:
                        diagnostics.append(_problem("unwritable", problem, imported.source))
        self.run.report(imported.source, diagnostics)


def _unwritable(document: Document, xml: bool) -> list[Finding]:
    """I013 for each string (the text included) that the output format cannot carry."""
    from corpuskit.interop.common import unwritable_characters

    return unwritable_characters(document, xml)


# --------------------------------------------------------------------------- export


def export_command(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=f"{choice_list(exporters())}.")],
    sources: Annotated[
        list[Path],
        typer.Argument(
            metavar="SRC...",
            help=f"corpuskit documents ({', '.join(_DOCUMENT_SUFFIXES)}) or folders.",
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write to.")],
    offset_unit: Annotated[
        str | None, typer.Option("--offset-unit", help=_UNIT_HELP + " Default: codepoint.")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help=_REPORT_HELP)] = "text",
    color: Annotated[bool | None, typer.Option("--color/--no-color", help="Colour output.")] = None,
) -> None:
    """Export corpuskit documents to another format (see FORMAT); every loss is reported."""
    chosen_format = _check_choices(fmt, offset_unit, output_format, export=True)
    root, limit = _project()
    _output_folder(output, root)
    run = _Run(output_format, color, root, limit)
    run.sources = [s.resolve() for s in sources]
    options = ExportOptions(offset_unit or "codepoint")
    for source in sources:
        if not source.exists():
            run.report(
                str(source), [_problem("unreadable", f"{source} does not exist", str(source))]
            )
            continue
        for path, rel in _walk(source, _DOCUMENT_SUFFIXES):
            if source.is_dir() and _twin_of_a_preferred(path):
                continue  # the XML twin of a JSON document holds the same: export it once
            try:
                _export_one(run, chosen_format, options, path, output / rel)
            except typer.Exit:
                raise  # a usage error found on the way (an unusable configured scheme)
            except Exception as exc:  # a bug must not stop the run or print a traceback
                run.report(
                    str(path),
                    [
                        _problem(
                            "internal",
                            f"corpuskit failed on this file ({type(exc).__name__}: {exc}); this is a bug",
                            str(path),
                        )
                    ],
                )
    run.finish("Exported", output)


def _twin_of_a_preferred(path: Path) -> bool:
    """Whether the same document lies beside ``path`` in a format listed before its own."""
    rank = _DOCUMENT_SUFFIXES.index(path.suffix.lower())
    return any(path.with_suffix(s).exists() for s in _DOCUMENT_SUFFIXES[:rank])


def _export_one(
    run: _Run, fmt: InteropFormat, options: ExportOptions, path: Path, folder: Path
) -> None:
    from corpuskit.diagnostics import DocumentError
    from corpuskit.engine import check_bytes
    from corpuskit.formats import format_module, format_of
    from corpuskit.interop.common import export_diagnostics

    kind = format_of(path)
    if kind is None:
        expected = choice_list(_DOCUMENT_SUFFIXES)
        run.report(
            str(path), [_problem("unreadable", f"not a {expected} corpuskit document", str(path))]
        )
        return
    try:
        data = run.read(path)
    except OSError as exc:
        run.report(str(path), [_problem("unreadable", f"cannot read: {os_reason(exc)}", str(path))])
        return
    try:
        document = format_module(kind).loads(data)
    except DocumentError:
        run.report(str(path), list(check_bytes(data, str(path)).diagnostics))
        return
    unsafe = _unwritable(document, fmt.xml_output)
    if unsafe:
        run.report(str(path), export_diagnostics(unsafe, str(path), data, kind))
        return
    try:
        exported = fmt.write(document, options)
    except ValueError as exc:  # lxml refuses characters XML cannot carry (checked above)
        run.report(str(path), [_problem("unwritable", f"cannot be exported: {exc}", str(path))])
        return
    diagnostics = export_diagnostics(exported.findings, str(path), data, kind)
    for suffix, text in exported.files.items():
        target = folder / f"{path.stem}{suffix}"
        if not run.claim(target):
            diagnostics.append(
                _problem(
                    "collision",
                    f"{target} was written from another input already; not written",
                    str(path),
                )
            )
            continue
        problem = run.write(target, text)
        if problem:
            diagnostics.append(_problem("unwritable", problem, str(path)))
    run.report(str(path), diagnostics)
