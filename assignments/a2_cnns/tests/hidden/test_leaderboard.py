"""Part 2 leaderboard: the submitted checkpoints on the held-out set shipped in the autograder.

The set is named in the leaderboard's column names: "shapes-heldout" (generated images drawn
from a seed only the grader knows) or, in a release build, "cifar10-test". The accuracy
cut-offs of each model come from the manifest's [thresholds.<Model>] table, one band per set.
Checkpoints are loaded only inside the sandbox worker (torch.load with weights_only=True into
your model class). TwoLayerNet and VanillaCNN have a specified architecture: the worker reads the
loaded weights back by role (a2_checkpoints.fixed_weights), and the grader evaluates them with
its own model of that architecture (tests/staff/a2_refs.py), so a checkpoint that does not fit
scores 0, points and leaderboard entry. MyModel is evaluated in the worker: the grader sends the
normalized images and receives the predicted classes. Either way the accuracy is computed from
labels only the grader holds. These tests are sealed, as every hidden and leaderboard test is: a
failure says only its kind. Why a checkpoint cannot be graded at all (missing, too large, does not
load, does not fit its architecture) is told in full by the public test 2.9 "Checkpoints: ...".
The titles of the graded tests name the set, and so do the leaderboard's columns.
"""

import a2_checkpoints as checkpoints
import a2_probes as probes
import a2_refs as refs
import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import leaderboard, number, partial_credit, visibility

BATCH = 250                # images per call into the worker
MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)[None, :, None, None]  # data_utils.MEAN
STD = np.array([0.2023, 0.1994, 0.2010], dtype=np.float32)[None, :, None, None]   # data_utils.STD
MODELS = checkpoints.MODELS


def _session_cache(request):
    """Per grading session (one submission): the test set, and name -> (accuracy, set, file) or
    (None, failure message, None), so the graded and the leaderboard test of a model share one
    evaluation. Kept on the session, never across submissions graded in one process."""
    cache = getattr(request.session, "_a2_leaderboard_cache", None)
    if cache is None:
        cache = {}
        request.session._a2_leaderboard_cache = cache
    return cache


def heldout(request, fixtures_dir):
    """(normalized images, labels, set name) of the leaderboard set, read once per session."""
    cache = _session_cache(request)
    if "test set" not in cache:
        with np.load(fixtures_dir / "leaderboard_test.npz", allow_pickle=False) as data:
            images = (data["images"].astype(np.float32) / 255.0 - MEAN) / STD
            cache["test set"] = images.astype(np.float32), data["labels"].astype(np.int64), str(data["source"])
    return cache["test set"]


@pytest.fixture(autouse=True)
def title_names_the_set(request, fixtures_dir):
    """The graded tests' titles name the leaderboard set (shapes-heldout, or cifar10-test in a
    release build): their docstrings say {set}, filled in before the test's entry is made."""
    func = request.node.obj
    if func.__doc__ and "{set}" in func.__doc__:
        func.__doc__ = func.__doc__.replace("{set}", heldout(request, fixtures_dir)[2])


def evaluate(student, test_set, name):
    rel, note, info = checkpoints.load(student, name)
    images, labels, source = test_set
    if name in checkpoints.FIXED:
        try:
            tensors = checkpoints.fixed_weights(student, name, rel, info["args"])
        except pytest.fail.Exception:
            return 0.0, source, rel, "does not fit"
        preds = refs.staff_predictions(refs.staff_model(name, info["args"], tensors), images, BATCH)
        return float(np.mean(preds == labels)), source, rel, note
    preds = []
    for start in range(0, len(images), BATCH):
        # the held-out images reach the model here: whatever it raises is shown by its kind only
        got = student.run(probes.checkpoint_predictions, rel, images[start:start + BATCH])
        if type(got) is not np.ndarray or got.shape != (min(BATCH, len(images) - start),) or got.dtype.kind not in "iu":
            pytest.fail(f"internal: predictions of {name} came back as {type(got).__name__}", pytrace=False)
        preds.append(got)
    return float(np.mean(np.concatenate(preds) == labels)), source, rel, note


def accuracy(request, student, fixtures_dir, name):
    """(accuracy, set name, file graded, note) of the submitted checkpoint of `name`; fails the
    test with a clear message when the checkpoint is missing, too large or cannot be loaded. A
    checkpoint that does not fit its architecture has accuracy 0 and the note "does not fit"."""
    cache = _session_cache(request)
    if name not in cache:
        try:
            cache[name] = evaluate(student, heldout(request, fixtures_dir), name)
        except pytest.fail.Exception as e:
            cache[name] = (None, str(e.msg), None, None)
            raise
    if cache[name][0] is None:
        pytest.fail(cache[name][1], pytrace=False)
    return cache[name]


def graded(request, student, fixtures_dir, set_score, name, points):
    acc, source, rel, note = accuracy(request, student, fixtures_dir, name)
    if note == "does not fit":
        set_score(0)
        pytest.fail(f"{rel} does not fit the architecture of {name}: 0 points (test 2.9 says why)", pytrace=False)
    bands = request.getfixturevalue("thresholds")[name]
    if source not in bands:
        pytest.fail(f"internal: no accuracy thresholds for {name} on the set {source!r} (the course staff must add "
                    f"[thresholds.{name}] \"{source}\" to the manifest)", pytrace=False)
    thresholds = bands[source]
    cleared = sum(acc >= t for t in thresholds)
    set_score(points * cleared / len(thresholds))
    if cleared < len(thresholds):
        pytest.fail(f"{name} ({rel}) accuracy {acc:.4f} on the leaderboard set {source}; its thresholds are "
                    f"{', '.join(f'{t:.2f}' for t in thresholds)}, you cleared {cleared} of them "
                    f"({points * cleared / len(thresholds):g} of {points:g} points). {note}".strip(), pytrace=False)


def post(request, student, fixtures_dir, set_leaderboard_value, name):
    acc, source, _, _ = accuracy(request, student, fixtures_dir, name)
    request.node.obj.__leaderboard_column__ = f"{name} accuracy ({source})"  # the column names the set
    set_leaderboard_value(round(acc, 4))


@partial_credit(3)
@number("2.7")
@visibility("visible")
def test_twolayer_checkpoint_accuracy(request, student, fixtures_dir, set_score=None):
    """TwoLayerNet checkpoint accuracy on the held-out set {set} (half, then full marks at its two thresholds)"""
    graded(request, student, fixtures_dir, set_score, "TwoLayerNet", 3)


@partial_credit(4)
@number("2.8")
@visibility("visible")
def test_vanilla_cnn_checkpoint_accuracy(request, student, fixtures_dir, set_score=None):
    """VanillaCNN checkpoint accuracy on the held-out set {set} (full marks at its threshold)"""
    graded(request, student, fixtures_dir, set_score, "VanillaCNN", 4)


@partial_credit(6)
@number("2.9")
@visibility("visible")
def test_my_model_checkpoint_accuracy(request, student, fixtures_dir, set_score=None):
    """MyModel checkpoint accuracy on the held-out set {set} (a third of the points per threshold cleared)"""
    graded(request, student, fixtures_dir, set_score, "MyModel", 6)


@leaderboard("MyModel accuracy (shapes-heldout)")
@number("2.9")
def test_my_model_leaderboard(request, student, fixtures_dir, set_leaderboard_value=None):
    """MyModel accuracy for the leaderboard"""
    post(request, student, fixtures_dir, set_leaderboard_value, "MyModel")


@leaderboard("VanillaCNN accuracy (shapes-heldout)")
@number("2.8")
def test_vanilla_cnn_leaderboard(request, student, fixtures_dir, set_leaderboard_value=None):
    """VanillaCNN accuracy for the leaderboard"""
    post(request, student, fixtures_dir, set_leaderboard_value, "VanillaCNN")


@leaderboard("TwoLayerNet accuracy (shapes-heldout)")
@number("2.7")
def test_twolayer_leaderboard(request, student, fixtures_dir, set_leaderboard_value=None):
    """TwoLayerNet accuracy for the leaderboard"""
    post(request, student, fixtures_dir, set_leaderboard_value, "TwoLayerNet")
