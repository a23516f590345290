"""Hidden and leaderboard feedback is a fixed vocabulary: nothing the student's code chose gets out.

A copy of the toy assignment gets one hidden test per channel a hidden input could leave by
(frame names, exception messages and classes, shapes including zero-size ones, dtypes,
mismatch counts, the index of the worst element, exit statuses, signals, handle labels, text a
test author built from a returned value, the grader's own errors about odd values, printed
output, line numbers, parametrize ids), and a public leaderboard test. The submission answers
every one with a marker of its choosing; the built zip grades it in the emulator, and no marker
may appear anywhere in results.json. Each test still says what kind of failure it was and where
to look, in words the grader knows.
"""

import json
import re
import shutil
from pathlib import Path

import pytest

from autograder.staff.build import build
from autograder.staff.emulate import emulate
from autograder.staff.repo import Repo

TOY = Path(__file__).resolve().parent / "toy"

#: Text the submission chooses; none of it may reach the student.
MARKERS = ["LEAK", "5177", "4242", "37, 61", "status 77", "SIGUSR1", "USR1", "9999", "uint16", "Secret"]

CHANNELS = '''
import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_true


def ask(student, channel):
    return student.call("calc.ops.add", channel, 0)


@weight(1)
@number("9.1")
def test_frame_names(student):
    """Frame names"""
    ask(student, "frame")


@weight(1)
@number("9.2")
def test_exception_message(student):
    """Exception message"""
    ask(student, "message")


@weight(1)
@number("9.3")
def test_exception_class(student):
    """Exception class"""
    ask(student, "class")


@weight(1)
@number("9.4")
def test_zero_size_shape(student):
    """Zero-size shape"""
    assert_array(ask(student, "zero"), np.zeros(3), name="out", where="calc/ops.py, add")


@weight(1)
@number("9.5")
def test_dtype(student):
    """Dtype"""
    assert_array(ask(student, "dtype"), np.zeros(3), name="out", where="calc/ops.py add (the helper of mine)")


@weight(1)
@number("9.6")
def test_mismatch_count(student):
    """Mismatch count"""
    assert_array(ask(student, "count"), np.zeros(5000), name="out")


@weight(1)
@number("9.7")
def test_worst_index(student):
    """Worst index"""
    assert_array(ask(student, "index"), np.zeros((100, 100)), name="out", where="relu")


@weight(1)
@number("9.8")
def test_exit_status(student):
    """Exit status"""
    ask(student, "exit")


@weight(1)
@number("9.9")
def test_signal(student):
    """Signal"""
    ask(student, "signal")


@weight(1)
@number("9.10")
def test_handle_label(student):
    """Handle label"""
    box = ask(student, "handle")
    try:
        box.missing()
    finally:
        assert_array(box, np.zeros(2), name=f"the {box!r}")


@weight(1)
@number("9.11")
def test_author_text(student):
    """Author text"""
    got = ask(student, "text")
    assert_true(got == 1, f"the call returned {got!r}")


@weight(1)
@number("9.12")
def test_plain_assert(student):
    """Plain assert"""
    got = ask(student, "text")
    assert got == 1, f"the call returned {got}"


@weight(1)
@number("9.13")
def test_pytest_fail(student):
    """pytest.fail"""
    pytest.fail(f"the call returned {ask(student, 'text')}")


@weight(1)
@number("9.14")
def test_grader_error(student):
    """The grader's own error"""
    float(ask(student, "text"))


@weight(1)
@number("9.15")
def test_printed(student):
    """Printed output"""
    assert_true(ask(student, "print") == 1, "the call printed instead")


@weight(1)
@number("9.16")
def test_line_number(student):
    """Line number"""
    ask(student, "line")


@weight(1)
@number("9.17")
@pytest.mark.parametrize("k", [1, 2], ids=["LEAKstride3", "LEAKpad2"])
def test_param_ids(student, k):
    assert_true(ask(student, "text") == k, f"case {k}")
'''

BOARD = '''
from gradescope_utils.autograder_utils.decorators import leaderboard, number, weight

from autograder.grading.checks import assert_true


@leaderboard("Board")
@weight(1)
@number("9.20")
def test_public_board(student, set_leaderboard_value=None):
    """A leaderboard test among the public ones"""
    got = student.call("calc.ops.add", "text", 0)
    set_leaderboard_value(1.0)
    assert_true(got == 1, f"the board saw {got}")
'''

LEAKY_OPS = '''import builtins
import os
import signal

import numpy as np


def _deep(b):
    raise ValueError("plain")


_deep.__code__ = _deep.__code__.replace(co_name="LEAK_frame_5_1_7")


class LEAK_class_5_1_7(Exception):
    pass


class Box:
    pass


Box.__qualname__ = Box.__name__ = "LEAK_qual_5_1_7"


def add(a, b):
    if a == "frame":
        return _deep(b)
    if a == "message":
        raise ValueError("LEAK_message_5_1_7")
    if a == "class":
        raise LEAK_class_5_1_7()
    if a == "zero":
        return np.zeros((0, 5177))
    if a == "dtype":
        return np.zeros(3, dtype=np.uint16)
    if a == "count":
        out = np.zeros(5000)
        out[:4242] = 1.0
        return out
    if a == "index":
        out = np.zeros((100, 100))
        out[37, 61] = 1.0
        return out
    if a == "exit":
        os._exit(77)
    if a == "signal":
        os.kill(os.getpid(), signal.SIGUSR1)
    if a == "handle":
        return Box()
    if a == "print":
        print("LEAK_printed_5_1_7")
        return 0
    if a == "line":
        run = getattr(builtins, "ex" + "ec")   # past the static check, which refuses exec here
        run(compile("\\n" * 9998 + "raise ValueError('LEAK_line')", __file__, "exec"))
    return "LEAK_text_5_1_7"


def relu(x):
    return np.maximum(x, 0)


def softmax(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
'''

#: What each channel's test says: its first line, then where to look ("" for no place).
EXPECTED = {
    "Frame names": ("Your code raised ValueError.", "calc/ops.py, add"),
    "Exception message": ("Your code raised ValueError.", "calc/ops.py, add"),
    "Exception class": ("Your code raised an exception of your own class.", "calc/ops.py, add"),
    "Zero-size shape": ("Your code returned an array of the wrong shape.", "calc/ops.py, add"),
    "Dtype": ("Your code returned values of the wrong dtype.", "calc/ops.py, add"),
    "Mismatch count": ("Your code returned wrong values.", "calc/ops.py, add"),
    "Worst index": ("Your code returned wrong values.", "calc/ops.py, relu"),
    "Exit status": ("Your code's process crashed or exited before the test finished.", "calc/ops.py, add"),
    "Signal": ("Your code's process crashed or exited before the test finished.", "calc/ops.py, add"),
    "Handle label": ("Your code returned a value of the wrong type.", "calc/ops.py, add"),
    "Author text": ("A property this test checks does not hold for your code.", "calc/ops.py, add"),
    "Plain assert": ("A property this test checks does not hold for your code.", "calc/ops.py, add"),
    "pytest.fail": ("A property this test checks does not hold for your code.", "calc/ops.py, add"),
    "The grader's own error": ("The result of your code could not be checked: it returned something this "
                               "test cannot use.", "calc/ops.py, add"),
    "Printed output": ("A property this test checks does not hold for your code.", "calc/ops.py, add"),
    "Line number": ("Your code raised ValueError.", "calc/ops.py, add"),
    "param ids (case 1 of 2)": ("A property this test checks does not hold for your code.", "calc/ops.py, add"),
    "param ids (case 2 of 2)": ("A property this test checks does not hold for your code.", "calc/ops.py, add"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The toy with the channel tests, built, and the leaky submission graded through its zip."""
    root = tmp_path_factory.mktemp("channels") / "toy"
    shutil.copytree(TOY, root, ignore=shutil.ignore_patterns("dist", "__pycache__"))
    tests = root / "assignments" / "toy" / "tests"
    (tests / "hidden" / "test_channels.py").write_text(CHANNELS)
    (tests / "public" / "test_board.py").write_text(BOARD)
    grader_zip, _ = build(Repo(root), "toy")
    upload = tmp_path_factory.mktemp("upload") / "toy"
    shutil.copytree(TOY / "solutions" / "toy", upload)
    (upload / "calc" / "ops.py").write_text(LEAKY_OPS)
    em = emulate(grader_zip, upload, warm=True)
    assert em.problems == []
    return em.results.to_json()   # the document as the student's browser gets it


def test_no_marker_the_submission_chose_reaches_the_student(graded):
    text = json.dumps(graded)
    shown = [m for m in MARKERS if m in text]
    assert shown == [], f"results.json shows {shown}"
    sealed = "\n".join(t["output"] for t in graded["tests"] if t.get("number", "").startswith("9."))
    assert "line " not in sealed and "(0," not in sealed and "index (" not in sealed and "LEAK" not in sealed


def test_each_hidden_channel_says_the_kind_and_where_to_look(graded):
    tests = {t["name"]: t for t in graded["tests"] if t.get("number", "").startswith("9.")}
    for name, (sentence, place) in EXPECTED.items():
        lines = tests[name]["output"].splitlines()
        assert lines[0] == sentence, (name, lines)
        assert (f"Where to look: {place}" in lines) == bool(place), (name, lines)
        assert tests[name]["score"] == 0
    assert "(What your code printed is not shown for hidden tests.)" in tests["Printed output"]["output"]


def test_a_leaderboard_test_among_the_public_ones_is_sealed_too(graded):
    board = next(t for t in graded["tests"] if t.get("number") == "9.20")
    assert board["output"].splitlines()[0] == "A property this test checks does not hold for your code."
    assert re.search(r"never their inputs", board["output"])
    assert {"name": "Board", "value": 1.0, "order": "desc"} in graded["leaderboard"]


def test_public_tests_stay_as_informative_as_before(graded):
    """The same kind of failure in a public test keeps expected against got and the student's frames."""
    public = {t["number"]: t["output"] for t in graded["tests"] if t.get("number") in ("1.1",)}
    assert "add(2, 3): expected a number close to 5" in public["1.1"] and "LEAK_text_5_1_7" not in public["1.1"]
