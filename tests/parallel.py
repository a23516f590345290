"""How `make test` spreads the tests over its pytest-xdist workers (see conftest.py)."""

from collections.abc import Iterator

import pytest


def by_assignment(aids: list[str]) -> list:
    """``aids`` as parameters, each in its assignment's xdist group: the tests of one group run on one
    worker, one after the other, so that the first makes the assignment's reference runs and the
    others reuse them through the cache (test_written.py key test and test_assignments_whole.py)."""
    return [pytest.param(aid, marks=pytest.mark.xdist_group(f"reference-runs-{aid}")) for aid in aids]


# ---- suite summaries: the adversarial and gaming suites' closing lines. Their tests run on xdist's
# workers; each case travels to the controller as a user property of its test's report.

_SUMMARIES: dict[str, dict[str, tuple[str, bool]]] = {}
_HEADERS: dict[str, str] = {}


def summarize(node, suite: str, case: str, held: bool, row: str = "", header: str = "") -> None:
    """Note one case of ``suite`` in the test's report: ``row`` is printed after the session (a held
    case without one is only counted), ``header`` above the rows."""
    node.user_properties.append(("summary", [suite, case, bool(held), row, header]))


def summarizing(node, suite: str, outcomes: dict, entry) -> Iterator[None]:
    """The body of a suite's autouse fixture: each case of ``outcomes`` (case -> outcome) that the
    test added or replaced goes into its report; ``entry(outcome)`` gives ``summarize``'s
    ``held``, ``row`` and ``header``."""
    before = dict(outcomes)
    yield
    for case, outcome in outcomes.items():
        if case not in before or before[case] is not outcome:
            summarize(node, suite, case, *entry(outcome))


def collect_summaries(report) -> None:
    for name, value in report.user_properties:
        if name == "summary":
            suite, case, held, row, header = value
            _SUMMARIES.setdefault(suite, {})[case] = (row, held)
            if header:
                _HEADERS[suite] = header


def write_summaries(write) -> None:
    for suite, cases in sorted(_SUMMARIES.items()):
        if suite in _HEADERS:
            write(_HEADERS[suite])
        for row, _ in (cases[case] for case in sorted(cases)):
            if row:
                write(row)
        write(f"{suite}: {len(cases)} cases tried, {sum(held for _, held in cases.values())} held")
        for case in sorted(cases):
            if not cases[case][1]:
                write(f"{suite}: NOT HELD: {case}")
