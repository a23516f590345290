"""One framing for both channels: an 8-byte length, then that many bytes.

The control channel (grader and fork server) sends small JSON requests and may attach file
descriptors, which travel as ancillary data on a message's first bytes
(``socket.send_fds`` / ``socket.recv_fds``). The call channel (grader and one worker) sends
codec messages.
"""

from __future__ import annotations

import json
import os
import socket
import struct

from ..codec import MAX_MESSAGE_BYTES, CodecError

_LENGTH = struct.Struct("<Q")


def send_message(sock: socket.socket, payload: bytes, fds: list[int] | tuple = ()) -> None:
    data = _LENGTH.pack(len(payload)) + payload
    if not fds:
        sock.sendall(data)
        return
    sent = socket.send_fds(sock, [data], list(fds))
    if sent < len(data):
        sock.sendall(data[sent:])


def _recv_exact(sock: socket.socket, n: int, first: bytes = b"") -> bytes:
    chunks = [first]
    n -= len(first)
    while n > 0:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise EOFError("the other end closed the connection")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _body(sock: socket.socket, head: bytes) -> bytes:
    (n,) = _LENGTH.unpack(_recv_exact(sock, _LENGTH.size, head))
    if n > MAX_MESSAGE_BYTES:
        raise CodecError(f"message of {n} bytes is larger than the limit of {MAX_MESSAGE_BYTES}")
    return _recv_exact(sock, n)


def recv_message(sock: socket.socket) -> bytes:
    return _body(sock, b"")


def recv_message_fds(sock: socket.socket, max_fds: int) -> tuple[bytes, list[int]]:
    """A message and the descriptors attached to it (at most ``max_fds``)."""
    head, fds, flags, _addr = socket.recv_fds(sock, _LENGTH.size, max_fds)
    if flags & socket.MSG_CTRUNC:
        for fd in fds:
            os.close(fd)
        raise CodecError(f"a message carried more than {max_fds} file descriptors")
    if not head:
        raise EOFError("the other end closed the connection")
    try:
        return _body(sock, head), fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def send_json(sock: socket.socket, obj: dict, fds: list[int] | tuple = ()) -> None:
    """A control message: JSON of plain values (never student data)."""
    send_message(sock, json.dumps(obj).encode(), fds)


def recv_json(sock: socket.socket, max_fds: int = 0) -> tuple[dict, list[int]]:
    payload, fds = recv_message_fds(sock, max_fds) if max_fds else (recv_message(sock), [])
    return json.loads(payload), fds
