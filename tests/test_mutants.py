"""`autograder mutants` on the toy assignment: verdicts, points lost, exit codes, JSON."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.staff.mutants import Mutant, MutantError, apply_mutant, likely_test_files, load_mutants, run_mutants
from autograder.staff.repo import Repo

TOY = Path(__file__).resolve().parents[1] / "tests" / "toy"


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, timeout=600)


VERDICTS = {"add-subtracts": "public", "relu-absolute": "public", "softmax-wrong-axis": "public",
            "counter-history-totals": "hidden"}


def test_toy_mutants_are_all_killed_with_their_suites(toy_zips):
    """Public tests first: a mutant they kill is not graded on the hidden tests (hidden lost unknown)."""
    report = run_mutants(Repo(TOY), "toy", grader_zip=toy_zips[0], log=lambda *_: None)
    assert {o.id: o.verdict for o in report.outcomes} == VERDICTS
    by_id = {o.id: o for o in report.outcomes}
    assert by_id["add-subtracts"].public_lost == 1 and by_id["add-subtracts"].hidden_lost is None
    assert by_id["counter-history-totals"].public_lost == 0 and by_id["counter-history-totals"].hidden_lost > 0
    assert report.public_share == 0.75 and report.problems() == []


def test_the_test_files_that_name_the_mutated_file_or_its_definitions_run_first(tmp_path):
    """The guess only orders the tests: most mentions first, case aside, a name's start at a word's
    start (``saliency_map`` is in ``saliency_maps``); files that mention nothing keep their usual
    order (not named)."""
    mutated = tmp_path / "models" / "max_pool.py"
    mutated.parent.mkdir()
    mutated.write_text("class MaxPooling:\n    pass\n\ndef _im2col(x):\n    return x\n")
    tests = {"test_layers.py": "from modules.max_pool import MaxPooling\nMaxPooling(2)\nmaxpooling",
             "test_network.py": "net = ConvNet([MaxPooling(2)])",
             "test_models.py": "nn.MaxPool2d(2); AdaptiveMaxPooling(1); im2col(x)  # none of them"}
    for name, text in tests.items():
        (tmp_path / name).write_text(text)
    found = likely_test_files(mutated, sorted(tmp_path.glob("test_*.py")))
    assert found == ("test_layers.py", "test_network.py")


def test_a_given_reference_is_not_graded_again(toy_zips, monkeypatch):
    """``verify`` hands over the solution's grading: the mutants are measured against it."""
    from autograder.staff import mutants
    from autograder.staff.emulate import emulate

    solution = emulate(toy_zips[0], TOY / "solutions" / "toy", warm=True).results
    graded: list[str] = []
    real = mutants._Grader.grade
    monkeypatch.setattr(mutants._Grader, "grade", lambda self, sub, *a: graded.append(sub.name) or real(self, sub, *a))
    report = run_mutants(Repo(TOY), "toy", grader_zip=toy_zips[0], log=lambda *_: None, reference=solution)
    assert {o.id: o.verdict for o in report.outcomes} == VERDICTS
    assert graded and "reference" not in graded, f"graded: {graded}"
    solution.score = 5.0
    broken = run_mutants(Repo(TOY), "toy", grader_zip=toy_zips[0], log=lambda *_: None, reference=solution,
                         only=["add-subtracts"])
    assert any("the unmutated reference scores 5.0" in p for p in broken.problems())


@pytest.mark.slow   # grades mutants with every test
def test_full_grades_the_hidden_tests_of_every_mutant(toy_zips):
    report = run_mutants(Repo(TOY), "toy", grader_zip=toy_zips[0], log=lambda *_: None, full=True,
                         only=["add-subtracts", "counter-history-totals"])
    by_id = {o.id: o for o in report.outcomes}
    assert {k: o.verdict for k, o in by_id.items()} == {k: VERDICTS[k] for k in by_id}
    assert by_id["add-subtracts"].public_lost == 1 and by_id["add-subtracts"].hidden_lost == 0
    assert by_id["counter-history-totals"].hidden_lost > 0


def _toy_copy(tmp_path, extra: str):
    repo = tmp_path / "repo"
    shutil.copytree(TOY, repo, ignore=shutil.ignore_patterns("dist", ".heldout"))
    path = repo / "assignments" / "toy" / "mutants.toml"
    path.write_text(path.read_text() + extra)
    return repo


@pytest.mark.slow   # the mutants command on a copy of the toy course
def test_a_surviving_mutant_fails_the_command_and_is_named_in_json(tmp_path):
    repo = _toy_copy(tmp_path, '''
[[mutant]]
id = "docstring-only"
file = "calc/ops.py"
mistake = "changes only a docstring, so no test can notice"
find = "Return a + b for two numbers."
replace = "Return the sum."
''')
    out_json = tmp_path / "m.json"
    out = _cli("--repo", str(repo), "mutants", "toy", "--only", "docstring-only", "add-subtracts",
               "--json", str(out_json))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "survived" in out.stdout and "docstring-only" in out.stdout
    doc = json.loads(out_json.read_text())
    assert doc["assignment"] == "toy"
    rows = {m["id"]: m for m in doc["mutants"]}
    assert set(rows["docstring-only"]) >= {"id", "mistake", "public_lost", "hidden_lost", "verdict"}
    assert rows["docstring-only"]["verdict"] == "survived" and rows["add-subtracts"]["verdict"] == "public"


def test_a_mutant_that_does_not_apply_or_breaks_the_import_exits_2(tmp_path):
    repo = _toy_copy(tmp_path, '''
[[mutant]]
id = "not-there"
file = "calc/ops.py"
mistake = "its text is not in the solution"
find = "return a * b"
replace = "return a / b"

[[mutant]]
id = "breaks-import"
file = "calc/ops.py"
mistake = "a module-level name error"
find = "import numpy as np"
replace = "import numpy as np\\nnp_missing_name"
''')
    out = _cli("--repo", str(repo), "mutants", "toy", "--only", "not-there", "breaks-import")
    assert out.returncode == 2, out.stdout + out.stderr
    assert "found 0 times" in out.stdout and "breaks the import" in out.stdout and "NameError" in out.stdout


def test_declarations_are_validated_with_file_and_mutant_named(tmp_path):
    bad = tmp_path / "mutants.toml"
    bad.write_text('[[mutant]]\nid = "x"\nfile = "a.py"\nfind = "a"\nreplace = "a"\nmistake = "m"\n')
    with pytest.raises(MutantError, match=r"mutant #1 \(x\): 'replace' equals 'find'"):
        load_mutants(bad)
    bad.write_text('[[mutant]]\nid = "x"\nfile = "a.py"\n')
    with pytest.raises(MutantError, match=r"mutant #1: missing keys \['find', 'mistake', 'replace'\]"):
        load_mutants(bad)
    bad.write_text("not = [toml")
    with pytest.raises(MutantError, match="not valid TOML"):
        load_mutants(bad)
    with pytest.raises(MutantError, match="found 2 times"):
        apply_mutant(Mutant("d", "f.py", "m", "x", "y"), "x = 1\nx = 2\n")
