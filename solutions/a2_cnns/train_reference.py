# SOLUTION FILE
"""Train the reference leaderboard checkpoints (course staff only).

    cd solutions/a2_cnns && ../../.venv/bin/python train_reference.py [--only mymodel] [--data cifar10]

Writes checkpoints/twolayernet.pt, checkpoints/vanillacnn.pt and checkpoints/mymodel.pt (each a
state_dict, well under 2 MB) with the shipped configs of configs/, on the CPU or a GPU, then
measures each on the grader's held-out set: the generated shapes drawn from the staff's secret
seed (.heldout/a2_cnns.seed, or AUTOGRADER_HELDOUT_SEED), or with --data cifar10 the CIFAR-10
test images the release build ships (A2_CIFAR10_ROOT). It prints where each checkpoint lands
against its band in assignments/a2_cnns/assignment.toml: a reference should clear every
threshold of its band, and not by far (calibrate the band on the set, see the handout).
"""

import argparse
import os
import sys
from pathlib import Path

import torch
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NAMES = {"twolayer": "TwoLayerNet", "vanilla_cnn": "VanillaCNN", "mymodel": "MyModel"}


def heldout(data):
    """(normalized images, labels, set name) of the grader's leaderboard set."""
    sys.path[:0] = [str(REPO), str(REPO / "assignments" / "a2_cnns" / "tests")]
    import build_fixtures
    import data_utils

    from autograder.staff.fixtures import heldout_seed

    images, labels, source, _ = build_fixtures.heldout_set(heldout_seed(REPO, "a2_cnns"), data == "cifar10")
    return torch.from_numpy(data_utils.normalize(images)), torch.from_numpy(labels), source


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        preds = torch.cat([model(images[i:i + 500]).argmax(1) for i in range(0, len(images), 500)])
    return float((preds == labels).float().mean())


def main():
    from solver import Solver

    from autograder.grading.manifest import load_manifest

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--data", default="shapes", help="shapes (default) or cifar10, matching the leaderboard set")
    parser.add_argument("--only", choices=sorted(NAMES), action="append", help="train only these configs")
    args = parser.parse_args()
    os.chdir(HERE)
    images, labels, source = heldout(args.data)
    bands = load_manifest(REPO / "assignments" / "a2_cnns" / "assignment.toml").thresholds
    for name in args.only or list(NAMES):
        with open(os.path.join("configs", f"config_{name}.yaml")) as f:
            config = yaml.safe_load(f)
        config.update(data=args.data, run_name=f"reference_{name}")
        print(f"== {name}: {config}")
        solver = Solver(**config)
        solver.train()
        size = os.path.getsize(config["checkpoint"])
        state = torch.load(config["checkpoint"], map_location="cpu", weights_only=True)
        assert size < 2e6 and all(t.dtype in (torch.float32, torch.int64) for t in state.values())
        solver.model.load_state_dict(state)
        acc = accuracy(solver.model.cpu(), images, labels)
        band = bands[NAMES[name]][source]
        verdict = "inside its band" if acc >= max(band) else "BELOW its band: retrain or recalibrate"
        print(f"== {name}: validation {solver.best_acc:.4f}, test {solver.test_acc:.4f}, held-out {source} {acc:.4f}, band {band}: {verdict}; "
              f"{config['checkpoint']} {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
