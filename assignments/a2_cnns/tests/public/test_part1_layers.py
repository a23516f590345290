"""Part 1 (NumPy): the layers, against PyTorch's functions and autograd in float64, and
against centred differences of your own forward pass."""

import numpy as np
import torch
import torch.nn.functional as F
from a2_torch_checks import by_torch, check_pool
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, assert_true, numerical_gradient, rel_error

CONV = "modules.convolution.Conv2D"


def new_conv(student, rng, c, f, k, stride, padding):
    conv = student.new(CONV, c, f, kernel_size=k, stride=stride, padding=padding)
    w, b = rng.standard_normal((f, c, k, k)), rng.standard_normal(f)
    conv.weight, conv.bias = w, b
    return conv, w, b


def with_exact_zeros(rng, shape):
    """Random values of which about a third are exactly 0 (the edge of ReLU)."""
    x = rng.standard_normal(shape)
    x[rng.random(shape) < 0.35] = 0.0
    return x


@weight(2)
@number("1.1")
def test_relu_forward_backward(student, rng):
    """ReLU forward and backward, with inputs exactly 0"""
    relu = student.new("modules.relu.ReLU")
    x = with_exact_zeros(rng, (3, 4, 5))
    dout = rng.standard_normal(x.shape)
    out, (dx,) = by_torch(torch.relu, [x], dout)
    assert_array(relu.forward(x), out, name="ReLU.forward(x)", where="modules/relu.py forward")
    relu.backward(dout)
    assert_array(relu.dx, dx, name="ReLU.dx (x has entries exactly 0: their gradient is 0, as in PyTorch)",
                 where="modules/relu.py backward")


def linear_case(student, rng, x_shape, out_dim):
    d = int(np.prod(x_shape[1:]))
    lin = student.new("modules.linear.Linear", d, out_dim)
    w, b = rng.standard_normal((d, out_dim)), rng.standard_normal(out_dim)
    lin.weight, lin.bias = w, b
    x = rng.standard_normal(x_shape)
    dout = rng.standard_normal((x_shape[0], out_dim))
    # F.linear takes the weight as (out, in); ours is (in, out)
    out, grads = by_torch(lambda xt, wt, bt: F.linear(xt.reshape(len(xt), -1), wt.T, bt),
                                       [x, w, b], dout)
    return lin, x, dout, out, grads


@weight(2)
@number("1.2")
def test_linear_forward(student, rng):
    """Linear forward flattens (N, ...) inputs"""
    lin, x, _, out, _ = linear_case(student, rng, (4, 2, 3, 4), 5)
    assert_array(lin.forward(x), out, name="Linear(24, 5).forward(x) for x of shape (4, 2, 3, 4)",
                 where="modules/linear.py forward")


@weight(3)
@number("1.2")
def test_linear_backward(student, rng):
    """Linear backward: dx keeps the input's shape; dw, db"""
    lin, x, dout, _, (dx, dw, db) = linear_case(student, rng, (4, 2, 3, 4), 5)
    lin.forward(x)
    lin.backward(dout)
    where = "modules/linear.py backward"
    assert_array(lin.dx, dx, name="Linear.dx (shape of the input x, (4, 2, 3, 4))", where=where)
    assert_array(lin.dw, dw, name="Linear.dw", where=where)
    assert_array(lin.db, db, name="Linear.db", where=where)


# (N, C, H, W, F, k, stride, padding): square and rectangular inputs, strides 1 and 2, padding 0 to 2
CONV_CASES = [(2, 3, 7, 7, 4, 3, 1, 0), (2, 3, 6, 6, 4, 3, 1, 1), (2, 3, 7, 9, 4, 3, 2, 1),
              (1, 2, 8, 7, 3, 4, 2, 2)]


def conv_case(student, rng, case):
    n, c, h, w_, f, k, s, p = case
    conv, w, b = new_conv(student, rng, c, f, k, s, p)
    x = rng.standard_normal((n, c, h, w_))
    dout = rng.standard_normal((n, f, (h + 2 * p - k) // s + 1, (w_ + 2 * p - k) // s + 1))
    out, grads = by_torch(lambda xt, wt, bt: F.conv2d(xt, wt, bt, stride=s, padding=p), [x, w, b], dout)
    label = f"Conv2D({c}, {f}, kernel_size={k}, stride={s}, padding={p}), x {(n, c, h, w_)}"
    return conv, x, dout, out, grads, label


@weight(5)
@number("1.3")
def test_conv_forward_matches_torch(student, rng):
    """Conv2D forward against torch.nn.functional.conv2d (strides 1 and 2, padding 0 to 2)"""
    for case in CONV_CASES:
        conv, x, _, out, _, label = conv_case(student, rng, case)
        assert_array(conv.forward(x), out, rtol=1e-6, atol=1e-9, name=f"{label}: forward(x)",
                     where="modules/convolution.py forward (output size (H + 2p - k) // s + 1)")


@weight(5)
@number("1.4")
def test_conv_backward_matches_autograd(student, rng):
    """Conv2D backward against PyTorch autograd (strides 1 and 2, padding 0 to 2)"""
    for case in CONV_CASES:
        conv, x, dout, _, (dx, dw, db), label = conv_case(student, rng, case)
        conv.forward(x)
        conv.backward(dout)
        where = "modules/convolution.py backward"
        for name, got, want in (("dx", conv.dx, dx), ("dw", conv.dw, dw), ("db", conv.db, db)):
            assert_array(got, want, rtol=1e-6, atol=1e-9, name=f"{label}: {name}", where=where)


@weight(2)
@number("1.4")
def test_conv_backward_matches_centred_differences(student, rng):
    """Conv2D dx and dw against centred differences of your own forward (stride 2, padding 1)"""
    conv, w, b = new_conv(student, rng, 2, 3, 3, 2, 1)
    x = rng.standard_normal((2, 2, 5, 6))
    dout = rng.standard_normal((2, 3, 3, 3))
    # the differences are taken of your forward: it must give conv2d's values on these inputs first
    out, _ = by_torch(lambda xt, wt, bt: F.conv2d(xt, wt, bt, stride=2, padding=1), [x, w, b], dout)
    assert_array(conv.forward(x), out, rtol=1e-6, atol=1e-9,
                 name="Conv2D(2, 3, kernel_size=3, stride=2, padding=1).forward(x) for x of shape (2, 2, 5, 6)",
                 where="modules/convolution.py forward (this check differentiates your forward, so the forward "
                       "must be right first: see 1.3)")
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
                    f"Conv2D(2, 3, kernel_size=3, stride=2, padding=1).{name}: expected an array of shape "
                    f"{num.shape}, got {type(got).__name__} {getattr(got, 'shape', '')}.\nWhere to look: {where}")
        err = rel_error(got, num)
        assert_true(err < 1e-6, f"Conv2D(2, 3, kernel_size=3, stride=2, padding=1).{name}: relative error "
                                f"{err:.3g} against centred differences, expected below 1e-6.\nWhere to look: {where}")


@weight(2)
@number("1.5")
def test_maxpool_matches_torch(student, rng):
    """MaxPooling forward and backward against max_pool2d (2x2 windows, odd sizes)"""
    check_pool(student, rng, rng.standard_normal((2, 3, 8, 6)), 2, 2, "even size")
    check_pool(student, rng, rng.standard_normal((1, 2, 5, 7)), 2, 2, "the last row and column are in no window")


@weight(2)
@number("1.5")
def test_maxpool_overlapping_windows(student, rng):
    """MaxPooling(3, 2): overlapping windows add their gradients"""
    check_pool(student, rng, rng.standard_normal((2, 3, 7, 9)), 3, 2, "overlapping windows")


@weight(2)
@number("1.5")
def test_maxpool_ties_first_maximum(student, rng):
    """MaxPooling with ties: the gradient goes to the first maximum, also where windows overlap"""
    check_pool(student, rng, rng.integers(0, 2, size=(2, 2, 6, 6)).astype(np.float64), 2, 2,
               "ties: the first maximum in row-major order gets the gradient")
    check_pool(student, rng, rng.integers(0, 3, size=(2, 2, 7, 7)).astype(np.float64), 3, 2,
               "ties and overlapping windows")


def softmax_case(rng, shift):
    x = rng.standard_normal((6, 5)) * 3 + shift
    y = rng.integers(0, 5, size=6)
    xt = torch.tensor(x, requires_grad=True)
    loss = F.cross_entropy(xt, torch.tensor(y))
    loss.backward()
    return x, y, torch.softmax(xt.detach(), dim=1).numpy(), float(loss), xt.grad.numpy()


@weight(2)
@number("1.6")
def test_softmax_ce_forward(student, rng):
    """SoftmaxCrossEntropy forward: probabilities and mean loss, also for scores near 1000"""
    for shift in (0.0, 1000.0):
        crit = student.new("modules.softmax_ce.SoftmaxCrossEntropy")
        x, y, probs, loss, _ = softmax_case(rng, shift)
        got_probs, got_loss = crit.forward(x, y)
        where = "modules/softmax_ce.py forward" + (" (scores near 1000 must not overflow)" if shift else "")
        assert_array(got_probs, probs, name=f"probs, scores around {shift:g}", where=where)
        assert_scalar(got_loss, loss, name=f"loss, scores around {shift:g}", where=where)


@weight(2)
@number("1.6")
def test_softmax_ce_backward(student, rng):
    """SoftmaxCrossEntropy backward against PyTorch autograd"""
    crit = student.new("modules.softmax_ce.SoftmaxCrossEntropy")
    x, y, _, _, dx = softmax_case(rng, 0.0)
    crit.forward(x, y)
    crit.backward()
    assert_array(crit.dx, dx, name="SoftmaxCrossEntropy.dx", where="modules/softmax_ce.py backward")
