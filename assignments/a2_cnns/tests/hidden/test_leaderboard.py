"""Part 2 leaderboard: the submitted checkpoints on the test set shipped in the autograder.

The checkpoints are loaded only inside the sandbox worker (torch.load with weights_only=True
into your model class); the grader sends the normalized images, receives the predicted
classes and computes the accuracy from labels it keeps.
"""

import re

import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import (
    leaderboard, number, partial_credit, visibility)

from autograder.sandbox import StudentError

import a2_probes as probes

# Accuracy thresholds come from the manifest's [thresholds] table (the `thresholds` fixture);
# each threshold cleared earns an equal share of the test's points.
CHECKPOINT_MAX_MB = 5.0  # per checkpoint
BATCH = 250  # images per call into the worker
MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)[None, :, None, None]  # data_utils.MEAN
STD = np.array([0.2023, 0.1994, 0.2010], dtype=np.float32)[None, :, None, None]   # data_utils.STD

MODELS = {
    "TwoLayerNet": ("models.twolayer.TwoLayerNet", [3 * 32 * 32, 128, 10], "checkpoints/twolayernet.pt"),
    "VanillaCNN": ("models.cnn.VanillaCNN", [], "checkpoints/vanillacnn.pt"),
    "MyModel": ("models.my_model.MyModel", [], "checkpoints/mymodel.pt"),
}


def _session_cache(request):
    """Per grading session (one submission): the test set, and name -> (accuracy, source) or
    (None, failure message), so the graded and the leaderboard test of a model share one
    evaluation. Kept on the session, never across submissions graded in one process."""
    cache = getattr(request.session, "_a2_leaderboard_cache", None)
    if cache is None:
        cache = {}
        request.session._a2_leaderboard_cache = cache
    return cache


def load_test_set(fixtures_dir):
    with np.load(fixtures_dir / "leaderboard_test.npz", allow_pickle=False) as data:
        images = (data["images"].astype(np.float32) / 255.0 - MEAN) / STD
        return images.astype(np.float32), data["labels"].astype(np.int64), str(data["source"])


def accuracy(request, student, fixtures_dir, name):
    """Accuracy of the submitted checkpoint of `name` and the name of the test set; fails the
    test with a clear message when the checkpoint is missing, too large or cannot be loaded."""
    cache = _session_cache(request)
    if name not in cache:
        if "test set" not in cache:
            cache["test set"] = load_test_set(fixtures_dir)
        try:
            cache[name] = evaluate(student, cache["test set"], name)
        except pytest.fail.Exception as e:
            cache[name] = (None, str(e.msg))
            raise
    acc, source = cache[name]
    if acc is None:
        pytest.fail(source, pytrace=False)
    return acc, source


def evaluate(student, test_set, name):
    class_path, args, rel = MODELS[name]
    size = student.run(probes.checkpoint_size, rel)
    if size < 0:
        pytest.fail(f"{rel} was not submitted. Train {name} (python main.py --config ...) and upload the "
                    f"checkpoint it saves at {rel} together with your code.", pytrace=False)
    if size > CHECKPOINT_MAX_MB * 1e6:
        pytest.fail(f"{rel} is {size / 1e6:.1f} MB, over the cap of {CHECKPOINT_MAX_MB:g} MB per checkpoint. "
                    f"Save only the state_dict (torch.save(model.state_dict(), path)) of a smaller model.",
                    pytrace=False)
    images, labels, source = test_set
    preds = []
    for start in range(0, len(images), BATCH):
        try:
            got = student.run(probes.checkpoint_predictions, class_path, args, rel, images[start:start + BATCH])
        except StudentError as e:
            why = re.sub(r"\x1b\[[0-9;]*m", "", str(e.message)).strip()
            why = why if len(why) <= 500 else why[:500] + " ..."
            pytest.fail(f"Could not evaluate {rel} with {name}. The file must be a state_dict saved with "
                        f"torch.save(model.state_dict(), '{rel}') from the {name} of your submitted code; it is "
                        f"loaded with torch.load(..., weights_only=True) and load_state_dict(strict=True), "
                        f"so a pickled model object or a state_dict of another architecture fails.\n"
                        f"The error was: {e.type_name}: {why}", pytrace=False)
        if type(got) is not np.ndarray or got.shape != (min(BATCH, len(images) - start),) or got.dtype.kind not in "iu":
            pytest.fail(f"internal: predictions of {name} came back as {type(got).__name__}", pytrace=False)
        preds.append(got)
    return float(np.mean(np.concatenate(preds) == labels)), source


def graded(request, student, fixtures_dir, set_score, name, points):
    acc, source = accuracy(request, student, fixtures_dir, name)
    thresholds = request.getfixturevalue("thresholds")[name]
    cleared = sum(acc >= t for t in thresholds)
    set_score(points * cleared / len(thresholds))
    print(f"{name} accuracy on the leaderboard test set ({source}): {acc:.4f}")
    if cleared < len(thresholds):
        pytest.fail(f"{name} accuracy {acc:.4f} on the leaderboard test set ({source}); the thresholds are "
                    f"{', '.join(f'{t:.2f}' for t in thresholds)}, you cleared {cleared} of them "
                    f"({points * cleared / len(thresholds):g} of {points:g} points).", pytrace=False)


@partial_credit(3)
@number("2.7")
@visibility("visible")
def test_twolayer_checkpoint_accuracy(request, student, fixtures_dir, set_score=None):
    """TwoLayerNet checkpoint accuracy (0.30: half, 0.40: full)"""
    graded(request, student, fixtures_dir, set_score, "TwoLayerNet", 3)


@partial_credit(4)
@number("2.8")
@visibility("visible")
def test_vanilla_cnn_checkpoint_accuracy(request, student, fixtures_dir, set_score=None):
    """VanillaCNN checkpoint accuracy (at least 0.40)"""
    graded(request, student, fixtures_dir, set_score, "VanillaCNN", 4)


@partial_credit(6)
@number("2.9")
@visibility("visible")
def test_my_model_checkpoint_accuracy(request, student, fixtures_dir, set_score=None):
    """MyModel checkpoint accuracy (0.50, 0.60, 0.70: a third each)"""
    graded(request, student, fixtures_dir, set_score, "MyModel", 6)


@leaderboard("MyModel accuracy")
@number("2.9")
def test_my_model_leaderboard(request, student, fixtures_dir, set_leaderboard_value=None):
    """MyModel accuracy for the leaderboard"""
    set_leaderboard_value(round(accuracy(request, student, fixtures_dir, "MyModel")[0], 4))


@leaderboard("VanillaCNN accuracy")
@number("2.8")
def test_vanilla_cnn_leaderboard(request, student, fixtures_dir, set_leaderboard_value=None):
    """VanillaCNN accuracy for the leaderboard"""
    set_leaderboard_value(round(accuracy(request, student, fixtures_dir, "VanillaCNN")[0], 4))


@leaderboard("TwoLayerNet accuracy")
@number("2.7")
def test_twolayer_leaderboard(request, student, fixtures_dir, set_leaderboard_value=None):
    """TwoLayerNet accuracy for the leaderboard"""
    set_leaderboard_value(round(accuracy(request, student, fixtures_dir, "TwoLayerNet")[0], 4))
