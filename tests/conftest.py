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
    """``built_zips(aid, root=REPO)``: the (autograder zip, student bundle) of an assignment, built once."""
    from autograder.staff.build import build
    from autograder.staff.repo import Repo

    done: dict[tuple[Path, str], tuple[Path, Path]] = {}
    base = tmp_path_factory.mktemp("dist")

    def get(aid: str, root: Path = REPO) -> tuple[Path, Path]:
        if (root, aid) not in done:
            done[(root, aid)] = build(Repo(root, dist=base / root.name), aid)
        return done[(root, aid)]

    return get


@pytest.fixture(scope="session")
def toy_zips(built_zips: Built) -> tuple[Path, Path]:
    """The toy assignment's zips, built once for the session."""
    return built_zips("toy", TOY)


def pytest_report_header(config):
    """The submission id this run's emulated gradings draw their inputs for (replayable)."""
    from autograder.staff.emulate import SUBMISSION_ID_ENV, run_submission_id

    return f"emulated gradings use submission id {run_submission_id()} (replay: {SUBMISSION_ID_ENV}={run_submission_id()})"
