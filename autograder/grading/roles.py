"""Find a model's layers by their role, not by the attribute names a student chose.

Course templates leave layer names to the student (``emb`` or ``embedding``, ``ff_layer1`` or
``ff1``), and the order in which layers are declared in ``__init__`` is free too. A test that
must put known weights into a student's model, or read them back, therefore identifies each
layer by its *role*: its module type, the shapes of its parameters, and the order in which the
forward pass first uses it.

These helpers run inside the sandbox worker (probes call them on the student's model) and at
build time (on the reference model, to record weights and expected outputs). They import torch
only when called. Two ways to use them:

* the whole model in one strict order (every layer, one after the other)::

      from autograder.grading import roles

      layers = roles.layers_in_use_order(model, example_input)
      roles.load_by_role(layers, recorded_tensors, recorded_signature)
      out = model(example_input)

* roles recorded as dicts, matched by type and shapes in the order a call first uses them, some
  found by a name the stub fixes (``pinned``), library modules loaded whole (``composites``,
  e.g. ``("Transformer",)`` for ``nn.Transformer``)::

      recorded = [roles.role_of(layer) for layer in roles.layers_used_by(model, call)[0]]
      roles.load_roles(model, call, recorded, tensors, where="models/x.py, Net")

A module used several times (an RNN cell in a loop) counts once, at its first use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class RoleMismatch(ValueError):
    """The model's layers do not line up with the recorded roles; the message says where."""


def _has_own_parameters(module: Any) -> bool:
    return any(True for _ in module.parameters(recurse=False))


def _is_composite(module: Any, composites: Sequence[str]) -> bool:
    return type(module).__name__ in composites and type(module).__module__.startswith("torch.")


def units(model: Any, composites: Sequence[str] = ()) -> list[Any]:
    """The parameter-owning units of ``model`` in declaration order: every module that owns
    parameters itself, and every library module named in ``composites`` (PyTorch's own
    ``nn.Transformer``, say) as one unit whose inside is not looked into."""
    out: list[Any] = []
    inside: list[str] = []
    for path, module in model.named_modules():
        if any(path.startswith(prefix + ".") for prefix in inside):
            continue
        if _is_composite(module, composites):
            inside.append(path)
            out.append(module)
        elif _has_own_parameters(module):
            out.append(module)
    return out


def unit_parameters(unit: Any, composites: Sequence[str] = ()) -> list[tuple[str, Any]]:
    """(name, parameter) pairs of a unit: its own ones, or all of a composite's."""
    return list(unit.named_parameters(recurse=_is_composite(unit, composites)))


def layers_used_by(model: Any, call: Callable[[], Any], composites: Sequence[str] = ()) -> tuple[list, list]:
    """(the units ``call()`` uses, in the order of first use; the others, in declaration order).

    ``call`` runs once, without recording gradients; the model's mode is left as it was.
    """
    import torch

    every = units(model, composites)
    seen: list[Any] = []
    hooks = [u.register_forward_pre_hook(lambda mod, _args: seen.append(mod) if mod not in seen else None)
             for u in every]
    try:
        with torch.no_grad():
            call()
    finally:
        for h in hooks:
            h.remove()
    return seen, [u for u in every if u not in seen]


def layers_in_use_order(model: Any, *inputs: Any, **kwargs: Any) -> list[Any]:
    """Modules that own parameters, in the order a forward pass on ``inputs`` first calls them.

    Parameter-owning modules the forward pass never calls are appended after them, in
    declaration order, so that nothing silently drops out of the list. The model's train/eval
    mode is left as it was; gradients are not recorded.
    """
    used, unused = layers_used_by(model, lambda: model(*inputs, **kwargs))
    return used + unused


def layers_in_declaration_order(model: Any) -> list[Any]:
    """Modules that own parameters, in the order ``__init__`` registered them."""
    return units(model)


def _shapes(params: Sequence) -> str:
    return ", ".join(f"{name} {tuple(shape)}" for name, shape in params)


def describe(layer: Any, composites: Sequence[str] = ()) -> str:
    """``Linear (weight (4, 3), bias (4,))``; a composite by its type and parameter count."""
    if _is_composite(layer, composites):
        return f"{type(layer).__name__} ({sum(1 for _ in layer.parameters())} parameter tensors)"
    return f"{type(layer).__name__} ({_shapes([(n, p.shape) for n, p in layer.named_parameters(recurse=False)])})"


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
            want = f"{type_name} ({_shapes(params)})"
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


# ---------------------------------------------------------------- roles as dicts, matched by type and shapes
def role_of(unit: Any, name: str | None = None, composites: Sequence[str] = ()) -> dict:
    """A unit's role as plain data: ``{"name": name or None, "type": ..., "params": [[name, shape], ...]}``.

    ``name`` is given for a layer the stub names (found by that name, not by its role)."""
    return {"name": name, "type": type(unit).__name__,
            "params": [[n, list(p.shape)] for n, p in unit_parameters(unit, composites)]}


def _key(type_name: str, params: Sequence) -> tuple:
    return type_name, tuple(sorted((name, tuple(shape)) for name, shape in params))


def _role_key(role: dict) -> tuple:
    return _key(role["type"], role["params"])


def _unit_key(unit: Any, composites: Sequence[str]) -> tuple:
    return _key(type(unit).__name__, [(n, p.shape) for n, p in unit_parameters(unit, composites)])


def _describe_role(role: dict) -> str:
    return f"{role['type']} ({_shapes(role['params'])})"


def _look(where: str) -> str:
    return f" Where to look: {where}" if where else ""


def _pinned(model: Any, role: dict, where: str, composites: Sequence[str]) -> Any:
    name = role["name"]
    try:
        unit = model.get_submodule(name)
    except AttributeError:
        raise RoleMismatch(f"your model has no layer named {name!r}. The stub declares this name and the tests "
                           f"need it (no other property tells this layer apart).{_look(where)}") from None
    if _unit_key(unit, composites) != _role_key(role):
        raise RoleMismatch(f"the layer {name!r} should be a {_describe_role(role)}, found "
                           f"{describe(unit, composites)}.{_look(where)}")
    return unit


def match_roles(model: Any, call: Callable[[], Any], recorded: list[dict], *, where: str = "",
                composites: Sequence[str] = ()) -> list[Any]:
    """The units of ``model`` that play the ``recorded`` roles, one per role, in the same order.

    A role with a name is found by that name; the others by type and parameter shapes, taking
    the units in the order ``call()`` first uses them (then the unused ones). A role no unit
    fits, or a unit the call uses that no role takes, raises :class:`RoleMismatch` with a
    sentence a student can act on (``where`` names the file and class to look at).
    """
    used, unused = layers_used_by(model, call, composites)
    plan: dict[int, Any] = {}
    for i, role in enumerate(recorded):
        if role.get("name"):
            plan[i] = _pinned(model, role, where, composites)
    taken = {id(u) for u in plan.values()}
    pool: dict[tuple, list] = {}
    for unit in used + unused:
        if id(unit) not in taken:
            pool.setdefault(_unit_key(unit, composites), []).append(unit)
    for i, role in enumerate(recorded):
        if i in plan:
            continue
        candidates = pool.get(_role_key(role), [])
        if not candidates:
            have = "; ".join(describe(u, composites) for u in used + unused) or "no layer with parameters"
            raise RoleMismatch(f"the call needs a {_describe_role(role)} and your model has none left to match it "
                               f"(types and shapes must agree with the specification). Your layers: {have}."
                               f"{_look(where)}")
        plan[i] = candidates.pop(0)
    chosen = {id(u) for u in plan.values()}
    extra = [u for u in used if id(u) not in chosen]
    if extra:
        raise RoleMismatch(f"your model uses a layer the specification does not have: "
                           f"{describe(extra[0], composites)}.{_look(where)}")
    return [plan[i] for i in range(len(recorded))]


def load_roles(model: Any, call: Callable[[], Any], recorded: list[dict], tensors: Sequence[Any], *,
               where: str = "", composites: Sequence[str] = ()) -> list[Any]:
    """Copy ``tensors`` (role by role, each role's parameters in the order of its ``params``)
    into the units :func:`match_roles` finds; returns those units."""
    import torch

    found = match_roles(model, call, recorded, where=where, composites=composites)
    wanted = sum(len(role["params"]) for role in recorded)
    if wanted != len(tensors):
        raise RoleMismatch(f"{wanted} parameter tensors are recorded for these roles, {len(tensors)} were given")
    values = iter(tensors)
    with torch.no_grad():
        for unit, role in zip(found, recorded, strict=True):
            params = dict(unit_parameters(unit, composites))
            for name, _shape in role["params"]:
                params[name].copy_(torch.as_tensor(next(values)).to(dtype=params[name].dtype,
                                                                    device=params[name].device))
    return found
