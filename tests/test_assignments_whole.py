"""Each real assignment as a whole, as `make test` checks it (on its xdist workers, beside the rest):

- `autograder verify`: both zips built with the manifest's pool of draws, the solution at full
  marks and the starter at zero, every declared mutant killed, the reference runs and report;
- the notebooks of the solution run from the first cell to the last.

Each assignment's verify runs on the same xdist worker as its key test in test_written.py (one
group per assignment), so the reference runs are made once and reused through the cache.
`make test` then prints verify's table with `autograder verify --cached-proofs`, from that cache.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from parallel import by_assignment

from autograder.staff.notebooks import execute

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.parent.name for p in (REPO / "assignments").glob("*/assignment.toml"))
NOTEBOOKS = sorted((REPO / "assignments").glob("*/notebooks/*.ipynb"))

pytestmark = pytest.mark.slow


@pytest.mark.first
@pytest.mark.parametrize("aid", by_assignment(ASSIGNMENTS))
def test_verify_passes(aid):
    run = subprocess.run([sys.executable, "-m", "autograder", "verify", aid], cwd=REPO, capture_output=True,
                         text=True, timeout=3600)
    assert run.returncode == 0, f"autograder verify {aid} failed:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: f"{p.parents[1].name}/{p.name}")
def test_the_solution_runs_its_notebook(notebook):
    execute(notebook, REPO / "solutions" / notebook.parents[1].name)
