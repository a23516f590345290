"""Known weights into a student's model by the ROLE of each layer, and dropout that draws the
same masks on every machine. Used inside the sandbox worker and, at build time, on the
reference solution (to record the expected values).

A layer's role is its module type, the shapes of its parameters and the order in which the
call under test first uses it. Attribute names and declaration order are the student's
choice, except for the few names a stub declares (``pinned``): those layers are found by
name, because no role tells them apart (the two attention maps k1 and q1 of one head have the
same type and shape, and their order of use is free).

A recorded role is a dict ``{"name": pinned name or None, "type": ..., "params": [[name,
shape], ...]}``; the tensors follow, role by role, in the order of ``params``. An
``nn.Transformer`` counts as one unit: its inside is PyTorch's, loaded by PyTorch's names.
"""

import numpy as np

from autograder.grading import roles

COMPOSITES = ("Transformer",)  # library modules loaded whole


def _torch():
    import torch

    return torch


def units(model):
    """Parameter-owning units of ``model`` in declaration order: leaf modules that own
    parameters, and library composites (nn.Transformer) as single units."""
    out, inside = [], []
    for path, module in model.named_modules():
        if any(path.startswith(prefix + ".") for prefix in inside):
            continue
        if type(module).__name__ in COMPOSITES and type(module).__module__.startswith("torch."):
            inside.append(path)
            out.append(module)
        elif any(True for _ in module.parameters(recurse=False)):
            out.append(module)
    return out


def _params(unit):
    composite = type(unit).__name__ in COMPOSITES
    return list(unit.named_parameters(recurse=composite))


def _key(type_name, params):
    return type_name, tuple(sorted((name, tuple(shape)) for name, shape in params))


def unit_key(unit):
    return _key(type(unit).__name__, [(n, p.shape) for n, p in _params(unit)])


def used_order(model, call):
    """(units the call uses, in order of first use; units it never uses, in declaration order)."""
    torch = _torch()
    every = units(model)
    seen = []
    hooks = [u.register_forward_pre_hook(lambda mod, _a: seen.append(mod) if mod not in seen else None)
             for u in every]
    try:
        with torch.no_grad():
            call()
    finally:
        for h in hooks:
            h.remove()
    return seen, [u for u in every if u not in seen]


def _describe_role(role):
    shapes = ", ".join(f"{n} {tuple(s)}" for n, s in role["params"])
    return f"{role['type']} ({shapes})"


def draw(model, call, pinned, seed, scale=0.3):
    """Build time: give the units ``call`` uses seeded N(0, scale^2) values; return (roles, tensors)."""
    torch = _torch()
    used, unused = used_order(model, call)
    names = {id(m): path for path, m in model.named_modules()}
    gen = np.random.default_rng(seed)
    out_roles, tensors = [], []
    for unit in used + unused:
        path = names[id(unit)]
        params = _params(unit)
        out_roles.append({"name": path if path in pinned else None, "type": type(unit).__name__,
                          "params": [[n, list(p.shape)] for n, p in params]})
        for _, p in params:
            value = torch.as_tensor(gen.standard_normal(tuple(p.shape)) * scale, dtype=p.dtype)
            with torch.no_grad():
                p.copy_(value)
            tensors.append(value)
    return out_roles, tensors


def redraw(recorded, seed, scale=0.3):
    """Grader: the tensors ``draw`` gave the roles ``recorded`` for ``seed`` (float32), drawn again."""
    torch = _torch()
    gen = np.random.default_rng(seed)
    return [torch.as_tensor(gen.standard_normal(tuple(shape)) * scale, dtype=torch.float32)
            for role in recorded for _, shape in role["params"]]


def same_tensors(a, b):
    """Whether two lists of tensors are equal, shape, dtype and value."""
    return len(a) == len(b) and all(x.dtype == y.dtype and x.shape == y.shape and bool((x == y).all())
                                    for x, y in zip(a, b, strict=True))


def checksum(tensors):
    """A digest of the tensors' bytes: what the grader's redraw must reproduce."""
    import hashlib

    digest = hashlib.sha256()
    for t in tensors:
        digest.update(str(tuple(t.shape)).encode())
        digest.update(t.detach().contiguous().numpy().tobytes())
    return digest.hexdigest()


def _find_pinned(model, name, role, where):
    try:
        unit = model.get_submodule(name)
    except AttributeError:
        raise roles.RoleMismatch(
            f"your model has no layer named {name!r}. The stub declares this name and the tests need it "
            f"(no other property tells this layer apart). Where to look: {where}") from None
    if unit_key(unit) != _key(role["type"], role["params"]):
        raise roles.RoleMismatch(f"the layer {name!r} should be a {_describe_role(role)}, "
                                 f"found {roles.describe(unit)}. Where to look: {where}")
    return unit


def bind(model, call, recorded, tensors, where):
    """Worker: copy ``tensors`` into the student's layers, matched to ``recorded`` roles.

    Pinned roles are found by name; the others by (type, parameter shapes), in the order the
    call first uses them. Raises RoleMismatch with a sentence a student can act on.
    """
    torch = _torch()
    used, unused = used_order(model, call)
    plan = {}
    for i, role in enumerate(recorded):
        if role["name"]:
            plan[i] = _find_pinned(model, role["name"], role, where)
    taken = {id(u) for u in plan.values()}
    pool = {}
    for unit in used + unused:
        if id(unit) not in taken:
            pool.setdefault(unit_key(unit), []).append(unit)
    for i, role in enumerate(recorded):
        if i in plan:
            continue
        candidates = pool.get(_key(role["type"], role["params"]), [])
        if not candidates:
            have = "; ".join(roles.describe(u) for u in used + unused) or "no layer with parameters"
            raise roles.RoleMismatch(
                f"the call needs a {_describe_role(role)} and your model has none left to match it "
                f"(types and shapes must agree with the specification). Your layers: {have}. "
                f"Where to look: {where}")
        plan[i] = candidates.pop(0)
    extra = [u for u in used if id(u) not in {id(v) for v in plan.values()}]
    if extra:
        raise roles.RoleMismatch(f"your model uses a layer the specification does not have: "
                                 f"{roles.describe(extra[0])}. Where to look: {where}")
    values = iter(tensors)
    with torch.no_grad():
        for i, role in enumerate(recorded):
            params = dict(_params(plan[i]))
            for name, _shape in role["params"]:
                params[name].copy_(torch.as_tensor(next(values)).to(params[name].dtype))


class ReproducibleDropout:
    """Within ``with ReproducibleDropout(seed):`` every call of F.dropout / nn.Dropout /
    torch.dropout keeps each element with probability 1 - p, drawn from NumPy's PCG64 seeded
    with (seed, call number): the same masks on any machine, whatever its torch build draws."""

    def __init__(self, seed):
        from torch.overrides import TorchFunctionMode

        torch = _torch()
        targets = {torch.nn.functional.dropout, torch.dropout}
        state = {"calls": 0}

        class _Mode(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                kwargs = dict(kwargs or {})
                if func not in targets:
                    return func(*args, **kwargs)
                x = args[0]
                rest = list(args[1:])
                p = rest.pop(0) if rest else kwargs.get("p", 0.5)
                training = rest.pop(0) if rest else kwargs.get("training", kwargs.get("train", True))
                inplace = rest.pop(0) if rest else kwargs.get("inplace", False)
                if not training or p == 0:
                    return x
                state["calls"] += 1
                keep = np.random.default_rng([int(seed), state["calls"]]).random(tuple(x.shape)) >= p
                out = x * torch.as_tensor(keep, dtype=x.dtype, device=x.device) / (1.0 - p)
                return x.copy_(out) if inplace else out

        self._mode = _Mode()

    def __enter__(self):
        self._mode.__enter__()
        return self

    def __exit__(self, *exc):
        return self._mode.__exit__(*exc)
