"""The command line: turns options into settings and calls the library. Nothing else lives here."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corpuskit.cli_validate import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    _from_here,
    _read_capped,
    error_line,
    settings_for,
)
from corpuskit.cli_validate import say as _say
from corpuskit.cli_validate import use_color as _use_color
from corpuskit.diagnostics import CorpuskitError, DocumentError, Rule
from corpuskit.reporters import choices_help
from corpuskit.rules import RULES, find_rule

if TYPE_CHECKING:
    pass

_app = typer.Typer(
    name="corpuskit",
    help="Keep a standoff-annotated news corpus in git: validate and convert documents.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _fail(message: str) -> typer.Exit:
    error_line(message)
    return typer.Exit(EXIT_USAGE)


@_app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders (searched for *.json and *.xml); - reads standard input. "
            "Default: the configured corpus."
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            envvar="CORPUSKIT_OUTPUT_FORMAT",
            show_envvar=True,
            help=f"{choices_help()}. Default: CORPUSKIT_OUTPUT_FORMAT, the configured one, or auto.",
        ),
    ] = None,
    output_file: Annotated[
        Path | None,
        typer.Option(
            help="Write the report here; the summary line still goes to the terminal. With "
            "auto inside GitHub Actions the file gets the text report and the annotations "
            "go to standard output."
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(help="Only these rule codes, families or names (e.g. O,R001)."),
    ] = None,
    extend_select: Annotated[
        list[str] | None,
        typer.Option(
            help="These rule codes, families or names in addition to the selected ones "
            "(e.g. an off-by-default rule)."
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Never these rule codes, families or names.")
    ] = None,
    strict: Annotated[
        bool | None,
        typer.Option("--strict/--no-strict", help="Warnings fail the run too (exit 1)."),
    ] = None,
    exit_zero: Annotated[
        bool,
        typer.Option(
            "--exit-zero", help="Exit 0 even when problems are found (2 for unusable input stays)."
        ),
    ] = False,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty",
            help="A run that finds no document passes (exit 0; without it, exit 2: paths, "
            "include or exclude that match nothing must not pass a check).",
        ),
    ] = False,
    statistics: Annotated[
        bool,
        typer.Option(
            "--statistics",
            help="Print how many problems of each code were found instead of the problems "
            "(a table, or JSON with --format json).",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print the problems and nothing else (no summary, no notes)."
        ),
    ] = False,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color", help="Colour (default: on a terminal, unless NO_COLOR)."
        ),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Use this configuration file (corpuskit.toml, or a pyproject.toml) and no other.",
        ),
    ] = None,
    isolated: Annotated[
        bool,
        typer.Option("--isolated", help="Ignore every configuration file: built-in defaults."),
    ] = False,
    scheme: Annotated[
        Path | None,
        typer.Option(
            help="Annotation scheme (TOML) to enforce. Default: the configured one, if any."
        ),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Processes (default: all cores).")
    ] = None,
    executor: Annotated[
        str,
        typer.Option(
            metavar="[local|dask]",
            help="Where the checks run: this machine (--jobs processes), or an existing Dask "
            "cluster (--scheduler; needs the dask extra). Files are read here either way.",
        ),
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS", help="With --executor dask: the scheduler, tcp://host:8786."
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="CORPUSKIT_CACHE_DIR",
            show_envvar=True,
            help="Cache results here (inside the project or ~/.cache/corpuskit, outside the "
            "checked folders unless hidden). Default: the configured cache-dir.",
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            help="Check only files that differ from this git ref (all when the scheme or "
            "configuration changed)."
        ),
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="Report only problems this baseline file does not record.")
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option(help="Record the current problems in this baseline file; exit 0.")
    ] = None,
    stdin_filename: Annotated[
        str | None,
        typer.Option(help="With -: the name to report and to pick format and configuration by."),
    ] = None,
    show_files: Annotated[
        bool, typer.Option("--show-files", help="List the files that would be checked; exit 0.")
    ] = False,
    show_settings: Annotated[
        bool,
        typer.Option(
            "--show-settings", help="Print the configuration and settings in force; exit 0."
        ),
    ] = False,
) -> None:
    """Check documents: schema, offsets, references, scheme. Exit 0 clean, 1 errors, 2 unusable input."""
    from corpuskit.cli_validate import ValidateArgs
    from corpuskit.cli_validate import validate as run_validate

    args = ValidateArgs(
        paths=paths,
        output_format=output_format,
        output_file=output_file,
        select=select,
        extend_select=extend_select,
        ignore=ignore,
        strict=strict,
        exit_zero=exit_zero,
        allow_empty=allow_empty,
        statistics=statistics,
        quiet=quiet,
        color=color,
        config_file=config_file,
        isolated=isolated,
        scheme=scheme,
        jobs=jobs,
        executor=executor,
        scheduler=scheduler,
        no_cache=no_cache,
        cache_dir=cache_dir,
        changed_since=changed_since,
        baseline=baseline,
        write_baseline=write_baseline,
        stdin_filename=stdin_filename,
        show_files=show_files,
        show_settings=show_settings,
    )
    raise typer.Exit(run_validate(args))


@_app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="A .json or .xml document.")],
    to: Annotated[str, typer.Option("--to", help="Target format: json or xml.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (default: standard output).")
    ] = None,
) -> None:
    """Convert a document between JSON and XML without loss (canonical layout)."""
    from corpuskit.formats import FORMAT_BY_SUFFIX, format_module, format_of
    from corpuskit.io import read_input, write_atomic

    if to not in FORMAT_BY_SUFFIX.values():
        raise _fail(f"unknown target format {to!r} (choose json or xml)")
    fmt = format_of(source)
    if fmt is None:
        raise _fail(f"{source}: not a .json or .xml file")
    try:
        # Not a plain read: a link to /proc/self/environ would be echoed in the error excerpt.
        data = read_input(source)
    except OSError as exc:
        raise _fail(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        document = format_module(fmt).loads(data)
    except DocumentError as exc:
        from corpuskit.engine import check_bytes
        from corpuskit.reporters import ReportContext, Summary
        from corpuskit.reporters.text import TextReporter

        report = check_bytes(data, str(source))
        reporter = TextReporter(sys.stderr, ReportContext(color=_use_color(sys.stderr, None)))
        reporter.file(report)
        summary = Summary()
        summary.add(report)
        reporter.finish(summary)
        _say(f"corpuskit: {source} is not a valid document ({exc}); nothing written", err=True)
        raise typer.Exit(EXIT_ERRORS) from None
    try:
        text = format_module(to).dumps(document)
    except ValueError as exc:
        _say(f"corpuskit: {source} cannot be converted: {exc}; nothing written", err=True)
        raise typer.Exit(EXIT_ERRORS) from None
    # Check the twin as validate will (a text node over the XML parser's limit, a value one
    # schema accepts and the other refuses): errors the source does not have refuse it.
    from corpuskit.diagnostics import Severity
    from corpuskit.engine import check_bytes

    same_format = output is not None and format_of(output) == to
    twin = str(output) if same_format else str(source.with_suffix(f".{to}"))
    known = {
        (d.code, d.annotation_id, d.message) for d in check_bytes(data, str(source)).diagnostics
    }
    new = [
        d
        for d in check_bytes(text.encode("utf-8"), twin).diagnostics
        if d.severity is Severity.ERROR and (d.code, d.annotation_id, d.message) not in known
    ]
    if new:
        for d in new:
            _say(f"{twin}:{d.line}:{d.column}: {d.code} {d.message}", err=True)
        _say(
            f"corpuskit: {source} cannot be converted: the {to.upper()} would not validate; "
            "nothing written",
            err=True,
        )
        raise typer.Exit(EXIT_ERRORS) from None
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_atomic(output, text)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None


@_app.command()
def fix(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders. Default: the configured corpus."),
    ] = None,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Print a unified diff for people; write nothing (control and bidi characters "
            "are shown escaped; in CI, rely on the exit code).",
        ),
    ] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option("--unsafe-fixes", help="Also apply fixes that need a person's judgement."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be fixed; write nothing.")
    ] = False,
    scheme: Annotated[Path | None, typer.Option(help="Annotation scheme (TOML).")] = None,
    color: Annotated[bool | None, typer.Option("--color/--no-color")] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Processes (default: all cores)."),
    ] = None,
) -> None:
    """Repair what is provably safe; report the rest with its candidates.

    Safe: offsets for fragments written by their text (with prefix/suffix) that occur once, ids
    for annotations without one, offsets in another unit or shifted when one explanation fits
    every span, covered text, NFC, the hash, the layout. Exit 0: no errors remain; 1: errors
    remain, a file was not written, or (--diff/--dry-run) something would change; 2: unusable
    input or configuration.
    """
    from corpuskit.config import load_config
    from corpuskit.reporters import ReportContext, Summary
    from corpuskit.reporters.text import TextReporter
    from corpuskit.runner import FixRequest, RunOptions, default_jobs
    from corpuskit.runner import fix as fix_run
    from corpuskit.scheme import load_scheme

    try:
        config = load_config()
        chosen = load_scheme(scheme) if scheme is not None else None
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    try:
        settings = settings_for(config, None, None, chosen)
    except UsageError as exc:
        raise _fail(str(exc)) from None
    try:
        targets = list(paths) if paths else [_from_here(p) for p in config.resolved_paths()]
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    reporter = TextReporter(
        sys.stdout, ReportContext(root=config.root, color=_use_color(sys.stdout, color))
    )
    summary = Summary()
    fixed_total = 0
    refused = 0
    pending = 0
    write = not (diff or dry_run)
    try:
        options = RunOptions(
            paths=tuple(targets),
            settings=settings,
            config=config,
            jobs=jobs or default_jobs(),
        )
        # The same files and schemes as validate (the runner's discovery), in parallel.
        for outcome in fix_run(options, FixRequest(unsafe=unsafe_fixes, write=write)):
            fixed_total += outcome.fixed
            pending += outcome.fixed_text is not None and not outcome.written
            if diff:
                shown, exact = outcome.shown_diff()
                sys.stdout.write(shown)
                if not exact:
                    _say(
                        f"corpuskit: note: {outcome.path}: the diff shows control, bidi or "
                        "line-separator characters escaped, so it does not apply as a patch; "
                        "run corpuskit fix to apply the fixes",
                        err=True,
                    )
            elif outcome.fixed:
                verb = "fixed" if outcome.written else "would fix"
                _say(
                    f"{outcome.path}: {verb} {outcome.fixed} problem{'s' if outcome.fixed != 1 else ''}"
                )
            if outcome.refused:
                refused += 1
                _say(f"{outcome.path}: not written: {outcome.refused}", err=True)
            summary.add(outcome.remaining)
            if not diff:
                reporter.file(outcome.remaining)
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    done = "Fixed" if write else "Would fix"
    left = f"{summary.errors} error{'s' if summary.errors != 1 else ''} and {summary.warnings} warning{'s' if summary.warnings != 1 else ''} remain"
    typer.echo(
        f"{done} {fixed_total} problem{'s' if fixed_total != 1 else ''} in {summary.files} file{'s' if summary.files != 1 else ''}; {left}.",
        err=diff,
    )
    if summary.unreadable:
        raise typer.Exit(EXIT_USAGE)
    # As with a formatter's check mode: --diff and --dry-run fail while anything would change.
    failed = summary.errors or refused or ((diff or dry_run) and pending)
    raise typer.Exit(EXIT_ERRORS if failed else EXIT_OK)


@_app.command()
def reanchor(
    document: Annotated[Path, typer.Argument(help="The document whose text was corrected.")],
    text: Annotated[
        Path | None,
        typer.Option(
            "--text",
            help="A file with the corrected article text (UTF-8). Default: the text now in "
            "DOCUMENT, when it was edited in place.",
        ),
    ] = None,
    from_ref: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="REF",
            help="Take the old text from this git version of DOCUMENT (default: HEAD's, or the "
            "newest earlier one whose text has the stored text_sha256).",
        ),
    ] = None,
    old_text: Annotated[
        Path | None,
        typer.Option("--old-text", help="A file with the old text the spans point into."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (default: rewrite DOCUMENT).")
    ] = None,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Also write the review report to this file.")
    ] = None,
) -> None:
    """Move every span onto a corrected text; spans whose own text changed are kept and listed.

    Give the corrected text with --text FILE, or edit the text inside DOCUMENT and run
    `corpuskit reanchor DOCUMENT`: the old text is then taken from git (--from REF, or the
    newest committed version whose text has the stored text_sha256) or from --old-text FILE.
    A text read from a file loses the one final newline (LF or CRLF) an editor adds, unless the
    old text ends with a newline too; the output says so when it happens. Exit 0: every span
    moved; 1: some spans are listed for review; 2: nothing was written.
    """
    from corpuskit.config import load_config
    from corpuskit.formats import format_module, format_of
    from corpuskit.io import read_input, write_atomic
    from corpuskit.reanchor import reanchor as move
    from corpuskit.reanchor import report
    from corpuskit.reanchor_plan import NothingToDo, make_plan

    fmt = format_of(document)
    if fmt is None:
        raise _fail(f"{document}: not a .json or .xml file")
    try:
        config = load_config()
        data = read_input(document, root=config.root, limit=config.max_file_size)
        doc = format_module(fmt).loads(data)
        plan = make_plan(
            doc,
            document,
            text_file=text,
            ref=from_ref,
            old_text_file=old_text,
            root=config.root,
            limit=config.max_file_size,
        )
    except OSError as exc:
        raise _fail(f"cannot read {document}: {exc.strerror or exc} (nothing written)") from None
    except DocumentError as exc:
        raise _fail(f"{document} is not a valid document ({exc}); run corpuskit validate") from None
    except NothingToDo as exc:
        _say(f"{exc}; nothing written")
        raise typer.Exit(EXIT_OK) from None
    except CorpuskitError as exc:
        raise _fail(f"{exc} (nothing written)") from None
    moved_doc, moved = move(doc, plan.new_text, plan.old_text)
    target = output or document
    out_fmt = format_of(target) or fmt
    try:
        rendered = format_module(out_fmt).dumps(moved_doc)
    except ValueError as exc:
        raise _fail(f"cannot write {target}: {exc}") from None
    if report_file is not None:  # first: if it cannot be written, the document is left alone
        try:
            write_atomic(report_file, report(moved), root=config.root)
        except OSError as exc:
            reason = exc.strerror or exc
            raise _fail(
                f"cannot write the report {report_file}: {reason} (nothing written)"
            ) from None
    try:
        write_atomic(target, rendered, root=config.root)
    except OSError as exc:
        raise _fail(f"cannot write {target}: {exc.strerror or exc}") from None
    # Where each text came from, so that no change to the published text goes unsaid.
    _say(f"old text: {plan.old_source}")
    _say(f"new text: {plan.new_source}")
    for note in plan.notes:
        _say(note)
    _say(f"wrote {target}")
    # The report is ours line by line; each line is escaped (it quotes ids and text).
    for line in report(moved).rstrip("\n").split("\n"):
        _say(line)
    raise typer.Exit(EXIT_ERRORS if moved else EXIT_OK)


@_app.command("new")
def new_document(
    text: Annotated[
        Path, typer.Argument(help="The article text: a UTF-8 file, or - for standard input.")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the document here (.json or .xml); it must not exist yet. "
            "Default: JSON on standard output.",
        ),
    ] = None,
    doc_id: Annotated[
        str | None,
        typer.Option("--id", help="Document id. Default: the text file's name without suffix."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="The article's title (required).")] = None,
    language: Annotated[
        str | None, typer.Option(help="BCP 47 language tag, e.g. en (required).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Publisher or outlet.")] = None,
    url: Annotated[str | None, typer.Option(help="The article's http(s) address.")] = None,
    published: Annotated[str | None, typer.Option(help="Publication date, YYYY-MM-DD.")] = None,
    license: Annotated[str | None, typer.Option(help="The text's license.")] = None,
    nfc: Annotated[
        bool,
        typer.Option(
            "--nfc", help="Normalise a text that is not NFC (the validator requires NFC)."
        ),
    ] = False,
) -> None:
    """Start a document: the text exactly as given, its hash, no annotations, the metadata.

    The final newline an editor adds to a file is not part of the published text: it is dropped,
    and the command says so. Exit 0: written; 2: nothing written.
    """
    from corpuskit.authoring import AuthoringError, default_id, prepare_text, render
    from corpuskit.authoring import new_document as build
    from corpuskit.formats import format_of
    from corpuskit.io import DEFAULT_LIMIT, read_input, write_atomic

    stdin = str(text) == "-"
    fmt = "json" if output is None else format_of(output)
    if fmt is None:
        raise _fail(f"{output}: the output must be a .json or .xml file (nothing written)")
    # Checked before reading, and again just before writing: new never replaces a file.
    if output is not None and os.path.lexists(output):
        raise _fail(f"{output} already exists; corpuskit new never overwrites (nothing written)")
    name = "standard input" if stdin else str(text)
    try:
        data = _read_capped(sys.stdin.buffer, DEFAULT_LIMIT) if stdin else read_input(text)
    except OSError as exc:
        raise _fail(f"cannot read {name}: {exc.strerror or exc} (nothing written)") from None
    if len(data) > DEFAULT_LIMIT:
        raise _fail(f"{name} is over the limit of {DEFAULT_LIMIT:,} bytes (nothing written)")
    given_id = doc_id if doc_id is not None else default_id(None if stdin else text, output)
    try:
        prepared = prepare_text(data, name, nfc=nfc)
        doc = build(
            prepared.text,
            doc_id=given_id,
            title=title,
            language=language,
            source=source,
            url=url,
            published=published,
            license=license,
            id_from=None if doc_id is not None else f"the name of {output if stdin else text}",
        )
        rendered = render(doc, fmt)
    except AuthoringError as exc:
        raise _fail(str(exc)) from None
    if output is None:
        sys.stdout.write(rendered)
        sys.stdout.flush()
        for note in prepared.notes:
            _say(f"corpuskit: {note}", err=True)
        return
    try:
        write_atomic(output, rendered, exclusive=True)
    except FileExistsError:
        raise _fail(
            f"{output} already exists; corpuskit new never overwrites (nothing written)"
        ) from None
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc} (nothing written)") from None
    for note in prepared.notes:
        _say(f"corpuskit: {note}", err=True)
    _say(
        f'corpuskit: wrote {output}: document "{doc.id}", {len(doc.text):,} characters, '
        "no annotations yet",
        err=True,
    )


@_app.command("text")
def print_text(
    document: Annotated[Path, typer.Argument(help="A .json or .xml document.")],
) -> None:
    """Print a document's text exactly: its UTF-8 bytes, nothing added (no final newline).

    Edit it with any editor and give it back with `corpuskit reanchor DOC --text FILE`.
    """
    from corpuskit.authoring import AuthoringError, document_text
    from corpuskit.formats import format_of
    from corpuskit.io import read_input

    fmt = format_of(document)
    if fmt is None:
        raise _fail(f"{document}: not a .json or .xml file")
    try:
        data = read_input(document)
        content = document_text(data, fmt, str(document))
    except OSError as exc:
        raise _fail(f"cannot read {document}: {exc.strerror or exc}") from None
    except AuthoringError as exc:
        raise _fail(str(exc)) from None
    try:
        sys.stdout.buffer.write(content.encode("utf-8"))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped early (| head): not an error; keep Python from reporting it at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _rule_line(rule: Rule) -> str:
    fix = "fixable" if rule.fixable else ""
    return f"{rule.code}  {rule.name:<30} {rule.severity.value:<8} {fix:<8} {rule.summary}"


@_app.command("rules")
def list_rules(
    output_format: Annotated[
        str,
        typer.Option("--format", help="text; markdown (the README's table); docs (docs/rules.md)."),
    ] = "text",
) -> None:
    """List every rule: code, name, default severity, whether fixable."""
    from corpuskit.rules import rules_page, rules_table

    if output_format in ("markdown", "docs"):
        typer.echo(rules_table() if output_format == "markdown" else rules_page(), nl=False)
        return
    if output_format != "text":
        raise _fail(f"unknown format {output_format!r} (choose text, markdown or docs)")
    typer.echo(f"{'code':<5} {'name':<30} {'severity':<8} {'':<8} summary")
    for rule in RULES:
        typer.echo(_rule_line(rule))


@_app.command("rule")
def show_rule(code: Annotated[str, typer.Argument(help="A rule code (O003) or name.")]) -> None:
    """Print a rule's documentation with a failing and a passing example."""
    rule = find_rule(code)
    if rule is None:
        raise _fail(f"no rule {code!r} (see 'corpuskit rules')")
    typer.echo(f"{rule.code} {rule.name} ({rule.severity.value})\n\n{rule.summary}\n\n{rule.doc}")


@_app.command("server")
def language_server(
    stdio: Annotated[
        bool,
        typer.Option("--stdio", help="Speak LSP on standard input/output (the only transport)."),
    ] = True,
    rules_url: Annotated[
        str | None,
        typer.Option(
            help="Base URL of the rules page diagnostics link to (default: docs/rules.md of "
            "the corpuskit source tree, when there is one)."
        ),
    ] = None,
) -> None:
    """Run the language server: validate's diagnostics as you type, quick fixes, hovers,
    navigation and completion for JSON and XML documents (see docs/editors.md)."""
    try:  # pygls is imported here only: no other command pays for it
        from corpuskit.server.lsp import serve
    except ImportError as exc:
        missing = exc.name or "pygls"
        raise _fail(
            f"the language server needs {missing}: pip install 'corpuskit[server]'"
        ) from None
    serve(rules_url)


_registered = False


def _register_subcommands() -> None:
    """Add the views' and interop's commands (their modules are imported only when needed)."""
    global _registered
    if _registered:
        return
    _registered = True
    from corpuskit.interop.commands import register as register_interop
    from corpuskit.views.commands import register as register_views

    register_views(_app)
    register_interop(_app)


def __getattr__(name: str) -> typer.Typer:
    # ``corpuskit.cli.app``: the whole command line, every command registered.
    if name == "app":
        _register_subcommands()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _command_name(info: typer.models.CommandInfo) -> str:
    if info.name:
        return info.name
    assert info.callback is not None
    return info.callback.__name__.lower().replace("_", "-")


def _app_for(argv: list[str]) -> typer.Typer:
    """The app to run: for ``corpuskit COMMAND ...`` one with that command alone.

    Typer builds a click command from every registered function's signature on each start;
    building the one that runs, not fourteen, is a third of ``corpuskit validate FILE``'s
    start-up. It is the same function with the same options; a group with a no-op callback
    keeps usage and error messages as ``corpuskit COMMAND``.
    """
    chosen = [c for c in _app.registered_commands if argv and _command_name(c) == argv[0]]
    if not chosen:
        _register_subcommands()  # a view or interop command, --help, or a typo: the whole list
        chosen = [c for c in _app.registered_commands if argv and _command_name(c) == argv[0]]
    if not argv or argv[0].startswith("-") or not chosen:
        return _app
    single = typer.Typer(
        name="corpuskit", add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False
    )
    single.registered_commands = chosen
    single.callback(help=_app.info.help)(lambda: None)
    return single


def main() -> None:
    """Entry point of the ``corpuskit`` command."""
    from corpuskit.cli_validate import output_failed, usable_streams

    usable_streams()
    try:
        _app_for(sys.argv[1:])()
    except KeyboardInterrupt:
        typer.echo("corpuskit: interrupted", err=True)
        sys.exit(130)
    except OSError as exc:  # not EPIPE: click handles it
        output_failed(exc, "the output")
