"""Grader-side helpers of A3's tests: the recorded cases and the checks that explain failures.

The expected values were recorded when the assignment was built (tests/build_fixtures.py):
Captum's attributions on fixed inputs, and the reference solution's outputs for the other
tasks. `load` reads them; nothing here computes an expected value, so the grader needs
neither torch nor Captum.
"""
from functools import lru_cache
from pathlib import Path

import numpy as np

from autograder.grading.checks import assert_array, assert_scalar, assert_true, fail

GRADCAM = "visualizers/gradcam.py, "
STYLE = "style_modules/"
STEP = "style_transfer.py, StyleTransfer.step"
# The range of real pixels after ImageNet normalisation (image_utils.image_range).
PIXEL_LOW = (-np.array([0.485, 0.456, 0.406]) / np.array([0.229, 0.224, 0.225])).reshape(1, 3, 1, 1)
PIXEL_HIGH = ((1 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])).reshape(1, 3, 1, 1)


@lru_cache(maxsize=4)
def _read(path: str) -> dict:
    from safetensors.numpy import load_file

    cases: dict = {}
    for key, value in load_file(path).items():
        case, name = key.split(".", 1)
        cases.setdefault(case, {})[name] = value
    return cases


def load(fixtures_dir: Path, case: str, hidden: bool = False) -> dict:
    """The arrays of one recorded case; single numbers come back as Python numbers."""
    path = Path(fixtures_dir) / ("a3_hidden.safetensors" if hidden else "public/a3_public.safetensors")
    if not path.is_file():
        fail(f"grader: the recorded values {path.name} are missing (rebuild the assignment; tell the staff)")
    out = {}
    for name, value in _read(str(path))[case].items():
        out[name] = value.reshape(()).item() if value.size == 1 and name not in ("y", "losses") else value
    return out


def step_config(case: dict) -> dict:
    """The StyleTransfer settings a recorded step case used."""
    import ast

    return ast.literal_eval(bytes(case["config"]).decode())


def check_loss(got, expected_loss, expected_grads, name, where, rtol=1e-9):
    """got: what a3_probes._loss_and_grads returned for a loss of the student's."""
    assert_true(got["is_tensor"] is True and "grads" in got,
                f"{name}: expected a scalar torch tensor (so that loss.backward() works), got "
                f"{'a tensor of another shape' if got['is_tensor'] else 'a value of another type'}."
                f"\nWhere to look: {where}")
    assert_scalar(got["loss"], expected_loss, rtol=rtol, atol=1e-12, name=name, where=where)
    for i, expected in enumerate(expected_grads):
        grad = got["grads"][i]
        if grad is None:
            grad = np.zeros_like(expected)   # no gradient reached this input
        assert_array(grad, expected, rtol=1e-8, atol=1e-10 * max(1.0, float(np.abs(expected).max())),
                     name=f"the gradient of the {name} with respect to input {i} (from loss.backward())",
                     where=where + " (build the loss from torch operations on the inputs, no .detach())")


def close(a, b, rtol, atol) -> bool:
    """Whether an array the student's code returned matches a recorded one (no message)."""
    return (type(a) is np.ndarray and a.shape == np.shape(b) and bool(np.all(np.isfinite(a)))
            and bool(np.allclose(a, b, rtol=rtol, atol=atol)))
