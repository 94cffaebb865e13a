"""Running a whole check: which files, which scheme each follows, cache, parallel processes.

The per-document work stays ``engine.check_file``; this module decides what to check and how to
spread it. Results come back in a deterministic order (the order of ``discover``) whatever the
number of processes.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, overload

import msgspec
from msgspec.structs import replace

from corpuskit.config import Config, SchemeFinder
from corpuskit.diagnostics import CorpuskitError
from corpuskit.engine import FileReport, Settings, document_entries, read_document
from corpuskit.executors import Job, check_choice, check_job, open_executor
from corpuskit.io import found_name, remember_folders, remembered_folders
from corpuskit.rules import parse as P
from corpuskit.scheme import Scheme

if TYPE_CHECKING:
    from corpuskit.cache import ResultStore, StatStamp
    from corpuskit.fixer import FixOutcome

#: Below this many files one process is faster than starting others.
PARALLEL_THRESHOLD = 32


class GitError(CorpuskitError):
    """--changed-since could not ask git (not a repository, unknown ref)."""


class RunOptions(msgspec.Struct, frozen=True):
    """Everything a run needs besides the per-document settings."""

    paths: tuple[Path, ...]
    settings: Settings
    config: Config
    #: Worker processes (1: check in this process).
    jobs: int = 1
    #: Where to cache results; None: no cache.
    cache_dir: Path | None = None
    #: Check only files that differ from this git ref (all of them when the scheme changed).
    changed_since: str | None = None
    #: Where the checks run: "local" (this machine, ``jobs`` processes) or "dask".
    executor: str = "local"
    #: The Dask scheduler's address (with ``executor="dask"``).
    scheduler: str | None = None


class PathList(Sequence[Path]):
    """Paths grouped by folder, handed out as Paths (or strings).

    A run holds every name at once, so each is kept small: a folder's name once for all its
    files, and the files' names as one UTF-8 buffer per folder, each name ended by a NUL
    (which no file name holds). A str per name would cost about 60 bytes, ~3 MB more at
    50,000 documents; the buffer costs the name's own bytes and one. Surrogates (names that
    are not UTF-8) pass through unchanged.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._folders: list[str] = []
        self._groups: list[bytearray] = []
        #: The index of each group's first name.
        self._starts: list[int] = []
        self._count = 0
        for name in names:
            self.add(*os.path.split(name))

    def add(self, folder: str, name: str) -> None:
        """Add ``os.path.join(folder, name)`` at the end."""
        if "\0" in name:
            raise ValueError(f"a file name holds a NUL: {name!r}")
        if not self._folders or self._folders[-1] != folder:
            self._folders.append(folder)
            self._groups.append(bytearray())
            self._starts.append(self._count)
        group = self._groups[-1]
        group += name.encode("utf-8", "surrogatepass")
        group.append(0)
        self._count += 1

    def append(self, path: Path) -> None:
        """Add one path at the end."""
        self.add(*os.path.split(os.fspath(path)))

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Path: ...
    @overload
    def __getitem__(self, index: slice) -> PathList: ...
    def __getitem__(self, index: int | slice) -> Path | PathList:
        if isinstance(index, slice):
            return PathList(list(self.names())[index])
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("PathList index out of range")
        group = bisect.bisect_right(self._starts, index) - 1
        names = _names_in(self._groups[group])
        name = next(itertools.islice(names, index - self._starts[group], None))
        return Path(os.path.join(self._folders[group], name))

    def __iter__(self) -> Iterator[Path]:
        return map(Path, self.names())

    def folders(self) -> list[str]:
        """The folders of the paths, each once per run of its files."""
        return list(self._folders)

    def names(self) -> Iterator[str]:
        """The paths as strings (a run's per-file work makes no Path: pathlib interns every
        file's name)."""
        join = os.path.join
        for folder, group in zip(self._folders, self._groups, strict=True):
            for name in _names_in(group):
                yield join(folder, name)


def _names_in(group: bytearray) -> Iterator[str]:
    """The names of one folder's buffer, in order."""
    start, find = 0, group.find
    end = find(0, start)
    while end >= 0:
        yield group[start:end].decode("utf-8", "surrogatepass")
        start = end + 1
        end = find(0, start)


def discover(options: RunOptions) -> PathList:
    """The documents to check, in order: given files, then folder contents sorted; filtered by
    the configuration's include/exclude and, with ``changed_since``, by git."""
    config = options.config
    found = PathList()
    selects = config.selector()
    for given in options.paths:
        if os.path.isdir(given):  # not Path.is_dir: it raises on a name too long
            for folder, name in document_entries([given], options.settings.root or config.root):
                # a link out is reported
                if selects(folder, name) or os.path.isdir(os.path.join(folder, name)):
                    found.add(folder, name)
        elif not config.excludes(given):
            found.append(given)  # a file named explicitly is checked whatever its suffix says
    if options.changed_since is None:
        return found
    changes = git_changes(options.changed_since, config.root)
    if _run_config_changed(options, changes.touched):
        return found
    finder = SchemeFinder(options.settings.root)
    return PathList(os.fspath(p) for p in found if _affected(p, changes, finder))


class Changes(msgspec.Struct, frozen=True):
    """What git says changed since the merge base: files added or modified (untracked ones
    included), and every path touched, deleted ones too (all resolved)."""

    changed: frozenset[Path]
    touched: frozenset[Path]
    #: Touched paths that are folders now (submodules, links to folders).
    folders: frozenset[Path] = frozenset()


#: Names of configuration files: a change to one re-checks the documents below its folder.
CONFIG_NAMES = ("corpuskit.toml", "pyproject.toml")
#: git output is read up to this many bytes (a listing of a million long paths fits).
GIT_OUTPUT_LIMIT = 512 * 1024 * 1024


def _git(args: list[str], cwd: Path) -> bytes:
    import subprocess

    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise GitError(f"--changed-since needs git: {exc}") from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip() or "failed"
        raise GitError(f"git {' '.join(args)}: {message}")
    if len(result.stdout) > GIT_OUTPUT_LIMIT:
        raise GitError(f"git {' '.join(args)}: more output than corpuskit reads")
    return result.stdout


def _shallow(cwd: Path) -> bool:
    try:
        return _git(["rev-parse", "--is-shallow-repository"], cwd).strip() == b"true"
    except GitError:
        return False


def _commit(ref: str, cwd: Path) -> str:
    """The commit ``ref`` names, or a GitError that says what to do."""
    if ref.startswith("-"):
        raise GitError(f"--changed-since: {ref!r} is not a git ref")
    try:
        return (
            _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd)
            .decode()
            .strip()
        )
    except GitError:
        hint = (
            " This is a shallow clone: fetch more history (git fetch --unshallow, or "
            "fetch-depth: 0 in actions/checkout) so that the ref and the merge base are present."
            if _shallow(cwd)
            else ""
        )
        raise GitError(f"--changed-since: unknown git ref {ref!r}.{hint}") from None


def _merge_base(a: str, b: str, cwd: Path) -> str:
    try:
        return _git(["merge-base", a, b], cwd).decode().strip()
    except GitError:
        hint = (
            " This is a shallow clone: fetch more history (git fetch --unshallow, or "
            "fetch-depth: 0 in actions/checkout)."
            if _shallow(cwd)
            else ""
        )
        raise GitError(f"--changed-since: no common ancestor of {a} and {b}.{hint}") from None


def git_changes(ref: str, cwd: Path) -> Changes:
    """Files changed since the merge base of ``ref`` and HEAD (working tree and untracked
    files included); ``A...B``: changed on B since its merge base with A. Read NUL-separated,
    so no path is ever quoted or split."""
    top = Path(os.fsdecode(_git(["rev-parse", "--show-toplevel"], cwd).rstrip(b"\n")))
    if "..." in ref:
        left, right = ref.split("...", 1)
        head = _commit(right or "HEAD", cwd)
        base = _merge_base(_commit(left or "HEAD", cwd), head, cwd)
        diff_args = [base, head]
        untracked: bytes = b""
    else:
        base = _merge_base(_commit(ref, cwd), "HEAD", cwd)
        diff_args = [base]
        untracked = _git(["ls-files", "-z", "--others", "--exclude-standard", "--full-name"], top)
    listing = _git(["diff", "-z", "--name-only", "--no-renames", *diff_args, "--"], top)
    deleted = _git(
        ["diff", "-z", "--name-only", "--no-renames", "--diff-filter=D", *diff_args, "--"], top
    )
    changed = _paths(top, listing) | _paths(top, untracked)
    gone = _paths(top, deleted)
    touched = changed | gone
    folders = frozenset(p for p in touched if os.path.isdir(p))
    return Changes(frozenset(changed - gone), frozenset(touched), folders)


def _paths(top: Path, output: bytes) -> set[Path]:
    return {_real(top / os.fsdecode(name)) for name in output.split(b"\0") if name}


def _real(path: Path) -> Path:
    # os.path.realpath, unlike Path.resolve, never raises on a loop of links.
    return Path(os.path.realpath(path))


def _run_config_changed(options: RunOptions, touched: frozenset[Path]) -> bool:
    """Whether the run's own configuration or the scheme given on the command line changed."""
    watched = [options.config.source, options.config.scheme_path()]
    if options.settings.scheme is not None:
        watched.append(Path(options.settings.scheme.path))
    return any(p is not None and _real(p) in touched for p in watched)


def _affected(path: Path, changes: Changes, finder: SchemeFinder) -> bool:
    """Whether a document must be checked: it changed, or the configuration or scheme that
    governs it changed, or a configuration file in a folder above it was added or removed."""
    real = _real(path)
    if real in changes.changed:
        return True
    config = finder.config_for(path)
    governing = [_real(p) for p in (config.source, config.scheme_path()) if p is not None]
    if any(p in changes.touched for p in governing):
        return True
    # A changed path that is a folder (a submodule bumped, a link to a folder retargeted)
    # changes every document and scheme below it.
    if any(p.is_relative_to(d) for d in changes.folders for p in (real, *governing)):
        return True
    return any(t.name in CONFIG_NAMES and real.is_relative_to(t.parent) for t in changes.touched)


class _Worker:
    """What one process needs to check files: settings, scheme discovery, the cache (read)."""

    def __init__(self, settings: Settings, cache_dir: Path | None) -> None:
        self.settings = settings
        self.finder = (
            SchemeFinder(settings.root)
            if settings.scheme is None and settings.discover_scheme
            else None
        )
        self.store: ResultStore | None = None
        if cache_dir is not None:  # sqlite3 is imported only for a run with a cache
            from corpuskit.cache import ResultStore

            self.store = ResultStore(cache_dir)
        # One Settings object (and its fingerprint) per scheme, not per document.
        self._with_scheme: dict[int, tuple[Scheme, Settings]] = {}
        self._fingerprints: dict[int, tuple[Settings, str]] = {}
        self._by_folder: dict[str, Settings] = {}

    def adopt(self, parent: _Worker) -> None:
        """Start from the schemes ``parent`` loaded (a forked worker has them in its memory
        already; loading them again would cost each worker their validation and compilation)."""
        if parent.finder is not None:
            self.finder = parent.finder
            self._by_folder = dict(parent._by_folder)
            self._with_scheme = dict(parent._with_scheme)

    def settings_for(self, path: Path | str) -> Settings:
        """The settings for one document (with the scheme configured above it)."""
        if self.finder is None:
            return self.settings
        # The scheme depends on the folder alone: asked once per folder (and per file twice
        # when the cache is on).
        folder = os.path.dirname(path)
        known = self._by_folder.get(folder)
        if known is None:
            known = self._by_folder[folder] = self._settings_for(Path(path))
        return known

    def _settings_for(self, path: Path) -> Settings:
        if self.finder is not None:
            scheme = self.finder.for_document(path)
            if scheme is not None:
                known = self._with_scheme.get(id(scheme))
                if known is None or known[0] is not scheme:
                    known = self._with_scheme[id(scheme)] = (
                        scheme,
                        replace(self.settings, scheme=scheme),
                    )
                return known[1]
        return self.settings

    def fingerprint(self, settings: Settings) -> str:
        """``settings.fingerprint()``, worked out once per Settings object."""
        known = self._fingerprints.get(id(settings))
        if known is None or known[0] is not settings:
            known = self._fingerprints[id(settings)] = (settings, settings.fingerprint())
        return known[1]

    def prepare(self, path: Path | str) -> Result | Pending:
        """Read one file and look it up in the cache: its result, or the job that checks it."""
        settings = self.settings_for(path)
        store = self.store
        # The status of the opened file, taken before its bytes are read: a change after it
        # is seen next time.
        stamped: list[os.stat_result] | None = [] if store is not None else None
        # Found before the read, which needs it too (the folder's real path, remembered).
        found = found_name(path)
        data = read_document(path, settings, stamped=stamped, found=found)
        if isinstance(data, FileReport):
            if _missing(path):  # else a missing folder is "not a .json or .xml file"
                said = tuple(replace(d, message="no such file or folder") for d in data.diagnostics)
                data = replace(data, diagnostics=said)
            return data, None
        job = Job(data, str(path), found, settings)
        if store is None or not stamped:
            return Pending(job, None)
        info = stamped[0]
        # The file as found (not its link target): its name picks the format and the globs.
        # The stat index's name is worked out here too, where the found name is at hand (in
        # the worker that read the file), not again by the main process when it learns it.
        digest, key, name = store.identify(self.fingerprint(settings), os.fsencode(found), data)
        stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        hit = store.get(key, digest)
        if hit is not None:
            return _renamed(hit, str(path)), Entry(name, stamp, key, digest)
        return Pending(job, Entry(name, stamp, key, digest, True))

    def check(self, path: Path | str) -> Result:
        """Check one file (or read its cached result), with what the cache should learn."""
        step = self.prepare(path)
        return step.complete(check_job(step.job)) if isinstance(step, Pending) else step


class Entry(msgspec.Struct, frozen=True):
    """What the main process stores for a checked file: the stat index row and, when the
    result is new, the result itself (the report travels beside it)."""

    #: The file's name in the stat index (:func:`corpuskit.cache.stat_name`).
    name: bytes
    stamp: StatStamp
    key: bytes
    digest: bytes
    new: bool = False


#: A file's report and what the cache should learn from it.
Result = tuple[FileReport, Entry | None]


class Pending(msgspec.Struct, frozen=True):
    """A file read and not found in the cache: the job that checks it, and the cache entry
    its result makes (None: no cache)."""

    job: Job
    entry: Entry | None

    def complete(self, report: FileReport) -> Result:
        """The job's report, with the cache entry unless corpuskit failed on the file."""
        entry = self.entry
        if entry is None or (
            report.diagnostics and any(d.code == P.INTERNAL_ERROR.code for d in report.diagnostics)
        ):
            return report, None
        return report, entry


def _renamed(report: FileReport, path: str) -> FileReport:
    """A cached report under the name this run gives the file (runs may start elsewhere)."""
    if report.path == path:
        return report
    diagnostics = tuple(replace(d, path=path) for d in report.diagnostics)
    return replace(report, path=path, diagnostics=diagnostics)


_WORKER: _Worker | None = None
#: The main process's worker, its schemes loaded, for forked pool workers to start from.
_FORKED_FROM: _Worker | None = None


def _init_worker(settings: Settings, cache_dir: Path | None) -> None:
    global _WORKER
    _WORKER = _Worker(settings, cache_dir)
    parent = _FORKED_FROM
    if parent is not None and parent.settings is settings:
        _WORKER.adopt(parent)
    remember_folders()  # a pool worker lives for one run


def _preload(worker: _Worker, files: PathList) -> None:
    """Work out each folder's settings (its scheme loaded once) before workers are forked."""
    for folder in files.folders():
        try:
            worker.settings_for(os.path.join(folder, "_"))
        except CorpuskitError:
            return  # an unusable scheme: the worker that reaches it reports it, as before


def _missing(path: str | Path) -> bool:
    """Whether nothing is at ``path`` (not: whether it cannot be looked at, as a name too long
    for the file system: that one keeps the read's own message)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):
        return False
    return False


def _check_in_worker(path: str) -> Result:
    assert _WORKER is not None
    return _WORKER.check(path)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run(options: RunOptions) -> Iterator[FileReport]:
    """Check every document of the run, yielding reports in ``discover`` order."""
    with remembered_folders(), _collector_for_a_run():
        yield from _run(options)


#: Allocations between young collections during a run (CPython's default is 700).
RUN_GC_THRESHOLD = 20_000


@contextlib.contextmanager
def _collector_for_a_run() -> Iterator[None]:
    """The cyclic collector tuned for checking many documents, restored afterwards.

    What exists before the run (modules, schemes, tables) is frozen out of the collections,
    and young collections are rarer: a document's objects (an XML tree above all) form no
    cycles and go with their last reference, yet at CPython's defaults the collector spent a
    tenth of an XML run walking them and, every few hundred documents, everything else. Forked
    pool workers inherit both, and frozen objects are not written to by the collector, so
    their pages stay shared with the main process.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(RUN_GC_THRESHOLD, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def _run(options: RunOptions) -> Iterator[FileReport]:
    check_choice(options.executor, options.scheduler)
    files = discover(options)
    local = _Worker(options.settings, None)
    store: ResultStore | None = None
    if options.cache_dir is not None:
        from corpuskit.cache import ResultStore, stat_name

        store = ResultStore(options.cache_dir, writer=True)

    def unchanged(path: str) -> FileReport | None:
        assert store is not None
        try:
            info = os.stat(path)
        except OSError:
            return None
        fingerprint = local.fingerprint(local.settings_for(path))
        stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        key = store.stat_key(stat_name(fingerprint, os.fsencode(found_name(path))), stamp)
        hit = store.get(key) if key is not None else None
        return None if hit is None else _renamed(hit, str(path))

    def learn(report: FileReport, entry: Entry | None) -> None:
        if store is not None and entry is not None:
            store.record(entry.name, entry.stamp, entry.key, entry.digest, report, entry.new)

    hits: Sequence[FileReport | None]
    if store is not None and store.open_for_writing():
        local.store = store  # the main process reads through its own (writing) connection
        if store.answers_nothing():
            # A first run: nothing to look up by stat, and nothing to count (no stat and no
            # stat-index name per file before the checks; prepare works the name out).
            hits, todo = _Unknown(len(files)), len(files)
        else:
            hits = [unchanged(path) for path in files.names()]
            todo = sum(hit is None for hit in hits)
    else:
        # Without a cache (or with one that cannot be used) nothing is known: no list of N
        # Nones.
        hits, todo = _Unknown(len(files)), len(files)
    jobs = max(1, min(options.jobs, todo))
    try:
        if options.executor != "local" or jobs == 1 or todo < PARALLEL_THRESHOLD:
            yield from _run_on_executor(options, files, hits, local, learn)
            return
        import multiprocessing

        forking = "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if forking else "spawn")
        global _FORKED_FROM
        if forking:
            _preload(local, files)
            _FORKED_FROM = local
        try:
            # Workers read the cache only when this process could open it.
            cache_dir = options.cache_dir if local.store is not None else None
            pool = context.Pool(
                jobs, initializer=_init_worker, initargs=(options.settings, cache_dir)
            )
        finally:
            _FORKED_FROM = None
        with pool:
            chunk = max(1, min(64, todo // (jobs * 8)))
            unknown = (path for path, hit in zip(files.names(), hits, strict=True) if hit is None)
            results = pool.imap(_check_in_worker, unknown, chunksize=chunk)
            for hit in hits:
                if hit is None:
                    hit, entry = next(results)
                    learn(hit, entry)
                yield hit
    finally:
        if store is not None:
            store.close()


class _Unknown(Sequence[None]):
    """``n`` files of which nothing is known (a run without a cache, or a first one), in
    constant memory."""

    def __init__(self, n: int) -> None:
        self._n = n

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> None: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[None]: ...
    def __getitem__(self, index: int | slice) -> Sequence[None] | None:
        if isinstance(index, slice):
            return _Unknown(len(range(self._n)[index]))
        range(self._n)[index]  # IndexError beyond the end
        return None

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None, self._n)


def _run_on_executor(
    options: RunOptions,
    files: PathList,
    hits: Sequence[FileReport | None],
    local: _Worker,
    learn: Callable[[FileReport, Entry | None], None],
) -> Iterator[FileReport]:
    """Read files and consult the cache here, check the rest on the run's executor (this
    process for "local"): the executor sees bytes and settings, never a path to open."""

    def steps() -> Iterator[tuple[Result | Pending, Job | None]]:
        for path, hit in zip(files.names(), hits, strict=True):
            step = (hit, None) if hit is not None else local.prepare(path)
            yield step, step.job if isinstance(step, Pending) else None

    with open_executor(options.executor, options.scheduler) as executor:
        for step, report in executor.map(steps()):
            if isinstance(step, Pending):
                assert report is not None  # an executor reports on every job
                result = step.complete(report)
            else:
                result = step
            learn(*result)
            yield result[0]


def validate(
    paths: Iterable[Path],
    settings: Settings | None = None,
    *,
    jobs: int = 1,
    cache_dir: Path | None = None,
    config: Config | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> Iterator[FileReport]:
    """Check every document under ``paths`` (the library entry point), streaming reports.

    Unless ``settings`` carries a scheme, each document follows the scheme configured above
    it; an unusable scheme raises SchemeError.
    """
    options = RunOptions(
        paths=tuple(paths),
        settings=settings or Settings(),
        config=config or Config(root=Path.cwd(), include=("*",)),
        jobs=jobs,
        cache_dir=cache_dir,
        executor=executor,
        scheduler=scheduler,
    )
    yield from run(options)


class FixRequest(msgspec.Struct, frozen=True):
    """What ``fix`` does to every file of a run."""

    unsafe: bool = False
    write: bool = True


def _fix_in_worker(path: Path, request: FixRequest) -> FixOutcome:
    assert _WORKER is not None
    return _fix_one(_WORKER, path, request)


def _fix_one(worker: _Worker, path: Path, request: FixRequest) -> FixOutcome:
    from corpuskit.fixer import fix_file

    settings = worker.settings_for(path)
    return fix_file(path, settings, unsafe=request.unsafe, write=request.write, root=settings.root)


def fix(options: RunOptions, request: FixRequest) -> Iterator[FixOutcome]:
    """Fix every document of the run (the files ``validate`` would check, each under its own
    scheme), yielding outcomes in ``discover`` order; with ``options.jobs`` > 1, files are
    fixed in parallel processes (each file by one process: writes never meet)."""
    with remembered_folders():
        files = discover(options)
        local = _Worker(options.settings, None)
        jobs = max(1, min(options.jobs, len(files)))
        if jobs == 1 or len(files) < PARALLEL_THRESHOLD:
            for path in files:
                yield _fix_one(local, path, request)
            return
        import functools
        import multiprocessing

        context = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        )
        with context.Pool(
            jobs, initializer=_init_worker, initargs=(options.settings, None)
        ) as pool:
            chunk = max(1, min(64, len(files) // (jobs * 8)))
            yield from pool.imap(
                functools.partial(_fix_in_worker, request=request), files, chunksize=chunk
            )
