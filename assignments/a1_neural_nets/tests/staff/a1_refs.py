# STAFF ONLY
"""Hand-written float64 references of assignment 1's graded computations, for hidden tests.

Ships in the autograder zip only (tests/staff/), never in a student bundle. Hidden tests
import it by name (`import a1_refs as refs`) to check the student's code on inputs drawn
at grading time.
"""

import numpy as np


def ref_sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))


def ref_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def ref_mean_ce(prob, y):
    return float(-np.mean(np.log(prob[np.arange(len(y)), y])))


def ref_accuracy(prob, y):
    return float(np.mean(np.argmax(prob, axis=1) == y))


def ref_softmax_regression_prob(W1, X):
    return ref_softmax(np.maximum(X @ W1, 0.0))


def ref_two_layer_prob(p, X):
    return ref_softmax(ref_sigmoid(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])


def ref_init_weight(shape):
    """The initialisation contract: seed 1024, then 0.001 * standard normal."""
    return 0.001 * np.random.RandomState(1024).randn(*shape)


# ---- training (test 6.1): the staff's own forward/backward and SGD step, in float64

def ref_two_layer_loss_and_grads(p, X, y):
    """The mean cross-entropy of a TwoLayerNet with parameters ``p`` on (X, y) and its
    gradients (the data term only, no penalty), as a dict with the keys of ``p``."""
    X = np.asarray(X, dtype=np.float64)
    hidden = ref_sigmoid(X @ p["W1"] + p["b1"])
    prob = ref_softmax(hidden @ p["W2"] + p["b2"])
    n = len(y)
    delta = prob.copy()
    delta[np.arange(n), y] -= 1.0
    delta /= n
    grads = {"W2": hidden.T @ delta, "b2": delta.sum(axis=0)}
    delta_hidden = (delta @ p["W2"].T) * hidden * (1.0 - hidden)
    grads["W1"] = X.T @ delta_hidden
    grads["b1"] = delta_hidden.sum(axis=0)
    return ref_mean_ce(prob, y), grads


def ref_sgd_step(p, grads, learning_rate, reg):
    """One plain SGD step on the L2-penalized loss (weight matrices penalized, biases not)."""
    out = {}
    for name, value in p.items():
        step = grads[name] + (reg * value if name.startswith("W") else 0.0)
        out[name] = value - learning_rate * step
    return out


def ref_batches(order, batch_size):
    """The index arrays of the batches that visit the examples in ``order``, the last one short."""
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


def ref_train_epoch(p, X, y, order, batch_size, learning_rate, reg):
    """One epoch: a forward/backward pass and an SGD step for each batch of ``order``, in order."""
    for idx in ref_batches(order, batch_size):
        _, grads = ref_two_layer_loss_and_grads(p, X[idx], y[idx])
        p = ref_sgd_step(p, grads, learning_rate, reg)
    return p
