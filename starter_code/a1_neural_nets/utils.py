"""Data loading, batching, and the train / evaluate loops."""

import time

import data_sources
import numpy as np


def _as_lists(images, labels):
    """(N, 784) and (N,) arrays -> a list of N lists of 784 floats and a list of N ints."""
    return images.tolist(), [int(label) for label in labels]


def load_mnist_trainval():
    """
    Load the training images and split them into a training and a validation set.

    The images come from data_sources: the real MNIST when it is under data/, otherwise
    scikit-learn's digits resized to 28x28. Those digits also exist as data/mnist_train.csv
    (MNIST's CSV layout: the label, then 784 pixel values in 0..255, no header; main.py
    writes it, and so does the grader), so a loader that reads that file works as well.

    Returns a tuple of:
    - train_data: list of the first int(0.8 * N) images, each a list of 784 floats in [0, 1]
    - train_label: list of their labels (ints)
    - val_data: list of the remaining images, in their original order
    - val_label: list of their labels (ints)
    """
    data, label = _as_lists(*data_sources.load_split("train"))
    # TODO: task 5.1 - split: the first int(0.8 * N) examples train, the rest validation.
    # Keep the order; do not shuffle.
    raise NotImplementedError('task 5.1 - split: the first int(0.8 * N) examples train, the rest validation. (utils.py)')
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
    Cut a data set into batches.

    Inputs:
    - data: N examples (a list of lists of D floats, or an array of shape (N, D))
    - label: N labels (a list of ints, or an array of shape (N,))
    - batch_size: B, examples per batch; the last batch holds the N % B left over (if any)
    - shuffle: if True, visit the examples in a random order (the same order for data and
      labels); if False, keep the given order
    - seed: if not None, call np.random.seed(seed) first so that the shuffle is repeatable

    Returns a tuple of:
    - batched_data: list of ceil(N / B) arrays, each of shape (B, D) (the last may be shorter)
    - batched_label: list of ceil(N / B) int arrays, each of shape (B,) (the last may be shorter)
    """
    # TODO: task 5.2 - cut data and labels into batches (shuffled together when asked).
    # Turn both into arrays first, then slice consecutive batches.
    raise NotImplementedError('task 5.2 - cut data and labels into batches (shuffled together when asked). (utils.py)')
    return batched_data, batched_label


def train(epoch, batched_train_data, batched_train_label, model, optimizer, debug=True):
    """
    One epoch of training: for each batch, a forward pass in train mode, then one
    optimizer update.

    Inputs:
    - epoch: index of the epoch (only for printing)
    - batched_train_data: list of arrays of shape (B_i, D)
    - batched_train_label: list of int arrays of shape (B_i,)
    - model: a network with forward(X, y, mode)
    - optimizer: an optimizer with update(model)
    - debug: if True, print the loss and accuracy now and then

    Returns a tuple of:
    - epoch_loss: float, the mean of the batch losses
    - epoch_acc: float, the accuracy over all examples of the epoch (each batch weighted
      by its number of examples)
    """
    # TODO: task 5.3 - one training epoch: forward in train mode, then optimizer.update.
    # For each batch call model.forward(X, y, mode="train"), then optimizer.update(model);
    # collect the losses and the number of correct predictions.
    raise NotImplementedError('task 5.3 - one training epoch: forward in train mode, then optimizer.update. (utils.py)')
    if debug:
        print(f"* Average Accuracy of Epoch {epoch} is: {epoch_acc:.4f}")
    return epoch_loss, epoch_acc


def evaluate(batched_test_data, batched_test_label, model, debug=True):
    """
    Loss and accuracy of the model on a batched data set, without training.

    Inputs:
    - batched_test_data: list of arrays of shape (B_i, D)
    - batched_test_label: list of int arrays of shape (B_i,)
    - model: a network with forward(X, y, mode); call it with mode="valid" so that no
      gradient is computed
    - debug: if True, print the loss and accuracy now and then

    Returns a tuple of:
    - epoch_loss: float, the mean of the batch losses
    - epoch_acc: float, the accuracy over all examples (each batch weighted by its size)
    """
    # TODO: task 5.4 - evaluation loop: forward with mode="valid", no update.
    raise NotImplementedError('task 5.4 - evaluation loop: forward with mode="valid", no update. (utils.py)')
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
