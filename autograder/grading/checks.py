"""Check helpers for graded tests: strict comparisons with messages that teach.

Every helper first checks the *type* of what came back (a real ``np.ndarray``, a real
number, a real tensor), then its shape, then that it is finite, and only then its values,
so a list, a subclass with a lying ``__eq__``, a NaN or a broadcastable scalar never passes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from .codec import Handle

#: Whether failure messages may quote expected values. The plugin turns this off while a hidden
#: test runs, so a message never hands a student the answer to an input they cannot see.
REVEAL_EXPECTED = True


def _where(where: str) -> str:
    return f"\nWhere to look: {where}" if where else ""


def _describe(value: Any) -> str:
    if isinstance(value, Handle):
        if not REVEAL_EXPECTED:  # a class name is the student's to choose, so it could carry hidden inputs
            return "an object of a class from your code (not a plain value)"
        return f"an object of type {object.__getattribute__(value, '_type_name')}"
    if type(value) is np.ndarray:
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a value of type {type(value).__name__}"


def _num(value: Any) -> str:
    """A number as a person writes it: ``0.5``, not ``np.float64(0.5)`` (NumPy 2's repr)."""
    if isinstance(value, (np.generic, int, float)):
        return str(value)  # NumPy's str is the shortest text that reads back in the value's own dtype
    return repr(value)


def _close_to(expected: Any) -> str:
    return f" close to {_num(expected)}" if REVEAL_EXPECTED else ""


def fail(message: str) -> None:
    raise AssertionError(message)


def assert_true(condition: Any, message: str) -> None:
    if condition is not True and not (type(condition) in (bool, np.bool_) and bool(condition)):
        raise AssertionError(message)


def assert_shape(actual: Any, shape: tuple, name: str = "output", where: str = "") -> None:
    got: Any = getattr(actual, "shape", None) if type(actual) is np.ndarray or _is_tensor(actual) else None
    if got is None:
        fail(f"{name}: expected an array of shape {tuple(shape)}, got {_describe(actual)}.{_where(where)}")
    if tuple(got) != tuple(shape):
        fail(f"{name}: expected shape {tuple(shape)}, got shape {tuple(got)}.{_where(where)}")


def _worst(actual: np.ndarray, expected: np.ndarray) -> str:
    if actual.size == 0:
        return ""
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
    where = tuple(int(i) for i in idx)
    if not REVEAL_EXPECTED:
        return f" The largest difference is at index {where}."
    return f" The largest difference is at index {where}: expected {_num(expected[idx])}, got {_num(actual[idx])}."


def assert_array(actual: Any, expected: Any, *, rtol: float = 1e-6, atol: float = 1e-8,
                 name: str = "output", where: str = "", check_dtype_kind: bool = True) -> None:
    """``actual`` must be a NumPy array equal to ``expected`` within tolerance."""
    expected = np.asarray(expected)
    if type(actual) is not np.ndarray:
        fail(f"{name}: expected a NumPy array of shape {expected.shape}, got {_describe(actual)}.{_where(where)}")
    if actual.shape != expected.shape:
        fail(f"{name}: expected shape {expected.shape}, got shape {actual.shape}.{_where(where)}")
    if check_dtype_kind and expected.dtype.kind == "f" and actual.dtype.kind not in "f":
        fail(f"{name}: expected floating-point values, got dtype {actual.dtype}.{_where(where)}")
    if actual.dtype.kind in "fc" and not np.all(np.isfinite(actual)):
        bad = int(np.size(actual) - np.count_nonzero(np.isfinite(actual)))
        fail(f"{name}: {bad} element(s) are NaN or infinite; all {expected.size} should be finite "
             f"(look for overflow in exp or a division by zero).{_where(where)}")
    try:
        np.testing.assert_allclose(actual, expected.astype(actual.dtype) if expected.dtype.kind == "b" else expected,
                                   rtol=rtol, atol=atol, equal_nan=False, strict=False)
    except AssertionError:
        n_bad = int(np.count_nonzero(~np.isclose(actual, expected, rtol=rtol, atol=atol)))
        fail(f"{name}: {n_bad} of {expected.size} values differ from the expected ones "
             f"(rtol={rtol:g}, atol={atol:g}).{_worst(actual, expected)}{_where(where)}")


def assert_scalar(actual: Any, expected: float, *, rtol: float = 1e-6, atol: float = 1e-8,
                  name: str = "value", where: str = "") -> None:
    """``actual`` must be a real number (Python or NumPy scalar, or a 0-d array) close to ``expected``."""
    if type(actual) is np.ndarray and actual.shape == () and actual.dtype.kind in "iuf":
        actual = actual[()]
    ok_types = (int, float, np.floating, np.integer)
    if type(actual) is bool or not (type(actual) in (int, float) or type(actual) in _numpy_scalar_types()):
        fail(f"{name}: expected a number{_close_to(expected)}, got {_describe(actual)}.{_where(where)}")
    assert isinstance(actual, ok_types)
    value = float(actual)
    if not np.isfinite(value):
        fail(f"{name}: expected a finite number{_close_to(expected)}, got {_num(value)}.{_where(where)}")
    if not abs(value - float(expected)) <= atol + rtol * abs(float(expected)):
        if not REVEAL_EXPECTED:
            fail(f"{name}: your value is not the expected one (rtol={rtol:g}, atol={atol:g}).{_where(where)}")
        fail(f"{name}: expected {_num(float(expected))}, got {_num(value)} (rtol={rtol:g}, atol={atol:g})."
             f"{_where(where)}")


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
        fail(f"{name}: expected a torch tensor of shape {tuple(expected.shape)}, got {_describe(actual)}.{_where(where)}")
    expected = torch.as_tensor(expected)
    if tuple(actual.shape) != tuple(expected.shape):
        fail(f"{name}: expected shape {tuple(expected.shape)}, got shape {tuple(actual.shape)}.{_where(where)}")
    if expected.is_floating_point() and not actual.is_floating_point():
        fail(f"{name}: expected floating-point values, got dtype {actual.dtype}.{_where(where)}")
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
