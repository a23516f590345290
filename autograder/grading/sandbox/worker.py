"""Inside a worker: answer the grader's requests until it closes the socket.

The worker keeps every object that is not plain data in a table and sends back a handle
(its id there); requests name such objects by handle. Whatever student code raises, even
``SystemExit``, goes back as an error reply, and the loop goes on. Builtins that student code
replaced (``isinstance``, ``len``...) are put back after each call, before the reply is
encoded: the encoder relies on them.
"""

from __future__ import annotations

import builtins
import collections
import importlib
import linecache
import os
import socket
import sys
from typing import Any

from .. import codec
from .guard import ForbiddenModule
from .wire import recv_message, send_message


class _ForceRef:
    """Wraps a result that must go back as a handle even if it is plain data."""

    def __init__(self, value: Any):
        self.value = value


class WorkerState:
    """The worker's table of objects the grader holds handles to."""

    def __init__(self, workdir: str):
        self.workdir = os.path.realpath(workdir)
        self.objects: dict[int, Any] = {}
        self.next_id = 1
        self.builtins = dict(builtins.__dict__)  # as they were before any student code ran

    def restore_builtins(self) -> None:
        builtins.__dict__.update(self.builtins)

    def keep(self, obj: Any) -> dict:
        hid = self.next_id
        self.next_id += 1
        self.objects[hid] = obj
        try:
            type_name = f"{type(obj).__module__}.{type(obj).__qualname__}"
        except Exception:
            type_name = "object"
        return {"$t": "h", "id": hid, "type": str(type_name)[:200]}

    def keep_or_ref(self, obj: Any) -> dict:
        return self.keep(obj.value if type(obj) is _ForceRef else obj)

    def resolve(self, tag: dict) -> Any:
        hid = tag["id"]
        if hid not in self.objects:
            raise codec.CodecError(f"no object with handle {hid} in this worker")
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


def _student_frames(exc: BaseException, workdir: str, keep: int = 8) -> list[tuple[str, int, str]]:
    """The last ``keep`` frames of ``exc`` that lie in the student's files: (path relative to
    the working folder, line, function name), outermost first.

    The traceback is walked once, keeping only the frames it needs: after a runaway recursion
    it holds millions of frames, and formatting all of them would outlast the deadline.
    """
    inside: dict[str, bool] = {}
    last: collections.deque = collections.deque(maxlen=keep)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename not in inside:   # "<string>" or "<frozen ...>" is no file, wherever the worker stands
            inside[filename] = os.path.isabs(filename) and os.path.realpath(filename).startswith(workdir + os.sep)
        if inside[filename]:
            last.append((filename, tb.tb_lineno, tb.tb_frame.f_code.co_name))
        tb = tb.tb_next
    return [(os.path.relpath(filename, workdir), lineno, name) for filename, lineno, name in last]


def _student_traceback(frames: list[tuple[str, int, str]], workdir: str) -> str:
    """The frames as Python prints them, with their source lines (public tests show this)."""
    lines = []
    for rel, lineno, name in frames:
        lines.append(f'  File "{rel}", line {lineno}, in {name}')
        source = linecache.getline(os.path.join(workdir, rel), lineno).strip()
        if source:
            lines.append(f"    {source}")
    return "\n".join(lines)


def _safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:
        text = "<the exception could not be shown>"
    return text[:4000]


def handle_request(request: dict) -> Any:
    """Carry out one request (handles in it were already resolved to objects by the decoder)."""
    op = request.get("op")
    args = request.get("args", [])
    kwargs = request.get("kwargs", {})
    if op == "call":
        target = request["target"] if "target" in request else resolve_path(request["path"])
        return target(*args, **kwargs)
    if op == "get":
        return resolve_path(request["path"])
    obj = request["target"]
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
    raise ValueError(f"unknown operation {op!r}")


def _answer(state: WorkerState, data: bytes) -> bytes:
    """The reply to one request, as a message."""
    try:
        request = codec.decode(data, state.resolve)
        result = handle_request(request)
        state.restore_builtins()
        if request.get("ref"):
            return codec.encode({"ok": None, "h": _ForceRef(result)}, state.keep_or_ref)
        return codec.encode({"ok": result}, state.keep)
    except BaseException as exc:  # student code may raise anything, SystemExit included
        state.restore_builtins()
        return _error_reply(state, exc)


def _error_reply(state: WorkerState, exc: BaseException) -> bytes:
    """The reply for an exception of student code; the bare type name when describing it fails.

    Besides the type, message and printed frames (for public tests), it carries the frames as
    (file, line) pairs, which the grader maps to starter functions by reading its own copy of
    the submission, and the module the worker refused when that is what was raised.
    """
    name = type(exc).__name__[:200]
    try:
        frames = _student_frames(exc, state.workdir)
        error = {"type": name, "message": _safe_str(exc), "traceback": _student_traceback(frames, state.workdir),
                 "frames": [[rel[:300], int(line)] for rel, line, _ in frames]}
        if isinstance(exc, SystemExit):
            error["message"] = f"exit() was called with status {exc.code!r}"[:500]
        forbidden = _forbidden_module(exc)
        if forbidden:
            error["forbidden"] = forbidden
    except BaseException:  # out of memory after a runaway recursion, or an exception that breaks str()
        error = {"type": name, "message": "", "traceback": ""}
    exc.__traceback__ = None   # let a huge traceback go before the reply is encoded
    return codec.encode({"error": error}, state.keep)


def _forbidden_module(exc: BaseException) -> str:
    """The module the guard refused, if ``exc`` is (or was raised while handling) such a refusal."""
    link: BaseException | None = exc
    seen = 0
    while link is not None and seen < 10:
        if isinstance(link, ForbiddenModule):
            return str(link.module)[:200]
        link = link.__context__
        seen += 1
    return ""


def serve(sock: socket.socket, workdir: str) -> None:
    """Answer requests until the grader closes the socket."""
    state = WorkerState(workdir)
    while True:
        try:
            data = recv_message(sock)
        except EOFError:
            return
        reply = _answer(state, data)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: S110 (student code may have broken stdout: nowhere is left to log)
            pass
        send_message(sock, reply)
