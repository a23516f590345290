"""Shared helpers for the framework's own tests.

Tests that need built zips share one build per assignment and session (``built_zips``), written to a
temporary folder: never to the checkout's ``dist/``, which is ``make autograders``' own.
Tests marked ``slow`` (real assignments' zips, training, a browser) are left out of ``make check``.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"

Built = Callable[..., tuple[Path, Path]]


@pytest.fixture(scope="session")
def built_zips(tmp_path_factory) -> Built:
    """``built_zips(aid, root=REPO, pool_size=None)``: an assignment's (autograder zip, student bundle), built once.

    ``pool_size`` records that many fixture draws instead of the manifest's (a quicker build).
    """
    from autograder.staff.build import build
    from autograder.staff.repo import Repo

    done: dict[tuple[Path, str, int | None], tuple[Path, Path]] = {}
    base = tmp_path_factory.mktemp("dist")

    def get(aid: str, root: Path = REPO, pool_size: int | None = None) -> tuple[Path, Path]:
        key = (root, aid, pool_size)
        if key not in done:
            dist = base / f"{root.name}-{pool_size or 'pool'}"
            done[key] = build(Repo(root, dist=dist), aid, pool_size=pool_size)
        return done[key]

    return get


@pytest.fixture(scope="session")
def toy_zips(built_zips: Built) -> tuple[Path, Path]:
    """The toy assignment's zips, built once for the session."""
    return built_zips("toy", TOY)


def pytest_report_header(config):
    """The submission id this run's emulated gradings draw their inputs for (replayable)."""
    from autograder.staff.emulate import SUBMISSION_ID_ENV, run_submission_id

    return f"emulated gradings use submission id {run_submission_id()} (replay: {SUBMISSION_ID_ENV}={run_submission_id()})"
