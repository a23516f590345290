"""Where the images come from: the real MNIST on disk, or an embedded stand-in.

This is a support file: students do not submit it, and it is the only file of the
assignment that may import scikit-learn (for its bundled 8x8 digits).

Order of preference (``SOURCE = "auto"``):
  1. MNIST as CSV: ``data/mnist_train.csv`` and ``data/mnist_test.csv`` (label first,
     then 784 pixel values in 0..255, an optional header row).
  2. MNIST as IDX: ``train-images-idx3-ubyte`` etc. (optionally ``.gz``) in ``data/``,
     ``data/MNIST/raw/`` (where torchvision puts them) or ``data/raw/``.
  3. scikit-learn's bundled digits (1797 images, 8x8), resized to 20x20 and centred in a
     28x28 frame the way MNIST is, so the 784-feature contract holds. A one-line notice
     says so.
Set ``SOURCE = "digits"`` or ``"mnist"`` (or, while SOURCE is "auto", the environment
variable ``A1_DATA``) to force one of them. ``data/get_data.sh`` fetches MNIST on a course machine.
"""

import gzip
import os
import struct

import numpy as np

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SOURCE = "auto"            # "auto", "mnist" or "digits"
DIGITS_TEST_FRACTION = 0.2  # share of the embedded digits held out as the test set
DIGITS_SPLIT_SEED = 0       # fixed shuffle of the embedded digits before the split

_IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_notice_shown = False


def load_split(split):
    """
    Load one split of the image data.

    Inputs:
    - split: "train" (the data that load_mnist_trainval divides into train and
      validation) or "test".

    Returns a tuple of:
    - images: float64 array of shape (N, 784), values in [0, 1]
    - labels: int64 array of shape (N,), values in 0..9
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    source = SOURCE if SOURCE != "auto" else os.environ.get("A1_DATA", "auto")
    if source not in ("auto", "mnist", "digits"):
        raise ValueError(f"data source must be 'auto', 'mnist' or 'digits', got {source!r}")
    if source in ("auto", "mnist"):
        found = _load_mnist_csv(split) or _load_mnist_idx(split)
        if found is not None:
            return found
        if source == "mnist":
            raise FileNotFoundError(
                f"no MNIST files for split {split!r} under {DATA_DIR}; run data/get_data.sh"
            )
    return _load_digits(split)


def _load_mnist_csv(split):
    path = os.path.join(DATA_DIR, f"mnist_{split}.csv")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        first = f.readline()
    skip = 0 if first.split(",")[0].strip().isdigit() else 1
    table = np.loadtxt(path, delimiter=",", skiprows=skip, dtype=np.float64, ndmin=2)
    return table[:, 1:] / 255.0, table[:, 0].astype(np.int64)


def _find_idx(name):
    for folder in (DATA_DIR, os.path.join(DATA_DIR, "MNIST", "raw"), os.path.join(DATA_DIR, "raw")):
        for candidate in (name, name + ".gz"):
            path = os.path.join(folder, candidate)
            if os.path.exists(path):
                return path
    return None


def _read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _load_mnist_idx(split):
    image_name, label_name = _IDX_NAMES[split]
    image_path, label_path = _find_idx(image_name), _find_idx(label_name)
    if image_path is None or label_path is None:
        return None
    images = _read_idx(image_path).reshape(-1, 784).astype(np.float64) / 255.0
    return images, _read_idx(label_path).astype(np.int64)


def _resize_matrix(n_out, n_in):
    """(n_out, n_in) matrix of bilinear weights that resamples a length-n_in signal."""
    centres = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
    centres = np.clip(centres, 0, n_in - 1)
    low = np.floor(centres).astype(int)
    high = np.minimum(low + 1, n_in - 1)
    frac = centres - low
    weights = np.zeros((n_out, n_in))
    weights[np.arange(n_out), low] += 1.0 - frac
    weights[np.arange(n_out), high] += frac
    return weights


def digits_as_mnist():
    """All 1797 bundled digits as (N, 784) float64 images in [0, 1] and (N,) int labels."""
    from sklearn.datasets import load_digits  # only here: students' files never import it

    digits = load_digits()
    small = digits.images / 16.0                     # (N, 8, 8) in [0, 1]
    resize = _resize_matrix(20, 8)                   # (20, 8)
    big = np.einsum("ij,njk,lk->nil", resize, small, resize)   # (N, 20, 20)
    frame = np.zeros((small.shape[0], 28, 28))
    frame[:, 4:24, 4:24] = np.clip(big, 0.0, 1.0)    # centred like MNIST
    return frame.reshape(-1, 784), digits.target.astype(np.int64)


def _load_digits(split):
    global _notice_shown
    if not _notice_shown:
        print("[data] MNIST not found under data/: using scikit-learn's bundled digits "
              "resized to 28x28 (run data/get_data.sh for the real MNIST)")
        _notice_shown = True
    images, labels = digits_as_mnist()
    order = np.random.RandomState(DIGITS_SPLIT_SEED).permutation(len(labels))
    n_test = int(round(DIGITS_TEST_FRACTION * len(labels)))
    keep = order[n_test:] if split == "train" else order[:n_test]
    return images[keep], labels[keep]
