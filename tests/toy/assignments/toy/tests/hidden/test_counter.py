import json

import pytest
import toy_probes
from gradescope_utils.autograder_utils.decorators import leaderboard, number, weight

from autograder.grading.checks import assert_true


@weight(2)
@number("2.1")
def test_counter_handle(student, fixtures_dir):
    """Counter keeps its total across calls"""
    c = student.new("calc.counter.Counter", 10)
    c.step(5)
    c.step()
    total = c.total
    assert_true(total == 16, "Counter after a few steps: the total is not the expected one",
                where="calc/counter.py, Counter.step")
    case = json.loads((fixtures_dir / "counter.json").read_text())
    c = student.new("calc.counter.Counter", case["start"])
    for amount in case["amounts"]:
        c.step(amount)
    total = c.total
    assert_true(total == case["total"], f"Counter after {len(case['amounts'])} steps: the total is {total!r}",
                where="calc/counter.py, Counter.step")


@weight(1.5)
@number("2.2")
@pytest.mark.parametrize("amounts", [[1, 2, 3], [5]], ids=["three", "one"])
def test_counter_probe(student, amounts):
    """Counter history, through a probe"""
    total, history = student.run(toy_probes.count_many, amounts)
    assert_true(total == sum(amounts) and history == amounts,
                f"the probe saw total {total!r} and history {history!r} for the amounts {amounts}")


@leaderboard("Speed", "asc")
@number("2.3")
def test_speed_board(student, set_leaderboard_value=None):
    """Leaderboard value"""
    total, _ = student.run(toy_probes.count_many, [1, 1])
    set_leaderboard_value(float(total))
