"""Length-prefixed messages over a stream socket, shared by both ends."""

from __future__ import annotations

import socket
import struct

from ..codec import MAX_MESSAGE_BYTES, CodecError


def send_message(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack("<Q", len(payload)) + payload)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise EOFError("the other end closed the connection")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv_message(sock: socket.socket) -> bytes:
    (n,) = struct.unpack("<Q", _recv_exact(sock, 8))
    if n > MAX_MESSAGE_BYTES:
        raise CodecError(f"message of {n} bytes is larger than the limit of {MAX_MESSAGE_BYTES}")
    return _recv_exact(sock, n)
