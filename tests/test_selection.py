"""``check -k`` in the handout's language: task numbers, several words, clear words when nothing matches."""

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.grading.selection import expression, task_keywords

TOY = Path(__file__).resolve().parents[1] / "tests" / "toy"


@pytest.mark.parametrize(("words", "expected"), [
    (["1.2"], "::1.2::"),
    (["3."], "::3."),
    (["3"], "::3::"),
    (["relu"], "relu"),
    (["relu", "softmax"], "relu or softmax"),
    (["1.2", "3."], "::1.2:: or ::3."),
    ("relu and not backward", "relu and not backward"),
    (["not", "relu", "softmax"], "not relu or softmax"),
    (["(relu", "or", "1.1)", "and", "not", "slow"], "(relu or ::1.1::) and not slow"),
])
def test_words_become_one_pytest_expression(words, expected):
    assert expression(words) == expected


def test_task_keywords_match_whole_levels_only():
    keywords = task_keywords("3.1.2")
    assert keywords == ["::3::", "::3.1::", "::3.1.2::"]
    matches = lambda word: any(expression([word]) in k for k in keywords)  # noqa: E731 (pytest's -k is a substring test)
    assert matches("3") and matches("3.") and matches("3.1") and matches("3.1.2")
    assert not any(matches(w) for w in ("3.2", "31", "3.1.20", "1.2", "13."))
    assert task_keywords(None) == [] and task_keywords("bonus") == []


@pytest.mark.parametrize(("words", "why"), [
    (["1.2", "and"], "ends where a task number or word should follow"),
    (["or", "relu"], "'or' stands where"),
    (["(relu"], "opened but not closed"),
    (["relu)"], "no matching opening parenthesis"),
    (["relu,"], "characters -k cannot match"),
    ([], "give a task number"),
])
def test_unreadable_selections_are_refused_in_words(words, why):
    with pytest.raises(ValueError, match=re.escape(why)):
        expression(words)


@pytest.fixture(scope="module")
def solved_bundle(tmp_path_factory, toy_zips):
    """The toy student bundle, unpacked, with the reference solution's files in place."""
    _, bundle_zip = toy_zips
    base = tmp_path_factory.mktemp("bundle")
    with zipfile.ZipFile(bundle_zip) as zf:
        zf.extractall(base)
    for name in ("ops.py", "counter.py"):
        shutil.copy(TOY / "solutions" / "toy" / "calc" / name, base / "toy" / "calc" / name)
    return base / "toy"


def check(folder, *words):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "autograder", "check", "-k", *words], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)


def test_check_selects_by_task_number(solved_bundle):
    out = check(solved_bundle, "1.2")
    assert out.returncode == 0 and "Score: 2 / 2. 1 of 1 tests passed." in out.stdout, out.stdout + out.stderr
    assert "relu()" in out.stdout and "add()" not in out.stdout


def test_check_takes_several_words(solved_bundle):
    out = check(solved_bundle, "relu", "softmax")
    assert out.returncode == 0 and "Score: 4 / 4. 2 of 2 tests passed." in out.stdout, out.stdout + out.stderr


def test_check_says_when_nothing_matches(solved_bundle):
    out = check(solved_bundle, "4.")
    assert out.returncode == 2, out.stdout + out.stderr
    assert "No public test matches -k 4." in out.stdout and "numbered: 1.1, 1.2, 1.3." in out.stdout
    assert "Score" not in out.stdout


def test_check_refuses_an_unreadable_selection(solved_bundle):
    out = check(solved_bundle, "1.2", "and")
    assert out.returncode == 2 and "-k 1.2 and: the selection ends" in out.stderr, out.stdout + out.stderr
    assert "::" not in out.stderr and "Score" not in out.stdout
