"""Shared helpers for the framework's own tests."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"


@pytest.fixture(scope="session")
def toy_zips():
    """Build the toy assignment's zips once for the session."""
    from autograder.staff.build import build
    from autograder.staff.repo import Repo

    return build(Repo(TOY), "toy")


def pytest_report_header(config):
    """The submission id this run's emulated gradings draw their inputs for (replayable)."""
    from autograder.staff.emulate import SUBMISSION_ID_ENV, run_submission_id

    return f"emulated gradings use submission id {run_submission_id()} (replay: {SUBMISSION_ID_ENV}={run_submission_id()})"
