"""The grader's side of the fork servers: start them, fork workers from them, end them.

One ``Sandbox`` per grading run. It starts one fork server per worker family (see
``forkserver.py``); each preloads the libraries its workers need and refuses the modules its
workers must not load. For every test, ``worker()`` copies the submission into a fresh
working folder with a random name, asks the family's server for a worker on a new socket
pair, and returns the grader's end as a :class:`~autograder.grading.sandbox.rpc.Worker`.
``close_family()`` ends one server when its last test has run; ``close()`` ends them all and,
as root, every process and scratch file of the run's user.

A module that a server preloaded is in every worker's ``sys.modules`` and cannot be refused
there, so a family that refuses a module the others preload needs a server that never loaded
it. Inline servers are forked from the grader itself, so that workers share its library pages:
the families are forked smallest first, each after the grader has imported only what that one
preloads (numpy, fork, then torch, fork). A family that does not fit in that chain (its
preload is not contained in the next one's), or that refuses a module the grader has already
loaded, gets a server of its own in a fresh interpreter.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .. import procfs
from ..settings import ONE_THREAD, Limits, WorkerFamily
from . import confine, privileges
from .errors import SandboxError
from .rpc import Worker
from .wire import recv_json, send_json

FRAMEWORK_PARENT = str(Path(__file__).resolve().parents[3])   # the folder holding autograder/
#: Variables of the grader's environment that workers keep (hardware settings, never secrets).
KEPT_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "CUDA_VISIBLE_DEVICES")


class _Server:
    """One fork server: the process, its control socket, and whether it said it is ready."""

    def __init__(self, family: WorkerFamily, config: dict, env: dict, area: Path, inline: bool):
        self.family = family
        ours, theirs = socket.socketpair()
        if inline:
            self.proc: Any = _ForkedServer(theirs, config, env, area)
        else:
            self.proc = _start_fresh_server(theirs, config, env, area)
        theirs.close()
        self.control = ours
        self.inline = inline
        self.pid: int | None = None   # known once the server says it is ready
        self.closed = False

    def ask(self, request: dict, fds=(), timeout: float = 60) -> dict:
        """Send one request to the fork server and wait for its answer."""
        self.ensure_ready()
        self.control.settimeout(timeout)
        try:
            send_json(self.control, request, fds)
            reply, _ = recv_json(self.control)
        except (EOFError, OSError, ValueError) as exc:
            raise SandboxError(f"the sandbox fork server stopped ({type(exc).__name__})", kind="sandbox") from None
        return reply

    def ensure_ready(self) -> None:
        """Wait for the fork server's greeting (it preloads libraries while the grader collects tests)."""
        if self.pid is None:
            self.control.settimeout(300)
            try:
                hello, _ = recv_json(self.control)
            except (EOFError, OSError, ValueError):
                hello = {}
            if not hello.get("ready"):
                detail = str(hello.get("error", ""))
                raise SandboxError(f"the sandbox fork server of worker family {self.family.name!r} did not start"
                                   + (f": {detail}" if detail else ""), kind="sandbox")
            self.pid = hello["pid"]

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            self.ask({"op": "exit"}, timeout=20)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.control.close()


class Sandbox:
    """The fork servers of one grading run and the workers forked from them."""

    def __init__(self, submission: Path, probes_dir: Path, area: Path, *, preload=(),
                 limits: Limits | None = None, pythonpath=(), seed: int = 1234, inline: bool = False,
                 require_drop: bool = False, families: tuple[WorkerFamily, ...] | list | None = None,
                 announce: bool = True):
        """Start the fork servers without waiting for them (they preload while tests are collected).

        ``families`` (default: one family preloading ``preload`` and refusing nothing) say which
        servers to start. ``inline=True``, what grading does, forks them from this process instead of
        starting fresh interpreters, so workers share the pages of the libraries the grader already
        loaded (torch alone is hundreds of MB). Only do that before any test module is imported:
        a server inherits this process's memory. ``announce`` prints who student code runs as.
        """
        self.submission = Path(submission)
        self.area = Path(area)
        self.limits = limits or Limits()
        self.user, warning = privileges.worker_user(require_drop)
        self.warnings = [warning] if warning else []
        privileges.announce(self.user, warning, show_user=announce)
        self.area.mkdir(parents=True, exist_ok=True)
        os.chmod(self.area, 0o711)   # workers reach their folder, the probes and HOME by name, and list nothing
        self.probes_dir = _copy_probes(Path(probes_dir), self.area / "probes")
        self.scratch = self.area / "home"    # HOME and TMPDIR of every worker, emptied before each one
        self.families = tuple(families) if families else (WorkerFamily(WorkerFamily.MAIN, tuple(preload)),)
        base = {"probes_dir": str(self.probes_dir), "pythonpath": list(pythonpath), "seed": seed,
                "uid": self.user[0] if self.user else None, "gid": self.user[1] if self.user else None,
                "limits": self.limits.to_json(), "scratch": str(self.scratch)}
        env = _server_env(self.scratch)
        self.servers: dict[str, _Server] = {}
        chain = _inline_chain(self.families) if inline else []
        for family in chain:
            for name in family.preload:
                __import__(name)
            fits = not _loaded(family.refused)
            self.servers[family.name] = _Server(family, {**base, **_family_config(family)}, env, self.area,
                                                inline=fits)
        for family in self.families:
            if family.name not in self.servers:
                self.servers[family.name] = _Server(family, {**base, **_family_config(family)}, env, self.area,
                                                    inline=False)
        self._owner: dict[int, _Server] = {}
        self._current: _Server | None = None

    @property
    def server_pid(self) -> int | None:
        """The pid of the main family's fork server, once it is ready."""
        server = self.servers.get(self._main().name)
        return server.pid if server else None

    def _main(self) -> WorkerFamily:
        return next((f for f in self.families if not f.numbers), self.families[0])

    def family_open(self, name: str) -> bool:
        return name in self.servers and not self.servers[name].closed

    def _prepare_workdir(self) -> Path:
        workdir = self.area / secrets.token_hex(8)   # a name that says nothing of the test
        if workdir.exists():
            shutil.rmtree(workdir)
        shutil.copytree(self.submission, workdir, symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__", ".output"))
        if self.user:
            privileges.give_to(workdir, self.user)
        return workdir

    def worker(self, test_seconds: float | None = None, *, hidden: bool = True, family: str | None = None) -> Worker:
        """A fresh worker for one test, from ``family``'s server (default: the main family).

        ``hidden``: the test is hidden, so what student code chose (exception messages, class
        names, source lines) is never shown in its feedback.
        """
        name = family or self._main().name
        server = self.servers.get(name)
        if server is None or server.closed:
            raise SandboxError(f"the sandbox has no open worker family {name!r}", kind="sandbox")
        server.ensure_ready()
        if self._current is not None and self._current is not server and not self._current.closed:
            # another family's last worker may have left processes behind: they go first
            self._current.ask({"op": "clean"}, timeout=30)
        self._current = server
        workdir = self._prepare_workdir()
        ours, theirs = socket.socketpair()
        budget = self.limits.test_seconds if test_seconds is None else test_seconds
        try:
            reply = server.ask({"op": "fork", "workdir": str(workdir),
                                "cpu_seconds": self.limits.cpu_seconds(budget)}, fds=[theirs.fileno()])
        finally:
            theirs.close()
        self._owner[reply["pid"]] = server
        return Worker(self, reply["pid"], ours, workdir, budget, hidden=hidden)

    def reap(self, pid: int) -> int | None:
        """The wait status of worker ``pid``, once its server has collected it (None if unknown)."""
        server = self._owner.get(pid)
        if server is None or server.closed:
            return None
        try:
            return server.ask({"op": "reap", "pid": pid}, timeout=30).get("status")
        except SandboxError:
            return None

    def close_family(self, name: str) -> None:
        """End one family's fork server (its last test has run), and whatever its workers left."""
        server = self.servers.get(name)
        if server is not None:
            server.close()
            if self._current is server:
                self._current = None

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self._current = None
        if self.user:
            privileges.kill_all_of_user(self.user[0])
            confine.remove_files_of(self.user[0])
        shutil.rmtree(self.scratch, ignore_errors=True)


def _family_config(family: WorkerFamily) -> dict:
    return {"family": family.name, "preload": list(family.preload), "refused": list(family.refused)}


def _loaded(modules) -> list[str]:
    """Which of ``modules`` (or their submodules) this process has imported."""
    return sorted({m for m in modules for name in list(sys.modules) if name == m or name.startswith(m + ".")})


def _inline_chain(families: tuple[WorkerFamily, ...]) -> list[WorkerFamily]:
    """The families that can be forked from the grader one after another, smallest preload
    first: each one's preload must contain the previous one's, and none may refuse what an
    earlier one preloaded. The others are left out (they get fresh interpreters)."""
    chain: list[WorkerFamily] = []
    loaded: set[str] = set()
    for family in sorted(families, key=lambda f: (len(set(f.preload)), f.name)):
        if not loaded <= set(family.preload):
            continue
        if any(m == r or m.startswith(r + ".") for m in loaded | set(family.preload) for r in family.refused):
            continue
        chain.append(family)
        loaded = set(family.preload)
    return chain


def _copy_probes(source: Path, target: Path) -> Path:
    """The test helpers that run in workers, readable by every user."""
    if target.exists():
        shutil.rmtree(target)
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        target.mkdir()
    for root, _dirs, files in os.walk(target):
        os.chmod(root, 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    return target


def _server_env(home: Path) -> dict:
    """The whole environment of the fork servers and their workers: nothing of the grader's,
    and the same for every test (no test name, no run order)."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **ONE_THREAD, "MPLBACKEND": "Agg",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "HOME": str(home), "TMPDIR": str(home),
           "USER": "student", "LOGNAME": "student"}
    env.update({k: os.environ[k] for k in KEPT_VARIABLES if k in os.environ})
    return env


def _start_fresh_server(theirs: socket.socket, config: dict, env: dict, area: Path) -> subprocess.Popen:
    """The fork server in a new interpreter (``python -I``), for sessions without an inline fork."""
    bootstrap = (f"import sys; sys.path.insert(0, {FRAMEWORK_PARENT!r}); "
                 "from autograder.grading.sandbox.forkserver import main; main()")
    return subprocess.Popen([sys.executable, "-I", "-c", bootstrap, str(theirs.fileno()), json.dumps(config)],
                            pass_fds=[theirs.fileno()], env=env, cwd=str(area), stdin=subprocess.DEVNULL)


class _ForkedServer:
    """The fork server as a direct fork of the grader (see ``Sandbox(inline=True)``)."""

    def __init__(self, theirs: socket.socket, config: dict, env: dict, area: Path):
        keep = theirs.fileno()
        # Objects that exist now are shared with the server and its workers; keep the collector
        # from touching (and so copying) their pages in any of the processes.
        gc.collect()
        gc.freeze()
        pid = os.fork()
        if pid == 0:  # the server: shed everything of the grader but the control socket
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                null = os.open(os.devnull, os.O_RDWR)
                os.dup2(null, 0)
                procfs.close_descriptors_except(keep)
                os.environ.clear()
                os.environ.update(env)
                os.chdir(area)
                from .forkserver import fork_server

                fork_server(keep, config)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        self.pid = pid
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.returncode = os.waitstatus_to_exitcode(status)
                break
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"fork server {self.pid}", timeout or 0)
            time.sleep(0.01)
        return self.returncode

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
