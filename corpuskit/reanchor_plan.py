"""What ``reanchor`` moves the spans from and to: the old text, found, and the new text.

The spans point into the text whose sha256 the document stores (``text_sha256``). When the
document's own text still has that hash, it is the old text and the new one comes from
``--text FILE``. When it does not, the text was edited in place: the new text is the one now in
the document, and the old one is taken from git (the newest version of the document, from HEAD
back, whose text has the stored hash; or the version ``--from REF`` names) or from
``--old-text FILE``. A candidate old text is accepted when its sha256 is the stored one, or when
every span covers its stored text in it. Nothing here prints, exits or writes: problems are
:class:`PlanError` (the command exits 2 and writes nothing).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from corpuskit.diagnostics import CorpuskitError, DocumentError
from corpuskit.formats import format_module, format_of
from corpuskit.io import DEFAULT_LIMIT
from corpuskit.model import Document, text_sha256
from corpuskit.reanchor import misfits
from corpuskit.texts import (
    TextFileError,
    drop_editor_newline,
    newline_note,
    read_text_file,
    text_problem,
)

#: Seconds one git command may take.
GIT_TIMEOUT = 60

#: How many earlier versions of the document (commits that changed it) are searched for the
#: old text when HEAD's does not have the stored hash.
HISTORY_DEPTH = 20


class PlanError(CorpuskitError):
    """The old or the new text cannot be found or used; the message says what to do."""


class NothingToDo(CorpuskitError):
    """The document's text is the one its spans point into, and no new text was given."""


@dataclass(frozen=True, slots=True)
class Plan:
    """The text the spans point into, the text they move to, and where each came from."""

    old_text: str
    old_source: str
    new_text: str
    new_source: str
    #: Things done on the way that the command must say (a dropped final newline).
    notes: tuple[str, ...] = ()


def edited_in_place(doc: Document) -> bool:
    """Whether the document's text no longer has the stored hash (a draft with none: no)."""
    return bool(doc.text_sha256) and text_sha256(doc.text) != doc.text_sha256


def _fits(doc: Document, text: str) -> str | None:
    """How ``text`` shows itself to be the one the spans point into, or None if it is not."""
    if doc.text_sha256 and text_sha256(text) == doc.text_sha256:
        return "its sha256 is the stored text_sha256"
    bad, total = misfits(doc, text)
    if total and not bad:
        return f"all {total} span fragments cover their stored text in it"
    return None


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "--literal-pathspecs", *args],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise PlanError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise PlanError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "no message"


@dataclass(frozen=True, slots=True)
class GitPlace:
    """A file in a git work tree: the tree's top folder and the path from there (with /)."""

    top: Path
    path: str


def git_place(document: Path) -> GitPlace:
    """Where ``document`` is in its git work tree; PlanError outside one."""
    real = Path(os.path.realpath(document))
    done = _git(["rev-parse", "--show-toplevel"], real.parent)
    if done.returncode != 0:
        raise PlanError(f"{document} is not in a git work tree (git: {_last_line(done.stderr)})")
    # The folder's name followed by one newline (the name itself may hold any other byte).
    out = done.stdout[:-1] if done.stdout.endswith(b"\n") else done.stdout
    top = Path(os.path.realpath(os.fsdecode(out)))
    if not real.is_relative_to(top):
        raise PlanError(f"{document} is not inside the git work tree at {top}")
    return GitPlace(top, real.relative_to(top).as_posix())


def _commit(place: GitPlace, ref: str) -> str:
    if not ref or ref.startswith("-"):
        raise PlanError(f"invalid revision {ref!r}")
    done = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], place.top)
    if done.returncode != 0:
        raise PlanError(f"unknown revision {ref!r} (not a commit in the repository at {place.top})")
    return done.stdout.decode("ascii").strip()


def git_version(place: GitPlace, commit: str, limit: int) -> bytes:
    """The file's bytes in ``commit`` (no filters, no textconv), refused above ``limit``."""
    spec = f"{commit}:{place.path}"
    size = _git(["cat-file", "-s", spec], place.top)
    if size.returncode != 0:
        raise PlanError(f"{place.path} is not in {commit[:12]}")
    if int(size.stdout.strip() or b"0") > limit:
        raise PlanError(f"{place.path} in {commit[:12]} is over the size limit of {limit:,} bytes")
    blob = _git(["cat-file", "blob", spec], place.top)
    if blob.returncode != 0:
        raise PlanError(f"git cat-file failed: {_last_line(blob.stderr)}")
    return blob.stdout


def _history(place: GitPlace, count: int) -> list[str]:
    """The commits from HEAD back that changed the file, newest first (at most ``count``)."""
    done = _git(["rev-list", f"--max-count={count}", "HEAD", "--", place.path], place.top)
    if done.returncode != 0:
        return []
    return done.stdout.decode("ascii").split()


def _text_of(data: bytes, fmt: str, where: str) -> str:
    try:
        loaded: Document = format_module(fmt).loads(data)
    except DocumentError as exc:
        raise PlanError(f"{where} is not a valid document ({exc})") from None
    return loaded.text


def _from_git(doc: Document, document: Path, ref: str | None, limit: int) -> tuple[str, str]:
    """The old text from git: ``ref``'s version, or the newest whose text fits the spans."""
    fmt = format_of(document)
    assert fmt is not None
    place = git_place(document)
    if ref is not None:
        commit = _commit(place, ref)
        where = f"{ref}:{place.path}"
        text = _text_of(git_version(place, commit, limit), fmt, where)
        how = _fits(doc, text)
        if how is None:
            bad, total = misfits(doc, text)
            raise PlanError(
                f"{where} does not hold the text the spans point into: its sha256 is not the "
                f"stored text_sha256 and {bad} of {total} span fragments do not cover their "
                "stored text in it; name another version with --from REF or give the text "
                "with --old-text FILE"
            )
        return text, f"git {where} ({how})"
    found = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], place.top)
    if found.returncode != 0:
        raise PlanError(f"the repository at {place.top} has no commits yet")
    head = found.stdout.decode("ascii").strip()
    commits = [head, *(c for c in _history(place, HISTORY_DEPTH) if c != head)]
    tried = 0
    for commit in commits:
        try:
            data = git_version(place, commit, limit)
        except PlanError:
            continue
        tried += 1
        try:
            text = _text_of(data, fmt, f"{commit[:12]}:{place.path}")
        except PlanError:
            continue
        how = _fits(doc, text)
        if how is not None:
            label = "HEAD" if commit == head else commit[:12]
            return text, f"git {label}:{place.path} ({how})"
    if not tried:
        raise PlanError(f"{place.path} is not committed in git (not in HEAD or its history)")
    raise PlanError(
        f"no committed version of {place.path} (HEAD and up to {HISTORY_DEPTH} commits that "
        "changed it) has the text the spans point into"
    )


def _old_text_file(doc: Document, path: Path, root: Path | None, limit: int) -> tuple[str, str]:
    try:
        given = read_text_file(path, current="\n", root=root, limit=limit).text
    except TextFileError as exc:
        raise PlanError(str(exc)) from None
    # The editor may have added a final newline here too: the rule's reading first (against
    # the document's text), then the file as it is; a hash match beats spans that merely fit.
    trimmed, dropped = drop_editor_newline(given, doc.text)
    candidates = [(trimmed, f"; {newline_note(dropped, str(path))}" if dropped else "")]
    if dropped:
        candidates.append((given, ""))
    for text, note in candidates:
        if text_sha256(text) == doc.text_sha256:
            return text, f"{path} (its sha256 is the stored text_sha256{note})"
    for text, note in candidates:
        how = _fits(doc, text)
        if how is not None:
            return text, f"{path} ({how}{note})"
    bad, total = misfits(doc, given)
    raise PlanError(
        f"{path} is not the text the spans point into: its sha256 is not the stored "
        f"text_sha256 and {bad} of {total} span fragments do not cover their stored text in it"
    )


def make_plan(
    doc: Document,
    document: Path,
    *,
    text_file: Path | None = None,
    ref: str | None = None,
    old_text_file: Path | None = None,
    root: Path | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Plan:
    """Find the old and the new text for ``reanchor``; raise PlanError or NothingToDo."""
    if ref is not None and old_text_file is not None:
        raise PlanError("give the old text one way: --from REF or --old-text FILE, not both")
    in_place = edited_in_place(doc)
    if old_text_file is not None:
        old_text, old_source = _old_text_file(doc, old_text_file, root, limit)
    elif ref is not None or in_place:
        try:
            old_text, old_source = _from_git(doc, document, ref, limit)
        except PlanError as exc:
            if ref is not None:
                raise
            raise PlanError(
                f"{document}: the text was edited in place (text_sha256 no longer matches it), "
                f"and the text the spans point into cannot be found: {exc}. Give that text "
                "with --old-text FILE, or the git version that has it with --from REF"
            ) from None
    elif text_file is None:
        bad, total = misfits(doc, doc.text)
        if not bad:
            raise NothingToDo(
                f"{document}: the text has its stored hash and every span fits it: nothing to "
                "re-anchor (to move the spans onto a corrected text, give it with --text FILE)"
            )
        raise PlanError(
            f"{document}: the text has its stored hash, so it was not edited in place, but "
            f"{bad} of {total} span fragments do not cover their stored text (O003 in "
            "corpuskit validate). Spans an earlier reanchor listed for review are corrected by "
            "hand; if the text was edited in place and its hash updated, name the git version "
            "with the old text with --from REF, or give that text with --old-text FILE"
        )
    else:
        old_text, old_source = doc.text, f"{document} (its sha256 is the stored text_sha256)"
    notes: list[str] = []
    if text_file is not None:
        try:
            new = read_text_file(text_file, current=old_text, root=root, limit=limit)
        except TextFileError as exc:
            raise PlanError(str(exc)) from None
        new_text, new_source = new.text, str(text_file)
        if new.dropped:
            notes.append(newline_note(new.dropped, str(text_file)))
    else:
        new_text = doc.text
        # The same checks as a text from a file: moving spans onto a text the validator
        # refuses would only write a document that fails.
        problem = text_problem(new_text)
        if problem is not None:
            raise PlanError(
                f"{document}: the text now in it {problem}; correct it there, then run "
                "corpuskit reanchor again"
            )
        edited = "edited in place" if in_place else "as it is"
        new_source = f"the text now in {document} ({edited}; kept byte for byte)"
    return Plan(old_text, old_source, new_text, new_source, tuple(notes))
