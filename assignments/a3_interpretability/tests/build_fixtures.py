"""Build-time check for A3 (run by `autograder build` with the solution folder on sys.path).

The tests build SqueezeNet 1.1 with a3_probes.build_squeezenet, a torchvision-free copy
of the network (the grader then never loads torchvision). Students, visualize.py and the
handout use model_zoo.build_squeezenet, which calls torchvision. This check makes the
build fail if the two ever stop giving the very same network for the same seed (a new
torchvision that initialises differently, an edited copy), and records that it passed.
"""
import json
import sys
from pathlib import Path

SEEDS = [0, 3, 7, 29]


def build(out_dir: Path, solution_dir: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "probes"))
    import torch
    from a3_probes import build_squeezenet as from_probes
    from model_zoo import build_squeezenet as from_torchvision

    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    for seed in SEEDS:
        ours, theirs = from_probes(seed), from_torchvision(seed, device="cpu")
        a, b = ours.state_dict(), theirs.state_dict()
        if list(a) != list(b) or str(ours) != str(theirs):
            raise SystemExit(f"a3_probes.build_squeezenet({seed}) has other modules than torchvision's "
                             "squeezenet1_1: fix tests/probes/a3_probes.py")
        bad = [k for k in a if not torch.equal(a[k], b[k])]
        if bad:
            raise SystemExit(f"a3_probes.build_squeezenet({seed}) differs from torchvision's squeezenet1_1 "
                             f"in {bad[:3]}: the initialisation order changed; fix tests/probes/a3_probes.py")
        with torch.no_grad():
            if not torch.equal(ours(x), theirs(x)):
                raise SystemExit(f"a3_probes.build_squeezenet({seed}) computes other scores than torchvision's")
    (out_dir / "squeezenet_check.json").write_text(
        json.dumps({"seeds": SEEDS, "same_as_torchvision_squeezenet1_1": True}) + "\n")
