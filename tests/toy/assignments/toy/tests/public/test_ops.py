import numpy as np
from gradescope_utils.autograder_utils.decorators import number, partial_credit, weight

from autograder.grading.checks import assert_array, assert_scalar


@weight(1)
@number("1.1")
def test_add(student):
    """add() sums two numbers"""
    assert_scalar(student.call("calc.ops.add", 2, 3), 5, name="add(2, 3)", where="calc/ops.py add")


@weight(2)
@number("1.2")
def test_relu(student, rng):
    """relu() clamps negatives"""
    x = rng.standard_normal((3, 4))
    assert_array(student.call("calc.ops.relu", x), np.maximum(x, 0), name="relu(x)", where="calc/ops.py relu")


@partial_credit(2)
@number("1.3")
def test_softmax_rows(student, rng, set_score=None):
    """softmax() rows, partial credit per correct row"""
    x = rng.standard_normal((4, 5)) * 100
    got = student.call("calc.ops.softmax", x)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    expected = e / e.sum(axis=1, keepdims=True)
    if type(got) is np.ndarray and got.shape == expected.shape:
        good = sum(bool(np.allclose(got[i], expected[i])) for i in range(4))
        set_score(2 * good / 4)
    assert_array(got, expected, name="softmax(x)", where="calc/ops.py softmax")
