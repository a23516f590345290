"""Build-time fixtures for the toy: expected values produced by the reference solution.

`autograder build` calls ``build(out_dir, solution_dir)`` with the solution on ``sys.path``;
what lands in ``out_dir`` ships in the zip as ``fixtures/`` (never readable by the worker).
"""

import json


def build(request):
    out_dir = request.out_dir
    from calc.counter import Counter

    c = Counter(10)
    for amount in (5, 1, 7):
        c.step(amount)
    (out_dir / "counter.json").write_text(json.dumps({"start": 10, "amounts": [5, 1, 7], "total": c.total}))
