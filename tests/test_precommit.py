"""The pre-commit hook, run by pre-commit itself on a scratch repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, EXAMPLES, NEGATIVE, POSITIVE, ROOT


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-home")}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)


@pytest.mark.slow
def test_corpuskit_validate_hook_passes_good_and_fails_bad_documents(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "corpus-repo"
    shutil.copytree(CORPUS, repo / "corpus")
    (repo / "pyproject.toml").write_text(
        '[tool.corpuskit]\npaths = ["corpus"]\nscheme = "corpus/scheme.toml"\n'
    )
    _run(["git", "init", "-q"], repo)
    pre_commit = [sys.executable, "-m", "pre_commit"]
    files = [str(p.relative_to(repo)) for p in sorted((repo / "corpus").glob("*.json"))]
    good = _run([*pre_commit, "try-repo", str(ROOT), "corpuskit-validate", "--files", *files], repo)
    if (
        good.returncode != 0
        and "corpuskit validate" not in good.stdout
        and not os.environ.get("CI")
    ):
        pytest.skip(f"the hook environment could not be built here: {good.stdout[-400:]}")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "corpuskit validate" in good.stdout and "Passed" in good.stdout
    shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", repo / "corpus" / "broken.json")
    bad = _run(
        [*pre_commit, "try-repo", str(ROOT), "corpuskit-validate", "--files", "corpus/broken.json"],
        repo,
    )
    assert bad.returncode == 1, bad.stdout
    assert "Failed" in bad.stdout and "corpus/broken.json:18:42: O003" in bad.stdout


@pytest.mark.slow
def test_a_staged_scheme_change_runs_a_full_check(tmp_path: Path) -> None:
    """A commit that only edits the scheme can break every document: the config hook sees it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "corpus-repo"
    (repo / "corpus").mkdir(parents=True)
    shutil.copy(EXAMPLES / "scheme.toml", repo / "corpus" / "scheme.toml")
    shutil.copy(POSITIVE / "minimal.json", repo / "corpus" / "doc.json")
    (repo / "pyproject.toml").write_text(
        '[tool.corpuskit]\npaths = ["corpus"]\nscheme = "corpus/scheme.toml"\n'
    )
    _run(["git", "init", "-q"], repo)
    pre_commit = [sys.executable, "-m", "pre_commit"]
    hook = [*pre_commit, "try-repo", str(ROOT), "corpuskit-validate-config"]
    good = _run([*hook, "--files", "corpus/scheme.toml"], repo)
    if (
        good.returncode != 0
        and "corpuskit validate" not in good.stdout
        and not os.environ.get("CI")
    ):
        pytest.skip(f"the hook environment could not be built here: {good.stdout[-400:]}")
    assert good.returncode == 0, good.stdout + good.stderr
    scheme = repo / "corpus" / "scheme.toml"
    scheme.write_text(scheme.read_text().replace('"^Q[1-9][0-9]*$"', '"^X$"'))
    bad = _run([*hook, "--files", "corpus/scheme.toml"], repo)
    assert bad.returncode == 1, bad.stdout
    assert "Failed" in bad.stdout and "corpus/doc.json" in bad.stdout and "C009" in bad.stdout
    # the documents' own hook does not even run for a TOML file: the config hook is what sees it
    skipped = _run(
        [*pre_commit, "try-repo", str(ROOT), "corpuskit-validate", "--files", "corpus/scheme.toml"],
        repo,
    )
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout
