"""Review of the typer-free ``validate`` entry point: command lines on which it prints a traceback.

Both crash in the fast path (``python -m corpuskit validate ...``) and, the same way, in the typer
path and in the tree before the typer-free entry point (104fcb7): they are not differences between
the two readings, but a traceback is never the answer to a command line.
"""

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
