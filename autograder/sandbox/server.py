"""The sandbox side: a fork server that preloads libraries, and the worker loop.

The grader starts one fork server per grading run (``python -I -c`` with an empty
environment). For every test it asks the server for a fresh worker: the server forks,
and the child puts itself in a new session, lowers its resource limits, drops to the
unprivileged user when it runs as root, redirects its output to a capped file, and then
serves remote calls on a socket handed over by the grader. Student code runs only in
such children.
"""

from __future__ import annotations

import ctypes
import faulthandler
import importlib
import json
import os
import random
import resource
import signal
import socket
import sys
import traceback
from typing import Any

from .. import codec, procfs
from . import confine
from .wire import recv_message, send_message

PR_SET_CHILD_SUBREAPER = 36


# --------------------------------------------------------------------------- worker


class _ForceRef:
    """Wraps a result that must go back as a handle even if it is plain data."""

    def __init__(self, value: Any):
        self.value = value


class WorkerState:
    """The object table and the two paths a worker may import from."""

    def __init__(self, workdir: str):
        self.workdir = os.path.realpath(workdir)
        self.objects: dict[int, Any] = {}
        self.next_id = 1

    def keep(self, obj: Any) -> dict:
        hid = self.next_id
        self.next_id += 1
        self.objects[hid] = obj
        try:
            type_name = f"{type(obj).__module__}.{type(obj).__qualname__}"
        except Exception:
            type_name = "object"
        return {"$t": "h", "id": hid, "type": str(type_name)[:200], "callable": callable(obj)}

    def keep_or_ref(self, obj: Any) -> dict:
        return self.keep(obj.value if type(obj) is _ForceRef else obj)

    def resolve(self, tag: dict) -> Any:
        hid = tag["id"]
        if hid not in self.objects:
            raise LookupError(f"no object with handle {hid} in this worker")
        return self.objects[hid]


def resolve_path(path: str) -> Any:
    """Import ``pkg.module.attr.attr`` by trying the longest importable module prefix."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        modname = ".".join(parts[:cut])
        try:
            obj = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if cut > 1 and (modname == missing or modname.startswith(missing + ".")):
                continue
            raise
        for attr in parts[cut:]:
            try:
                obj = getattr(obj, attr)
            except AttributeError:
                raise AttributeError(f"{'.'.join(parts[:cut])} has no attribute {attr!r} (looking up {path})") from None
        return obj
    raise ModuleNotFoundError(f"No module named {parts[0]!r}", name=parts[0])


def _student_traceback(exc: BaseException, workdir: str) -> str:
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if os.path.realpath(f.filename).startswith(workdir + os.sep)
    ]
    lines = []
    for f in frames[-8:]:
        rel = os.path.relpath(f.filename, workdir)
        lines.append(f'  File "{rel}", line {f.lineno}, in {f.name}')
        if f.line:
            lines.append(f"    {f.line.strip()}")
    return "\n".join(lines)


def _safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:
        text = "<the exception could not be shown>"
    return text[:4000]


def handle_request(state: WorkerState, request: dict) -> Any:
    op = request.get("op")
    args = request.get("args", [])
    kwargs = request.get("kwargs", {})
    if op == "call":
        target = request["target"] if "target" in request else resolve_path(request["path"])
        return target(*args, **kwargs)
    if op == "get":
        return resolve_path(request["path"])
    obj = request["target"]  # handles were already resolved to the objects by the decoder
    if op == "getattr":
        return getattr(obj, request["name"])
    if op == "setattr":
        setattr(obj, request["name"], request["value"])
        return None
    if op == "getitem":
        return obj[request["key"]]
    if op == "setitem":
        obj[request["key"]] = request["value"]
        return None
    if op == "len":
        return len(obj)
    if op == "repr":
        return repr(obj)[:2000]
    raise ValueError(f"unknown operation {op!r}")


def serve(sock: socket.socket, workdir: str) -> None:
    """Answer requests until the grader closes the socket."""
    state = WorkerState(workdir)
    while True:
        try:
            data = recv_message(sock)
        except EOFError:
            return
        try:
            request = codec.decode(data, state.resolve)
            result = handle_request(state, request)
            force_ref = bool(request.get("ref"))
            if force_ref:
                reply = codec.encode({"ok": None, "h": _ForceRef(result)}, state.keep_or_ref)
            else:
                reply = codec.encode({"ok": result}, state.keep)
        except BaseException as exc:  # student code may raise anything, SystemExit included
            error = {
                "type": type(exc).__name__[:200],
                "message": _safe_str(exc),
                "traceback": _student_traceback(exc, state.workdir),
            }
            if isinstance(exc, SystemExit):
                error["message"] = f"exit() was called with status {exc.code!r}"[:500]
            reply = codec.encode({"error": error}, state.keep)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        send_message(sock, reply)


# ---------------------------------------------------------------------- fork server


def _set_limit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def _become_worker(config: dict, request: dict, sock: socket.socket) -> None:
    """Runs in the forked child: isolate, then serve. Never returns."""
    code = 0
    try:
        os.setsid()
        workdir = request["workdir"]
        os.chdir(workdir)
        limits = config["limits"]
        _set_limit(resource.RLIMIT_CORE, 0)
        _set_limit(resource.RLIMIT_NOFILE, 256)
        _set_limit(resource.RLIMIT_FSIZE, limits["fsize_mb"] << 20)
        cpu = int(request.get("cpu_seconds", limits["cpu_seconds"]))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
        _set_limit(resource.RLIMIT_DATA, config["base_data"] + (limits["memory_mb"] << 20))
        confine.cap_address_space(config.get("base_vm", 0), limits["memory_mb"])
        uid, gid = config.get("uid"), config.get("gid")
        if uid is not None and gid is not None:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            _set_limit(resource.RLIMIT_NPROC, limits["nproc"])
        out_fd = os.open(os.path.join(workdir, ".output"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        null_fd = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null_fd, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.close(out_fd)
        os.close(null_fd)
        faulthandler.enable()
        sys.path[:0] = [config["probes_dir"], workdir] + [os.path.join(workdir, p) for p in config.get("pythonpath", [])]
        os.environ["HOME"] = workdir
        os.environ["TMPDIR"] = workdir
        random.seed(config["seed"])
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed(config["seed"])
        if "torch" in sys.modules:
            sys.modules["torch"].manual_seed(config["seed"])
            sys.modules["torch"].set_num_threads(1)
        serve(sock, workdir)
    except BaseException:
        code = 3
        try:
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        os._exit(code)


def _kill_descendants(exits: dict[int, int]) -> None:
    """Kill every process below the server (orphans are reparented here as subreaper); the exit
    statuses of those reaped go into ``exits``."""
    me = os.getpid()
    for _ in range(50):
        kids = procfs.children(me)
        if not kids:
            break
        for kid in kids:
            for kill in (os.killpg, os.kill):
                try:
                    kill(kid, signal.SIGKILL)
                except OSError:
                    pass
        exits.update(_reap_all())


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


def fork_server(control_fd: int, config: dict) -> None:
    control = socket.socket(fileno=control_fd)
    for name in config.get("preload", []):
        importlib.import_module(name)
    # What every worker needs on its first call, loaded once here instead of in each worker.
    import safetensors.numpy  # noqa: F401

    if "numpy" in sys.modules:
        import numpy.random  # noqa: F401
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except OSError:
        pass
    config["base_data"] = procfs.vm_data_bytes()
    config["base_vm"] = procfs.vm_size_bytes()
    exits: dict[int, int] = {}
    control.sendall(json.dumps({"ready": True, "pid": os.getpid()}).encode() + b"\n")
    buf = b""
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(control, 65536, 4)
        except OSError:
            break
        if not msg:
            break
        buf += msg
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            request = json.loads(line)
            op = request.get("op")
            reply: dict = {}
            if op == "fork":
                # Tests run one at a time: whatever the previous worker left behind (itself,
                # children, daemons reparented to this subreaper) goes before the next one starts.
                _kill_descendants(exits)
                exits.clear()  # only the worker forked next can be asked about
                confine.remove_files_of(config.get("uid"))
                sock = socket.socket(fileno=fds.pop(0))
                pid = os.fork()
                if pid == 0:
                    control.close()
                    _become_worker(config, request, sock)
                sock.close()
                reply = {"pid": pid}
            elif op == "reap":
                pid = request["pid"]
                status = exits.pop(pid, None)
                if status is None:
                    try:
                        _, status = os.waitpid(pid, 0)
                    except ChildProcessError:
                        status = None
                _kill_descendants(exits)
                reply = {"status": status}
            elif op == "exit":
                _kill_descendants(exits)
                confine.remove_files_of(config.get("uid"))
                control.sendall(b'{"bye": true}\n')
                return
            exits.update(_reap_all())
            for fd in fds:
                os.close(fd)
            control.sendall(json.dumps(reply).encode() + b"\n")
    _kill_descendants(exits)


def main() -> None:
    control_fd = int(sys.argv[1])
    config = json.loads(sys.argv[2])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fork_server(control_fd, config)


if __name__ == "__main__":
    main()
