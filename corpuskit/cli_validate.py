"""``corpuskit validate`` without typer: the command's work, and the ``corpuskit`` command's
:func:`main` (which ``corpuskit/entry.py`` runs).

``corpuskit validate FILE`` is what a pre-commit hook or an editor runs on every save, so its
start-up counts: importing typer (and the click it carries) costs more than checking a
document. :func:`main` therefore reads the common ``validate`` command lines itself
(:func:`parse_validate`), and hands everything else (every other command, ``--help``, an
option it does not know, a value it does not read exactly as typer would) to the typer
application in ``corpuskit/cli.py``, which declares every option, its help and its checks.
Both paths end in :func:`validate`, with the same :class:`ValidateArgs`;
``tests/test_cli_fast.py`` checks that the two readings agree option by option and on
generated command lines, and that this one knows exactly the options typer declares.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NoReturn, TextIO

import msgspec
from msgspec.structs import replace

from corpuskit.diagnostics import CorpuskitError

if TYPE_CHECKING:
    from corpuskit.baseline import Baseline
    from corpuskit.config import Config
    from corpuskit.engine import FileReport, Settings
    from corpuskit.reporters import Reporter, Summary
    from corpuskit.scheme import Scheme

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Unusable options, configuration or input: the run prints this and exits 2."""


class ValidateArgs(msgspec.Struct, frozen=True, kw_only=True):
    """``validate``'s options as given (None: not given), whichever parser read them."""

    paths: list[Path] | None = None
    output_format: str | None = None
    output_file: Path | None = None
    select: list[str] | None = None
    extend_select: list[str] | None = None
    ignore: list[str] | None = None
    strict: bool | None = None
    exit_zero: bool = False
    allow_empty: bool = False
    statistics: bool = False
    quiet: bool = False
    color: bool | None = None
    config_file: Path | None = None
    isolated: bool = False
    scheme: Path | None = None
    jobs: int | None = None
    executor: str = "local"
    scheduler: str | None = None
    no_cache: bool = False
    cache_dir: Path | None = None
    changed_since: str | None = None
    baseline: Path | None = None
    write_baseline: Path | None = None
    stdin_filename: str | None = None
    show_files: bool = False
    show_settings: bool = False


def echo(text: str, *, err: bool = False) -> None:
    """Write one line to standard output (or error) and flush it, as ``typer.echo`` does."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def error_line(message: str) -> None:
    """Print ``corpuskit: error: MESSAGE`` to standard error, escaped."""
    from corpuskit.reporters.escape import message as escaped

    # Messages quote file names and configuration or scheme content: escape what a terminal
    # or a CI log would interpret, line breaks included (only our own continuation lines stay).
    echo(f"corpuskit: error: {escaped(message)}", err=True)


def _fail(message: str) -> UsageError:
    return UsageError(message)


def say(text: str, *, err: bool = False) -> None:
    """Print a line that quotes input (paths, document text, ids) escaped like errors."""
    from corpuskit.reporters.escape import message

    shown = message(text)
    if shown.lstrip()[:1] in (":", "#"):  # a line a CI runner would read as a command
        shown = "./" + shown
    echo(shown, err=err)


def use_color(stream: object, choice: bool | None) -> bool:
    """Colour on ``stream``: as chosen, else on a terminal unless NO_COLOR is set."""
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def validate(a: ValidateArgs) -> int:
    """Check documents as ``a`` says; the exit code (0 clean, 1 errors, 2 unusable input)."""
    try:
        return _validate(a)
    except UsageError as exc:
        error_line(str(exc))
        return EXIT_USAGE


def _validate(a: ValidateArgs) -> int:
    from corpuskit.reporters import AUTO, REPORTER_NAMES, Summary, resolve_format

    config, discover = _load_run_config(a.config_file, a.isolated)
    try:
        chosen = (
            _load_scheme(a.scheme) if a.scheme is not None else _config_scheme(config, discover)
        )
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    name = a.output_format or config.format or AUTO
    if name not in REPORTER_NAMES:
        raise _fail(f"unknown format {name!r} (choose from {', '.join(REPORTER_NAMES)})")
    if a.statistics and resolve_format(name) not in ("text", "json"):
        raise _fail(f"--statistics prints a table, or JSON with --format json; not {name!r}")
    settings = settings_for(config, a.select, a.ignore, chosen, a.extend_select, discover)
    strict = config.strict if a.strict is None else a.strict
    stdin = a.paths == [Path("-")]
    if not stdin and a.paths and Path("-") in a.paths:
        raise _fail("- (standard input) cannot be mixed with paths")
    if a.stdin_filename is not None and not stdin:
        # Else the name would be dropped and the configured corpus checked in its place.
        raise _fail("--stdin-filename names the document read from standard input: give - too")
    targets = _targets(config, a.paths)
    try:
        cache = None if a.no_cache or stdin else _cache_folder(config, a.cache_dir, targets)
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    root = repository_root(config)
    if a.show_settings:
        run = _RunSettings(name, strict, a.exit_zero, cache, root, stdin, a.allow_empty)
        _print_settings(config, settings, targets, run)
    if a.show_files:
        _print_files(
            config, settings, targets, a.changed_since, stdin and (a.stdin_filename or "-")
        )
    if a.show_settings or a.show_files:
        return EXIT_OK
    summary = Summary()
    outputs = _Outputs(name, a.output_file, a.color, a.statistics, a.quiet, root, strict)
    checked: Iterator[FileReport] = iter(())
    filtered: Iterator[tuple[FileReport, FileReport]] = iter(())
    try:
        checked = (
            _check_stdin(a.stdin_filename, settings)
            if stdin
            else _run(
                config, settings, targets, a.jobs, cache, a.changed_since, a.executor, a.scheduler
            )
        )
        recorded = _load_baseline(a.baseline, config)
        filtered = _with_baseline(checked, recorded, config, summary)
        if a.write_baseline is not None:
            _record_baseline(a.write_baseline, filtered, config, a.quiet)
            return EXIT_OK
        for report, hidden in filtered:
            summary.add(report)
            outputs.file(report)
            if hidden.diagnostics:
                outputs.baselined(hidden)
    except CorpuskitError as exc:  # an unusable scheme, configuration, baseline or git ref
        raise _fail(str(exc)) from None
    finally:
        # A run stopped early (a closed pipe, an interrupt, a report that cannot be written)
        # ends its generators here, so that what they hold is released now, the cache's
        # results committed among it, not whenever the exception is freed.
        for started in (filtered, checked):
            close = getattr(started, "close", None)
            if close is not None:
                close()
    outputs.finish(summary)
    # Nothing found where something was to be checked (paths, include or exclude that match
    # nothing, an empty folder) is no pass: a gate would go green having checked nothing. A
    # --changed-since run with nothing changed has checked all it was asked to, and so has a
    # run given only files that the configuration excludes (pre-commit staging drafts).
    empty = not summary.files and a.changed_since is None and not stdin
    excluded = empty and bool(a.paths) and all(os.path.isfile(p) for p in targets)
    empty = empty and not excluded
    if empty and not a.allow_empty:
        say(
            "corpuskit: error: no .json or .xml documents found; check the paths given or "
            "configured, include and exclude (--allow-empty lets a run without documents pass)",
            err=True,
        )
        return EXIT_USAGE
    if not a.quiet:
        _notes(summary, recorded, a.baseline, a.changed_since, excluded)
    if summary.unreadable:
        return EXIT_USAGE
    failed = summary.errors or (strict and summary.warnings)
    return EXIT_ERRORS if failed and not a.exit_zero else EXIT_OK


def _load_run_config(config_file: Path | None, isolated: bool) -> tuple[Config, bool]:
    """The run's configuration, and whether documents may take the scheme of a configuration
    found above them (not with --config or --isolated: then one configuration, or none, rules)."""
    from corpuskit.config import Config, load_config, load_config_file

    if config_file is not None and isolated:
        raise _fail(
            "--config and --isolated cannot be combined (--isolated reads no configuration)"
        )
    try:
        if isolated:
            return Config(root=Path(os.path.realpath(Path.cwd()))), False
        if config_file is not None:
            return load_config_file(config_file), False
        return load_config(), True
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None


def _config_scheme(config: Config, discover: bool) -> Scheme | None:
    """With --config, the scheme it names applies to every document (nothing is discovered)."""
    from corpuskit.config import SchemeFinder

    path = config.scheme_path()
    if discover or path is None:
        return None
    return SchemeFinder(config.root).load(path, Path(os.path.realpath(config.root)))


def _load_scheme(path: Path) -> Scheme:
    """The scheme given with --scheme."""
    from corpuskit.scheme import load_scheme as load

    return load(path)


def repository_root(config: Config) -> Path:
    """The folder machine reports make paths relative to: the git work tree above the working
    directory (GitHub, GitLab and reviewdog resolve paths against it, wherever the job ran),
    else the configuration's folder."""
    here = Path(os.path.realpath(Path.cwd()))
    for folder in (here, *here.parents):
        # .git is a folder in a clone, a file in a worktree or submodule checkout.
        if os.path.lexists(folder / ".git"):
            return folder
    return config.root


def _targets(config: Config, paths: list[Path] | None) -> list[Path]:
    """The paths given, or the configured ones relative to the working directory (so that
    reports name ``corpus/a.json`` or ``../corpus/a.json``, never an absolute path)."""
    if paths:
        return list(paths)
    try:
        targets = [_from_here(p) for p in config.resolved_paths()]
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    missing = [p for p in targets if not os.path.exists(p)]
    if missing:
        where = f" (from {config.source})" if config.source else ""
        raise _fail(f"no path given and the corpus folder {missing[0]} does not exist{where}")
    return targets


def _from_here(path: Path) -> Path:
    try:
        return Path(os.path.relpath(path))
    except ValueError:  # another drive (Windows): no relative form
        return path


def _cache_folder(config: Config, given: Path | None, targets: list[Path]) -> Path:
    """--cache-dir (relative to the working directory) or the configured cache-dir, confined
    like the configured one: a CI variable is as untrusted as a configuration file."""
    from corpuskit.config import confined_cache_folder

    if given is None:
        return config.cache_folder(targets)
    return confined_cache_folder(config.root, Path(os.path.abspath(given)), targets)


class _RunSettings(msgspec.Struct, frozen=True):
    """What --show-settings prints besides the configuration and the engine settings."""

    format: str
    strict: bool
    exit_zero: bool
    cache: Path | None
    root: Path
    stdin: bool
    allow_empty: bool = False


def _print_settings(
    config: Config, settings: Settings, targets: list[Path], run: _RunSettings
) -> None:
    """--show-settings: every value in force, one ``name: value`` line each."""
    from corpuskit.reporters import resolve_format

    def codes(values: frozenset[str]) -> str:
        return ", ".join(sorted(values)) or "-"

    shown = (
        run.format
        if resolve_format(run.format) == run.format
        else (f"{run.format} ({resolve_format(run.format)} here)")
    )
    lines = [
        ("configuration", str(config.source) if config.source else "none (built-in defaults)"),
        ("project root", str(config.root)),
        ("report paths relative to", str(run.root)),
        ("paths", "- (standard input)" if run.stdin else ", ".join(map(str, targets))),
        ("include", ", ".join(config.include)),
        ("exclude", ", ".join(config.exclude) or "-"),
        ("select", codes(settings.select) if settings.select else "all rules on by default"),
        ("extend-select", codes(settings.extend_select)),
        ("ignore", codes(settings.ignore)),
        ("severity", ", ".join(f"{k}={v.value}" for k, v in sorted(settings.severity.items()))),
        ("per-file-ignores", "; ".join(f"{g}: {codes(c)}" for g, c in _config_pfi(config)) or "-"),
        ("scheme", _scheme_shown(settings)),
        ("format", shown),
        ("strict", str(run.strict).lower()),
        ("exit-zero", str(run.exit_zero).lower()),
        ("allow-empty", str(run.allow_empty).lower()),
        ("cache-dir", str(run.cache) if run.cache else "off"),
        ("max-file-size", f"{settings.max_file_size}"),
    ]
    for key, value in lines:
        say(f"{key}: {value or '-'}")


def _config_pfi(config: Config) -> list[tuple[str, frozenset[str]]]:
    """The configured per-file ignores, codes resolved."""
    from corpuskit.config import rule_codes

    return [(glob, rule_codes(codes)) for glob, codes in config.per_file_ignores]


def _scheme_shown(settings: Settings) -> str:
    if settings.scheme is not None:
        return str(settings.scheme.path)
    if settings.discover_scheme:
        return "each document's, from the configuration above it"
    return "none"


def _print_files(
    config: Config,
    settings: Settings,
    targets: list[Path],
    changed_since: str | None,
    stdin_name: str | bool,
) -> None:
    """--show-files: the files a run would check, in the order it checks them."""
    from corpuskit.runner import RunOptions, discover

    if isinstance(stdin_name, str):
        say(stdin_name)
        return
    options = RunOptions(
        paths=tuple(targets), settings=settings, config=config, changed_since=changed_since
    )
    try:
        files = discover(options)
    except CorpuskitError as exc:
        raise _fail(str(exc)) from None
    for path in files:
        say(str(path))


class _Statistics:
    """--statistics: problems counted per code, written at the end (like ruff's)."""

    def __init__(self, stream: TextIO, as_json: bool) -> None:
        self.stream = stream
        self.as_json = as_json
        self.counts: Counter[str] = Counter()

    def file(self, report: FileReport) -> None:
        """Count one file's diagnostics."""
        self.counts.update(d.code for d in report.diagnostics)

    def finish(self, summary: Summary) -> None:
        """The table (or JSON list), most frequent code first."""
        from corpuskit.reporters.escape import dump_json, visible
        from corpuskit.rules import RULE_BY_CODE

        rows = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))
        if self.as_json:
            entries = [
                {
                    "code": code,
                    "name": RULE_BY_CODE[code].name if code in RULE_BY_CODE else None,
                    "count": count,
                    "fixable": code in RULE_BY_CODE and RULE_BY_CODE[code].fixable,
                }
                for code, count in rows
            ]
            self.stream.write(dump_json(entries) + "\n")
            return
        width = max((len(str(count)) for _, count in rows), default=1)
        for code, count in rows:
            rule = RULE_BY_CODE.get(code)
            mark = "[*]" if rule is not None and rule.fixable else "[ ]"
            name = rule.name if rule is not None else ""
            self.stream.write(f"{count:>{width}}\t{visible(code)}\t{mark} {name}\n")


class _Outputs:
    """Where the report goes: one reporter, or with auto and --output-file inside GitHub
    Actions two (the text report to the file, the annotations to standard output, because
    annotations written into a file never appear)."""

    def __init__(
        self,
        name: str,
        output_file: Path | None,
        color: bool | None,
        statistics: bool,
        quiet: bool,
        root: Path,
        strict: bool = False,
    ) -> None:
        from corpuskit.reporters import AUTO, REPORTERS, ReportContext, reporter_class
        from corpuskit.reporters import resolve_format as resolve

        self.output_file = output_file
        self.quiet = quiet
        self.buffer = io.StringIO()
        main = self.buffer if output_file is not None else sys.stdout
        chosen = resolve(name)
        self.reporters: list[tuple[Reporter, bool]] = []  # (reporter, finish writes a summary)
        self.summary_on_stdout = output_file is None
        if statistics:
            self.reporters.append((_Statistics(main, chosen == "json"), False))
            return
        if output_file is not None and name == AUTO and chosen == "github":
            chosen = "text"
            gh = ReportContext(root=root)
            self.reporters.append((reporter_class("github")(sys.stdout, gh), True))
            self.summary_on_stdout = True
        context = ReportContext(
            root=root,
            color=use_color(sys.stdout, color) and output_file is None,
            strict=strict,
        )
        closing = REPORTERS[chosen].closing
        self.reporters.append((reporter_class(chosen)(main, context), closing == "summary"))

    def file(self, report: FileReport) -> None:
        """Give one file's report to every reporter."""
        for reporter, _ in self.reporters:
            reporter.file(report)

    def baselined(self, report: FileReport) -> None:
        """Give a file's baselined diagnostics to the reporters that mark them (SARIF
        suppressions); the others leave them out, as the text report does."""
        from corpuskit.reporters import report_baselined

        for reporter, _ in self.reporters:
            report_baselined(reporter, report)

    def finish(self, summary: Summary) -> None:
        """Close every report (no summary line with --quiet), write the file if asked."""
        from corpuskit.reporters.text import summary_line

        for reporter, writes_summary in self.reporters:
            if not (self.quiet and writes_summary):
                reporter.finish(summary)
        if self.output_file is None:
            return
        from corpuskit.io import write_atomic

        try:
            write_atomic(self.output_file, self.buffer.getvalue())
        except OSError as exc:
            raise _fail(f"cannot write {self.output_file}: {exc.strerror or exc}") from None
        if not (self.quiet or self.summary_on_stdout):
            echo(summary_line(summary))


def _notes(
    summary: Summary,
    recorded: Baseline | None,
    baseline: Path | None,
    changed_since: str | None,
    excluded: bool = False,
) -> None:
    """What the run should tell besides the report: nothing found, stale baseline entries."""
    if not summary.files:
        if changed_since is not None:
            say(f"corpuskit: no documents changed since {changed_since}", err=True)
        elif excluded:
            say("corpuskit: every file given is excluded by the configuration", err=True)
        else:
            say("corpuskit: warning: no .json or .xml documents found", err=True)
    if recorded is not None and baseline is not None:
        if recorded.version == 1:
            say(
                f"corpuskit: warning: {baseline} is a version 1 baseline, which records no "
                "messages: a new problem of a recorded code on a recorded annotation is hidden; "
                "record it again with --write-baseline",
                err=True,
            )
        stale = recorded.unmatched()
        if stale:
            say(
                f"corpuskit: note: {stale} problem{'s' if stale != 1 else ''} recorded in "
                f"{baseline} {'were' if stale != 1 else 'was'} not found (fixed, or changed); "
                "--write-baseline records the current ones",
                err=True,
            )


def settings_for(
    config: Config,
    select: list[str] | None,
    ignore: list[str] | None,
    scheme: Scheme | None,
    extend_select: list[str] | None = None,
    discover: bool = True,
) -> Settings:
    from corpuskit.config import build_settings

    try:
        return build_settings(
            config, select, ignore, scheme, extend_select, discover_scheme=discover
        )
    except CorpuskitError as exc:  # an unknown rule code
        raise _fail(str(exc)) from None


def _run(
    config: Config,
    settings: Settings,
    targets: list[Path],
    jobs: int | None,
    cache: Path | None,
    changed_since: str | None,
    executor: str = "local",
    scheduler: str | None = None,
) -> Iterator[FileReport]:
    from corpuskit.runner import RunOptions, default_jobs, run

    options = RunOptions(
        paths=tuple(targets),
        settings=settings,
        config=config,
        jobs=jobs or default_jobs(),
        cache_dir=cache,
        changed_since=changed_since,
        executor=executor,
        scheduler=scheduler,
    )
    return run(options)


def _check_stdin(stdin_filename: str | None, settings: Settings) -> Iterator[FileReport]:
    from corpuskit.config import SchemeFinder
    from corpuskit.engine import check_bytes
    from corpuskit.io import found_path

    if sys.stdin is None:  # started with <&-
        raise UsageError("standard input is closed: nothing to read for -")
    name = stdin_filename or "-.json"
    if settings.scheme is None and settings.discover_scheme:
        scheme = SchemeFinder().for_document(Path(name))
        if scheme is not None:
            settings = replace(settings, scheme=scheme)
    # Capped like a file: a pipe that never ends must not exhaust memory.
    data = _read_capped(sys.stdin.buffer, settings.max_file_size)
    display = stdin_filename or "-"
    if len(data) > settings.max_file_size:
        from corpuskit.engine import too_large

        yield too_large(display, len(data), settings.max_file_size)
        return
    try:
        yield check_bytes(
            data,
            display if stdin_filename else name,
            settings,
            match_path=str(found_path(Path(name))),
        )
    except Exception as exc:  # a bug must not print a traceback
        from corpuskit.engine import internal_error

        yield internal_error(display, exc)


def _read_capped(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of ``stream``, read in chunks: a huge configured limit is
    never allocated up front."""
    chunks: list[bytes] = []
    remaining = limit + 1
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _load_baseline(baseline: Path | None, config: Config) -> Baseline | None:
    if baseline is None:
        return None
    from corpuskit.baseline import Baseline

    return Baseline.load(baseline, config.root)


def _record_baseline(
    target: Path, reports: Iterator[tuple[FileReport, FileReport]], config: Config, quiet: bool
) -> None:
    """--write-baseline: record every problem (those already recorded too), say how many, exit 0."""
    from corpuskit.baseline import write_baseline

    every = [
        replace(kept, diagnostics=(*kept.diagnostics, *hidden.diagnostics))
        for kept, hidden in reports
    ]
    try:
        count = write_baseline(target, every, config.relative_name)
    except OSError as exc:
        raise _fail(f"cannot write {target}: {exc.strerror or exc}") from None
    if not quiet:
        say(f"corpuskit: recorded {count} problems in {target}", err=True)


def _with_baseline(
    reports: Iterator[FileReport], recorded: Baseline | None, config: Config, summary: Summary
) -> Iterator[tuple[FileReport, FileReport]]:
    """Each report without what the baseline records, and what it records (empty without one)."""
    for report in reports:
        if recorded is None:
            yield report, replace(report, diagnostics=())
            continue
        kept, hidden = recorded.split(report, config.relative_name(report.path))
        summary.baselined += len(hidden.diagnostics)
        yield kept, hidden


# ---------------------------------------------------------------------------------------------
# The entry point and its reading of validate's command line


#: How an option's value is read: a flag's own value (True/False), or one of these kinds.
_TEXT, _PATH, _LIST, _COUNT = "text", "path", "list", "count"

#: Every option ``validate`` declares in corpuskit/cli.py: option string -> (field, kind or
#: flag value). tests/test_cli_fast.py checks it against typer's declarations.
VALIDATE_OPTIONS: dict[str, tuple[str, str | bool]] = {
    "--format": ("output_format", _TEXT),
    "--output-file": ("output_file", _PATH),
    "--select": ("select", _LIST),
    "--extend-select": ("extend_select", _LIST),
    "--ignore": ("ignore", _LIST),
    "--strict": ("strict", True),
    "--no-strict": ("strict", False),
    "--exit-zero": ("exit_zero", True),
    "--allow-empty": ("allow_empty", True),
    "--statistics": ("statistics", True),
    "--quiet": ("quiet", True),
    "-q": ("quiet", True),
    "--color": ("color", True),
    "--no-color": ("color", False),
    "--config": ("config_file", _PATH),
    "--isolated": ("isolated", True),
    "--scheme": ("scheme", _PATH),
    "--jobs": ("jobs", _COUNT),
    "-j": ("jobs", _COUNT),
    "--executor": ("executor", _TEXT),
    "--scheduler": ("scheduler", _TEXT),
    "--no-cache": ("no_cache", True),
    "--cache-dir": ("cache_dir", _PATH),
    "--changed-since": ("changed_since", _TEXT),
    "--baseline": ("baseline", _PATH),
    "--write-baseline": ("write_baseline", _PATH),
    "--stdin-filename": ("stdin_filename", _TEXT),
    "--show-files": ("show_files", True),
    "--show-settings": ("show_settings", True),
}
#: Options that take their value from the environment when not given.
VALIDATE_ENVVARS = {"output_format": "CORPUSKIT_OUTPUT_FORMAT", "cache_dir": "CORPUSKIT_CACHE_DIR"}
#: A --jobs value read here (typer reads the rest, and refuses 0 with its own message).
_MAX_COUNT_DIGITS = 6


def parse_validate(argv: list[str]) -> ValidateArgs | None:
    """``validate``'s options from ``argv`` (without the program name), or None for anything
    else: another command, --help, an unknown option, an option given twice, a value that is
    empty or starts with ``-``, ``--``. None is never an error: typer then reads the command
    line, with its own checks and messages."""
    if not argv or argv[0] != "validate":
        return None
    if any("\0" in token for token in argv):
        return None  # no path holds a NUL: typer says so (a real command line cannot hold one)
    given: dict[str, object] = {}
    paths: list[Path] = []
    tokens = iter(argv[1:])
    for token in tokens:
        if token[:1] != "-" or token == "-":
            if not token:
                return None
            paths.append(Path(token))
            continue
        name, equals, value = token.partition("=")
        option = VALIDATE_OPTIONS.get(name)
        if option is None or (equals and name[:2] != "--"):
            return None
        field, kind = option
        if isinstance(kind, bool):
            if equals or field in given:
                return None
            given[field] = kind
            continue
        if not equals:
            value = next(tokens, "")
        if not value or value[:1] == "-":
            return None
        if kind == _LIST:
            listed = given.setdefault(field, [])
            assert isinstance(listed, list)
            listed.append(value)
            continue
        if field in given:
            return None
        if kind == _COUNT:
            if not (value.isascii() and value.isdigit()) or value[0] == "0":
                return None
            if len(value) > _MAX_COUNT_DIGITS:
                return None
            given[field] = int(value)
        else:
            given[field] = Path(value) if kind == _PATH else value
    for field, variable in VALIDATE_ENVVARS.items():
        from_env = os.environ.get(variable)
        if field not in given and from_env:
            given[field] = Path(from_env) if field == "cache_dir" else from_env
    return ValidateArgs(paths=paths or None, **given)  # type: ignore[arg-type]


#: Error handlers with which a character the stream's encoding lacks ends the run.
_FAILING = ("strict", "surrogateescape")


def usable_streams() -> None:
    """Standard streams a run can always write to: a closed one (``>&-``) becomes the null
    device, and characters the terminal's encoding lacks (a C locale) are written as escapes
    instead of ending the run with UnicodeEncodeError."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
        elif isinstance(stream, io.TextIOWrapper) and stream.errors in _FAILING:
            stream.reconfigure(errors="backslashreplace")


def output_failed(exc: OSError, what: str = "the report") -> NoReturn:
    """Exit 2 after ``what`` could not be written (a full disk, an I/O error), saying so on
    standard error if that still can be written."""
    with contextlib.suppress(OSError):
        echo(f"corpuskit: error: cannot write {what}: {exc.strerror or exc}", err=True)
    sys.exit(EXIT_USAGE)


def main() -> None:
    """Entry point of the ``corpuskit`` command: ``validate`` read here when it can be,
    anything else by the typer application."""
    usable_streams()
    args = parse_validate(sys.argv[1:])
    if args is None:
        from corpuskit.cli import main as full

        full()
        return
    try:
        code = validate(args)
        sys.stdout.flush()
    except KeyboardInterrupt:
        echo("corpuskit: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader stopped early (| head): keep Python from reporting it again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_ERRORS)
    except OSError as exc:
        output_failed(exc)
    sys.exit(code)
