"""Command lines and environments that printed a traceback (found reviewing the typer-free
``validate`` entry point; each crashed the typer path and the tree before it, 104fcb7, too):
a name too long for the file system, a full disk, closed standard streams, a C locale."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

DOCUMENT = ROOT / "tests" / "fixtures" / "seed" / "iran-russia-missiles.json"


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cache", "no-cache"])
def test_a_path_whose_name_is_too_long_is_reported_not_a_traceback(
    tmp_path: Path, cache: list[str]
) -> None:
    # A name longer than NAME_MAX (255 on Linux and macOS): stat raises ENAMETOOLONG, which
    # Path.is_dir does not swallow (it does ENOENT). With the cache the crash is in
    # config.confined_cache_folder, without it in runner.discover (--show-files too).
    name = "y" * 300 + ".json"
    result = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", *cache, name],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert result.returncode == 2  # unusable input, as for a path that does not exist


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_standard_output_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    # corpuskit validate FILE > report.txt on a full disk: the report's write raises ENOSPC.
    shutil.copy(DOCUMENT, tmp_path / DOCUMENT.name)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "corpuskit", "validate", "--no-cache", DOCUMENT.name],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert result.returncode != 0


def _validate(cwd: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "corpuskit", "validate", "--no-cache", *args],
        text=True,
        cwd=cwd,
        timeout=120,
        **kwargs,
    )


def test_closed_standard_output_still_gives_the_exit_code(tmp_path: Path) -> None:
    shutil.copy(DOCUMENT, tmp_path / DOCUMENT.name)
    result = _validate(
        tmp_path,
        DOCUMENT.name,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        close_fds=True,
        preexec_fn=lambda: os.close(1),
    )
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert result.returncode == 0


def test_closed_standard_input_is_a_usage_error(tmp_path: Path) -> None:
    result = _validate(tmp_path, "-", capture_output=True, preexec_fn=lambda: os.close(0))
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert result.returncode == 2 and "standard input is closed" in result.stderr


def test_a_c_locale_writes_what_it_cannot_encode_as_escapes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    text = DOCUMENT.read_text("utf-8").replace('"text": "', '"text": "\u2026 ', 1)
    bad.write_text(text, "utf-8")
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    env.pop("PYTHONIOENCODING", None)
    result = _validate(tmp_path, bad.name, capture_output=True, env=env)
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert result.returncode == 1 and "O006" in result.stdout
