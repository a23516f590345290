"""Train a model from a config file, report validation and test accuracy, save the curves.

    python main.py --config configs/config_twolayer.yaml
    python main.py --config configs/config_twolayer_digits.yaml
"""

import argparse
import copy
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")   # these matrices are small: one BLAS thread is fastest

import data_sources  # noqa: E402
import numpy as np  # noqa: E402  (after the thread settings, which must precede numpy)
from models.softmax_regression import SoftmaxRegression  # noqa: E402
from models.two_layer_nn import TwoLayerNet  # noqa: E402
from optimizer.sgd import SGD  # noqa: E402
from utils import evaluate, generate_batched_data, load_mnist_test, load_mnist_trainval, plot_curves, train  # noqa: E402

DEFAULTS = {
    "type": "TwoLayerNet",
    "hidden_size": 128,
    "batch_size": 64,
    "learning_rate": 0.1,
    "reg": 1e-3,
    "epochs": 10,
    "seed": 0,          # seed of the shuffle of each epoch (seed + epoch)
    "data": "auto",     # "auto" (MNIST if on disk, else digits), "mnist" or "digits"
    "debug": False,
    "save_dir": "plots",
}


def read_config(path):
    """A flat YAML mapping (key: value per line); PyYAML when installed, else a tiny parser."""
    with open(path) as f:
        text = f.read()
    try:
        import yaml
        loaded = yaml.safe_load(text) or {}
    except ImportError:
        loaded = {}
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if ":" in line:
                key, value = (part.strip() for part in line.split(":", 1))
                loaded[key] = _parse_scalar(value)
    unknown = set(loaded) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)} in {path}; known: {sorted(DEFAULTS)}")
    return {**DEFAULTS, **loaded}


def _parse_scalar(value):
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value.strip("'\"")


def build_model(config):
    if config["type"] == "SoftmaxRegression":
        return SoftmaxRegression()
    if config["type"] == "TwoLayerNet":
        return TwoLayerNet(hidden_size=config["hidden_size"])
    raise ValueError(f"unknown model type {config['type']!r}: SoftmaxRegression or TwoLayerNet")


def main():
    parser = argparse.ArgumentParser(description="CS assignment 1: train a NumPy network")
    parser.add_argument("--config", default="configs/config_twolayer.yaml")
    args = parser.parse_args()
    config = read_config(args.config)
    data_sources.SOURCE = config["data"]

    train_data, train_label, val_data, val_label = load_mnist_trainval()
    test_data, test_label = load_mnist_test()
    # one conversion to arrays here instead of one per epoch in generate_batched_data
    train_data, train_label = np.asarray(train_data), np.asarray(train_label)
    val_batches = generate_batched_data(val_data, val_label, batch_size=config["batch_size"])
    test_batches = generate_batched_data(test_data, test_label, batch_size=config["batch_size"])

    model = build_model(config)
    optimizer = SGD(learning_rate=config["learning_rate"], reg=config["reg"])

    history = {"train_loss": [], "train_acc": [], "valid_loss": [], "valid_acc": []}
    best_acc, best_weights = -1.0, None
    for epoch in range(config["epochs"]):
        train_batches = generate_batched_data(train_data, train_label,
                                              batch_size=config["batch_size"], shuffle=True,
                                              seed=config["seed"] + epoch)
        train_loss, train_acc = train(epoch, *train_batches, model, optimizer, config["debug"])
        valid_loss, valid_acc = evaluate(*val_batches, model, config["debug"])
        for key, value in zip(history, (train_loss, train_acc, valid_loss, valid_acc), strict=True):
            history[key].append(value)
        print(f"epoch {epoch + 1:3d}/{config['epochs']}: train loss {train_loss:.4f} "
              f"acc {train_acc:.4f} | validation loss {valid_loss:.4f} acc {valid_acc:.4f}")
        if valid_acc > best_acc:
            best_acc, best_weights = valid_acc, copy.deepcopy(model.weights)

    model.weights = best_weights
    _, test_acc = evaluate(*test_batches, model, config["debug"])
    print(f"best validation accuracy {best_acc:.4f}; test accuracy of that model {test_acc:.4f}")

    os.makedirs(config["save_dir"], exist_ok=True)
    stem = os.path.splitext(os.path.basename(args.config))[0]
    path = plot_curves(history["train_loss"], history["train_acc"], history["valid_loss"],
                       history["valid_acc"], path=os.path.join(config["save_dir"], f"{stem}.png"),
                       title=f"{config['type']} ({stem})")
    print(f"learning curves saved to {path}")
    return test_acc


if __name__ == "__main__":
    main()
