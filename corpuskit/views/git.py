"""The documents a git revision range changed, and their two versions' bytes.

``git`` runs as a subprocess (porcelain-free plumbing where there is one, NUL-separated
output), so paths with spaces or non-ASCII characters come through intact.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from corpuskit.diagnostics import CorpuskitError
from corpuskit.formats import format_of

#: Seconds one git command may take before corpuskit gives up on it.
GIT_TIMEOUT = 120


class GitError(CorpuskitError):
    """git is missing, this is not a repository, or a revision is unknown (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Revisions:
    """What to compare: ``old`` against ``new`` (None: the working tree)."""

    old: str
    new: str | None


@dataclass(frozen=True, slots=True)
class ChangedFile:
    """A document file a range changed: git's status letter and its path in each version."""

    status: str
    old_path: str | None
    new_path: str | None


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def repository_root(cwd: Path) -> Path:
    """The top folder of the git work tree containing ``cwd``; GitError outside one."""
    try:
        out = _git(["rev-parse", "--show-toplevel"], cwd)
    except GitError as exc:
        if str(exc).startswith("git is not installed"):
            raise
        raise GitError(f"{cwd} is not inside a git work tree (--git needs one)") from None
    return Path(out.decode("utf-8").strip())


def _commit(rev: str, root: Path) -> str:
    try:
        return (
            _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root).decode().strip()
        )
    except GitError:
        raise GitError(f"unknown revision {rev!r} (not a commit in this repository)") from None


def parse_revisions(spec: str, root: Path) -> Revisions:
    """``REF`` (against the working tree), ``A..B`` or ``A...B`` (from their merge base).

    Each revision is checked; an empty side means HEAD, as in git.
    """
    if not spec or spec.startswith("-"):
        raise GitError(f"invalid revision {spec!r}")
    if "..." in spec:
        left, right = spec.split("...", 1)
        left, right = left or "HEAD", right or "HEAD"
        _commit(left, root)
        _commit(right, root)
        base = _git(["merge-base", left, right], root).decode().strip()
        return Revisions(base, right)
    if ".." in spec:
        left, right = spec.split("..", 1)
        left, right = left or "HEAD", right or "HEAD"
        _commit(left, root)
        _commit(right, root)
        return Revisions(left, right)
    _commit(spec, root)
    return Revisions(spec, None)


def changed_documents(
    root: Path, revisions: Revisions, pathspecs: list[str] | None = None
) -> list[ChangedFile]:
    """The .json and .xml files that differ between the revisions (renames followed)."""
    args = ["diff", "--name-status", "-z", "--find-renames", "--no-ext-diff", "--no-textconv"]
    args.append(revisions.old)
    if revisions.new is not None:
        args.append(revisions.new)
    args += ["--", *(pathspecs or [":(glob)**/*.json", ":(glob)**/*.xml"])]
    fields = _git(args, root).decode("utf-8", "surrogateescape").split("\0")
    out: list[ChangedFile] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][0]
        old_path: str | None
        new_path: str | None
        if status in "RC":
            old_path, new_path = fields[i + 1], fields[i + 2]
            i += 3
        else:
            old_path = new_path = fields[i + 1]
            i += 2
        if status == "A":
            old_path = None
        elif status == "D":
            new_path = None
        if any(p is not None and format_of(p) for p in (old_path, new_path)):
            out.append(ChangedFile(status, old_path, new_path))
    return out


def read_version(root: Path, revision: str | None, path: str) -> bytes:
    """A file's bytes at ``revision``, or in the working tree when it is None."""
    if revision is None:
        from corpuskit.io import RefusedPath, read_input

        try:
            # A committed link to /proc/self/environ or out of the repository is not followed.
            return read_input(root / path, root=root)
        except RefusedPath as exc:
            raise GitError(f"{path}: not read: {exc.reason}") from None
        except OSError as exc:
            raise GitError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return _git(["cat-file", "blob", f"{revision}:{path}"], root)
