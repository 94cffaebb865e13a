"""The command line: turns options into settings and calls the library. Nothing else lives here."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from corpuskit.diagnostics import CorpuskitError, DocumentError, Rule
from corpuskit.rules import RULES, find_rule

app = typer.Typer(
    name="corpuskit",
    help="Keep a standoff-annotated news corpus in git: validate and convert documents.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _fail(message: str) -> typer.Exit:
    typer.echo(f"corpuskit: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _use_color(stream: object, choice: bool | None) -> bool:
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _codes(values: Iterable[str] | None) -> frozenset[str]:
    """Codes from comma-separated codes, family letters or rule names (any case)."""
    out = set()
    for value in values or ():
        for item in value.split(","):
            item = item.strip()
            if item:
                rule = find_rule(item)
                out.add(rule.code if rule else item.upper())
    return frozenset(out)


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders (searched for *.json and *.xml). Default: the configured corpus."
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="Output format: text or concise.")
    ] = "text",
    select: Annotated[
        list[str] | None, typer.Option(help="Only these rule codes or families (e.g. O,R001).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Never these rule codes or families.")
    ] = None,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color", help="Colour (default: on a terminal, unless NO_COLOR)."
        ),
    ] = None,
    scheme: Annotated[
        Path | None,
        typer.Option(
            help="Annotation scheme (TOML) to enforce. Default: the configured one, if any."
        ),
    ] = None,
) -> None:
    """Check documents: schema, offsets, references. Exit 0 clean, 1 errors, 2 unusable input."""
    from corpuskit.config import load_config
    from corpuskit.engine import Settings
    from corpuskit.engine import validate as run
    from corpuskit.reporters import REPORTER_NAMES, Summary, reporter_class
    from corpuskit.scheme import load_scheme

    if output_format not in REPORTER_NAMES:
        raise _fail(f"unknown format {output_format!r} (choose from {', '.join(REPORTER_NAMES)})")
    try:
        config = load_config()
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    try:
        chosen = load_scheme(scheme) if scheme is not None else None
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    settings = Settings(
        select=_codes(select) or _codes(config.select),
        ignore=_codes(ignore) | _codes(config.ignore),
        scheme=chosen,
    )
    unknown = settings.check_codes()
    if unknown:
        where = f" (command line or {config.source})" if config.source else ""
        raise _fail(f"unknown rule code or family {unknown[0]!r}{where}; see 'corpuskit rules'")
    targets = list(paths) if paths else config.resolved_paths()
    if not paths:
        missing = [p for p in targets if not p.exists()]
        if missing:
            where = f" (from {config.source})" if config.source else ""
            raise _fail(f"no path given and the corpus folder {missing[0]} does not exist{where}")
    reporter = reporter_class(output_format)(sys.stdout, color=_use_color(sys.stdout, color))
    summary = Summary()
    try:
        for report in run(targets, settings):
            summary.add(report)
            reporter.file(report)
    except CorpuskitError as exc:  # an unusable scheme or configuration found on the way
        raise _fail(str(exc)) from None
    reporter.finish(summary)
    if not summary.files:
        typer.echo("corpuskit: warning: no .json or .xml documents found", err=True)
    if summary.unreadable:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_ERRORS if summary.errors else EXIT_OK)


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="A .json or .xml document.")],
    to: Annotated[str, typer.Option("--to", help="Target format: json or xml.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (default: standard output).")
    ] = None,
) -> None:
    """Convert a document between JSON and XML without loss (canonical layout)."""
    from corpuskit.formats import FORMAT_BY_SUFFIX, format_module, format_of
    from corpuskit.io import write_atomic

    if to not in FORMAT_BY_SUFFIX.values():
        raise _fail(f"unknown target format {to!r} (choose json or xml)")
    fmt = format_of(source)
    if fmt is None:
        raise _fail(f"{source}: not a .json or .xml file")
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise _fail(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        document = format_module(fmt).loads(data)
    except DocumentError as exc:
        from corpuskit.engine import check_bytes
        from corpuskit.reporters import Summary
        from corpuskit.reporters.text import TextReporter

        report = check_bytes(data, str(source))
        reporter = TextReporter(sys.stderr, color=_use_color(sys.stderr, None))
        reporter.file(report)
        summary = Summary()
        summary.add(report)
        reporter.finish(summary)
        typer.echo(
            f"corpuskit: {source} is not a valid document ({exc}); nothing written", err=True
        )
        raise typer.Exit(EXIT_ERRORS) from None
    try:
        text = format_module(to).dumps(document)
    except ValueError as exc:
        typer.echo(f"corpuskit: {source} cannot be converted: {exc}; nothing written", err=True)
        raise typer.Exit(EXIT_ERRORS) from None
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_atomic(output, text)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None


def _rule_line(rule: Rule) -> str:
    fix = "fixable" if rule.fixable else ""
    return f"{rule.code}  {rule.name:<30} {rule.severity.value:<8} {fix:<8} {rule.summary}"


@app.command("rules")
def list_rules(
    output_format: Annotated[
        str, typer.Option("--format", help="text, or markdown (the README's rule table).")
    ] = "text",
) -> None:
    """List every rule: code, name, default severity, whether fixable."""
    if output_format == "markdown":
        typer.echo("| code | name | severity | checks |\n|---|---|---|---|")
        for rule in RULES:
            typer.echo(f"| `{rule.code}` | {rule.name} | {rule.severity.value} | {rule.summary} |")
        return
    if output_format != "text":
        raise _fail(f"unknown format {output_format!r} (choose text or markdown)")
    typer.echo(f"{'code':<5} {'name':<30} {'severity':<8} {'':<8} summary")
    for rule in RULES:
        typer.echo(_rule_line(rule))


@app.command("rule")
def show_rule(code: Annotated[str, typer.Argument(help="A rule code (O003) or name.")]) -> None:
    """Print a rule's documentation with a failing and a passing example."""
    rule = find_rule(code)
    if rule is None:
        raise _fail(f"no rule {code!r} (see 'corpuskit rules')")
    typer.echo(f"{rule.code} {rule.name} ({rule.severity.value})\n\n{rule.summary}\n\n{rule.doc}")


def main() -> None:
    """Entry point of the ``corpuskit`` command."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("corpuskit: interrupted", err=True)
        sys.exit(130)
