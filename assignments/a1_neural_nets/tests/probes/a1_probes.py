"""Probe functions for assignment 1. They run INSIDE the sandbox worker.

They import the student's modules inside each function, take and return plain data
(numbers, lists, dicts, NumPy arrays) and hold no expected values: every check happens in
the grader. This module imports NumPy only.
"""

import numpy as np


def _use_embedded_digits():
    """Always grade on the embedded digits, whatever lies under data/, and lay them out as
    data/mnist_train.csv and data/mnist_test.csv too (MNIST's CSV layout), for loaders
    that read those files."""
    import data_sources

    data_sources.SOURCE = "digits"
    try:
        data_sources.write_embedded_csv()
    except OSError:
        pass   # a loader that needs the files then says so itself
    return data_sources


def load_trainval_and_reference():
    """
    Call utils.load_mnist_trainval() and also return the unsplit data it starts from.

    Returns a dict:
    - "raw_images" (N, 784) float64, "raw_labels" (N,) int64: data_sources' training split
    - "parts": the four values the student returned, each turned into an array, in order
      train_data, train_label, val_data, val_label
    - "types": for each of the four, [type name of the container, type name of its first
      element, type name of the first element's first entry (images) or ""]
    """
    data_sources = _use_embedded_digits()
    raw_images, raw_labels = data_sources.load_split("train")   # before any student module loads
    import utils

    returned = utils.load_mnist_trainval()
    if not isinstance(returned, tuple) or len(returned) != 4:
        return {"raw_images": raw_images, "raw_labels": raw_labels, "parts": None,
                "types": [type(returned).__name__]}
    parts, types = [], []
    for value in returned:
        first = value[0] if len(value) else None
        inner = type(first[0]).__name__ if isinstance(first, (list, tuple, np.ndarray)) and len(first) else ""
        types.append([type(value).__name__, type(first).__name__, inner])
        parts.append(np.asarray(value, dtype=np.float64))
    return {"raw_images": raw_images, "raw_labels": raw_labels, "parts": parts, "types": types}


class RecordingModel:
    """A stand-in model: forward() returns preset (loss, accuracy) per batch and logs calls.

    The batch is recognised by X[0, 0], which the tests set to the batch index.
    """

    def __init__(self, losses, accuracies):
        self.losses = list(losses)
        self.accuracies = list(accuracies)
        self.log = []
        self.weights = {"W1": np.zeros((1, 1))}
        self.gradients = {"W1": np.zeros((1, 1))}

    def forward(self, X, y, mode="train"):
        batch = int(round(float(np.asarray(X)[0, 0])))
        self.log.append(["forward", batch, str(mode), int(np.asarray(y).shape[0])])
        return self.losses[batch], self.accuracies[batch]


class RecordingOptimizer:
    """A stand-in optimizer that only logs each update."""

    def __init__(self, model):
        self.model = model
        self.learning_rate = 0.0
        self.reg = 0.0

    def update(self, model):
        self.model.log.append(["update", -1, "", 0])


def run_loop_with_recorder(kind, batched_data, batched_label, losses, accuracies):
    """
    Run utils.train (kind="train") or utils.evaluate (kind="evaluate") with a
    RecordingModel and a RecordingOptimizer.

    Returns a dict: "result" (what the student's function returned, as a list when it is
    a tuple) and "log" (a list of [event, batch, mode, batch size]).
    """
    import utils

    model = RecordingModel(losses, accuracies)
    optimizer = RecordingOptimizer(model)
    if kind == "train":
        result = utils.train(0, batched_data, batched_label, model, optimizer, debug=False)
    else:
        result = utils.evaluate(batched_data, batched_label, model, debug=False)
    if isinstance(result, tuple):
        result = [float(v) if isinstance(v, (int, float, np.floating, np.integer)) else repr(v)
                  for v in result]
    else:
        result = repr(result)
    return {"result": result, "log": model.log}


def one_epoch_smoke(n_examples=512, batch_size=32, learning_rate=0.1):
    """
    Load the digits with the student's utils, then train a SoftmaxRegression for one epoch
    on the first n_examples training images.

    Returns a dict with the student's epoch loss and accuracy ("train"), the loss and
    accuracy of evaluate() on the validation split before and after the epoch, and the
    weights before and after.
    """
    _use_embedded_digits()
    import utils
    from models.softmax_regression import SoftmaxRegression
    from optimizer.sgd import SGD

    train_data, train_label, val_data, val_label = utils.load_mnist_trainval()
    train_batches = utils.generate_batched_data(train_data[:n_examples], train_label[:n_examples],
                                                batch_size=batch_size, shuffle=True, seed=0)
    val_batches = utils.generate_batched_data(val_data, val_label, batch_size=128)
    model = SoftmaxRegression()
    optimizer = SGD(learning_rate=learning_rate, reg=1e-3)
    before = {k: np.array(v, dtype=np.float64) for k, v in model.weights.items()}
    val_before = utils.evaluate(*val_batches, model, debug=False)
    train_result = utils.train(0, *train_batches, model, optimizer, debug=False)
    val_after = utils.evaluate(*val_batches, model, debug=False)
    after = {k: np.array(v, dtype=np.float64) for k, v in model.weights.items()}
    return {"train": [float(v) for v in train_result], "val_before": [float(v) for v in val_before],
            "val_after": [float(v) for v in val_after], "before": before, "after": after}


def train_epochs_from(pixels, labels, init, orders, batch_size, learning_rate, reg, hidden_size):
    """
    Train a TwoLayerNet with the student's utils.train, model and SGD, from given weights and
    on given images, one epoch for each entry of ``orders``: the order in which that epoch
    visits the examples, cut here into consecutive batches of ``batch_size`` (the last one
    shorter). The batches are made here, not by the student's generate_batched_data, so that
    this test depends on batching only through the order it is given.

    Inputs: pixels (N, 784) whole numbers 0..255, labels (N,), init (a dict of the four
    parameters), orders (a list of index arrays), and the settings of the run.

    Returns a dict: "snapshots", the model's parameters after each epoch (a list of dicts of
    float64 arrays, in the order of the epochs).
    """
    import utils
    from models.two_layer_nn import TwoLayerNet
    from optimizer.sgd import SGD

    X = np.asarray(pixels, dtype=np.float64) / 255.0
    y = np.asarray(labels, dtype=np.int64)
    model = TwoLayerNet(input_size=X.shape[1], num_classes=10, hidden_size=hidden_size)
    model.weights = {name: np.array(value, dtype=np.float64) for name, value in init.items()}
    optimizer = SGD(learning_rate=learning_rate, reg=reg)
    snapshots = []
    for epoch, order in enumerate(orders):
        order = np.asarray(order, dtype=np.int64)
        starts = range(0, len(order), batch_size)
        batched_data = [X[order[start:start + batch_size]] for start in starts]
        batched_label = [y[order[start:start + batch_size]] for start in starts]
        utils.train(epoch, batched_data, batched_label, model, optimizer, debug=False)
        snapshots.append({name: np.array(value, dtype=np.float64) for name, value in model.weights.items()})
    return {"snapshots": snapshots}
