"""Part 1 (NumPy): the ConvNet against the same network built from torch.nn modules, and SGD
with momentum against torch.optim.SGD, both in float64."""

import a2_probes as probes
import torch
import torch.nn as nn
import torch.nn.functional as F
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, assert_true

SMALL_NET = [
    {"type": "Conv2D", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 1, "padding": 1},
    {"type": "ReLU"},
    {"type": "MaxPooling", "kernel_size": 2, "stride": 2},
    {"type": "Linear", "in_dim": 3 * 3 * 3, "out_dim": 4},
]
LAYERS_FIRST = ("ConvNet only chains your layers: if a test of 1.1 to 1.6 fails, fix that layer first "
                "(Conv2D, ReLU, MaxPooling, Linear, SoftmaxCrossEntropy)")


def small_net_params(rng):
    return [(rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)), None, None,
            (rng.standard_normal((27, 4)), rng.standard_normal(4))]


def torch_network(params):
    """SMALL_NET made of torch.nn modules, in float64, with the given parameters."""
    (cw, cb), _, _, (lw, lb) = params
    net = nn.Sequential(nn.Conv2d(2, 3, 3, stride=1, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                        nn.Linear(27, 4)).double()
    with torch.no_grad():
        for p, value in zip(net.parameters(), (cw, cb, lw.T, lb), strict=True):  # nn.Linear keeps (out, in)
            p.copy_(torch.tensor(value))
    return net


@weight(3)
@number("1.7")
def test_convnet_forward_backward(student, rng):
    """ConvNet forward and backward through conv, ReLU, pooling, linear, loss"""
    x = rng.standard_normal((3, 2, 6, 6))
    y = rng.integers(0, 4, size=3)
    params = small_net_params(rng)
    probs, loss, grads, dx = student.run(probes.convnet_forward_backward, SMALL_NET, x, y, params)
    net = torch_network(params)
    xt = torch.tensor(x, requires_grad=True)
    scores = net(xt)
    e_loss = F.cross_entropy(scores, torch.tensor(y))
    e_loss.backward()
    conv, lin = net[0], net[4]
    where = f"modules/conv_classifier.py forward/backward. {LAYERS_FIRST}"
    assert_array(probs, torch.softmax(scores.detach(), dim=1).numpy(), name="probs", where=where)
    assert_scalar(loss, float(e_loss), name="loss", where=where)
    assert_true(isinstance(grads, list) and len(grads) == 4 and grads[0] is not None and grads[3] is not None,
                f"internal: unexpected gradients {type(grads).__name__}")
    assert_array(grads[0][0], conv.weight.grad.numpy(), name="Conv2D.dw", where=where)
    assert_array(grads[0][1], conv.bias.grad.numpy(), name="Conv2D.db", where=where)
    assert_array(grads[3][0], lin.weight.grad.numpy().T, name="Linear.dw", where=where)
    assert_array(grads[3][1], lin.bias.grad.numpy(), name="Linear.db", where=where)
    assert_array(dx, xt.grad.numpy(), name="dx of the first module", where=where)


def torch_sgd_history(params, grads, lr, reg, momentum):
    """The same steps taken by torch.optim.SGD (weight decay on weights only, none on biases).
    Its momentum form (buf = momentum * buf + g; p -= lr * buf) takes the same steps as the
    handout's at a constant learning rate."""
    tensors = [None if p is None else [torch.tensor(p[0], requires_grad=True), torch.tensor(p[1], requires_grad=True)]
               for p in params]
    weights = [t[0] for t in tensors if t is not None]
    biases = [t[1] for t in tensors if t is not None]
    opt = torch.optim.SGD([{"params": weights, "weight_decay": reg}, {"params": biases, "weight_decay": 0.0}],
                          lr=lr, momentum=momentum)
    history = []
    for step in grads:
        for t, g in zip(tensors, step, strict=True):
            if t is not None:
                t[0].grad, t[1].grad = torch.tensor(g[0]), torch.tensor(g[1])
        opt.step()
        history.append([None if t is None else (t[0].detach().numpy().copy(), t[1].detach().numpy().copy())
                        for t in tensors])
    return history


def check_sgd(student, rng, steps, lr, reg, momentum):
    params = small_net_params(rng)
    grads = [[None if p is None else (rng.standard_normal(p[0].shape), rng.standard_normal(p[1].shape))
              for p in params] for _ in range(steps)]
    got = student.run(probes.sgd_steps, SMALL_NET, params, grads, lr, reg, momentum)
    expected = torch_sgd_history(params, grads, lr, reg, momentum)
    assert_true(isinstance(got, list) and len(got) == steps, f"internal: expected {steps} snapshots")
    for k in range(steps):
        for i, name in ((0, "Conv2D"), (3, "Linear")):
            where = (f"optimizer/sgd.py update (learning_rate={lr}, reg={reg}, momentum={momentum}), after step "
                     f"{k + 1} of {steps}; each module keeps its own velocity from one step to the next")
            assert_array(got[k][i][0], expected[k][i][0], name=f"{name}.weight", where=where)
            assert_array(got[k][i][1], expected[k][i][1], name=f"{name}.bias", where=where)


@weight(3)
@number("1.8")
def test_sgd_momentum_three_steps(student, rng):
    """SGD with momentum and L2 regularization, three steps, against torch.optim.SGD"""
    check_sgd(student, rng, steps=3, lr=0.1, reg=0.01, momentum=0.9)


@weight(1)
@number("1.8")
def test_sgd_without_momentum(student, rng):
    """SGD with momentum 0 is plain gradient descent on the regularized loss"""
    check_sgd(student, rng, steps=2, lr=0.05, reg=0.1, momentum=0.0)
