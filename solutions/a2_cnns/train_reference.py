# SOLUTION FILE
"""Train the reference leaderboard checkpoints on the embedded shapes (course staff only).

    cd solutions/a2_cnns && ../../.venv/bin/python train_reference.py [--data cifar10]

Writes checkpoints/twolayernet.pt, checkpoints/vanillacnn.pt and checkpoints/mymodel.pt
(each a state_dict, well under 2 MB) with the configs of configs/, on the CPU or a GPU.
The grader's leaderboard test set is generate_shapes(1000, SHAPES_TEST_SEED), the same
images as the test loader here, so the printed best accuracies are what the grader sees.
"""

import argparse
import os

import torch
import yaml

from solver import Solver

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="shapes", help="shapes (default) or cifar10, matching the leaderboard set")
    args = parser.parse_args()
    os.chdir(HERE)
    for name in ("twolayer", "vanilla_cnn", "mymodel"):
        with open(os.path.join("configs", f"config_{name}.yaml")) as f:
            config = yaml.safe_load(f)
        config["data"] = args.data
        print(f"== {name}: {config}")
        acc = Solver(**config).train()
        size = os.path.getsize(config["checkpoint"])
        print(f"== {name}: best accuracy {acc:.4f}, {config['checkpoint']} {size / 1e6:.2f} MB")
        state = torch.load(config["checkpoint"], map_location="cpu", weights_only=True)
        assert size < 2e6 and all(t.dtype == torch.float32 or t.dtype == torch.int64 for t in state.values())


if __name__ == "__main__":
    main()
