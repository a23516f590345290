"""Grader-side computations that run apart, in a short-lived process, so their memory ends with them.

Some expected values are computed in the grader itself (A3's attributions come from Captum on the
grader's own network). Each such computation leaves the grader larger: the library it imports, the
heap its forward and backward passes touch. Gradescope's memory limit counts the grader, the fork
servers and the worker together, so a function decorated with ``@apart`` runs in a child instead:

- a *zygote* is forked from the grader at the first call, imports the function's module and the
  modules named in ``preload`` once (Captum, say), and then waits;
- each call forks the zygote again; that grandchild runs the function, sends back its result and
  exits, so the heap of the computation is gone the moment the answer is here.

Only trusted code runs there (the grader's own functions and arguments): results travel through a
``multiprocessing`` pipe, between two processes of the grader. Student code never reaches it.

A call behaves as if it ran in the grader: exceptions are raised again here, and each
``numpy.random.Generator`` among the arguments comes back advanced, so that a test's ``rng``
continues as it would have. The grading plugin asks after each test file (``close_if_idle``) and
the zygote goes after the first file that did not use it, so that its libraries do not stay for
the files after: a long-lived fork of the grader ends up costing about as much memory as the
grader, as reference counts unshare its pages. It also goes when the session or the process ends.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from typing import Any, TypeVar

from .procfs import close_descriptors_except

F = TypeVar("F", bound=Callable[..., Any])

#: Every function decorated with ``@apart`` in this process, by "module:qualname".
_REGISTRY: dict[str, Callable[..., Any]] = {}
#: Set in the zygote and its grandchildren: calls made there run in place.
_IN_CHILD = False
#: The name of the grader's threads that import while tests run (the session's warm-up of the
#: results schema): the zygote is forked only once they are done, so that no import lock is
#: held in it by a thread that does not exist there.
WARM_UP = "warm-up: "


def apart(preload: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Decorate a function of an importable module (not a test file) so that calls to it run in a
    grandchild of the zygote, which imports ``preload`` and the function's module once."""

    def decorate(fn: F) -> F:
        key = f"{fn.__module__}:{fn.__qualname__}"
        _REGISTRY[key] = fn
        modules = (*preload, fn.__module__)

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            if _IN_CHILD or not hasattr(os, "fork"):
                return fn(*args, **kwargs)
            return start().call(modules, key, args, kwargs)

        return call  # type: ignore[return-value]

    return decorate


def _generators(args: tuple, kwargs: dict) -> list[Any]:
    import numpy as np

    return [a for a in (*args, *kwargs.values()) if isinstance(a, np.random.Generator)]


class _Zygote:
    """A process forked from the grader that forks one grandchild per call."""

    def __init__(self) -> None:
        for thread in threading.enumerate():
            if thread.name.startswith(WARM_UP) and thread is not threading.current_thread():
                thread.join(timeout=60)
        self.conn, theirs = Pipe()
        self.used = False   # since the last ``close_if_idle``
        self.pid = os.fork()
        if self.pid == 0:  # the zygote: keeps no descriptor of the grader's (a worker's socket, say)
            close_descriptors_except(theirs.fileno())
            _serve(theirs)
        theirs.close()

    def call(self, modules: tuple[str, ...], key: str, args: tuple, kwargs: dict) -> Any:
        self.used = True
        self.conn.send((list(sys.path), modules, key, args, kwargs))
        try:
            outcome, value, states = self.conn.recv()
        except EOFError:
            raise RuntimeError(f"grader: the process computing {key} ended without an answer") from None
        for generator, state in zip(_generators(args, kwargs), states, strict=True):
            generator.bit_generator.state = state
        if outcome == "raise":
            raise value
        return value

    def close(self) -> None:
        try:
            self.conn.send(None)
            self.conn.close()
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _serve(conn: Connection) -> None:
    """The zygote's loop: import what a request needs (once), then fork a grandchild to run it."""
    global _IN_CHILD
    _IN_CHILD = True
    status = 0
    try:
        while (request := conn.recv()) is not None:
            path, modules, key, args, kwargs = request
            sys.path[:] = path
            try:
                for name in modules:
                    importlib.import_module(name)
            except Exception as error:  # noqa: BLE001 - raised again in the grader
                conn.send(("raise", error, []))
                continue
            pid = os.fork()
            if pid == 0:
                _run_one(conn, key, args, kwargs)
            _, code = os.waitpid(pid, 0)
            if code != 0:
                conn.send(("raise", RuntimeError(f"grader: a computation run apart ended with status {code}"), []))
    except (EOFError, OSError):
        pass
    except BaseException:  # noqa: BLE001 - the zygote must never return into the grader's code
        status = 1
    os._exit(status)


def _run_one(conn: Connection, key: str, args: tuple, kwargs: dict) -> None:
    """A grandchild: run the function, send the outcome and the generators' states, exit."""
    sent = False
    try:
        try:
            outcome: tuple = ("return", _REGISTRY[key](*args, **kwargs))
        except Exception as error:  # noqa: BLE001 - raised again in the grader
            outcome = ("raise", error)
        states = [g.bit_generator.state for g in _generators(args, kwargs)]
        try:
            conn.send((*outcome, states))
        except Exception as error:  # noqa: BLE001 - an unpicklable result or exception
            conn.send(("raise", RuntimeError(f"grader: {key} gave a result that cannot be sent: {error!r}"), states))
        sent = True
    finally:
        os._exit(0 if sent else 1)


_current: _Zygote | None = None


def start() -> _Zygote:
    """The zygote, forked now if it is not running."""
    global _current
    if _current is None:
        _current = _Zygote()
    return _current


def close_if_idle() -> None:
    """End the zygote if nothing was run apart since the last time this was asked (the grading
    plugin asks after each test file: the zygote lives through consecutive files that use it)."""
    if _current is not None:
        if not _current.used:
            close()
        else:
            _current.used = False


@atexit.register
def close() -> None:
    """End the zygote now (it ends at exit otherwise)."""
    global _current
    if _current is not None:
        _current.close()
        _current = None
