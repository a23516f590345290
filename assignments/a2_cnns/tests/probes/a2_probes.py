"""Helpers that run INSIDE the sandbox worker, next to the student's code.

They import the student's modules inside each function, take and return plain data
(NumPy arrays, torch tensors, numbers, lists, dicts) and hold no expected values.
Part 1 helpers use NumPy only; Part 2 helpers import torch inside the function.
"""

import os

import numpy as np

# ---------------------------------------------------------------- Part 1 (NumPy)


def _check_dout(layer, dout, shape):
    """A stand-in's backward gets the gradient of its own output: say so when it gets another."""
    got = getattr(dout, "shape", None)
    if tuple(got or ()) != tuple(shape):
        raise ValueError(f"{layer}.backward was given dout of shape {got}, but its output has shape {tuple(shape)}: "
                         f"a module's backward takes the gradient of the loss with respect to its own output, which "
                         f"is the dx of the module after it (or the criterion's dx for the last module)")


class StandInScale:
    """A stand-in layer with parameters, with the course's layer contract (forward keeps its cache,
    backward sets dx, dw, db) but a computation of no task of the assignment: elementwise
    out = tanh(x * weight + bias), weight and bias of the shape of one example."""

    def __init__(self, weight, bias):
        self.weight, self.bias = np.array(weight), np.array(bias)
        self.cache = self.dx = self.dw = self.db = None

    def forward(self, x):
        out = np.tanh(x * self.weight + self.bias)
        self.cache = (x, out)
        return out

    def backward(self, dout):
        if self.cache is None:
            raise RuntimeError("stand-in layer: backward was called before forward (ConvNet.forward runs every "
                               "module first; backward follows the forward call whose gradients it computes)")
        x, out = self.cache
        _check_dout("StandInScale", dout, out.shape)
        g = dout * (1.0 - out ** 2)
        self.dx, self.dw, self.db = g * self.weight, (g * x).sum(axis=0), g.sum(axis=0)


class StandInFold:
    """A stand-in layer without parameters that changes the shape: each example flattened in
    row-major order, then out[:, j] = v[:, 2j] - 0.5 * v[:, 2j + 1]."""

    def __init__(self):
        self.cache = self.dx = None

    def forward(self, x):
        v = x.reshape(x.shape[0], -1)
        self.cache = x.shape
        return v[:, 0::2] - 0.5 * v[:, 1::2]

    def backward(self, dout):
        if self.cache is None:
            raise RuntimeError("stand-in layer: backward was called before forward (ConvNet.forward runs every "
                               "module first; backward follows the forward call whose gradients it computes)")
        _check_dout("StandInFold", dout, (self.cache[0], int(np.prod(self.cache[1:])) // 2))
        dv = np.empty((dout.shape[0], 2 * dout.shape[1]), dtype=dout.dtype)
        dv[:, 0::2], dv[:, 1::2] = dout, -0.5 * dout
        self.dx = dv.reshape(self.cache)


class StandInCriterion:
    """A stand-in criterion: forward(x, y) returns (x itself as the "probabilities", the squared
    error 0.5 * sum((x - 2 * onehot(y)) ** 2) / N); backward() sets dx = (x - 2 * onehot(y)) / N."""

    def __init__(self):
        self.cache = self.dx = None

    def forward(self, x, y):
        t = np.zeros_like(x)
        t[np.arange(len(y)), y] = 2.0
        self.cache = (x, t)
        return x.copy(), float(0.5 * np.sum((x - t) ** 2) / len(x))

    def backward(self):
        x, t = self.cache
        self.dx = (x - t) / len(x)


def convnet_with_standins(chain, x, y):
    """The student's ConvNet.forward and backward on stand-in layers (so that only the chaining is
    graded, whatever the state of the student's own layers). chain: one entry per layer, in order,
    ["scale", weight, bias] or ["fold"]. Returns (probs, loss, [None or (dw, db) per layer], [dx
    per layer])."""
    from modules.conv_classifier import ConvNet

    model = ConvNet([], {"type": "SoftmaxCrossEntropy"})
    model.modules = [StandInScale(c[1], c[2]) if c[0] == "scale" else StandInFold() for c in chain]
    model.criterion = StandInCriterion()
    probs, loss = model.forward(x, y)
    model.backward()
    grads = [(m.dw, m.db) if isinstance(m, StandInScale) else None for m in model.modules]
    return probs, loss, grads, [m.dx for m in model.modules]


def sgd_steps(modules, params, grads, learning_rate, reg, momentum):
    """Build ConvNet(modules) and SGD(model, ...); for each step k set every parametrized
    module's dw, db to grads[k][i] and call update(model). Returns the parameters after each
    step: a list (steps) of lists (modules) of None or (weight, bias)."""
    from modules.conv_classifier import ConvNet
    from optimizer.sgd import SGD

    model = ConvNet(modules, {"type": "SoftmaxCrossEntropy"})
    for m, p in zip(model.modules, params, strict=False):
        if p is not None:
            m.weight, m.bias = p[0].copy(), p[1].copy()
    optimizer = SGD(model, learning_rate=learning_rate, reg=reg, momentum=momentum)
    history = []
    for step in grads:
        for m, g in zip(model.modules, step, strict=False):
            if g is not None:
                m.dw, m.db = g[0].copy(), g[1].copy()
        optimizer.update(model)
        history.append([None if p is None else (np.array(m.weight), np.array(m.bias))
                        for m, p in zip(model.modules, params, strict=False)])
    return history


# ---------------------------------------------------------------- Part 2 (PyTorch)


def _build(class_path, args):
    import importlib

    module_name, class_name = class_path.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), class_name)(*args)


def model_output(class_path, args, x):
    """Build the model and run it on x in eval mode under no_grad; returns (number of
    parameters, output). Nothing else of a possibly large model crosses back."""
    import torch

    model = _build(class_path, args)
    model.eval()
    with torch.no_grad():
        out = model(torch.as_tensor(x))
    return int(sum(p.numel() for p in model.parameters())), out


def output_with_weights_by_role(class_path, args, signature, weights, x):
    """Build the model, find its layers with parameters in the order its forward pass uses
    them, check them against `signature` (module type and parameter shapes, layer by layer),
    load `weights` into them and return {"out": scores in eval mode, "problem": ""}; when the
    layers do not match, {"out": None, "problem": what differs}."""
    import torch

    from autograder.grading import roles

    model = _build(class_path, args)
    model.eval()
    x = torch.as_tensor(x)
    layers = roles.layers_in_use_order(model, x)
    try:
        roles.load_by_role(layers, [torch.as_tensor(w) for w in weights], signature)
    except roles.RoleMismatch as e:
        return {"out": None, "problem": str(e)}
    with torch.no_grad():
        out = model(x)
    return {"out": out, "problem": ""}


DROPOUT_TYPES = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout")


def my_model_modes(x):
    """MyModel() in training and in evaluation mode, with torch seeded before each pass.
    Reports the scores, how many dropout layers (p > 0) it declares and how many of them a
    training-mode forward pass applies, and the number of parameters."""
    import torch
    import torch.nn as nn
    from models.my_model import MyModel

    model = MyModel()
    drops = [m for m in model.modules()
             if any(isinstance(m, getattr(nn, t)) for t in DROPOUT_TYPES if hasattr(nn, t)) and m.p > 0]
    applied = set()
    hooks = [m.register_forward_hook(lambda mod, _i, _o: applied.add(id(mod))) for m in drops]
    x = torch.as_tensor(x)
    outs = {}
    with torch.no_grad():
        for mode in ("train", "eval"):
            model.train(mode == "train")
            for label, seed in (("a", 1), ("b", 1), ("c", 2)):
                torch.manual_seed(seed)
                outs[f"{mode}_{label}"] = model(x).detach().clone()
    for h in hooks:
        h.remove()
    return {"outs": outs, "dropouts": len(drops), "applied": len(applied),
            "parameters": int(sum(p.numel() for p in model.parameters()))}


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
    Returns (state_dict after each step, list of the losses returned (floats), list of the
    shapes of those losses, list of the outs)."""
    import torch
    import torch.nn as nn
    from solver import train_step

    net = _small_net(sizes, state)
    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    states, losses, shapes, outs = [], [], [], []
    for data, target in batches:
        out, loss = train_step(net, nn.CrossEntropyLoss(), optimizer, torch.as_tensor(data), torch.as_tensor(target))
        loss = torch.as_tensor(loss).detach()
        losses.append(float(loss.double().sum()))
        shapes.append(list(loss.shape))
        outs.append(torch.as_tensor(out).detach().clone())
        states.append({k: v.detach().clone() for k, v in net.state_dict().items()})
    return states, losses, shapes, outs


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


# ---------------------------------------------------------------- leaderboard checkpoints


def _student_root():
    import models

    return os.path.dirname(os.path.dirname(os.path.abspath(models.__file__)))


def checkpoint_files(stem):
    """For checkpoints/<stem>.pt and .pth: {relative path: [size in bytes, modification time]}
    of those submitted."""
    found = {}
    for ext in (".pt", ".pth"):
        rel = f"checkpoints/{stem}{ext}"
        path = os.path.join(_student_root(), rel)
        if os.path.isfile(path):
            found[rel] = [os.path.getsize(path), os.path.getmtime(path)]
    return found


_LOADED = {}


def _read_state(path):
    """torch.load with weights_only=True, memory-mapped when the file's format allows it."""
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except RuntimeError:  # an old (non-zip) checkpoint format cannot be memory-mapped
        return torch.load(path, map_location="cpu", weights_only=True)


def _model_from_state(class_path, args, state):
    """The model with `state` loaded strictly. It is first built without memory (on torch's
    meta device) and given the loaded tensors themselves, so that a large checkpoint is not
    held twice; a model that cannot be built or filled that way is built normally."""
    import torch

    try:
        with torch.device("meta"):
            model = _build(class_path, args)
        model.load_state_dict(state, strict=True, assign=True)
        # tensors kept as plain attributes (not parameters or buffers) would still be on meta
        plain = [v for m in model.modules() for v in vars(m).values() if isinstance(v, torch.Tensor)]
        if not any(t.is_meta for t in [*model.parameters(), *model.buffers(), *plain]):
            return model
    except Exception:  # any failure: the normal path below builds the model and says what is wrong
        pass
    model = _build(class_path, args)
    model.load_state_dict(state, strict=True)
    return model


def load_checkpoint(class_path, args, rel_path, hidden_from_input_dim=None):
    """Load rel_path with torch.load(weights_only=True) into the model, strictly, and keep the
    model (in eval mode) for checkpoint_predictions. With hidden_from_input_dim = D, the hidden
    size is read from the checkpoint: the first (H, D) weight gives H, passed as args[1].
    Returns {"parameters": count, "args": the arguments the model was built with}."""
    state = _read_state(os.path.join(_student_root(), rel_path))
    if not isinstance(state, dict):
        raise TypeError(f"{rel_path} holds a {type(state).__name__}, not a state_dict; "
                        "save it with torch.save(model.state_dict(), path)")
    args = list(args)
    if hidden_from_input_dim is not None:
        shapes = [tuple(v.shape) for v in state.values() if hasattr(v, "shape") and v.dim() == 2]
        first = [s for s in shapes if s[1] == hidden_from_input_dim]
        if not first:
            raise ValueError(f"{rel_path} has no weight of shape (hidden_size, {hidden_from_input_dim}) "
                             f"(2-D shapes found: {shapes})")
        args[1] = int(first[0][0])
    model = _model_from_state(class_path, args, state)
    model.eval()
    _LOADED[rel_path] = model
    return {"parameters": int(sum(p.numel() for p in model.parameters())), "args": args}


def checkpoint_tensors_by_role(rel_path):
    """For a fixed architecture: the model load_checkpoint loaded, read by role. Returns
    {"signature": its layers with parameters in the order a forward pass on two images first
    uses them (roles.signature), "tensors": their parameters in that order, "others": [name,
    shape] of every other tensor of its state_dict}. When that forward pass fails, the order in
    which __init__ declares the layers stands in: the grader evaluates the tensors with its own
    model of the specified architecture, so the student's forward only tells the order."""
    import torch

    from autograder.grading import roles

    model = _LOADED[rel_path]
    try:
        layers = roles.layers_in_use_order(model, torch.zeros(2, 3, 32, 32))
    except Exception:  # a forward that fails is graded by its own tests; the order falls back
        layers = roles.layers_in_declaration_order(model)
    owned = {id(p) for layer in layers for p in layer.parameters(recurse=False)}
    others = [[name, list(t.shape)] for name, t in model.state_dict(keep_vars=True).items() if id(t) not in owned]
    return {"signature": roles.signature(layers), "tensors": roles.state_by_role(layers), "others": others}


def checkpoint_predictions(rel_path, images, chunk=50):
    """The predicted class of every image (int64 array) by the model load_checkpoint loaded,
    `chunk` images at a time (a large model's activations then stay small)."""
    import torch

    images = torch.as_tensor(images, dtype=torch.float32)
    with torch.no_grad():
        preds = [_LOADED[rel_path](images[i:i + chunk]).argmax(dim=1) for i in range(0, len(images), chunk)]
    return torch.cat(preds).to(torch.int64).numpy()
