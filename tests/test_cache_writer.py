"""A first run's writer process: it stores what storing in the checking process stores."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from corpuskit import cache, cache_writer, executors, runner
from corpuskit.cache_writer import StoreWriter
from corpuskit.config import Config
from corpuskit.engine import FileReport, Settings

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import write_corpus


def _options(tmp_path: Path, cache_name: str) -> runner.RunOptions:
    return runner.RunOptions(
        paths=(tmp_path / "docs",),
        settings=Settings(),
        config=Config(root=tmp_path),
        cache_dir=tmp_path / cache_name,
    )


def _rows(folder: Path) -> tuple[set[tuple[bytes, ...]], set[tuple[object, ...]]]:
    """The results (without the time they were used) and the stat index of a store."""
    db = sqlite3.connect(folder / cache.STORE_NAME)
    try:
        results = set(db.execute("SELECT key, digest, payload, seal FROM results"))
        stats = set(db.execute("SELECT name, size, mtime, ctime, key FROM stats"))
    finally:
        db.close()
    return results, stats


def _docs(tmp_path: Path, n: int = 6) -> None:
    """``n`` generated documents, one with a broken span (a result with diagnostics)."""
    write_corpus(tmp_path / "docs", n)
    first = sorted((tmp_path / "docs").glob("*.json"))[0]
    record = json.loads(first.read_text("utf-8"))
    record["mentions"][0]["span"][0]["start"] += 1
    first.write_text(json.dumps(record), "utf-8")


def _started(monkeypatch: pytest.MonkeyPatch) -> list[StoreWriter | None]:
    """Every writer a run starts (None: it could not start)."""
    started: list[StoreWriter | None] = []
    real = StoreWriter.start

    def start(folder: Path) -> StoreWriter | None:
        writer = real(folder)
        started.append(writer)
        return writer

    monkeypatch.setattr(StoreWriter, "start", start)
    return started


def test_a_first_run_through_the_writer_stores_what_one_process_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _docs(tmp_path)
    monkeypatch.setattr(runner, "WRITER_THRESHOLD", 10**9)
    alone = list(runner.run(_options(tmp_path, "alone")))
    monkeypatch.setattr(runner, "WRITER_THRESHOLD", 1)
    started = _started(monkeypatch)
    written = list(runner.run(_options(tmp_path, "writer")))
    assert len(started) == 1 and started[0] is not None
    assert written == alone and any(r.diagnostics for r in written)
    results, stats = _rows(tmp_path / "writer")
    assert (results, stats) == _rows(tmp_path / "alone")
    assert len(results) == len(stats) == 6


def test_frames_larger_than_the_ring_pass_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A ring of 5,000 bytes: each 31 KB document wraps round it several times.
    _docs(tmp_path)
    monkeypatch.setattr(runner, "WRITER_THRESHOLD", 10**9)
    list(runner.run(_options(tmp_path, "alone")))
    monkeypatch.setattr(runner, "WRITER_THRESHOLD", 1)
    monkeypatch.setattr(cache_writer, "RING_BYTES", 5_000)
    list(runner.run(_options(tmp_path, "writer")))
    assert _rows(tmp_path / "writer") == _rows(tmp_path / "alone")


def test_the_next_run_reads_what_the_writer_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _docs(tmp_path)
    monkeypatch.setattr(runner, "WRITER_THRESHOLD", 1)
    first = list(runner.run(_options(tmp_path, "cache")))
    calls: list[str] = []
    real = executors.check_job

    def counting(job: executors.Job) -> FileReport:
        calls.append(job.name)
        return real(job)

    monkeypatch.setattr(runner, "check_job", counting)
    monkeypatch.setattr(executors, "check_job", counting)
    assert list(runner.run(_options(tmp_path, "cache"))) == first and calls == []


def test_a_writer_that_ends_early_leaves_the_run_whole_and_the_store_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writer returns without reading (as one that failed would end): the checking
    # process meets a full ring or a broken pipe, and goes on without the cache.
    _docs(tmp_path, 8)
    monkeypatch.setattr(runner, "WRITER_THRESHOLD", 10**9)
    alone = list(runner.run(_options(tmp_path, "alone")))
    monkeypatch.setattr(runner, "WRITER_THRESHOLD", 1)
    monkeypatch.setattr(cache_writer, "RING_BYTES", 5_000)
    monkeypatch.setattr(cache_writer, "serve", lambda folder, stream: 0)
    assert list(runner.run(_options(tmp_path, "writer"))) == alone
    assert _rows(tmp_path / "writer") == (set(), set())


def test_no_writer_is_forked_from_a_process_with_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _docs(tmp_path)
    monkeypatch.setattr(runner, "WRITER_THRESHOLD", 1)
    started = _started(monkeypatch)
    done = threading.Event()
    other = threading.Thread(target=done.wait)
    other.start()
    try:
        reports = list(runner.run(_options(tmp_path, "cache")))
    finally:
        done.set()
        other.join()
    # No writer: this process stored the results itself.
    assert started == [None] and len(reports) == 6
    assert len(_rows(tmp_path / "cache")[0]) == 6


def test_small_runs_and_warm_stores_need_no_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _docs(tmp_path)
    started = _started(monkeypatch)
    monkeypatch.setattr(runner, "WRITER_THRESHOLD", 7)
    list(runner.run(_options(tmp_path, "cache")))  # 6 files: fewer than the threshold
    monkeypatch.setattr(runner, "WRITER_THRESHOLD", 1)
    (tmp_path / "docs" / "synthetic-0-000001.json").touch()  # a store that answers: no writer
    list(runner.run(_options(tmp_path, "cache")))
    assert started == []


def test_the_command_stores_a_first_run_through_its_writer(tmp_path: Path) -> None:
    # A real process over as many files as the threshold: it exits once all is stored.
    _docs(tmp_path, runner.WRITER_THRESHOLD)
    (tmp_path / "corpuskit.toml").write_text('cache-dir = ".cache"\n', "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "--format", "concise", "docs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the one broken span
    assert done.stdout.count("O0") >= 1 and "Traceback" not in done.stderr
    results, stats = _rows(tmp_path / ".cache")
    assert len(results) == len(stats) == runner.WRITER_THRESHOLD
