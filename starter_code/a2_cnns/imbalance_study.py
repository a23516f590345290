"""The long-tailed experiment of Part 2: one model, three losses, per-class accuracy.

    python imbalance_study.py                          # configs/config_focal.yaml, imbalanced shapes
    python imbalance_study.py --set epochs=5           # quicker, for a first look
    python imbalance_study.py --data imbalanced-cifar10

Trains the config's model three times on the same long-tailed data, changing only the loss:
  - imbalanced_ce:           plain cross-entropy (loss_type CE)
  - imbalanced_balanced_ce:  class-balanced cross-entropy (Focal, gamma 0, reweight with beta)
  - imbalanced_focal:        class-balanced focal loss (Focal, the config's gamma and beta)
Each run is recorded in runs/<name>/ like main.py's (the weights of the epoch with the best
validation accuracy are measured on the test set); runs/imbalanced_comparison/ then holds the
per-class test accuracy of the three (metrics.csv, one row per class, and curves.png) and their
overall validation and test accuracy (summary.json).
"""

import argparse

from main import load_config, parse_override
from solver import Solver

VARIANTS = (
    ("imbalanced_ce", {"loss_type": "CE"}),
    ("imbalanced_balanced_ce", {"loss_type": "Focal", "gamma": 0.0, "reweight": True}),
    ("imbalanced_focal", {"loss_type": "Focal", "reweight": True}),
)


def main():
    from autograder.runs import Run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/config_focal.yaml")
    parser.add_argument("--data", default=None, help="imbalanced-shapes (default of the config) or imbalanced-cifar10")
    parser.add_argument("--set", dest="overrides", action="append", type=parse_override, default=[],
                        metavar="KEY=VALUE", help="override one setting for all three runs (repeatable)")
    args = parser.parse_args()
    results = {}
    for name, change in VARIANTS:
        config = load_config(args.config, args.data, args.overrides, name)
        config.update(change)
        config["save_best"] = False
        print(f"== {name}: {config}")
        solver = Solver(**config)
        solver.train()
        results[name] = solver
    first = results[VARIANTS[0][0]]
    with Run("imbalanced_comparison", config={"config": args.config, "data": first.data,
                                              "runs": [name for name, _ in VARIANTS]}) as run:
        for c in range(10):
            run.log(cls=c, train_images=first.cls_num_list[c],
                    **{f"{name[len('imbalanced_'):]}_acc": results[name].best_per_class[c] for name, _ in VARIANTS})
        run.save_json("summary.json", {name: {"best_valid_acc": s.best_acc, "best_epoch": s.best_epoch,
                                              "test_acc": s.test_acc, "per_class_test_acc": s.best_per_class}
                                       for name, s in results.items()})
    print(f"{'class':>5} {'images':>6} " + " ".join(f"{name[len('imbalanced_'):]:>12}" for name, _ in VARIANTS))
    for c in range(10):
        print(f"{c:>5} {first.cls_num_list[c]:>6} "
              + " ".join(f"{results[name].best_per_class[c]:>12.3f}" for name, _ in VARIANTS))
    print(f"{'all':>5} {sum(first.cls_num_list):>6} " + " ".join(f"{results[n].test_acc:>12.3f}" for n, _ in VARIANTS))
    print(f"comparison recorded in {run.path}")


if __name__ == "__main__":
    main()
