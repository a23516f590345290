"""Prints the adversarial suite's summary line after the session."""


def pytest_terminal_summary(terminalreporter):
    import sys

    module = sys.modules.get("test_adversarial")
    outcomes = getattr(module, "OUTCOMES", {})
    if outcomes:
        held = sum(outcomes.values())
        terminalreporter.write_line(f"adversarial: {len(outcomes)} cases tried, {held} held")
        for name, ok in outcomes.items():
            if not ok:
                terminalreporter.write_line(f"adversarial: NOT HELD: {name}")
