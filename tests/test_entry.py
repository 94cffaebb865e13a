"""The command's entry point imports msgspec without typing_extensions, and only there."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT
from corpuskit.cache import STORE_NAME
from corpuskit.entry import import_without

LENIENT = "try:\n    import ck_hidden_mod\nexcept ImportError:\n    ck_hidden_mod = None\n"
STRICT = "import ck_hidden_mod\n"


@pytest.fixture
def packages(tmp_path: Path) -> Iterator[Path]:
    """A module to hide, one that can do without it and one that cannot, on sys.path."""
    (tmp_path / "ck_hidden_mod.py").write_text("VALUE = 1\n", "utf-8")
    (tmp_path / "ck_lenient").mkdir()
    (tmp_path / "ck_lenient" / "__init__.py").write_text("from ck_lenient.inner import *\n")
    (tmp_path / "ck_lenient" / "inner.py").write_text(LENIENT, "utf-8")
    (tmp_path / "ck_strict").mkdir()
    (tmp_path / "ck_strict" / "__init__.py").write_text("from ck_strict.inner import *\n")
    (tmp_path / "ck_strict" / "inner.py").write_text(STRICT, "utf-8")
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [
        n for n in sys.modules if n.startswith(("ck_hidden_mod", "ck_lenient", "ck_strict"))
    ]:
        del sys.modules[name]


def test_a_module_that_can_do_without_is_imported_without(packages: Path) -> None:
    assert import_without("ck_lenient", "ck_hidden_mod")
    assert sys.modules["ck_lenient.inner"].ck_hidden_mod is None
    assert "ck_hidden_mod" not in sys.modules  # hidden only while ck_lenient was imported
    import ck_hidden_mod

    assert ck_hidden_mod.VALUE == 1


def test_a_module_that_cannot_is_dropped_and_imports_as_usual_later(packages: Path) -> None:
    assert not import_without("ck_strict", "ck_hidden_mod")
    assert not [n for n in sys.modules if n.startswith(("ck_strict", "ck_hidden_mod"))]
    import ck_strict.inner

    assert ck_strict.inner.ck_hidden_mod.VALUE == 1


def test_nothing_is_hidden_once_either_module_is_imported(packages: Path) -> None:
    import ck_hidden_mod  # noqa: F401

    assert not import_without("ck_lenient", "ck_hidden_mod")
    assert "ck_lenient" not in sys.modules


COMMAND = """
import sys
sys.argv = ["corpuskit", "validate", "--no-cache", sys.argv[1]]
import gc
from corpuskit.entry import main
older = gc.get_stats()[1]["collections"]
try:
    main()
except SystemExit as exc:
    code = exc.code
import msgspec._utils, typing
LATER = ("corpuskit.toml_positions", "corpuskit.formats.schema", "corpuskit.formats.records")
print(code, "typing_extensions" in sys.modules, msgspec._utils._get_type_hints is typing.get_type_hints,
      [m for m in LATER if m in sys.modules])
print(gc.get_threshold()[0], gc.get_stats()[1]["collections"] - older)
"""


def test_the_command_validates_without_typing_extensions() -> None:
    document = CORPUS / "iran-russia-missiles.json"
    run = subprocess.run(
        [sys.executable, "-c", COMMAND, str(document)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "1 file checked" in run.stdout
    # Imported only when needed: the scheme's key positions for a message that names a line,
    # the JSON-Schema helpers and the record builder for a document the typed decode refuses.
    assert run.stdout.splitlines()[-2] == "0 False True []"
    # The collector's threshold is raised from the start: no older-generation pass at all.
    assert run.stdout.splitlines()[-1] == "20000 0"


def test_other_commands_still_get_typing_extensions() -> None:
    """The typer application (every command but the fast ``validate``) imports it as usual."""
    code = "import sys; sys.argv = ['corpuskit', 'convert', '--help']\nfrom corpuskit.entry import main\n"
    code += "try:\n    main()\nexcept SystemExit as exc:\n    print('exit', exc.code)\n"
    code += "import typing_extensions\nprint(typing_extensions.get_type_hints.__module__)"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "convert" in run.stdout  # typer printed the command's help
    assert run.stdout.splitlines()[-2:] == ["exit 0", "typing_extensions"]


def _leaving(body: str) -> subprocess.CompletedProcess[str]:
    script = "import atexit, sys, threading\nfrom corpuskit.entry import leave\n" + body
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def test_leaving_runs_the_exit_functions_flushes_and_keeps_the_status() -> None:
    done = _leaving(
        "atexit.register(print, 'exit function ran')\n"
        "sys.stdout.write('x' * 100_000)\n"  # buffered, and more than a pipe holds
        "sys.stderr.write('said')\n"
        "leave(3)\n"
        "print('not reached')\n"
    )
    assert done.returncode == 3
    assert done.stdout == "x" * 100_000 + "exit function ran\n"
    assert done.stderr == "said"


@pytest.mark.parametrize(
    ("code", "status", "stderr"),
    [(None, 0, ""), ("a message", 1, "a message\n"), (2**40, None, None)],
)
def test_a_status_that_is_no_small_integer_is_left_to_the_usual_exit(
    code: object, status: int | None, stderr: str | None
) -> None:
    done = _leaving(f"leave({code!r})\nprint('returned')\nsys.exit({code!r})\n")
    if code is None:  # None is 0, and leaves at once
        assert (done.returncode, done.stdout) == (0, "")
        return
    assert done.stdout == "returned\n"
    usual = _leaving(f"sys.exit({code!r})\n")
    assert (done.returncode, done.stderr) == (usual.returncode, usual.stderr)
    if status is not None:
        assert (done.returncode, done.stderr) == (status, stderr)


def test_a_thread_the_shutdown_would_wait_for_is_waited_for() -> None:
    done = _leaving(
        "import time\n"
        "worker = threading.Thread(target=lambda: (time.sleep(0.3), print('thread done')))\n"
        "worker.start()\n"
        "leave(0)\n"
        "print('returned')\n"
    )
    assert done.returncode == 0
    assert sorted(done.stdout.split()) == ["done", "returned", "thread"]


def test_the_command_keeps_its_exit_codes_and_whole_reports() -> None:
    good = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "--format", "json", str(CORPUS)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert json.loads(good.stdout)["summary"]["files"] >= 1
    usage = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "--no-such-option"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert usage.returncode == 2 and "no-such-option" in usage.stderr


def test_a_run_stopped_by_a_closed_pipe_still_commits_what_its_cache_learnt(
    tmp_path: Path,
) -> None:
    # The reader stops after one byte (| head -c 1): the run's generators are closed as it
    # stops, so the results checked so far reach the cache before the process ends.
    (tmp_path / "corpuskit.toml").write_text('paths = ["docs"]\ncache-dir = ".ck-cache"\n')
    (tmp_path / "docs").mkdir()
    broken = b'{"corpuskit": "1.0", "id": "x"}'  # many findings, many lines of output
    for i in range(300):
        (tmp_path / "docs" / f"d{i:03}.json").write_bytes(broken)
    run = subprocess.Popen(
        [sys.executable, "-m", "corpuskit", "validate", "--format", "concise", "-j", "1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert run.stdout is not None and run.stderr is not None
    assert run.stdout.read(1)
    run.stdout.close()
    run.wait(timeout=120)
    assert b"Traceback" not in run.stderr.read()
    with sqlite3.connect(tmp_path / ".ck-cache" / STORE_NAME) as db:
        stored = db.execute("SELECT count(*) FROM results").fetchone()[0]
    assert stored >= 1
