"""Applying fixes to files: exactly the fixes ``validate`` reports, written safely or not at all.

A file is rewritten only when the fixed document parses, passes the schema, keeps every
annotation and has no more errors than before; the write is atomic, keeps the file's mode, and
is abandoned when the file changed while it was being fixed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from msgspec.structs import replace as struct_replace

from corpuskit.diagnostics import Severity
from corpuskit.engine import FileReport, Settings, check_bytes
from corpuskit.fixes import Fix, apply_fixes
from corpuskit.formats import format_module, format_of
from corpuskit.formats import schema as S
from corpuskit.formats.records import canonical_record
from corpuskit.model import ANNOTATION_KINDS
from corpuskit.rules import layout

#: Fixing can uncover more fixable problems (after NFC, spans can be re-anchored): a few rounds.
MAX_ROUNDS = 5


@dataclass(frozen=True, slots=True)
class FixOutcome:
    """What fixing one file did."""

    path: str
    #: Number of fixes applied.
    fixed: int
    #: The problems left after fixing (what ``validate`` would now report).
    remaining: FileReport
    original: str | None = None
    #: The new content, when it differs from the original.
    fixed_text: str | None = None
    #: Why nothing was written although fixes were found, if so.
    refused: str | None = None
    written: bool = False

    def diff(self) -> str:
        """A unified diff of the change, safe to print (empty when nothing changes)."""
        return self.shown_diff()[0]

    def shown_diff(self) -> tuple[str, bool]:
        """The unified diff, safe for a terminal or a CI log, and whether it is exact.

        The diff is for people (in CI, rely on the exit code). It stays an applicable patch
        unless the document holds control, bidi or line-separator characters: those are shown
        escaped (``\\x1b``, ``\\u202e``) and the diff is then not exact. A context line whose
        text would start, after whitespace, like a CI workflow command (``::``, ``##[``) is
        written as the same line removed and added, which applies the same.
        """
        from corpuskit.reporters.escape import visible

        if self.fixed_text is None or self.original is None:
            return "", True
        lines = difflib.unified_diff(
            _lines(self.original),
            _lines(self.fixed_text),
            fromfile=f"a/{visible(self.path)}",
            tofile=f"b/{visible(self.path)}",
        )
        out: list[str] = []
        exact = True
        for line in lines:
            body = line.removesuffix("\n")
            # As diff(1) does, so that the patch applies: mark a last line without its newline.
            end = "\n" if body != line else "\n\\ No newline at end of file\n"
            if body.endswith("\r"):  # a CRLF line ending is kept as it is
                body, end = body[:-1], "\r" + end
            shown = visible(body)
            exact = exact and shown == body
            if shown[:1] == " " and shown[1:].lstrip()[:2] in ("::", "##"):
                out += [f"-{shown[1:]}{end}", f"+{shown[1:]}{end}"]
            else:
                out.append(shown + end)
        return "".join(out), exact


def _lines(text: str) -> list[str]:
    """``text`` split after each LF only (str.splitlines also breaks at U+2028, FF, ...)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _errors(report: FileReport) -> int:
    return sum(d.severity is Severity.ERROR for d in report.diagnostics)


def _annotation_count(record: dict[str, Any]) -> int:
    return sum(len(record.get(kind) or ()) for kind in ANNOTATION_KINDS)


def fix_bytes(
    data: bytes, name: str, settings: Settings | None = None, *, unsafe: bool = False
) -> FixOutcome:
    """Fix one document given as bytes (nothing is written)."""
    settings = settings or Settings()
    # fix always writes the canonical layout, so it reports (and repairs) L001 as well.
    settings = struct_replace(
        settings, extend_select=settings.extend_select | {layout.NOT_CANONICAL.code}
    )
    fmt = format_of(name) or "json"
    module = format_module(fmt)
    report = check_bytes(data, name, settings)
    try:
        original = data.decode("utf-8")
    except UnicodeDecodeError:
        return FixOutcome(name, 0, report)
    current = original
    fixed = 0
    for _ in range(MAX_ROUNDS):
        fixes: list[Fix] = [
            d.fix for d in report.diagnostics if d.fix is not None and (d.fix.safe or unsafe)
        ]
        if not fixes:
            break
        record = module.parse(current.encode("utf-8")).record
        if not isinstance(record, dict):
            break
        new_record, applied = apply_fixes(record, fixes)
        if S.check_record(new_record):
            return FixOutcome(
                name, fixed, report, original, None, "the fixed document would not pass the schema"
            )
        if _annotation_count(new_record) != _annotation_count(record):
            return FixOutcome(
                name, fixed, report, original, None, "a fix would have removed an annotation"
            )
        # Written through the model, keeping what a draft still lacks (an ambiguous span given
        # by its text stays as it is, for the annotator to choose).
        text = module.dumps_record(canonical_record(new_record))
        new_report = check_bytes(text.encode("utf-8"), name, settings)
        if _errors(new_report) > _errors(report):
            return FixOutcome(name, fixed, report, original, None, "the fixes would add errors")
        fixed += applied
        if text == current:
            report = new_report
            break
        current, report = text, new_report
    changed = current if current != original else None
    return FixOutcome(name, fixed, _without_layout(report), original, changed)


def _without_layout(report: FileReport) -> FileReport:
    kept = tuple(d for d in report.diagnostics if d.code != layout.NOT_CANONICAL.code)
    return struct_replace(report, diagnostics=kept)


def keep_conventions(data: bytes, text: str) -> str:
    """``text`` (as corpuskit writes it) with the line ends and final newline of ``data``."""
    # CRLF line ends and a missing final newline survive a fix.
    if b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n"):
        text = text.replace("\n", "\r\n")
    if not data.endswith(b"\n"):
        text = text.rstrip("\r\n")
    return text


def fix_file(
    path: Path,
    settings: Settings | None = None,
    *,
    unsafe: bool = False,
    write: bool = True,
    root: Path | None = None,
) -> FixOutcome:
    """Fix one file, writing it (atomically) when ``write`` and something changed.

    Reads and writes go through :mod:`corpuskit.io`: a link (to the file or a folder on the
    way) leading out of ``root`` is refused, so is anything but a regular file, and a read-only
    file is left alone. A failed write (full disk, read-only folder) is reported, never raised.
    """
    from corpuskit.engine import read_document
    from corpuskit.io import RefusedPath, check_writable, write_atomic

    name = str(path)
    settings = struct_replace(settings or Settings(), root=root) if root is not None else settings
    data = read_document(path, settings)
    if isinstance(data, FileReport):
        return FixOutcome(name, 0, data)  # reports why it is not read
    if write:
        try:
            check_writable(path, root)
        except RefusedPath as exc:
            return FixOutcome(name, 0, check_bytes(data, name, settings), refused=exc.reason)
    outcome = fix_bytes(data, name, settings, unsafe=unsafe)
    if outcome.fixed_text is None:
        return outcome
    text = keep_conventions(data, outcome.fixed_text)
    outcome = replace(outcome, fixed_text=text if text != outcome.original else None)
    if not write or outcome.fixed_text is None:
        return outcome
    again = read_document(path, settings)
    if again != data:
        return replace(outcome, refused="the file changed while it was being fixed; run fix again")
    try:
        write_atomic(path, outcome.fixed_text, root=root)
    except RefusedPath as exc:
        return replace(outcome, refused=exc.reason)
    except OSError as exc:
        return replace(outcome, refused=f"cannot write: {exc.strerror or exc}")
    return replace(outcome, written=True)
