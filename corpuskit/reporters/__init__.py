"""Reporters: one module per output format, all made from the same diagnostic records.

A reporter is fed file reports as they stream in and writes to a text stream; the name ->
class registry :data:`REPORTERS` is what ``--format`` chooses from, and what its help texts
(``validate``, ``import``, ``export``) and the format table of docs/ci.md are made from.
Reporters that produce one document (SARIF, JSON, JUnit) collect the reports and write at
``finish``. This module imports no reporter and nothing heavy: the CLI reads the registry at
start-up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TextIO

import msgspec

if TYPE_CHECKING:
    from corpuskit.engine import FileReport


class Summary(msgspec.Struct):
    """Totals of a run."""

    files: int = 0
    errors: int = 0
    warnings: int = 0
    unreadable: int = 0
    #: Diagnostics left out because a baseline records them.
    baselined: int = 0

    def add(self, report: FileReport) -> None:
        """Count one file's report."""
        self.files += 1
        self.errors += report.errors
        self.warnings += report.warnings
        self.unreadable += report.unreadable


class ReportContext(msgspec.Struct, frozen=True):
    """What machine reports need besides the diagnostics."""

    #: Paths in reports are made relative to this folder (the repository root).
    root: Path = msgspec.field(default_factory=Path.cwd)
    color: bool = False
    #: Warnings fail the run (``--strict``): reports that count failures (JUnit) count them.
    strict: bool = False

    def relative(self, path: str) -> str:
        """``path`` relative to the root, POSIX-style, when it lies inside it."""
        try:
            return Path(os.path.abspath(path)).relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return Path(path).as_posix()


class Reporter(Protocol):
    """Writes a report as file results arrive.

    A reporter may also define ``baselined(report)``: it then receives, per file, the
    diagnostics a baseline hid (see :func:`report_baselined`), to mark them rather than drop
    them (SARIF's ``suppressions``). It is optional, so a reporter without it keeps working.
    """

    def __init__(self, stream: TextIO, context: ReportContext) -> None: ...

    def file(self, report: FileReport) -> None:
        """Report one file."""

    def finish(self, summary: Summary) -> None:
        """Write whatever closes the report (a summary line, the whole document)."""


def report_baselined(reporter: Reporter, report: FileReport) -> None:
    """Hand a file's baselined diagnostics (the ones a baseline hid) to ``reporter``.

    Reporters that can mark a result as suppressed (SARIF) take them; every other reporter
    ignores them, as it always has. Call it before ``finish``, beside ``file``.
    """
    take = getattr(reporter, "baselined", None)
    if take is not None:
        take(report)


#: What a reporter's ``finish`` writes: the whole report (collected until then), a one-line
#: summary of the run, or nothing. A conversion run (``import``/``export``) calls ``finish``
#: only for a document and prints its own summary line in place of a reporter's.
Closing = Literal["document", "summary", "nothing"]


class ReporterEntry(msgspec.Struct, frozen=True):
    """One ``--format``: its name, where its class lives, what it is for, what ends it."""

    name: str
    #: ``"module:Class"``; the module is imported only when the format is chosen.
    target: str
    #: What the format is for, one line of Markdown (help texts, docs/ci.md).
    description: str
    closing: Closing


def _index(entries: Iterable[ReporterEntry]) -> dict[str, ReporterEntry]:
    """Entries by name; a name given twice (or taken by ``auto``) is a bug."""
    out: dict[str, ReporterEntry] = {}
    for entry in entries:
        if entry.name in out or entry.name == AUTO:
            raise RuntimeError(f"duplicate reporter name {entry.name!r}")
        out[entry.name] = entry
    return out


#: The name that picks a reporter by where corpuskit runs (:func:`resolve_format`).
AUTO = "auto"
AUTO_DESCRIPTION = "`github` when `GITHUB_ACTIONS=true`, else `text`"

#: ``--format`` name -> entry, in the order help texts and docs list them.
REPORTERS = _index(
    (
        ReporterEntry(
            "text",
            "corpuskit.reporters.text:TextReporter",
            "people at a terminal (source line, caret, text excerpt, help)",
            "summary",
        ),
        ReporterEntry(
            "concise",
            "corpuskit.reporters.concise:ConciseReporter",
            "one `PATH:LINE:COL: CODE message [severity] help: ...; fix (...): ...` line per "
            "problem (editors, problem matchers, the pre-commit hook)",
            "nothing",
        ),
        ReporterEntry(
            "github",
            "corpuskit.reporters.github:GithubReporter",
            "GitHub Actions annotations "
            "(`::error file=...,line=...,col=...,title=CODE name::message`)",
            "summary",
        ),
        ReporterEntry(
            "sarif",
            "corpuskit.reporters.sarif:SarifReporter",
            "SARIF 2.1.0 for GitHub code scanning and other viewers (at most 25,000 results, "
            "baselined problems as suppressed)",
            "document",
        ),
        ReporterEntry(
            "junit",
            "corpuskit.reporters.junit:JunitReporter",
            "JUnit XML (valid for Jenkins xunit and Ant): a testcase per file, a failure listing "
            "what fails the run, an error for a file that cannot be read",
            "document",
        ),
        ReporterEntry(
            "rdjson",
            "corpuskit.reporters.rdjson:RdjsonReporter",
            "reviewdog, to comment only on the changed lines of a pull request (byte columns, "
            "suggested changes for safe fixes)",
            "document",
        ),
        ReporterEntry(
            "gitlab",
            "corpuskit.reporters.gitlab:GitlabReporter",
            "GitLab Code Quality JSON (`artifacts:reports:codequality`), shown inline in merge requests",
            "document",
        ),
        ReporterEntry(
            "json",
            "corpuskit.reporters.json_report:JsonReporter",
            "a stable structure described by `schema/report.schema.json`",
            "document",
        ),
        ReporterEntry(
            "pylint",
            "corpuskit.reporters.pylint:PylintReporter",
            "pylint's parseable lines, `PATH:LINE: [CODE(rule-name), ANNOTATION] message` "
            "(Jenkins warnings plug-in, tools built for pylint)",
            "nothing",
        ),
    )
)
REPORTER_NAMES = (*REPORTERS, AUTO)


def resolve_format(name: str) -> str:
    """``auto`` is ``github`` inside GitHub Actions and ``text`` elsewhere."""
    if name == AUTO:
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return name


def reporter_class(name: str) -> type[Reporter]:
    """The reporter class for a ``--format`` name."""
    module, cls = REPORTERS[resolve_format(name)].target.split(":")
    __import__(module)  # not importlib.import_module: importing importlib costs a start ~1 ms
    found: type[Reporter] = getattr(sys.modules[module], cls)
    return found


def choices_help() -> str:
    """The ``--format`` choices in words, for help texts."""
    return f"{', '.join(REPORTERS)}, or {AUTO} (github inside GitHub Actions, else text)"


def markdown_table() -> str:
    """The ``--format`` table of docs/ci.md, made from the registry."""
    rows = ["| `--format` | for |", "|---|---|"]
    rows += [f"| `{e.name}` | {e.description} |" for e in REPORTERS.values()]
    rows.append(f"| `{AUTO}` (default) | {AUTO_DESCRIPTION} |")
    return "\n".join(rows) + "\n"
