"""A3's test messages point without solving (issue 20): the phrases that once handed over a line of
the solution, blamed the wrong place or named a hidden case's settings stay out of the tests.

The test sources are read as text (nothing is graded here): every string literal of the public
and hidden tests and of the grader-side helpers that build messages (probes/a3_cases.py), and
every hidden test's name and docstring. The mutants of assignments/a3_interpretability/
mutants.toml check that the tests still fail on those mistakes; this file checks how they say so.
"""

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1] / "assignments" / "a3_interpretability" / "tests"
MESSAGE_SOURCES = sorted((TESTS / "public").glob("test_*.py")) + sorted((TESTS / "hidden").glob("test_*.py")) + [
    TESTS / "probes" / "a3_cases.py"]

#: Phrases that state the fix (the line to write), each with the message it came from.
GIVES_AWAY = [
    r"x > 0 and dout > 0",                       # 2.1: the guided rule itself
    r"strict inequalities",                      # 2.1 hidden
    r"X\.grad permuted",                         # 2.2
    r"\.remove\(\) on each",                     # 2.3
    r"try/finally",                              # 2.3
    r"spatial mean of the gradients",            # 2.4
    r"sum over channels, then ReLU",             # 2.4
    r"F\.interpolate",                           # 2.4
    r"align_corners",                            # 2.4
    r"X_tensor\.shape",                          # 2.4 hidden
    r"learning_rate \* g / \|\|g\|\|",           # 3.1 and 4.1: the update
    r"set X_fooling\.grad to zero",              # 3.1
    r"the handout's iteration",                  # 3.1: the handout no longer spells it out
    r"-2 \* l2_reg \* I",                        # 4.1
    r"zero img\.grad",                           # 4.1
    r"optimizer\.zero_grad\(\)",                 # 5.5
    r"zero the gradient before",                 # 5.5
    r"sum the weighted squared differences",     # 5.3
    r"abs, then max over dim",                   # 1.1
    r"no \.detach\(\)",                          # check_loss
    r"divide by H \* W \* C",                    # 5.2
]

#: What a hidden test's name, docstring or message must not reveal: the hidden case's settings.
HIDDEN_SETTINGS = [
    r"max_iter=", r"learning_rate=", r"over style_layers", r"of shape \(\d", r"\b\d+ images\b",
    r"height \d+", r"width \d+", r"\d+x\d+", r"\(\d+, \d+, \d+, \d+\)",
]


def _strings(path: Path) -> list[str]:
    """Every string literal of a file, f-strings with their literal parts joined."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            out.append("".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
    return out


def _text(path: Path) -> str:
    # adjacent literals are one message: join them without a gap
    return re.sub(r"\s+", " ", " ".join(_strings(path)))


@pytest.mark.parametrize("path", MESSAGE_SOURCES, ids=lambda p: p.name)
def test_messages_point_without_stating_the_fix(path):
    text = _text(path)
    found = [phrase for phrase in GIVES_AWAY if re.search(phrase, text)]
    assert found == [], f"{path.name} still hands over a step: {found}"


@pytest.mark.parametrize("path", sorted((TESTS / "hidden").glob("test_*.py")), ids=lambda p: p.name)
def test_hidden_tests_name_the_property_not_the_case(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tests = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    assert tests
    for test in tests:
        assert ast.get_docstring(test), f"{path.name}::{test.name} has no docstring saying which property it checks"
        assert not re.search(r"_\d", test.name), f"{path.name}::{test.name}: a number in a hidden test's name"
    text = _text(path)
    found = [pattern for pattern in HIDDEN_SETTINGS if re.search(pattern, text)]
    assert found == [], f"{path.name} reveals a hidden case's settings: {found}"


def test_the_fooling_stop_test_blames_the_first_steps_before_the_stopping_rule():
    """A gradient never zeroed spoils the steps: the test of the whole run says so, and speaks of
    the stopping rule only once the first two steps are right."""
    source = (TESTS / "public" / "test_3_fooling.py").read_text(encoding="utf-8")
    run = source[source.index("def test_fooling_image_is_the_iteration_to_the_target"):]
    first_steps, stopping = run.index("fix those steps first"), run.index("the stopping rule")
    assert first_steps < stopping
    assert "Your first two steps are right" in run[first_steps:stopping + 400]
