"""Known weights for a student's model, and dropout that draws the same masks on every machine.
Used inside the sandbox worker and, at build time, on the reference solution (to record the
expected values).

Layers are found by their ROLE (module type, parameter shapes, order of first use in the call
under test) with ``autograder.grading.roles``; this module adds what is particular to A4: the
few layers a stub names (``pinned``: the attention maps k1 and q1 of one head have the same type
and shape, and their order of use is free), ``nn.Transformer`` loaded whole by PyTorch's own
parameter names, weights drawn from a seed (so that a fixture stores the seed, not the values),
and reproducible dropout.

A recorded role is ``roles.role_of``'s dict ``{"name": pinned name or None, "type": ...,
"params": [[name, shape], ...]}``; the tensors follow, role by role, in the order of ``params``.
"""

import numpy as np

from autograder.grading import roles

COMPOSITES = ("Transformer",)  # library modules loaded whole


def _torch():
    import torch

    return torch


def draw(model, call, pinned, seed, scale=0.3):
    """Build time: give the units ``call`` uses seeded N(0, scale^2) values; return (roles, tensors)."""
    torch = _torch()
    used, unused = roles.layers_used_by(model, call, COMPOSITES)
    names = {id(m): path for path, m in model.named_modules()}
    gen = np.random.default_rng(seed)
    out_roles, tensors = [], []
    for unit in used + unused:
        path = names[id(unit)]
        out_roles.append(roles.role_of(unit, path if path in pinned else None, COMPOSITES))
        for _, p in roles.unit_parameters(unit, COMPOSITES):
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


def bind(model, call, recorded, tensors, where):
    """Worker: copy ``tensors`` into the student's layers that play the ``recorded`` roles
    (roles.load_roles, nn.Transformer whole). Raises roles.RoleMismatch naming the layer."""
    roles.load_roles(model, call, recorded, tensors, where=where, composites=COMPOSITES)


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
