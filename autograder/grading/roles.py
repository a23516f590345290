"""Find a model's layers by their role, not by the attribute names a student chose.

Course templates leave layer names to the student (``emb`` or ``embedding``, ``ff_layer1`` or
``ff1``), and the order in which layers are declared in ``__init__`` is free too. A test that
must put known weights into a student's model, or read them back, therefore identifies each
layer by its *role*: its module type, the shapes of its parameters, and the order in which the
forward pass first uses it.

These helpers run inside the sandbox worker (probes call them on the student's model) and at
build time (on the reference model, to record weights and expected outputs). They import torch
only when called. Typical use in a probe::

    from autograder.grading import roles

    layers = roles.layers_in_use_order(model, example_input)
    roles.load_by_role(layers, recorded_tensors)      # same roles, same order, same shapes
    out = model(example_input)

A module used several times (an RNN cell in a loop) counts once, at its first use.
"""

from __future__ import annotations

from typing import Any


class RoleMismatch(ValueError):
    """The model's layers do not line up with the recorded roles; the message says where."""


def _has_own_parameters(module: Any) -> bool:
    return any(True for _ in module.parameters(recurse=False))


def layers_in_use_order(model: Any, *inputs: Any, **kwargs: Any) -> list[Any]:
    """Modules that own parameters, in the order a forward pass on ``inputs`` first calls them.

    Parameter-owning modules the forward pass never calls are appended after them, in
    declaration order, so that nothing silently drops out of the list. The model's train/eval
    mode is left as it was; gradients are not recorded.
    """
    import torch

    owners = [m for m in model.modules() if _has_own_parameters(m)]
    seen: list[Any] = []
    hooks = [m.register_forward_pre_hook(lambda mod, _args: seen.append(mod) if mod not in seen else None)
             for m in owners]
    try:
        with torch.no_grad():
            model(*inputs, **kwargs)
    finally:
        for h in hooks:
            h.remove()
    return seen + [m for m in owners if m not in seen]


def layers_in_declaration_order(model: Any) -> list[Any]:
    """Modules that own parameters, in the order ``__init__`` registered them."""
    return [m for m in model.modules() if _has_own_parameters(m)]


def describe(layer: Any) -> str:
    shapes = ", ".join(f"{name} {tuple(p.shape)}" for name, p in layer.named_parameters(recurse=False))
    return f"{type(layer).__name__} ({shapes})"


def signature(layers: list[Any]) -> list[list]:
    """For each layer: [module type name, [[parameter name, shape], ...]] (plain data)."""
    return [[type(layer).__name__, [[name, list(p.shape)] for name, p in layer.named_parameters(recurse=False)]]
            for layer in layers]


def state_by_role(layers: list[Any]) -> list[Any]:
    """The parameters of ``layers`` as one flat list of tensors, layer by layer (detached copies)."""
    return [p.detach().clone() for layer in layers for _, p in layer.named_parameters(recurse=False)]


def _match(layers: list[Any], expected: list[list]) -> None:
    if len(layers) != len(expected):
        got = "; ".join(describe(layer) for layer in layers) or "none"
        raise RoleMismatch(f"expected {len(expected)} layers with parameters, found {len(layers)}: {got}")
    for i, (layer, (type_name, params)) in enumerate(zip(layers, expected, strict=True)):
        own = [[name, list(p.shape)] for name, p in layer.named_parameters(recurse=False)]
        if type(layer).__name__ != type_name or sorted(map(str, own)) != sorted(map(str, params)):
            want = f"{type_name} ({', '.join(f'{n} {tuple(s)}' for n, s in params)})"
            raise RoleMismatch(f"layer {i + 1} in the order of use should be {want}, found {describe(layer)}")


def load_by_role(layers: list[Any], tensors: list[Any], expected: list[list] | None = None) -> None:
    """Copy ``tensors`` (a ``state_by_role`` list) into ``layers``, in order.

    With ``expected`` (a ``signature`` of the reference's layers) the types and shapes are
    checked first, and a mismatch names the layer.
    """
    import torch

    if expected is not None:
        _match(layers, expected)
    params = [(layer, name, p) for layer in layers for name, p in layer.named_parameters(recurse=False)]
    if len(params) != len(tensors):
        raise RoleMismatch(f"the model has {len(params)} parameter tensors in these layers, "
                           f"{len(tensors)} were recorded")
    with torch.no_grad():
        for (layer, name, p), value in zip(params, tensors, strict=True):
            value = torch.as_tensor(value)
            if tuple(p.shape) != tuple(value.shape):
                raise RoleMismatch(f"{describe(layer)}: parameter {name!r} has shape {tuple(p.shape)}, "
                                   f"the recorded one {tuple(value.shape)}")
            p.copy_(value.to(dtype=p.dtype, device=p.device))
