"""Warm starts for emulated gradings: one interpreter per (Python, libraries) that has imported
what a grader imports before its first fork, and forks a grader for each grading.

A cold emulated grading starts ``bash run_autograder``, which starts Python, which imports
pytest, NumPy and, for three assignments, torch (1.5 to 2.5 CPU seconds for torch's CUDA build)
before any test runs. ``make test`` and ``mutants`` grade hundreds of times, so
:func:`~autograder.staff.emulate.emulate` can take ``warm=True``: the grading then runs in a
process forked from a server (``warm_server.py``) that imported those libraries once. The grader
is the zip's own ``grade.py`` with the environment ``grade.py`` would give it; what differs is
only what was imported before it ran (the manifest's preloads without the framework, and
pytest), so a worker family that refuses one of those gets a fork server in a fresh interpreter
(as it would on Gradescope where a library is already loaded). Figures of memory are not
measured warm: the grader shares its pages with the server.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

from ..grading.manifest import load_manifest
from ..grading.settings import ONE_THREAD, grader_environment

SERVER = Path(__file__).with_name("warm_server.py")
#: Always imported by the grader before it forks a fork server.
GRADER_MODULES = ("pytest",)
#: Imported beside a preloaded library by the warm servers only, where it costs nothing per grading
#: and changes no result:
#: - torch.optim's optimizers import torch._dynamo when the first one is made (1.3 CPU s, in the
#:   grader and in each worker that trains). A2's manifest preloads it (three processes made one);
#:   A3's does not, since only one worker makes one and the grader would keep it (A3's solution
#:   with the CPU-only torch: 401 MB without, 477 MB with it preloaded).
#: - Captum, which A3's grader imports apart (``grading/apart.py``) in a process forked at each
#:   grading, imports matplotlib's pyplot and 3-D axes (0.3 of its 0.4 s with torch loaded). A3's
#:   student code may not import Captum, so a grader must not hold it; matplotlib is allowed. A
#:   mutant of A3 caught by its first test: 1.00 CPU s a grading without these, 0.76 s with them.
ALONG = {"torch": ("torch._dynamo", "matplotlib.pyplot", "mpl_toolkits.mplot3d")}


class WarmServer:
    """One running ``warm_server.py`` and the control socket to it (thread-safe)."""

    def __init__(self, python: str, modules: tuple[str, ...]):
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**grader_environment(os.environ), **ONE_THREAD}
        with theirs:
            self.proc = subprocess.Popen([python, "-I", str(SERVER), str(theirs.fileno()), *modules],  # noqa: S603
                                         pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        self.lock = threading.Lock()
        self.ready = False

    def _ensure_ready(self) -> None:
        if not self.ready:
            self.control.settimeout(300)
            hello = self.control.recv(4096)
            if not hello or not json.loads(hello).get("ready"):
                raise RuntimeError("the warm grader server did not start (see its standard error above)")
            self.ready = True

    def run(self, script: Path, cwd: Path, env: dict[str, str], log_fd: int,
            timeout: float) -> float:
        """Grade once: ``script`` run as ``python -I script`` in ``cwd`` with ``env`` and its
        output on ``log_fd``. Returns the grader's CPU seconds, its children's included (0 when it
        ran past ``timeout`` and was killed)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        request = {"script": str(script), "cwd": str(cwd), "env": env}
        with theirs, self.lock:
            self._ensure_ready()
            socket.send_fds(self.control, [json.dumps(request).encode()], [theirs.fileno(), log_fd])
        with ours:
            ours.settimeout(60)
            pid = json.loads(ours.recv(4096))["pid"]
            ours.settimeout(timeout)
            try:
                done = json.loads(ours.recv(4096) or b"{}")
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                ours.settimeout(60)
                ours.recv(4096)
                return 0.0
        if "cpu" not in done:
            raise RuntimeError("the warm grader server stopped before the grading ended")
        return float(done["cpu"])

    def close(self) -> None:
        self.control.close()   # the server exits when its control socket closes
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_servers: dict[tuple[str, tuple[str, ...]], WarmServer] = {}
_servers_lock = threading.Lock()


def preloads(source: Path) -> tuple[str, ...]:
    """What the grader of the unpacked zip ``source`` imports before its first fork, the framework
    left out (each grading imports its own), then what goes along, marked ``?``: imported where installed."""
    manifest = load_manifest(source / "assignment.toml")
    wanted = [*GRADER_MODULES, *manifest.preload]
    wanted += [f"?{extra}" for m in list(wanted) for extra in ALONG.get(m, ())]
    return tuple(dict.fromkeys(m for m in wanted if m.split(".")[0] != "autograder"))


def server(python: str, modules: tuple[str, ...]) -> WarmServer:
    """The warm server of ``python`` with ``modules`` imported, started at its first use."""
    key = (python, modules)
    with _servers_lock:
        found = _servers.get(key)
        if found is None or found.proc.poll() is not None:
            found = _servers[key] = WarmServer(python, modules)
        return found


@atexit.register
def close_all() -> None:
    """End every warm server this process started."""
    with _servers_lock:
        for found in _servers.values():
            found.close()
        _servers.clear()
