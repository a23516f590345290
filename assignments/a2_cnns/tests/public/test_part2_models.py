"""Part 2 (PyTorch): architectures and forward passes, against closed forms built here."""

import numpy as np
import torch
import torch.nn.functional as F
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_tensor, assert_true

import a2_probes as probes

MY_MODEL_MAX_PARAMS = 1_000_000  # a float32 state_dict of this size fits the checkpoint cap


def check_shapes(params, expected, where):
    shapes = [tuple(p.shape) for _, p in params]
    assert_true(shapes == expected,
                f"parameter shapes, in the order of model.named_parameters(): expected {expected}, "
                f"got {shapes}.\nWhere to look: {where}")
    count = sum(int(np.prod(s)) for s in shapes)
    want = sum(int(np.prod(s)) for s in expected)
    assert_true(count == want, f"expected {want} parameters, got {count}.\nWhere to look: {where}")


def twolayer_case(student, rng, n, d, h, c):
    shape = (n, 3, 32, 32) if d == 3 * 32 * 32 else (n, d)
    x = torch.tensor(rng.standard_normal(shape), dtype=torch.float32)
    params, out = student.run(probes.model_parameters_and_output, "models.twolayer.TwoLayerNet", [d, h, c], x)
    where = "models/twolayer.py"
    check_shapes(params, [(h, d), (h,), (c, h), (c,)], where)
    w1, b1, w2, b2 = (p.double() for _, p in params)
    expected = torch.sigmoid(x.double().reshape(n, -1) @ w1.T + b1) @ w2.T + b2
    assert_tensor(out, expected, rtol=1e-4, atol=1e-5,
                  name=f"TwoLayerNet({d}, {h}, {c}) scores for x of shape {tuple(x.shape)}", where=where + " forward")


@weight(3)
@number("2.1")
def test_twolayer_architecture_and_forward(student, rng):
    """TwoLayerNet: parameter shapes and fc2(sigmoid(fc1(x)))"""
    twolayer_case(student, rng, 4, 3 * 32 * 32, 16, 10)


def vanilla_cnn_case(student, rng, n):
    x = torch.tensor(rng.standard_normal((n, 3, 32, 32)), dtype=torch.float32)
    params, out = student.run(probes.model_parameters_and_output, "models.cnn.VanillaCNN", [], x)
    where = "models/cnn.py"
    check_shapes(params, [(32, 3, 7, 7), (32,), (10, 32 * 13 * 13), (10,)], where)
    cw, cb, fw, fb = (p.double() for _, p in params)
    h = F.max_pool2d(F.relu(F.conv2d(x.double(), cw, cb)), 2, 2)
    expected = h.reshape(n, -1) @ fw.T + fb
    assert_tensor(out, expected, rtol=1e-4, atol=1e-5, name=f"VanillaCNN scores for x of shape {tuple(x.shape)}",
                  where=where + " forward (conv, ReLU, pooling, flatten, fc)")


@weight(4)
@number("2.2")
def test_vanilla_cnn_architecture_and_forward(student, rng):
    """VanillaCNN: parameter shapes and conv-ReLU-pool-fc forward"""
    vanilla_cnn_case(student, rng, 3)


@weight(3)
@number("2.3")
def test_my_model_forward_shape(student, rng):
    """MyModel: (N, 3, 32, 32) -> (N, 10), at most 1M parameters"""
    x = torch.tensor(rng.standard_normal((5, 3, 32, 32)), dtype=torch.float32)
    params, out = student.run(probes.model_parameters_and_output, "models.my_model.MyModel", [], x)
    where = "models/my_model.py"
    assert_true(type(out) is torch.Tensor and tuple(out.shape) == (5, 10) and out.is_floating_point(),
                f"MyModel(x) for x of shape (5, 3, 32, 32): expected a float tensor of shape (5, 10), got "
                f"{type(out).__name__} {tuple(getattr(out, 'shape', ()))}.\nWhere to look: {where}")
    assert_true(bool(torch.isfinite(out).all()), f"MyModel(x) has NaN or infinite scores.\nWhere to look: {where}")
    count = sum(int(p.numel()) for _, p in params)
    assert_true(0 < count <= MY_MODEL_MAX_PARAMS,
                f"MyModel has {count} parameters; expected between 1 and {MY_MODEL_MAX_PARAMS} "
                f"(so that its checkpoint fits the size cap).\nWhere to look: {where}")
