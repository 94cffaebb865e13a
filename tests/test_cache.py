"""The result store on a first run: what it keeps back, what it writes, what a run skips."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from conftest import ROOT
from corpuskit import cache, engine, executors, runner
from corpuskit.cache import ResultStore
from corpuskit.config import Config
from corpuskit.diagnostics import Diagnostic, Severity
from corpuskit.engine import FileReport, Settings

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import write_corpus


def _count_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the runner really checks (not answered from the cache), in order."""
    calls: list[str] = []
    real = executors.check_job

    def counting(job: executors.Job) -> engine.FileReport:
        calls.append(job.name)
        return real(job)

    monkeypatch.setattr(executors, "check_job", counting)
    monkeypatch.setattr(runner, "check_job", counting)
    return calls


def _options(tmp_path: Path, *paths: Path) -> runner.RunOptions:
    return runner.RunOptions(
        paths=paths or (tmp_path / "docs",),
        settings=Settings(),
        config=Config(root=tmp_path),
        cache_dir=tmp_path / "cache",
    )


def test_a_new_store_answers_nothing_and_a_filled_one_does(tmp_path: Path) -> None:
    write_corpus(tmp_path / "docs", 3)
    fresh = ResultStore(tmp_path / "cache", writer=True)
    assert fresh.open_for_writing() and fresh.answers_nothing()
    fresh.close()
    list(runner.run(_options(tmp_path)))
    filled = ResultStore(tmp_path / "cache", writer=True)
    assert filled.open_for_writing() and not filled.answers_nothing()
    filled.close()


def test_a_first_run_stores_what_the_second_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "docs", 5)
    calls = _count_checks(monkeypatch)
    first = list(runner.run(_options(tmp_path)))
    assert len(calls) == 5
    calls.clear()
    second = list(runner.run(_options(tmp_path)))
    assert calls == [] and second == first


def test_a_file_named_twice_in_a_first_run_is_checked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "docs", 2)
    doc = sorted((tmp_path / "docs").glob("*.json"))[0]
    calls = _count_checks(monkeypatch)
    reports = list(runner.run(_options(tmp_path, doc, doc)))
    # The second is answered from the result kept back for writing, before any write.
    assert calls == [str(doc)] and reports[0] == reports[1]


def _diagnostic(n: int) -> Diagnostic:
    return Diagnostic(
        "x.json", n + 1, 1, "O003", "span-text-mismatch", Severity.ERROR, f"problem {n}"
    )


def test_results_kept_back_are_written_early_when_they_hold_many_diagnostics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "_HELD", 100)
    store = ResultStore(tmp_path, writer=True)
    store.begin()
    big = FileReport("x.json", tuple(_diagnostic(n) for n in range(60)))
    store.put(b"k1", b"d1", big)
    assert store._results and store.get(b"k1", b"d1") == big  # 60 held: kept back
    store.put(b"k2", b"d2", big)
    assert not store._results  # 120 held: written
    store.close()
    reader = ResultStore(tmp_path)
    assert reader.get(b"k1", b"d1") == big and reader.get(b"k2", b"d2") == big
    assert reader.get(b"k2", b"other") is None
    reader.close()


def test_a_report_that_cannot_be_stored_is_not_found_and_spares_its_batch(
    tmp_path: Path,
) -> None:
    store = ResultStore(tmp_path, writer=True)
    store.begin()
    store.put(b"bad", b"d", FileReport("caf\udce9.json", ()))  # a name that is not UTF-8
    store.put(b"good", b"d", FileReport("good.json", ()))
    assert store.get(b"bad", b"d") is None
    assert store.get(b"good", b"d") == FileReport("good.json", ())
    store.close()
    reader = ResultStore(tmp_path)
    assert reader.get(b"bad") is None and reader.get(b"good") == FileReport("good.json", ())
    reader.close()


def test_keys_and_stat_names_follow_the_code_fingerprint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The hashers are started once per (code, settings): a changed fingerprint is a new start.
    key = cache.result_key("settings", b"/p/a.json", b"d" * 32)
    name = cache.stat_name("settings", b"/p/a.json")
    assert key == cache.result_key("settings", b"/p/a.json", b"d" * 32)
    assert len({key, cache.result_key("other", b"/p/a.json", b"d" * 32)}) == 2
    assert len({key, cache.result_key("settings", b"/p/b.json", b"d" * 32)}) == 2
    assert len({name, cache.stat_name("settings", b"/p/b.json")}) == 2
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "edited")
    assert cache.result_key("settings", b"/p/a.json", b"d" * 32) != key
    assert cache.stat_name("settings", b"/p/a.json") != name


def test_identify_is_the_digest_the_key_and_the_stat_name() -> None:
    data = b'{"text": "x"}'
    digest = cache.content_digest(data)
    assert cache.identify("settings", b"/p/a.json", data) == (
        digest,
        cache.result_key("settings", b"/p/a.json", digest),
        cache.stat_name("settings", b"/p/a.json"),
    )


def test_the_content_digest_is_blake3_of_the_bytes_zeros_and_length() -> None:
    # A collision-resistant hash of the bytes: a store restored from another branch's run must
    # not give a crafted file another file's result. BLAKE3's official vector for "abc" first,
    # so that the expectations below are BLAKE3's.
    from blake3 import blake3

    assert blake3(b"abc").hexdigest() == (
        "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
    )
    short = b"abc"
    assert cache.content_digest(short) == blake3(short + (3).to_bytes(8, "little")).digest()
    # 10,000 bytes: past 4 KiB beyond a 16 KiB boundary, so zeros up to the boundary.
    long = bytes(range(256)) * 39 + b"0123456789012345"
    assert len(long) == 10_000
    padded = long + bytes(16_384 - 10_000) + (10_000).to_bytes(8, "little")
    assert cache.content_digest(long) == blake3(padded).digest()
    # 16 KiB + 1,000: a short tail, hashed as it is.
    tail = long + long[:7_384]
    assert cache.content_digest(tail) == blake3(tail + (17_384).to_bytes(8, "little")).digest()


@given(st.binary(max_size=40_000), st.integers(min_value=1, max_value=20_000))
@settings(max_examples=60, deadline=None)
def test_bytes_and_their_padded_forms_have_other_digests(data: bytes, zeros: int) -> None:
    # The zeros and the length are part of what is hashed, never a second way to write a file:
    # a file that ends with another's zeros and length is another file with another digest.
    size = len(data)
    forged = data + bytes(zeros)
    assert cache.content_digest(forged) != cache.content_digest(data)
    forged_with_length = forged + size.to_bytes(8, "little")
    assert cache.content_digest(forged_with_length) != cache.content_digest(data)


def test_keys_digests_seals_and_names_are_stored_as_32_bytes(tmp_path: Path) -> None:
    import sqlite3

    write_corpus(tmp_path / "docs", 2)
    list(runner.run(_options(tmp_path)))
    with sqlite3.connect(tmp_path / "cache" / cache.STORE_NAME) as db:
        stored = db.execute(
            "SELECT typeof(key), length(key), typeof(digest), length(digest), typeof(seal),"
            " length(seal) FROM results UNION ALL SELECT typeof(name), length(name),"
            " typeof(key), length(key), 'blob', 32 FROM stats"
        ).fetchall()
    assert stored == [("blob", 32) * 3] * 4


def test_rows_of_other_types_are_not_used(tmp_path: Path) -> None:
    # A store from elsewhere may hold text where we write bytes: no result, and no crash.
    import sqlite3

    digest, key, name = cache.identify("settings", b"a.json", b"{}")
    store = ResultStore(tmp_path, writer=True)
    store.begin()
    store.put(key, digest, FileReport("a.json", ()))
    store.learn(name, (1, 2, 3), key)
    store.close()
    with sqlite3.connect(tmp_path / cache.STORE_NAME) as db:
        db.execute("UPDATE results SET payload = CAST(payload AS TEXT)")
        db.execute("UPDATE stats SET key = hex(key)")
    reader = ResultStore(tmp_path)
    assert reader.get(key, digest) is None and reader.get(key) is None
    assert reader.stat_key(name, (1, 2, 3)) is None
    reader.close()


def test_a_result_read_back_is_marked_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.setattr(cache.time, "time", lambda: 1000.0)
    _fill(tmp_path, range(2))
    monkeypatch.setattr(cache.time, "time", lambda: 2000.0)
    reader = ResultStore(tmp_path, writer=True)
    reader.begin()
    assert reader.get(b"k001") is not None
    reader.close()
    with sqlite3.connect(tmp_path / cache.STORE_NAME) as db:
        used = db.execute("SELECT key, used FROM results ORDER BY key").fetchall()
    assert used == [(b"k000", 1000), (b"k001", 2000)]


def test_a_new_store_has_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    import sqlite3

    new = ResultStore(tmp_path / "new", writer=True)
    new.begin()
    new.close()
    old = tmp_path / "old"
    old.mkdir()
    with sqlite3.connect(old / cache.STORE_NAME) as db:
        db.execute("PRAGMA page_size=4096")
        db.executescript(cache._SCHEMA)
    store = ResultStore(old, writer=True)
    store.begin()
    store.put(b"k", b"d", FileReport("a.json", ()))
    store.close()
    for folder, size in ((tmp_path / "new", 16384), (old, 4096)):
        with sqlite3.connect(folder / cache.STORE_NAME) as db:
            assert db.execute("PRAGMA page_size").fetchone()[0] == size
    reader = ResultStore(old)
    assert reader.get(b"k", b"d") == FileReport("a.json", ())
    reader.close()


def test_a_first_run_in_two_processes_fills_the_store_for_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "docs", runner.PARALLEL_THRESHOLD + 8)
    options = _options(tmp_path)
    first = list(runner.run(replace(options, jobs=2)))
    assert first == list(runner.run(replace(options, cache_dir=None)))
    calls = _count_checks(monkeypatch)
    assert list(runner.run(options)) == first and calls == []


def test_a_result_is_stored_as_the_json_of_its_report(tmp_path: Path) -> None:
    # The report Struct is encoded as it is (no dictionaries built first): the JSON object of
    # its builtins form, read back to the same report, an excerpt and a fix included.
    import msgspec

    from corpuskit.diagnostics import Excerpt
    from corpuskit.fixes import Fix, SetValue

    fix = Fix("set it", (SetValue("/mentions/0/span", [{"start": 1, "end": 2.5}]),), False)
    found = replace(_diagnostic(1), excerpt=Excerpt(1, 2, "a", "b", "c"), fix=fix)
    reports = {
        b"k": FileReport("a.json", (), "doc-a", False),
        b"k2": FileReport("b.json", (found, _diagnostic(2)), "doc-b", True),
    }
    store = ResultStore(tmp_path, writer=True)
    store.begin()
    for key, report in reports.items():
        store.put(key, b"d", report)
    store.close()
    import sqlite3

    with sqlite3.connect(tmp_path / cache.STORE_NAME) as db:
        stored = dict(db.execute("SELECT key, payload FROM results").fetchall())
    assert (
        stored[b"k"]
        == b'{"path":"a.json","diagnostics":[],"document_id":"doc-a","unreadable":false}'
    )
    for key, report in reports.items():
        as_builtins = msgspec.json.encode(msgspec.to_builtins(report))
        assert msgspec.json.decode(stored[key]) == msgspec.json.decode(as_builtins)
    reader = ResultStore(tmp_path)
    assert all(reader.get(key, b"d") == report for key, report in reports.items())
    reader.close()


def _fill(folder: Path, keys: range, max_bytes: int = cache.MAX_BYTES) -> None:
    store = ResultStore(folder, writer=True)
    store.begin()
    for n in keys:
        store.put(b"k%03d" % n, b"d", FileReport(f"x{n}" * 500, ()))
    store.close(max_bytes=max_bytes)


def test_a_first_run_within_the_bound_keeps_all_it_wrote(tmp_path: Path) -> None:
    _fill(tmp_path, range(50), max_bytes=100_000)
    reader = ResultStore(tmp_path)
    assert all(reader.get(b"k%03d" % n) is not None for n in range(50))
    assert 50_000 < reader.size() <= 100_000
    reader.close()


def test_a_store_filled_before_is_pruned_though_this_run_wrote_little(tmp_path: Path) -> None:
    # The bound counts every row, not only this run's: a later run writing one small result
    # still prunes what earlier runs left past it.
    _fill(tmp_path, range(150))
    _fill(tmp_path, range(150, 151), max_bytes=100_000)
    reader = ResultStore(tmp_path)
    assert 0 < reader.size() <= 100_000
    assert reader.get(b"k150") is not None and reader.get(b"k000") is None
    reader.close()


def _printed(code: str, *args: Path) -> list[str]:
    """The words ``code`` prints, run by a fresh interpreter with ``args`` (it must exit 0)."""
    run = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_a_cached_run_of_valid_documents_imports_no_orjson(tmp_path: Path) -> None:
    # Documents decode with msgspec, and so do stored results: orjson's import (json,
    # dataclasses, inspect) would be a cached run's alone; and the code fingerprint lists the
    # schemas without the JSON-Schema helpers (a refused document's path alone needs those).
    write_corpus(tmp_path / "docs", 3)
    code = (
        "import sys\nfrom pathlib import Path\nfrom corpuskit import runner\n"
        "for _ in range(2):  # a first run, then one answered from the store\n"
        "    got = list(runner.validate([Path(sys.argv[1])], cache_dir=Path(sys.argv[2])))\n"
        "print(len(got), sum(len(r.diagnostics) for r in got), 'orjson' in sys.modules,\n"
        "      'corpuskit.formats.schema' in sys.modules)\n"
    )
    assert _printed(code, tmp_path / "docs", tmp_path / "cache") == ["3", "0", "False", "False"]


def test_the_code_fingerprint_lists_the_files_rglob_finds(tmp_path: Path) -> None:
    import os

    for name in ("a.py", "b.txt", "sub/c.py", "sub/deeper/d.py", ".hidden/e.py", "outside/f.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "sub" / "link").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "g.py").symlink_to(tmp_path / "a.py")
    for folder in (tmp_path, ROOT / "corpuskit"):
        found = sorted(entry.path for entry in cache._sources(str(folder)))
        assert found == sorted(str(p) for p in folder.rglob("*.py"))
    assert len(found) > 50 and os.path.join(str(ROOT), "corpuskit", "cache.py") in found


def test_a_run_without_the_cache_imports_none_of_it(tmp_path: Path) -> None:
    # blake3, sqlite3 and the store's module are a cached run's alone.
    write_corpus(tmp_path / "docs", 2)
    code = (
        "import sys\nfrom pathlib import Path\nfrom corpuskit import runner\n"
        "got = list(runner.validate([Path(sys.argv[1])]))\n"
        "print(len(got), [m for m in ('blake3', 'sqlite3', 'corpuskit.cache') if m in sys.modules])\n"
    )
    assert _printed(code, tmp_path / "docs") == ["2", "[]"]


def _sealed(folder: Path, payload: bytes) -> tuple[bytes, bytes]:
    """A store holding one row with this payload under a correct seal (anyone can seal)."""
    import sqlite3

    digest, key, _ = cache.identify("settings", b"a.json", b"{}")
    store = ResultStore(folder, writer=True)
    store.begin()
    store.put(key, digest, FileReport("a.json", ()))
    store.close()
    with sqlite3.connect(folder / cache.STORE_NAME) as db:
        db.execute(
            "UPDATE results SET payload = ?, seal = ?",
            (payload, cache._seal(key, digest, payload)),
        )
    return key, digest


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"path": "a.json", "diagnostics": [[1, 2]], "document_id": null, "unreadable": false}',
        b'{"path": "a.json", "diagnostics": [{"severity": "fatal"}]}',
        b"[1, 2, 3]",
    ],
    ids=["not-json", "nested", "diagnostic-not-an-object", "unknown-severity", "not-a-report"],
)
def test_a_sealed_row_that_is_no_report_of_ours_is_a_miss(tmp_path: Path, payload: bytes) -> None:
    key, digest = _sealed(tmp_path, payload)
    reader = ResultStore(tmp_path)
    assert reader.get(key, digest) is None and reader.get(key) is None
    reader.close()


def test_a_row_without_a_payload_does_not_stop_the_pruning(tmp_path: Path) -> None:
    import sqlite3

    # A store from elsewhere: our tables, but a column that allows NULL.
    with sqlite3.connect(tmp_path / cache.STORE_NAME) as db:
        db.executescript(cache._SCHEMA.replace("payload BLOB NOT NULL", "payload BLOB"))
    _fill(tmp_path, range(200))
    with sqlite3.connect(tmp_path / cache.STORE_NAME) as db:
        db.execute("UPDATE results SET payload = NULL WHERE key = ?", (b"k000",))
    store = ResultStore(tmp_path, writer=True)
    store.begin()
    store.close(max_bytes=100_000)
    reader = ResultStore(tmp_path)
    assert 0 < reader.size() <= 100_000 and reader.get(b"k199") is not None
    reader.close()


def test_a_hit_a_worker_found_is_marked_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    monkeypatch.setattr(cache.time, "time", lambda: 1000.0)
    _fill(tmp_path, range(2))
    monkeypatch.setattr(cache.time, "time", lambda: 2000.0)
    store = ResultStore(tmp_path, writer=True)
    store.begin()
    # What the main process records for a result a pool worker read from its own store.
    store.record(b"name", (1, 2, 3), b"k001", b"d", FileReport("x1", ()), False)
    store.close()
    with sqlite3.connect(tmp_path / cache.STORE_NAME) as db:
        used = db.execute("SELECT key, used FROM results ORDER BY key").fetchall()
    assert used == [(b"k000", 1000), (b"k001", 2000)]


def test_stores_of_other_formats_are_deleted_links_and_other_files_are_not(tmp_path: Path) -> None:
    outside = tmp_path / "outside.sqlite"
    outside.write_bytes(b"keep")
    folder = tmp_path / "cache"
    folder.mkdir()
    old = [
        "results-v3.sqlite",
        "results-v3.sqlite-wal",
        "results-v3.sqlite-shm",
        "results-v10.sqlite",
    ]
    kept = ["results-vx.sqlite", "results-v3.sqlite.bak", "notes.txt"]
    for name in old + kept:
        (folder / name).write_bytes(b"x")
    (folder / "results-v2.sqlite").symlink_to(outside)
    store = ResultStore(folder, writer=True)
    store.begin()
    store.put(b"k", b"d", FileReport("a.json", ()))
    store.close()
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted([".gitignore", cache.STORE_NAME, "results-v2.sqlite", *kept])
    assert outside.read_bytes() == b"keep"
    reader = ResultStore(folder)
    assert reader.get(b"k", b"d") == FileReport("a.json", ())
    reader.close()
