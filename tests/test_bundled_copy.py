"""A user adds a document to corpus/: validate still passes and no test's input changes.

The tests read a frozen copy of the seed article (tests/fixtures/seed); only the tests marked
``bundled`` read the repository's corpus/. Here corpus/ is copied into a project of its own, a
new valid document is added (JSON only: a corpus may hold one format, both or a mix), and the
marked tests are run against that copy in a real pytest subprocess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import BUNDLED_CORPUS, ROOT, run_cli

# A document of the test's own, built from line 3 of the seed article (a claim with its cue).
NEW_DOCUMENT = ROOT / "tests" / "fixtures" / "claim-cue.json"


def _project_with_a_new_document(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(BUNDLED_CORPUS, project / "corpus")
    # The repository's [tool.corpuskit] settings, as a user's project would have them.
    (project / "corpuskit.toml").write_text('paths = ["corpus"]\nscheme = "corpus/scheme.toml"\n')
    shutil.copy(NEW_DOCUMENT, project / "corpus" / "new-article.json")
    return project


def test_a_new_json_only_document_in_a_corpus_copy_validates_and_the_bundled_tests_pass(
    tmp_path: Path,
) -> None:
    project = _project_with_a_new_document(tmp_path)
    assert not (project / "corpus" / "new-article.xml").exists()
    result = run_cli("validate", "--no-cache", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    documents = sorted(p.name for p in (project / "corpus").iterdir() if p.suffix == ".json")
    assert "new-article.json" in documents
    assert f"{len(documents) + len(list((project / 'corpus').glob('*.xml')))} files" in (
        result.stdout
    )

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["CORPUSKIT_BUNDLED_PROJECT"] = str(project)
    # -n 0: the few marked tests in this process, not on workers that each collect the suite
    pytest = [sys.executable, "-m", "pytest", "-m", "bundled", "-q", "-p", "no:cacheprovider"]
    marked = subprocess.run(
        [*pytest, "-n", "0", "tests"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert marked.returncode == 0, marked.stdout + marked.stderr
    # The marked subset ran (a marker nobody uses would pass vacuously).
    assert " passed" in marked.stdout and " failed" not in marked.stdout, marked.stdout
