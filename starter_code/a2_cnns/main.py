"""Train a Part 2 model from a config: python main.py --config configs/config_vanilla_cnn.yaml

Every run is recorded in runs/<name>/ (config.yaml, metrics.csv, curves.png, summary.json).
The best epoch is the one with the best validation accuracy; its weights are saved and measured
once on the test set (summary.json: best_valid_acc, best_epoch, test_acc, per_class_test_acc). The run is named after the config file
unless --name says otherwise; --set key=value overrides one setting of the config, e.g.

    python main.py --config configs/config_focal.yaml --set loss_type=CE --name imbalanced_ce
"""

import argparse
import os

import yaml
from solver import Solver


def parse_override(text):
    """'key=value' -> (key, value), the value read as YAML (numbers, true/false, lists)."""
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--set expects key=value, got {text!r}")
    key, value = text.split("=", 1)
    return key.strip(), yaml.safe_load(value)


def load_config(path, data=None, overrides=(), name=None):
    """The settings of a run: the YAML file, then --data, --set and --name on top."""
    with open(path) as f:
        config = yaml.safe_load(f)
    if not isinstance(config, dict):
        raise SystemExit(f"{path}: expected a mapping of settings, got {type(config).__name__}")
    if data:
        config["data"] = data
    for key, value in overrides:
        config[key] = value
    stem = os.path.splitext(os.path.basename(path))[0]
    config.setdefault("run_name", stem[len("config_"):] if stem.startswith("config_") else stem)
    if name:
        config["run_name"] = name
    return config


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/config_twolayer.yaml", help="a YAML file in configs/")
    parser.add_argument("--data", default=None, help="override the config's data source (shapes, cifar10, ...)")
    parser.add_argument("--set", dest="overrides", action="append", type=parse_override, default=[],
                        metavar="KEY=VALUE", help="override one setting (repeatable)")
    parser.add_argument("--name", default=None, help="the run's folder under runs/ (default: from the config name)")
    args = parser.parse_args()
    config = load_config(args.config, args.data, args.overrides, args.name)
    print(config)
    Solver(**config).train()


if __name__ == "__main__":
    main()
