"""The pre-commit hooks, run by pre-commit itself on a scratch repository.

The scratch repository's ``.pre-commit-config.yaml`` names this repository's hooks as a user's
would (a repository and a rev). The repository is a snapshot of this checkout, committed with
its uncommitted changes as ``pre-commit try-repo`` would; unlike ``try-repo``, whose store is
thrown away after each call, the store here lasts the session, so the hooks' environment is
built once (about 17 s) instead of once a call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, EXAMPLES, NEGATIVE, POSITIVE, ROOT

# Both tests on one pytest-xdist worker, so that they share the session's store.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pre-commit")]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def _git(*args: str, cwd: Path, stdin: bytes | None = None) -> bytes:
    # None of the caller's GIT_* variables (run from a git hook, GIT_DIR or GIT_INDEX_FILE
    # would point at the real repository), as pre-commit's own try-repo does.
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, input=stdin, capture_output=True, env=env, check=True
    )
    return done.stdout


@pytest.fixture(scope="session")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """(repository, rev, PRE_COMMIT_HOME): this checkout as a commit, and a store for the run."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    work = tmp_path_factory.mktemp("pre-commit")
    snapshot = work / "corpuskit"
    _git("clone", "-q", str(ROOT), str(snapshot), cwd=work)
    # A patch git apply reads whatever the user's diff settings (prefixes, colour, a tool)
    changes = _git(
        "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "diff", "--no-color",
        "--no-ext-diff", "--binary", "HEAD", cwd=ROOT,
    )  # fmt: skip
    if changes:
        _git("apply", "--index", "-", cwd=snapshot, stdin=changes)
        _git("commit", "-q", "--no-gpg-sign", "--no-verify", "-m", "changes", cwd=snapshot)
    rev = _git("rev-parse", "HEAD", cwd=snapshot).decode().strip()
    return snapshot, rev, work / "home"


def _project(repo: Path, hooks: tuple[Path, str, Path]) -> None:
    """A corpus project using the hooks, as its README tells a user to."""
    snapshot, rev, _ = hooks
    (repo / "pyproject.toml").write_text(
        '[tool.corpuskit]\npaths = ["corpus"]\nscheme = "corpus/scheme.toml"\n'
    )
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {snapshot}\n    rev: {rev}\n    hooks:\n"
        "      - id: corpuskit-validate\n      - id: corpuskit-validate-config\n"
    )
    _git("init", "-q", cwd=repo)
    _git("add", ".", cwd=repo)


def _run(hook: str, files: list[str], repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(
        [*PRE_COMMIT, "run", hook, "--files", *files],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def _built(result: subprocess.CompletedProcess[str]) -> None:
    """Skips (outside CI) where the hooks' environment cannot be built, e.g. with no network."""
    failed = result.returncode != 0 and "corpuskit validate" not in result.stdout
    if failed and not os.environ.get("CI"):
        pytest.skip(f"the hook environment could not be built here: {result.stdout[-400:]}")


def test_corpuskit_validate_hook_passes_good_and_fails_bad_documents(
    tmp_path: Path, hooks: tuple[Path, str, Path]
) -> None:
    repo = tmp_path / "corpus-repo"
    shutil.copytree(CORPUS, repo / "corpus")
    _project(repo, hooks)
    files = [str(p.relative_to(repo)) for p in sorted((repo / "corpus").glob("*.json"))]
    good = _run("corpuskit-validate", files, repo, hooks[2])
    _built(good)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "corpuskit validate" in good.stdout and "Passed" in good.stdout
    shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", repo / "corpus" / "broken.json")
    bad = _run("corpuskit-validate", ["corpus/broken.json"], repo, hooks[2])
    assert bad.returncode == 1, bad.stdout
    assert "Failed" in bad.stdout and "corpus/broken.json:18:42: O003" in bad.stdout


def test_a_staged_scheme_change_runs_a_full_check(
    tmp_path: Path, hooks: tuple[Path, str, Path]
) -> None:
    """A commit that only edits the scheme can break every document: the config hook sees it."""
    repo = tmp_path / "corpus-repo"
    (repo / "corpus").mkdir(parents=True)
    shutil.copy(EXAMPLES / "scheme.toml", repo / "corpus" / "scheme.toml")
    shutil.copy(POSITIVE / "minimal.json", repo / "corpus" / "doc.json")
    _project(repo, hooks)
    good = _run("corpuskit-validate-config", ["corpus/scheme.toml"], repo, hooks[2])
    _built(good)
    assert good.returncode == 0, good.stdout + good.stderr
    scheme = repo / "corpus" / "scheme.toml"
    scheme.write_text(scheme.read_text().replace('"^Q[1-9][0-9]*$"', '"^X$"'))
    bad = _run("corpuskit-validate-config", ["corpus/scheme.toml"], repo, hooks[2])
    assert bad.returncode == 1, bad.stdout
    assert "Failed" in bad.stdout and "corpus/doc.json" in bad.stdout and "C009" in bad.stdout
    # the documents' own hook does not even run for a TOML file: the config hook is what sees it
    skipped = _run("corpuskit-validate", ["corpus/scheme.toml"], repo, hooks[2])
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout, skipped.stdout
