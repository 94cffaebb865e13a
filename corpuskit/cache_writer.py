"""A first run's hashing and storing, done by a forked process beside the checking one.

A first run with the cache on (an empty store) must hash every file's bytes and write a row
per file besides checking it: measured as ~4 % and 3-4 % more than ``--no-cache`` in one
process. Nothing is looked up in an empty store, so nothing the checks need waits for that
work: the checking process hands each file's bytes and report to a writer process and goes
on; the writer keys, hashes and stores them with the same :class:`~corpuskit.cache.ResultStore`
code a run in one process uses, on another core.

The bytes travel through a ring of shared memory, not a pipe: on the machine of
benchmarks/RESULTS.md a pipe took 18-20 us to pass a 31 KB file (the kernel allocates and
copies pages per write), more than hashing and storing it; a copy into shared memory takes
1 us. The pipes carry only how far each side has got: the checking process announces what it
has written (every :data:`_BELL_BYTES` and at the end), the writer says what it has consumed
(whenever it has consumed all that was announced). Those pipes order the accesses to the ring:
a side reads only what the other announced through a pipe.

The writer is a fork of the checking process (ready at once: nothing to import) and exists
only where that is safe and pays: a fork-capable platform, a process with no other thread
(forking one that has threads can deadlock the child), a run of one local process over enough
files to outweigh the fork. Anything else, and a writer that fails to start, falls back to
storing in the checking process. A writer that dies leaves its results uncommitted (the cache
is then simply empty) and the run itself unaffected.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import struct
import sys
from pathlib import Path

from corpuskit.cache import ResultStore, StatStamp, encode_report, identify, report_from_payload
from corpuskit.engine import FileReport

#: A file's frame: the lengths of the settings' fingerprint (0: the previous frame's), the
#: found name, the bytes and the report; then the stat stamp (size, mtime, ctime). The four
#: byte strings follow.
_FRAME = struct.Struct("<QQQQqqq")
#: A position in the stream of frames (bytes written or consumed since the start).
_POSITION = struct.Struct("<Q")
#: The ring's size: ~130 files of 31 KB. A frame larger than the ring passes in pieces.
RING_BYTES = 4 * 1024 * 1024
#: The checking process announces its writes once this many bytes are unannounced.
_BELL_BYTES = 256 * 1024


class StoreWriter:
    """The checking process's end of a writer process: :meth:`send` each checked file,
    then :meth:`close`."""

    def __init__(self, pid: int, ring: mmap.mmap, bell: int, back: int) -> None:
        self._pid = pid
        self._ring = ring
        self._size = len(ring)
        self._bell = bell
        self._back = back
        #: Bytes written to the ring, announced, and known to be consumed (all since the start).
        self._head = 0
        self._announced = 0
        self._tail = 0
        self._salt: str | None = None

    @classmethod
    def start(cls, folder: Path) -> StoreWriter | None:
        """Fork a writer storing into the cache folder ``folder``; None where it cannot be
        (no fork, other threads in this process, no process or memory left)."""
        import threading

        if not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        try:
            ring = mmap.mmap(-1, RING_BYTES)  # anonymous and shared with the fork
        except (OSError, ValueError):
            return None
        bell, back = os.pipe(), os.pipe()
        # What this process has buffered would otherwise be written twice (the child exits
        # without flushing, but a library caller may have handlers of its own).
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        try:
            pid = os.fork()
        except OSError:
            for fd in (*bell, *back):
                os.close(fd)
            ring.close()
            return None
        if pid == 0:  # pragma: no cover - the child ends in os._exit, never returns here
            _child(folder, ring, bell, back)
        os.close(bell[0])
        os.close(back[1])
        os.set_blocking(back[0], False)  # drained on the way, waited on only when full
        return cls(pid, ring, bell[1], back[0])

    def send(
        self, salt: str, name: bytes, stamp: StatStamp, data: bytes, report: FileReport
    ) -> None:
        """Hand one checked file to the writer (its found name ``os.fsencode``d, its bytes as
        checked, under the settings fingerprinted ``salt``); a writer gone is ignored."""
        if self._bell < 0:
            return
        payload = encode_report(report)
        if payload is None:
            return  # not storable (a name that is not UTF-8): the file is simply not cached
        said = b""
        if salt != self._salt:
            said = salt.encode("utf-8", "surrogatepass")
            self._salt = salt
        header = _FRAME.pack(len(said), len(name), len(data), len(payload), *stamp)
        try:
            for part in (header, said, name, data, payload):
                self._put(part)
            if self._head - self._announced >= _BELL_BYTES:
                self._ring_bell()
        except OSError:
            # The writer died (a broken pipe): what it stored is never committed, and the run
            # goes on without the cache.
            self._end()

    def close(self) -> None:
        """Announce the last frames, end the input and wait for the writer to commit and exit."""
        if self._bell >= 0:
            with contextlib.suppress(OSError):
                self._ring_bell()
        self._end()
        if self._pid > 0:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = 0
        self._ring.close()

    def _put(self, part: bytes) -> None:
        view = memoryview(part)
        while view:
            free = self._size - (self._head - self._tail)
            if not free:
                self._ring_bell()
                self._wait()
                continue
            at = self._head % self._size
            n = min(len(view), free, self._size - at)
            self._ring[at : at + n] = view[:n]
            self._head += n
            view = view[n:]

    def _ring_bell(self) -> None:
        """Announce what was written, and learn what the writer has consumed meanwhile."""
        if self._head > self._announced:
            os.write(self._bell, _POSITION.pack(self._head))
            self._announced = self._head
        with contextlib.suppress(BlockingIOError):
            self._learn(os.read(self._back, 4096))

    def _wait(self) -> None:
        """Wait until the writer has consumed more (the ring is full, all of it announced)."""
        import select

        while self._head - self._tail >= self._size:
            select.select([self._back], [], [])
            with contextlib.suppress(BlockingIOError):
                said = os.read(self._back, 4096)
                if not said:
                    raise BrokenPipeError("the cache writer has ended")
                self._learn(said)

    def _learn(self, said: bytes) -> None:
        if len(said) >= _POSITION.size:
            end = len(said) - len(said) % _POSITION.size
            self._tail = _POSITION.unpack_from(said, end - _POSITION.size)[0]

    def _end(self) -> None:
        for fd in (self._bell, self._back):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._bell = self._back = -1


def _child(
    folder: Path, ring: mmap.mmap, bell: tuple[int, int], back: tuple[int, int]
) -> None:  # pragma: no cover - in the fork
    """The writer: store every frame until the input ends, commit, exit (never returns)."""
    code = 1
    try:
        import signal

        os.close(bell[1])
        os.close(back[0])
        # Ctrl-C reaches the whole process group: the checking process decides when this
        # one ends (by closing its pipe), and this one never prints.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        serve(folder, _Stream(ring, bell[0], back[1]))
        code = 0
    finally:
        os._exit(code)


class _Stream:
    """The writer's end of the ring: frames read as the checking process announces them."""

    def __init__(self, ring: mmap.mmap, bell: int, back: int) -> None:
        self._ring = ring
        self._size = len(ring)
        self._bell = bell
        self._back = back
        self._tail = 0
        self._head = 0
        self._ended = False

    def read(self, n: int) -> bytes | None:
        """The next ``n`` bytes, or None when the input ends first."""
        if n <= self._head - self._tail:
            at = self._tail % self._size
            if at + n <= self._size:  # the usual case: in one piece
                self._tail += n
                return self._ring[at : at + n]
        out = bytearray()
        while len(out) < n:
            if self._tail == self._head and not self._wait():
                return None
            at = self._tail % self._size
            take = min(n - len(out), self._head - self._tail, self._size - at)
            out += self._ring[at : at + take]
            self._tail += take
        return bytes(out)

    def _wait(self) -> bool:
        """Report what was consumed and wait for more; False when the input has ended."""
        if self._ended:
            return False
        # A checking process that has closed its end listens no more: it has sent all.
        with contextlib.suppress(OSError):
            os.write(self._back, _POSITION.pack(self._tail))
        said = os.read(self._bell, 4096)
        while said and len(said) % _POSITION.size:  # a position cut in two (never, in practice)
            more = os.read(self._bell, _POSITION.size - len(said) % _POSITION.size)
            if not more:
                break
            said += more
        if len(said) < _POSITION.size:
            self._ended = True
            return False
        self._head = _POSITION.unpack_from(said, len(said) - _POSITION.size)[0]
        return True


def serve(folder: Path, stream: _Stream) -> int:
    """Store the files framed on ``stream`` into the cache folder ``folder`` until the input
    ends (a frame cut short is dropped), then commit; the number of files stored."""
    store = ResultStore(folder, writer=True)
    if not store.open_for_writing():
        return 0  # the checking process sees a broken pipe and stops sending
    stored = 0
    salt = ""
    while (header := stream.read(_FRAME.size)) is not None:
        said, named, length, reported, size, mtime, ctime = _FRAME.unpack(header)
        body = stream.read(said + named + length + reported)
        if body is None:
            break
        if said:
            salt = body[:said].decode("utf-8", "surrogatepass")
        name = body[said : said + named]
        data = body[said + named : said + named + length]
        report = report_from_payload(body[said + named + length :])
        if report is None:
            continue
        digest, key, found = identify(salt, name, data)
        store.record(found, (size, mtime, ctime), key, digest, report, True)
        stored += 1
    store.close()
    return stored
