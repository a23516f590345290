"""`autograder verify` repeats only what changed: results are keyed by everything they depend on."""

import shutil
from pathlib import Path

import pytest

from autograder.staff.cache import Cache, Key
from autograder.staff.repo import Repo
from autograder.staff.verify import NOT_RUN, Options, verify_one

TOY = Path(__file__).resolve().parents[1] / "tests" / "toy"


def _two_assignments(tmp_path) -> Repo:
    """The toy course with a second assignment, ``other``, a copy of ``toy``."""
    root = tmp_path / "repo"
    shutil.copytree(TOY, root, ignore=shutil.ignore_patterns("dist", ".heldout"))
    for part in ("assignments", "solutions", "starter_code"):
        shutil.copytree(root / part / "toy", root / part / "other")
    manifest = root / "assignments" / "other" / "assignment.toml"
    manifest.write_text(manifest.read_text().replace('id = "toy"', 'id = "other"', 1))
    return Repo(root)


def _steps(repo, aid, **options):
    row = verify_one(repo, aid, log=lambda *_: None, options=Options(**options))
    assert row.problems == [], row.problems
    return row, {s.split(" ", 1)[0] if not s.startswith("reference") else "reference": s for s in row.steps}


def test_a_result_is_reused_only_under_the_same_key_and_with_its_files_unchanged(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.py").write_text("x = 1\n")
    out = tmp_path / "dist"
    out.mkdir()
    (out / "made.zip").write_bytes(b"zip")
    cache = Cache(tmp_path / "cache", "aid")
    key = Key.for_result().tree("assignment", source).part("zip", "abc")
    assert cache.get("build", key, out) is None and cache.why["build"] == ["not cached"]
    cache.put("build", key, {"ok": True}, [out / "made.zip"])
    again = Cache(tmp_path / "cache", "aid")
    assert again.get("build", Key.for_result().tree("assignment", source).part("zip", "abc"), out) == {"ok": True}
    assert again.reused == ["build"]
    (source / "a.py").write_text("x = 2\n")
    assert again.get("build", Key.for_result().tree("assignment", source).part("zip", "abc"), out) is None
    assert again.why["build"] == ["assignment changed"]
    (source / "a.py").write_text("x = 1\n")
    (out / "made.zip").write_bytes(b"another zip")
    assert again.get("build", key, out) is None and again.why["build"] == ["made.zip changed or missing"]
    assert Cache(tmp_path / "cache", "aid", fresh=True).get("build", key, out) is None


@pytest.mark.slow   # a dozen verify runs of two toy assignments, the mutation proof once
def test_verify_repeats_only_what_changed(tmp_path):
    repo = _two_assignments(tmp_path)
    row, steps = _steps(repo, "toy", mutants="cached", reference="cached")
    assert row.mutants == NOT_RUN and row.reference == NOT_RUN
    assert steps["build"].endswith(" s") and set(steps) == {"build", "solution", "starter"}
    row, steps = _steps(repo, "toy")   # the proofs run once, through the same cache
    assert row.mutants == "4/4 (75% public)" and row.reference == "made"
    assert [steps[k] for k in ("build", "solution", "starter")] == ["build reused", "solution reused", "starter reused"]
    _steps(repo, "other", mutants="skip")

    test_file = repo.assignment("toy") / "tests" / "public" / "test_ops.py"
    test_file.write_text(test_file.read_text() + "\n# one test file changes\n")
    row, steps = _steps(repo, "toy", mutants="cached", reference="cached")
    assert "(assignment changed)" in steps["build"] and "(zip changed)" in steps["solution"], steps
    assert "(zip changed)" in steps["starter"] and row.mutants.startswith("stale (zip changed)"), row.mutants
    assert row.reference == "reused" and steps["reference"] == "reference report reused"
    row, steps = _steps(repo, "other", mutants="skip")
    assert all(s.endswith("reused") for s in steps.values()) and row.solution == 10

    row, steps = _steps(repo, "other", mutants="skip", fresh=True)
    assert not any(s.endswith("reused") for s in steps.values()) and "(--fresh)" in steps["solution"]
    (repo.dist() / "other_autograder.zip").write_bytes(b"not the zip verify built")
    row, steps = _steps(repo, "other", mutants="skip")
    assert "(other_autograder.zip changed or missing)" in steps["build"] and row.solution == 10
