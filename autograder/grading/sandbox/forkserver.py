"""Inside the fork server: preload libraries once, then fork one isolated worker per test.

The grader starts one fork server per worker family of a grading run (most runs have one),
forked from the grader itself (what grading does) or as ``python -I -c`` with an empty
environment. For every test the grader sends a
``fork`` request with one end of a fresh socket pair; the server kills whatever the previous
worker left, forks, and the child puts itself in a new session, lowers its resource limits,
drops to the unprivileged user when it runs as root, sends its output to a capped file, adds
the audit hook that refuses the family's forbidden modules (``guard.py``), and then answers
remote calls on that socket (``worker.py``). Every worker of every family sees the same
environment, the same HOME and TMPDIR (one scratch folder, emptied before each worker) and a
working folder with a random name, so nothing tells one test from another. Student code runs only in such
children. The server is a child subreaper, so daemons a worker starts are reparented to it and
killed with the rest.
"""

from __future__ import annotations

import ctypes
import faulthandler
import gc
import importlib
import json
import os
import random
import resource
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
import warnings

from .. import procfs
from ..feedback import SERVING_FAILED
from ..settings import Limits
from . import confine, guard
from .wire import recv_json, send_json
from .worker import serve

PR_SET_CHILD_SUBREAPER = 36


# ------------------------------------------------------------------------- the worker


def _set_limit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def _confine(config: dict, request: dict) -> None:
    """Resource limits, then the unprivileged user (limits first: root may still raise them)."""
    limits = Limits.from_json(config["limits"])
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_NOFILE, 256)
    _set_limit(resource.RLIMIT_FSIZE, limits.fsize_mb << 20)
    cpu = int(request.get("cpu_seconds", limits.cpu_seconds()))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    _set_limit(resource.RLIMIT_DATA, config["base_data"] + (limits.memory_mb << 20))
    confine.cap_address_space(config.get("base_vm", 0), limits.memory_mb)
    uid, gid = config.get("uid"), config.get("gid")
    if uid is not None and gid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        _set_limit(resource.RLIMIT_NPROC, limits.nproc)


def _redirect_output(workdir: str) -> None:
    """stdin from /dev/null; stdout and stderr into the worker's ``.output`` file.

    ``sys.stdout`` and ``sys.stderr`` are opened anew on descriptors 1 and 2: in a server forked
    from the grader they may be anything the grader had (pytest's capture file, a StringIO).
    """
    out_fd = os.open(os.path.join(workdir, ".output"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    os.close(null_fd)
    # new streams on the redirected descriptors (never closed: they last as long as the worker)
    sys.stdin = open(0, encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    faulthandler.enable()


def _quiet_library_warnings(workdir: str) -> None:
    """Show only the warnings whose origin is one of the student's files: a library's own
    warnings (torch's nested-tensor notice) are not the student's doing and stay out of
    "What your code printed". The filters are Python's defaults, whatever the grader had set
    (a server forked inside a pytest session inherits its warning capture)."""
    warnings.resetwarnings()
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.simplefilter("ignore", category)
    root = os.path.realpath(workdir) + os.sep

    def showwarning(message, category, filename, lineno, file=None, line=None):
        try:
            own = os.path.isabs(str(filename)) and os.path.realpath(str(filename)).startswith(root)
        except (TypeError, ValueError, OSError):
            own = False
        if own:
            try:
                (file or sys.stderr).write(warnings.formatwarning(message, category, filename, lineno, line))
            except (OSError, ValueError):
                pass

    warnings.showwarning = showwarning


def _seed(seed: int) -> None:
    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
        sys.modules["torch"].set_num_threads(1)


def _become_worker(config: dict, request: dict, sock: socket.socket) -> None:
    """Runs in the forked child: isolate, then serve. Never returns."""
    code = 0
    try:
        os.setsid()
        workdir = request["workdir"]
        os.chdir(workdir)
        _confine(config, request)
        _redirect_output(workdir)
        sys.path[:0] = [config["probes_dir"], workdir] + [os.path.join(workdir, p) for p in config.get("pythonpath", [])]
        os.environ["HOME"] = config["scratch"]
        os.environ["TMPDIR"] = config["scratch"]
        tempfile.tempdir = config["scratch"]   # not the grader's folder, if it had asked for one already
        _quiet_library_warnings(workdir)
        _seed(config["seed"])
        guard.install(config.get("refused", []), dict(config.get("refused_folders", {})))
        serve(sock, workdir)
    except BaseException:
        code = SERVING_FAILED
        try:
            traceback.print_exc()
        except BaseException:  # noqa: S110 (student code may have broken stdout: nowhere is left to log)
            pass
    finally:
        os._exit(code)


# ------------------------------------------------------------------- the fork server


def _kill_descendants(exits: dict[int, int]) -> None:
    """Kill every process below the server (orphans are reparented here as subreaper) and reap
    them all, so none is left dying for init to collect; their exit statuses go into ``exits``."""
    me = os.getpid()
    for _ in range(5000):  # a few seconds at most, for processes slow to die
        kids = procfs.children(me)
        if not kids:
            return
        for kid in kids:
            for kill in (os.killpg, os.kill):
                try:
                    kill(kid, signal.SIGKILL)
                except OSError:
                    pass
        reaped = _reap_all()
        exits.update(reaped)
        if len(reaped) < len(kids):
            time.sleep(0.001)  # SIGKILL takes effect asynchronously: some are still dying


def _reap_all() -> dict[int, int]:
    """Exit statuses of every child that has ended, without waiting."""
    statuses = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        statuses[pid] = status
    return statuses


def _clean(config: dict, exits: dict[int, int]) -> None:
    """What the previous worker left behind goes: itself, its children, daemons reparented to
    this subreaper, its files in the shared scratch folders; HOME and TMPDIR start empty."""
    _kill_descendants(exits)
    confine.remove_files_of(config.get("uid"))
    scratch = config["scratch"]
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        os.mkdir(scratch, 0o700)
    except FileExistsError:   # what could not be removed stays; the folder is still the worker's own
        pass
    if config.get("uid") is not None:
        os.chown(scratch, config["uid"], config["gid"], follow_symlinks=False)


def _fork_worker(control: socket.socket, config: dict, request: dict, fds: list[int],
                 exits: dict[int, int]) -> dict:
    # Tests run one at a time: whatever the previous worker left behind goes before the next one starts.
    _clean(config, exits)
    exits.clear()  # only the worker forked next can be asked about
    if len(fds) != 1:
        raise ValueError(f"a fork request carries one socket, not {len(fds)}")
    sock = socket.socket(fileno=fds.pop())
    pid = os.fork()
    if pid == 0:
        control.close()
        _become_worker(config, request, sock)
    sock.close()
    return {"pid": pid}


def _reap(pid: int, exits: dict[int, int]) -> dict:
    status = exits.pop(pid, None)
    if status is None:
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            status = None
    _kill_descendants(exits)
    return {"status": status}


def _prepare(config: dict) -> None:
    """Load what every worker needs once, here; become a subreaper; note the base memory sizes."""
    for name in config.get("preload", []):
        importlib.import_module(name)
    import safetensors.numpy  # noqa: F401  (the codec's arrays, on every worker's first call)

    loaded = sorted({m for m in config.get("refused", []) for name in sys.modules
                     if name == m or name.startswith(m + ".")})
    if loaded:
        raise RuntimeError(f"the fork server of worker family {config.get('family')!r} has {', '.join(loaded)} "
                           "loaded, which its workers must refuse (a preloaded module cannot be refused)")
    config["refused_folders"] = guard.package_folders(config.get("refused", []))

    if "numpy" in sys.modules:
        import numpy.random  # noqa: F401
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except OSError:
        pass
    # What the preloads made is shared with every worker: keep the collector from walking (and so
    # copying) those pages in each of them, as the inline server does (lifecycle._ForkedServer).
    gc.collect()
    gc.freeze()
    config["base_data"] = procfs.vm_data_bytes()
    config["base_vm"] = procfs.vm_size_bytes()


def fork_server(control_fd: int, config: dict) -> None:
    """Serve the grader's ``fork``, ``reap`` and ``exit`` requests until it says ``exit``."""
    control = socket.socket(fileno=control_fd)
    try:
        _prepare(config)
    except Exception as exc:
        send_json(control, {"ready": False, "error": f"{type(exc).__name__}: {exc}"[:2000]})
        return
    exits: dict[int, int] = {}
    send_json(control, {"ready": True, "pid": os.getpid()})
    while True:
        try:
            request, fds = recv_json(control, max_fds=1)
        except (EOFError, OSError, ValueError):
            break
        op = request.get("op")
        try:
            if op == "fork":
                reply = _fork_worker(control, config, request, fds, exits)
            elif op == "reap":
                reply = _reap(request["pid"], exits)
            elif op == "clean":
                _clean(config, exits)
                exits.clear()
                reply = {"clean": True}
            elif op == "exit":
                _kill_descendants(exits)
                confine.remove_files_of(config.get("uid"))
                send_json(control, {"bye": True})
                return
            else:
                reply = {"error": f"unknown operation {op!r}"}
        finally:
            for fd in fds:
                os.close(fd)
        exits.update(_reap_all())
        send_json(control, reply)
    _kill_descendants(exits)


def main() -> None:
    control_fd = int(sys.argv[1])
    config = json.loads(sys.argv[2])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fork_server(control_fd, config)


if __name__ == "__main__":
    main()
