"""Grader-side helpers that the public and the hidden tests of a2_cnns share.

- ``by_torch``: an operation done by PyTorch in float64, with the gradients of sum(output * dout);
- ``standin_chain`` / ``standin_chain_by_torch``: the ConvNet case on stand-in layers, and its values;
- ``sgd_by_torch``: the parameters after each step of torch.optim.SGD;
- ``check_pool``: one MaxPooling case, forward and backward, against ``max_pool2d``;
- ``draw_model_case`` / ``digest``: the input and the weights (by role) of a recorded model case,
  drawn from a seed, so that a fixture set stores the seed and the reference's scores instead
  of the tensors (build_fixtures.py records them, tests/public/test_part2_models.py redraws them).

These run in the grader (and at build time), never in the worker: torch is imported inside each
function, so that a Part 1 worker, which refuses torch, never meets it here. Nothing here holds an
expected value.
"""

import hashlib

import numpy as np

from autograder.grading.checks import assert_array

POOL = "modules.max_pool.MaxPooling"


def by_torch(fn, inputs, dout):
    """fn applied by PyTorch to float64 copies of the arrays ``inputs``: (output, [gradient of
    sum(output * dout) with respect to each input]), as NumPy arrays."""
    import torch

    leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    out = fn(*leaves)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return out.detach().numpy(), [leaf.grad.numpy() for leaf in leaves]


def check_pool(student, rng, x, k, s, what):
    """MaxPooling(k, s) on x: forward against max_pool2d, then dx against autograd for a random dout."""
    import torch.nn.functional as F

    pool = student.new(POOL, k, s)
    dout = rng.standard_normal(x.shape[:2] + ((x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1))
    out, (dx,) = by_torch(lambda xt: F.max_pool2d(xt, k, s), [x], dout)
    label = f"MaxPooling({k}, {s}), x of shape {x.shape} ({what})"
    assert_array(pool.forward(x), out, name=f"{label}: forward(x)", where="modules/max_pool.py forward")
    pool.backward(dout)
    assert_array(pool.dx, dx, name=f"{label}: dx", where="modules/max_pool.py backward")


def draw_model_case(signature, x_shape, seed):
    """(x, weights) of a model case: x standard normal of shape ``x_shape``, then each parameter of
    ``signature`` (a roles.signature: layer by layer in the order of use) standard normal times
    sqrt(2 / fan-in), all from one torch generator seeded with ``seed``, as float32 tensors."""
    import torch

    g = torch.Generator().manual_seed(int(seed))
    x = torch.randn(tuple(x_shape), generator=g)
    weights = []
    for _type, params in signature:
        for _name, shape in params:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            weights.append(torch.randn(tuple(shape), generator=g) * (2.0 / fan_in) ** 0.5)
    return x, weights


def digest(tensors):
    """SHA-256 of the tensors' float32 bytes, in order: whether a redraw gave the very tensors the
    reference was run on."""
    h = hashlib.sha256()
    for t in tensors:
        h.update(np.ascontiguousarray(t.detach().cpu().numpy(), dtype=np.float32).tobytes())
    return h.hexdigest()


def standin_chain(rng, x_shape, kinds, classes):
    """A chain of stand-in layers for the ConvNet test (a2_probes.convnet_with_standins) and its
    input: kinds lists "scale" or "fold" per layer; returns (chain, x, y) with random weights and
    labels in range(classes)."""
    x = rng.standard_normal(x_shape)
    shape, chain = tuple(x_shape[1:]), []
    for kind in kinds:
        if kind == "scale":
            chain.append(["scale", rng.standard_normal(shape), rng.standard_normal(shape) * 0.5])
        else:
            shape = (int(np.prod(shape)) // 2,)
            chain.append(["fold"])
    if shape != (classes,):
        raise ValueError(f"the chain {kinds} on {x_shape} ends in {shape}, not ({classes},)")
    return chain, x, rng.integers(0, classes, size=x_shape[0])


def standin_chain_by_torch(chain, x, y):
    """What ConvNet.forward and backward must give on the stand-in chain, by torch autograd in
    float64: (probs, loss, [None or (dw, db) per layer], [dx per layer])."""
    import torch

    h = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    inputs, params = [], []
    for layer in chain:
        inputs.append(h)
        h.retain_grad()
        if layer[0] == "scale":
            w, b = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in layer[1:])
            params.append((w, b))
            h = torch.tanh(h * w + b)
        else:
            params.append(None)
            v = h.reshape(h.shape[0], -1)
            h = v[:, 0::2] - 0.5 * v[:, 1::2]
    t = torch.zeros_like(h)
    t[torch.arange(len(y)), torch.as_tensor(y)] = 2.0
    loss = 0.5 * ((h - t) ** 2).sum() / len(y)
    loss.backward()
    grads = [None if p is None else (p[0].grad.numpy(), p[1].grad.numpy()) for p in params]
    return h.detach().numpy(), float(loss), grads, [i.grad.numpy() for i in inputs]


def sgd_by_torch(params, grads, lr, reg, momentum):
    """The parameters after each step of torch.optim.SGD (momentum, weight decay on the weights
    only) given the gradients of every step: params and each step of grads are lists with None or
    (weight, bias) per module; returns a list (steps) of such lists."""
    import torch

    tensors = [None if p is None else [torch.tensor(p[0]), torch.tensor(p[1])] for p in params]
    live = [t for t in tensors if t is not None]
    opt = torch.optim.SGD([{"params": [t[0] for t in live], "weight_decay": reg},
                           {"params": [t[1] for t in live], "weight_decay": 0.0}], lr=lr, momentum=momentum)
    history = []
    for step in grads:
        for t, g in zip(tensors, step, strict=True):
            if t is not None:
                t[0].grad, t[1].grad = torch.tensor(g[0]), torch.tensor(g[1])
        opt.step()
        history.append([None if t is None else (t[0].numpy().copy(), t[1].numpy().copy()) for t in tensors])
    return history
