"""Helpers that run INSIDE the sandbox worker, next to the student's code.

They import the student's modules inside each function, take and return plain data
(NumPy arrays, torch tensors, numbers, lists, dicts) and hold no expected values.
Part 1 helpers use NumPy only; Part 2 helpers import torch inside the function.
"""

import os

import numpy as np

# ---------------------------------------------------------------- Part 1 (NumPy)


def convnet_forward_backward(modules, x, y, params):
    """Build ConvNet(modules, SoftmaxCrossEntropy), set the given parameters, run forward
    and backward. params: list (one entry per module) of None or (weight, bias).
    Returns (probs, loss, grads) with grads a list of None or (dw, db), and the dx of the
    first module."""
    from modules.conv_classifier import ConvNet

    model = ConvNet(modules, {"type": "SoftmaxCrossEntropy"})
    for m, p in zip(model.modules, params):
        if p is not None:
            m.weight, m.bias = p[0].copy(), p[1].copy()
    probs, loss = model.forward(x, y)
    model.backward()
    grads = [None if p is None else (m.dw, m.db) for m, p in zip(model.modules, params)]
    return probs, loss, grads, model.modules[0].dx


def convnet_loss(modules, x, y, params):
    """The loss of ConvNet(modules) with the given parameters (forward only)."""
    from modules.conv_classifier import ConvNet

    model = ConvNet(modules, {"type": "SoftmaxCrossEntropy"})
    for m, p in zip(model.modules, params):
        if p is not None:
            m.weight, m.bias = p[0].copy(), p[1].copy()
    return model.forward(x, y)[1]


def sgd_steps(modules, params, grads, learning_rate, reg, momentum):
    """Build ConvNet(modules) and SGD(model, ...); for each step k set every parametrized
    module's dw, db to grads[k][i] and call update(model). Returns the parameters after each
    step: a list (steps) of lists (modules) of None or (weight, bias)."""
    from modules.conv_classifier import ConvNet
    from optimizer.sgd import SGD

    model = ConvNet(modules, {"type": "SoftmaxCrossEntropy"})
    for m, p in zip(model.modules, params):
        if p is not None:
            m.weight, m.bias = p[0].copy(), p[1].copy()
    optimizer = SGD(model, learning_rate=learning_rate, reg=reg, momentum=momentum)
    history = []
    for step in grads:
        for m, g in zip(model.modules, step):
            if g is not None:
                m.dw, m.db = g[0].copy(), g[1].copy()
        optimizer.update(model)
        history.append([None if p is None else (np.array(m.weight), np.array(m.bias))
                        for m, p in zip(model.modules, params)])
    return history


# ---------------------------------------------------------------- Part 2 (PyTorch)


def _build(class_path, args):
    import importlib

    module_name, class_name = class_path.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), class_name)(*args)


def model_parameters_and_output(class_path, args, x):
    """Build the model, run it on x in eval mode under no_grad.
    Returns (list of (name, tensor) of named_parameters, output)."""
    import torch

    model = _build(class_path, args)
    model.eval()
    with torch.no_grad():
        out = model(torch.as_tensor(x))
    params = [(name, p.detach().clone()) for name, p in model.named_parameters()]
    return params, out


def focal_loss_and_grad(weight, gamma, scores, target):
    """FocalLoss(weight, gamma)(scores, target): returns (loss as a float, the shape of the
    returned loss as a list, the gradient of the loss with respect to scores)."""
    import torch

    from losses.focal_loss import FocalLoss

    scores = torch.as_tensor(scores).clone().requires_grad_(True)
    criterion = FocalLoss(weight=None if weight is None else torch.as_tensor(weight), gamma=gamma)
    loss = criterion(scores, torch.as_tensor(target))
    if not isinstance(loss, torch.Tensor):
        raise TypeError(f"FocalLoss returned {type(loss).__name__}, expected a scalar tensor")
    shape = list(loss.shape)
    loss.sum().backward()
    grad = scores.grad if scores.grad is not None else torch.full_like(scores, float("nan"))
    return float(loss.detach().double().sum()), shape, grad


def _small_net(sizes, state):
    import torch
    import torch.nn as nn

    net = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.Sigmoid(), nn.Linear(sizes[1], sizes[2]))
    net.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})
    return net


def train_steps(sizes, state, batches, lr, momentum, weight_decay):
    """A small MLP (Linear, Sigmoid, Linear) with the given state_dict, cross-entropy and
    torch.optim.SGD; calls the student's solver.train_step once per (data, target) batch.
    Returns (state_dict after the steps, list of the losses returned (floats), list of the
    shapes of those losses, list of the outs)."""
    import torch
    import torch.nn as nn

    from solver import train_step

    net = _small_net(sizes, state)
    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    losses, shapes, outs = [], [], []
    for data, target in batches:
        out, loss = train_step(net, nn.CrossEntropyLoss(), optimizer, torch.as_tensor(data), torch.as_tensor(target))
        loss = torch.as_tensor(loss).detach()
        losses.append(float(loss.double().sum()))
        shapes.append(list(loss.shape))
        outs.append(torch.as_tensor(out).detach())
    return {k: v.detach().clone() for k, v in net.state_dict().items()}, losses, shapes, outs


def eval_step_report(sizes, state, data, target):
    """Calls the student's solver.eval_step on the small MLP; reports what it returned and
    whether it built a graph or touched the gradients."""
    import torch
    import torch.nn as nn

    from solver import eval_step

    net = _small_net(sizes, state)
    net.eval()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    out, loss = eval_step(net, nn.CrossEntropyLoss(), torch.as_tensor(data), torch.as_tensor(target))
    changed = any(not torch.equal(before[k], v) for k, v in net.state_dict().items())
    return {
        "out": torch.as_tensor(out).detach(),
        "loss": float(torch.as_tensor(loss).detach().double().sum()),
        "loss_shape": list(torch.as_tensor(loss).shape),
        "out_requires_grad": bool(getattr(out, "requires_grad", False)),
        "loss_requires_grad": bool(getattr(loss, "requires_grad", False)),
        "grads_set": any(p.grad is not None for p in net.parameters()),
        "weights_changed": changed,
    }


def _student_root():
    import models

    return os.path.dirname(os.path.dirname(os.path.abspath(models.__file__)))


def checkpoint_size(rel_path):
    """Size in bytes of the submitted file rel_path, or -1 if it is missing."""
    path = os.path.join(_student_root(), rel_path)
    return os.path.getsize(path) if os.path.isfile(path) else -1


def checkpoint_predictions(class_path, args, rel_path, images):
    """Load rel_path with torch.load(weights_only=True) into the model (strict), and return
    the predicted class of every image (int64 array), in eval mode under no_grad."""
    import torch

    model = _build(class_path, args)
    state = torch.load(os.path.join(_student_root(), rel_path), map_location="cpu", weights_only=True)
    if not isinstance(state, dict):
        raise TypeError(f"{rel_path} holds a {type(state).__name__}, not a state_dict; "
                        "save it with torch.save(model.state_dict(), path)")
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        scores = model(torch.as_tensor(images, dtype=torch.float32))
    return scores.argmax(dim=1).to(torch.int64).numpy()
