"""Stubs and handouts state conventions, never steps: each assignment's table holds them to it.

``assignments/<id>/conventions.toml`` lists every graded task::

    [[task]]
    number = "2.2"                       # as the tests' @number gives it
    title = "SoftmaxRegression backward"
    files = ["models/softmax_regression.py"]   # the stubs of the task (paths in the starter code)
    derive = "the gradient of the mean cross-entropy through the ReLU with respect to W1"
    reference = "Goodfellow, Bengio, Courville, Deep Learning (2016), section 6.5"
    stated = ["mean over the batch"]     # conventions: each phrase appears in a stub of the task or the handout
    forbidden = ["X.T @ (P - Y)"]        # the computation itself: in none of the task's stubs, nor the handout

Phrases are compared case-insensitively with runs of white space made one space. The tables
are also rendered for people in ``docs/conventions/<id>.md``, which must name every task.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.name for p in (REPO / "assignments").iterdir() if (p / "assignment.toml").is_file())
KEYS = {"number", "title", "files", "derive", "reference", "stated", "forbidden"}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _table(aid: str) -> list[dict]:
    path = REPO / "assignments" / aid / "conventions.toml"
    assert path.is_file(), f"{path} is missing: every assignment lists its graded tasks there"
    tasks = tomllib.loads(path.read_text(encoding="utf-8")).get("task", [])
    assert tasks, f"{path} lists no [[task]]"
    for task in tasks:
        unknown = set(task) - KEYS
        assert not unknown, f"{path}: task {task.get('number')}: unknown keys {sorted(unknown)}"
        for key in ("number", "title", "derive", "reference"):
            assert isinstance(task.get(key), str) and task[key].strip(), \
                f"{path}: task {task.get('number')}: '{key}' must be a non-empty string"
        for key in ("files", "stated", "forbidden"):
            value = task.get(key, [])
            assert isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value), \
                f"{path}: task {task['number']}: '{key}' must be a list of non-empty strings"
        assert task.get("files"), f"{path}: task {task['number']}: name the stub files in 'files'"
    return tasks


def _graded_numbers(aid: str) -> set[str]:
    numbers = set()
    for part in ("public", "hidden"):
        for path in (REPO / "assignments" / aid / "tests" / part).glob("test_*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "number" and node.args
                        and isinstance(node.args[0], ast.Constant)):
                    numbers.add(str(node.args[0].value))
    return numbers


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_every_graded_task_is_in_the_table(aid):
    listed = {t["number"] for t in _table(aid)}
    missing = sorted(n for n in _graded_numbers(aid)
                     if not any(n == m or n.startswith(m + ".") for m in listed))
    assert not missing, f"assignments/{aid}/conventions.toml has no row for the graded task(s) {missing}"


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_stubs_and_handout_state_conventions_not_steps(aid):
    handout = _norm((REPO / "assignments" / aid / "handout.md").read_text(encoding="utf-8"))
    problems = []
    for task in _table(aid):
        stubs = {}
        for rel in task["files"]:
            path = REPO / "starter_code" / aid / rel
            if not path.is_file():
                problems.append(f"task {task['number']}: stub {rel} does not exist in starter_code/{aid}")
                continue
            stubs[rel] = _norm(path.read_text(encoding="utf-8"))
        for phrase in task.get("stated", []):
            if not any(_norm(phrase) in text for text in [handout, *stubs.values()]):
                problems.append(f"task {task['number']}: the convention {phrase!r} is stated neither in "
                                f"{', '.join(task['files'])} nor in handout.md")
        for phrase in task.get("forbidden", []):
            where = [rel for rel, text in stubs.items() if _norm(phrase) in text]
            if _norm(phrase) in handout:
                where.append("handout.md")
            if where:
                problems.append(f"task {task['number']}: {phrase!r} gives the computation away, in {', '.join(where)}")
    assert not problems, f"{aid}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_docs_table_names_every_task(aid):
    path = REPO / "docs" / "conventions" / f"{aid}.md"
    assert path.is_file(), f"{path} is missing: the people's version of assignments/{aid}/conventions.toml"
    text = path.read_text(encoding="utf-8")
    missing = [t["number"] for t in _table(aid) if not re.search(rf"(?<![\d.]){re.escape(t['number'])}(?![\d])", text)]
    assert not missing, f"{path} does not list task(s) {missing}"
