"""Task 1, hidden: activations, softmax, cross-entropy and accuracy on random and extreme inputs."""

import a1_refs as refs
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar

BASE = "models._base_network._baseNetwork"
WHERE = "models/_base_network.py, _baseNetwork."


def _random_shape(rng):
    return tuple(int(d) for d in rng.integers(1, 8, size=int(rng.integers(1, 4))))


@weight(3)
@number("1.1")
def test_activations_random_shapes_and_extreme_inputs(student, rng):
    net = student.new(BASE)
    for trial in range(3):
        shape = _random_shape(rng)
        x = rng.standard_normal(shape) * 4
        flat = x.reshape(-1)
        flat[rng.integers(0, flat.size)] = 0.0                     # exactly zero somewhere
        if trial == 2:
            x = rng.choice([-800.0, -50.0, 0.0, 50.0, 800.0], size=shape)   # would overflow a naive exp
        s = refs.ref_sigmoid(x)
        label = f"a random {len(shape)}-d input" + (" with entries as large as +-800" if trial == 2 else "")
        assert_array(net.sigmoid(x), s, rtol=1e-7, atol=1e-12, name=f"sigmoid on {label}", where=WHERE + "sigmoid")
        assert_array(net.sigmoid_dev(x), s * (1.0 - s), rtol=1e-6, atol=1e-12,
                     name=f"sigmoid_dev on {label}", where=WHERE + "sigmoid_dev")
        assert_array(net.ReLU(x), np.maximum(x, 0.0), rtol=0, atol=0, name=f"ReLU on {label}", where=WHERE + "ReLU")
        assert_array(net.ReLU_dev(x), (x > 0).astype(np.float64), rtol=0, atol=0,
                     name=f"ReLU_dev on {label} (0 at exactly 0)", where=WHERE + "ReLU_dev")


@weight(2)
@number("1.2")
def test_softmax_huge_logits_no_overflow(student, rng):
    net = student.new(BASE)
    N, C = int(rng.integers(3, 9)), int(rng.integers(3, 9))
    signs = rng.choice([-1.0, 1.0], size=(N, 1))
    signs[1], signs[2] = 1.0, -1.0                                 # huge scores of both signs in every draw
    scores = rng.standard_normal((N, C)) * 10 + signs * rng.uniform(1e3, 1e5, size=(N, 1))
    scores[0, :] = 1e4                                             # one row of equal huge scores
    assert_array(net.softmax(scores), refs.ref_softmax(scores), rtol=1e-7, atol=1e-12,
                 name="softmax of scores with magnitudes up to 1e5 (no inf, no NaN)",
                 where=WHERE + "softmax (finite and exact for huge scores of either sign)")


@weight(1)
@number("1.2")
def test_softmax_random_shapes(student, rng):
    net = student.new(BASE)
    for N, C in ((1, 2), (int(rng.integers(2, 20)), int(rng.integers(2, 20)))):
        scores = rng.standard_normal((N, C)) * 3
        assert_array(net.softmax(scores), refs.ref_softmax(scores), rtol=1e-7, atol=1e-12,
                     name="softmax of random scores" + (" (a single example, two classes)" if N == 1 else ""),
                     where=WHERE + "softmax")


@weight(3)
@number("1.3")
def test_cross_entropy_random_batches_and_absent_labels(student, rng):
    net = student.new(BASE)
    for trial in range(3):
        N, C = (1, 3) if trial == 0 else (int(rng.integers(2, 30)), int(rng.integers(3, 12)))
        prob = refs.ref_softmax(rng.standard_normal((N, C)) * 3)
        present = rng.choice(C, size=max(1, C // 3), replace=False)  # most classes never appear in y
        y = rng.choice(present, size=N)
        if trial == 2:
            prob[0, :] = 1.0 / (C - 1)
            prob[0, y[0]] = 1e-200                                   # tiny but positive
        expected = -np.mean(np.log(prob[np.arange(N), y]))
        assert_scalar(net.cross_entropy_loss(prob, y), expected, rtol=1e-9,
                      name="cross_entropy_loss on a random batch in which some classes never appear"
                           + (" (a single example)" if N == 1 else ""),
                      where=WHERE + "cross_entropy_loss (the mean over the batch; y holds class indices)")


@weight(2)
@number("1.4")
def test_accuracy_random_batches(student, rng):
    net = student.new(BASE)
    for _ in range(3):
        N, C = int(rng.integers(2, 40)), int(rng.integers(2, 12))
        prob = refs.ref_softmax(rng.standard_normal((N, C)) * 2)
        y = rng.integers(0, C, size=N)
        tied = rng.choice(C, size=2, replace=False)        # a row whose two highest entries are equal
        prob[0, :] = 0.1 / C
        prob[0, tied] = 0.45
        y[0] = int(tied.min()) if rng.random() < 0.5 else int(tied.max())
        y[1] = int(np.argmax(prob[1]))                     # at least one right, whatever the draw
        expected = float(np.mean(np.argmax(prob, axis=1) == y))
        assert_scalar(net.compute_accuracy(prob, y), expected, rtol=0, atol=1e-12,
                      name="compute_accuracy on a random batch with a tie", where=WHERE + "compute_accuracy")
