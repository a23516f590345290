"""Part 1 (NumPy): the layers, against PyTorch in float64 and closed forms."""

import numpy as np
import torch
import torch.nn.functional as F
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array, assert_scalar, numerical_gradient, rel_error, assert_true

CONV = "modules.convolution.Conv2D"
POOL = "modules.max_pool.MaxPooling"


def torch_conv(x, w, b, dout, stride, padding):
    """Oracle: output and gradients of F.conv2d in float64."""
    xt, wt, bt = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w, b))
    out = F.conv2d(xt, wt, bt, stride=stride, padding=padding)
    if dout is None:
        return out.detach().numpy()
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def torch_pool(x, k, s, dout):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = F.max_pool2d(xt, k, s)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy()


def new_conv(student, rng, c, f, k, stride, padding):
    conv = student.new(CONV, c, f, kernel_size=k, stride=stride, padding=padding)
    w = rng.standard_normal((f, c, k, k))
    b = rng.standard_normal(f)
    conv.weight = w
    conv.bias = b
    return conv, w, b


@weight(2)
@number("1.1")
def test_relu_forward_backward(student, rng):
    """ReLU forward and backward"""
    relu = student.new("modules.relu.ReLU")
    x = rng.standard_normal((3, 4, 5))
    assert_array(relu.forward(x), np.maximum(x, 0), name="ReLU.forward(x)", where="modules/relu.py forward")
    dout = rng.standard_normal(x.shape)
    relu.backward(dout)
    assert_array(relu.dx, dout * (x > 0), name="ReLU.dx", where="modules/relu.py backward")


@weight(2)
@number("1.2")
def test_linear_forward(student, rng):
    """Linear forward flattens (N, ...) inputs"""
    lin = student.new("modules.linear.Linear", 24, 5)
    w, b = rng.standard_normal((24, 5)), rng.standard_normal(5)
    lin.weight, lin.bias = w, b
    x = rng.standard_normal((4, 2, 3, 4))
    assert_array(lin.forward(x), x.reshape(4, -1) @ w + b, name="Linear.forward(x) for x of shape (4, 2, 3, 4)",
                 where="modules/linear.py forward")


@weight(3)
@number("1.2")
def test_linear_backward(student, rng):
    """Linear backward: dx keeps the input's shape; dw, db"""
    lin = student.new("modules.linear.Linear", 24, 5)
    w, b = rng.standard_normal((24, 5)), rng.standard_normal(5)
    lin.weight, lin.bias = w, b
    x = rng.standard_normal((4, 2, 3, 4))
    lin.forward(x)
    dout = rng.standard_normal((4, 5))
    lin.backward(dout)
    where = "modules/linear.py backward"
    assert_array(lin.dx, (dout @ w.T).reshape(x.shape), name="Linear.dx (shape of the input x)", where=where)
    assert_array(lin.dw, x.reshape(4, -1).T @ dout, name="Linear.dw", where=where)
    assert_array(lin.db, dout.sum(axis=0), name="Linear.db", where=where)


@weight(5)
@number("1.3")
def test_conv_forward_matches_torch(student, rng):
    """Conv2D forward against torch.nn.functional.conv2d (stride 1, padding 0 and 1)"""
    for padding in (0, 1):
        conv, w, b = new_conv(student, rng, 3, 4, 3, 1, padding)
        x = rng.standard_normal((2, 3, 7, 7))
        assert_array(conv.forward(x), torch_conv(x, w, b, None, 1, padding), rtol=1e-6, atol=1e-9,
                     name=f"Conv2D(3, 4, kernel_size=3, stride=1, padding={padding}).forward(x), x (2, 3, 7, 7)",
                     where="modules/convolution.py forward")


@weight(5)
@number("1.4")
def test_conv_backward_matches_autograd(student, rng):
    """Conv2D backward against PyTorch autograd (stride 1, padding 1)"""
    conv, w, b = new_conv(student, rng, 3, 4, 3, 1, 1)
    x = rng.standard_normal((2, 3, 6, 6))
    dout = rng.standard_normal((2, 4, 6, 6))
    _, dx, dw, db = torch_conv(x, w, b, dout, 1, 1)
    conv.forward(x)
    conv.backward(dout)
    where = "modules/convolution.py backward"
    assert_array(conv.dx, dx, rtol=1e-6, atol=1e-9, name="Conv2D.dx", where=where)
    assert_array(conv.dw, dw, rtol=1e-6, atol=1e-9, name="Conv2D.dw", where=where)
    assert_array(conv.db, db, rtol=1e-6, atol=1e-9, name="Conv2D.db", where=where)


@weight(2)
@number("1.4")
def test_conv_backward_matches_centred_differences(student, rng):
    """Conv2D dx and dw against centred differences of your own forward"""
    conv, w, b = new_conv(student, rng, 2, 3, 3, 1, 1)
    x = rng.standard_normal((2, 2, 4, 4))
    dout = rng.standard_normal((2, 3, 4, 4))
    conv.forward(x)
    conv.backward(dout)
    dx, dw = conv.dx, conv.dw
    num_dx = numerical_gradient(lambda v: conv.forward(v), x, dout)

    def forward_with_weight(v):
        conv.weight = v
        return conv.forward(x)

    num_dw = numerical_gradient(forward_with_weight, w, dout)
    where = "modules/convolution.py backward (compared with your forward, perturbed by 1e-5)"
    for name, got, num in (("dx", dx, num_dx), ("dw", dw, num_dw)):
        assert_true(type(got) is np.ndarray and got.shape == num.shape,
                    f"Conv2D.{name}: expected an array of shape {num.shape}, got {type(got).__name__} "
                    f"{getattr(got, 'shape', '')}.\nWhere to look: {where}")
        err = rel_error(got, num)
        assert_true(err < 1e-6, f"Conv2D.{name}: relative error {err:.3g} against centred differences, "
                                f"expected below 1e-6.\nWhere to look: {where}")


@weight(2)
@number("1.5")
def test_maxpool_forward_matches_torch(student, rng):
    """MaxPooling forward against torch.nn.functional.max_pool2d"""
    pool = student.new(POOL, 2, 2)
    x = rng.standard_normal((2, 3, 8, 6))
    out, _ = torch_pool(x, 2, 2, np.zeros((2, 3, 4, 3)))
    assert_array(pool.forward(x), out, name="MaxPooling(2, 2).forward(x), x (2, 3, 8, 6)",
                 where="modules/max_pool.py forward")


@weight(3)
@number("1.5")
def test_maxpool_backward_matches_autograd(student, rng):
    """MaxPooling backward against PyTorch autograd"""
    pool = student.new(POOL, 2, 2)
    x = rng.standard_normal((2, 3, 8, 6))
    dout = rng.standard_normal((2, 3, 4, 3))
    _, dx = torch_pool(x, 2, 2, dout)
    pool.forward(x)
    pool.backward(dout)
    assert_array(pool.dx, dx, name="MaxPooling(2, 2).dx", where="modules/max_pool.py backward")


@weight(2)
@number("1.6")
def test_softmax_ce_forward(student, rng):
    """SoftmaxCrossEntropy forward: probabilities and mean loss"""
    crit = student.new("modules.softmax_ce.SoftmaxCrossEntropy")
    x = rng.standard_normal((6, 5)) * 3
    y = rng.integers(0, 5, size=6)
    probs, loss = crit.forward(x, y)
    logp = torch.log_softmax(torch.tensor(x), dim=1)
    where = "modules/softmax_ce.py forward"
    assert_array(probs, logp.exp().numpy(), name="probs", where=where)
    assert_scalar(loss, float(F.nll_loss(logp, torch.tensor(y))), name="loss", where=where)


@weight(2)
@number("1.6")
def test_softmax_ce_backward(student, rng):
    """SoftmaxCrossEntropy backward against PyTorch autograd"""
    crit = student.new("modules.softmax_ce.SoftmaxCrossEntropy")
    x = rng.standard_normal((6, 5)) * 3
    y = rng.integers(0, 5, size=6)
    xt = torch.tensor(x, requires_grad=True)
    F.cross_entropy(xt, torch.tensor(y)).backward()
    crit.forward(x, y)
    crit.backward()
    assert_array(crit.dx, xt.grad.numpy(), name="SoftmaxCrossEntropy.dx", where="modules/softmax_ce.py backward")
