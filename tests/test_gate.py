"""The gate cannot be fooled or made to leak: links, special files, --changed-since, the cache.

Each test is one way a hostile or careless pull request got through before; they run the CLI in
a subprocess where the exit code and the output are the point.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, NEGATIVE, POSITIVE, run_cli
from corpuskit import io as safe_io
from corpuskit.cache import STORE_NAME
from corpuskit.reporters import REPORTERS

SECRET = "corpuskit-test-secret-4f1c9a"
REPORT_FORMATS = tuple(REPORTERS)


def _project(tmp_path: Path) -> Path:
    """A project with a configuration, the examples' scheme and one good document."""
    root = tmp_path / "project"
    (root / "corpus").mkdir(parents=True)
    shutil.copy(EXAMPLES / "scheme.toml", root / "corpus" / "scheme.toml")
    shutil.copy(POSITIVE / "minimal.json", root / "corpus" / "good.json")
    (root / "corpuskit.toml").write_text('paths = ["corpus"]\nscheme = "corpus/scheme.toml"\n')
    return root


def _codes(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


# --- reading only regular files inside the project ---------------------------------------


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_a_link_to_proc_environ_is_refused_and_leaks_nothing(tmp_path: Path, fmt: str) -> None:
    root = _project(tmp_path)
    (root / "corpus" / "env.json").symlink_to("/proc/self/environ")
    result = run_cli("validate", "--no-cache", "--format", fmt, cwd=root, env={"TOKEN": SECRET})
    assert result.returncode == 1, result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "P010" in result.stdout and "Traceback" not in result.stderr


def test_a_link_out_of_the_project_is_refused_even_to_a_readable_document(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    outside = tmp_path / "outside.json"
    outside.write_text('{"broken": ' + SECRET)
    (root / "corpus" / "out.json").symlink_to(outside)
    result = run_cli("validate", "--no-cache", "--format", "json", cwd=root)
    assert result.returncode == 1
    assert _codes(result) == ["P010"] and SECRET not in result.stdout


def test_a_link_inside_the_project_is_followed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "corpus" / "alias.json").symlink_to(root / "corpus" / "good.json")
    result = run_cli("validate", "--no-cache", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stdout
    assert _codes(result) == []


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
def test_a_link_to_a_device_is_refused_without_reading(tmp_path: Path, target: str) -> None:
    root = _project(tmp_path)
    (root / "corpus" / "zero.json").symlink_to(target)
    result = run_cli("validate", "--no-cache", "--format", "json", cwd=root)
    assert result.returncode == 1 and _codes(result) == ["P010"]


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    root = _project(tmp_path)
    os.mkfifo(root / "corpus" / "pipe.json")
    result = run_cli("validate", "--no-cache", "--format", "json", cwd=root)
    assert result.returncode == 1 and _codes(result) == ["P010"]


def test_reads_stop_at_the_size_limit_whatever_stat_says(tmp_path: Path) -> None:
    # /proc files say size 0; the cap must hold on what is read, not on what stat says.
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 5000)
    with pytest.raises(safe_io.TooLarge):
        safe_io.read_input(big, root=tmp_path, limit=1000)
    assert safe_io.read_input(big, root=tmp_path, limit=5000) == b" " * 5000
    with pytest.raises(safe_io.RefusedPath):
        safe_io.read_input(Path("/proc/self/status"), limit=1000)


def _outcome(path: Path, root: Path | None, found: str | None) -> str:
    try:
        return safe_io.read_input(path, root=root, limit=1000, found=found).decode()
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("memory", [False, True], ids=["single read", "run"])
def test_a_read_by_the_found_name_decides_as_resolving_the_name_first(
    tmp_path: Path, memory: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The read opens a file by its found name without following a link in its own name, and
    # leaves anything it would not take at once (a link, a pseudo-file, a place outside) to
    # the read that resolves the name first: every case reads the same text or is refused in
    # the same words as that read alone (_NO_FOLLOW = 0), given the found name or not, with
    # the folder memory of a run or not, whatever the root and however the path is written.
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "good.json").write_text("inside")
    (tmp_path / "outside.json").write_text(SECRET)
    (tmp_path / "away").mkdir()
    (tmp_path / "away" / "far.json").write_text(SECRET)
    links = {
        "alias.json": root / "docs" / "good.json",
        "out.json": tmp_path / "outside.json",
        "proc.json": Path("/proc/self/environ"),
        "zero.json": Path("/dev/zero"),
        "loop.json": root / "docs" / "loop.json",
        "dangling.json": root / "docs" / "missing.json",
    }
    for name, target in links.items():
        (root / "docs" / name).symlink_to(target)
    (root / "away").symlink_to(tmp_path / "away")
    (root / "inner").symlink_to(root / "docs")
    (root / "kernel").symlink_to("/proc/self")
    cases = [root / "docs" / name for name in ("good.json", *links, "none.json")]
    cases += [
        root / "away" / "far.json",
        root / "inner" / "good.json",
        root / "inner" / ".." / "docs" / "good.json",
        root / "kernel" / "status",
        tmp_path / "outside.json",
        Path(f"/proc/{os.getpid()}/status"),
        Path("/proc/self/status"),
        Path("/dev/null"),
    ]
    monkeypatch.chdir(root)
    cases += [Path("docs/good.json"), Path("docs/out.json"), Path("inner/../docs/alias.json")]
    roots: list[Path | None] = [root, None, Path("."), Path("/")]

    def everything(found: bool) -> list[str]:
        return [
            _outcome(path, r, safe_io.found_name(path) if found else None)
            for r in roots
            for path in cases
        ]

    context = safe_io.remembered_folders() if memory else contextlib.nullcontext()
    with context:
        fast, given = everything(False), everything(True)
        monkeypatch.setattr(safe_io, "_NO_FOLLOW", 0)
        resolving = everything(False)
    assert fast == resolving and given == resolving
    outcomes = dict(zip([p.name for p in cases], resolving[: len(cases)], strict=False))
    assert outcomes["good.json"] == outcomes["alias.json"] == "inside"
    for name in ("out.json", "far.json"):
        assert "outside the project" in outcomes[name], outcomes[name]
    for name in ("proc.json", "zero.json", "null"):
        assert "kernel pseudo-file" in outcomes[name], outcomes[name]
    assert "loop of symbolic links" in outcomes["loop.json"]
    assert outcomes["outside.json"] == SECRET  # named by the user through no link: theirs
    # A pseudo-file named with no link at all is refused by the found name's own test.
    direct = Path(f"/proc/{os.getpid()}/status")
    assert "kernel pseudo-file" in _outcome(direct, Path("/"), safe_io.found_name(direct))
    assert "kernel pseudo-file" in _outcome(Path("/proc/self/status"), Path("/"), None)


def test_standard_input_is_capped_by_max_file_size(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "corpuskit.toml").write_text('paths = ["corpus"]\nmax-file-size = 1000\n')
    result = subprocess.run(
        [sys.executable, "-m", "corpuskit", "validate", "-", "--format", "json"],
        cwd=root,
        input=b"[" + b" " * 100_000 + b"]",
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["P009"]


# --- fix writes nothing it must not ------------------------------------------------------


def test_fix_never_writes_through_a_folder_link_leading_out(tmp_path: Path) -> None:
    root = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    broken = NEGATIVE / "O003-span-text-mismatch.json"
    shutil.copy(broken, elsewhere / "doc.json")
    (root / "corpus" / "link").symlink_to(elsewhere, target_is_directory=True)
    result = run_cli("fix", "corpus/link/doc.json", cwd=root)
    assert result.returncode != 0
    assert (elsewhere / "doc.json").read_bytes() == broken.read_bytes()
    assert "outside the project" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_fix_leaves_a_read_only_file_alone_and_says_so(tmp_path: Path) -> None:
    root = _project(tmp_path)
    doc = root / "corpus" / "shifted.json"
    text = (POSITIVE / "minimal.json").read_text()
    doc.write_text(text.replace('"start": 0, "end": 4', '"start": 1, "end": 5'))
    before = doc.read_bytes()
    doc.chmod(0o444)
    result = run_cli("fix", "corpus/shifted.json", cwd=root)
    assert result.returncode == 1
    assert doc.read_bytes() == before
    assert "read-only" in result.stderr


def test_fix_reports_a_failed_write_and_goes_on_to_the_next_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpuskit import fixer

    text = (POSITIVE / "minimal.json").read_text()
    shifted = text.replace('"start": 0, "end": 4', '"start": 1, "end": 5')
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(shifted)
    second.write_text(shifted)
    real = safe_io.write_atomic

    def full_disk(path: Path, data: str | bytes, *, root: Path | None = None) -> None:
        if path == first:
            raise OSError(28, "No space left on device")
        real(path, data, root=root)

    monkeypatch.setattr(safe_io, "write_atomic", full_disk)
    outcomes = [fixer.fix_file(p, root=tmp_path) for p in (first, second)]
    assert outcomes[0].refused == "cannot write: No space left on device"
    assert first.read_text() == shifted
    assert outcomes[1].written and second.read_text() == text


def test_write_atomic_refuses_a_write_error_without_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "ro.json"
    target.write_text("old")
    target.chmod(0o444)
    with pytest.raises(safe_io.RefusedPath):
        safe_io.write_atomic(target, "new", root=tmp_path)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["ro.json"]


# --- --changed-since ----------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = _project(tmp_path)
    sub = root / "corpus" / "sub"
    sub.mkdir()
    shutil.copy(EXAMPLES / "scheme.toml", sub / "strict.toml")
    (sub / "corpuskit.toml").write_text('scheme = "strict.toml"\n')
    shutil.copy(POSITIVE / "minimal.json", sub / "governed.json")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    return root


def _checked(result: subprocess.CompletedProcess[str]) -> tuple[int, list[str]]:
    """How many files were checked, and the names of those with problems."""
    report = json.loads(result.stdout)
    names = sorted({Path(d["path"]).name for d in report["diagnostics"]})
    return report["summary"]["files"], names


def test_changed_since_sees_a_broken_file_with_a_name_git_would_quote(repo: Path) -> None:
    for name in ("café.json", "tab\there.json", 'quote".json'):
        shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", repo / "corpus" / name)
    result = run_cli(
        "validate", "--no-cache", "--format", "json", "--changed-since", "main", cwd=repo
    )
    assert result.returncode == 1, result.stdout
    files, names = _checked(result)
    assert files == 3 and len(names) == 3  # a tab in a name is shown escaped
    assert "café.json" in names and 'quote".json' in names


def test_a_changed_nested_scheme_rechecks_the_documents_it_governs(repo: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "stricter")
    strict = repo / "corpus" / "sub" / "strict.toml"
    strict.write_text(strict.read_text().replace('"^Q[1-9][0-9]*$"', '"^X$"'))
    _git(repo, "commit", "-q", "-am", "stricter ids")
    result = run_cli(
        "validate", "--no-cache", "--format", "json", "--changed-since", "main", cwd=repo
    )
    assert result.returncode == 1, result.stdout
    assert _checked(result) == (1, ["governed.json"])  # good.json follows another scheme
    assert "C009" in _codes(result)


def test_a_new_nested_configuration_rechecks_the_documents_below_it(repo: Path) -> None:
    (repo / "corpus" / "corpuskit.toml").write_text("exclude = []\n")
    result = run_cli(
        "validate", "--no-cache", "--format", "json", "--changed-since", "main", cwd=repo
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert _checked(result) == (2, [])


def test_changed_since_compares_with_the_merge_base_not_the_tip(repo: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "feature")
    shutil.copy(POSITIVE / "minimal.json", repo / "corpus" / "mine.json")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "mine")
    _git(repo, "checkout", "-q", "main")
    # main moves on with an unrelated (broken) document the branch has not seen
    shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", repo / "corpus" / "theirs.json")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "theirs")
    _git(repo, "checkout", "-q", "feature")
    for ref in ("main", "main...HEAD"):
        result = run_cli(
            "validate", "--no-cache", "--format", "json", "--changed-since", ref, cwd=repo
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert _checked(result) == (1, [])  # mine.json only


def test_a_ref_missing_from_a_shallow_clone_says_to_fetch_more_history(
    repo: Path, tmp_path: Path
) -> None:
    for n in range(2):
        (repo / "corpus" / f"n{n}.json").write_bytes((POSITIVE / "minimal.json").read_bytes())
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", f"n{n}")
    first = _git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    clone = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    result = run_cli("validate", "--no-cache", "--changed-since", first, cwd=clone)
    assert result.returncode == 2
    assert "shallow" in result.stderr and "fetch" in result.stderr
    assert "Traceback" not in result.stderr


# --- the cache ----------------------------------------------------------------------------


def test_a_lowered_size_limit_is_not_answered_from_the_cache(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert run_cli("validate", cwd=root).returncode == 0
    (root / "corpuskit.toml").write_text(
        'paths = ["corpus"]\nscheme = "corpus/scheme.toml"\nmax-file-size = 100\n'
    )
    result = run_cli("validate", "--format", "json", cwd=root)
    assert result.returncode == 1 and _codes(result) == ["P009"]


@pytest.mark.parametrize("where", ["../elsewhere", "corpus/cache", "/tmp/corpuskit-anywhere"])
def test_a_cache_dir_outside_the_project_or_among_documents_is_refused(
    tmp_path: Path, where: str
) -> None:
    root = _project(tmp_path)
    (root / "corpuskit.toml").write_text(f'paths = ["corpus"]\ncache-dir = "{where}"\n')
    result = run_cli("validate", cwd=root)
    assert result.returncode == 2 and "cache-dir" in result.stderr
    assert not (root / where).exists()
    assert run_cli("validate", "--no-cache", cwd=root).returncode == 0


def _store(root: Path) -> Path:
    (store,) = (root / ".corpuskit_cache").glob("*.sqlite")
    return store


def test_a_hand_edited_cache_entry_is_ignored(tmp_path: Path) -> None:
    root = _project(tmp_path)
    shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", root / "corpus" / "bad.json")
    assert run_cli("validate", cwd=root).returncode == 1
    with sqlite3.connect(_store(root)) as db:
        rows = db.execute("SELECT key, payload FROM results").fetchall()
        for key, payload in rows:
            report = json.loads(payload)
            report["diagnostics"] = []
            db.execute(
                "UPDATE results SET payload = ? WHERE key = ?", (json.dumps(report).encode(), key)
            )
    assert run_cli("validate", cwd=root).returncode == 1


def test_the_cache_is_pruned_to_its_bound(tmp_path: Path) -> None:
    from corpuskit.cache import ResultStore
    from corpuskit.engine import FileReport

    store = ResultStore(tmp_path, writer=True)
    store.begin()
    for n in range(200):
        store.put(b"k%03d" % n, b"d", FileReport(f"x{n}" * 500, ()))
    store.close(max_bytes=100_000)
    reader = ResultStore(tmp_path)
    assert 0 < reader.size() <= 100_000
    assert reader.get(b"k199") is not None  # the newest stay
    reader.close()


def test_a_huge_single_line_document_stores_bounded_excerpts(tmp_path: Path) -> None:
    root = _project(tmp_path)
    doc = json.loads((POSITIVE / "minimal.json").read_text())
    filler = "x" * 300_000
    mentions = [
        {"id": f"m{n}", "type": "PER", "span": [{"start": n, "end": n + 1, "text": "?"}]}
        for n in range(100, 140)
    ]
    doc.update(entities=[], quotes=[], claims=[], events=[], relations=[], attributes=[])
    doc["mentions"] = mentions
    doc["text"] = doc["text"] + filler
    (root / "corpus" / "good.json").write_text(json.dumps(doc, ensure_ascii=False))
    result = run_cli("validate", "--format", "json", cwd=root)
    assert result.returncode == 1
    assert len(result.stdout) < 200_000
    assert _store(root).stat().st_size < 1_000_000


def test_an_exclusive_write_never_replaces_a_file_that_appeared_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "new.json"
    real_check = safe_io.check_writable

    def racing(path: Path, root: Path | None = None) -> Path:
        checked = real_check(path, root)
        target.write_text("someone else's")  # appears between the check and the write
        return checked

    monkeypatch.setattr(safe_io, "check_writable", racing)
    with pytest.raises(FileExistsError):
        safe_io.write_atomic(target, "mine", root=tmp_path, exclusive=True)
    assert target.read_text() == "someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["new.json"]


def test_error_messages_escape_control_characters_from_names_and_configuration(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    (root / "corpuskit.toml").write_text(
        'paths = ["corpus"]\nscheme = "evil\\u001b]0;x\\u0007.toml"\n'
    )
    result = run_cli("validate", cwd=root)
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\\x1b" in result.stderr


def test_a_per_file_ignore_naming_no_rule_is_a_configuration_error(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "corpuskit.toml").write_text(
        'paths = ["corpus"]\n[per-file-ignores]\n"corpus/*.json" = ["C999"]\n'
    )
    result = run_cli("validate", cwd=root)
    assert result.returncode == 2 and "C999" in result.stderr


# --- found in review: a configuration, links and the cache folder from a pull request ------


def test_configured_paths_outside_the_project_are_refused(tmp_path: Path) -> None:
    root = _project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "config.json").write_text('{"auths": "' + SECRET + '"}')
    (root / "corpuskit.toml").write_text(f'paths = ["corpus", "{outside}"]\n')
    result = run_cli("validate", "--no-cache", cwd=root)
    assert result.returncode == 2 and "outside the project" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_a_json_link_to_an_xml_document_is_not_answered_from_the_xml_result(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    assert run_cli("convert", "corpus/good.json", "--to", "xml", "-o", "corpus/a.xml", cwd=root)
    (root / "corpus" / "z.json").symlink_to("a.xml")
    for _ in range(2):  # cold and warm
        result = run_cli("validate", "--format", "json", cwd=root)
        assert result.returncode == 1 and "P001" in _codes(result)


def test_links_committed_into_the_cache_folder_are_not_followed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cache = root / ".corpuskit_cache"
    cache.mkdir()
    (cache / ".gitignore").symlink_to(tmp_path / "outside-gitignore")
    (cache / STORE_NAME).symlink_to(tmp_path / "outside.sqlite")
    assert run_cli("validate", cwd=root).returncode == 0
    assert not (tmp_path / "outside-gitignore").exists()
    assert not (tmp_path / "outside.sqlite").exists()


def test_a_committed_store_with_an_endless_view_is_not_used(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cache = root / ".corpuskit_cache"
    cache.mkdir()
    with sqlite3.connect(cache / STORE_NAME) as db:
        db.executescript(
            "CREATE VIEW stats AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) "
            "SELECT 'n'||x AS name, 0 AS size, 0 AS mtime, 0 AS ctime, 'k'||x AS key FROM c;"
        )
    shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", root / "corpus" / "bad.json")
    result = run_cli("validate", cwd=root)  # run_cli's timeout would fail a hang
    assert result.returncode == 1 and "O003" in result.stdout


def test_a_link_is_judged_by_its_own_name_not_its_excluded_target(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "corpuskit.toml").write_text(
        'paths = ["corpus"]\nexclude = ["corpus/drafts/*"]\n'
        '[per-file-ignores]\n"corpus/legacy/*" = ["O"]\n'
    )
    for folder in ("drafts", "legacy"):
        (root / "corpus" / folder).mkdir()
        shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", root / "corpus" / folder / "x.json")
    (root / "corpus" / "published.json").symlink_to("drafts/x.json")
    (root / "corpus" / "new.json").symlink_to("legacy/x.json")
    result = run_cli("validate", "--no-cache", "--format", "json", cwd=root)
    assert result.returncode == 1
    assert _codes(result) == ["O003", "O003"]


def test_folder_links_are_followed_inside_the_project_and_refused_outside(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    (root / "data").mkdir()
    shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", root / "data" / "in.json")
    (root / "corpus" / "inside").symlink_to(root / "data", target_is_directory=True)
    (root / "corpus" / "loop").symlink_to(root / "corpus", target_is_directory=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "out.json").write_text("{}")
    (root / "corpus" / "out").symlink_to(outside, target_is_directory=True)
    result = run_cli("validate", "--no-cache", "--format", "json", cwd=root)
    assert result.returncode == 1
    assert sorted(_codes(result)) == ["O003", "P010"]


def test_a_link_loop_is_refused_and_the_run_goes_on(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "corpus" / "self.json").symlink_to("self.json")
    for cache in ([], ["--no-cache"]):
        result = run_cli("validate", *cache, "--format", "json", cwd=root)
        assert result.returncode == 1 and _codes(result) == ["P010"], result.stderr


def test_a_file_name_that_is_not_utf8_works_with_the_cache(tmp_path: Path) -> None:
    root = _project(tmp_path)
    name = os.fsdecode(b"corpus/\xff.json")
    shutil.copy(POSITIVE / "minimal.json", root / name)
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "corpuskit", "validate"], cwd=root, capture_output=True
        )
        assert result.returncode == 0, result.stderr
        assert b"Traceback" not in result.stderr


def test_the_project_folder_itself_is_no_cache_folder(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "corpuskit.toml").write_text('paths = ["corpus"]\ncache-dir = "."\n')
    result = run_cli("validate", cwd=root)
    assert result.returncode == 2 and "cache-dir" in result.stderr
    assert not (root / ".gitignore").exists()


def test_changed_since_sees_a_retargeted_folder_link(repo: Path) -> None:
    data = repo / "data"
    (data / "v1").mkdir(parents=True)
    (data / "v2").mkdir()
    shutil.copy(POSITIVE / "minimal.json", data / "v1" / "doc.json")
    shutil.copy(NEGATIVE / "O003-span-text-mismatch.json", data / "v2" / "doc.json")
    (repo / "corpus" / "current").symlink_to("../data/v1", target_is_directory=True)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "v1")
    _git(repo, "checkout", "-q", "-b", "retarget")
    (repo / "corpus" / "current").unlink()
    (repo / "corpus" / "current").symlink_to("../data/v2", target_is_directory=True)
    _git(repo, "commit", "-q", "-am", "v2")
    result = run_cli(
        "validate", "--no-cache", "--format", "json", "--changed-since", "main", cwd=repo
    )
    assert result.returncode == 1 and "O003" in _codes(result)
