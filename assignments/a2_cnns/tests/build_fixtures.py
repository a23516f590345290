"""Build-time fixtures of a2_cnns: values recorded from the reference, and the held-out set.

`autograder build` calls build(request) (autograder.staff.fixtures.FixtureRequest) with the solution
folder (and this folder) on sys.path.

Written for each draw, and for students (out_dir/public/; the students' set, request.draw
None, ships in the bundle as tests/fixtures/public/ and uses the fixed seeds below):
  a2_recorded.safetensors, a2_recorded.json: the cases of the public Part 2 tests and the
  reference solution's outputs on them. Expected values never enter the worker. A draw keeps
  the shapes and settings and draws the values from its own seed (the handout's reweight
  example stays as it is). The model cases (an input, and weights listed layer by layer in the
  order the forward pass uses the layers, see autograder.grading.roles) are drawn from a seed
  by probes/a2_torch_checks.py: a draw stores that seed and a digest of the tensors, and the grader
  draws them again (a few kB a draw instead of half a MB); the students' set keeps the tensors.

Written once per build, the fixed part (request.fixed), for the autograder zip only:
  leaderboard_test.npz: images uint8 (N, 3, 32, 32), labels int64 (N,), source (the set's
  name: "shapes-heldout" or "cifar10-test") and description. By default 1,000 generated
  images drawn from the secret held-out seed, so no student can reproduce them (main.py
  trains on seed 0, validates on seed 2 and tests on seed 1; the leaderboard is another draw of
  the same distribution). A release
  build (`autograder build --release`, A2_CIFAR10_ROOT naming a folder that holds
  torchvision's cifar-10-batches-py) ships the first A2_LEADERBOARD_SIZE images (default 2000)
  of the real CIFAR-10 test set instead; retrain the reference checkpoints on CIFAR-10 then
  (train_reference.py --data cifar10).
"""

import json
import os
import sys
from pathlib import Path

import numpy as np

PROBES = str(Path(__file__).resolve().parent / "probes")   # a2_torch_checks: drawing the model cases
if PROBES not in sys.path:
    sys.path.insert(0, PROBES)

HELDOUT_SIZE = 1000


def heldout_set(heldout_seed, release):
    """(images, labels, source, description) of the leaderboard set."""
    import data_utils

    if release:
        root = os.environ.get("A2_CIFAR10_ROOT")
        if not root or not Path(root).is_dir():
            raise ValueError(f"A2_CIFAR10_ROOT={root!r}: a release build needs the CIFAR-10 folder")
        size = int(os.environ.get("A2_LEADERBOARD_SIZE", "2000"))
        images, labels = data_utils.load_cifar10(root=root, train=False, download=False)
        return images[:size], labels[:size], "cifar10-test", f"the first {min(size, len(labels))} CIFAR-10 test images"
    seed = int(heldout_seed)
    if seed in (data_utils.SHAPES_TRAIN_SEED, data_utils.SHAPES_TEST_SEED, data_utils.SHAPES_VALID_SEED):
        raise ValueError(f"held-out seed {seed} is the seed of a set students hold; choose another")
    images, labels = data_utils.generate_shapes(HELDOUT_SIZE, seed)
    return images, labels, "shapes-heldout", f"{HELDOUT_SIZE} generated shapes from a seed only the grader knows"


def _by_role(model, x):
    from autograder.grading import roles

    model.eval()
    layers = roles.layers_in_use_order(model, x)
    return roles.signature(layers), roles.state_by_role(layers)


#: The seeds of the students' set.
FIXED_SEEDS = {"models": 2024, "losses": 99, "steps": 5, "reweight": 0}


def draw_seeds(draw):
    """The seeds of one draw (the students' set: FIXED_SEEDS)."""
    if draw is None:
        return dict(FIXED_SEEDS)
    rng = np.random.default_rng(draw)
    return {name: int(rng.integers(1, 2**62)) for name in FIXED_SEEDS}


def record_models(torch, tensors, meta, seeds=FIXED_SEEDS, keep_tensors=True):
    """TwoLayerNet and VanillaCNN: the reference's scores for an input and weights by role drawn
    from one seed (a2_torch_checks.draw_model_case). A draw records the seed and a digest of what it
    draws, and the grader redraws them; the students' set (keep_tensors) also keeps the tensors,
    so that a student's `check` does not depend on the random generator of their torch version."""
    import a2_torch_checks as torch_checks
    from models import TwoLayerNet, VanillaCNN

    from autograder.grading import roles

    cases = {"twolayer": (TwoLayerNet, [3 * 32 * 32, 16, 10], (4, 3, 32, 32)),
             "vanilla": (VanillaCNN, [], (3, 3, 32, 32))}
    for i, (key, (cls, args, shape)) in enumerate(cases.items()):
        model = cls(*args)
        model.eval()
        signature, _ = _by_role(model, torch.zeros(shape))
        seed = seeds["models"] + i
        x, weights = torch_checks.draw_model_case(signature, shape, seed)
        layers = roles.layers_in_use_order(model, x)
        roles.load_by_role(layers, weights, signature)
        with torch.no_grad():
            out = model(x)
        tensors[f"{key}.out"] = out
        meta[key] = {"args": args, "signature": signature, "weights": len(weights), "x_shape": list(shape),
                     "seed": seed, "digest": torch_checks.digest([x, *weights])}
        if keep_tensors:
            tensors[f"{key}.x"] = x
            for j, t in enumerate(weights):
                tensors[f"{key}.w{j}"] = t


def reweight_profiles(seed):
    """The handout's example, a long tail of ten classes and a three-class profile down to one example."""
    profiles = [([645, 387, 232, 139], 0.9999)]
    if seed == FIXED_SEEDS["reweight"]:
        return profiles + [([5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50], 0.999), ([100, 10, 1], 0.99)]
    rng = np.random.default_rng(seed)
    tail = sorted((int(c) for c in rng.integers(40, 5001, size=10)), reverse=True)
    return profiles + [(tail, 0.999), ([int(rng.integers(60, 200)), int(rng.integers(5, 30)), 1], 0.99)]


def record_losses(torch, tensors, meta, seeds=FIXED_SEEDS):
    from losses.focal_loss import FocalLoss, reweight

    meta["reweight"] = []
    for counts, beta in reweight_profiles(seeds["reweight"]):
        tensors[f"reweight.{len(meta['reweight'])}"] = reweight(counts, beta=beta)
        meta["reweight"].append({"counts": counts, "beta": beta})
    g = torch.Generator().manual_seed(seeds["losses"])
    meta["focal"] = []
    for weighted, gamma in ((True, 2.0), (False, 1.0)):
        i = len(meta["focal"])
        scores = (torch.randn(8, 4, generator=g) * 2).requires_grad_(True)
        target = torch.randint(0, 4, (8,), generator=g)
        weight = torch.rand(4, generator=g) * 1.8 + 0.2
        loss = FocalLoss(weight=weight if weighted else None, gamma=gamma)(scores, target)
        loss.backward()
        tensors.update({f"focal.{i}.scores": scores.detach(), f"focal.{i}.target": target,
                        f"focal.{i}.weight": weight, f"focal.{i}.loss": loss.detach().reshape(1),
                        f"focal.{i}.grad": scores.grad})
        meta["focal"].append({"weighted": weighted, "gamma": gamma})


def record_solver_steps(torch, tensors, meta, seeds=FIXED_SEEDS):
    """train_step on a small MLP for two steps of torch.optim.SGD, and eval_step."""
    import torch.nn as nn
    from solver import eval_step, train_step

    sizes, lr, momentum, wd = (5, 7, 3), 0.5, 0.9, 5e-4
    g = torch.Generator().manual_seed(seeds["steps"])
    net = nn.Sequential(nn.Linear(5, 7), nn.Sigmoid(), nn.Linear(7, 3))
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    init = {k: v.clone() for k, v in net.state_dict().items()}
    for k, v in init.items():
        tensors[f"steps.init.{k}"] = v
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, weight_decay=wd)
    for step in range(2):
        data, target = torch.randn(6, 5, generator=g), torch.randint(0, 3, (6,), generator=g)
        out, loss = train_step(net, nn.CrossEntropyLoss(), optimizer, data, target)
        tensors.update({f"steps.{step}.data": data, f"steps.{step}.target": target,
                        f"steps.{step}.out": out.detach(), f"steps.{step}.loss": loss.detach().reshape(1)})
        for k, v in net.state_dict().items():
            tensors[f"steps.{step}.{k}"] = v.clone()
    data, target = torch.randn(6, 5, generator=g), torch.randint(0, 3, (6,), generator=g)
    net.load_state_dict(init)  # evaluated from the same starting weights as the test gives
    net.eval()
    out, loss = eval_step(net, nn.CrossEntropyLoss(), data, target)
    tensors.update({"eval.data": data, "eval.target": target, "eval.out": out, "eval.loss": loss.reshape(1)})
    meta["steps"] = {"sizes": list(sizes), "lr": lr, "momentum": momentum, "weight_decay": wd, "steps": 2}


def build(request) -> None:
    """The fixed part: the held-out set. The students' set and each draw: the recorded public values
    (see autograder.staff.fixtures)."""
    out_dir, heldout_seed, release = Path(request.out_dir), request.heldout_seed, request.release
    import torch
    from safetensors.torch import save_file

    torch.set_num_threads(1)
    if not request.fixed:
        seeds = draw_seeds(request.draw)
        tensors, meta = {}, {}
        record_models(torch, tensors, meta, seeds, keep_tensors=request.draw is None)
        record_losses(torch, tensors, meta, seeds)
        record_solver_steps(torch, tensors, meta, seeds)
        public = out_dir / "public"
        public.mkdir(exist_ok=True)
        save_file({k: v.contiguous() for k, v in tensors.items()}, str(public / "a2_recorded.safetensors"))
        (public / "a2_recorded.json").write_text(json.dumps(meta, indent=1) + "\n")
        return
    images, labels, source, description = heldout_set(heldout_seed, release)
    images = np.ascontiguousarray(images, dtype=np.uint8)
    labels = np.asarray(labels, dtype=np.int64)
    if images.shape[1:] != (3, 32, 32) or len(images) != len(labels):
        raise ValueError(f"leaderboard set has images {images.shape} and labels {labels.shape}")
    np.savez_compressed(out_dir / "leaderboard_test.npz", images=images, labels=labels,
                        source=np.array(source), description=np.array(description))
