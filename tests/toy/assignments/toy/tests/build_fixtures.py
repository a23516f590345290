"""Build-time fixtures for the toy: expected values produced by the reference solution.

`autograder build` calls ``build(request)`` (autograder.staff.fixtures.FixtureRequest) with the
solution on ``sys.path``: once for the fixed part (nothing here), once for the students' set
(the toy has no public fixtures) and once per draw of the pool. Each draw writes
``counter.json``, the hidden counter case, with a start and amounts drawn from its seed; a draw
whose total is odd is rejected and drawn again (a stand-in for a real screen), and the fixed
case below is the fallback.
"""

import json
import random

from autograder.staff.fixtures import screened

FIXED_CASE = {"start": 10, "amounts": [5, 1, 7]}


def _case(start, amounts):
    from calc.counter import Counter

    c = Counter(start)
    for amount in amounts:
        c.step(amount)
    return {"start": start, "amounts": amounts, "total": c.total}


def _drawn(seed):
    # three-digit starts and two-digit amounts: values no other text of a grading happens to hold
    rng = random.Random(seed)
    return _case(rng.randint(100, 999), [rng.randint(10, 99) for _ in range(rng.randint(3, 5))])


def build(request):
    if request.fixed or request.draw is None:
        return
    case = screened(_drawn, request.draw, accept=lambda c: c["total"] % 2 == 0,
                    fallback=lambda: _case(**FIXED_CASE), name="counter")
    (request.out_dir / "counter.json").write_text(json.dumps(case))
