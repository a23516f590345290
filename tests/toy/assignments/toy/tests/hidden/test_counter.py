import json

import pytest
import toy_probes
from gradescope_utils.autograder_utils.decorators import leaderboard, number, weight

from autograder.testing import assert_true


@weight(2)
@number("2.1")
def test_counter_handle(student, fixtures_dir):
    """Counter keeps its total across calls"""
    c = student.new("calc.counter.Counter", 10)
    c.step(5)
    c.step()
    total = c.total
    assert_true(total == 16, f"Counter(10) after step(5) and step(): expected total 16, got {total!r}")
    case = json.loads((fixtures_dir / "counter.json").read_text())
    c = student.new("calc.counter.Counter", case["start"])
    for amount in case["amounts"]:
        c.step(amount)
    total = c.total
    assert_true(total == case["total"], f"Counter after several steps: your total {total!r} is not the expected one "
                "(hidden tests never show their expected values)")


@weight(1.5)
@number("2.2")
@pytest.mark.parametrize("amounts", [[1, 2, 3], [5]], ids=["three", "one"])
def test_counter_probe(student, amounts):
    """Counter history, through a probe"""
    total, history = student.run(toy_probes.count_many, amounts)
    assert_true(total == sum(amounts) and history == amounts,
                f"expected total {sum(amounts)} and history {amounts}, got {total!r} and {history!r}")


@leaderboard("Speed", "asc")
@number("2.3")
def test_speed_board(student, set_leaderboard_value=None):
    """Leaderboard value"""
    total, _ = student.run(toy_probes.count_many, [1, 1])
    set_leaderboard_value(float(total))
