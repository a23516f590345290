"""Tasks 4 to 6, hidden: regularization and SGD on any model, batching, the loops, and learning."""

import a1_probes as probes
import a1_refs as refs
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, assert_shape, assert_true, fail

TWO_LAYER = "models.two_layer_nn.TwoLayerNet"
SOFTMAX_REG = "models.softmax_regression.SoftmaxRegression"
WHERE_TL = "models/two_layer_nn.py, TwoLayerNet.forward"


def _deep_params(rng, sizes):
    """Weights W1..WL and biases b1..bL of a network with layer sizes `sizes`."""
    weights = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        weights[f"W{i}"] = rng.standard_normal((a, b))
        weights[f"b{i}"] = rng.standard_normal(b)
    return weights


@weight(3)
@number("4.1")
def test_regularization_random_models_and_strengths(student, rng):
    where = "optimizer/_base_optimizer.py, apply_regularization"
    for trial in range(3):
        sizes = [int(s) for s in rng.integers(2, 7, size=3)]
        if trial == 0:
            net = student.new(SOFTMAX_REG, input_size=sizes[0], num_classes=sizes[-1])
            weights = {"W1": rng.standard_normal((sizes[0], sizes[-1]))}
        else:
            net = student.new(TWO_LAYER, input_size=sizes[0], num_classes=sizes[-1], hidden_size=sizes[1])
            weights = _deep_params(rng, sizes)
        grads = {k: rng.standard_normal(v.shape) for k, v in weights.items()}
        net.weights = {k: v.copy() for k, v in weights.items()}
        net.gradients = {k: v.copy() for k, v in grads.items()}
        reg = 0.0 if trial == 2 else float(rng.uniform(1e-4, 0.5))
        opt = student.new("optimizer._base_optimizer._BaseOptimizer", learning_rate=0.1, reg=reg)
        opt.apply_regularization(net)
        got = net.gradients
        for k in weights:
            expected = grads[k] + reg * weights[k] if k.startswith("W") else grads[k]
            assert_array(got.get(k) if isinstance(got, dict) else got, expected, rtol=1e-10, atol=1e-12,
                         name=f"gradients['{k}'] after apply_regularization on a model with "
                              f"weights {sorted(weights)} and random sizes" + (" (reg=0)" if reg == 0 else ""),
                         where=where + " (the weight matrices, no biases)")
        stored = net.weights
        for k in weights:
            assert_array(stored.get(k) if isinstance(stored, dict) else stored, weights[k], rtol=0, atol=0,
                         name=f"weights['{k}'] after apply_regularization (must not change)", where=where)


@weight(3)
@number("4.2")
def test_sgd_several_steps_random_rates(student, rng):
    where = "optimizer/sgd.py, SGD.update"
    lr, reg = float(rng.uniform(0.01, 1.0)), float(rng.uniform(1e-4, 0.1))
    D, C = int(rng.integers(2, 9)), int(rng.integers(2, 6))
    net = student.new(SOFTMAX_REG, input_size=D, num_classes=C)
    weights = {"W1": rng.standard_normal((D, C))}
    net.weights = {k: v.copy() for k, v in weights.items()}
    opt = student.new("optimizer.sgd.SGD", learning_rate=lr, reg=reg)
    for step in range(3):
        grads = {"W1": rng.standard_normal((D, C))}
        net.gradients = {k: v.copy() for k, v in grads.items()}
        opt.update(net)
        weights = {"W1": weights["W1"] - lr * (grads["W1"] + reg * weights["W1"])}
        got = net.weights
        assert_array(got.get("W1") if isinstance(got, dict) else got, weights["W1"], rtol=1e-9, atol=1e-12,
                     name=f"weights['W1'] after SGD step {step + 1} of 3 (random lr and reg)", where=where)
    sizes = [int(s) for s in rng.integers(2, 6, size=3)]
    weights = _deep_params(rng, sizes)
    grads = {k: rng.standard_normal(v.shape) for k, v in weights.items()}
    net = student.new(TWO_LAYER, input_size=sizes[0], num_classes=sizes[-1], hidden_size=sizes[1])
    net.weights = {k: v.copy() for k, v in weights.items()}
    net.gradients = {k: v.copy() for k, v in grads.items()}
    opt.update(net)
    got = net.weights
    for k in weights:
        step = grads[k] + (reg * weights[k] if k.startswith("W") else 0.0)
        assert_array(got.get(k) if isinstance(got, dict) else got, weights[k] - lr * step, rtol=1e-9, atol=1e-12,
                     name=f"weights['{k}'] of a TwoLayerNet after one SGD step", where=where)


def _check_partition(batched_data, batched_label, data, label, B, order_kept, where):
    N = len(label)
    n_batches = -(-N // B)
    assert_true(isinstance(batched_data, list) and isinstance(batched_label, list)
                and len(batched_data) == n_batches and len(batched_label) == n_batches,
                f"expected ceil(N / batch_size) = {n_batches} batches of data and of labels, got "
                f"{len(batched_data) if isinstance(batched_data, list) else type(batched_data).__name__} and "
                f"{len(batched_label) if isinstance(batched_label, list) else type(batched_label).__name__}.",
                where=where)
    for i in range(n_batches):
        size = min(B, N - i * B)
        for part, what in ((batched_data[i], "data"), (batched_label[i], "labels")):
            assert_true(type(part) is np.ndarray and part.shape[:1] == (size,),
                        f"batch {i} of the {what} should be an array of {size} rows, got "
                        f"{getattr(part, 'shape', type(part).__name__)}.", where=where)
    all_data = np.concatenate(batched_data)
    all_label = np.concatenate(batched_label)
    if order_kept:
        assert_array(all_data, data, rtol=0, atol=0, name="all batches of data, in order", where=where)
        assert_array(all_label, label, rtol=0, atol=0, name="all batches of labels, in order", where=where)
        return None
    # every example exactly once, each still next to its own label (column 0 holds its index)
    idx = all_data[:, 0].astype(np.int64)
    assert_true(np.array_equal(np.sort(idx), np.arange(N)),
                "with shuffle=True every example should appear exactly once across the batches.", where=where)
    assert_array(all_data, data[idx], rtol=0, atol=0, name="shuffled rows of data (rows must stay whole)", where=where)
    assert_array(all_label, label[idx], rtol=0, atol=0,
                 name="shuffled labels (each label must move with its example)", where=where)
    return idx


@weight(3)
@number("5.2")
def test_batching_random_sizes_and_seeded_shuffle(student, rng):
    where = "utils.py, generate_batched_data"
    for N, B in ((int(rng.integers(20, 60)), int(rng.integers(3, 9))), (12, 4), (5, 16)):
        D = int(rng.integers(2, 6))
        data = rng.standard_normal((N, D))
        data[:, 0] = np.arange(N)
        label = rng.integers(0, 10, size=N)
        out = student.call("utils.generate_batched_data", data.tolist(), label.tolist(), batch_size=B)
        _check_partition(out[0], out[1], data, label, B, True, where + " (shuffle=False)")
    N, B = 50, 8
    data = rng.standard_normal((N, 3))
    data[:, 0] = np.arange(N)
    label = rng.integers(0, 10, size=N)
    first = student.call("utils.generate_batched_data", data, label, batch_size=B, shuffle=True, seed=7)
    idx1 = _check_partition(first[0], first[1], data, label, B, False, where + " (shuffle=True)")
    again = student.call("utils.generate_batched_data", data, label, batch_size=B, shuffle=True, seed=7)
    idx2 = _check_partition(again[0], again[1], data, label, B, False, where + " (shuffle=True)")
    assert_true(np.array_equal(idx1, idx2),
                "two calls with shuffle=True and the same seed should give the same order (equal seeds give "
                "equal orders).", where=where)
    assert_true(not np.array_equal(idx1, np.arange(N)),
                f"shuffle=True left {N} examples in their original order.", where=where)


def _recorded(student, kind, rng):
    sizes = [int(s) for s in rng.integers(1, 9, size=int(rng.integers(3, 7)))]
    batched_data = [np.full((b, 3), float(i)) for i, b in enumerate(sizes)]
    batched_label = [rng.integers(0, 10, size=b) for b in sizes]
    losses = rng.uniform(0.1, 3.0, size=len(sizes)).tolist()
    accs = [float(rng.integers(0, b + 1)) / b for b in sizes]
    out = student.run(probes.run_loop_with_recorder, kind, batched_data, batched_label, losses, accs)
    result = out["result"]
    where = f"utils.py, {kind}"
    if not (isinstance(result, list) and len(result) == 2):
        fail(f"{kind} should return (mean loss, accuracy), got a value of type {type(result).__name__}.",
             where=where)
    assert_scalar(result[0], float(np.mean(losses)), rtol=1e-9,
                  name=f"the loss returned by {kind}: the mean of {len(sizes)} batch losses", where=where)
    expected_acc = sum(a * b for a, b in zip(accs, sizes, strict=True)) / sum(sizes)
    assert_scalar(result[1], expected_acc, rtol=1e-9,
                  name=f"the accuracy returned by {kind} over {len(sizes)} batches of different sizes",
                  where=where + " (weight each batch's accuracy by its number of examples)")
    return out["log"], sizes


@weight(3)
@number("5.3")
def test_train_loop_forward_then_update_and_weighted_accuracy(student, rng):
    log, sizes = _recorded(student, "train", rng)
    expected = []
    for i, b in enumerate(sizes):
        expected += [["forward", i, "train", b], ["update", -1, "", 0]]
    assert_true(log == expected,
                f"train should, for each batch in order, call model.forward(X, y, mode='train') once and then "
                f"optimizer.update(model) once. Calls seen (event, batch, mode): {[e[:3] for e in log[:12]]}"
                f"{' ...' if len(log) > 12 else ''}.", where="utils.py, train")


@weight(2)
@number("5.4")
def test_evaluate_never_updates_and_weighs_by_size(student, rng):
    log, sizes = _recorded(student, "evaluate", rng)
    forwards = [e for e in log if e[0] == "forward"]
    assert_true(len(forwards) == len(log) and [e[1] for e in forwards] == list(range(len(sizes)))
                and all(e[2] != "train" for e in forwards),
                f"evaluate should call model.forward once per batch, in order, with a mode other than 'train' "
                f"(e.g. 'valid'), and never update. Calls seen (event, batch, mode): {[e[:3] for e in log[:12]]}.",
                where="utils.py, evaluate")


# ---- 6.1: the training is the student's own
#
# The grader fixes the start (the initial weights) and the order in which each epoch visits the
# training images, both drawn for the submission. The worker runs the student's train() epoch by
# epoch and commits to the weights after each epoch. The grader recomputes every epoch with its
# own float64 forward/backward and SGD step (tests/staff/a1_refs.py), starting each from the
# student's previous snapshot (so that rounding differences do not add up), and measures the
# accuracy of the last snapshot on its own copy of the test images (fixtures/fixed). Weights
# installed from anywhere else break the chain and score nothing.

EPOCHS = 6
TARGET = 0.90           # the accuracy the handout states
SCREEN = 0.92           # a drawn run is kept only when the staff's own training reaches this
TRIES = 10              # draws before the fallback
FALLBACK_SEED = 20240904   # a run whose staff training reaches 0.96 (measured when this was written)
PARAM_NAMES = ("W1", "b1", "W2", "b2")
WHERE_TRAIN = "utils.py, train"
WHERE_SGD = "optimizer/sgd.py, SGD.update"


def _digits(fixtures_dir):
    """The grader's own copy of the embedded digits: the course's training part (the first 80% of
    the training split) as pixels 0..255 and labels, and the test split as floats and labels."""
    from safetensors.numpy import load_file

    d = load_file(str(fixtures_dir / "a1_digits.safetensors"))
    n_train = int(0.8 * len(d["train.labels"]))
    return (d["train.pixels"][:n_train], d["train.labels"][:n_train],
            d["test.pixels"].astype(np.float64) / 255.0, d["test.labels"])


def _draw_run(rng, n_examples):
    """The settings, the start and the epochs' orders of one training run."""
    hidden = int(rng.integers(24, 49))
    settings = {"hidden_size": hidden, "learning_rate": float(rng.uniform(0.4, 0.8)),
                "batch_size": int(rng.integers(16, 25)), "reg": float(10.0 ** rng.uniform(-5, -3))}
    init = {"W1": rng.standard_normal((784, hidden)) / np.sqrt(784), "b1": 0.1 * rng.standard_normal(hidden),
            "W2": rng.standard_normal((hidden, 10)) / np.sqrt(hidden), "b2": 0.1 * rng.standard_normal(10)}
    orders = [rng.permutation(n_examples) for _ in range(EPOCHS)]
    return settings, init, orders


def _staff_run(settings, init, orders, X, y):
    p = init
    for order in orders:
        p = refs.ref_train_epoch(p, X, y, order, settings["batch_size"], settings["learning_rate"], settings["reg"])
    return p


def _screened_run(rng, X, y, X_test, y_test):
    """A drawn run whose staff training clearly reaches the target (drawn again otherwise; after
    TRIES draws, the fallback run)."""
    for _ in range(TRIES):
        run = _draw_run(rng, len(y))
        if refs.ref_accuracy(refs.ref_two_layer_prob(_staff_run(*run, X, y), X_test), y_test) >= SCREEN:
            return run
    return _draw_run(np.random.default_rng(FALLBACK_SEED), len(y))


def _snapshot_ok(snapshot, expected):
    if not isinstance(snapshot, dict):
        return False
    for name in PARAM_NAMES:
        got = snapshot.get(name)
        if not (type(got) is np.ndarray and got.shape == expected[name].shape and np.all(np.isfinite(got))
                and np.allclose(got, expected[name], rtol=1e-6, atol=1e-9)):
            return False
    return True


def _blame(student, settings, start, X, y, batches):
    """The chain broke in an epoch that starts at ``start``: find the part to look at, by checking
    the model's gradients and one SGD step on the epoch's first and last batch (each check raises
    with its own place), and otherwise the loop itself."""
    lr, reg = settings["learning_rate"], settings["reg"]
    for idx in (batches[0], batches[-1]):
        net = student.new(TWO_LAYER, input_size=784, num_classes=10, hidden_size=settings["hidden_size"])
        net.weights = {k: v.copy() for k, v in start.items()}
        loss, grads = refs.ref_two_layer_loss_and_grads(start, X[idx], y[idx])
        got_loss = net.forward(X[idx], y[idx], mode="train")[0]
        assert_scalar(got_loss, loss, rtol=1e-7, atol=1e-10, name="the loss of a training batch",
                      where=WHERE_TL)
        got = net.gradients
        for name in PARAM_NAMES:
            assert_array(got.get(name) if isinstance(got, dict) else got, grads[name], rtol=1e-6, atol=1e-9,
                         name=f"gradients['{name}'] on a training batch", where=WHERE_TL + " (backward part)")
        opt = student.new("optimizer.sgd.SGD", learning_rate=lr, reg=reg)
        net.weights = {k: v.copy() for k, v in start.items()}
        net.gradients = {k: v.copy() for k, v in grads.items()}
        opt.update(net)
        stepped = net.weights
        expected = refs.ref_sgd_step(start, grads, lr, reg)
        for name in PARAM_NAMES:
            assert_array(stepped.get(name) if isinstance(stepped, dict) else stepped, expected[name],
                         rtol=1e-9, atol=1e-12, name=f"weights['{name}'] after one SGD step", where=WHERE_SGD)
    fail("an epoch of train() did not give the weights that one step per batch, in the given order, "
         "gives from the weights the epoch started with", where=WHERE_TRAIN)


@weight(6)
@number("6.1")
def test_training_is_your_own_and_learns_the_digits(student, rng, fixtures_dir):
    """End to end: every epoch of training follows from your own model, SGD and train(), and the network learns the digits"""
    pixels, labels, X_test, y_test = _digits(fixtures_dir)
    X = pixels.astype(np.float64) / 255.0
    settings, init, orders = _screened_run(rng, X, labels, X_test, y_test)
    out = student.run(probes.train_epochs_from, pixels, labels, init, orders, settings["batch_size"],
                      settings["learning_rate"], settings["reg"], settings["hidden_size"])
    snapshots = out.get("snapshots") if isinstance(out, dict) else None
    assert_true(isinstance(snapshots, list) and len(snapshots) == EPOCHS,
                "the run should give the network's parameters after each epoch", where=WHERE_TRAIN)
    start = init
    for epoch, snapshot in enumerate(snapshots):
        if not isinstance(snapshot, dict) or set(PARAM_NAMES) - set(snapshot):
            fail("after an epoch of train(), model.weights should hold the four parameters W1, b1, W2 and b2",
                 where=WHERE_TL)
        for name in PARAM_NAMES:
            assert_shape(snapshot[name], init[name].shape, name=f"weights['{name}'] after an epoch of training",
                         where=WHERE_TL)
            assert_true(bool(np.all(np.isfinite(snapshot[name]))),
                        f"weights['{name}'] after an epoch of training should be finite", where=WHERE_TL)
        expected = refs.ref_train_epoch(start, X, labels, orders[epoch], settings["batch_size"],
                                        settings["learning_rate"], settings["reg"])
        if not _snapshot_ok(snapshot, expected):
            _blame(student, settings, start, X, labels, refs.ref_batches(orders[epoch], settings["batch_size"]))
        start = snapshot
    accuracy = refs.ref_accuracy(refs.ref_two_layer_prob(snapshots[-1], X_test), y_test)
    assert_true(accuracy >= TARGET,
                f"the trained network should reach a test accuracy of at least {TARGET}, got {accuracy:.4f}",
                where=WHERE_TRAIN)
