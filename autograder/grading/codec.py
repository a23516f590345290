"""The wire format between the grader and a sandbox worker.

A message is a JSON document (structure and scalars) followed by a safetensors blob
(numeric arrays). Neither half can execute code when decoded: JSON builds only dicts,
lists, strings and numbers, and safetensors builds only plain arrays of allow-listed
dtypes. Every value that is not plain data is replaced by a *handle*, a tagged reference
that the worker resolves in its own object table.

Tags (JSON objects with a ``"$t"`` key):

========  ==========================================================
``dict``  ``{"$t": "dict", "v": {...}}`` or ``"items": [[k, v], ...]``
``tuple`` ``{"$t": "tuple", "v": [...]}``
``nd``    NumPy array stored as tensor ``k`` of the blob
``pt``    torch tensor stored as tensor ``k`` (``dtype`` names the torch dtype)
``np``    NumPy scalar: ``dtype`` and ``v``
``h``     handle: ``id`` in the worker's table, ``type`` (its class) for messages
========  ==========================================================
"""

from __future__ import annotations

import json
import math
import struct
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

#: NumPy dtypes that may cross the boundary (no object, string, void or complex dtypes).
ALLOWED_DTYPES = frozenset(
    ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64"]
)
_SCALAR_TYPES = {np.dtype(name).type: name for name in ALLOWED_DTYPES}

#: Largest message either side accepts, in bytes.
MAX_MESSAGE_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 64
_SPECIAL_FLOATS = ("nan", "inf", "-inf")


class CodecError(ValueError):
    """A value cannot be encoded or a message cannot be decoded."""


class Handle:
    """A reference to an object that lives in a worker. Subclassed by the client proxy."""

    def __init__(self, hid: int, type_name: str = "object"):
        object.__setattr__(self, "_hid", hid)
        object.__setattr__(self, "_type_name", type_name)


def _torch_module():
    return sys.modules.get("torch")


def _scalar_tag(x: Any, t: type) -> dict:
    value = x.item()
    if isinstance(value, float) and not math.isfinite(value):
        value = repr(value)
    return {"$t": "np", "dtype": _SCALAR_TYPES[t], "v": value}


def _tensor_tag(x: Any, put_array: Callable[[np.ndarray], str], on_other: Callable[[Any], dict]) -> Any:
    tensor = x.detach()
    if tensor.device.type != "cpu":
        tensor = tensor.cpu()
    dtype_name = str(tensor.dtype).replace("torch.", "")
    if dtype_name == "bfloat16":
        tensor = tensor.float()
    if tensor.is_complex() or dtype_name not in ALLOWED_DTYPES | {"bfloat16"}:
        return on_other(x)
    return {"$t": "pt", "k": put_array(tensor.contiguous().numpy()), "dtype": dtype_name}


def encode(obj: Any, on_other: Callable[[Any], dict]) -> bytes:
    """Encode ``obj`` into one message; ``on_other`` turns any non-plain value into a tag."""
    arrays: dict[str, np.ndarray] = {}

    def put_array(arr: np.ndarray) -> str:
        key = f"a{len(arrays)}"
        # (np.ascontiguousarray would turn a 0-d array into shape (1,))
        arrays[key] = arr if arr.flags.c_contiguous else arr.copy(order="C")
        return key

    def enc(x: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise CodecError(f"value nested deeper than {MAX_DEPTH} levels")
        t = type(x)
        if x is None or t is bool or t is str or t is int:
            return x
        if t is float:
            return x if math.isfinite(x) else {"$t": "float", "v": repr(x)}
        if t is list:
            return [enc(v, depth + 1) for v in x]
        if t is tuple:
            return {"$t": "tuple", "v": [enc(v, depth + 1) for v in x]}
        if t is dict:
            if all(type(k) is str for k in x):
                return {"$t": "dict", "v": {k: enc(v, depth + 1) for k, v in x.items()}}
            return {"$t": "dict", "items": [[enc(k, depth + 1), enc(v, depth + 1)] for k, v in x.items()]}
        if t is np.ndarray and x.dtype.name in ALLOWED_DTYPES and not x.dtype.hasobject:
            return {"$t": "nd", "k": put_array(x)}
        if t in _SCALAR_TYPES:
            return _scalar_tag(x, t)
        torch = _torch_module()
        if torch is not None and t in (torch.Tensor, torch.nn.Parameter):
            return _tensor_tag(x, put_array, on_other)
        return on_other(x)

    doc = enc(obj, 0)
    header = json.dumps(doc, allow_nan=False, separators=(",", ":")).encode("utf-8")
    from safetensors.numpy import save

    blob = save(arrays) if arrays else b""
    return struct.pack("<Q", len(header)) + header + blob


def _rebuild_array(raw: dict[str, np.ndarray], key: Any) -> np.ndarray:
    if type(key) is not str or key not in raw:
        raise CodecError(f"message refers to a missing array {key!r}")
    arr = raw[key]
    if type(arr) is not np.ndarray or arr.dtype.name not in ALLOWED_DTYPES:
        raise CodecError("message holds an array of a forbidden type")
    return np.array(arr, copy=True)


def _special_float(value: Any) -> float:
    if type(value) is not str or value not in _SPECIAL_FLOATS:
        raise CodecError(f"bad special float {str(value)[:50]!r}")
    return float(value)


def _scalar(dtype: Any, value: Any) -> Any:
    """A NumPy scalar of an allowed ``dtype`` from the JSON value the encoder wrote for it."""
    if type(dtype) is not str or dtype not in ALLOWED_DTYPES:
        raise CodecError(f"scalar of forbidden dtype {str(dtype)[:50]!r}")
    kind = np.dtype(dtype).kind
    if kind == "b" and type(value) is bool:
        return np.bool_(value)
    if kind in "iu" and type(value) is int:
        info = np.iinfo(dtype)
        if not info.min <= value <= info.max:
            raise CodecError(f"{value} does not fit a scalar of dtype {dtype}")
        return np.dtype(dtype).type(value)
    if kind == "f" and type(value) in (float, str):
        number = _special_float(value) if type(value) is str else value
        with np.errstate(over="ignore"):
            scalar = np.dtype(dtype).type(number)
        if math.isfinite(number) and not np.isfinite(scalar):
            raise CodecError(f"{value} does not fit a scalar of dtype {dtype}")
        return scalar
    raise CodecError(f"malformed NumPy scalar of dtype {dtype}: {value!r}")


def _tensor(raw: dict[str, np.ndarray], tag: dict) -> Any:
    arr = _rebuild_array(raw, tag.get("k"))
    try:
        import torch

        tensor = torch.from_numpy(arr)
        if tag.get("dtype") == "bfloat16":
            tensor = tensor.to(torch.bfloat16)
    except (ImportError, TypeError, RuntimeError) as exc:
        raise CodecError(f"a tensor in the message cannot be rebuilt: {exc}") from None
    return tensor


def _split(data: bytes) -> tuple[Any, dict[str, np.ndarray]]:
    """The JSON document and the arrays of one message, both checked for form only."""
    if len(data) < 8 or len(data) > MAX_MESSAGE_BYTES:
        raise CodecError(f"message of {len(data)} bytes is empty or too large")
    (hlen,) = struct.unpack("<Q", data[:8])
    if hlen > len(data) - 8:
        raise CodecError("message header is longer than the message")
    try:
        doc = json.loads(bytes(data[8 : 8 + hlen]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: bad JSON, huge ints
        raise CodecError(f"message header is not valid JSON: {str(exc)[:200]}") from None
    blob = bytes(data[8 + hlen :])
    if not blob:
        return doc, {}
    from safetensors.numpy import load

    try:
        return doc, load(blob)
    except Exception as exc:  # the parser rejects malformed blobs, whatever it raises
        raise CodecError(f"message arrays are malformed: {str(exc)[:200]}") from None


class _Decoder:
    """Rebuilds the values of one message; every malformed part raises CodecError."""

    def __init__(self, raw: dict[str, np.ndarray], on_handle: Callable[[dict], Any]):
        self.raw = raw
        self.on_handle = on_handle

    def value(self, x: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise CodecError("message nested too deeply")
        t = type(x)
        if x is None or t in (bool, int, float, str):
            return x
        if t is list:
            return [self.value(v, depth + 1) for v in x]
        if t is not dict:
            raise CodecError(f"unexpected JSON value of type {t.__name__}")
        tag = x.get("$t")
        if tag == "dict":
            return self.mapping(x, depth)
        if tag == "tuple":
            items = x.get("v")
            if type(items) is not list:
                raise CodecError("malformed tuple")
            return tuple(self.value(v, depth + 1) for v in items)
        if tag == "float":
            return _special_float(x.get("v"))
        if tag == "nd":
            return _rebuild_array(self.raw, x.get("k"))
        if tag == "np":
            return _scalar(x.get("dtype"), x.get("v"))
        if tag == "pt":
            return _tensor(self.raw, x)
        if tag == "h":
            if type(x.get("id")) is not int:
                raise CodecError("malformed handle")
            return self.on_handle(x)
        raise CodecError(f"unknown tag {str(tag)[:50]!r}")

    def mapping(self, x: dict, depth: int) -> dict:
        if "v" in x:
            if type(x["v"]) is not dict:
                raise CodecError("malformed dict")
            return {k: self.value(v, depth + 1) for k, v in x["v"].items()}
        pairs = x.get("items")
        if type(pairs) is not list:
            raise CodecError("malformed dict")
        out = {}
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2:
                raise CodecError("malformed dict item")
            key = self.value(pair[0], depth + 1)
            try:
                hash(key)
            except TypeError:
                raise CodecError("unhashable dict key") from None
            out[key] = self.value(pair[1], depth + 1)
        return out


def decode(data: bytes, on_handle: Callable[[dict], Any]) -> Any:
    """Rebuild a value from a message; ``on_handle`` turns a handle tag into an object.

    Any malformed message raises :class:`CodecError` and nothing else (exceptions that
    ``on_handle`` raises pass through).
    """
    doc, raw = _split(data)
    return _Decoder(raw, on_handle).value(doc, 0)
