"""A3's pictures mean something offline (issue 14): visualize.py, run as a student runs it,
trains the small shapes CNN (recorded as runs/shapes_cnn/) and explains it, and the figures the
handout states hold: the validation accuracy, the maps on the object, the conductance identity
and its counterexample, fooling with an invisible change. --pretrained without the weights says
what it needs instead of a traceback. Style transfer and class visualization are left out here
(seconds each; they are covered by the notebook run)."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow   # trains models: `make test`, not `make check`

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "a3_interpretability"


def run_visualize(root: Path, *args: str, env_extra=None, timeout: int = 300):
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(REPO), **(env_extra or {})}
    return subprocess.run([sys.executable, "visualize.py", "--root", str(root), *args], cwd=SOLUTION, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def shapes_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("a3_runs")
    proc = run_visualize(root, "--only", "saliency", "guided_backprop", "gradcam", "guided_gradcam",
                         "conductance", "fooling")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return root, proc.stdout


def test_the_shapes_cnn_trains_in_seconds_to_the_stated_accuracy(shapes_run):
    root, out = shapes_run
    run = root / "shapes_cnn"
    for name in ("config.yaml", "metrics.csv", "curves.png", "model.pt", "summary.json"):
        assert (run / name).is_file(), f"{run} has no {name}"
    with open(run / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 5 and float(rows[-1]["train_loss"]) < float(rows[0]["train_loss"])
    summary = json.loads((run / "summary.json").read_text())
    assert summary["val_accuracy"] >= 0.93, summary        # handout: 0.97 (0.93 or more)
    assert summary["cpu_seconds"] < 40, summary              # handout: about 13 CPU seconds on one core


def test_the_maps_lie_on_the_object(shapes_run):
    root, out = shapes_run
    summary = json.loads((root / "visualize" / "summary.json").read_text())
    assert summary["predicted"] == ["0 disk", "2 triangle", "1 square", "3 plus"], summary["predicted"]
    ratio = {part: np.mean(summary[part]["share_on_object"]) / np.mean(summary[part]["object_area"])
             for part in ("saliency", "guided_backprop", "gradcam", "guided_gradcam")}
    # handout: the object region covers about a quarter of the image; saliency puts a little more than
    # that on it, Grad-CAM about half, guided backprop more than half, guided Grad-CAM about three quarters
    assert ratio["saliency"] > 1.1 and ratio["gradcam"] > 1.6 and ratio["guided_backprop"] > 1.8, ratio
    assert ratio["guided_gradcam"] > 2.5, ratio
    for part in ratio:
        assert summary[part]["max_difference_from_captum"] < 1e-5


def test_conductance_matches_grad_cam_at_the_last_layer_only(shapes_run):
    root, out = shapes_run
    cond = json.loads((root / "visualize" / "summary.json").read_text())["conductance"]
    assert cond["correlation_features12"] > 0.95, cond         # handout: 0.99
    assert cond["correlation_features10"] < 0.7, cond          # handout: about 0.4
    assert (root / "visualize" / "layer_conductance.png").is_file()


def test_fooling_changes_the_class_invisibly(shapes_run):
    root, out = shapes_run
    fooling = json.loads((root / "visualize" / "summary.json").read_text())["fooling"]["images"]
    assert [f["now"] for f in fooling] == [f["target"] for f in fooling], fooling
    assert max(f["largest_pixel_change_0_255"] for f in fooling) < 30, fooling   # handout: 11 to 18 of 255


def test_the_run_folder_holds_config_figures_and_summary(shapes_run):
    root, out = shapes_run
    run = root / "visualize"
    for name in ("config.yaml", "summary.json", "saliency.png", "guided_backprop.png", "gradcam.png",
                 "guided_gradcam.png", "layer_conductance.png", "fooling.png"):
        assert (run / name).is_file(), f"{run} has no {name}"
    assert "shapes CNN: training" in out and "loaded" not in out.split("shapes CNN: training")[0]


def test_pretrained_without_the_weights_says_what_it_needs(tmp_path):
    proxy = "http://127.0.0.1:9"       # nothing listens there: the download fails even with internet
    proc = run_visualize(tmp_path, "--pretrained", env_extra={"TORCH_HOME": str(tmp_path / "torch"),
                                                              "https_proxy": proxy, "HTTPS_PROXY": proxy},
                         timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "squeezenet1_1-b8a52dc0.pth" in proc.stderr and str(tmp_path / "torch") in proc.stderr, proc.stderr
    assert not (tmp_path / "visualize_pretrained").exists()
