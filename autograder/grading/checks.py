"""Check helpers for graded tests: strict comparisons with messages that teach.

Every helper first checks the *type* of what came back (a real ``np.ndarray``, a real
number, a real tensor), then its shape, then that it is finite, and only then its values,
so a list, a subclass with a lying ``__eq__``, a NaN or a broadcastable scalar never passes.

A failed check raises :class:`CheckFailure`, an ``AssertionError`` that carries the kind of
failure (one of :data:`KINDS`), the author's ``name`` and ``where``, and the full text for a
public test (expected against got, shapes, the worst element). The helpers never decide what a
student sees: the grading plugin renders a public failure as that text and a hidden one from
the kind and the grader's own vocabulary only (see :mod:`autograder.grading.vocabulary`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from .codec import Handle

#: The kinds of failure a check reports: a value of the wrong type, shape or dtype, non-finite
#: values, wrong values, or a property of the result that does not hold.
KINDS = ("type", "shape", "dtype", "nonfinite", "values", "property")


class CheckFailure(AssertionError):
    """A check that did not hold. ``str()`` is the public text; ``kind`` is one of :data:`KINDS`."""

    def __init__(self, kind: str, text: str, *, name: str = "", where: str = ""):
        if kind not in KINDS:
            raise ValueError(f"unknown kind of check failure {kind!r} (known: {', '.join(KINDS)})")
        super().__init__(text)
        self.kind = kind
        self.text = text
        self.name = name
        self.where = where


def _where(where: str) -> str:
    return f"\nWhere to look: {where}" if where else ""


def _describe(value: Any) -> str:
    if isinstance(value, Handle):
        return f"an object of type {object.__getattribute__(value, '_type_name')}"
    if type(value) is np.ndarray:
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a value of type {type(value).__name__}"


def _num(value: Any) -> str:
    """A number as a person writes it: ``0.5``, not ``np.float64(0.5)`` (NumPy 2's repr)."""
    if isinstance(value, (np.generic, int, float)):
        return str(value)  # NumPy's str is the shortest text that reads back in the value's own dtype
    return repr(value)


def _raise(kind: str, text: str, name: str, where: str) -> None:
    raise CheckFailure(kind, text + _where(where), name=name, where=where)


def fail(message: str, *, where: str = "") -> None:
    """Fail the test: a property of the result does not hold (``message`` is for public tests)."""
    _raise("property", message, "", where)


def assert_true(condition: Any, message: str, *, where: str = "") -> None:
    """``condition`` must be exactly ``True`` (a bool or NumPy bool); ``message`` says which
    property failed, for public tests. Hidden tests show the kind and ``where`` only."""
    if condition is not True and not (type(condition) in (bool, np.bool_) and bool(condition)):
        _raise("property", message, "", where)


def assert_shape(actual: Any, shape: tuple, name: str = "output", where: str = "") -> None:
    got: Any = getattr(actual, "shape", None) if type(actual) is np.ndarray or _is_tensor(actual) else None
    if got is None:
        _raise("type", f"{name}: expected an array of shape {tuple(shape)}, got {_describe(actual)}.", name, where)
    if tuple(got) != tuple(shape):
        _raise("shape", f"{name}: expected shape {tuple(shape)}, got shape {tuple(got)}.", name, where)


def _worst(actual: np.ndarray, expected: np.ndarray) -> str:
    if actual.size == 0:
        return ""
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
    where = tuple(int(i) for i in idx)
    return f" The largest difference is at index {where}: expected {_num(expected[idx])}, got {_num(actual[idx])}."


def assert_array(actual: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-8,
                 name: str = "output", where: str = "", check_dtype_kind: bool = True) -> None:
    """``actual`` must be a NumPy array equal to ``expected`` within tolerance."""
    expected = np.asarray(expected)
    if type(actual) is not np.ndarray:
        _raise("type", f"{name}: expected a NumPy array of shape {expected.shape}, got {_describe(actual)}.",
               name, where)
    if actual.shape != expected.shape:
        _raise("shape", f"{name}: expected shape {expected.shape}, got shape {actual.shape}.", name, where)
    if check_dtype_kind and expected.dtype.kind == "f" and actual.dtype.kind not in "f":
        _raise("dtype", f"{name}: expected floating-point values, got dtype {actual.dtype}.", name, where)
    if actual.dtype.kind in "fc" and not np.all(np.isfinite(actual)):
        bad = int(np.size(actual) - np.count_nonzero(np.isfinite(actual)))
        _raise("nonfinite", f"{name}: {bad} element(s) are NaN or infinite; all {expected.size} should be finite "
                            "(look for overflow in exp or a division by zero).", name, where)
    try:
        np.testing.assert_allclose(actual, expected.astype(actual.dtype) if expected.dtype.kind == "b" else expected,
                                   rtol=rtol, atol=atol, equal_nan=False, strict=False)
    except AssertionError:
        n_bad = int(np.count_nonzero(~np.isclose(actual, expected, rtol=rtol, atol=atol)))
        _raise("values", f"{name}: {n_bad} of {expected.size} values differ from the expected ones "
                         f"(rtol={rtol:g}, atol={atol:g}).{_worst(actual, expected)}", name, where)


def assert_scalar(actual: Any, expected: float, *, rtol: float = 1e-6, atol: float = 1e-8,
                  name: str = "value", where: str = "") -> None:
    """``actual`` must be a real number (Python or NumPy scalar, or a 0-d array) close to ``expected``."""
    if type(actual) is np.ndarray and actual.shape == () and actual.dtype.kind in "iuf":
        actual = actual[()]
    ok_types = (int, float, np.floating, np.integer)
    if type(actual) is bool or not (type(actual) in (int, float) or type(actual) in _numpy_scalar_types()):
        _raise("type", f"{name}: expected a number close to {_num(expected)}, got {_describe(actual)}.", name, where)
    assert isinstance(actual, ok_types)
    value = float(actual)
    if not np.isfinite(value):
        _raise("nonfinite", f"{name}: expected a finite number close to {_num(expected)}, got {_num(value)}.",
               name, where)
    if not abs(value - float(expected)) <= atol + rtol * abs(float(expected)):
        _raise("values", f"{name}: expected {_num(float(expected))}, got {_num(value)} (rtol={rtol:g}, atol={atol:g}).",
               name, where)


def _numpy_scalar_types() -> set:
    return {np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
            np.uint8, np.uint16, np.uint32, np.uint64}


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and type(value) is torch.Tensor


def assert_tensor(actual: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-6,
                  name: str = "output", where: str = "") -> None:
    """``actual`` must be a torch tensor equal to ``expected`` within tolerance (compared in float64)."""
    import torch

    if type(actual) is not torch.Tensor:
        _raise("type", f"{name}: expected a torch tensor of shape {tuple(expected.shape)}, got {_describe(actual)}.",
               name, where)
    expected = torch.as_tensor(expected)
    if tuple(actual.shape) != tuple(expected.shape):
        _raise("shape", f"{name}: expected shape {tuple(expected.shape)}, got shape {tuple(actual.shape)}.", name, where)
    if expected.is_floating_point() and not actual.is_floating_point():
        _raise("dtype", f"{name}: expected floating-point values, got dtype {actual.dtype}.", name, where)
    assert_array(actual.detach().cpu().double().numpy() if actual.is_floating_point() else actual.cpu().numpy(),
                 expected.detach().cpu().double().numpy() if expected.is_floating_point() else expected.cpu().numpy(),
                 rtol=rtol, atol=atol, name=name, where=where)


def rel_error(a: Any, b: Any) -> float:
    """``max|a - b| / max(1e-8, |a| + |b|)``, the relative error used in gradient checks."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(f: Callable[[np.ndarray], Any], x: np.ndarray, dout: Any = None,
                       h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of ``sum(f(x) * dout)`` with respect to ``x``, in float64.

    ``f`` takes the (perturbed) float64 array and returns a scalar or an array; ``x`` is not
    modified.
    """
    x = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + h
        plus = np.asarray(f(x.copy()), dtype=np.float64)
        x[idx] = old - h
        minus = np.asarray(f(x.copy()), dtype=np.float64)
        x[idx] = old
        diff = plus - minus
        grad[idx] = np.sum(diff * (1.0 if dout is None else np.asarray(dout))) / (2 * h)
    return grad
