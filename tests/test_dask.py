"""validate on a Dask cluster: a real distributed.LocalCluster (scheduler and two one-thread
worker processes over TCP on 127.0.0.1) reports exactly what a local run reports."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, ROOT, run_cli
from corpuskit import executors, runner
from corpuskit.config import Config
from corpuskit.engine import FileReport, Settings
from corpuskit.executors import DaskExecutor, ExecutorError, Job
from corpuskit.rules import parse as P

distributed = pytest.importorskip("distributed")

EXAMPLES = ROOT / "tests" / "examples"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a LocalCluster that gives up on a task after its first worker death (the
    default, three, would kill and restart four workers per poisoned task) and sends a worker
    one task at a time (else a task queued beside a poisoned one dies with it, and with no
    retries left is reported P999 too)."""
    import dask

    with (
        dask.config.set(
            {
                "distributed.scheduler.allowed-failures": 0,
                "distributed.scheduler.worker-saturation": 1.0,
            }
        ),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            protocol="tcp",
        ) as cluster,
    ):
        yield str(cluster.scheduler_address)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Documents with errors under two schemes, more than one batch of them, and two files
    that cannot be read (a dangling link, a link out of the project)."""
    root = tmp_path / "project"
    shutil.copytree(EXAMPLES / "negative", root / "examples" / "negative")
    shutil.copytree(EXAMPLES / "positive", root / "examples" / "positive")
    for name in ("scheme.toml", "corpuskit.toml"):
        shutil.copy(EXAMPLES / name, root / "examples" / name)
    article = root / "article"
    article.mkdir()
    for f in CORPUS.glob("iran-russia-missiles.*"):
        shutil.copy(f, article / f.name)
    shutil.copy(CORPUS / "scheme.toml", article / "scheme.toml")
    (article / "corpuskit.toml").write_text('scheme = "scheme.toml"\n')
    for i in range(20):  # enough files for two batches of 64
        shutil.copy(EXAMPLES / "positive" / "minimal.json", root / "examples" / f"copy{i:02}.json")
    (root / "examples" / "gone.json").symlink_to("missing.json")
    outside = tmp_path / "outside.json"
    shutil.copy(EXAMPLES / "positive" / "minimal.json", outside)
    (root / "examples" / "outside.json").symlink_to(outside)
    (root / "corpuskit.toml").write_text('paths = ["examples", "article"]\n')
    return root


def _options(project: Path, **changes: Any) -> runner.RunOptions:
    return runner.RunOptions(
        paths=(project / "examples", project / "article"),
        settings=Settings(root=project),
        config=Config(root=project, source=project / "corpuskit.toml"),
        **changes,
    )


def test_a_dask_run_reports_what_a_local_run_reports(project: Path, scheduler: str) -> None:
    local = list(runner.run(_options(project)))
    remote = list(runner.run(_options(project, executor="dask", scheduler=scheduler)))
    assert remote == local
    # The fixture is what it claims: errors, both schemes in force, files that cannot be read.
    codes = {d.code for r in local for d in r.diagnostics}
    assert {"C001", "O003", "P001"} <= codes
    assert any(r.unreadable for r in local) and len(local) > executors.BATCH_FILES
    assert [r.path for r in remote] == [str(p) for p in runner.discover(_options(project))]


def test_the_cache_stays_in_the_main_process(project: Path, scheduler: str) -> None:
    cache = project / ".cache"
    first = list(
        runner.run(_options(project, executor="dask", scheduler=scheduler, cache_dir=cache))
    )
    # A local run over the same cache checks nothing: the Dask run stored every result here.
    checked: list[str] = []
    real = executors.check_job

    def counting(job: Job) -> FileReport:
        checked.append(job.name)
        return real(job)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(executors, "check_job", counting)
        again = list(runner.run(_options(project, cache_dir=cache)))
    assert again == first and checked == []


def test_a_document_that_kills_its_worker_is_p999_and_the_others_are_reported(
    project: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(EXAMPLES / "positive" / "minimal.json", project / "examples" / "poison.json")

    def poisoned(settings: Any, jobs: Any) -> list[FileReport]:
        # Defined here, so it travels to the workers by value.
        if any(name.endswith("poison.json") for _, name, _, _ in jobs):
            os._exit(1)  # the worker process dies mid-task, as on a segfault or the OOM killer
        return executors.check_batch(settings, jobs)

    local = list(runner.run(_options(project)))
    monkeypatch.setattr(executors, "check_batch", poisoned)
    remote = list(runner.run(_options(project, executor="dask", scheduler=scheduler)))
    assert len(remote) == len(local)
    for mine, theirs in zip(local, remote, strict=True):
        if mine.path.endswith("poison.json"):
            assert [d.code for d in theirs.diagnostics] == [P.INTERNAL_ERROR.code]
            assert theirs.unreadable and "KilledWorker" in theirs.diagnostics[0].message
        else:
            assert theirs == mine


def test_the_cli_reports_and_exits_as_a_local_run(project: Path, scheduler: str) -> None:
    common = ("validate", "--no-cache", "--format", "json")
    local = run_cli(*common, cwd=project)
    remote = run_cli(*common, "--executor", "dask", "--scheduler", scheduler, cwd=project)
    assert local.returncode == 2  # the unreadable files
    assert (remote.returncode, remote.stdout) == (local.returncode, local.stdout)
    unreachable = run_cli(
        "validate", "--executor", "dask", "--scheduler", "no-port", "examples", cwd=project
    )
    assert unreachable.returncode == 2 and unreachable.stdout == ""
    assert unreachable.stderr.startswith("corpuskit: error: cannot connect to the Dask scheduler")
    assert "Traceback" not in unreachable.stderr


def test_losing_the_scheduler_mid_run_is_a_clear_error(project: Path) -> None:
    local = list(runner.run(_options(project)))
    got: list[FileReport] = []
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        options = _options(project, executor="dask", scheduler=cluster.scheduler_address)
        with pytest.raises(ExecutorError, match="lost the connection to the Dask scheduler"):
            for report in runner.run(options):
                got.append(report)
                if len(got) == 3:
                    cluster.close()
    # What was reported before is exact; the rest is not silently dropped but an error.
    assert 3 <= len(got) < len(local) and got == local[: len(got)]


def test_an_unreachable_scheduler_is_a_clear_error(project: Path) -> None:
    # Nothing listens on port 1; a short timeout keeps the test quick (the default is 10 s).
    with (
        pytest.raises(ExecutorError, match=r"cannot connect to the Dask scheduler at tcp://127"),
        DaskExecutor("tcp://127.0.0.1:1", timeout=1),
    ):
        pass
    options = _options(project, executor="dask", scheduler="no-port")
    with pytest.raises(ExecutorError, match=r"at no-port: ValueError"):
        list(runner.run(options))
    with pytest.raises(ExecutorError, match="needs --scheduler"):
        list(runner.run(_options(project, executor="dask")))
    with pytest.raises(ExecutorError, match="unknown executor 'spark'"):
        list(runner.run(_options(project, executor="spark")))
    # Also where the process pool, not an executor, would run the checks (--jobs 2, many files).
    with pytest.raises(ExecutorError, match="--scheduler is only for --executor dask"):
        list(runner.run(_options(project, jobs=2, scheduler="tcp://127.0.0.1:8786")))


def test_workers_running_other_code_are_refused(
    scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = executors.environment
    here = os.getpid()

    def differs_here() -> Any:
        # Travels to the workers by value; there (another pid) it answers truthfully.
        return ("other code", "", ()) if os.getpid() == here else real()

    monkeypatch.setattr(executors, "environment", differs_here)
    with (
        pytest.raises(ExecutorError, match="run other code than this corpuskit"),
        DaskExecutor(scheduler, timeout=5),
    ):
        pass


@settings(max_examples=15, deadline=None)
@given(
    shape=st.lists(st.booleans(), max_size=40),
    batch=st.integers(min_value=1, max_value=7),
)
def test_every_job_comes_back_once_in_the_order_given(
    scheduler: str, shape: list[bool], batch: int
) -> None:
    # Items with a job (True) and without: bytes that fail to parse, each named by its index.
    items = [
        (i, Job(b"{", f"{i}.json", f"/{i}.json", Settings()) if has_job else None)
        for i, has_job in enumerate(shape)
    ]
    with DaskExecutor(scheduler, batch_files=batch) as executor:
        executor.window = 2  # few batches in flight: the stream must still come out in order
        out = list(executor.map(items))
    assert [i for i, _ in out] == list(range(len(shape)))
    for (i, report), has_job in zip(out, shape, strict=True):
        if has_job:
            assert report is not None and report.path == f"{i}.json"
            assert [d.code for d in report.diagnostics] == [P.JSON_SYNTAX.code]
        else:
            assert report is None
