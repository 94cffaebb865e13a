"""``corpuskit import`` and ``corpuskit export``: brat, BioC and W3C Web Annotation.

``register(app)`` adds both commands to the corpuskit Typer app. Options become a plan; the
library (``corpuskit.interop.*``) converts; this module reads and writes files and prints.
Imports stay inside the functions: the CLI starts without loading lxml or the converters.
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from corpuskit.diagnostics import Diagnostic, Finding
    from corpuskit.interop.bratconf import BratConf
    from corpuskit.interop.common import Imported
    from corpuskit.model import Document
    from corpuskit.scheme import Scheme

FORMATS = ("brat", "bioc-xml", "bioc-json", "webanno")
#: Report formats for the diagnostics (json: one document at the end, as validate writes it).
OUTPUT_FORMATS = ("text", "concise", "json")
EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
_UNIT_HELP = "Offsets outside counted in utf8 (bytes), utf16 (code units) or codepoint."


def register(app: typer.Typer) -> None:
    """Add the ``import`` and ``export`` commands to ``app``."""
    app.command("import")(import_command)
    app.command("export")(export_command)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"corpuskit: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _check_choices(fmt: str, unit: str | None, output_format: str) -> None:
    from corpuskit.interop.units import UNITS

    if fmt not in FORMATS:
        raise _fail(f"unknown format {fmt!r} (choose {', '.join(FORMATS)})")
    if unit is not None and unit not in UNITS:
        raise _fail(f"unknown offset unit {unit!r} (choose {', '.join(UNITS)})")
    if output_format not in OUTPUT_FORMATS:
        raise _fail(f"unknown output format {output_format!r} (choose {', '.join(OUTPUT_FORMATS)})")


def _project() -> tuple[Path, int]:
    """The project root (the configuration's folder, else the working folder) and max-file-size."""
    from corpuskit.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    return config.root, config.max_file_size


def _reason(exc: OSError) -> str:
    """Why a file could not be read or written, in words fit for a diagnostic."""
    from corpuskit.io import RefusedPath

    if isinstance(exc, RefusedPath):
        return exc.reason
    return exc.strerror or str(exc)


def _output_folder(output: Path, root: Path) -> None:
    from corpuskit.io import make_folder

    if output.exists() and not output.is_dir():
        raise _fail(f"{output} exists and is not a folder")
    try:
        make_folder(output, root=root)
    except OSError as exc:
        raise _fail(f"cannot use {output} as the output folder: {_reason(exc)}") from None


class _Run:
    """Reports one conversion run: diagnostics per input, what was written, the exit code."""

    def __init__(self, output_format: str, color: bool | None, root: Path, limit: int) -> None:
        from corpuskit.reporters import ReportContext, Summary, reporter_class

        self.output_format = output_format
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
            return f"not written: {target}: {_reason(exc)}"
        self.written.append(target)
        return None

    def finish(self, verb: str, output: Path) -> None:
        errors = f"{self.errors} error{'s' if self.errors != 1 else ''}"
        warnings = f"{self.warnings} warning{'s' if self.warnings != 1 else ''}"
        line = f"{verb} {len(self.written)} file{'s' if len(self.written) != 1 else ''} into {output}: {errors}, {warnings}."
        if self.output_format == "json":
            self.reporter.finish(self.summary)  # the report is one document, written at the end
        typer.echo(line, err=self.output_format != "text")
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


def _display(path: Path) -> str:
    """``path`` relative to the working folder when it lies inside it (as it is shown)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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
    fmt: Annotated[
        str, typer.Argument(metavar="FORMAT", help="brat, bioc-xml, bioc-json or webanno.")
    ],
    sources: Annotated[
        list[Path],
        typer.Argument(
            metavar="SRC...",
            help="Files or folders: brat .txt/.ann (annotation.conf found upward), BioC "
            "collections, Web Annotations (.jsonld, with the .txt beside them).",
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write documents to.")],
    offset_unit: Annotated[
        str | None, typer.Option("--offset-unit", help=_UNIT_HELP + " Default: codepoint.")
    ] = None,
    to: Annotated[str, typer.Option("--to", help="Write documents as json or xml.")] = "json",
    scheme: Annotated[
        Path | None,
        typer.Option(
            help="Validate against this scheme (default: brat's converted one, or the configured one)."
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="Diagnostics as text, concise or json.")
    ] = "text",
    color: Annotated[bool | None, typer.Option("--color/--no-color", help="Colour output.")] = None,
) -> None:
    """Import brat, BioC or Web Annotation files as corpuskit documents, validated before writing."""
    from corpuskit.diagnostics import CorpuskitError
    from corpuskit.scheme import load_scheme

    _check_choices(fmt, offset_unit, output_format)
    if to not in ("json", "xml"):
        raise _fail(f"unknown document format {to!r} (choose json or xml)")
    root, limit = _project()
    _output_folder(output, root)
    try:
        chosen = load_scheme(scheme) if scheme is not None else None
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    run = _Run(output_format, color, root, limit)
    run.sources = [s.resolve() for s in sources]
    importer = _Importer(run, fmt, output, offset_unit, to, chosen)
    for source in sources:
        importer.source(source)
    run.finish("Imported", output)


class _Importer:
    """Reads inputs of one format, validates each document and writes the good ones."""

    def __init__(
        self,
        run: _Run,
        fmt: str,
        output: Path,
        unit: str | None,
        to: str,
        scheme: Scheme | None,
    ) -> None:
        from corpuskit.config import SchemeFinder

        self.run, self.fmt, self.output, self.unit, self.to = run, fmt, output, unit, to
        self.scheme = scheme
        self.finder = SchemeFinder()
        #: annotation.conf path -> (converted conf, scheme), converted once per run.
        self.confs: dict[Path, tuple[BratConf | None, Scheme | None]] = {}
        #: brat .ann path -> the scheme converted from its annotation.conf.
        self.brat_schemes: dict[str, Scheme] = {}

    def source(self, source: Path) -> None:
        if not source.exists():
            self.run.report(
                str(source), [_problem("unreadable", f"{source} does not exist", str(source))]
            )
            return
        suffixes = {
            "brat": (".txt", ".ann"),
            "bioc-xml": (".xml",),
            "bioc-json": (".json",),
            "webanno": (".jsonld",),
        }
        found = list(_walk(source, suffixes[self.fmt]))
        if self.fmt == "brat":
            # One brat document per name: its .txt, or an .ann whose .txt is missing (reported).
            stems = {path.with_suffix(""): (path, rel) for path, rel in found}  # .txt sorts last
            found = sorted(stems.values())
        for path, rel in found:
            try:
                for imported in self.read(path, rel, source):
                    self.finish(imported, rel)
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

    def read(self, path: Path, rel: Path, root: Path) -> list[Imported]:
        from corpuskit.interop.common import Imported
        from corpuskit.rules import interop as I

        if self.fmt == "brat":
            return [self.read_brat(path, root)]
        if self.fmt == "webanno":
            return [self.read_webanno(path)]
        from corpuskit.interop.bioc import read_bioc

        try:
            data = self.run.read(path)
        except OSError as exc:
            from corpuskit.diagnostics import Finding

            return [
                Imported(
                    path.stem,
                    str(path),
                    None,
                    [Finding(I.INPUT_UNREADABLE, f"cannot read: {_reason(exc)}", position=(1, 1))],
                )
            ]
        # The scheme types infon values ("true" -> true where it declares a boolean).
        scheme = self.scheme or self.configured(self.output / rel / "document.json")
        return read_bioc(
            data, str(path), "xml" if self.fmt == "bioc-xml" else "json", self.unit, scheme
        )

    def read_brat(self, path: Path, root: Path) -> Imported:
        from corpuskit.interop.brat import read_brat

        txt = path.with_suffix(".txt")
        conf, scheme = self.brat_conf(txt.parent, root)
        imported = read_brat(
            txt,
            path.with_suffix(".ann"),
            conf,
            self.unit or "codepoint",
            root=self.run.root,
            limit=self.run.limit,
        )
        if scheme is not None:
            self.brat_schemes[imported.source] = scheme
        return imported

    def brat_conf(self, folder: Path, root: Path) -> tuple[BratConf | None, Scheme | None]:
        """The nearest annotation.conf, converted (and written to the output) once."""
        from corpuskit.diagnostics import CorpuskitError, Finding
        from corpuskit.interop.bratconf import CONF_NAME, TOOLS_NAME, convert_conf, find_upward
        from corpuskit.interop.common import Imported, ImportStamper, scheme_from_text
        from corpuskit.rules import interop as I

        conf_path = find_upward(folder, CONF_NAME)
        if conf_path is None:
            return None, None
        if conf_path in self.confs:
            return self.confs[conf_path]
        tools_path = find_upward(conf_path.parent, TOOLS_NAME)
        try:
            conf_text = self.run.read(conf_path).decode("utf-8")
            tools_text = self.run.read(tools_path).decode("utf-8") if tools_path else None
        except (OSError, UnicodeDecodeError) as exc:
            reason = _reason(exc) if isinstance(exc, OSError) else str(exc)
            self.run.report(
                _display(conf_path),
                [_problem("unreadable", f"cannot read: {reason}", _display(conf_path))],
            )
            self.confs[conf_path] = (None, None)
            return None, None
        name = conf_path.parent.name or "brat"
        shown = _display(conf_path)
        toml_text, conf, findings = convert_conf(
            conf_text, shown, tools_text, _display(tools_path) if tools_path else None, name
        )
        try:
            rel = conf_path.parent.resolve().relative_to(
                root.resolve() if root.is_dir() else root.resolve().parent
            )
        except ValueError:
            rel = Path()
        target = self.output / rel / "scheme.toml"
        diagnostics = [
            ImportStamper(Imported("", _display(conf_path), None)).finding(f) for f in findings
        ]
        scheme: Scheme | None = None
        try:
            scheme = scheme_from_text(toml_text, str(target))
        except CorpuskitError as exc:
            diagnostics.append(
                _diagnostic(
                    Finding(I.CONF_NOT_CONVERTED, f"the converted scheme is unusable: {exc}"),
                    _display(conf_path),
                )
            )
        if scheme is not None:
            if not self.run.claim(target):
                diagnostics.append(
                    _problem(
                        "collision",
                        f"{target} is written from another annotation.conf already",
                        _display(conf_path),
                    )
                )
            else:
                problem = self.run.write(target, toml_text)
                if problem:
                    diagnostics.append(_problem("unwritable", problem, _display(conf_path)))
        self.run.report(_display(conf_path), diagnostics)
        self.confs[conf_path] = (conf, scheme)
        return conf, scheme

    def read_webanno(self, path: Path) -> Imported:
        from corpuskit.diagnostics import Finding
        from corpuskit.interop.common import Imported
        from corpuskit.interop.webanno import read_webanno
        from corpuskit.rules import interop as I

        text_path = path.with_suffix(".txt")
        current = path
        try:
            data = self.run.read(path)
            current = text_path
            text = self.run.read(text_path).decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = _reason(exc) if isinstance(exc, OSError) else str(exc)
            message = f"{current}: cannot read: {reason}"
            return Imported(
                path.stem,
                str(path),
                None,
                [
                    Finding(
                        I.INPUT_UNREADABLE,
                        message,
                        position=(1, 1),
                        hint="Web Annotations are read with the text they annotate, in a .txt beside them",
                    )
                ],
            )
        return read_webanno(data, text, str(path), str(text_path), self.unit, path.stem)

    def configured(self, target: Path) -> Scheme | None:
        """The scheme configured for a document written to ``target`` (as validate finds it)."""
        from corpuskit.diagnostics import CorpuskitError

        try:
            return self.finder.for_document(target)
        except CorpuskitError as exc:
            raise _fail(str(exc)) from None

    def scheme_for(self, imported: Imported, target: Path) -> Scheme | None:
        """--scheme, else brat's converted annotation.conf, else the one configured for DIR."""
        return self.scheme or self.brat_schemes.get(imported.source) or self.configured(target)

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
    fmt: Annotated[
        str, typer.Argument(metavar="FORMAT", help="brat, bioc-xml, bioc-json or webanno.")
    ],
    sources: Annotated[
        list[Path],
        typer.Argument(metavar="SRC...", help="corpuskit documents (.json, .xml) or folders."),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write to.")],
    offset_unit: Annotated[
        str | None, typer.Option("--offset-unit", help=_UNIT_HELP + " Default: codepoint.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="Diagnostics as text, concise or json.")
    ] = "text",
    color: Annotated[bool | None, typer.Option("--color/--no-color", help="Colour output.")] = None,
) -> None:
    """Export corpuskit documents as brat, BioC or Web Annotation; every loss is reported."""
    _check_choices(fmt, offset_unit, output_format)
    root, limit = _project()
    _output_folder(output, root)
    run = _Run(output_format, color, root, limit)
    run.sources = [s.resolve() for s in sources]
    writer = _writer(fmt)
    for source in sources:
        if not source.exists():
            run.report(
                str(source), [_problem("unreadable", f"{source} does not exist", str(source))]
            )
            continue
        for path, rel in _walk(source, (".json", ".xml")):
            if (
                path.suffix.lower() == ".xml"
                and path.with_suffix(".json").exists()
                and source.is_dir()
            ):
                continue  # the XML twin of a JSON document holds the same: export it once
            try:
                _export_one(
                    run,
                    writer,
                    path,
                    output / rel,
                    offset_unit or "codepoint",
                    xml=fmt == "bioc-xml",  # the one XML output: every string goes into it
                )
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


def _writer(fmt: str) -> Callable[..., object]:
    from corpuskit.interop import bioc, brat, webanno

    return {
        "brat": brat.write_brat,
        "bioc-xml": bioc.write_bioc_xml,
        "bioc-json": bioc.write_bioc_json,
        "webanno": webanno.write_webanno,
    }[fmt]


def _export_one(
    run: _Run, writer: Callable[..., object], path: Path, folder: Path, unit: str, *, xml: bool
) -> None:
    from corpuskit.diagnostics import DocumentError
    from corpuskit.engine import check_bytes
    from corpuskit.formats import format_module, format_of
    from corpuskit.interop.common import Exported, export_diagnostics

    fmt = format_of(path)
    if fmt is None:
        run.report(
            str(path), [_problem("unreadable", "not a .json or .xml corpuskit document", str(path))]
        )
        return
    try:
        data = run.read(path)
    except OSError as exc:
        run.report(str(path), [_problem("unreadable", f"cannot read: {_reason(exc)}", str(path))])
        return
    try:
        document = format_module(fmt).loads(data)
    except DocumentError:
        run.report(str(path), list(check_bytes(data, str(path)).diagnostics))
        return
    unsafe = _unwritable(document, xml)
    if unsafe:
        run.report(str(path), export_diagnostics(unsafe, str(path), data, fmt))
        return
    try:
        exported = writer(document, unit)
    except ValueError as exc:  # lxml refuses characters XML cannot carry (checked above)
        run.report(str(path), [_problem("unwritable", f"cannot be exported: {exc}", str(path))])
        return
    assert isinstance(exported, Exported)
    diagnostics = export_diagnostics(exported.findings, str(path), data, fmt)
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
