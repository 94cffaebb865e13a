"""The one place files are read and written: regular files inside the project, capped, atomic.

Every command reads documents, texts and inputs with :func:`read_input` and writes with
:func:`write_atomic`, so the rules below hold everywhere:

- a path whose resolution goes through a symbolic link and lands outside the project root is
  refused, and never opened;
- only regular files are read: FIFOs, devices, sockets and the kernel's pseudo-files
  (``/proc``, ``/sys``, ``/dev``) are refused, and every read stops at ``limit`` + 1 bytes,
  whatever ``stat`` says (``/proc`` files report size 0);
- a write never goes through a link (to a file or a folder) leading out of the project, never
  replaces a read-only file, and is atomic (the old file or the new one, never half).

A path named by the user that involves no link is theirs to name: it is read or written where it
is, inside the project or not.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

#: Kernel pseudo-file systems: their "regular" files are views of process and machine state.
PSEUDO_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))

#: The default read limit for inputs that have no configured limit (texts, import sources).
DEFAULT_LIMIT = 64 * 1024 * 1024


class RefusedPath(OSError):
    """A path corpuskit will not read or write (a link out of the project, not a regular file,
    read-only); ``reason`` says why in words fit for a diagnostic."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(reason)
        self.path = str(path)
        self.reason = reason
        self.strerror = reason


class TooLarge(OSError):
    """A file longer than the limit; ``size`` is what was seen (at least ``limit`` + 1)."""

    def __init__(self, path: Path | str, size: int, limit: int) -> None:
        super().__init__(f"file is {size:,} bytes or more, over the limit of {limit:,}")
        self.path = str(path)
        self.size = size
        self.limit = limit
        self.strerror = str(self)


# Real paths of folders, remembered for the length of one run (see remembered_folders): a run
# meets the same few folders thousands of times, and realpath costs an lstat per component.
_FOLDERS: dict[str, str] | None = None
_FOLDERS_MAX = 65_536


@contextlib.contextmanager
def remembered_folders() -> Iterator[None]:
    """Within the block, each folder's real path is worked out once (a validate run; never a
    long-lived process such as the language server, where a link may be retargeted meanwhile)."""
    global _FOLDERS
    outer, _FOLDERS = _FOLDERS, _FOLDERS if _FOLDERS is not None else {}
    try:
        yield
    finally:
        _FOLDERS = outer


def remember_folders() -> None:
    """Remember folders' real paths for the rest of this process (a pool worker of one run)."""
    global _FOLDERS
    if _FOLDERS is None:
        _FOLDERS = {}


def _real_folder(folder: str) -> str:
    if _FOLDERS is None:
        return os.path.realpath(folder)
    found = _FOLDERS.get(folder)
    if found is None:
        if len(_FOLDERS) >= _FOLDERS_MAX:
            _FOLDERS.clear()
        found = _FOLDERS[folder] = os.path.realpath(folder)
    return found


def _realpath(absolute: str) -> str:
    """``os.path.realpath`` of an absolute path, through the folder memory when it is on:
    the folder's real path and the name, unless the name itself is a link."""
    if _FOLDERS is not None:
        try:
            if not stat.S_ISLNK(os.lstat(absolute).st_mode):
                folder, name = os.path.split(absolute)
                return os.path.join(_real_folder(folder), name)
        except OSError:
            pass  # missing or unreadable: realpath, and then the open, say so
    return os.path.realpath(absolute)


def _inside(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or below it (both absolute and normalised)."""
    if path == root:
        return True
    prefix = root if root.endswith(os.sep) else root + os.sep
    return path.startswith(prefix)


#: :data:`PSEUDO_ROOTS` as strings (the read path compares strings: no Path per file).
_PSEUDO_NAMES = tuple(str(p) for p in PSEUDO_ROOTS)
#: What the paths below them start with.
_PSEUDO_PREFIXES = tuple(name + os.sep for name in _PSEUDO_NAMES)


def _pseudo(real: str) -> bool:
    """Whether ``real`` (absolute, normalised) is a kernel pseudo-file system or below one."""
    return real.startswith(_PSEUDO_PREFIXES) or real in _PSEUDO_NAMES


def resolved_target(path: Path | str, root: Path | None) -> Path:
    """Where ``path`` really leads, refusing links that lead out of ``root``.

    A path involving no symbolic link is returned as an absolute path wherever it is; one that
    goes through a link must resolve inside ``root`` (default: the current folder). Raises :class:`RefusedPath`.
    """
    return Path(resolved_name(path, root))


def resolved_name(path: Path | str, root: Path | None) -> str:
    """:func:`resolved_target` as a string (the per-file read path builds no Path)."""
    absolute = os.path.abspath(path)
    real = _realpath(absolute)
    if _pseudo(real):
        raise RefusedPath(path, f"{real} is a kernel pseudo-file, not a document")
    if real == absolute:
        return real
    # Some component is a link: the real place must stay inside the project.
    fence = _fence(root)
    if not _inside(real, fence):
        raise RefusedPath(
            path,
            f"a symbolic link to {real}, outside the project ({fence}); it is not followed",
        )
    return real


def found_path(path: Path) -> Path:
    """Where a document is found: its folder with links resolved, its own name kept.

    Globs (include, exclude, per-file-ignores) and cache keys use this, so a committed link
    ``published.json -> drafts/wip.json`` is judged as published.json, never as the excluded
    draft it points to; and a link loop never raises (os.path.realpath does not).
    """
    return Path(found_name(path))


def found_name(path: Path | str) -> str:
    """:func:`found_path` as a string (cheaper where no Path is needed)."""
    absolute = os.path.abspath(path)
    return os.path.join(_real_folder(os.path.dirname(absolute)), os.path.basename(absolute))


def found_folder(folder: str) -> str:
    """Where the files listed in ``folder`` are found: ``found_name(os.path.join(folder, name))``
    is ``os.path.join(found_folder(folder), name)`` for every name a listing gives."""
    return _real_folder(os.path.abspath(folder))


def read_input(
    path: Path | str,
    *,
    root: Path | None = None,
    limit: int = DEFAULT_LIMIT,
    stamped: list[os.stat_result] | None = None,
    found: str | None = None,
) -> bytes:
    """The bytes of a regular file inside the project, at most ``limit`` of them.

    ``stamped``: the file's status, taken on the open file before its bytes are read, is
    appended to this list (what a cache records to see a later change; no second stat).
    ``found``: ``found_name(path)``, when the caller has worked it out already.

    Raises :class:`RefusedPath` (a link out of the project, not a regular file),
    :class:`TooLarge` (more than ``limit`` bytes) or another :class:`OSError` (missing,
    no permission).
    """
    if _NO_FOLLOW:
        # The file as found is where it really is unless its own name is a link, which an
        # open with O_NOFOLLOW refuses: one system call where resolving the name first took
        # an lstat (the folders' real paths are what they were: a run remembers them, as the
        # resolving read does). Whatever this way does not take at once (a pseudo-file, a
        # place outside the project, an open that fails: a name that is a link, or missing)
        # is decided below, as if it had not been tried.
        candidate = found_name(path) if found is None else found
        if _takes(path, candidate, root):
            try:
                fd = os.open(candidate, _OPEN_FLAGS | _NO_FOLLOW)
            except OSError:
                pass
            else:
                return _read_fd(path, fd, limit, stamped)
    real = resolved_name(path, root)
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RefusedPath(path, "a loop of symbolic links; it is not followed") from None
        raise
    return _read_fd(path, fd, limit, stamped)


#: O_NOFOLLOW where the system has it (not on Windows, whose reads resolve names first).
_NO_FOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOCTTY: a terminal device must not
# become ours. Whether it is a regular file is checked on the open descriptor, so a swap
# between the check and the read cannot slip another kind of file in.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def _takes(path: Path | str, candidate: str, root: Path | None) -> bool:
    """Whether the read may open ``candidate`` (``path`` as found) without resolving its name:
    no pseudo-file, and inside the project or reached through no link at all."""
    if _pseudo(candidate):
        return False
    if _FOLDERS is not None:  # a run remembers the root's real path, not abspath's answer
        return _inside(candidate, _fence(root)) or candidate == os.path.abspath(path)
    return candidate == os.path.abspath(path) or _inside(candidate, _fence(root))


def _fence(root: Path | None) -> str:
    """The real path of the project root (default: the current folder)."""
    return _real_folder(str(root) if root is not None else os.getcwd())


def _read_fd(path: Path | str, fd: int, limit: int, stamped: list[os.stat_result] | None) -> bytes:
    """Read the file open on ``fd`` as :func:`read_input` says, and close it."""
    try:
        info = os.fstat(fd)
        if stamped is not None:
            stamped.append(info)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise RefusedPath(path, f"not a regular file ({_kind(info.st_mode)}); it is not read")
        if info.st_size > limit:
            raise TooLarge(path, info.st_size, limit)
        chunks: list[bytes] = []
        remaining = limit + 1
        # The size fstat gave, and one byte more: a file read whole at that size takes one
        # read call (no second call to see the end); a short read before that size (some
        # network and FUSE file systems) or a file that grew is read on.
        want = min(remaining, info.st_size + 1)
        got = 0
        while remaining > 0:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            remaining -= len(chunk)
            if got == info.st_size and len(chunk) < want:
                break
            want = min(remaining, 1 << 20)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise TooLarge(path, len(data), limit)
    return data


def read_text_input(path: Path, *, root: Path | None = None, limit: int = DEFAULT_LIMIT) -> str:
    """:func:`read_input` decoded as UTF-8 (strict: raises UnicodeDecodeError)."""
    return read_input(path, root=root, limit=limit).decode("utf-8")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def check_writable(path: Path, root: Path | None = None) -> Path:
    """The real file a write to ``path`` would replace, refusing what must not be written.

    Refused (:class:`RefusedPath`): a link (to the file or to a folder on the way) leading out of
    the project, anything but a regular file or a new name, and a read-only file.
    """
    real = resolved_target(path, root)
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return real
    if not stat.S_ISREG(info.st_mode):
        raise RefusedPath(path, "not a regular file; it is not replaced")
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        # Root may write anything: the mode bits are the owner's stated wish, so honour them.
        raise RefusedPath(path, "the file is read-only; it is left alone (chmod u+w to allow it)")
    return real


def write_atomic(
    path: Path, text: str | bytes, *, root: Path | None = None, exclusive: bool = False
) -> None:
    """Replace ``path`` with ``text`` (UTF-8) so that readers see the old or the new file, never half.

    A link inside the project is replaced at its target, so the link itself stays; see
    :func:`check_writable` for what is refused. Keeps the mode of the file it replaces.
    ``exclusive``: create the file, never replace one (FileExistsError), even one that appears
    while this runs.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if exclusive and os.path.lexists(path):
        raise FileExistsError(17, "already exists", str(path))
    real = check_writable(path, root)
    try:
        mode: int | None = stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        mode = None
    import tempfile  # only writers need it (~3 ms of imports: shutil, random)

    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if exclusive:
            # link() fails when the name exists: no window in which another file is replaced.
            os.link(tmp, real)
            os.unlink(tmp)
        else:
            os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def make_folder(path: Path, *, root: Path | None = None) -> Path:
    """Create an output folder (and its parents), refusing one that a link leads out of the project."""
    real = resolved_target(path, root)
    real.mkdir(parents=True, exist_ok=True)
    return real
