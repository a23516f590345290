"""Where the images come from: CIFAR-10 on course machines, generated shapes offline.

This is a support file (students do not submit it).

- ``load_cifar10`` / ``ImbalanceCIFAR10``: torchvision's CIFAR-10 (``download=True`` fetches
  it into ``data/``), and a long-tailed version of its training set; ``split_valid`` holds out
  the validation images.
- ``generate_shapes``: the embedded default, used by the tests, by ``overfit_small.py`` and
  by ``main.py --data shapes``. Ten classes of simple shapes (disk, ring, square, frame,
  horizontal stripes, vertical stripes, plus, cross, triangle, checkerboard) drawn brighter than a
  random noisy background, in a random colour, size and place near the centre, as 32x32 RGB images. The same seed
  always gives the same images, on every machine.
NumPy only at the top, so Part 1 can use the generated images without PyTorch.
"""

import os

import numpy as np

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
CLASSES = ("disk", "ring", "square", "frame", "h-stripes", "v-stripes", "plus", "cross",
           "triangle", "checker")
# what every image is normalized with before it reaches a model, in training and in the
# leaderboard (the usual CIFAR-10 statistics)
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2023, 0.1994, 0.2010)
SHAPES_TRAIN_SEED = 0
SHAPES_TEST_SEED = 1
SHAPES_VALID_SEED = 2
CIFAR10_VALID_PER_CLASS = 500  # the last 500 training images of each class validate; 4,500 per class train
JITTER = 8.0  # how far (pixels) a shape's centre may move from the image centre


def _shape_mask(label, rows, cols, cy, cx, r, rng):
    """Boolean (32, 32) mask of one shape of the given class around (cy, cx) of size r."""
    dy, dx = rows - cy, cols - cx
    inside = (np.abs(dy) <= r) & (np.abs(dx) <= r)
    width = max(1.0, r / 3.0)
    if label == 0:    # disk
        return dy ** 2 + dx ** 2 <= r ** 2
    if label == 1:    # ring
        d = np.sqrt(dy ** 2 + dx ** 2)
        return (d <= r) & (d >= r - width)
    if label == 2:    # square
        return inside
    if label == 3:    # frame
        return inside & ((np.abs(dy) >= r - width) | (np.abs(dx) >= r - width))
    period = rng.integers(2, 4)  # stripe width in pixels
    if label == 4:    # horizontal stripes
        return inside & ((rows // period) % 2 == 0)
    if label == 5:    # vertical stripes
        return inside & ((cols // period) % 2 == 0)
    if label == 6:    # plus
        return inside & ((np.abs(dy) <= width / 2 + 0.5) | (np.abs(dx) <= width / 2 + 0.5))
    if label == 7:    # cross (an X)
        return inside & ((np.abs(dy - dx) <= width / 2 + 0.5) | (np.abs(dy + dx) <= width / 2 + 0.5))
    if label == 8:    # triangle, pointing up
        return inside & (np.abs(dx) <= (dy + r) / 2)
    # checkerboard
    cell = rng.integers(2, 4)
    return inside & (((rows // cell) + (cols // cell)) % 2 == 0)


def generate_shapes(n, seed=SHAPES_TRAIN_SEED):
    """
    Generate the embedded image set: balanced classes, in a shuffled order.

    Inputs:
    - n: the number of images
    - seed: the seed of the generator; the same (n, seed) always gives the same images

    Returns a tuple of:
    - images: uint8 array of shape (n, 3, 32, 32), RGB
    - labels: int64 array of shape (n,), values in 0..9
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(CLASSES)).astype(np.int64)
    rows, cols = np.mgrid[0:32, 0:32].astype(np.float64)
    images = np.empty((n, 3, 32, 32), dtype=np.uint8)
    for i, label in enumerate(labels):
        background = rng.uniform(0.0, 0.5, size=3)
        # a gentle gradient across the background, in a random direction
        angle = rng.uniform(0, 2 * np.pi)
        ramp = (np.cos(angle) * (cols - 16) + np.sin(angle) * (rows - 16)) / 32.0
        image = background[:, None, None] + rng.uniform(0.0, 0.2) * ramp[None]
        foreground = background + rng.uniform(0.15, 0.45, size=3)  # brighter than the background
        r = rng.uniform(6.0, 11.0)
        cy, cx = 15.5 + rng.uniform(-JITTER, JITTER, size=2)  # near the centre
        mask = _shape_mask(int(label), rows, cols, cy, cx, r, rng)
        image = np.where(mask[None], foreground[:, None, None], image)
        image = image + rng.normal(0.0, rng.uniform(0.05, 0.3), size=image.shape)
        images[i] = np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)
    return images, labels


def normalize(images):
    """
    Turn uint8 images into the float32 model input used everywhere in this assignment.

    Inputs:
    - images: uint8 array of shape (N, 3, H, W)

    Returns:
    - float32 array of shape (N, 3, H, W): (images / 255 - MEAN) / STD per channel
    """
    x = images.astype(np.float32) / 255.0
    mean = np.asarray(MEAN, dtype=np.float32)[None, :, None, None]
    std = np.asarray(STD, dtype=np.float32)[None, :, None, None]
    return (x - mean) / std


def imbalanced_counts(n_max, num_classes=10, imb_factor=0.01):
    """
    Images per class of the long-tailed (exponential) profile: class c keeps
    n_max * imb_factor ** (c / (num_classes - 1)) images.

    Returns:
    - list of num_classes ints, from n_max down to n_max * imb_factor
    """
    return [int(n_max * imb_factor ** (c / (num_classes - 1))) for c in range(num_classes)]


def subsample_imbalanced(labels, counts, seed=0):
    """
    Indices that keep the first counts[c] examples of every class c.

    Inputs:
    - labels: int array of shape (N,)
    - counts: list with the number of examples to keep per class

    Returns:
    - int64 array of indices into labels, in increasing order
    """
    keep = []
    for c, count in enumerate(counts):
        keep.extend(np.flatnonzero(labels == c)[:count].tolist())
    return np.sort(np.asarray(keep, dtype=np.int64))


def load_cifar10(root=DATA_DIR, train=True, download=True):
    """
    torchvision's CIFAR-10 as uint8 arrays (course machines; downloads into root).

    Returns a tuple of:
    - images: uint8 array of shape (N, 3, 32, 32)
    - labels: int64 array of shape (N,)
    """
    import torchvision

    try:
        dataset = torchvision.datasets.CIFAR10(root=root, train=train, download=download)
    except (OSError, RuntimeError) as exc:  # no network, or no copy in root
        raise SystemExit(f"CIFAR-10 is not in {root} and could not be downloaded ({type(exc).__name__}: {exc}).\n"
                         "Run this on a machine with network access once, copy cifar-10-batches-py into that "
                         "folder, or use the embedded generated shapes: --data shapes") from None
    images = np.ascontiguousarray(dataset.data.transpose(0, 3, 1, 2))
    return images, np.asarray(dataset.targets, dtype=np.int64)


def split_valid(labels, per_class):
    """
    Hold out the last `per_class` examples of every class for validation.

    Inputs:
    - labels: int array of shape (N,)
    - per_class: how many examples of each class to hold out

    Returns a tuple of:
    - train_idx, valid_idx: int64 arrays of indices into labels, in increasing order
    """
    valid = np.concatenate([np.flatnonzero(labels == c)[-per_class:] for c in np.unique(labels)])
    mask = np.zeros(len(labels), dtype=bool)
    mask[valid] = True
    return np.flatnonzero(~mask).astype(np.int64), np.flatnonzero(mask).astype(np.int64)


class ImbalanceCIFAR10:
    """
    The CIFAR-10 training images left for training once the validation images are held out
    (4,500 per class), with an exponential (long-tailed) class profile: class c keeps
    4500 * imb_factor ** (c / 9) images (4,500 for class 0, 45 for class 9 at 0.01).
    """

    def __init__(self, root=DATA_DIR, imb_factor=0.01, download=True):
        images, labels = load_cifar10(root, train=True, download=download)
        train, _ = split_valid(labels, CIFAR10_VALID_PER_CLASS)
        images, labels = images[train], labels[train]
        self.cls_num_list = imbalanced_counts(int(np.bincount(labels).min()), 10, imb_factor)
        keep = subsample_imbalanced(labels, self.cls_num_list)
        self.images, self.labels = images[keep], labels[keep]

    def get_cls_num_list(self):
        return list(self.cls_num_list)


def get_loaders(data="shapes", batch_size=128, train_size=None):
    """
    Training, validation and test loaders of normalized float32 images.

    The validation set chooses the best epoch (and anything else you tune); the test set is
    measured once, on the model so chosen. The validation and test sets are balanced.

    Inputs:
    - data: "shapes" (the embedded default: 10000 generated training images, seed 0; 1000
      validation images, seed 2; 1000 test images, seed 1), "imbalanced-shapes" (the same, the
      training images with the 0.01 exponential profile), "cifar10" (torchvision, downloaded into
      data/: the last 500 training images of each class validate, the other 45,000 train; the 10,000
      test images test) or "imbalanced-cifar10" (the same, the 45,000 with the 0.01 profile)
    - batch_size: images per training batch
    - train_size: optionally use only the first train_size training images

    Returns a tuple of:
    - train_loader, valid_loader, test_loader: torch DataLoaders yielding (images, labels)
    - cls_num_list: list of the number of training images per class
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    if data in ("shapes", "imbalanced-shapes"):
        x_train, y_train = generate_shapes(10000, SHAPES_TRAIN_SEED)
        x_valid, y_valid = generate_shapes(1000, SHAPES_VALID_SEED)
        x_test, y_test = generate_shapes(1000, SHAPES_TEST_SEED)
        if data == "imbalanced-shapes":
            keep = subsample_imbalanced(y_train, imbalanced_counts(1000, 10, 0.01))
            x_train, y_train = x_train[keep], y_train[keep]
    elif data == "cifar10":
        images, labels = load_cifar10(train=True)
        train, valid = split_valid(labels, CIFAR10_VALID_PER_CLASS)
        x_train, y_train, x_valid, y_valid = images[train], labels[train], images[valid], labels[valid]
        x_test, y_test = load_cifar10(train=False)
    elif data == "imbalanced-cifar10":
        imbalanced = ImbalanceCIFAR10()
        x_train, y_train = imbalanced.images, imbalanced.labels
        images, labels = load_cifar10(train=True)
        _, valid = split_valid(labels, CIFAR10_VALID_PER_CLASS)
        x_valid, y_valid = images[valid], labels[valid]
        x_test, y_test = load_cifar10(train=False)
    else:
        raise ValueError(f"unknown data {data!r}: use shapes, imbalanced-shapes, cifar10 or imbalanced-cifar10")
    if train_size is not None:
        x_train, y_train = x_train[:train_size], y_train[:train_size]
    cls_num_list = np.bincount(y_train, minlength=10).tolist()
    train = TensorDataset(torch.from_numpy(normalize(x_train)), torch.from_numpy(y_train))
    valid = TensorDataset(torch.from_numpy(normalize(x_valid)), torch.from_numpy(y_valid))
    test = TensorDataset(torch.from_numpy(normalize(x_test)), torch.from_numpy(y_test))
    generator = torch.Generator().manual_seed(0)
    return (DataLoader(train, batch_size=batch_size, shuffle=True, generator=generator),
            DataLoader(valid, batch_size=256, shuffle=False), DataLoader(test, batch_size=256, shuffle=False),
            cls_num_list)
