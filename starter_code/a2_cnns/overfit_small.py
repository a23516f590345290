"""Part 1 experiment: overfit 50 images with your NumPy ConvNet, and save the loss curve.

    python overfit_small.py                # 50 embedded generated images (offline, < 1 minute)
    python overfit_small.py --data cifar10 # 50 CIFAR-10 training images (downloads CIFAR-10)

The network is conv(3 -> 32, kernel 5, padding 1) -> ReLU -> max pooling(2, 2) ->
Linear(7200 -> 10), trained with your SGD. A correct implementation drives the training
loss close to 0 and the training accuracy to 1.0: 50 images are easy to memorize. The curve
goes to outputs/overfit_loss.png (and the numbers to outputs/overfit_loss.csv).
"""

import argparse
import os
import time

import numpy as np

from data_utils import generate_shapes, load_cifar10, normalize
from modules import ConvNet
from optimizer import SGD

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = [
    dict(type="Conv2D", in_channels=3, out_channels=32, kernel_size=5, stride=1, padding=1),
    dict(type="ReLU"),
    dict(type="MaxPooling", kernel_size=2, stride=2),
    dict(type="Linear", in_dim=7200, out_dim=10),
]
CRITERION = dict(type="SoftmaxCrossEntropy")


def load_small(data, n=50):
    if data == "cifar10":
        images, labels = load_cifar10(train=True)
        images, labels = images[:n], labels[:n]
    else:
        images, labels = generate_shapes(n, seed=0)
    return normalize(images).astype(np.float64), labels


def overfit(x, y, epochs=30, batch_size=10, learning_rate=5e-3, reg=0.0, momentum=0.9, seed=0):
    """Train the ConvNet on (x, y); returns the per-iteration losses and the final accuracy."""
    model = ConvNet(MODEL, CRITERION)
    optimizer = SGD(model, learning_rate=learning_rate, reg=reg, momentum=momentum)
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            _, loss = model.forward(x[batch], y[batch])
            model.backward()
            optimizer.update(model)
            losses.append(loss)
        probs, full_loss = model.forward(x, y)
        accuracy = float(np.mean(probs.argmax(axis=1) == y))
        print(f"epoch {epoch + 1:2d}/{epochs}  loss {full_loss:.4f}  training accuracy {accuracy:.2f}")
    return losses, accuracy


def save_curve(losses, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    np.savetxt(os.path.join(out_dir, "overfit_loss.csv"), np.asarray(losses), header="loss per iteration")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: only the CSV was written")
        return
    plt.figure(figsize=(6, 4))
    plt.plot(losses)
    plt.xlabel("iteration")
    plt.ylabel("training loss")
    plt.title("Overfitting 50 images")
    plt.tight_layout()
    plt.savefig(os.path.join(out_dir, "overfit_loss.png"))
    plt.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["shapes", "cifar10"], default="shapes")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    x, y = load_small(args.data)
    start = time.time()
    losses, accuracy = overfit(x, y, epochs=args.epochs)
    save_curve(losses, os.path.join(HERE, "outputs"))
    print(f"final training accuracy {accuracy:.2f} after {time.time() - start:.1f} s; "
          f"curve in outputs/overfit_loss.png")


if __name__ == "__main__":
    main()
