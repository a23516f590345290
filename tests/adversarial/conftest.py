"""Prints the adversarial suite's summary line after the session."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def pytest_terminal_summary(terminalreporter):
    from test_adversarial import OUTCOMES

    if OUTCOMES:
        held = sum(OUTCOMES.values())
        terminalreporter.write_line(f"adversarial: {len(OUTCOMES)} cases tried, {held} held")
        for name, ok in OUTCOMES.items():
            if not ok:
                terminalreporter.write_line(f"adversarial: NOT HELD: {name}")
