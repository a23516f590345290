"""The gaming suite's shared zips (one per assignment and session) and its summary table (printed by
tests/conftest.py)."""

import threading

import pytest
from parallel import summarizing

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


@pytest.fixture(autouse=True)
def _summary(request):
    """Each case the test tried goes into its report, for the table (the controller's, under xdist)."""
    from gaming_harness import OUTCOMES

    header = f"{'gaming case':<72} {'score':>6} {'cap':>6} {'honest':>7}"
    yield from summarizing(request.node, "gaming", OUTCOMES, lambda o: (o.held, o.row(), header))
