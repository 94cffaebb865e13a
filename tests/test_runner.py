"""Runs over many files: --changed-since, the cache, --jobs, baselines, stdin, configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import CORPUS, NEGATIVE, POSITIVE, ROOT, run_cli
from corpuskit import engine, executors, runner
from corpuskit.config import Config, _posix
from corpuskit.engine import Settings

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import write_corpus


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with the corpus, its scheme and a configuration, all committed."""
    # The seed article and its scheme only: a document a user adds to corpus/ changes no count here.
    (tmp_path / "corpus").mkdir()
    for f in (*CORPUS.glob("iran-russia-missiles.*"), CORPUS / "scheme.toml"):
        shutil.copy(f, tmp_path / "corpus" / f.name)
    for name in ("a", "b", "c"):
        shutil.copy(POSITIVE / "minimal.json", tmp_path / "corpus" / f"{name}.json")
    shutil.copy(
        ROOT / "tests" / "examples" / "scheme.toml", tmp_path / "corpus" / "examples-scheme.toml"
    )
    (tmp_path / "corpuskit.toml").write_text('paths = ["corpus"]\nscheme = "corpus/scheme.toml"\n')
    (tmp_path / "corpus" / "corpuskit.toml").write_text('scheme = "examples-scheme.toml"\n')
    # The minimal documents follow the examples' scheme; the article follows the corpus scheme.
    (tmp_path / "corpus" / "article").mkdir()
    for f in (tmp_path / "corpus").glob("iran-russia-missiles.*"):
        f.rename(tmp_path / "corpus" / "article" / f.name)
    (tmp_path / "corpus" / "article" / "corpuskit.toml").write_text('scheme = "../scheme.toml"\n')
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "-c", "user.email=t@t", "-c", "user.name=t", "add", "-A")
    git(tmp_path, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "base")
    return tmp_path


def test_changed_since_checks_only_changed_renamed_and_untracked_files(repo: Path) -> None:
    assert "5 files checked" in run_cli("validate", "--no-cache", cwd=repo).stdout
    unchanged = run_cli("validate", "--no-cache", "--changed-since", "HEAD", cwd=repo)
    assert unchanged.returncode == 0 and "No files checked." in unchanged.stdout
    a = repo / "corpus" / "a.json"
    a.write_text(a.read_text().replace('"value": "actual"', '"value": "future"'))
    git(repo, "mv", "corpus/b.json", "corpus/b2.json")
    shutil.copy(POSITIVE / "minimal.json", repo / "corpus" / "new.json")
    result = run_cli(
        "validate", "--no-cache", "--format", "json", "--changed-since", "HEAD", cwd=repo
    )
    import json

    assert json.loads(result.stdout)["summary"]["files"] == 3
    (repo / "corpus" / "examples-scheme.toml").write_text(
        (repo / "corpus" / "examples-scheme.toml").read_text() + "\n# changed\n"
    )
    # The corpus scheme is the configured one: changing it re-checks everything.
    scheme = repo / "corpus" / "scheme.toml"
    scheme.write_text(scheme.read_text() + "\n# changed\n")
    assert (
        "6 files checked"
        in run_cli("validate", "--no-cache", "--changed-since", "HEAD", cwd=repo).stdout
    )


def test_changed_since_needs_git_and_a_known_ref(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = run_cli("validate", "--changed-since", "no-such-ref", cwd=repo)
    assert result.returncode == 2 and "no-such-ref" in result.stderr
    outside = tmp_path_factory.mktemp("plain")
    shutil.copytree(CORPUS, outside / "corpus")
    result = run_cli("validate", "--changed-since", "HEAD", cwd=outside)
    assert result.returncode == 2 and "git" in result.stderr and "Traceback" not in result.stderr


def _count_checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the runner really checks (not answered from the cache), in order."""
    calls: list[Path] = []
    real = executors.check_job

    def counting(job: executors.Job) -> engine.FileReport:
        calls.append(Path(job.name))
        return real(job)

    # Every executor checks through check_job (the local one, and the pool's workers via runner).
    monkeypatch.setattr(executors, "check_job", counting)
    monkeypatch.setattr(runner, "check_job", counting)
    return calls


def test_the_cache_skips_unchanged_files_and_rechecks_a_changed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "docs", 6)
    calls = _count_checks(monkeypatch)
    options = runner.RunOptions(
        paths=(tmp_path / "docs",),
        settings=Settings(),
        config=Config(root=tmp_path),
        cache_dir=tmp_path / "cache",
    )
    first = list(runner.run(options))
    assert len(calls) == 6
    calls.clear()
    second = list(runner.run(options))
    assert calls == [] and second == first
    changed = sorted((tmp_path / "docs").glob("*.json"))[2]
    changed.write_text(changed.read_text().replace('"value": "actual"', '"value": "future"', 1))
    list(runner.run(options))
    assert calls == [changed]
    other = runner.RunOptions(
        **{
            **{f: getattr(options, f) for f in runner.RunOptions.__struct_fields__},
            "settings": Settings(ignore=frozenset({"O"})),
        }
    )
    calls.clear()
    list(runner.run(other))
    assert len(calls) == 6  # other settings, other results


def test_changed_corpuskit_code_rechecks_unchanged_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpuskit import cache

    write_corpus(tmp_path / "docs", 3)
    calls = _count_checks(monkeypatch)
    options = runner.RunOptions(
        paths=(tmp_path / "docs",),
        settings=Settings(),
        config=Config(root=tmp_path),
        cache_dir=tmp_path / "cache",
    )
    list(runner.run(options))
    assert len(calls) == 3
    calls.clear()
    # An edited checkout of corpuskit (new rules): the stat index must not serve old results.
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "edited")
    list(runner.run(options))
    assert len(calls) == 3


def test_jobs_1_and_2_give_identical_output(tmp_path: Path) -> None:
    write_corpus(tmp_path / "docs", 40)
    broken = sorted((tmp_path / "docs").glob("*.json"))
    for f in broken[::7]:
        f.write_text(f.read_text().replace('"start": 0, "end": 4', '"start": 1, "end": 5', 1))
    one = run_cli(
        "validate", "--no-cache", "--format", "json", "--jobs", "1", str(tmp_path / "docs")
    )
    two = run_cli(
        "validate", "--no-cache", "--format", "json", "--jobs", "2", str(tmp_path / "docs")
    )
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and '"O003"' in one.stdout


def test_jobs_2_follows_each_folders_scheme_and_reports_an_unusable_one_as_jobs_1(
    tmp_path: Path,
) -> None:
    # Forked workers start from the schemes the main process loaded: two folders under two
    # schemes must still each be checked under their own, and a broken scheme still said once.
    for name, scheme in (
        ("seedlike", CORPUS / "scheme.toml"),
        ("examples", ROOT / "tests" / "examples" / "scheme.toml"),
    ):
        folder = tmp_path / "docs" / name
        write_corpus(folder, 20)
        shutil.copy(scheme, folder / "scheme.toml")
        (folder / "corpuskit.toml").write_text('scheme = "scheme.toml"\n')
    args = ("validate", "--no-cache", "--format", "json", str(tmp_path / "docs"))
    one, two = run_cli(*args, "--jobs", "1"), run_cli(*args, "--jobs", "2")
    assert one.returncode == two.returncode
    assert one.stdout == two.stdout and '"C0' in one.stdout
    (tmp_path / "docs" / "examples" / "scheme.toml").write_text("[entities\n")
    one, two = run_cli(*args, "--jobs", "1"), run_cli(*args, "--jobs", "2")
    assert one.returncode == two.returncode == 2
    assert one.stderr == two.stderr and "scheme.toml" in one.stderr


def test_the_library_api_is_picklable_and_agrees_in_a_process_pool(tmp_path: Path) -> None:
    import multiprocessing
    import pickle

    write_corpus(tmp_path / "docs", 4)
    files = sorted((tmp_path / "docs").glob("*.json"))
    settings = Settings(ignore=frozenset({"O102"}))
    assert pickle.loads(pickle.dumps(settings)) == settings
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pooled = pool.starmap(engine.check_file, [(f, settings) for f in files])
    assert pooled == [engine.check_file(f, settings) for f in files]
    assert pickle.loads(pickle.dumps(pooled)) == pooled


def test_baseline_reports_only_new_problems_even_after_edits_elsewhere(tmp_path: Path) -> None:
    doc = tmp_path / "d.json"
    doc.write_text((NEGATIVE / "R002-dangling-reference.json").read_text())
    baseline = tmp_path / "baseline.json"
    result = run_cli("validate", "--write-baseline", str(baseline), str(doc), cwd=tmp_path)
    assert result.returncode == 0 and baseline.exists()
    assert run_cli("validate", "--baseline", str(baseline), str(doc), cwd=tmp_path).returncode == 0
    text = doc.read_text()
    # An edit above the recorded problem moves it down a line: still recorded.
    text = text.replace(
        '  "mentions": [\n',
        '  "mentions": [\n    {"id": "m0", "type": "GPE", "span": [{"start": 0, "end": 4, "text": "Iran"}]},\n',
        1,
    )
    doc.write_text(text)
    result = run_cli("validate", "--baseline", str(baseline), str(doc), cwd=tmp_path)
    assert result.returncode == 0 and "1 more in the baseline" in result.stdout
    doc.write_text(text.replace('"ref": "e1"}', '"ref": "e9"}', 1))
    result = run_cli(
        "validate", "--format", "concise", "--baseline", str(baseline), str(doc), cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stdout.count(" R002 ") == 1 and '"e9"' in result.stdout


def test_a_broken_baseline_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("{not json")
    result = run_cli("validate", "--baseline", str(tmp_path / "b.json"), str(POSITIVE))
    assert result.returncode == 2 and "not a corpuskit baseline" in result.stderr


def test_stdin_with_a_filename(tmp_path: Path) -> None:
    data = (NEGATIVE / "O003-span-text-mismatch.json").read_bytes()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "corpuskit",
            "validate",
            "-",
            "--stdin-filename",
            "corpus/x.json",
            "--format",
            "concise",
        ],
        input=data,
        capture_output=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "NO_COLOR"},
    )
    assert result.returncode == 1
    assert result.stdout.decode().startswith("corpus/x.json:18:42: O003 ")
    xml = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "-", "--stdin-filename", "d.xml"],
        input=(POSITIVE / "minimal.xml").read_bytes(),
        capture_output=True,
        cwd=ROOT / "tests" / "examples",
    )
    assert xml.returncode == 0, xml.stdout


def test_strict_turns_warnings_into_failure() -> None:
    target = str(NEGATIVE / "O101-span-whitespace.json")
    assert run_cli("validate", target).returncode == 0
    assert run_cli("validate", "--strict", target).returncode == 1


def test_configuration_severity_per_file_ignores_include_exclude_and_format(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "legacy").mkdir(parents=True)
    shutil.copy(NEGATIVE / "O101-span-whitespace.json", docs / "warn.json")
    shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", docs / "legacy" / "old.json")
    shutil.copy(NEGATIVE / "P001-json-syntax.json", docs / "skip.json")
    (tmp_path / "corpuskit.toml").write_text(
        'paths = ["docs"]\nexclude = ["docs/skip.json"]\nformat = "concise"\n'
        'severity = { O101 = "error" }\n[per-file-ignores]\n"docs/legacy/*" = ["span-text-mismatch"]\n'
    )
    result = run_cli("validate", "--no-cache", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and "warn.json:15:52: O101" in lines[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('strict = "yes"\n', '"strict" must be true or false'),
        ('severity = { O101 = "fatal" }\n', '"severity" must map'),
        ("exclude = 3\n", '"exclude" must be a list of strings'),
        ('[per-file-ignores]\n"x" = "O101"\n', '"per-file-ignores.x" must be a list'),
        ('formt = "json"\n', 'unknown configuration key "formt"'),
    ],
)
def test_invalid_configuration_is_exit_2_naming_the_key(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "corpuskit.toml").write_text(content)
    result = run_cli("validate", str(POSITIVE), cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr


def test_the_rules_page_is_generated_from_the_registry() -> None:
    from corpuskit.rules import rules_page

    assert (ROOT / "docs" / "rules.md").read_text("utf-8") == rules_page(), (
        "regenerate: corpuskit rules --format docs > docs/rules.md"
    )


def test_a_run_restores_the_cyclic_collector_as_it_found_it(tmp_path: Path) -> None:
    import gc

    write_corpus(tmp_path / "docs", 3)
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    reports = runner.validate([tmp_path / "docs"], Settings())
    next(reports)
    assert gc.get_threshold()[0] == runner.RUN_GC_THRESHOLD  # tuned while the run lasts
    assert len(list(reports)) == 2
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


@given(
    st.lists(
        st.sampled_from(["a", ".", "..", "", "b c", "é", "/", "//", "./", "x.json"]), min_size=1
    )
)
def test_a_name_outside_the_project_is_globbed_in_its_posix_form(parts: list[str]) -> None:
    name = "".join(parts)
    assume(name)
    assert _posix(name) == Path(name).as_posix()


_NAME = st.text(st.characters(blacklist_characters="\0/", blacklist_categories=()), min_size=1)


@given(st.lists(st.tuples(st.sampled_from(["", "a", "a/b", "/x y"]), _NAME), max_size=20))
def test_a_path_list_gives_back_every_name_in_order(entries: list[tuple[str, str]]) -> None:
    names = [os.path.join(folder, name) for folder, name in entries]
    found = runner.PathList()
    for folder, name in entries:
        found.add(folder, name)
    assert list(found.names()) == names
    assert [os.fspath(found[i]) for i in range(len(found))] == [os.fspath(Path(n)) for n in names]
    assert list(map(os.fspath, found[1:3])) == [os.fspath(Path(n)) for n in names[1:3]]


@given(st.lists(st.text(st.characters(blacklist_categories=()), min_size=1)))
def test_names_held_as_utf8_bytes_sort_as_the_names_do(names: list[str]) -> None:
    # Discovery sorts a folder's names as UTF-8 bytes (surrogates passed through): the same
    # order as the strings', code point by code point.
    encoded = sorted(n.encode("utf-8", "surrogatepass") for n in names)
    assert [b.decode("utf-8", "surrogatepass") for b in encoded] == sorted(names)
