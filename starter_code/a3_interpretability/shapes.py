"""The offline model of this assignment: a small CNN trained in seconds on generated shapes.

A network with random weights has nothing to explain: its saliency maps and Grad-CAMs are
noise. Without internet (no pretrained SqueezeNet) visualize.py therefore explains this
network instead. Every image holds one object (a disk, a square, a triangle or a plus) of a
random colour, size and place, over a coloured gradient with noise and two distracting
strokes; the class depends on the object's shape only, so a trained network must look at
the object, and good maps highlight it. `generate_shapes` also returns the object's mask,
which lets visualize.py measure how much of a map falls on the object.

The network has SqueezeNet's layout (`features`, then `classifier`), so that `features[12]`
is again the output of its last convolutional stage (Grad-CAM's layer) and the default
style-transfer layers exist. This is a support file: you do not edit or submit it.
"""
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from image_utils import SQUEEZENET_MEAN, SQUEEZENET_STD

CLASSES = ("disk", "square", "triangle", "plus")
IMAGE_SIZE = 64
NOISE = 0.04
RUN_NAME = "shapes_cnn"
# Adam with a one-cycle learning rate (up to learning_rate, then down) on 1000 images: about
# 13 CPU seconds on one core, validation accuracy 0.97.
TRAIN_CONFIG = {"train_images": 1000, "val_images": 500, "image_size": IMAGE_SIZE, "epochs": 5,
                "batch_size": 16, "learning_rate": 4e-3, "data_seed": 0, "model_seed": 0}


# --- data ----------------------------------------------------------------------------------

def _object_mask(label, rows, cols, cy, cx, r):
    """Boolean (H, W) mask of an object of class `label`, centred at (cy, cx), half-size r."""
    dy, dx = rows - cy, cols - cx
    if label == 0:                                           # disk
        return dy ** 2 + dx ** 2 <= r ** 2
    if label == 1:                                           # square, a little smaller than the disk's box
        return (np.abs(dy) <= 0.85 * r) & (np.abs(dx) <= 0.85 * r)
    if label == 2:                                           # triangle pointing up
        return (dy <= 0.8 * r) & (dy >= -r + 2 * np.abs(dx))
    width = 0.35 * r                                         # plus
    return ((np.abs(dy) <= r) & (np.abs(dx) <= width)) | ((np.abs(dx) <= r) & (np.abs(dy) <= width))


def _stroke(rows, cols, rng, size):
    """Mask of a thin straight stroke between two random points."""
    (y0, x0), (y1, x1) = rng.uniform(0, size, (2, 2))
    t = np.clip(((rows - y0) * (y1 - y0) + (cols - x0) * (x1 - x0)) / max((y1 - y0) ** 2 + (x1 - x0) ** 2, 1e-6),
                0, 1)
    return (rows - y0 - t * (y1 - y0)) ** 2 + (cols - x0 - t * (x1 - x0)) ** 2 <= 0.8


def _picture(label, rng, size):
    """One picture (H, W, 3) in [0, 1] and its object's mask."""
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    low, high = rng.uniform(0.1, 0.9, (2, 3))
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * rows + np.sin(angle) * cols) / size
    ramp = (ramp - ramp.min()) / max(ramp.max() - ramp.min(), 1e-6)
    img = low + (high - low) * ramp[..., None]
    for _ in range(2):
        img[_stroke(rows, cols, rng, size)] = rng.uniform(0, 1, 3)
    r = rng.uniform(0.2, 0.32) * size
    cy, cx = rng.uniform(r + 1, size - r - 1, 2)
    mask = _object_mask(label, rows, cols, cy, cx, r)
    colour = rng.uniform(0, 1, 3)
    while np.abs(colour - img[mask].mean(axis=0)).max() < 0.35:   # the object must stand out
        colour = rng.uniform(0, 1, 3)
    img[mask] = colour
    img = img + rng.normal(0, NOISE, img.shape)
    return np.clip(img, 0, 1), mask


def generate_shapes(n, seed=0, size=IMAGE_SIZE):
    """
    Inputs:
    - n: number of images; the classes take turns (n // 4 or so of each).
    - seed: the same seed gives the same images on every machine.
    - size: side of the square images in pixels.

    Returns:
    - X: Tensor (n, 3, size, size), float32, normalised like the ImageNet photographs
      (image_utils.deprocess shows it).
    - y: LongTensor (n,), indices into CLASSES.
    - masks: BoolTensor (n, size, size), True on the object.
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(CLASSES)
    rng.shuffle(labels)
    pictures, masks = zip(*(_picture(int(label), rng, size) for label in labels), strict=True)
    x = (np.stack(pictures).astype(np.float32) - SQUEEZENET_MEAN) / SQUEEZENET_STD
    return (torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(labels).long(),
            torch.from_numpy(np.stack(masks)))


# --- the network --------------------------------------------------------------------------

def _conv(inplanes, planes):
    return [nn.Conv2d(inplanes, planes, kernel_size=3, padding=1), nn.BatchNorm2d(planes), nn.ReLU()]


class ShapesNet(nn.Module):
    """A small CNN with SqueezeNet's layout: `features`, whose last module features[12] is the
    last convolutional stage (two 3x3 convolutions on 8x8 cells for a 64x64 image, as
    SqueezeNet's features[12] is its last Fire module), then a `classifier` made, as
    SqueezeNet's, of a 1x1 convolution to the class scores and a global average pooling."""

    def __init__(self, num_classes=len(CLASSES)):
        super().__init__()
        self.features = nn.Sequential(
            *_conv(3, 12), nn.MaxPool2d(2),               # 0-3: 64 -> 32
            *_conv(12, 24), nn.MaxPool2d(2),              # 4-7: 32 -> 16
            *_conv(24, 32), nn.MaxPool2d(2),              # 8-11: 16 -> 8
            nn.Sequential(*_conv(32, 48), *_conv(48, 48)))  # 12: the last stage, 8 x 8
        self.classifier = nn.Sequential(nn.Conv2d(48, num_classes, kernel_size=1), nn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


# --- training, cached as a run -------------------------------------------------------------

def _accuracy(model, X, y, batch=250):
    model.eval()
    with torch.no_grad():
        preds = torch.cat([model(X[i:i + batch]).argmax(dim=1) for i in range(0, len(X), batch)])
    return float((preds == y).float().mean())


def train_shapes_cnn(config=None, root="runs", log=print):
    """Train ShapesNet on generated shapes and record the run in root/shapes_cnn/ (config.yaml,
    metrics.csv per epoch, curves.png, model.pt, summary.json). Returns the model (eval mode)."""
    from autograder.runs import Run

    config = dict(TRAIN_CONFIG, **(config or {}))
    X, y, _ = generate_shapes(config["train_images"], seed=config["data_seed"], size=config["image_size"])
    Xv, yv, _ = generate_shapes(config["val_images"], seed=config["data_seed"] + 1, size=config["image_size"])
    torch.manual_seed(config["model_seed"])
    model = ShapesNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=config["learning_rate"])
    steps = config["epochs"] * -(-len(X) // config["batch_size"])
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config["learning_rate"], total_steps=steps)
    generator = torch.Generator().manual_seed(config["model_seed"])
    started, cpu_started = time.time(), time.process_time()
    with Run(RUN_NAME, config=config, root=root) as run:
        for epoch in range(1, config["epochs"] + 1):
            model.train()
            order = torch.randperm(len(X), generator=generator)
            total, correct = 0.0, 0
            for i in range(0, len(X), config["batch_size"]):
                idx = order[i:i + config["batch_size"]]
                scores = model(X[idx])
                loss = F.cross_entropy(scores, y[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
                total += float(loss.detach()) * len(idx)
                correct += int((scores.argmax(dim=1) == y[idx]).sum())
            row = {"epoch": epoch, "train_loss": total / len(X), "train_accuracy": correct / len(X),
                   "val_accuracy": _accuracy(model, Xv, yv), "seconds": round(time.time() - started, 2),
                   "cpu_seconds": round(time.process_time() - cpu_started, 2)}
            run.log(**row)
            log(f"  shapes CNN epoch {epoch}: loss {row['train_loss']:.3f}, train accuracy "
                f"{row['train_accuracy']:.3f}, validation accuracy {row['val_accuracy']:.3f} ({row['seconds']:.0f} s)")
        torch.save({"config": config, "state_dict": model.state_dict()}, run.path / "model.pt")
        run.save_json("summary.json", {"val_accuracy": row["val_accuracy"], "seconds": row["seconds"],
                                       "cpu_seconds": row["cpu_seconds"], "torch_threads": torch.get_num_threads(),
                                       "classes": list(CLASSES)})
    return _frozen(model)


def _frozen(model):
    for param in model.parameters():
        param.requires_grad_(False)
    return model.eval()


def load_or_train(root="runs", retrain=False, log=print):
    """The trained ShapesNet of root/shapes_cnn/model.pt, or a new one trained (about 12 s on
    one CPU core) when there is none, it was trained with other settings, or retrain is set."""
    path = Path(root) / RUN_NAME / "model.pt"
    if path.is_file() and not retrain:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        if json.dumps(saved.get("config"), sort_keys=True) == json.dumps(TRAIN_CONFIG, sort_keys=True):
            model = ShapesNet()
            model.load_state_dict(saved["state_dict"])
            log(f"  shapes CNN: loaded {path}")
            return _frozen(model)
    log(f"  shapes CNN: training on {TRAIN_CONFIG['train_images']} generated images "
        f"(recorded in {Path(root) / RUN_NAME})")
    return train_shapes_cnn(root=root, log=log)
