"""The toy assignment through every user-facing path: build, emulate, student check/submit, regrade."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.grading.results import LeaderboardEntry
from autograder.staff.build import build
from autograder.staff.emulate import emulate
from autograder.staff.repo import Repo

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"


def test_build_is_reproducible_and_ships_no_solution(toy_zips, tmp_path):
    grader_zip, bundle_zip = toy_zips
    again = build(Repo(TOY, dist=tmp_path), "toy")
    assert (again[0].read_bytes(), again[1].read_bytes()) == (grader_zip.read_bytes(), bundle_zip.read_bytes())
    with zipfile.ZipFile(grader_zip) as zf:
        names = zf.namelist()
        assert {"setup.sh", "run_autograder", "requirements.txt", "grade.py"} <= set(names)
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
        assert any(n.startswith("tests/hidden/") for n in names)
        everything = b"".join(zf.read(n) for n in names)
    assert b"self.history.append(amount)" not in everything and b"scores.max(axis=1" not in everything
    with zipfile.ZipFile(bundle_zip) as zf:
        names = zf.namelist()
        assert not any("/tests/hidden/" in n for n in names)
        assert "toy/autograder/cli.py" in names and "toy/calc/ops.py" in names


COUNT_WRITES = """
import sys
from autograder.grading import results
written = []
real = results.write_atomic
results.write_atomic = lambda doc, path, check=True: (written.append(path), real(doc, path, check))[1]
from autograder.grading.session import gradescope_main
code = gradescope_main(sys.argv[1])
print("WRITES", code, len(written), len(set(written)))
"""


def test_a_run_writes_results_json_at_the_start_and_at_the_end(toy_zips):
    """The grader itself, as run_autograder starts it, counting its writes of results.json."""
    import tempfile

    from autograder.grading.upload import safe_extract

    with tempfile.TemporaryDirectory() as tmp:   # not under pytest's own folder, which only root may enter
        root = Path(tmp)
        os.chmod(root, 0o711)
        (root / "source").mkdir()
        safe_extract(toy_zips[0], root / "source")
        shutil.copytree(TOY / "solutions" / "toy", root / "submission")
        env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
        out = subprocess.run([sys.executable, "-c", COUNT_WRITES, str(root / "source")], env=env,
                             capture_output=True, text=True, timeout=300)
        assert "WRITES 0 2 1" in out.stdout, out.stdout + out.stderr
        assert json.loads((root / "results" / "results.json").read_text())["score"] == 10


def test_solution_full_marks_and_starter_zero(toy_zips):
    grader_zip, _ = toy_zips
    sol = emulate(grader_zip, TOY / "solutions" / "toy", warm=True)
    assert sol.problems == [] and sol.results.score == 10
    assert sol.results.leaderboard == [LeaderboardEntry("Speed", 2.0, "asc")]
    st = emulate(grader_zip, TOY / "starter_code" / "toy", warm=True)
    assert st.problems == [] and st.results.score == 0
    assert all(t.score == 0 for t in st.results.tests)
    assert any("task 1.1" in t.output for t in st.results.tests)


def _submission(tmp_path, name, edit=None):
    sub = tmp_path / name
    shutil.copytree(TOY / "solutions" / "toy", sub)
    if edit:
        edit(sub)
    return sub


@pytest.mark.parametrize(("case", "expected_score", "words"), [
    ("syntax", 5, "Syntax error: calc/counter.py"),
    ("forbidden", 5, "Forbidden import or name: calc/ops.py"),
    ("missing", 5, "Missing file: calc/counter.py"),
    ("nested_folder", 10, "unwrapped"),
    ("nested_zip", 10, "zip inside the zip"),
    ("non_utf8", 5, "not valid UTF-8"),
    ("symlink", 5, "Not a plain file: calc/counter.py"),
])
def test_broken_submissions_get_clear_static_messages(toy_zips, tmp_path, case, expected_score, words):
    grader_zip, _ = toy_zips
    if case == "syntax":
        sub = _submission(tmp_path, case, lambda s: (s / "calc" / "counter.py").write_text("class Counter(:\n"))
    elif case == "forbidden":
        sub = _submission(tmp_path, case, lambda s: (s / "calc" / "ops.py").write_text(
            (s / "calc" / "ops.py").read_text() + "\nimport scipy.linalg\n"))
    elif case == "missing":
        sub = _submission(tmp_path, case, lambda s: (s / "calc" / "counter.py").unlink())
    elif case == "nested_folder":
        sub = tmp_path / "outer"
        _submission(sub, "my_homework")
    elif case == "nested_zip":
        inner = _submission(tmp_path, "inner")
        sub = tmp_path / "zipped"
        sub.mkdir()
        shutil.make_archive(str(sub / "homework"), "zip", inner)
    elif case == "symlink":
        def link(s):
            (s / "calc" / "counter.py").unlink()
            (s / "calc" / "counter.py").symlink_to(TOY / "assignments" / "toy" / "tests" / "hidden" / "test_counter.py")
        sub = _submission(tmp_path, case, link)
    else:
        sub = _submission(tmp_path, case, lambda s: (s / "calc" / "counter.py").write_bytes(b"x = '\xff\xfe'\n"))
    em = emulate(grader_zip, sub, warm=True)
    assert em.problems == []
    text = json.dumps(em.results.to_json())
    assert words in text
    assert em.results.score == expected_score, em.results
    if case == "forbidden":
        relu = next(t for t in em.results.tests if t.number == "1.2")
        assert relu.status == "failed" and "was not graded because it uses an import" in relu.output


def test_student_bundle_check_and_submit(toy_zips, tmp_path):
    _, bundle_zip = toy_zips
    with zipfile.ZipFile(bundle_zip) as zf:
        zf.extractall(tmp_path)
    folder = tmp_path / "toy"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    def run(*args):
        return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=folder, env=env,
                                           capture_output=True, text=True, timeout=300)
    out = run("check")
    assert out.returncode == 1 and "0 / 5" in out.stdout and "task 1.1" in out.stdout, out.stdout + out.stderr
    for name in ("ops.py", "counter.py"):
        shutil.copy(TOY / "solutions" / "toy" / "calc" / name, folder / "calc" / name)
    out = run("check", "-k", "relu")
    assert out.returncode == 0 and "2 / 2" in out.stdout, out.stdout + out.stderr
    out = run("submit")
    assert out.returncode == 0 and "calc/ops.py" in out.stdout
    with zipfile.ZipFile(folder / "toy_submission.zip") as zf:
        assert sorted(zf.namelist()) == ["calc/counter.py", "calc/ops.py"]
    (folder / "calc" / "ops.py").write_text("def add(:\n")
    out = run("submit", "-o", str(tmp_path / "x.zip"))
    assert out.returncode == 1 and "Syntax error" in out.stdout and not (tmp_path / "x.zip").exists()


def test_regrade_an_export(toy_zips, tmp_path):
    grader_zip, _ = toy_zips
    export = tmp_path / "export"
    shutil.copytree(TOY / "solutions" / "toy", export / "submission_1")
    shutil.copytree(TOY / "starter_code" / "toy", export / "submission_2")
    from autograder.staff.classtools.regrade import regrade

    csv_path = regrade(grader_zip, export, tmp_path / "out", workers=2).csv
    rows = [line.split(",")[3:5] for line in csv_path.read_text().splitlines()]
    assert rows[1:] == [["submission_1", "10.0"], ["submission_2", "0.0"]]
    assert json.loads((tmp_path / "out" / "submission_1" / "results.json").read_text())["score"] == 10


def test_dynamic_imports_count_as_forbidden():
    import ast

    from autograder.grading.precheck import forbidden_uses

    source = ("import importlib\nm = importlib.import_module('sc' + 'ipy')\nt = __import__('scipy.linalg')\n"
              "exec('import scipy')\nimport numpy as np\ny = np.einsum('ii', np.eye(2))\n")
    found = dict(forbidden_uses(ast.parse(source), ["scipy"], ["np.einsum"]))
    assert set(found) == {2, 3, 4, 6}, found
    aliased = ("from importlib import import_module\nimport importlib as il\nfrom importlib import import_module as im\n"
               "f = il.import_module\ng = f\na = import_module('sc' + 'ipy')\nb = im('scipy')\nc = g(which)\n"
               "d = il.import_module('numpy')\n")
    found = dict(forbidden_uses(ast.parse(aliased), ["scipy"], []))
    assert set(found) == {6, 7, 8}, found


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


@pytest.mark.slow   # verify through the CLI: builds, gradings, the reference runs
def test_cli_verify_emulate_and_errors(toy_zips, tmp_path):
    copy = tmp_path / "toy"
    shutil.copytree(TOY, copy, ignore=shutil.ignore_patterns("dist", ".cache"))
    out = _cli("--repo", str(copy), "verify", "--no-mutants")   # tests/test_mutants.py has the proof
    assert out.returncode == 0 and "toy" in out.stdout and "10.0 / 10" in out.stdout, out.stdout + out.stderr
    results = tmp_path / "r.json"
    out = _cli("emulate", str(toy_zips[0]), "--submission", str(TOY / "starter_code" / "toy"), "--results", str(results))
    assert out.returncode == 0 and json.loads(results.read_text())["score"] == 0  # exit 0 whatever the score
    out = _cli("--repo", str(TOY), "build", "no_such_assignment")
    assert out.returncode == 2 and "unknown assignment 'no_such_assignment'" in out.stderr
    bad = tmp_path / "repo"
    shutil.copytree(TOY, bad, ignore=shutil.ignore_patterns("dist"))
    manifest = bad / "assignments" / "toy" / "assignment.toml"
    manifest.write_text("surprise = 1\n" + manifest.read_text())
    out = _cli("--repo", str(bad), "build", "toy")
    assert out.returncode == 2 and "key 'surprise'" in out.stderr and str(manifest) in out.stderr
