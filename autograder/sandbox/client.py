"""The grader side of the sandbox: a fork server, workers, and proxies for their objects."""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import codec, procfs
from . import confine
from .wire import recv_message, send_message

FRAMEWORK_PARENT = str(Path(__file__).resolve().parents[2])
OUTPUT_CAP = 4000


class SandboxError(Exception):
    """The worker could not answer: it crashed, timed out, or sent something unusable."""


class WorkerCrashed(SandboxError):
    pass


class WorkerTimeout(SandboxError):
    pass


class StudentError(Exception):
    """Student code raised an exception inside the worker."""

    def __init__(self, type_name: str, message: str, traceback_text: str, call: str):
        self.type_name = type_name
        self.message = message
        self.traceback_text = traceback_text
        self.call = call
        super().__init__(self.describe())

    def describe(self, hidden: bool | None = None) -> str:
        """What the student is told. In a hidden test (``hidden``; by default while the running
        test may not reveal expected values) the exception's message, a class name of the
        student's own and the source lines are left out: student code could put the test's
        hidden inputs into any of them."""
        if hidden is None:
            from .. import testing

            hidden = not testing.REVEAL_EXPECTED
        if hidden:
            import builtins

            known = isinstance(getattr(builtins, self.type_name, None), type)
            kind = self.type_name if known else "an exception of a class from your code"
            if self.type_name == "NotImplementedError":
                text = f"Not implemented yet (while running {self.call})."
            else:
                text = f"Your code raised {kind} while running {self.call}."
            text += "\n(Hidden tests do not show the exception's message or your source lines.)"
            where = [line.strip() for line in self.traceback_text.splitlines() if line.startswith("  File ")]
            if where:
                text += "\nWhere, in your files (most recent call last):\n" + "\n".join(f"  {w}" for w in where)
            return text
        text = f"Your code raised {self.type_name}: {self.message}".rstrip()
        if self.type_name == "NotImplementedError":
            text = f"Not implemented yet: {self.message or self.call}"
        text += f"\n(while running {self.call})"
        if self.traceback_text:
            text += "\nWhere, in your files (most recent call last):\n" + self.traceback_text
        return text


@dataclass
class Limits:
    call_seconds: float = 20.0
    test_seconds: float = 60.0
    memory_mb: int = 1024
    fsize_mb: int = 64
    nproc: int = 64


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"


_SIGNAL_HINTS = {
    "SIGSEGV": "the Python interpreter crashed (a segmentation fault, often unbounded recursion)",
    "SIGXCPU": "it used more CPU time than the test allows",
    "SIGXFSZ": "it wrote more output or file data than allowed",
    "SIGKILL": "it was stopped (time or memory limit)",
    "SIGABRT": "the interpreter aborted (often out of memory)",
}


def sandbox_user() -> tuple[int, int] | None:
    """The (uid, gid) workers drop to when the grader runs as root, else None.

    ``AUTOGRADER_SANDBOX_UID`` picks a numeric id; otherwise the user ``autograder-student``
    that setup.sh creates; otherwise a random unused id, so concurrent runs on one machine can
    neither signal nor count against each other.
    """
    if os.geteuid() != 0:
        return None
    forced = os.environ.get("AUTOGRADER_SANDBOX_UID", "")
    if forced.isdigit() and int(forced) > 0:
        return int(forced), int(forced)
    try:
        entry = pwd.getpwnam(os.environ.get("AUTOGRADER_SANDBOX_USER", "autograder-student"))
        if entry.pw_uid == 0 or entry.pw_gid == 0:
            raise SandboxError(f"the sandbox user {entry.pw_name!r} is root; student code never runs as root")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        # No dedicated user: an unused id of this run's own (never a shared one such as
        # nobody, whose other processes the final clean-up would otherwise kill).
        uid = 200000 + secrets.randbelow(50000)
        return uid, uid


def unreadable_for_others(paths) -> list[str]:
    """Folders on the way to ``paths`` that a user other than the owner cannot enter."""
    bad = []
    for path in paths:
        p = Path(path).resolve()
        for folder in [p, *p.parents]:
            try:
                mode = folder.stat().st_mode
            except OSError:
                continue
            if folder.is_dir() and not mode & 0o001:
                bad.append(str(folder))
                break
    return sorted(set(bad))


def _interpreter_paths() -> list[str]:
    import sysconfig

    names = ("stdlib", "platstdlib", "purelib", "platlib")
    return [sysconfig.get_paths()[n] for n in names if n in sysconfig.get_paths()]


class Sandbox:
    """One fork server and the workers forked from it."""

    def __init__(self, submission: Path, probes_dir: Path, area: Path, *, preload=(),
                 limits: Limits | None = None, pythonpath=(), seed: int = 1234, inline: bool = False):
        """Start the fork server.

        ``inline=True`` forks it from this process instead of starting a fresh interpreter, so
        workers share the pages of the libraries the grader already loaded (torch alone is
        hundreds of MB). Only do that before any test module is imported: the server inherits
        this process's memory.
        """
        self.submission = Path(submission)
        self.area = Path(area)
        self.limits = limits or Limits()
        self.user = sandbox_user()
        self.warnings: list[str] = []
        blocked = unreadable_for_others(_interpreter_paths()) if self.user else []
        if blocked:
            message = (f"The sandbox user cannot read the Python installation ({', '.join(blocked)} is closed to "
                       "other users), so student code runs as the grader's own user here. Install the "
                       "requirements into a Python that every user can read to get the unprivileged worker.")
            if os.environ.get("AUTOGRADER_REQUIRE_DROP") == "1":
                raise SandboxError(message)
            self.warnings.append(message)
            print(f"[autograder] warning: {message}", file=sys.stderr)
            self.user = None
        self.area.mkdir(parents=True, exist_ok=True)
        os.chmod(self.area, 0o755)
        self.probes_dir = self.area / "probes"
        if self.probes_dir.exists():
            shutil.rmtree(self.probes_dir)
        if Path(probes_dir).is_dir():
            shutil.copytree(probes_dir, self.probes_dir, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            self.probes_dir.mkdir()
        for root, _dirs, files in os.walk(self.probes_dir):
            os.chmod(root, 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        self.counter = 0
        config = {
            "preload": list(preload),
            "probes_dir": str(self.probes_dir),
            "pythonpath": list(pythonpath),
            "seed": seed,
            "uid": self.user[0] if self.user else None,
            "gid": self.user[1] if self.user else None,
            "limits": {
                "fsize_mb": self.limits.fsize_mb,
                "cpu_seconds": int(self.limits.test_seconds) + 2,
                "memory_mb": self.limits.memory_mb,
                "nproc": self.limits.nproc,
            },
        }
        ours, theirs = socket.socketpair()
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg",
               "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "HOME": str(self.area),
               "USER": "student", "LOGNAME": "student"}
        for keep in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "CUDA_VISIBLE_DEVICES"):
            if keep in os.environ:
                env[keep] = os.environ[keep]
        if inline:
            for name in preload:
                __import__(name)
            self.proc: Any = _ForkedServer(theirs, ours, config, env, self.area)
        else:
            bootstrap = (f"import sys; sys.path.insert(0, {FRAMEWORK_PARENT!r}); "
                         "from autograder.sandbox.server import main; main()")
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", bootstrap, str(theirs.fileno()), json.dumps(config)],
                pass_fds=[theirs.fileno()], env=env, cwd=str(self.area),
                stdin=subprocess.DEVNULL,
            )
        theirs.close()
        self.control = ours
        self._buf = b""
        self.server_pid: int | None = None  # known once the server says it is ready

    def _ensure_ready(self) -> None:
        """Wait for the fork server's greeting (it preloads libraries while the grader collects tests)."""
        if self.server_pid is None:
            hello = self._read_line(timeout=300)
            if not hello.get("ready"):
                raise SandboxError("the sandbox fork server did not start")
            self.server_pid = hello["pid"]

    # -- control channel
    def _read_line(self, timeout: float) -> dict:
        self.control.settimeout(timeout)
        while b"\n" not in self._buf:
            chunk = self.control.recv(65536)
            if not chunk:
                raise SandboxError("the sandbox fork server stopped")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def _ask(self, request: dict, fds=(), timeout: float = 60) -> dict:
        data = json.dumps(request).encode() + b"\n"
        if fds:
            socket.send_fds(self.control, [data], list(fds))
        else:
            self.control.sendall(data)
        return self._read_line(timeout)

    def _prepare_workdir(self) -> Path:
        self.counter += 1
        workdir = self.area / f"run-{self.counter}"
        if workdir.exists():
            shutil.rmtree(workdir)
        shutil.copytree(self.submission, workdir, symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__", ".output"))
        if self.user:
            # Bottom up, never following links: a folder becomes the worker user's only after
            # everything in it, so a process the previous worker left behind (it lives until the
            # next fork) cannot swap a file for a link to a grader file before root chowns it.
            uid, gid = self.user
            for root, _dirs, files in os.walk(workdir, topdown=False):
                for f in files:
                    os.chown(os.path.join(root, f), uid, gid, follow_symlinks=False)
                for d in _dirs:
                    os.chown(os.path.join(root, d), uid, gid, follow_symlinks=False)
            os.chown(workdir, uid, gid, follow_symlinks=False)
        return workdir

    def worker(self, test_seconds: float | None = None) -> "Worker":
        self._ensure_ready()
        workdir = self._prepare_workdir()
        ours, theirs = socket.socketpair()
        budget = self.limits.test_seconds if test_seconds is None else test_seconds
        reply = self._ask({"op": "fork", "workdir": str(workdir), "cpu_seconds": int(budget) + 2},
                          fds=[theirs.fileno()])
        theirs.close()
        return Worker(self, reply["pid"], ours, workdir, budget)

    def close(self) -> None:
        try:
            self._ensure_ready()
            self._ask({"op": "exit"}, timeout=20)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.control.close()
        if self.user:
            kill_all_of_user(self.user[0])
            confine.remove_files_of(self.user[0])


class _ForkedServer:
    """The fork server as a direct fork of the grader (see ``Sandbox(inline=True)``)."""

    def __init__(self, theirs: socket.socket, ours: socket.socket, config: dict, env: dict, area: Path):
        keep = theirs.fileno()
        import gc

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
                from .server import fork_server

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


def kill_all_of_user(uid: int) -> None:
    """As root, kill every process of ``uid`` (daemons that left the process group)."""
    for _ in range(5):
        pids = [p for p in procfs.pids() if procfs.owner(p) == uid]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)


class Worker:
    """A live worker process for one test. Use its methods, or the Handles they return."""

    def __init__(self, sandbox: Sandbox, pid: int, sock: socket.socket, workdir: Path, budget: float):
        self._sandbox = sandbox
        self.pid = pid
        self._sock = sock
        self.workdir = workdir
        self._deadline = time.monotonic() + budget
        self._budget = budget
        self.dead_reason: str | None = None

    # ---- public API used by tests
    def new(self, path: str, *args, **kwargs) -> "RemoteHandle":
        handle = self._request({"op": "call", "path": path, "args": list(args), "kwargs": kwargs, "ref": True},
                               f"{path}(...)")
        object.__setattr__(handle, "_label", path.rsplit(".", 1)[-1])
        return handle

    def call(self, path: str, *args, **kwargs) -> Any:
        return self._request({"op": "call", "path": path, "args": list(args), "kwargs": kwargs}, f"{path}(...)")

    def get(self, path: str) -> Any:
        return self._request({"op": "get", "path": path}, path)

    def run(self, probe: Callable | str, *args, **kwargs) -> Any:
        if callable(probe):
            path = f"{probe.__module__}.{probe.__qualname__}"
        else:
            path = str(probe)
        return self._request({"op": "call", "path": path, "args": list(args), "kwargs": kwargs},
                             f"the test helper {path.rsplit('.', 1)[-1]}(...)")

    def ref(self, handle: "RemoteHandle", name: str) -> "RemoteHandle":
        label = f"{handle._name()}.{name}"
        value = self._request({"op": "getattr", "target": handle, "name": name, "ref": True}, label)
        object.__setattr__(value, "_label", label)
        return value

    def output(self) -> str:
        """The tail of what the worker printed so far.

        The file lies in a folder the student's code controls, so it is opened without following
        links and read only if it is a plain file owned by the worker's user: a student cannot
        swap in a link to a hidden file and have the grader read it back as output.
        """
        import stat

        try:
            fd = os.open(self.workdir / ".output", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return ""
        try:
            info = os.fstat(fd)
            owner = self._sandbox.user[0] if self._sandbox.user else os.geteuid()
            if not stat.S_ISREG(info.st_mode) or info.st_uid != owner or info.st_nlink != 1:
                return "(The output file of your code was replaced, so its output cannot be shown.)"
            size = info.st_size
            os.lseek(fd, max(0, size - OUTPUT_CAP), os.SEEK_SET)
            text = os.read(fd, OUTPUT_CAP).decode("utf-8", "replace")
        except OSError:
            return ""
        finally:
            os.close(fd)
        if size > OUTPUT_CAP:
            text = f"[... {size - OUTPUT_CAP} earlier bytes of output cut ...]\n" + text
        return text

    # ---- plumbing
    def _encode_arg(self, obj: Any) -> dict:
        if isinstance(obj, RemoteHandle):
            if object.__getattribute__(obj, "_worker") is not self:
                raise SandboxError("a handle from another test's worker cannot be used here")
            return {"$t": "h", "id": object.__getattribute__(obj, "_hid")}
        raise codec.CodecError(f"cannot send a value of type {type(obj).__name__} to student code")

    def _decode_handle(self, tag: dict) -> "RemoteHandle":
        return RemoteHandle(self, tag["id"], str(tag.get("type", "object")), bool(tag.get("callable")))

    def _request(self, request: dict, what: str) -> Any:
        if self.dead_reason:
            raise WorkerCrashed(f"Your code's worker process had already stopped ({self.dead_reason}); "
                                f"cannot run {what}.")
        payload = codec.encode(request, self._encode_arg)
        remaining = self._deadline - time.monotonic()
        timeout = min(self._sandbox.limits.call_seconds, remaining)
        if timeout <= 0:
            self._kill(f"the test's time budget of {self._budget:.0f} s was used up")
            raise WorkerTimeout(f"Time limit: this test's {self._budget:.0f} s budget was used up before {what}.")
        try:
            self._sock.settimeout(timeout)
            send_message(self._sock, payload)
            data = recv_message(self._sock)
        except (socket.timeout, TimeoutError):
            self._kill("timed out")
            limit = "call" if timeout == self._sandbox.limits.call_seconds else "test"
            raise WorkerTimeout(
                f"Time limit: your code did not finish {what} within {timeout:.1f} s (the {limit} limit). "
                "Look for an infinite loop, a blocking call, or a much slower implementation than needed."
            ) from None
        except (EOFError, ConnectionError, OSError):
            reason = self._kill("stopped")
            raise WorkerCrashed(f"Your code's process stopped while running {what}: {reason}.") from None
        try:
            reply = codec.decode(data, self._decode_handle)
        except codec.CodecError as exc:
            self._kill("sent a malformed reply")
            raise SandboxError(f"The reply from your code for {what} could not be read: {exc}") from None
        if type(reply) is not dict:
            self._kill("sent a malformed reply")
            raise SandboxError(f"The reply from your code for {what} could not be read.")
        if "error" in reply:
            err = reply["error"] if type(reply["error"]) is dict else {}
            raise StudentError(str(err.get("type", "Exception")), str(err.get("message", "")),
                               str(err.get("traceback", "")), what)
        if request.get("ref"):
            handle = reply.get("h")
            if not isinstance(handle, RemoteHandle):
                raise SandboxError(f"expected an object back from {what}")
            return handle
        return reply.get("ok")

    def _kill(self, why: str, reap: bool = True) -> str:
        """Kill the worker's process group; return a sentence on how it ended.

        ``reap=False`` skips asking the fork server for the exit status (a round trip per test):
        the server reaps the worker, and kills anything it left behind, before the next fork.
        """
        if self.dead_reason:
            return self.dead_reason
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        status = None
        if reap:
            try:
                status = self._sandbox._ask({"op": "reap", "pid": self.pid}, timeout=30).get("status")
            except Exception:
                status = None
        self.dead_reason = _how_it_ended(status, why)
        try:
            self._sock.close()
        except OSError:
            pass
        return self.dead_reason

    def close(self) -> None:
        """End the worker and remove its working copy."""
        self._kill("finished", reap=False)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _how_it_ended(status: int | None, why: str) -> str:
    """A sentence for a student from a wait status; ``why`` is what the grader saw."""
    if status is None:
        return why
    if os.WIFSIGNALED(status):
        name = _signal_name(os.WTERMSIG(status))
        if name == "SIGKILL" and why != "stopped":
            return why  # the grader's own kill after a timeout or a bad reply
        return f"it was ended by {name}" + (f": {_SIGNAL_HINTS[name]}" if name in _SIGNAL_HINTS else "")
    if os.WIFEXITED(status):
        return f"it exited with status {os.WEXITSTATUS(status)} (os._exit() or a similar hard exit in your code?)"
    return why


class RemoteHandle(codec.Handle):
    """A proxy for an object that lives in the worker."""

    def __init__(self, worker: Worker, hid: int, type_name: str, is_callable: bool):
        super().__init__(hid, type_name, is_callable)
        object.__setattr__(self, "_worker", worker)
        object.__setattr__(self, "_label", type_name.rsplit(".", 1)[-1])

    def _w(self) -> Worker:
        return object.__getattribute__(self, "_worker")

    def _name(self) -> str:
        """How messages name this object: the class a test built, then the attributes it reached."""
        return object.__getattribute__(self, "_label")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = self._w()._request({"op": "getattr", "target": self, "name": name}, f"{self._name()}.{name}")
        if isinstance(value, RemoteHandle):
            object.__setattr__(value, "_label", f"{self._name()}.{name}")
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        self._w()._request({"op": "setattr", "target": self, "name": name, "value": value},
                           f"setting {self._name()}.{name}")

    def __call__(self, *args, **kwargs) -> Any:
        return self._w()._request({"op": "call", "target": self, "args": list(args), "kwargs": kwargs},
                                  f"{self._name()}(...)")

    def __getitem__(self, key: Any) -> Any:
        return self._w()._request({"op": "getitem", "target": self, "key": key}, f"{self._name()}[{key!r}]")

    def __setitem__(self, key: Any, value: Any) -> None:
        self._w()._request({"op": "setitem", "target": self, "key": key, "value": value},
                           f"{self._name()}[{key!r}] = ...")

    def __len__(self) -> int:
        value = self._w()._request({"op": "len", "target": self}, f"len({self._name()})")
        if type(value) is not int:
            raise SandboxError("len() of a student object did not return an int")
        return value

    def __repr__(self) -> str:
        return f"<student object of type {object.__getattribute__(self, '_type_name')}>"
