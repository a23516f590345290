"""Build-time fixtures of a1_neural_nets: values recorded from the reference solution.

`autograder build` calls build(request) (autograder.staff.fixtures.FixtureRequest) with the solution folder on sys.path.
Everything goes to request.out_dir/public/a1_public.safetensors: inputs drawn from a seed, and
what the reference's functions, models and optimizer return for them. Keys are "<case>.<what>".
The students' set (request.draw None, shipped in the bundle) uses the fixed seed SEED; each draw
of the pool uses its own seed, with the same shapes and the same edge cases (exact zeros, huge
scores, a class that never appears), which the code below sets whatever the seed.
The fixed part (request.fixed, in the autograder zip only) is the grader's own copy of the
embedded digits, fixtures/fixed/a1_digits.safetensors: the end-to-end test (6.1) trains on its
training split and measures the accuracy on its test split, never on data a worker returns.
The grader sends the inputs to the worker and compares the answers with the recorded
values; the recorded values never enter the worker.
"""

from pathlib import Path

import numpy as np

SEED = 20240901


def _activations(out, rng):
    from models._base_network import _baseNetwork

    net = _baseNetwork()
    x = rng.standard_normal((5, 6)) * 3
    x[0, :] = [0.0, -0.0, 1e-3, -1e-3, 800.0, -800.0]   # exactly zero, tiny, and past exp's range
    x[1, :3] = [50.0, -50.0, 0.0]
    out["act.x"] = x
    out["act.sigmoid"] = net.sigmoid(x)
    out["act.sigmoid_dev"] = net.sigmoid_dev(x)
    out["act.relu"] = np.asarray(net.ReLU(x), dtype=np.float64)
    out["act.relu_dev"] = net.ReLU_dev(x)
    moderate = rng.standard_normal((3, 6)) * 2
    huge = rng.standard_normal((4, 5)) * 10 + np.array([[3e4], [-7e4], [1e5], [0.0]])
    huge[3, :] = 2e4                                    # a row of equal huge scores
    for name, scores in (("moderate", moderate), ("huge", huge)):
        out[f"softmax.{name}"] = scores
        out[f"softmax.{name}.out"] = net.softmax(scores)
    prob = net.softmax(rng.standard_normal((6, 4)) * 2)
    y = np.array([0, 3, 3, 1, 0, 3])                    # class 2 never appears
    out["ce.prob"], out["ce.y"] = prob, y
    out["ce.loss"] = np.array([net.cross_entropy_loss(prob, y)])


def _forward_case(out, key, net, X, y, gradient_names):
    loss, acc = net.forward(X, y, mode="train")
    out[f"{key}.X"], out[f"{key}.y"] = X, y
    out[f"{key}.loss"], out[f"{key}.acc"] = np.array([loss]) + 0.0, np.array([acc])   # + 0.0: no "-0.0"
    for name in gradient_names:
        out[f"{key}.d{name}"] = np.array(net.gradients[name])


def _predicted(net, X):
    """The class the reference model predicts for each row of X (highest probability)."""
    w = net.weights
    if "W2" in w:
        scores = net.sigmoid(X @ w["W1"] + w["b1"]) @ w["W2"] + w["b2"]
    else:
        scores = net.ReLU(X @ w["W1"])
    return np.argmax(net.softmax(scores), axis=1)


def _models(out, rng):
    """Every case keeps, whatever the draw, at least one example that the reference classifies
    right and one it gets wrong, so that an accuracy counted instead of averaged, or averaged
    wrongly, shows on every draw."""
    from models.softmax_regression import SoftmaxRegression
    from models.two_layer_nn import TwoLayerNet

    X = rng.uniform(0, 1, size=(8, 784))
    y = rng.integers(0, 10, size=8)
    y[0] = _predicted(SoftmaxRegression(), X[:1])[0]
    y[1] = _predicted(TwoLayerNet(), X[1:2])[0]
    y[2] = (_predicted(SoftmaxRegression(), X[2:3])[0] + 1) % 10
    y[3] = (_predicted(TwoLayerNet(), X[3:4])[0] + 1) % 10
    _forward_case(out, "sr.default", SoftmaxRegression(), X, y, [])
    _forward_case(out, "tl.default", TwoLayerNet(), X, y, [])

    net = SoftmaxRegression(input_size=6, num_classes=4)
    W1 = rng.standard_normal((6, 4))
    W1[:, 2] = 0.0                                      # scores of class 2 are exactly 0: ReLU at 0
    net.weights = {"W1": W1}
    out["sr.given.W1"] = W1
    X = rng.standard_normal((5, 6))
    y = np.array([2, 0, 1, 2, 3])                       # class 2 scores 0 for every example
    y[4] = _predicted(net, X[4:])[0]
    y[1] = (_predicted(net, X[1:2])[0] + 1) % 4
    _forward_case(out, "sr.given", net, X, y, ["W1"])

    weights = {"W1": rng.standard_normal((5, 4)), "b1": rng.standard_normal(4),
               "W2": rng.standard_normal((4, 3)), "b2": rng.standard_normal(3)}
    X = rng.standard_normal((6, 5))
    for key, scale in (("tl.given", 1.0), ("tl.huge", 1e4)):
        net = TwoLayerNet(input_size=5, num_classes=3, hidden_size=4)
        net.weights = {**weights, "W2": weights["W2"] * scale}
        for name, value in net.weights.items():
            out[f"{key}.{name}"] = value
        if scale == 1.0:
            y = np.array([0, 2, 2, 1, 0, 2])
            y[5] = _predicted(net, X[5:])[0]
            y[4] = (_predicted(net, X[4:5])[0] + 1) % 3
            _forward_case(out, key, net, X, y, ["W1", "b1", "W2", "b2"])
        else:   # scores near 1e4: labels where the reference is right, so that the loss is finite
            hidden = net.sigmoid(X @ net.weights["W1"] + net.weights["b1"])
            y = np.argmax(hidden @ net.weights["W2"] + net.weights["b2"], axis=1)
            _forward_case(out, key, net, X, y, [])

    # A smooth case for the centred differences of the public test: no class score within 1e-3
    # of the ReLU's kink (drawn again from the same generator until none is), labels with an
    # absent class. The recorded loss pairs that self-consistent check with a value check.
    while True:
        W1, X = rng.standard_normal((6, 4)), rng.standard_normal((5, 6))
        if np.min(np.abs(X @ W1)) > 1e-3:
            break
    net = SoftmaxRegression(input_size=6, num_classes=4)
    net.weights = {"W1": W1}
    out["sr.smooth.W1"] = W1
    _forward_case(out, "sr.smooth", net, X, np.array([1, 3, 0, 3, 1]), [])


def _optimizer(out, rng):
    from models.softmax_regression import SoftmaxRegression
    from models.two_layer_nn import TwoLayerNet
    from optimizer._base_optimizer import _BaseOptimizer
    from optimizer.sgd import SGD

    reg, lr = 0.05, 0.1
    out["opt.reg"], out["opt.lr"] = np.array([reg]), np.array([lr])
    for key, net in (("reg.tl", TwoLayerNet(input_size=5, num_classes=3, hidden_size=4)),
                     ("reg.sr", SoftmaxRegression(input_size=5, num_classes=3))):
        net.weights = {k: rng.standard_normal(v.shape) for k, v in net.weights.items()}
        net.gradients = {k: rng.standard_normal(v.shape) for k, v in net.weights.items()}
        for name in net.weights:
            out[f"{key}.{name}"], out[f"{key}.g{name}"] = net.weights[name], net.gradients[name]
        _BaseOptimizer(learning_rate=lr, reg=reg).apply_regularization(net)
        for name in net.weights:
            out[f"{key}.out.g{name}"] = np.array(net.gradients[name])

    net = TwoLayerNet(input_size=5, num_classes=3, hidden_size=4)
    net.weights = {k: rng.standard_normal(v.shape) for k, v in net.weights.items()}
    for name, value in net.weights.items():
        out[f"sgd.{name}"] = value
    optimizer = SGD(learning_rate=lr, reg=reg)
    for step in range(3):
        net.gradients = {k: rng.standard_normal(v.shape) for k, v in net.weights.items()}
        for name, grad in net.gradients.items():
            out[f"sgd.step{step}.g{name}"] = grad
        optimizer.update(net)
        for name, value in net.weights.items():
            out[f"sgd.step{step}.{name}"] = np.array(value)


def _split(out):
    import data_sources
    import utils

    data_sources.SOURCE = "digits"
    train_data, _, val_data, _ = utils.load_mnist_trainval()
    out["split.sizes"] = np.array([len(train_data), len(val_data)], dtype=np.int64)


def _digits(out_dir):
    """The grader's copy of the embedded digits (pixels 0..255 and labels of both splits)."""
    import data_sources
    from safetensors.numpy import save_file

    arrays = {}
    for split in ("train", "test"):
        pixels, labels = data_sources.embedded_split(split)
        arrays[f"{split}.pixels"] = np.ascontiguousarray(pixels, dtype=np.uint8)
        arrays[f"{split}.labels"] = np.ascontiguousarray(labels, dtype=np.int64)
    save_file(arrays, str(Path(out_dir) / "a1_digits.safetensors"))


def build(request) -> None:
    """Write the recorded public set, or the fixed part, into request.out_dir (see
    autograder.staff.fixtures)."""
    if request.fixed:
        _digits(request.out_dir)
        return
    out_dir = request.out_dir
    from safetensors.numpy import save_file

    rng = np.random.default_rng(SEED if request.draw is None else request.draw)
    out: dict[str, np.ndarray] = {}
    _activations(out, rng)
    _models(out, rng)
    _optimizer(out, rng)
    _split(out)
    target = Path(out_dir) / "public"
    target.mkdir(parents=True, exist_ok=True)
    arrays = {k: np.ascontiguousarray(v, dtype=np.int64 if v.dtype.kind in "iu" else np.float64)
              for k, v in out.items()}
    save_file(arrays, str(target / "a1_public.safetensors"))
