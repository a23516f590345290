"""Calls into a worker: the grader's end of one test's socket, and proxies for remote objects.

A request is a codec message (``{"op": ..., ...}``); the reply is ``{"ok": value}``,
``{"h": handle}`` or ``{"error": {...}}``. Values cross as plain data; everything else stays in
the worker and comes back as a :class:`RemoteHandle`. Every call has a deadline (the call limit,
and what is left of the test's budget); a timeout, a dead worker or a reply that does not decode
kills the worker's process group and raises a :class:`SandboxError` the student can read.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import codec, feedback
from .errors import SandboxError, StudentError, WorkerCrashed, WorkerTimeout
from .wire import recv_message, send_message

if TYPE_CHECKING:
    from .lifecycle import Sandbox

#: The most of a worker's printed output that feedback quotes (its tail).
OUTPUT_CAP = 4000


class Worker:
    """A live worker process for one test. Use its methods, or the handles they return."""

    def __init__(self, sandbox: Sandbox, pid: int, sock: socket.socket, workdir: Path, budget: float,
                 *, hidden: bool = True):
        self._sandbox = sandbox
        self.pid = pid
        self._sock = sock
        self.workdir = workdir
        self.hidden = hidden
        self._deadline = time.monotonic() + budget
        self._budget = budget
        self.dead_reason: str | None = None
        self.dead_kind = "crash"          # how a hidden test words the end: "time", "memory" or "crash"
        #: The dotted path of what the test called last (``models.x.Net.forward``), in the test's
        #: own words: where a hidden test's failure points when nothing more precise is known.
        self.last_target = ""

    # ---- what tests use
    def new(self, path: str, *args, **kwargs) -> RemoteHandle:
        """Build an object in the worker (``path`` names its class) and keep it there."""
        handle = self._request({"op": "call", "path": path, "args": list(args), "kwargs": kwargs, "ref": True},
                               f"{path}(...)", target=path)
        object.__setattr__(handle, "_label", path.rsplit(".", 1)[-1])
        object.__setattr__(handle, "_origin", path)
        return handle

    def call(self, path: str, *args, **kwargs) -> Any:
        return self._request({"op": "call", "path": path, "args": list(args), "kwargs": kwargs}, f"{path}(...)",
                             target=path)

    def get(self, path: str) -> Any:
        return self._request({"op": "get", "path": path}, path, target=path)

    def run(self, probe: Callable | str, *args, **kwargs) -> Any:
        """Call a probe (a test helper module that runs inside the worker)."""
        path = f"{probe.__module__}.{probe.__qualname__}" if callable(probe) else str(probe)
        return self._request({"op": "call", "path": path, "args": list(args), "kwargs": kwargs},
                             f"the test helper {path.rsplit('.', 1)[-1]}(...)")

    def ref(self, handle: RemoteHandle, name: str) -> RemoteHandle:
        """Attribute ``name`` of a remote object, kept in the worker even if it is plain data."""
        label = f"{handle._name()}.{name}"
        origin = f"{handle._origin_path()}.{name}"
        value = self._request({"op": "getattr", "target": handle, "name": name, "ref": True}, label, target=origin)
        object.__setattr__(value, "_label", label)
        object.__setattr__(value, "_origin", origin)
        return value

    def output(self) -> str:
        """The tail of what the worker printed so far.

        The file lies in a folder the student's code controls, so it is opened without following
        links and read only if it is a plain file owned by the worker's user: a student cannot
        swap in a link to a hidden file and have the grader read it back as output.
        """
        try:
            fd = os.open(self.workdir / ".output", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return ""
        try:
            info = os.fstat(fd)
            owner = self._sandbox.user[0] if self._sandbox.user else os.geteuid()
            if not stat.S_ISREG(info.st_mode) or info.st_uid != owner or info.st_nlink != 1:
                return feedback.OUTPUT_REPLACED
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

    def close(self) -> None:
        """End the worker and remove its working copy."""
        self._kill("finished", reap=False)
        shutil.rmtree(self.workdir, ignore_errors=True)

    # ---- one round trip
    def _request(self, request: dict, what: str, target: str = "") -> Any:
        if target:
            self.last_target = target
        if self.dead_reason:
            raise WorkerCrashed(feedback.already_stopped(self.dead_reason, what), kind=self.dead_kind)
        payload = codec.encode(request, self._encode_arg)
        reply = self._read_reply(what, self._exchange(payload, what))
        if "error" in reply:
            err = reply["error"] if type(reply["error"]) is dict else {}
            frames = err.get("frames")
            raise StudentError(str(err.get("type", "Exception")), str(err.get("message", "")),
                               str(err.get("traceback", "")), what, hidden=self.hidden,
                               frames=frames if type(frames) is list else [],
                               forbidden=str(err.get("forbidden", "")), target=self.last_target)
        if request.get("ref"):
            handle = reply.get("h")
            if not isinstance(handle, RemoteHandle):
                self._kill("sent a malformed reply")
                raise SandboxError(feedback.unreadable_reply(what, "expected an object back"))
            return handle
        return reply.get("ok")

    def _exchange(self, payload: bytes, what: str) -> bytes:
        """Send one request and wait for the reply's bytes, within the call's deadline."""
        remaining = self._deadline - time.monotonic()
        timeout = min(self._sandbox.limits.call_seconds, remaining)
        if timeout <= 0:
            self._kill(f"the test's time budget of {self._budget:.0f} s was used up")
            raise WorkerTimeout(feedback.budget_used_up(self._budget, what))
        try:
            self._sock.settimeout(timeout)
            send_message(self._sock, payload)
            return recv_message(self._sock)
        except TimeoutError:
            self._kill("timed out")
            limit = "call" if timeout == self._sandbox.limits.call_seconds else "test"
            raise WorkerTimeout(feedback.timed_out(what, timeout, limit)) from None
        except codec.CodecError as exc:  # a length over the message limit
            self._kill("sent a malformed reply")
            raise SandboxError(feedback.unreadable_reply(what, str(exc))) from None
        except (EOFError, ConnectionError, OSError):
            reason = self._kill("stopped")
            raise WorkerCrashed(feedback.crashed(what, reason), kind=self.dead_kind) from None

    def _read_reply(self, what: str, data: bytes) -> dict:
        """Decode a reply; any malformed one kills the worker (it no longer speaks the protocol)."""
        try:
            reply = codec.decode(data, self._decode_handle)
        except codec.CodecError as exc:
            self._kill("sent a malformed reply")
            raise SandboxError(feedback.unreadable_reply(what, str(exc))) from None
        if type(reply) is not dict:
            self._kill("sent a malformed reply")
            raise SandboxError(feedback.unreadable_reply(what))
        return reply

    def _encode_arg(self, obj: Any) -> dict:
        if isinstance(obj, RemoteHandle):
            if object.__getattribute__(obj, "_worker") is not self:
                raise SandboxError("a handle from another test's worker cannot be used here", kind="unchecked")
            return {"$t": "h", "id": object.__getattribute__(obj, "_hid")}
        raise codec.CodecError(f"cannot send a value of type {type(obj).__name__} to student code")

    def _decode_handle(self, tag: dict) -> RemoteHandle:
        handle = RemoteHandle(self, tag["id"], str(tag.get("type", "object"))[:200])
        if self.hidden:  # the class name is the student's to choose: messages must not quote it
            object.__setattr__(handle, "_label", "(an object from your code)")
        return handle

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
        status = self._sandbox.reap(self.pid) if reap else None
        self.dead_reason = feedback.how_it_ended(status, why)
        self.dead_kind = feedback.end_kind(status, why)
        try:
            self._sock.close()
        except OSError:
            pass
        return self.dead_reason


class RemoteHandle(codec.Handle):
    """A proxy for an object that lives in the worker."""

    def __init__(self, worker: Worker, hid: int, type_name: str):
        super().__init__(hid, type_name)
        object.__setattr__(self, "_worker", worker)
        object.__setattr__(self, "_label", type_name.rsplit(".", 1)[-1])
        object.__setattr__(self, "_origin", "")   # the dotted path the test reached it by (its own words)

    def _w(self) -> Worker:
        return object.__getattribute__(self, "_worker")

    def _name(self) -> str:
        """How messages name this object: the class a test built, then the attributes it reached."""
        return object.__getattribute__(self, "_label")

    def _origin_path(self) -> str:
        return object.__getattribute__(self, "_origin")

    def _member(self, name: str) -> str:
        origin = self._origin_path()
        return f"{origin}.{name}" if origin else ""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = self._w()._request({"op": "getattr", "target": self, "name": name}, f"{self._name()}.{name}",
                                   target=self._member(name))
        if isinstance(value, RemoteHandle):
            object.__setattr__(value, "_label", f"{self._name()}.{name}")
            object.__setattr__(value, "_origin", self._member(name))
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        self._w()._request({"op": "setattr", "target": self, "name": name, "value": value},
                           f"setting {self._name()}.{name}", target=self._origin_path())

    def __call__(self, *args, **kwargs) -> Any:
        return self._w()._request({"op": "call", "target": self, "args": list(args), "kwargs": kwargs},
                                  f"{self._name()}(...)", target=self._origin_path())

    def __getitem__(self, key: Any) -> Any:
        return self._w()._request({"op": "getitem", "target": self, "key": key}, f"{self._name()}[{key!r}]")

    def __setitem__(self, key: Any, value: Any) -> None:
        self._w()._request({"op": "setitem", "target": self, "key": key, "value": value},
                           f"{self._name()}[{key!r}] = ...")

    def __len__(self) -> int:
        value = self._w()._request({"op": "len", "target": self}, f"len({self._name()})")
        if type(value) is not int:
            raise SandboxError("len() of a student object did not return an int", kind="type")
        return value

    def __repr__(self) -> str:
        return f"<student object of type {object.__getattribute__(self, '_type_name')}>"
