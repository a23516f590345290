"""make test's two pytest-xdist workers keep each group on one worker (tests/parallel.py)."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

SUITE = '''
import json, os, pytest

def note(name):
    with open(os.environ["WHERE_THEY_RAN"], "a") as f:
        f.write(json.dumps([name, os.environ.get("PYTEST_XDIST_WORKER")]) + "\\n")

@pytest.fixture(scope="module")
def made_once():
    note("fixture")
    return 1

@pytest.mark.parametrize("i", range(6))
def test_sharing(made_once, i):
    note(f"sharing {i}")

@pytest.mark.parametrize("i", range(6))
@pytest.mark.xdist_group("declared")
def test_declared(i):
    note(f"declared {i}")

@pytest.mark.parametrize("i", range(6))
def test_free(i):
    note(f"free {i}")

@pytest.mark.first
def test_longest():
    note("longest")
'''


def test_a_group_runs_on_one_worker_and_its_module_fixture_is_made_once(pytester, monkeypatch):
    """With pytest 9, xdist's own --dist loadgroup spread a group over both workers: each made the
    module's fixtures (and an assignment's reference runs were made twice). This fails then. The
    test marked ``first`` (written last) is the first its worker runs: xdist's load-scope scheduling
    would start with the largest groups."""
    where = pytester.path / "where.jsonl"
    monkeypatch.setenv("WHERE_THEY_RAN", str(where))
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    monkeypatch.delenv("COURSE_TEST_GROUPS", raising=False)
    pytester.makeini("[pytest]\nmarkers =\n    first: the longest tests, started first\n")
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-p", "parallel", "-p", "xdist", "-n", "2", "--dist", "loadgroup",
                                           "-p", "no:cacheprovider")
    result.assert_outcomes(passed=19)
    ran = [json.loads(line) for line in where.read_text().splitlines()]
    workers = {kind: {w for name, w in ran if name.split()[0] == kind} for kind in ("sharing", "declared", "free")}
    assert len(workers["sharing"]) == 1, f"a module fixture's tests ran on {sorted(workers['sharing'])}"
    assert len(workers["declared"]) == 1, f"a declared group's tests ran on {sorted(workers['declared'])}"
    assert [name for name, _ in ran].count("fixture") == 1, "the module fixture was made more than once"
    assert {w for _, w in ran} == {"gw0", "gw1"}, "the tests without a group did not use both workers"
    longest = next(w for name, w in ran if name == "longest")
    assert [name for name, w in ran if w == longest][0] == "longest", "the test marked first did not start first"
