"""Train a model from a config file and record the run in runs/<name>/.

    python main.py --config configs/config_twolayer.yaml
    python main.py --config configs/config_twolayer_digits.yaml --set learning_rate=0.1
    python main.py --config configs/config_twolayer_digits.yaml --sweep learning_rate=0.05,0.5,2
    python main.py --config configs/config_twolayer_digits.yaml --sweep reg=0,0.001,0.01,0.1

Each run writes runs/<name>/config.yaml (the settings it used), metrics.csv (one row per
epoch), curves.png and summary.json (best validation accuracy, test accuracy, data, time).
A sweep also writes runs/<name>_sweep_<key>/ with one row per value and sweep.png, the
validation accuracy and training loss of every value on one figure.
When MNIST is not on disk and the config asks for "auto" data, the run falls back to the
embedded digits with the config's on_digits settings, and says so at its start and end.
"""

import argparse
import copy
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")   # these matrices are small: one BLAS thread is fastest

import data_sources  # noqa: E402
import numpy as np  # noqa: E402  (after the thread settings, which must precede numpy)
from models.softmax_regression import SoftmaxRegression  # noqa: E402
from models.two_layer_nn import TwoLayerNet  # noqa: E402
from optimizer.sgd import SGD  # noqa: E402
from utils import evaluate, generate_batched_data, load_mnist_test, load_mnist_trainval, train  # noqa: E402

from autograder.runs import Run  # noqa: E402

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
    "on_digits": {},    # settings that replace the ones above when "auto" falls back to digits
}
SHORT = {"learning_rate": "lr", "reg": "reg", "batch_size": "bs", "hidden_size": "h", "epochs": "ep",
         "seed": "seed"}


def _parse_scalar(value):
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value.strip("'\"")


def _tiny_yaml(text):
    """Flat ``key: value`` lines and one level of indented mappings (when PyYAML is missing)."""
    loaded, section = {}, None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        if raw[:1] in (" ", "\t") and section is not None:
            loaded[section][key] = _parse_scalar(value)
        elif value:
            loaded[key], section = _parse_scalar(value), None
        else:
            loaded[key], section = {}, key
    return loaded


def check_keys(settings, where):
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)} in {where}; known: {sorted(DEFAULTS)}")


def read_config(path):
    """The config file over DEFAULTS; PyYAML when installed, else a tiny parser."""
    with open(path) as f:
        text = f.read()
    try:
        import yaml
        loaded = yaml.safe_load(text) or {}
    except ImportError:
        loaded = _tiny_yaml(text)
    check_keys(loaded, path)
    check_keys(loaded.get("on_digits") or {}, f"{path} (on_digits)")
    return {**DEFAULTS, **loaded}


def parse_pairs(pairs, where):
    """["lr=0.1", ...] -> {"lr": 0.1, ...}, keys checked against DEFAULTS."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not value:
            raise ValueError(f"{where} takes KEY=VALUE, got {pair!r}")
        out[key.strip()] = _parse_scalar(value.strip())
    check_keys(out, where)
    return out


def choose_data(config):
    """Pick the data; returns (kind, fallback) where fallback means "auto" settled for digits."""
    data_sources.SOURCE = config["data"]
    kind = data_sources.resolve()
    return kind, kind == "digits" and data_sources.requested_source() == "auto"


def banner(lines):
    width = max(len(line) for line in lines) + 4
    print("=" * width)
    for line in lines:
        print(f"| {line}")
    print("=" * width, flush=True)


def fallback_lines(config, used_overrides, result=""):
    n_train, n_test = len(data_sources.embedded_split("train")[1]), len(data_sources.embedded_split("test")[1])
    lines = ["FALLBACK: MNIST was not found under data/, so this run uses the EMBEDDED DIGITS",
             f"(scikit-learn's digits as 28x28 images: {n_train} train + validation, {n_test} test).",
             "Its figures are not MNIST figures. Run data/get_data.sh on a machine with internet for MNIST."]
    if used_overrides:
        shown = ", ".join(f"{k}={config[k]}" for k in used_overrides)
        lines.append(f"Settings for the digits (on_digits in the config): {shown}.")
    else:
        lines.append("This config has no on_digits settings: its MNIST settings may not suit the small set.")
    if result:
        lines.append(f"Result ON THE EMBEDDED DIGITS: {result}.")
    return lines


def load_data(config, kind):
    """Batches of the validation and test sets, and the training arrays."""
    if kind == "digits":
        data_sources.write_embedded_csv()   # so that a loader reading data/mnist_*.csv sees these digits
    train_data, train_label, val_data, val_label = load_mnist_trainval()
    test_data, test_label = load_mnist_test()
    # one conversion to arrays here instead of one per epoch in generate_batched_data
    return {"train": (np.asarray(train_data), np.asarray(train_label)),
            "val": generate_batched_data(val_data, val_label, batch_size=config["batch_size"]),
            "test": generate_batched_data(test_data, test_label, batch_size=config["batch_size"])}


def build_model(config):
    if config["type"] == "SoftmaxRegression":
        return SoftmaxRegression()
    if config["type"] == "TwoLayerNet":
        return TwoLayerNet(hidden_size=config["hidden_size"])
    raise ValueError(f"unknown model type {config['type']!r}: SoftmaxRegression or TwoLayerNet")


def train_run(config, data, name, runs_dir, data_kind):
    """Train one model, log each epoch to runs/<name>/, return its summary."""
    model = build_model(config)
    optimizer = SGD(learning_rate=config["learning_rate"], reg=config["reg"])
    best_acc, best_weights, started = -1.0, None, time.time()
    settings = {k: v for k, v in config.items() if k != "on_digits"}
    with Run(name, config={**settings, "data_used": data_kind}, root=runs_dir) as run:
        for epoch in range(config["epochs"]):
            train_batches = generate_batched_data(*data["train"], batch_size=config["batch_size"],
                                                  shuffle=True, seed=config["seed"] + epoch)
            train_loss, train_acc = train(epoch, *train_batches, model, optimizer, config["debug"])
            valid_loss, valid_acc = evaluate(*data["val"], model, config["debug"])
            run.log(epoch=epoch + 1, train_loss=train_loss, valid_loss=valid_loss,
                    train_acc=train_acc, valid_acc=valid_acc)
            print(f"epoch {epoch + 1:3d}/{config['epochs']}: train loss {train_loss:.4f} "
                  f"acc {train_acc:.4f} | validation loss {valid_loss:.4f} acc {valid_acc:.4f}")
            if valid_acc > best_acc:
                best_acc, best_weights = valid_acc, copy.deepcopy(model.weights)
        model.weights = best_weights
        _, test_acc = evaluate(*data["test"], model, config["debug"])
        summary = {"best_valid_acc": best_acc, "test_acc": test_acc, "data": data_kind,
                   "seconds": round(time.time() - started, 2), "history": run.rows}
        run.save_json("summary.json", summary)
    print(f"best validation accuracy {best_acc:.4f}; test accuracy of that model {test_acc:.4f}")
    print(f"run recorded in {run.path}")
    return summary


def sweep_figure(key, results):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # as wide as a printed page's text (6.4 in) with 9-pt labels, the same axes for every value
    plt.rcParams.update({"font.size": 9, "legend.fontsize": 8, "xtick.labelsize": 8, "ytick.labelsize": 8})
    fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(6.4, 2.7))
    for value, summary in results:
        epochs = [row["epoch"] for row in summary["history"]]
        ax_acc.plot(epochs, [row["valid_acc"] for row in summary["history"]], label=f"{key}={value}")
        ax_loss.plot(epochs, [row["train_loss"] for row in summary["history"]], label=f"{key}={value}")
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1.02))
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log")
    for ax in (ax_acc, ax_loss):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def run_sweep(config, data, base, key, values, runs_dir, data_kind):
    """One run per value of ``key``, then a summary run with one row per value."""
    results = []
    for value in values:
        print(f"--- {key} = {value}")
        name = f"{base}_{SHORT.get(key, key)}{value}"
        results.append((value, train_run({**config, key: value}, data, name, runs_dir, data_kind)))
    settings = {k: v for k, v in config.items() if k not in ("on_digits", key)}
    with Run(f"{base}_sweep_{SHORT.get(key, key)}", config={**settings, "sweep": {key: list(values)},
                                                            "data_used": data_kind}, root=runs_dir) as run:
        for value, summary in results:
            run.log(**{key: value}, best_valid_acc=summary["best_valid_acc"], test_acc=summary["test_acc"],
                    final_train_loss=summary["history"][-1]["train_loss"])
        run.save_figure(sweep_figure(key, results), "sweep.png")
    print(f"sweep recorded in {run.path}")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description="Assignment 1: train a NumPy network, record the run")
    parser.add_argument("--config", default="configs/config_twolayer.yaml")
    parser.add_argument("--set", nargs="+", action="extend", default=[], metavar="KEY=VALUE",
                        help="override config settings (repeatable)")
    parser.add_argument("--sweep", metavar="KEY=V1,V2,...", help="one run per value of one setting")
    parser.add_argument("--name", "--run", dest="name",
                        help="run name (default: the config's name and the --set values)")
    parser.add_argument("--runs-dir", default="runs", help="where run folders go (default: runs)")
    args = parser.parse_args(argv)
    config = read_config(args.config)
    overrides = parse_pairs(args.set, "--set")
    sweep_key, sweep_values = None, []
    if args.sweep:
        sweep_key, _, raw = args.sweep.partition("=")
        sweep_values = [_parse_scalar(v) for v in raw.split(",") if v.strip()]
        check_keys({sweep_key: None}, "--sweep")
        if not sweep_values:
            raise ValueError(f"--sweep takes KEY=V1,V2,..., got {args.sweep!r}")
    config.update({k: v for k, v in overrides.items() if k == "data"})
    kind, fallback = choose_data(config)
    on_digits = dict(config["on_digits"] or {}) if fallback else {}
    config.update(on_digits)
    config.update(overrides)
    if fallback:
        banner(fallback_lines(config, on_digits))
        data_sources._notice_shown = True   # the banner says it already
    elif kind == "digits":
        print("[data] the embedded digits (the config asks for them)")
    stem = os.path.splitext(os.path.basename(args.config))[0].removeprefix("config_")
    base = args.name or stem + "".join(f"_{SHORT.get(k, k)}{v}" for k, v in overrides.items())
    data = load_data(config, kind)
    if sweep_key:
        results = run_sweep(config, data, base, sweep_key, sweep_values, args.runs_dir, kind)
        test_acc = max(summary["test_acc"] for _, summary in results)
        result = "test accuracy " + ", ".join(f"{v}: {s['test_acc']:.4f}" for v, s in results)
    else:
        test_acc = train_run(config, data, base, args.runs_dir, kind)["test_acc"]
        result = f"test accuracy {test_acc:.4f}"
    if fallback:
        banner(fallback_lines(config, on_digits, result=result))
    return test_acc


if __name__ == "__main__":
    main()
