"""Running a whole check: which files, which scheme each follows, cache, parallel processes.

The per-document work stays ``engine.check_file``; this module decides what to check and how to
spread it. Results come back in a deterministic order (the order of ``discover``) whatever the
number of processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from corpuskit.cache import ResultCache, StatIndex
from corpuskit.config import Config, SchemeFinder
from corpuskit.diagnostics import CorpuskitError
from corpuskit.engine import FileReport, Settings, check_file, iter_documents
from corpuskit.rules import parse as P

#: Below this many files one process is faster than starting others.
PARALLEL_THRESHOLD = 32


class GitError(CorpuskitError):
    """--changed-since could not ask git (not a repository, unknown ref)."""


@dataclass(frozen=True, slots=True)
class RunOptions:
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


def discover(options: RunOptions) -> list[Path]:
    """The documents to check, in order: given files, then folder contents sorted; filtered by
    the configuration's include/exclude and, with ``changed_since``, by git."""
    config = options.config
    found: list[Path] = []
    for given in options.paths:
        if given.is_dir():
            found.extend(p for p in iter_documents([given]) if config.selects(p))
        elif not config.excludes(given):
            found.append(given)  # a file named explicitly is checked whatever its suffix says
    if options.changed_since is None:
        return found
    changed, untracked = _git_changes(options.changed_since, config.root)
    changed |= untracked
    if _scheme_or_config_changed(options, changed):
        return found
    return [p for p in found if p.resolve() in changed]


def _git(args: list[str], cwd: Path) -> str:
    import subprocess

    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False
        )
    except OSError as exc:
        raise GitError(f"--changed-since needs git: {exc}") from exc
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {result.stderr.strip() or 'failed'}")
    return result.stdout


def _git_changes(ref: str, cwd: Path) -> tuple[set[Path], set[Path]]:
    """Files changed since ``ref`` (added, modified, renamed; working tree included) and untracked."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    changed = _git(["diff", "--name-only", "-M", "--diff-filter=ACMR", ref, "--"], cwd)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name"], top)
    return _paths(top, changed), _paths(top, untracked)


def _paths(top: Path, text: str) -> set[Path]:
    return {(top / line).resolve() for line in text.splitlines() if line}


def _scheme_or_config_changed(options: RunOptions, changed: set[Path]) -> bool:
    watched = {options.config.source, options.config.scheme_path()}
    if options.settings.scheme is not None:
        watched.add(Path(options.settings.scheme.path))
    return any(p is not None and p.resolve() in changed for p in watched)


#: What a worker learned about a file for the stat index: fingerprint, (size, mtime, ctime), key.
Stamp = tuple[str, tuple[int, int, int], str]


class _Worker:
    """What one process needs to check files: settings, scheme discovery, the cache."""

    def __init__(self, settings: Settings, cache_dir: Path | None) -> None:
        self.settings = settings
        self.finder = (
            SchemeFinder() if settings.scheme is None and settings.discover_scheme else None
        )
        self.cache_dir = cache_dir
        self.caches: dict[str, ResultCache] = {}

    def settings_for(self, path: Path) -> Settings:
        """The settings for one document (with the scheme configured above it)."""
        if self.finder is not None:
            scheme = self.finder.for_document(path)
            if scheme is not None:
                return replace(self.settings, scheme=scheme)
        return self.settings

    def cache(self, fingerprint: str) -> ResultCache:
        """The result cache for one settings fingerprint."""
        assert self.cache_dir is not None
        cache = self.caches.get(fingerprint)
        if cache is None:
            cache = self.caches[fingerprint] = ResultCache(self.cache_dir, fingerprint)
        return cache

    def check(self, path: Path) -> tuple[FileReport, Stamp | None]:
        """Check one file (or read its cached result), with what the stat index should learn."""
        settings = self.settings_for(path)
        if self.cache_dir is None:
            return check_file(path, settings), None
        fingerprint = settings.fingerprint()
        cache = self.cache(fingerprint)
        try:
            stat = path.stat()  # before reading: a change after this is seen next time
            data = path.read_bytes()
        except OSError:
            return check_file(path, settings), None  # reports the read error
        key = cache.key(str(path), data)
        stamp = (fingerprint, (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns), key)
        hit = cache.get(key)
        if hit is not None:
            return _renamed(hit, str(path)), stamp
        report = check_file(path, settings)
        if any(d.code == P.INTERNAL_ERROR.code for d in report.diagnostics):
            return report, None
        cache.put(key, report)
        return report, stamp


def _renamed(report: FileReport, path: str) -> FileReport:
    """A cached report under the name this run gives the file (runs may start elsewhere)."""
    if report.path == path:
        return report
    diagnostics = tuple(replace(d, path=path) for d in report.diagnostics)
    return replace(report, path=path, diagnostics=diagnostics)


_WORKER: _Worker | None = None


def _init_worker(settings: Settings, cache_dir: Path | None) -> None:
    global _WORKER
    _WORKER = _Worker(settings, cache_dir)


def _check_in_worker(path: Path) -> tuple[FileReport, Stamp | None]:
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
    files = discover(options)
    local = _Worker(options.settings, options.cache_dir)
    index = StatIndex(options.cache_dir) if options.cache_dir is not None else None

    def unchanged(path: Path) -> FileReport | None:
        if index is None:
            return None
        fingerprint = local.settings_for(path).fingerprint()
        key = index.get(fingerprint, path)
        hit = local.cache(fingerprint).get(key) if key is not None else None
        return _renamed(hit, str(path)) if hit is not None else None

    def learn(path: Path, stamp: Stamp | None) -> None:
        if index is not None and stamp is not None:
            index.put(stamp[0], path, stamp[1], stamp[2])

    hits = [unchanged(path) for path in files]
    todo = [path for path, hit in zip(files, hits, strict=True) if hit is None]
    jobs = max(1, min(options.jobs, len(todo)))
    try:
        if jobs == 1 or len(todo) < PARALLEL_THRESHOLD:
            for path, hit in zip(files, hits, strict=True):
                if hit is None:
                    hit, stamp = local.check(path)
                    learn(path, stamp)
                yield hit
            return
        import multiprocessing

        context = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        )
        with context.Pool(
            jobs, initializer=_init_worker, initargs=(options.settings, options.cache_dir)
        ) as pool:
            chunk = max(1, min(64, len(todo) // (jobs * 8)))
            results = pool.imap(_check_in_worker, todo, chunksize=chunk)
            for path, hit in zip(files, hits, strict=True):
                if hit is None:
                    hit, stamp = next(results)
                    learn(path, stamp)
                yield hit
    finally:
        if index is not None:
            index.save()


def validate(
    paths: Iterable[Path],
    settings: Settings | None = None,
    *,
    jobs: int = 1,
    cache_dir: Path | None = None,
    config: Config | None = None,
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
    )
    yield from run(options)
