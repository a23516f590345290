"""The adversarial suite's summary line after the session (tests/conftest.py prints it)."""

import sys

import pytest
from parallel import summarizing


@pytest.fixture(autouse=True)
def _summary(request):
    """Each case the test tried goes into its report, for the summary (the controller's, under xdist)."""
    outcomes = getattr(sys.modules.get("test_adversarial"), "OUTCOMES", {})
    yield from summarizing(request.node, "adversarial", outcomes, lambda held: (held,))
