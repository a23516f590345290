"""Task 5: the train / validation split, batching, and the train and evaluate loops (public)."""

import functools

import a1_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, assert_true, fail


@functools.lru_cache(maxsize=2)
def _load(path):
    from safetensors.numpy import load_file

    return load_file(path)


def recorded(fixtures_dir):
    return _load(str(fixtures_dir / "public" / "a1_public.safetensors"))


@weight(3)
@number("5.1")
def test_trainval_split_is_first_80_percent(student, fixtures_dir):
    n_train, n_val = (int(v) for v in recorded(fixtures_dir)["split.sizes"])
    out = student.run(probes.load_trainval_and_reference)
    where = "utils.py, load_mnist_trainval"
    if out["parts"] is None:
        fail(f"load_mnist_trainval should return a tuple of 4 values, got {out['types'][0]}. Where to look: {where}")
    images, labels = out["raw_images"], out["raw_labels"]
    train_data, train_label, val_data, val_label = out["parts"]
    for kind, (container, element, inner) in zip(("train_data", "train_label", "val_data", "val_label"),
                                                  out["types"], strict=True):
        assert_true(container == "list",
                    f"{kind} should be a list (as in the docstring), got a {container}. Where to look: {where}")
        wanted = ("list", "float") if kind.endswith("data") else ("int", "")
        assert_true((element, inner) == wanted,
                    f"{kind} should hold {'lists of floats' if kind.endswith('data') else 'ints'}, "
                    f"got elements of type {element}{' of ' + inner if inner else ''}. Where to look: {where}")
    assert_true(len(train_label) == n_train and len(val_label) == n_val,
                f"the {len(labels)} training images of the embedded digits should split into {n_train} for "
                f"training (the first 80%) and {n_val} for validation; got {len(train_label)} and "
                f"{len(val_label)}. Where to look: {where}")
    assert_array(train_data, images[:n_train], rtol=0, atol=0,
                 name=f"train_data: the first {n_train} images, in order", where=where)
    assert_array(train_label, labels[:n_train].astype(np.float64), rtol=0, atol=0, name="train_label", where=where)
    assert_array(val_data, images[n_train:], rtol=0, atol=0,
                 name=f"val_data: the last {n_val} images, in order", where=where)
    assert_array(val_label, labels[n_train:].astype(np.float64), rtol=0, atol=0, name="val_label", where=where)


@weight(2)
@number("5.2")
def test_batches_keep_order_and_last_is_short(student, rng):
    N, D, B = 10, 3, 4
    data = rng.standard_normal((N, D))
    label = rng.integers(0, 10, size=N)
    out = student.call("utils.generate_batched_data", data.tolist(), label.tolist(), batch_size=B)
    where = "utils.py, generate_batched_data"
    assert_true(isinstance(out, tuple) and len(out) == 2,
                f"generate_batched_data should return (batched_data, batched_label), got {type(out).__name__}. "
                f"Where to look: {where}")
    batched_data, batched_label = out
    assert_true(isinstance(batched_data, list) and len(batched_data) == 3,
                f"{N} examples in batches of {B} make 3 batches (4, 4, 2), got "
                f"{len(batched_data) if isinstance(batched_data, list) else type(batched_data).__name__}. "
                f"Where to look: {where}")
    assert_true(isinstance(batched_label, list) and len(batched_label) == 3,
                f"batched_label should be a list of 3 label arrays. Where to look: {where}")
    for i, (start, stop) in enumerate(((0, 4), (4, 8), (8, 10))):
        assert_array(batched_data[i], data[start:stop], rtol=0, atol=0,
                     name=f"batch {i} of the data (shuffle=False keeps the order)", where=where)
        assert_array(batched_label[i], label[start:stop], rtol=0, atol=0,
                     name=f"batch {i} of the labels", where=where)


def _shuffled_order(out, data, label, B, where):
    batched_data, batched_label = out
    sizes = [len(b) for b in batched_data] if isinstance(batched_data, list) else None
    assert_true(sizes == [B, B, len(label) - 2 * B] and isinstance(batched_label, list)
                and [len(b) for b in batched_label] == sizes,
                f"{len(label)} examples in batches of {B} should make batches of sizes "
                f"{[B, B, len(label) - 2 * B]} for data and labels alike, got {sizes}. Where to look: {where}")
    all_data, all_label = np.concatenate(batched_data), np.concatenate(batched_label)
    idx = all_data[:, 0].astype(np.int64)              # column 0 holds each example's index
    assert_true(np.array_equal(np.sort(idx), np.arange(len(label))),
                f"with shuffle=True every example should appear exactly once. Where to look: {where}")
    assert_array(all_label, label[idx], rtol=0, atol=0,
                 name="shuffled labels (each label must move with its example)", where=where)
    return idx


@weight(1)
@number("5.2")
def test_seeded_shuffle_is_repeatable(student, rng):
    N, B = 22, 8
    data = np.column_stack([np.arange(N), rng.standard_normal((N, 2))])
    label = rng.integers(0, 10, size=N)
    where = "utils.py, generate_batched_data (shuffle=True, seed=3)"
    first = _shuffled_order(student.call("utils.generate_batched_data", data, label, batch_size=B,
                                         shuffle=True, seed=3), data, label, B, where)
    again = _shuffled_order(student.call("utils.generate_batched_data", data, label, batch_size=B,
                                         shuffle=True, seed=3), data, label, B, where)
    assert_true(not np.array_equal(first, np.arange(N)),
                f"shuffle=True left the {N} examples in their original order. Where to look: {where}")
    assert_true(np.array_equal(first, again),
                f"two calls with shuffle=True and the same seed should give the same order. Where to look: {where}")


# One epoch of the reference lowers the validation loss by about 0.18; weight decay alone, with
# the data gradients left at zero, lowers it by about 1e-6. The margin lies far from both.
SMOKE_MIN_DROP = 0.02


@weight(1)
@number("5.3")
def test_train_one_epoch_smoke(student):
    out = student.run(probes.one_epoch_smoke)
    where = "utils.py, train (and everything it calls)"
    loss, acc = out["train"]
    assert_true(np.isfinite(loss) and 0.0 <= acc <= 1.0,
                f"train() should return a finite mean loss and an accuracy in [0, 1], got ({loss}, {acc}). "
                f"Where to look: {where}")
    changed = [k for k in out["before"] if not np.array_equal(out["before"][k], out["after"].get(k))]
    assert_true(changed == ["W1"],
                f"after one epoch of train() on a SoftmaxRegression, W1 should have moved; changed: "
                f"{sorted(changed)}. Where to look: {where} (each batch's forward pass in train mode is "
                "followed by one update of the model)")
    before, after = out["val_before"][0], out["val_after"][0]
    assert_true(after <= before - SMOKE_MIN_DROP,
                f"one epoch of SoftmaxRegression on 512 digits (batch 32, lr 0.1, reg 1e-3) should lower the "
                f"validation loss by at least {SMOKE_MIN_DROP}: before {before:.5f}, after {after:.5f}. "
                "Weight decay alone moves it by about 1e-6, so a drop smaller than that margin means the data "
                "gradient hardly reaches the weights. Where to look: models/softmax_regression.py, "
                "SoftmaxRegression.forward (the gradient it stores in train mode), then " + where)


def _run_recorded_loop(student, kind):
    sizes = [4, 4, 2]
    batched_data = [np.full((b, 2), float(i)) for i, b in enumerate(sizes)]
    batched_label = [np.zeros(b, dtype=np.int64) for b in sizes]
    losses, accs = [1.0, 2.0, 6.0], [0.5, 1.0, 0.0]
    out = student.run(probes.run_loop_with_recorder, kind, batched_data, batched_label, losses, accs)
    where = f"utils.py, {kind}"
    result = out["result"]
    assert_true(isinstance(result, list) and len(result) == 2,
                f"{kind} should return (mean loss, accuracy), got {result}. Where to look: {where}")
    assert_scalar(result[0], 3.0, atol=1e-12, name="mean of the batch losses [1, 2, 6]", where=where)
    assert_scalar(result[1], (0.5 * 4 + 1.0 * 4 + 0.0 * 2) / 10, atol=1e-12,
                  name="accuracy over all 10 examples (batches of 4, 4, 2 with accuracies 0.5, 1, 0)",
                  where=where + " (weight each batch accuracy by its size)")
    return [entry[:3] for entry in out["log"]]


@weight(2)
@number("5.3")
def test_train_forward_then_update_per_batch(student):
    log = _run_recorded_loop(student, "train")
    expected = [["forward", 0, "train"], ["update", -1, ""], ["forward", 1, "train"], ["update", -1, ""],
                ["forward", 2, "train"], ["update", -1, ""]]
    assert_true(log == expected,
                "train should, for each batch in order, call model.forward(X, y, mode='train') and then "
                f"optimizer.update(model). Calls seen (event, batch, mode): {log}. Where to look: utils.py, train")


@weight(2)
@number("5.4")
def test_evaluate_averages_over_batches_without_training(student):
    log = _run_recorded_loop(student, "evaluate")
    assert_true([e[0] for e in log] == ["forward"] * 3 and [e[1] for e in log] == [0, 1, 2]
                and all(e[2] != "train" for e in log),
                "evaluate should call model.forward once per batch, in order, with a mode other than 'train' "
                f"(e.g. 'valid'), and never update. Calls seen (event, batch, mode): {log}. "
                "Where to look: utils.py, evaluate")
