"""The ``show``, ``diff`` and ``stats`` commands; ``register(app)`` adds them to a Typer app.

Only typer and the standard library are imported at module level: the views are imported by
the command that runs, so ``corpuskit validate`` does not pay for them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from corpuskit.scheme import Scheme
    from corpuskit.views.common import Loaded
    from corpuskit.views.diff import DiffProblem, DocumentDiff
    from corpuskit.views.git import ChangedFile, Revisions

EXIT_OK, EXIT_USAGE = 0, 2
DIFF_FORMATS = ("text", "markdown", "json")
STATS_FORMATS = ("text", "json")


def _fail(message: str) -> typer.Exit:
    from corpuskit.reporters.escape import message as escaped

    typer.echo(f"corpuskit: error: {escaped(message)}", err=True)
    return typer.Exit(EXIT_USAGE)


def _emit(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` atomically, or to standard output when None or ``-``."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from corpuskit.io import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None


def _scheme_for(document: Path, given: Path | None) -> Scheme | None:
    """The scheme given with --scheme, or the one configured above the document."""
    from corpuskit.config import SchemeFinder
    from corpuskit.diagnostics import CorpuskitError
    from corpuskit.scheme import load_scheme

    try:
        return load_scheme(given) if given is not None else SchemeFinder().for_document(document)
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None


def show(
    document: Annotated[Path, typer.Argument(help="A .json or .xml document.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the page here (default: DOC's name with .html; - for stdout).",
        ),
    ] = None,
    scheme: Annotated[
        Path | None,
        typer.Option(help="Annotation scheme (TOML) to check against and take KB URLs from."),
    ] = None,
) -> None:
    """Write a self-contained HTML view of a document, with every validation problem in place."""
    from corpuskit.engine import Settings, check_bytes, internal_error
    from corpuskit.formats import format_of
    from corpuskit.reporters.escape import display_path, visible
    from corpuskit.views.common import Unreadable, read_document, read_file
    from corpuskit.views.html import render_html

    if format_of(document) is None:
        raise _fail(f"{document}: not a .json or .xml file")
    try:
        data = read_file(document)
    except Unreadable as exc:
        raise _fail(f"{document}: {exc}") from None
    chosen = _scheme_for(document, scheme)
    try:
        report = check_bytes(data, str(document), Settings(scheme=chosen))
    except Exception as exc:  # a bug must not end in a traceback: report it as validate does
        report = internal_error(str(document), exc)
    loaded = read_document(data, str(document))
    if loaded.document is None:
        for d in report.diagnostics:
            typer.echo(
                f"{display_path(d.path)}:{d.line}:{d.column}: {d.code} {visible(d.message)}",
                err=True,
            )
        raise _fail(f"{document}: cannot show it: {loaded.problem}")
    page = render_html(loaded.document, report.diagnostics, path=str(document), scheme=chosen)
    target = output if output is not None else Path(document.with_suffix(".html").name)
    _emit(page, target)
    if str(target) != "-":
        problems = len(report.diagnostics)
        typer.echo(
            f"wrote {visible(str(target))} ({problems} problem{'s' if problems != 1 else ''} shown)",
            err=True,
        )


def _load_pair(old: Path, new: Path) -> tuple[Loaded, Loaded]:
    from corpuskit.views.common import load_document

    return load_document(old), load_document(new)


def _notes(loaded: Loaded, side: str) -> list[str]:
    if loaded.skipped:
        return [
            f"{side}: {loaded.skipped} annotations fail the schema and are left out of the diff"
        ]
    return []


def _compare(old: Loaded | None, new: Loaded | None) -> DocumentDiff | DiffProblem:
    from corpuskit.views.diff import DiffProblem, diff_documents

    for loaded in (old, new):
        if loaded is not None and loaded.document is None:
            return DiffProblem(loaded.path, loaded.problem or "not a document")
    notes = (_notes(old, "old") if old else []) + (_notes(new, "new") if new else [])
    return diff_documents(
        old.document if old else None,
        new.document if new else None,
        old.path if old else None,
        new.path if new else None,
        tuple(notes),
    )


def _git_diffs(spec: str, pathspecs: list[Path]) -> tuple[list[DocumentDiff], list[DiffProblem]]:
    from corpuskit.views.diff import DiffProblem, DocumentDiff
    from corpuskit.views.git import GitError, changed_documents, parse_revisions, repository_root

    try:
        root = repository_root(Path.cwd())
        revisions = parse_revisions(spec, root)
        specs = [_root_relative(p, root) for p in pathspecs]
        changed = changed_documents(root, revisions, specs or None)
    except GitError as exc:
        raise _fail(str(exc)) from None
    diffs: list[DocumentDiff] = []
    problems: list[DiffProblem] = []
    for item in changed:
        try:
            old, new = _versions(root, revisions, item)
        except GitError as exc:
            problems.append(DiffProblem(item.new_path or item.old_path or "?", str(exc)))
            continue
        if not any(v.is_document for v in (old, new) if v is not None):
            continue  # a JSON or XML file that is not a corpuskit document (a schema, a config)
        result = _compare(old, new)
        if isinstance(result, DocumentDiff):
            diffs.append(result)
        else:
            problems.append(result)
    return diffs, problems


def _root_relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        raise _fail(f"{path} is outside the repository at {root}") from None


def _versions(
    root: Path, revisions: Revisions, item: ChangedFile
) -> tuple[Loaded | None, Loaded | None]:
    """Both versions of a changed file, built leniently (None where the file does not exist)."""
    from corpuskit.views.common import read_document
    from corpuskit.views.git import read_version

    old = new = None
    if item.old_path is not None:
        data = read_version(root, revisions.old, item.old_path)
        old = read_document(data, f"{revisions.old}:{item.old_path}")
    if item.new_path is not None:
        data = read_version(root, revisions.new, item.new_path)
        name = item.new_path if revisions.new is None else f"{revisions.new}:{item.new_path}"
        new = read_document(data, name)
    return old, new


def diff(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="OLD NEW: two versions of a document. With --git: paths to limit the search to."
        ),
    ] = None,
    git: Annotated[
        str | None,
        typer.Option(
            "--git",
            metavar="REF",
            help="Compare REF with the working tree, or a range A..B (A...B: from the merge base), "
            "for every changed .json/.xml document.",
        ),
    ] = None,
    textconv: Annotated[
        Path | None,
        typer.Option(
            help="Print a stable line-per-annotation rendering of one document (git textconv)."
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="Output format: text, markdown or json.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (default: standard output).")
    ] = None,
) -> None:
    """Show annotations added, removed, changed and renumbered, and text edits, between versions."""
    if textconv is not None:
        if paths or git:
            raise _fail("--textconv takes one file and no other paths or --git")
        _emit(_textconv(textconv), output)
        return
    if output_format not in DIFF_FORMATS:
        raise _fail(f"unknown format {output_format!r} (choose from {', '.join(DIFF_FORMATS)})")
    from corpuskit.views.diff import DocumentDiff
    from corpuskit.views.diff_report import RENDERERS

    if git is not None:
        diffs, problems = _git_diffs(git, list(paths or ()))
    else:
        if not paths or len(paths) != 2:
            raise _fail("give two documents (OLD NEW), or --git REF, or --textconv FILE")
        old, new = _load_pair(paths[0], paths[1])
        unreadable = [x for x in (old, new) if x.document is None]
        if unreadable:
            raise _fail(f"{unreadable[0].path}: {unreadable[0].problem}")
        result = _compare(old, new)
        assert isinstance(result, DocumentDiff)  # both documents were built
        diffs, problems = [result], []
    _emit(RENDERERS[output_format](diffs, problems), output)
    if problems:
        raise typer.Exit(EXIT_USAGE)


def _textconv(path: Path) -> str:
    """The textconv rendering; for a file that is not a readable document, its raw text, so
    that ``git diff`` still shows something (textconv must not fail)."""
    from corpuskit.formats import format_of
    from corpuskit.views.common import Unreadable, read_document, read_file, sniff_format
    from corpuskit.views.diff_report import render_textconv

    try:
        # Never the raw bytes of a refused file: a link to /proc/self/environ must not print it.
        data = read_file(path)
    except Unreadable as exc:
        raise _fail(f"{path}: {exc}") from None
    loaded = read_document(data, str(path), format_of(path) or sniff_format(data))
    if loaded.document is None:
        from corpuskit.reporters.escape import visible

        raw = data.decode("utf-8", "replace")
        return "\n".join(visible(line) for line in raw.split("\n"))
    return render_textconv(loaded.document)


def stats(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Corpus folders or files, each reported apart. Default: the configured corpus."
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="Output format: text or json.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (default: standard output).")
    ] = None,
) -> None:
    """Corpus statistics: annotations per kind and type, speakers, KB coverage, attribute values."""
    if output_format not in STATS_FORMATS:
        raise _fail(f"unknown format {output_format!r} (choose from {', '.join(STATS_FORMATS)})")
    from corpuskit.config import load_config
    from corpuskit.diagnostics import CorpuskitError
    from corpuskit.views.stats import RENDERERS, corpus_stats

    if paths:
        targets = list(paths)
    else:
        try:
            targets = load_config().resolved_paths()
        except CorpuskitError as exc:
            raise _fail(str(exc)) from None
    corpora = [corpus_stats(p, _display(p)) for p in targets]
    _emit(RENDERERS[output_format](corpora), output)
    if any(c.unreadable for c in corpora):
        raise typer.Exit(EXIT_USAGE)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)


def register(app: typer.Typer) -> None:
    """Add the ``show``, ``diff`` and ``stats`` commands to ``app``."""
    app.command("show")(show)
    app.command("diff")(diff)
    app.command("stats")(stats)
