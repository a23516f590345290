"""Part 1 (NumPy): the ConvNet and SGD with momentum."""

import torch
import torch.nn.functional as F
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array, assert_scalar, assert_true

import a2_probes as probes

SMALL_NET = [
    {"type": "Conv2D", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 1, "padding": 1},
    {"type": "ReLU"},
    {"type": "MaxPooling", "kernel_size": 2, "stride": 2},
    {"type": "Linear", "in_dim": 3 * 3 * 3, "out_dim": 4},
]


def small_net_params(rng):
    return [(rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)), None, None,
            (rng.standard_normal((27, 4)), rng.standard_normal(4))]


def torch_small_net(x, y, params):
    """Oracle: the same network in PyTorch, float64; loss and gradients."""
    (cw, cb), _, _, (lw, lb) = params
    t = [torch.tensor(a, requires_grad=True) for a in (x, cw, cb, lw, lb)]
    h = F.max_pool2d(F.relu(F.conv2d(t[0], t[1], t[2], padding=1)), 2, 2)
    scores = h.reshape(h.shape[0], -1) @ t[3] + t[4]
    loss = F.cross_entropy(scores, torch.tensor(y))
    loss.backward()
    return torch.softmax(scores, 1).detach().numpy(), float(loss), [g.grad.numpy() for g in t]


@weight(3)
@number("1.7")
def test_convnet_forward_backward(student, rng):
    """ConvNet forward and backward through conv, ReLU, pooling, linear, loss"""
    x = rng.standard_normal((3, 2, 6, 6))
    y = rng.integers(0, 4, size=3)
    params = small_net_params(rng)
    probs, loss, grads, dx = student.run(probes.convnet_forward_backward, SMALL_NET, x, y, params)
    e_probs, e_loss, e_grads = torch_small_net(x, y, params)
    where = "modules/conv_classifier.py forward/backward (and the layers it chains)"
    assert_array(probs, e_probs, name="probs", where=where)
    assert_scalar(loss, e_loss, name="loss", where=where)
    assert_true(isinstance(grads, list) and len(grads) == 4 and grads[0] is not None and grads[3] is not None,
                f"internal: unexpected gradients {type(grads).__name__}")
    assert_array(grads[0][0], e_grads[1], name="Conv2D.dw", where=where)
    assert_array(grads[0][1], e_grads[2], name="Conv2D.db", where=where)
    assert_array(grads[3][0], e_grads[3], name="Linear.dw", where=where)
    assert_array(grads[3][1], e_grads[4], name="Linear.db", where=where)
    assert_array(dx, e_grads[0], name="dx of the first module", where=where)


def sgd_oracle(params, grads, lr, reg, momentum):
    """Closed form: v = momentum * v - lr * (dw + reg * w); w += v (biases: no reg)."""
    history = []
    current = [None if p is None else [p[0].copy(), p[1].copy()] for p in params]
    velocity = [None if p is None else [0.0, 0.0] for p in params]
    for step in grads:
        for i, g in enumerate(step):
            if g is None:
                continue
            w, b = current[i]
            velocity[i][0] = momentum * velocity[i][0] - lr * (g[0] + reg * w)
            velocity[i][1] = momentum * velocity[i][1] - lr * g[1]
            current[i] = [w + velocity[i][0], b + velocity[i][1]]
        history.append([None if c is None else (c[0].copy(), c[1].copy()) for c in current])
    return history


def check_sgd(student, rng, steps, lr, reg, momentum):
    params = small_net_params(rng)
    grads = [[None if p is None else (rng.standard_normal(p[0].shape), rng.standard_normal(p[1].shape))
              for p in params] for _ in range(steps)]
    got = student.run(probes.sgd_steps, SMALL_NET, params, grads, lr, reg, momentum)
    expected = sgd_oracle(params, grads, lr, reg, momentum)
    assert_true(isinstance(got, list) and len(got) == steps, f"internal: expected {steps} snapshots")
    for k in range(steps):
        for i, name in ((0, "Conv2D"), (3, "Linear")):
            where = (f"optimizer/sgd.py update (learning_rate={lr}, reg={reg}, momentum={momentum}), "
                     f"after step {k + 1}")
            assert_array(got[k][i][0], expected[k][i][0], name=f"{name}.weight", where=where)
            assert_array(got[k][i][1], expected[k][i][1], name=f"{name}.bias", where=where)


@weight(3)
@number("1.8")
def test_sgd_two_steps_closed_form(student, rng):
    """SGD with momentum and L2 regularization, two steps"""
    check_sgd(student, rng, steps=2, lr=0.1, reg=0.01, momentum=0.9)
