"""A cache of check results in one SQLite file, keyed by content, settings and corpuskit itself.

An unchanged document checked with the same settings and scheme is not checked again: its
diagnostics are read back. One store per cache folder (:data:`STORE_NAME`) rather than one file
per result: SQLite commits atomically, lets the worker processes read while the main process
writes, and makes the total size something we can measure and bound. Only the main process
writes.

What an entry must prove before it is used:
- its key is the digest of (corpuskit's code, the settings, the name, the bytes), so any change
  to what decides a result is a miss;
- it names the BLAKE3 digest of the bytes it describes, and a read by content checks it;
- its seal is the digest of (key, content digest, stored result): an entry edited by hand (say
  ``"diagnostics": []``) no longer matches its seal and is ignored.

Entries unused for longest are pruned when the store grows past :data:`MAX_BYTES`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
from blake3 import blake3

from corpuskit import __version__
from corpuskit.diagnostics import Diagnostic, Excerpt, Severity
from corpuskit.engine import FileReport
from corpuskit.fixes import Fix

#: Bumped when the stored form changes.
CACHE_FORMAT = "6"
#: The store's name inside the cache folder.
STORE_NAME = f"results-v{CACHE_FORMAT}.sqlite"
#: Past this many bytes of stored results, the entries unused for longest are deleted.
MAX_BYTES = 256 * 1024 * 1024
#: Pruning stops when the store is back under this share of MAX_BYTES.
PRUNE_TO = 0.8

# Keys, digests, seals and names are 32-byte digests, stored as they are (not as 64 hex
# characters). The stat index is WITHOUT ROWID: one B-tree ordered by its name, where a rowid
# table also keeps an index of the names beside it. The results are not: a failing document's
# payload runs to kilobytes, and a WITHOUT ROWID B-tree keeps whole rows in its inner nodes too
# (5,000 results of 7.7 KB: 117 us a row to write, 79 to read, 92 MB, against 43, 40 and 41 MB
# in a rowid table; the same for clean results of 73 bytes).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key BLOB PRIMARY KEY,
    digest BLOB NOT NULL,
    payload BLOB NOT NULL,
    seal BLOB NOT NULL,
    used INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS stats (
    name BLOB PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime INTEGER NOT NULL,
    ctime INTEGER NOT NULL,
    key BLOB NOT NULL
) WITHOUT ROWID;
"""

#: What the stat index learns about a file: (size, mtime, ctime).
StatStamp = tuple[int, int, int]


#: Rows kept back before one write of them all.
_BATCH = 512
#: Diagnostics kept back (in reports not yet written) before a write.
_HELD = 20_000


#: BLAKE3 hashes 1 KiB chunks many at a time (16 with AVX-512, 8 with AVX2), in subtrees whose
#: sizes are the powers of two that add up to the input: a file just short of a 16 KiB boundary
#: is hashed in many small, narrow subtrees. Zeros up to the boundary make them one wide one.
_LANES = 16 * 1024
#: Past a boundary, a tail this long or shorter is hashed as it is (padding it costs more).
_SHORT_TAIL = 4 * 1024
_ZEROS = memoryview(bytes(_LANES))  # sliced without a copy


def content_digest(data: bytes) -> bytes:
    """A document's bytes digested by BLAKE3 (32 bytes; what an entry must name).

    What is hashed is the bytes, zeros up to a 16 KiB boundary when the last part past one is
    longer than 4 KiB, and the bytes' length (8 bytes, little-endian): the length at the end
    tells where the bytes stop, so no two files give the same input and any collision of this
    digest would be one of BLAKE3's. The zeros make a 31 KB file hash in 6 us, not 11.
    """
    size = len(data)
    tail = size % _LANES
    length = size.to_bytes(8, "little")
    if tail > _SHORT_TAIL:
        # One buffer: fed in two calls, the bytes would be hashed before the zeros are seen.
        return blake3(b"".join((data, _ZEROS[: _LANES - tail], length))).digest()
    hasher = blake3(data)
    hasher.update(length)
    return hasher.digest()


def _seal(key: bytes, digest: bytes, payload: bytes) -> bytes:
    return hashlib.sha256(b"\0".join((key, digest, payload))).digest()


# msgspec's JSON, not orjson: a run of valid documents without the cache imports no orjson
# (documents decode with msgspec), and orjson's import brings json and dataclasses (inspect, ast,
# dis), ~8 ms of a cached run's start.
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode

#: A row as bound to the INSERT: the bytes as bytearrays, since sqlite3 binds str, int, float and
#: bytearray as they are but first looks for an adapter for any other value, bytes included
#: (inserting a first run's rows took twice as long with bytes).
_Bound = tuple[bytearray, bytearray, bytearray, bytearray, int]


def _row(key: bytes, digest: bytes, report: FileReport, used: int) -> _Bound | None:
    """A result's row (key, digest, payload, seal, used), or None when it cannot be stored."""
    try:
        # The report Struct as it is: the same JSON object as its msgspec.to_builtins form, with
        # no dictionaries built first (0.15 us for a clean report against 0.29; 0.57 against
        # 2.18 with two diagnostics).
        payload = _encode(report)
    except (TypeError, ValueError):
        return None  # a name that is not UTF-8 cannot be stored: the file is simply not cached
    seal = _seal(key, digest, payload)
    return bytearray(key), bytearray(digest), bytearray(payload), bytearray(seal), used


class ResultStore:
    """The results of one cache folder; open it in each process that reads it."""

    def __init__(self, folder: Path, *, writer: bool = False) -> None:
        self.folder = folder
        self.file = folder / STORE_NAME
        self.writer = writer
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._used: dict[bytes, int] = {}
        # Rows written in batches (one executemany per few hundred files, not two statements
        # per file); lookups see them before they reach the database. A result is kept as its
        # report and serialised and sealed with the rest of its batch: in one tight loop, not
        # between two documents' checks, which leave little of this code and data in the CPU
        # caches (the same work cost twice as much done file by file).
        self._results: dict[bytes, tuple[bytes, FileReport]] = {}
        #: Diagnostics held by the reports of ``_results`` (a batch of large reports is written
        #: early, so that what is kept back stays small).
        self._held = 0
        #: The store held nothing when opened (a first run): lookups answer from the rows kept
        #: back only, never with a query (a row this run has written already is simply not
        #: found again: a second check of a file named twice, never a wrong result).
        self._empty = False
        self._stats: dict[bytes, tuple[bytes, int, int, int, bytes]] = {}
        #: Bytes of payload this connection has written.
        self._stored = 0

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self._broken:
            return self._db
        try:
            if not _plain_files(self.folder):
                self._broken = True  # links or special files committed into the cache folder
                return None
            if self.writer:
                self.folder.mkdir(parents=True, exist_ok=True)
                _gitignore(self.folder)
                _drop_other_formats(self.folder)
            elif not self.file.is_file():
                return None
            db = sqlite3.connect(self.file, timeout=30, isolation_level=None)
            db.execute("PRAGMA trusted_schema=OFF")
            if not _only_our_tables(db):
                db.close()
                self._broken = True  # views, triggers or other tables: not a store we wrote
                return None
            # 16 KiB pages for a new store (an existing one keeps its own): a first run writes
            # its rows ~20 % faster than with 4 KiB pages, and lookups cost the same.
            db.execute("PRAGMA page_size=16384")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            if self.writer:
                db.executescript(_SCHEMA)
            self._empty = bool(
                db.execute(
                    "SELECT NOT EXISTS (SELECT 1 FROM results) AND NOT EXISTS (SELECT 1 FROM stats)"
                ).fetchone()[0]
            )
            self._db = db
        except (OSError, sqlite3.Error):
            self._broken = True  # the cache only accelerates: a broken store is no cache
        return self._db

    def get(self, key: bytes, digest: bytes | None = None) -> FileReport | None:
        """The stored result for ``key`` (and, when given, for bytes with this digest), or None."""
        db = self._connect()
        if db is None:
            return None
        pending = self._results.get(key)
        if pending is not None:
            # Read back through the stored form, as from the database (a report that cannot be
            # stored is not found).
            row: Any = _row(key, *pending, 0)
            if row is None:
                return None
            row = row[1:4]
        elif self._empty:
            return None
        else:
            try:
                row = db.execute(
                    "SELECT digest, payload, seal FROM results WHERE key = ?", (bytearray(key),)
                ).fetchone()
            except sqlite3.Error:
                return None
        if row is None:
            return None
        stored_digest, payload, seal = row
        if digest is not None and stored_digest != digest:
            return None
        try:
            # A store from elsewhere may hold other types than we write (a TypeError here), and
            # anyone can seal a row (the seal has no secret): a payload that is not JSON, nests
            # too deep or is no report of ours is a miss, never a crash.
            if seal != _seal(key, stored_digest, payload):
                return None
            report = _report_from(_decode(payload))
        except (RecursionError, ValueError, KeyError, TypeError, AttributeError):
            return None  # (msgspec's DecodeError is a ValueError)
        self._used[key] = int(time.time())
        return report

    def put(self, key: bytes, digest: bytes, report: FileReport) -> None:
        """Store a result (main process only); failures are ignored."""
        db = self._connect()
        if db is None:
            return
        self._results[key] = (digest, report)
        self._held += len(report.diagnostics)
        if len(self._results) >= _BATCH or self._held >= _HELD:
            self._flush(db)

    def stat_key(self, name: bytes, stamp: StatStamp) -> bytes | None:
        """The result key of a file whose (size, mtime, ctime) are unchanged, or None."""
        db = self._connect()
        if db is None:
            return None
        pending = self._stats.get(name)
        if pending is not None:
            row: Any = pending[1:]
        elif self._empty:
            return None
        else:
            try:
                row = db.execute(
                    "SELECT size, mtime, ctime, key FROM stats WHERE name = ?", (bytearray(name),)
                ).fetchone()
            except sqlite3.Error:
                return None
        if row is None or tuple(row[:3]) != stamp or not isinstance(row[3], bytes):
            return None
        return row[3]

    def learn(self, name: bytes, stamp: StatStamp, key: bytes) -> None:
        """Remember which result a file had with this (size, mtime, ctime)."""
        db = self._connect()
        if db is None:
            return
        self._stats[name] = (name, *stamp, key)
        if len(self._stats) >= _BATCH:
            self._flush(db)

    def _flush(self, db: sqlite3.Connection) -> None:
        """Write the rows kept back (failures are ignored: the cache only accelerates)."""
        now = int(time.time())
        rows = [_row(key, digest, report, now) for key, (digest, report) in self._results.items()]
        results = [row for row in rows if row is not None]
        stats = [
            (bytearray(n), size, mtime, ctime, bytearray(k))
            for n, size, mtime, ctime, k in self._stats.values()
        ]
        self._results, self._stats, self._held = {}, {}, 0
        self._stored += sum(len(row[2]) for row in results)
        with contextlib.suppress(sqlite3.Error):
            db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", results)
        with contextlib.suppress(sqlite3.Error):
            db.executemany("INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?, ?)", stats)

    def begin(self) -> None:
        """Start a transaction (writes are committed together by :meth:`close`)."""
        self.open_for_writing()

    def open_for_writing(self) -> bool:
        """Open the store and start the run's transaction; False when it cannot be used."""
        db = self._connect()
        if db is None:
            return False
        with contextlib.suppress(sqlite3.Error):
            db.execute("BEGIN")
        return True

    @staticmethod
    def identify(salt: str, name: bytes, data: bytes) -> tuple[bytes, bytes, bytes]:
        """:func:`identify` (for callers that hold a store, not this module)."""
        return identify(salt, name, data)

    def answers_nothing(self) -> bool:
        """Whether the store held nothing when opened (a first run): only what this run
        writes can be found, so looking every file up first is wasted work."""
        return self._connect() is None or self._empty

    def record(
        self,
        name: bytes,
        stamp: StatStamp,
        key: bytes,
        digest: bytes,
        report: FileReport,
        new: bool,
    ) -> None:
        """:meth:`put` the result when it is ``new``, and :meth:`learn` the file's stamp."""
        # Both inline: this runs once per file of a run.
        db = self._connect()
        if db is None:
            return
        if new:
            self._results[key] = (digest, report)
            self._held += len(report.diagnostics)
        else:
            # A hit a pool worker found (its store only reads): used now, for the pruning.
            self._used[key] = int(time.time())
        self._stats[name] = (name, *stamp, key)
        if len(self._stats) >= _BATCH or len(self._results) >= _BATCH or self._held >= _HELD:
            self._flush(db)

    def close(self, max_bytes: int = MAX_BYTES) -> None:
        """Commit, record which entries were used, prune past ``max_bytes``, and close."""
        db = self._db
        if db is None:
            return
        if self._results or self._stats:
            self._flush(db)
        with contextlib.suppress(sqlite3.Error):
            if self.writer:
                if not db.in_transaction:
                    db.execute("BEGIN")
                db.executemany(
                    "UPDATE results SET used = ? WHERE key = ?",
                    [(used, bytearray(key)) for key, used in self._used.items()],
                )
                db.execute("COMMIT")
                # A store that held nothing when opened holds what this run wrote (and what a
                # run beside it wrote, left to the next run to prune): within the bound, no
                # need to read every row to add their sizes up.
                if not self._empty or self._stored > max_bytes:
                    self._prune(db, max_bytes)
        db.close()
        self._db = None

    @staticmethod
    def _prune(db: sqlite3.Connection, max_bytes: int) -> None:
        total = db.execute("SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM results").fetchone()[0]
        if not isinstance(total, int) or total <= max_bytes:
            return
        target = int(max_bytes * PRUNE_TO)
        db.execute("BEGIN")
        for key, size in db.execute(
            "SELECT key, COALESCE(LENGTH(payload), 0) FROM results ORDER BY used, key"
        ).fetchall():
            if total <= target:
                break
            db.execute("DELETE FROM results WHERE key = ?", (key,))
            total -= size
        db.execute("DELETE FROM stats WHERE key NOT IN (SELECT key FROM results)")
        db.execute("COMMIT")
        db.execute("VACUUM")

    def size(self) -> int:
        """Bytes of stored results (for tests and the benchmark)."""
        db = self._connect()
        if db is None:
            return 0
        return int(
            db.execute("SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM results").fetchone()[0]
        )


def result_key(salt: str, name: bytes, digest: bytes) -> bytes:
    """The key of a document's result (the sha256 of corpuskit's code, the settings, its name,
    the file as found, ``os.fsencode``d, and its bytes by :func:`content_digest`, which the
    entry names too: hashed once)."""
    hasher = _prefixes(code_fingerprint(), salt)[0].copy()
    hasher.update(b"\0".join((name, digest)))
    return hasher.digest()


def stat_name(fingerprint: str, name: bytes) -> bytes:
    """The stat index's name for (corpuskit's code, settings, file as found).

    ``name`` is the file as found (``os.fsencode(io.found_name(path))``), not its target: a
    link is its own entry (it may be refused where its target is not, and its name picks
    another format), and a name that is not UTF-8 is hashed.
    """
    # The code fingerprint too: otherwise an unchanged file keeps the result an older corpuskit
    # gave it, since the stat hit skips the result key that does carry the code fingerprint.
    hasher = _prefixes(code_fingerprint(), fingerprint)[1].copy()
    hasher.update(name)
    return hasher.digest()


def identify(salt: str, name: bytes, data: bytes) -> tuple[bytes, bytes, bytes]:
    """(:func:`content_digest`, :func:`result_key`, :func:`stat_name`) of a document's bytes
    under the settings fingerprinted ``salt``, found as ``name``: what a file read for a
    check needs, in one call."""
    # result_key and stat_name inline, from one look-up of their hashers' common starts: this
    # runs once per file of a run, and the file's bytes are hashed once, here. That hash is most
    # of a first run's cost per file, and nothing weaker than a collision-resistant hash of the
    # bytes may key a result (a cache restored from another branch's run could otherwise give a
    # crafted file the clean result of another). BLAKE3 is one: 6 us for a 31 KB file (see
    # content_digest) where sha256 takes 19 (SHA-NI, as fast as `openssl speed`; blake2b and
    # sha512 are slower still), on one thread (blake3's max_threads defaults to 1). The key and
    # the name hash a few dozen bytes, where sha256 is the quicker (0.5 us against 0.7).
    digest = content_digest(data)
    key_start, name_start = _prefixes(code_fingerprint(), salt)
    key = key_start.copy()
    key.update(b"\0".join((name, digest)))
    found = name_start.copy()
    found.update(name)
    return digest, key.digest(), found.digest()


# The hashes of every file's key and stat name start alike within a run: each common prefix is
# hashed once and the hasher copied (keyed on the code fingerprint too, so that a changed one,
# or a test's stand-in, is never answered from an older prefix).
@functools.lru_cache(maxsize=64)
def _prefixes(code: str, salt: str) -> tuple[hashlib._Hash, hashlib._Hash]:
    return (
        hashlib.sha256(f"{CACHE_FORMAT}|{__version__}|{code}|{salt}\0".encode()),
        hashlib.sha256(f"{code}|{salt}\0".encode()),
    )


@functools.cache
def code_fingerprint() -> str:
    """Size and modification time of corpuskit's own files and schemas.

    The version alone would keep stale results when corpuskit is installed from a checkout and
    edited; a few dozen stat calls per run are cheap.
    """
    import corpuskit
    from corpuskit.formats import schema_dir

    # os.scandir, not Path.rglob and glob: the same files for a third of the time (0.7 ms against
    # 2.3, every cached run, a warm one too), the entries' names at hand.
    schemas = (e for e in os.scandir(schema_dir()) if e.name.endswith((".json", ".xsd")))
    files = sorted([*_sources(os.path.dirname(corpuskit.__file__)), *schemas], key=_path)
    digest = hashlib.sha256()
    for f in files:
        info = f.stat()
        digest.update(f"{f.name}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _sources(folder: str) -> Iterator[os.DirEntry[str]]:
    """The ``*.py`` files below ``folder``, as ``Path.rglob`` finds them (not through links to
    folders)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _sources(entry.path)
            elif entry.name.endswith(".py"):
                yield entry


def _path(entry: os.DirEntry[str]) -> str:
    return entry.path


#: What a store we wrote holds: two tables and the index of the results' keys (the stat index
#: is WITHOUT ROWID: no index of its own), nothing else.
_OUR_OBJECTS = {("table", "results"), ("table", "stats"), ("index", "sqlite_autoindex_results_1")}


def _only_our_tables(db: sqlite3.Connection) -> bool:
    """Whether the store holds only what corpuskit creates (a store committed by a pull request
    could define a view that never ends, or triggers)."""
    found = {(str(t), str(n)) for t, n in db.execute("SELECT type, name FROM sqlite_master")}
    return found <= _OUR_OBJECTS


def _plain_files(folder: Path) -> bool:
    """Whether the store's files and the .gitignore are absent or regular files, not links
    (which sqlite and a plain write would follow out of the project)."""
    for name in (STORE_NAME, f"{STORE_NAME}-wal", f"{STORE_NAME}-shm", ".gitignore"):
        try:
            info = os.lstat(folder / name)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(info.st_mode):
            return False
    return True


def _drop_other_formats(folder: Path) -> None:
    """Delete the stores of other cache formats (``results-v<N>.sqlite`` and its WAL files):
    no corpuskit of this format reads them, and each could hold up to MAX_BYTES. Regular files
    only, by their exact names; a file that cannot be deleted is left."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        base = name.removesuffix("-wal").removesuffix("-shm")
        version = base.removeprefix("results-v").removesuffix(".sqlite")
        if base == STORE_NAME or not (
            base.startswith("results-v")
            and base.endswith(".sqlite")
            and version.isascii()
            and version.isdigit()
        ):
            continue
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(folder / name).st_mode):
                os.unlink(folder / name)


def _gitignore(folder: Path) -> None:
    # O_EXCL and O_NOFOLLOW: never through a link, never over a file that is there already.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(folder / ".gitignore", flags, 0o644)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write("# Created by corpuskit: the cache is never committed.\n*\n")


def _report_from(raw: dict[str, Any]) -> FileReport:
    diagnostics = []
    for d in raw["diagnostics"]:
        excerpt = Excerpt(**d["excerpt"]) if d.get("excerpt") else None
        fix = Fix.from_dict(d["fix"]) if d.get("fix") else None
        diagnostics.append(
            Diagnostic(**{**d, "severity": Severity(d["severity"]), "excerpt": excerpt, "fix": fix})
        )
    return FileReport(raw["path"], tuple(diagnostics), raw["document_id"], raw["unreadable"])
