"""The grading plugin end to end, through pytester: decorators in, results.json out; and
nothing of it in a pytest session that did not ask for it."""

import importlib.metadata
import json
import re
import sys

from autograder.grading.results import validate
from autograder.grading.selection import expression

#: A grading session in a fresh interpreter: results path first, then pytest's arguments.
GRADE = ("import sys\n"
         "from autograder.grading.plugin import GradingPlugin\n"
         "from autograder.grading.session import run_session\n"
         "sys.exit(run_session(sys.argv[2:], GradingPlugin(results_path=sys.argv[1])))\n")

TESTS = '''
import pytest
from gradescope_utils.autograder_utils.decorators import (
    hide_errors, leaderboard, number, partial_credit, tags, visibility, weight)


@weight(2)
@number("1.10")
@tags("basics")
def test_late_number():
    """Sorted after 1.9"""


@weight(1)
@number("1.9")
def test_fails_with_message():
    value = 1
    assert value == 2, "expected 1 to equal 2"


@weight(3)
@number("1.2")
@pytest.mark.parametrize("k", [1, 2, 3])
def test_param(k):
    assert k != 2, f"k={k} is not allowed"


@pytest.fixture
def broken():
    raise RuntimeError("fixture exploded")


@weight(4)
@number("2.1")
def test_setup_error(broken):
    pass


@partial_credit(5)
@number("3.1")
def test_partial(set_score=None):
    set_score(2.5)
    assert False, "only half"


@weight(1)
@number("3.2")
@hide_errors("Something is off in task 3.")
def test_hidden_error():
    secret_value = 1234567
    assert secret_value == 0, f"secret {secret_value}"


@leaderboard("accuracy")
def test_board(set_leaderboard_value=None):
    set_leaderboard_value(0.75)


@weight(1)
@number("4.1")
@visibility("after_due_date")
def test_custom_visibility():
    pass


@leaderboard("loss", "asc")
@partial_credit(2)
@number("5.1")
def test_board_and_partial(set_score=None, set_leaderboard_value=None):
    set_score(1.5)
    set_leaderboard_value(0.25)
'''


def grading_session(pytester, *args):
    """Run pytest over pytester's folder as the grader does; the results document and pytest's output."""
    results = pytester.path / "results.json"
    outcome = pytester.run(sys.executable, "-c", GRADE, str(results), "-p", "no:cacheprovider", "--assert=plain",
                           *args)
    doc = json.loads(results.read_text())
    assert validate(doc) == []
    return doc, outcome


def run(pytester, source, name="test_graded.py", subdir=None, args=()):
    target = pytester.path / subdir if subdir else pytester.path
    target.mkdir(parents=True, exist_ok=True)
    (target / name).write_text(source)
    return grading_session(pytester, *args)[0]


def test_results_follow_the_decorators(pytester):
    doc = run(pytester, TESTS)
    tests = doc["tests"]
    numbers = [t.get("number") for t in tests]
    assert numbers == ["1.2", "1.2", "1.2", "1.9", "1.10", "2.1", "3.1", "3.2", "4.1", "5.1"]
    by_name = {t["name"]: t for t in tests}
    assert by_name["Sorted after 1.9"] == {**by_name["Sorted after 1.9"], "score": 2, "max_score": 2,
                                            "status": "passed", "tags": ["basics"], "visibility": "visible"}
    assert "expected 1 to equal 2" in by_name["fails with message"]["output"]
    params = [t for t in tests if t["number"] == "1.2"]
    assert [t["status"] for t in params] == ["passed", "failed", "passed"]
    assert [t["name"] for t in params] == ["param[1]", "param[2]", "param[3]"]
    setup = by_name["setup error"]
    assert setup["status"] == "failed" and setup["max_score"] == 4 and "fixture exploded" in setup["output"]
    assert by_name["partial"]["score"] == 2.5 and by_name["partial"]["status"] == "failed"
    hidden = by_name["hidden error"]
    assert hidden["output"] == "Something is off in task 3." and "1234567" not in json.dumps(doc)
    assert by_name["custom visibility"]["visibility"] == "after_due_date"
    assert doc["leaderboard"] == [{"name": "accuracy", "value": 0.75, "order": "desc"},
                                  {"name": "loss", "value": 0.25, "order": "asc"}]
    assert "board" not in by_name and by_name["board and partial"]["score"] == 1.5
    assert doc["score"] == 2 + 6 + 2.5 + 1 + 1.5
    assert doc["stdout_visibility"] == "hidden"


def test_hidden_folder_defaults_to_after_published(pytester):
    doc = run(pytester, "from gradescope_utils.autograder_utils.decorators import weight\n"
                        "@weight(1)\ndef test_h():\n    assert False, 'nope'\n", subdir="hidden")
    assert doc["tests"][0]["visibility"] == "after_published"


def test_failure_output_never_shows_test_source(pytester):
    doc = run(pytester, "from gradescope_utils.autograder_utils.decorators import weight\n"
                        "EXPECTED_SECRET = 987654\n"
                        "@weight(1)\ndef test_s():\n    value = EXPECTED_SECRET + 1\n    assert value == 0, 'wrong value'\n")
    out = doc["tests"][0]["output"]
    assert out == "wrong value" and "EXPECTED_SECRET" not in out


def test_fail_safe_document_is_valid_and_says_so_plainly():
    from autograder.grading.results import GRADER_FAILED, failure_document

    doc = failure_document().to_json()
    assert validate(doc) == [] and doc["score"] == 0 and GRADER_FAILED in doc["output"]


def test_oversized_outputs_are_capped_below_a_megabyte(tmp_path):
    from autograder.grading.results import write_atomic

    doc = {"score": 0, "tests": [{"name": f"t{i}", "score": 0, "max_score": 1, "output": "x" * 200_000}
                                 for i in range(40)]}
    path = tmp_path / "results.json"
    write_atomic(doc, path)
    assert path.stat().st_size < 1_000_000 and validate(json.loads(path.read_text())) == []


def test_results_read_tolerantly_and_written_back_unchanged(tmp_path):
    """Old or foreign files: odd types become absent values, unknown keys survive a round trip."""
    from autograder.grading.results import Results, TestResult, write_atomic

    raw = {"score": "12", "execution_time": 3, "output": None, "visibility": "visible", "custom": {"k": 1},
           "tests": [{"name": "a", "score": 2, "max_score": 2, "number": 1.1},
                     {"name": "b", "score": float("nan"), "status": "failed", "extra_data": {"suite": "hidden"},
                      "name_format": "text"},
                     "not a test"],
           "leaderboard": [{"name": "acc", "value": 0.5}, {"name": "bad", "value": True}]}
    doc = Results.from_json(raw)
    assert doc.score is None and doc.execution_time == 3.0 and doc.output == "" and doc.other == {"custom": {"k": 1}}
    assert [t.name for t in doc.tests] == ["a", "b"] and doc.tests[0].number == "1.1"
    assert doc.tests[0].passed and doc.tests[0].suite == "public"
    assert not doc.tests[1].passed and doc.tests[1].suite == "hidden" and doc.tests[1].score == 0.0
    assert [(e.name, e.value, e.order) for e in doc.leaderboard] == [("acc", 0.5, "desc")]
    assert doc.totals() == (2.0, 2.0)
    again = Results.from_json(doc.to_json())
    assert again == doc and again.tests[1].other == {"name_format": "text"}
    path = tmp_path / "results.json"
    write_atomic(doc, path, check=False)  # as read: a staff tool stores what the grader wrote
    assert Results.load(path) == doc
    doc.other.clear()  # Gradescope's schema knows no "custom" key
    write_atomic(doc, path)
    assert Results.load(path) == doc and validate(json.loads(path.read_text())) == []
    assert Results.read_checked(tmp_path / "missing.json")[1][0].startswith("results.json missing or not JSON")
    assert TestResult.from_json({"name": "x", "score": 1, "max_score": 1}).passed  # status inferred


def test_grader_crash_still_leaves_a_valid_results_file(tmp_path, monkeypatch):
    """A broken zip (no manifest) ends in the plain-words failure document, never a missing file."""
    from autograder.grading.session import gradescope_main

    (tmp_path / "source").mkdir()
    monkeypatch.setenv("AUTOGRADER_ROOT", str(tmp_path))
    assert gradescope_main(tmp_path / "source") == 1
    doc = json.loads((tmp_path / "results" / "results.json").read_text())
    assert validate(doc) == [] and doc["score"] == 0 and "not a judgement of your code" in doc["output"]


def test_fast_validator_agrees_with_the_reference_validator():
    from autograder.grading.results import failure_document, validate_fast

    good = failure_document().to_json()
    bad = [
        {"tests": [{"score": "1"}]},
        {"score": 1, "tests": [{"status": "maybe"}]},
        {"score": 1, "visibility": "sometimes"},
        {"output": "no score and no tests"},
        {"score": 1, "leaderboard": [{"name": "acc"}]},
        {"score": 1, "unknown_key": 1},
    ]
    assert validate(good) == [] and validate_fast(good) == []
    for doc in bad:
        assert validate(doc) != [] and validate_fast(doc) != [], doc


def test_hidden_tests_do_not_quote_expected_values(pytester):
    source = ("import numpy as np\nfrom gradescope_utils.autograder_utils.decorators import weight\n"
              "from autograder.grading.checks import assert_array, assert_scalar\n"
              "@weight(1)\ndef test_a():\n    assert_array(np.array([1.0, 2.0]), np.array([1.0, 31415.9]), name='out')\n"
              "@weight(1)\ndef test_s():\n    assert_scalar(2.0, 27182.8, name='loss')\n")
    public = run(pytester, source, name="test_public.py", subdir="public")
    assert "31415.9" in json.dumps(public) and "27182.8" in json.dumps(public)
    messages = [t["output"] for t in public["tests"]]
    assert "expected 31415.9, got 2.0" in messages[0] and "expected 27182.8, got 2.0" in messages[1]
    assert "np.float" not in json.dumps(public)
    (pytester.path / "public" / "test_public.py").unlink()
    hidden = run(pytester, source, name="test_secret.py", subdir="hidden")
    text = json.dumps(hidden)
    assert "31415.9" not in text and "27182.8" not in text and "index" not in text
    assert [t["output"].splitlines()[0] for t in hidden["tests"]] == ["Your code returned wrong values."] * 2


FOREIGN = """
import numpy as np


def test_draw():
    print("DRAW", np.random.rand())


def test_wants_student(student):
    pass
"""


def test_other_pytest_sessions_get_no_seeding_and_no_fixtures(pytester, monkeypatch):
    """With the package installed, a project of its own sees nothing of the grading plugin."""
    assert importlib.metadata.distribution("course-autograder") is not None  # installed, so the check means something
    plugins = [ep.value for ep in importlib.metadata.entry_points(group="pytest11")]
    assert not any(value.split(".")[0] == "autograder" for value in plugins), plugins
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)  # entry points load as for any user
    pytester.makepyfile(test_foreign=FOREIGN)
    draws = []
    for _ in range(2):
        result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
        result.assert_outcomes(passed=1, errors=1)
        result.stdout.fnmatch_lines(["*fixture 'student' not found*"])
        available = next(line for line in result.stdout.lines if "available fixtures:" in line)
        assert not {"rng", "thresholds", "fixtures_dir", "set_score"} & set(re.split(r"[\s,:>]+", available))
        draws += re.findall(r"DRAW (\S+)", result.stdout.str())
    assert len(draws) == 2 and draws[0] != draws[1], draws
    # The same file in a grading session: seeded before each test, so both runs draw the same,
    # and `student` exists (it says that no submission was given to this session).
    graded = []
    for _ in range(2):
        doc, result = grading_session(pytester, "-s")
        graded += re.findall(r"DRAW (\S+)", "\n".join(result.outlines))
    assert len(graded) == 2 and graded[0] == graded[1], graded
    assert [t["status"] for t in doc["tests"]] == ["passed", "failed"]
    assert "No submission is configured" in doc["tests"][1]["output"]


def _selected(pytester, *words):
    doc = run(pytester, TESTS, args=["-k", expression(list(words))])
    return [t.get("number") or t["name"] for t in doc["tests"]]


def test_k_selects_by_task_number_and_by_name(pytester):
    assert _selected(pytester, "1.2") == ["1.2", "1.2", "1.2"]
    assert _selected(pytester, "1.") == ["1.2", "1.2", "1.2", "1.9", "1.10"]
    assert _selected(pytester, "1.1") == []                     # not 1.10, not 11.x
    assert _selected(pytester, "3", "late") == ["1.10", "3.1", "3.2"]
    assert _selected(pytester, "5.", "and", "not", "partial") == []
    assert _selected(pytester, "4.1", "or", "(late", "and", "not", "param)") == ["1.10", "4.1"]
