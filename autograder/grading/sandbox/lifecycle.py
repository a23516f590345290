"""The grader's side of the fork server: start it, fork workers from it, end it.

One ``Sandbox`` per grading run. It starts the fork server (see ``server.py``), which preloads
the libraries workers need. For every test, ``worker()`` copies the submission into a fresh
working folder, asks the server for a worker on a new socket pair, and returns the grader's end
as a :class:`~autograder.grading.sandbox.rpc.Worker`. ``close()`` ends the server and, as root, every
process and scratch file of the run's user.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..settings import ONE_THREAD, Limits
from . import confine, privileges
from .errors import SandboxError
from .rpc import Worker
from .wire import recv_json, send_json

FRAMEWORK_PARENT = str(Path(__file__).resolve().parents[3])   # the folder holding autograder/
#: Variables of the grader's environment that workers keep (hardware settings, never secrets).
KEPT_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "CUDA_VISIBLE_DEVICES")


class Sandbox:
    """One fork server and the workers forked from it."""

    def __init__(self, submission: Path, probes_dir: Path, area: Path, *, preload=(),
                 limits: Limits | None = None, pythonpath=(), seed: int = 1234, inline: bool = False,
                 require_drop: bool = False):
        """Start the fork server without waiting for it (it preloads while tests are collected).

        ``inline=True``, what grading does, forks it from this process instead of starting a fresh
        interpreter, so workers share the pages of the libraries the grader already loaded (torch
        alone is hundreds of MB). Only do that before any test module is imported: the server
        inherits this process's memory.
        """
        self.submission = Path(submission)
        self.area = Path(area)
        self.limits = limits or Limits()
        self.user, warning = privileges.worker_user(require_drop)
        self.warnings = [warning] if warning else []
        privileges.announce(self.user, warning)
        self.area.mkdir(parents=True, exist_ok=True)
        os.chmod(self.area, 0o755)
        self.probes_dir = _copy_probes(Path(probes_dir), self.area / "probes")
        self.counter = 0
        config = {"preload": list(preload), "probes_dir": str(self.probes_dir), "pythonpath": list(pythonpath),
                  "seed": seed, "uid": self.user[0] if self.user else None,
                  "gid": self.user[1] if self.user else None, "limits": self.limits.to_json()}
        ours, theirs = socket.socketpair()
        if inline:
            for name in preload:
                __import__(name)
            self.proc: Any = _ForkedServer(theirs, config, _server_env(self.area), self.area)
        else:
            self.proc = _start_fresh_server(theirs, config, _server_env(self.area), self.area)
        theirs.close()
        self.control = ours
        self.server_pid: int | None = None  # known once the server says it is ready

    def ask(self, request: dict, fds=(), timeout: float = 60) -> dict:
        """Send one request to the fork server and wait for its answer."""
        self.control.settimeout(timeout)
        try:
            send_json(self.control, request, fds)
            reply, _ = recv_json(self.control)
        except (EOFError, OSError, ValueError) as exc:
            raise SandboxError(f"the sandbox fork server stopped ({type(exc).__name__})") from None
        return reply

    def _ensure_ready(self) -> None:
        """Wait for the fork server's greeting (it preloads libraries while the grader collects tests)."""
        if self.server_pid is None:
            self.control.settimeout(300)
            try:
                hello, _ = recv_json(self.control)
            except (EOFError, OSError, ValueError):
                hello = {}
            if not hello.get("ready"):
                raise SandboxError("the sandbox fork server did not start")
            self.server_pid = hello["pid"]

    def _prepare_workdir(self) -> Path:
        self.counter += 1
        workdir = self.area / f"run-{self.counter}"
        if workdir.exists():
            shutil.rmtree(workdir)
        shutil.copytree(self.submission, workdir, symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__", ".output"))
        if self.user:
            privileges.give_to(workdir, self.user)
        return workdir

    def worker(self, test_seconds: float | None = None, *, hidden: bool = True) -> Worker:
        """A fresh worker for one test. ``hidden``: the test is hidden, so what student code
        chose (exception messages, class names, source lines) is never shown in its feedback."""
        self._ensure_ready()
        workdir = self._prepare_workdir()
        ours, theirs = socket.socketpair()
        budget = self.limits.test_seconds if test_seconds is None else test_seconds
        try:
            reply = self.ask({"op": "fork", "workdir": str(workdir), "cpu_seconds": self.limits.cpu_seconds(budget)},
                             fds=[theirs.fileno()])
        finally:
            theirs.close()
        return Worker(self, reply["pid"], ours, workdir, budget, hidden=hidden)

    def reap(self, pid: int) -> int | None:
        """The wait status of worker ``pid``, once the server has collected it (None if unknown)."""
        try:
            return self.ask({"op": "reap", "pid": pid}, timeout=30).get("status")
        except SandboxError:
            return None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._ensure_ready()
            self.ask({"op": "exit"}, timeout=20)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.control.close()
        if self.user:
            privileges.kill_all_of_user(self.user[0])
            confine.remove_files_of(self.user[0])


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


def _server_env(area: Path) -> dict:
    """The whole environment of the fork server and its workers: nothing of the grader's."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **ONE_THREAD, "MPLBACKEND": "Agg",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "HOME": str(area),
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
                os.closerange(3, keep)
                os.closerange(keep + 1, 65536)
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
