"""The adversarial suite's summary line after the session (tests/conftest.py prints it)."""

import sys

import pytest
from parallel import summarize


@pytest.fixture(autouse=True)
def _summary(request):
    """Each case the test tried goes into its report, for the summary (the controller's, under xdist)."""
    outcomes = getattr(sys.modules.get("test_adversarial"), "OUTCOMES", {})
    before = dict(outcomes)
    yield
    for name, held in outcomes.items():
        if before.get(name) is not held or name not in before:
            summarize(request.node, "adversarial", name, held)
