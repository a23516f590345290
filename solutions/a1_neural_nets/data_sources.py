"""Where the images come from: the real MNIST on disk, or an embedded stand-in.

This is a support file: students do not submit it, and no submitted file may import
scikit-learn. The small table of digits that scikit-learn ships is copied beside this file,
as ``digits_8x8.csv.gz``, so that nothing here needs scikit-learn (the grader's workers
refuse it at run time).

Order of preference (``SOURCE = "auto"``):
  1. MNIST as IDX: ``train-images-idx3-ubyte`` etc. (optionally ``.gz``) in ``data/``,
     ``data/MNIST/raw/`` (where torchvision puts them) or ``data/raw/``.
  2. MNIST as CSV: ``data/mnist_train.csv`` and ``data/mnist_test.csv`` (label first, then
     784 pixel values in 0..255, an optional header row), unless those files are the
     embedded digits written by ``write_embedded_csv``.
  3. The embedded digits: scikit-learn's 1797 bundled 8x8 digits, resized to 20x20,
     centred in a 28x28 frame as MNIST is, and stored as whole numbers 0..255 like MNIST's
     pixels, so every image is 784 values in [0, 1]. 359 of them are the test split.
     ``write_embedded_csv`` also writes them as ``data/mnist_train.csv`` and
     ``data/mnist_test.csv`` in MNIST's CSV layout, so a loader written for those files
     reads exactly the images ``load_split`` returns.
Set ``SOURCE = "digits"`` or ``"mnist"`` (or, while SOURCE is "auto", the environment
variable ``A1_DATA``) to force one of them. ``data/get_data.sh`` fetches MNIST on a course
machine.
"""

import gzip
import importlib.util
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
_cache = {}
_notice_shown = False


def _check_split(split):
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")


def requested_source():
    """The source asked for: SOURCE, or A1_DATA while SOURCE is "auto"."""
    source = SOURCE if SOURCE != "auto" else os.environ.get("A1_DATA", "auto")
    if source not in ("auto", "mnist", "digits"):
        raise ValueError(f"data source must be 'auto', 'mnist' or 'digits', got {source!r}")
    return source


def resolve():
    """What load_split serves now: "mnist-idx", "mnist-csv" or "digits"."""
    source = requested_source()
    if source == "digits":
        return "digits"
    if all(_find_idx(name) for split in _IDX_NAMES for name in _IDX_NAMES[split]):
        return "mnist-idx"
    if all(_real_csv(split) for split in ("train", "test")):
        return "mnist-csv"
    if source == "mnist":
        raise FileNotFoundError(
            f"no MNIST files under {DATA_DIR} (IDX or mnist_train.csv / mnist_test.csv); "
            "run data/get_data.sh on a machine with internet access"
        )
    return "digits"


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
    _check_split(split)
    kind = resolve()
    if kind == "mnist-idx":
        return _load_mnist_idx(split)
    if kind == "mnist-csv":
        return _load_mnist_csv(os.path.join(DATA_DIR, f"mnist_{split}.csv"))
    global _notice_shown
    if not _notice_shown and requested_source() == "auto":
        print("[data] MNIST not found under data/: using scikit-learn's bundled digits "
              "resized to 28x28 (run data/get_data.sh for the real MNIST)")
        _notice_shown = True
    pixels, labels = embedded_split(split)
    return pixels / 255.0, labels


# ---- the embedded digits

def _digits_8x8():
    """scikit-learn's digits as (1797, 8, 8) values in 0..16 and (1797,) labels.

    The table is read from digits_8x8.csv.gz beside this file, a copy of the one
    scikit-learn ships (each row: 64 pixel values, then the label); without that file,
    from scikit-learn.
    """
    own = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits_8x8.csv.gz")
    spec = None if os.path.isfile(own) else importlib.util.find_spec("sklearn")
    candidates = [own] + [os.path.join(folder, "datasets", "data", "digits.csv.gz")
                          for folder in (spec.submodule_search_locations or [] if spec else [])]
    for path in candidates:
        if os.path.isfile(path):
            table = np.loadtxt(path, delimiter=",", dtype=np.float64)
            return table[:, :-1].reshape(-1, 8, 8), table[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.images, digits.target.astype(np.int64)


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
    """All 1797 digits as (N, 784) uint8 pixels in 0..255 (28x28 images) and (N,) labels."""
    if "all" not in _cache:
        small, labels = _digits_8x8()
        small = small / 16.0                                        # (N, 8, 8) in [0, 1]
        resize = _resize_matrix(20, 8)                              # (20, 8)
        big = np.einsum("ij,njk,lk->nil", resize, small, resize)    # (N, 20, 20)
        frame = np.zeros((small.shape[0], 28, 28))
        frame[:, 4:24, 4:24] = np.clip(big, 0.0, 1.0)               # centred like MNIST
        pixels = np.round(frame * 255.0).astype(np.uint8).reshape(-1, 784)
        _cache["all"] = (pixels, labels)
    return _cache["all"]


def embedded_split(split):
    """One split of the embedded digits: (N, 784) uint8 pixels and (N,) int64 labels."""
    _check_split(split)
    pixels, labels = digits_as_mnist()
    order = np.random.RandomState(DIGITS_SPLIT_SEED).permutation(len(labels))
    n_test = int(round(DIGITS_TEST_FRACTION * len(labels)))
    keep = order[n_test:] if split == "train" else order[:n_test]
    return pixels[keep], labels[keep]


def csv_text(pixels, labels):
    """MNIST's CSV layout: one line per image, the label then 784 whole numbers, no header."""
    names = np.array([str(v) for v in range(256)], dtype=object)
    lines = [f"{int(label)}," + ",".join(names[row]) for label, row in zip(labels, pixels, strict=True)]
    return "\n".join(lines) + "\n"


def _embedded_csv(split):
    key = f"csv-{split}"
    if key not in _cache:
        _cache[key] = csv_text(*embedded_split(split)).encode("ascii")
    return _cache[key]


def write_embedded_csv(data_dir=None):
    """
    Write the embedded digits as data/mnist_train.csv and data/mnist_test.csv, so that a
    loader reading those files sees the images load_split serves. A file that already
    exists is left alone (it may be the real MNIST).

    Returns the list of paths written.
    """
    data_dir = DATA_DIR if data_dir is None else data_dir
    os.makedirs(data_dir, exist_ok=True)
    written = []
    for split in ("train", "test"):
        path = os.path.join(data_dir, f"mnist_{split}.csv")
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(_embedded_csv(split))
            written.append(path)
    return written


def is_embedded_csv(path):
    """Whether the file at ``path`` holds the embedded digits as write_embedded_csv wrote them."""
    split = "test" if os.path.basename(path) == "mnist_test.csv" else "train"
    expected = _embedded_csv(split)
    if not os.path.isfile(path) or os.path.getsize(path) != len(expected):
        return False
    with open(path, "rb") as f:
        return f.read() == expected


# ---- the real MNIST

def _real_csv(split):
    path = os.path.join(DATA_DIR, f"mnist_{split}.csv")
    return os.path.isfile(path) and not is_embedded_csv(path)


def _load_mnist_csv(path):
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
    images = _read_idx(_find_idx(image_name)).reshape(-1, 784).astype(np.float64) / 255.0
    return images, _read_idx(_find_idx(label_name)).astype(np.int64)
