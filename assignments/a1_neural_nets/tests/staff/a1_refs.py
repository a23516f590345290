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
