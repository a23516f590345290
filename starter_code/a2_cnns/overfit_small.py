"""Part 1 experiment: overfit 50 images with your NumPy ConvNet, and save the loss curve.

    python overfit_small.py                # 50 embedded generated images (offline)
    python overfit_small.py --data cifar10 # 50 CIFAR-10 training images (downloads CIFAR-10)

The network is conv(3 -> 32, kernel 5, padding 1) -> ReLU -> max pooling(2, 2) ->
Linear(7200 -> 10), trained with your SGD. A correct implementation drives the training
loss close to 0 and the training accuracy to 1.0: 50 images are easy to memorize. The run is
recorded in runs/overfit_shapes/ (config.yaml, metrics.csv with the loss of every iteration,
curves.png, summary.json).
"""

import argparse
import time

import numpy as np
from data_utils import generate_shapes, load_cifar10, normalize
from modules import ConvNet
from optimizer import SGD

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


def overfit(x, y, run, epochs=30, batch_size=10, learning_rate=5e-3, reg=0.0, momentum=0.9, seed=0):
    """Train the ConvNet on (x, y), logging every iteration to `run` (batch_loss; on the last
    iteration of each epoch also the loss and accuracy on all images). Returns the final
    training accuracy and the number of parameters."""
    model = ConvNet(MODEL, CRITERION)
    parameters = sum(np.size(getattr(m, name)) for m in model.modules for name in ("weight", "bias")
                     if getattr(m, name, None) is not None)
    optimizer = SGD(model, learning_rate=learning_rate, reg=reg, momentum=momentum)
    rng = np.random.default_rng(seed)
    iteration = 0
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            _, loss = model.forward(x[batch], y[batch])
            model.backward()
            optimizer.update(model)
            iteration += 1
            last = start + batch_size >= len(y)
            if not last:
                run.log(iteration=iteration, batch_loss=loss)
        probs, full_loss = model.forward(x, y)
        accuracy = float(np.mean(probs.argmax(axis=1) == y))
        run.log(iteration=iteration, batch_loss=loss, train_loss=full_loss, train_acc=accuracy)
        print(f"epoch {epoch + 1:2d}/{epochs}  loss {full_loss:.4f}  training accuracy {accuracy:.2f}", flush=True)
    return accuracy, parameters


def main():
    from autograder.runs import Run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["shapes", "cifar10"], default="shapes")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--name", default=None, help="the run's folder under runs/ (default overfit_<data>)")
    args = parser.parse_args()
    x, y = load_small(args.data)
    config = dict(data=args.data, images=len(y), epochs=args.epochs, batch_size=10, learning_rate=5e-3, reg=0.0,
                  momentum=0.9, model=MODEL)
    start = time.time()
    with Run(args.name or f"overfit_{args.data}", config=config) as run:
        accuracy, parameters = overfit(x, y, run, epochs=args.epochs)
        run.save_json("summary.json", {"final_train_acc": accuracy, "parameters": int(parameters),
                                       "seconds": round(time.time() - start, 1)})
    print(f"final training accuracy {accuracy:.2f} after {time.time() - start:.1f} s; "
          f"run recorded in {run.path} (curves.png: the loss per iteration)")


if __name__ == "__main__":
    main()
