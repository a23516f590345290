"""Build-time fixtures of a2_cnns: the leaderboard test set.

`autograder build` calls build(out_dir, solution_dir) with the solution folder on sys.path.
By default the set is the embedded one: data_utils.generate_shapes(1000, SHAPES_TEST_SEED),
the same images as the test loader of main.py --data shapes, so it is deterministic.
When the TA sets A2_CIFAR10_ROOT to a folder holding torchvision's cifar-10-batches-py
(torchvision must be installed where the build runs), the first A2_LEADERBOARD_SIZE images
of the real CIFAR-10 test set (default 2000; at most 10000) are shipped instead. Keep that
number modest: every checkpoint is evaluated on it on Gradescope's half CPU, within the
per-test time limit of the manifest. Retrain the reference checkpoints on CIFAR-10 too
(train_reference.py --data cifar10), or `autograder verify` will report the thresholds missed.

Written: leaderboard_test.npz with
  images: uint8 (N, 3, 32, 32), labels: int64 (N,), source: the name of the set.
The worker never reads it: the grader sends the normalized images and keeps the labels.
"""

import os
from pathlib import Path

import numpy as np


def build(out_dir: Path, solution_dir: Path) -> None:
    import data_utils

    root = os.environ.get("A2_CIFAR10_ROOT")
    if root:
        size = int(os.environ.get("A2_LEADERBOARD_SIZE", "2000"))
        images, labels = data_utils.load_cifar10(root=root, train=False, download=False)
        images, labels = images[:size], labels[:size]
        source = f"cifar10-test (first {len(labels)} images)"
    else:
        images, labels = data_utils.generate_shapes(1000, data_utils.SHAPES_TEST_SEED)
        source = f"generated-shapes(1000, seed={data_utils.SHAPES_TEST_SEED})"
    images = np.ascontiguousarray(images, dtype=np.uint8)
    labels = np.asarray(labels, dtype=np.int64)
    if images.shape[1:] != (3, 32, 32) or len(images) != len(labels):
        raise ValueError(f"leaderboard set has images {images.shape} and labels {labels.shape}")
    np.savez_compressed(Path(out_dir) / "leaderboard_test.npz", images=images, labels=labels,
                        source=np.array(source))
