"""The gaming suite's shared zips (one per assignment and session) and its summary table."""

import threading

import pytest

_BUILT: dict = {}
_LOCK = threading.Lock()


@pytest.fixture(scope="session")
def gaming_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("gaming")


@pytest.fixture(scope="session")
def built(gaming_dir, built_zips):
    """``built(aid)``: that assignment's autograder zip and student bundle (the session's one build,
    in a temporary folder, never dist/), the bundle unpacked as a student has it."""
    from gaming_harness import unpack_assignment

    def get(aid: str):
        with _LOCK:
            if aid not in _BUILT:
                where = gaming_dir / aid
                where.mkdir()
                _BUILT[aid] = unpack_assignment(aid, *built_zips(aid), where)
            return _BUILT[aid]

    return get


def pytest_terminal_summary(terminalreporter):
    import sys

    harness = sys.modules.get("gaming_harness")
    outcomes = getattr(harness, "OUTCOMES", {})
    if not outcomes:
        return
    write = terminalreporter.write_line
    write(f"{'gaming case':<72} {'score':>6} {'cap':>6} {'honest':>7}")
    for outcome in outcomes.values():
        write(outcome.row())
    held = sum(o.held for o in outcomes.values())
    write(f"gaming: {len(outcomes)} cases tried, {held} held")
