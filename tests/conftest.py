"""Shared helpers for the framework's own tests.

Tests that need built zips share one build per assignment and session (``built_zips``), written to a
temporary folder: never to the checkout's ``dist/``, which is ``make autograders``' own. Under
pytest-xdist (``make test`` runs two workers) the workers share that build too.
Tests marked ``slow`` (real assignments' zips, training, a browser) are left out of ``make check``;
tests marked ``first`` are the longest, and start first.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

pytest_plugins = ["pytester", "parallel"]   # parallel: how make test spreads the tests over its workers

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"

Built = Callable[..., tuple[Path, Path]]
#: Fixture draws a test's build records: enough for draws to differ; the manifest's pool (50) is
#: what `verify` and `make autograders` build, and `tests/test_assignments_whole.py` checks.
TEST_DRAWS = 4


def shared_temp(tmp_path_factory) -> Path:
    """A temporary folder of this run that every xdist worker sees (the session's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def built_zips(tmp_path_factory) -> Built:
    """``built_zips(aid, root=REPO, pool_size=TEST_DRAWS)``: an assignment's (autograder zip, student bundle),
    built once per run, whichever worker asks first (``pool_size=None``: the manifest's pool)."""
    from filelock import FileLock

    from autograder.staff.build import build
    from autograder.staff.repo import Repo

    base = shared_temp(tmp_path_factory) / "built"
    base.mkdir(exist_ok=True)

    def get(aid: str, root: Path = REPO, pool_size: int | None = TEST_DRAWS) -> tuple[Path, Path]:
        dist = base / f"{root.name}-{aid}-{pool_size or 'pool'}"
        record = dist / "built.json"
        with FileLock(f"{dist}.lock"):
            if not record.exists():
                paths = build(Repo(root, dist=dist), aid, pool_size=pool_size)
                record.write_text(json.dumps([str(p) for p in paths]))
        grader, bundle = json.loads(record.read_text())
        return Path(grader), Path(bundle)

    return get


@pytest.fixture(scope="session")
def toy_zips(built_zips: Built) -> tuple[Path, Path]:
    """The toy assignment's zips with the manifest's pool (cheap), built once for the session."""
    return built_zips("toy", TOY, pool_size=None)


def pytest_configure(config):
    """One submission id for the whole run, xdist's workers included (they inherit the environment)."""
    from autograder.staff.emulate import SUBMISSION_ID_ENV, run_submission_id

    os.environ.setdefault(SUBMISSION_ID_ENV, str(run_submission_id()))


def pytest_report_header(config):
    """The submission id this run's emulated gradings draw their inputs for (replayable)."""
    from autograder.staff.emulate import SUBMISSION_ID_ENV, run_submission_id

    return f"emulated gradings use submission id {run_submission_id()} (replay: {SUBMISSION_ID_ENV}={run_submission_id()})"
