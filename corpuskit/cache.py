"""A cache of check results keyed by file content, settings, scheme and corpuskit version.

An unchanged document checked with the same settings and scheme is not checked again: its
diagnostics are read back. Entries are written atomically; a damaged entry is a miss.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from corpuskit import __version__
from corpuskit.diagnostics import Diagnostic, Excerpt, Severity
from corpuskit.engine import FileReport
from corpuskit.fixes import Fix

#: Bumped when the stored form changes.
CACHE_FORMAT = "2"


class ResultCache:
    """Results on disk under ``folder``, one small file per (content, settings) key."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = f"{CACHE_FORMAT}|{__version__}|{code_fingerprint()}|{salt}"

    def key(self, display: str, data: bytes) -> str:
        """The key of a document's result: its name, its bytes and everything that matters."""
        digest = hashlib.sha256()
        for part in (self.salt.encode(), b"\0", display.encode(), b"\0", data):
            digest.update(part)
        return digest.hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key[2:]}.json"

    def get(self, key: str) -> FileReport | None:
        """The stored result, or None."""
        try:
            raw = self._file(key).read_bytes()
            return _report_from(orjson.loads(raw))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, report: FileReport) -> None:
        """Store a result; failures to write are ignored (the cache is only an accelerator)."""
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _gitignore(self.folder)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(orjson.dumps(_report_to(report)))
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(Exception):
                os.unlink(tmp)


class StatIndex:
    """(settings, file) -> (size, mtime, result key): a warm run stats files instead of reading them.

    A file whose size and modification time are unchanged since its result was stored is not
    read at all. Only the main process reads and writes the index (one small file).
    """

    def __init__(self, folder: Path) -> None:
        self.file = folder / f"index-{CACHE_FORMAT}b-{code_fingerprint()}.json"
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        try:
            loaded = orjson.loads(self.file.read_bytes())
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, ValueError):
            pass

    @staticmethod
    def _name(fingerprint: str, path: Path) -> str:
        return hashlib.sha256(fingerprint.encode()).hexdigest()[:16] + "|" + str(path.resolve())

    def get(self, fingerprint: str, path: Path) -> str | None:
        """The result key of an unchanged file, or None."""
        entry = self.entries.get(self._name(fingerprint, path))
        if entry is None:
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        # ctime too: copying with cp -p or tar can restore size and mtime, never ctime.
        current = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]
        return str(entry[3]) if entry[:3] == current else None

    def put(self, fingerprint: str, path: Path, stamp: tuple[int, int, int], key: str) -> None:
        """Remember a file's result key with the stat (size, mtime, ctime) it had when read."""
        self.entries[self._name(fingerprint, path)] = [*stamp, key]
        self.dirty = True

    def save(self) -> None:
        """Write the index (atomically) if it changed."""
        if not self.dirty:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            _gitignore(self.file.parent)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(orjson.dumps(self.entries))
            os.replace(tmp, self.file)
        except OSError:
            pass


@functools.cache
def code_fingerprint() -> str:
    """Size and modification time of corpuskit's own files and schemas.

    The version alone would keep stale results when corpuskit is installed from a checkout and
    edited; a few dozen stat calls per run are cheap.
    """
    import corpuskit
    from corpuskit.rules.schema import schema_dir

    package = Path(corpuskit.__file__).parent
    files = sorted(
        [*package.rglob("*.py"), *schema_dir().glob("*.json"), *schema_dir().glob("*.xsd")]
    )
    digest = hashlib.sha256()
    for f in files:
        stat = f.stat()
        digest.update(f"{f.name}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _gitignore(folder: Path) -> None:
    marker = folder / ".gitignore"
    if not marker.exists():
        marker.write_text("# Created by corpuskit: the cache is never committed.\n*\n")


def _report_to(report: FileReport) -> dict[str, Any]:
    return {
        "path": report.path,
        "document_id": report.document_id,
        "unreadable": report.unreadable,
        "diagnostics": [dataclasses.asdict(d) for d in report.diagnostics],
    }


def _report_from(raw: dict[str, Any]) -> FileReport:
    diagnostics = []
    for d in raw["diagnostics"]:
        excerpt = Excerpt(**d["excerpt"]) if d.get("excerpt") else None
        fix = Fix.from_dict(d["fix"]) if d.get("fix") else None
        diagnostics.append(
            Diagnostic(**{**d, "severity": Severity(d["severity"]), "excerpt": excerpt, "fix": fix})
        )
    return FileReport(raw["path"], tuple(diagnostics), raw["document_id"], raw["unreadable"])
