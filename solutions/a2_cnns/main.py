"""Train a Part 2 model from a config: python main.py --config configs/config_vanilla_cnn.yaml"""

import argparse

import yaml

from solver import Solver


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="configs/config_twolayer.yaml", help="a YAML file in configs/")
    parser.add_argument("--data", default=None, help="override the config's data source (shapes, cifar10, ...)")
    args = parser.parse_args()
    with open(args.config) as f:
        config = yaml.safe_load(f)
    if args.data:
        config["data"] = args.data
    print(config)
    Solver(**config).train()


if __name__ == "__main__":
    main()
