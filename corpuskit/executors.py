"""Where the per-document checks run: in this process, or on an existing Dask cluster.

The runner reads every file itself (through the gate's fences) and looks it up in the cache; an
executor only checks bytes. A :class:`Job` carries everything the check needs (the bytes, the
name the report gives the file, the name per-file ignores match, the settings with the
document's scheme), so a cluster's workers never touch the files and need no access to them.
Executors return one report per job, in the order the jobs were given.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import msgspec

from corpuskit.diagnostics import CorpuskitError
from corpuskit.engine import FileReport, Settings, check_bytes, internal_error

if TYPE_CHECKING:
    from distributed import Future

#: The executors ``validate --executor`` accepts.
EXECUTORS = ("local", "dask")
#: Files per Dask task: enough to amortise the scheduler's ~1 ms per task, few enough that a
#: task that fails and is re-run file by file costs little.
BATCH_FILES = 64
#: Bytes per Dask task (a batch closes at whichever limit comes first; one file always fits).
BATCH_BYTES = 8 * 1024 * 1024
#: Seconds to wait for the scheduler, and for at least one worker.
CONNECT_TIMEOUT = 10.0

T = TypeVar("T")


class ExecutorError(CorpuskitError):
    """The chosen executor cannot run (Dask missing, scheduler unreachable, workers differ)."""


class Job(msgspec.Struct, frozen=True):
    """One document to check, with everything the check needs and no file access."""

    data: bytes
    #: The name the report gives the file.
    name: str
    #: The file as found (links in its folders resolved): what per-file ignores match.
    match_path: str
    settings: Settings


def check_job(job: Job) -> FileReport:
    """Check one job's bytes; a bug becomes P999 for that file, never an exception."""
    try:
        return check_bytes(job.data, job.name, job.settings, match_path=job.match_path)
    except Exception as exc:  # a bug must not stop the run or print a traceback
        return internal_error(job.name, exc)


class Executor(Protocol):
    """Checks jobs somewhere and hands the reports back in order."""

    def map(self, items: Iterable[tuple[T, Job | None]]) -> Iterator[tuple[T, FileReport | None]]:
        """Each item back with the report of its job (None for an item without a job), in
        the order given."""
        ...


class LocalExecutor:
    """Checks in this process, one job at a time."""

    def map(self, items: Iterable[tuple[T, Job | None]]) -> Iterator[tuple[T, FileReport | None]]:
        """Each item with its job's report, checked here as it is reached."""
        for item, job in items:
            yield item, check_job(job) if job is not None else None


def check_batch(
    settings: Sequence[Settings], jobs: Sequence[tuple[int, str, str, bytes]]
) -> list[FileReport]:
    """The Dask task: check a batch of (settings index, name, match path, bytes) jobs.

    Settings travel once per batch, not once per document: a scheme pickles to kilobytes.
    """
    return [check_job(Job(data, name, match, settings[index])) for index, name, match, data in jobs]


class _Slot(msgspec.Struct):
    """One item of the stream: ready when its report is known (or it had no job)."""

    item: Any
    job: Job | None
    report: FileReport | None = None
    done: bool = False


class _Batch(msgspec.Struct):
    slots: list[_Slot] = msgspec.field(default_factory=list)
    size: int = 0


def environment() -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """What decides a check's result besides its inputs: corpuskit's code (a digest of its
    sources and schemas, so two installs of the same code agree), the Unicode database, and
    the versions of the libraries the checks use. Compared between this process and every
    worker: a cluster running other code would report, and cache, other results."""
    import hashlib
    import unicodedata
    from importlib import metadata
    from pathlib import Path

    import corpuskit
    from corpuskit.formats import schema_dir

    package = Path(corpuskit.__file__).parent
    # Named the same wherever they lie: an installed package carries the schemas inside it, a
    # source checkout beside it, and the two must agree when the code is the same.
    named = [
        (name, f)
        for f in package.rglob("*.py")
        # The schemas' folder is a package of its own once installed (an __init__.py).
        if not (name := f.relative_to(package).as_posix()).startswith("schema/")
    ]
    folder = schema_dir()
    named += [(f"schema/{f.name}", f) for f in (*folder.glob("*.json"), *folder.glob("*.xsd"))]
    digest = hashlib.sha256()
    for name, f in sorted(named):
        digest.update(f"{name}\0".encode())
        digest.update(f.read_bytes())  # corpuskit's own installed files, not user input
    versions = []
    for name in ("msgspec", "orjson", "jsonschema-rs", "lxml", "google-re2"):
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, "missing"))
    return digest.hexdigest()[:16], unicodedata.unidata_version, tuple(versions)


class DaskExecutor:
    """Checks batches of jobs on an existing Dask cluster, a bounded number in flight.

    Use it as a context manager: entering connects (an unreachable scheduler, a cluster
    without workers or with workers running other code is an :class:`ExecutorError`).
    """

    def __init__(
        self,
        address: str,
        *,
        batch_files: int = BATCH_FILES,
        batch_bytes: int = BATCH_BYTES,
        timeout: float = CONNECT_TIMEOUT,
        task: Callable[
            [Sequence[Settings], Sequence[tuple[int, str, str, bytes]]], list[FileReport]
        ]
        | None = None,
    ) -> None:
        self.address = address
        self.batch_files = max(1, batch_files)
        self.batch_bytes = batch_bytes
        self.timeout = timeout
        #: The function the workers run (looked up now: tests put one there that kills its worker).
        self.task = task or check_batch
        # distributed's Client is mostly untyped: held as Any, used through a few calls.
        self._client: Any = None
        self.window = 2

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client
        except ImportError:
            raise ExecutorError(
                "--executor dask needs Dask: pip install 'corpuskit[dask]' "
                "(and the same corpuskit on every worker)"
            ) from None
        try:
            client = Client(self.address, timeout=self.timeout, set_as_default=False)  # type: ignore[no-untyped-call]
        except Exception as exc:  # OSError, a malformed address, a peer that is not Dask
            _discard(exc)
            raise ExecutorError(
                f"cannot connect to the Dask scheduler at {self.address}: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        self._client = client
        try:
            self._check_workers(client)
        except BaseException:
            self.close()
            raise
        return self

    def _check_workers(self, client: Any) -> None:
        try:
            client.wait_for_workers(1, timeout=self.timeout)
        except TimeoutError:
            raise ExecutorError(
                f"the Dask scheduler at {self.address} has no workers (waited {self.timeout:g} s)"
            ) from None
        ours = environment()
        try:
            theirs: dict[str, Any] = client.run(environment)
        except Exception as exc:  # corpuskit missing on a worker: its import fails there
            raise ExecutorError(
                f"the Dask workers at {self.address} cannot run corpuskit "
                f"({type(exc).__name__}: {exc}); install the same corpuskit on every worker"
            ) from None
        differ = sorted(worker for worker, found in theirs.items() if tuple(found) != ours)
        if differ:
            raise ExecutorError(
                f"{len(differ)} Dask worker(s) run other code than this corpuskit "
                f"(first: {differ[0]}); their results would differ from a local run: install "
                "the same corpuskit and libraries on every worker"
            )
        threads = sum(client.nthreads().values())
        # Two batches per thread keep every worker busy while results travel back; more would
        # only hold more documents in this process's memory.
        self.window = max(2, 2 * threads)

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster itself keeps running)."""
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def map(self, items: Iterable[tuple[T, Job | None]]) -> Iterator[tuple[T, FileReport | None]]:
        """Each item with its job's report, in the order given, streamed as the head of the
        stream is ready; at most ``window`` batches in flight and a bounded number of items
        read ahead, so the corpus is never held in memory."""
        from distributed import as_completed

        client = self._client
        if client is None:
            raise ExecutorError("the Dask executor is not connected (use it in a with block)")
        order: deque[_Slot] = deque()
        batch = _Batch()
        flying: dict[Future[list[FileReport]], list[_Slot]] = {}
        completed: Any = as_completed(loop=client.loop)  # type: ignore[no-untyped-call]
        read_ahead = self.window * self.batch_files * 4
        source = iter(items)
        exhausted = False

        def submit(slots: list[_Slot]) -> None:
            table: dict[str, int] = {}
            settings: list[Settings] = []
            jobs: list[tuple[int, str, str, bytes]] = []
            for slot in slots:
                job = slot.job
                assert job is not None
                # One copy of each distinct settings per batch (the fingerprint is what the
                # cache already trusts to tell results apart).
                index = table.setdefault(job.settings.fingerprint(), len(settings))
                if index == len(settings):
                    settings.append(job.settings)
                jobs.append((index, job.name, job.match_path, job.data))
            future = client.submit(self.task, settings, jobs, pure=False)
            flying[future] = slots
            completed.add(future)

        while True:
            while not exhausted and len(flying) < self.window and len(order) < read_ahead:
                nxt = next(source, None)
                if nxt is None:
                    exhausted = True
                    break
                slot = _Slot(nxt[0], nxt[1])
                order.append(slot)
                if slot.job is None:
                    slot.done = True
                else:
                    batch.slots.append(slot)
                    batch.size += len(slot.job.data)
                    if len(batch.slots) >= self.batch_files or batch.size >= self.batch_bytes:
                        submit(batch.slots)
                        batch = _Batch()
                while order and order[0].done:
                    head = order.popleft()
                    yield head.item, head.report
            if batch.slots and (exhausted or not flying):
                # The last batch, or the one the head of the stream waits for.
                submit(batch.slots)
                batch = _Batch()
            while order and order[0].done:
                head = order.popleft()
                yield head.item, head.report
            if not order and exhausted:
                return
            if flying:
                future = next(completed)
                self._collect(future, flying.pop(future), submit)

    def _collect(
        self,
        future: Future[list[FileReport]],
        slots: list[_Slot],
        submit: Callable[[list[_Slot]], None],
    ) -> None:
        """Put a finished task's reports in their slots. A task that failed (its worker died,
        say of a document that exhausts memory) is re-run file by file, so one such document
        cannot take others down with it; a single file whose task fails is reported P999."""
        try:
            reports = future.result()
            if len(reports) != len(slots):
                raise ExecutorError(
                    f"a task returned {len(reports)} reports for {len(slots)} files"
                )
        except Exception as exc:
            client = self._client
            if client is None or client.status != "running":
                # The client keeps trying to reconnect in its own thread and logs each failure
                # and its cancellation with a traceback; this run is over and says why once.
                import logging

                logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
                raise ExecutorError(
                    f"lost the connection to the Dask scheduler at {self.address}"
                ) from None
            if len(slots) > 1:
                for slot in slots:
                    submit([slot])
                return
            slot = slots[0]
            assert slot.job is not None
            slot.report, slot.done = internal_error(slot.job.name, exc), True
            return
        for slot, report in zip(slots, reports, strict=True):
            slot.report, slot.done = report, True


def _discard(exc: BaseException) -> None:
    """Quietly drop a Client whose constructor failed.

    A peer that answers with something other than Dask (say an HTTP port) fails the handshake
    half-way; the half-made Client's ``__del__`` then waits 6 s to close and prints a traceback.
    Marking it closed and stopping its event-loop thread keeps ``validate`` to one message.
    """
    from distributed import Client

    tb = exc.__traceback__
    while tb is not None:
        found = tb.tb_frame.f_locals.get("self")
        if isinstance(found, Client):
            with contextlib.suppress(Exception):
                half_made: Any = found
                half_made.status = "closed"
                half_made._loop_runner.stop()
            return
        tb = tb.tb_next


def check_choice(name: str, scheduler: str | None) -> None:
    """ExecutorError unless ``name`` is an executor and ``scheduler`` fits it (checked before a
    run starts, whichever way it then goes)."""
    if name not in EXECUTORS:
        raise ExecutorError(f"unknown executor {name!r} (choose from {', '.join(EXECUTORS)})")
    if name == "local" and scheduler is not None:
        raise ExecutorError("--scheduler is only for --executor dask")
    if name == "dask" and not scheduler:
        raise ExecutorError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")


def open_executor(name: str, scheduler: str | None) -> contextlib.AbstractContextManager[Executor]:
    """The executor ``validate --executor NAME`` runs on, as a context manager."""
    check_choice(name, scheduler)
    if name == "dask":
        assert scheduler is not None
        return DaskExecutor(scheduler)
    return contextlib.nullcontext(LocalExecutor())
