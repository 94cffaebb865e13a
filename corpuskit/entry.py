"""The ``corpuskit`` command's entry point (``[project.scripts]`` and ``python -m corpuskit``).

``corpuskit validate FILE`` runs on every save in an editor and on every commit in a pre-commit
hook, so what its process imports before checking anything counts. msgspec, which the document
model is built on, imports ``typing_extensions`` when it is installed, only to prefer its
``get_type_hints``, ``Required`` and ``NotRequired`` over the standard library's; on the Pythons
corpuskit supports (3.11 and later) the standard ones serve the model's types alike (Annotated,
Literal, unions, tuples), and ``Required``/``NotRequired`` are the same objects. But
``typing_extensions`` imports ``inspect`` and with it ``ast``, ``dis`` and ``tokenize``: about a
sixth of a one-document run (benchmarks/RESULTS.md). So this process imports msgspec with
``typing_extensions`` hidden, and only this process: ``import corpuskit`` as a library changes
nothing, and a later ``import typing_extensions`` (the typer application does one) works as usual.

The command also ends its process as soon as its work is done (:func:`command`, :func:`leave`):
what the interpreter's own shutdown would do after that is free every module and object one by
one, about 18 ms of a 120 ms one-document run (benchmarks/RESULTS.md), for nothing the user sees.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys


def import_without(module: str, hidden: str) -> bool:
    """Import ``module`` while ``hidden`` cannot be imported (an import of it raises
    ImportError, which ``module`` must handle), when neither is imported yet. True when it was
    imported so. When ``module`` cannot do without ``hidden``, what it left half-imported is
    dropped, so that a later plain import of it starts afresh and sees ``hidden``."""
    if module in sys.modules or hidden in sys.modules:
        return False
    sys.modules[hidden] = None  # type: ignore[assignment]  # the import system's "not available"
    try:
        __import__(module)
    except ImportError:
        for name in [n for n in sys.modules if n == module or n.startswith(module + ".")]:
            del sys.modules[name]
        return False
    finally:
        if hidden in sys.modules and sys.modules[hidden] is None:
            del sys.modules[hidden]
    return True


#: Allocations between young collections in the command's process (CPython's default is 700).
GC_THRESHOLD = 20_000


def main() -> None:
    """Run the ``corpuskit`` command."""
    # Start-up makes long-lived objects (modules, classes, compiled patterns, the scheme):
    # at CPython's default threshold the cyclic collector ran ~30 times before the first
    # document, finding almost nothing, ~4 ms of a one-document run. The run itself uses the
    # same threshold (runner.RUN_GC_THRESHOLD), so the process now does from its first line.
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    import_without("msgspec", "typing_extensions")
    from corpuskit.cli_validate import main as run

    run()


def command() -> None:
    """The ``corpuskit`` command's process: :func:`main`, then :func:`leave` (a caller of
    :func:`main` in its own process gets its SystemExit, as from any command-line program)."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    # Out of the handler: what the exception held (a run stopped by a closed pipe, say) is
    # freed before the exit, as the interpreter's shutdown would free it.
    leave(code)
    raise SystemExit(code)


def leave(code: object) -> None:
    """End the process with exit status ``code`` now, doing what the interpreter's shutdown
    does that anyone could notice: the ``atexit`` functions run and the standard streams are
    flushed; only the freeing of memory is skipped. Returns (for the usual exit) when that
    would not be the same: a status that is no integer (None is 0; a message is printed by
    the usual exit), a thread that the shutdown would wait for, a stream that cannot be
    flushed (the usual exit reports it as it always has)."""
    if code is None:
        code = 0
    if not isinstance(code, int) or not -(2**31) <= code < 2**31:
        return
    threading = sys.modules.get("threading")
    if threading is not None:
        main = threading.main_thread()
        if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
            return
    atexit._run_exitfuncs()  # (and forgets them: the usual exit would not run them again)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
