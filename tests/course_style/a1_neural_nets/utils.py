"""Course-style utils.py: the data come from ./data/*.csv, read by the student's own code."""

import time

import numpy as np


def load_csv(path):
    """Read an MNIST CSV file: one image per line, the label first, then 784 pixels 0-255."""
    data, labels = [], []
    with open(path, "r") as fp:
        for line in fp.readlines():
            values = line.rstrip().split(",")
            labels.append(int(values[0]))
            data.append([int(px) / 255 for px in values[1:]])
    return data, labels


def load_mnist_trainval():
    print("Loading training data...")
    data, label = load_csv("./data/mnist_train.csv")
    assert len(data) == len(label)
    print("Training data loaded with {count} images".format(count=len(data)))
    cut = int(len(data) * 0.8)
    train_data, train_label = data[:cut], label[:cut]
    val_data, val_label = data[cut:], label[cut:]
    return train_data, train_label, val_data, val_label


def load_mnist_test():
    print("Loading testing data...")
    data, label = load_csv("./data/mnist_test.csv")
    assert len(data) == len(label)
    print("Testing data loaded with {count} images".format(count=len(data)))
    return data, label


def generate_batched_data(data, label, batch_size=32, shuffle=False, seed=None):
    if seed:
        np.random.seed(seed)
    data, label = np.array(data), np.array(label)
    indices = np.arange(len(data))
    if shuffle:
        np.random.shuffle(indices)
    batched_data, batched_label = [], []
    for i in range(0, len(data), batch_size):
        batched_data.append(data[indices[i:i + batch_size]])
        batched_label.append(label[indices[i:i + batch_size]])
    return batched_data, batched_label


def train(epoch, batched_train_data, batched_train_label, model, optimizer, debug=True):
    epoch_loss = 0.0
    hits = 0
    count_samples = 0.0
    for idx, (input, target) in enumerate(zip(batched_train_data, batched_train_label)):  # noqa: B905
        start_time = time.time()
        loss, accuracy = model.forward(input, target, mode="train")
        optimizer.update(model)
        epoch_loss += loss
        hits += accuracy * input.shape[0]
        count_samples += input.shape[0]
        forward_time = time.time() - start_time
        if idx % 10 == 0 and debug:
            print(("Epoch: [{0}][{1}/{2}]\tBatch Time {batch_time:.3f} \tBatch Loss {loss:.4f}\t"
                   "Train Accuracy {accuracy:.4f}\t").format(epoch, idx, len(batched_train_data),
                                                             batch_time=forward_time, loss=loss,
                                                             accuracy=accuracy))
    epoch_loss /= len(batched_train_data)
    epoch_acc = hits / count_samples
    if debug:
        print("* Average Accuracy of Epoch {} is: {:.4f}".format(epoch, epoch_acc))
    return epoch_loss, epoch_acc


def evaluate(batched_test_data, batched_test_label, model, debug=True):
    epoch_loss = 0.0
    hits = 0
    count_samples = 0.0
    for idx, (input, target) in enumerate(zip(batched_test_data, batched_test_label)):  # noqa: B905
        loss, accuracy = model.forward(input, target, mode="valid")
        epoch_loss += loss
        hits += accuracy * input.shape[0]
        count_samples += input.shape[0]
        if debug:
            print(("Evaluate: [{0}/{1}]\tBatch Accuracy {accuracy:.4f}\t").format(
                idx, len(batched_test_data), accuracy=accuracy))
    epoch_loss /= len(batched_test_data)
    epoch_acc = hits / count_samples
    return epoch_loss, epoch_acc
