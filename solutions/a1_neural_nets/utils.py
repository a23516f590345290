"""Data loading, batching, and the train / evaluate loops.

Book references: GBC is Goodfellow, Bengio and Courville, Deep Learning (MIT Press, 2016).
"""

import time

import data_sources
import numpy as np


def _as_lists(images, labels):
    """(N, 784) and (N,) arrays -> a list of N lists of 784 floats and a list of N ints."""
    return images.tolist(), [int(label) for label in labels]


def load_mnist_trainval():
    """
    Load the training images and split them into a training and a validation set
    (a hold-out validation set: GBC section 5.3).

    The images come from data_sources: the real MNIST when it is under data/, otherwise
    scikit-learn's digits resized to 28x28. Those digits also exist as data/mnist_train.csv
    (MNIST's CSV layout: the label, then 784 pixel values in 0..255, no header; main.py
    writes it, and so does the grader), so a loader that reads that file works as well.

    Conventions the grader checks: of the N loaded examples, the first int(0.8 * N)
    (rounded down) are the training set and the rest the validation set, both in the
    loaded order (no shuffle); the four values are plain Python lists, as the loaded data
    are (images as lists of Python floats, labels as Python ints).

    Returns a tuple of:
    - train_data: list of the first int(0.8 * N) images, each a list of 784 floats in [0, 1]
    - train_label: list of their labels (ints)
    - val_data: list of the remaining images, in their original order
    - val_label: list of their labels (ints)
    """
    data, label = _as_lists(*data_sources.load_split("train"))
    # TODO: task 5.1 - split: the first int(0.8 * N) examples train, the rest validation.
    # BEGIN SOLUTION
    n_train = int(0.8 * len(data))
    train_data, train_label = data[:n_train], label[:n_train]
    val_data, val_label = data[n_train:], label[n_train:]
    # END SOLUTION
    return train_data, train_label, val_data, val_label


def load_mnist_test():
    """
    Load the test images.

    Returns a tuple of:
    - test_data: list of N images, each a list of 784 floats in [0, 1]
    - test_label: list of N labels (ints)
    """
    return _as_lists(*data_sources.load_split("test"))


def generate_batched_data(data, label, batch_size=32, shuffle=False, seed=None):
    """
    Cut a data set into minibatches (GBC section 8.1.3).

    Conventions the grader checks:
    - whatever the input type (lists or arrays), every batch is a NumPy array (np.ndarray)
      holding the values unchanged: float64 data rows, integer labels;
    - ceil(N / B) batches: all of B examples except the last, which holds the N % B left
      over when B does not divide N (so N < B gives one batch of N);
    - shuffle=False keeps the given order, so the batches are consecutive runs of examples;
    - shuffle=True visits every example exactly once, in a random order, and each label
      stays with its example (rows stay whole);
    - seed: None leaves the shuffle unseeded; any other value (0 included) makes the order
      depend on the seed alone, so equal seeds give equal batches. The tests check that
      an order repeats, not which order it is.

    Inputs:
    - data: N examples (a list of lists of D floats, or an array of shape (N, D))
    - label: N labels (a list of ints, or an array of shape (N,))
    - batch_size: B, examples per batch
    - shuffle: if True, visit the examples in a random order; if False, keep the given order
    - seed: None, or an int that makes the shuffle repeatable

    Returns a tuple of:
    - batched_data: list of ceil(N / B) arrays, each of shape (B, D) (the last may be shorter)
    - batched_label: list of ceil(N / B) int arrays, each of shape (B,) (the last may be shorter)
    """
    # TODO: task 5.2 - cut data and labels into batches (shuffled together when asked).
    # BEGIN SOLUTION
    if seed is not None:
        np.random.seed(seed)
    data = np.asarray(data, dtype=np.float64)
    label = np.asarray(label, dtype=np.int64)
    order = np.random.permutation(len(data)) if shuffle else np.arange(len(data))
    batched_data, batched_label = [], []
    for start in range(0, len(data), batch_size):
        idx = order[start:start + batch_size]
        batched_data.append(data[idx])
        batched_label.append(label[idx])
    # END SOLUTION
    return batched_data, batched_label


def train(epoch, batched_train_data, batched_train_label, model, optimizer, debug=True):
    """
    One epoch of minibatch training (GBC section 8.3.1, Algorithm 8.1).

    The contract with the model and the optimizer, which the grader checks by standing
    recorders in for them and reading the calls they receive: each batch, in the given
    order, reaches the model once, in "train" mode, and the optimizer then updates the
    model once, before the next batch; there are no other calls to either.

    Conventions of the result, which the grader also checks:
    - epoch_loss is the plain mean of the batch losses, every batch counting once (a short
      last batch as much as a full one);
    - epoch_acc is the accuracy over all examples of the epoch: each batch's accuracy
      weighted by its number of examples.

    Inputs:
    - epoch: index of the epoch (only for printing)
    - batched_train_data: list of arrays of shape (B_i, D)
    - batched_train_label: list of int arrays of shape (B_i,)
    - model: a network with forward(X, y, mode)
    - optimizer: an optimizer with update(model)
    - debug: if True, print the loss and accuracy now and then

    Returns a tuple (not a list) of:
    - epoch_loss: float, the mean of the batch losses
    - epoch_acc: float, the accuracy over all examples of the epoch
    """
    # TODO: task 5.3 - one training epoch over the batches, as the contract above says.
    # BEGIN SOLUTION
    total_loss, hits, count = 0.0, 0.0, 0
    for idx, (X, y) in enumerate(zip(batched_train_data, batched_train_label, strict=True)):
        start = time.time()
        loss, accuracy = model.forward(X, y, mode="train")
        optimizer.update(model)
        total_loss += loss
        hits += accuracy * X.shape[0]
        count += X.shape[0]
        if debug and idx % 10 == 0:
            print(f"Epoch: [{epoch}][{idx}/{len(batched_train_data)}]\t"
                  f"Batch Time {time.time() - start:.3f}\tBatch Loss {loss:.4f}\t"
                  f"Train Accuracy {accuracy:.4f}")
    epoch_loss = total_loss / len(batched_train_data)
    epoch_acc = hits / count
    # END SOLUTION
    if debug:
        print(f"* Average Accuracy of Epoch {epoch} is: {epoch_acc:.4f}")
    return epoch_loss, epoch_acc


def evaluate(batched_test_data, batched_test_label, model, debug=True):
    """
    Loss and accuracy of the model on a batched data set, without training.

    The contract, checked as in train: each batch, in the given order, reaches the model
    once, in a mode other than "train" ("valid" in this course), and nothing updates or
    changes the model.

    Conventions of the result, as in train: epoch_loss is the plain mean of the batch
    losses; epoch_acc is the accuracy over all examples, each batch weighted by its number
    of examples, so that it is the model's accuracy on the whole set.

    Inputs:
    - batched_test_data: list of arrays of shape (B_i, D)
    - batched_test_label: list of int arrays of shape (B_i,)
    - model: a network with forward(X, y, mode)
    - debug: if True, print the loss and accuracy now and then

    Returns a tuple (not a list) of:
    - epoch_loss: float, the mean of the batch losses
    - epoch_acc: float, the accuracy over all examples
    """
    # TODO: task 5.4 - evaluation loop over the batches, as the contract above says.
    # BEGIN SOLUTION
    total_loss, hits, count = 0.0, 0.0, 0
    for idx, (X, y) in enumerate(zip(batched_test_data, batched_test_label, strict=True)):
        loss, accuracy = model.forward(X, y, mode="valid")
        total_loss += loss
        hits += accuracy * X.shape[0]
        count += X.shape[0]
        if debug and idx % 10 == 0:
            print(f"Evaluate: [{idx}/{len(batched_test_data)}]\tBatch Accuracy {accuracy:.4f}")
    epoch_loss = total_loss / len(batched_test_data)
    epoch_acc = hits / count
    # END SOLUTION
    if debug:
        print(f"* Validation Accuracy: {epoch_acc:.4f}")
    return epoch_loss, epoch_acc


def plot_curves(train_loss_history, train_acc_history, valid_loss_history,
                valid_acc_history, path="curves.png", title=""):
    """
    Save the learning curves (loss and accuracy per epoch, train and validation) as a PNG.

    Inputs:
    - train_loss_history, train_acc_history: lists of E floats, one per epoch
    - valid_loss_history, valid_acc_history: lists of E floats, one per epoch
    - path: where to write the image
    - title: a title over both panels (e.g. the model name)

    Returns the path written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = np.arange(1, len(train_loss_history) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, train_loss_history, label="train")
    ax_loss.plot(epochs, valid_loss_history, label="validation")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss")
    ax_loss.legend()
    ax_acc.plot(epochs, train_acc_history, label="train")
    ax_acc.plot(epochs, valid_acc_history, label="validation")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
