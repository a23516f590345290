"""``autograder new``: an empty folder becomes a course repository whose new assignment verifies."""

import subprocess
import sys
import zipfile

import pytest

from autograder.staff.scaffold import new


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow   # builds and verifies a new assignment, mutants included
def test_new_assignment_builds_and_verifies_in_an_empty_folder(tmp_path):
    out = cli("new", "demo", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    for rel in ("assignments/demo/assignment.toml", "assignments/demo/handout.md", "assignments/demo/mutants.toml",
                "assignments/demo/tests/public/test_demo.py", "assignments/demo/tests/hidden/test_demo_hidden.py",
                "assignments/demo/tests/probes/demo_probes.py", "solutions/demo/ops.py", "starter_code/demo/ops.py"):
        assert (tmp_path / rel).is_file(), rel
    solution = (tmp_path / "solutions" / "demo" / "ops.py").read_text()
    starter = (tmp_path / "starter_code" / "demo" / "ops.py").read_text()
    assert "# BEGIN SOLUTION" in solution and "np.maximum(x, 0)" in solution
    assert "np.maximum(x, 0)" not in starter and "task 1.1" in starter
    assert "student" in (tmp_path / "assignments/demo/tests/hidden/test_demo_hidden.py").read_text()

    out = cli("build", "demo", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    with zipfile.ZipFile(tmp_path / "dist" / "demo_student.zip") as zf:
        names = zf.namelist()
        shipped = b"".join(zf.read(n) for n in names)
        requirements = zf.read("demo/requirements.txt").decode()
    assert "demo/ops.py" in names and not any("hidden" in n or "templates/new" in n for n in names)
    assert b"np.maximum(x, 0)" not in shipped and "torch" not in requirements and "numpy" in requirements
    out = cli("verify", "demo", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "10.0 / 10" in out.stdout and "4/4" in out.stdout


def test_new_takes_the_repository_after_the_verb_and_a_title(tmp_path):
    out = cli("new", "week_2", "--repo", str(tmp_path / "course"), "--title", "Week 2: arrays", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    manifest = (tmp_path / "course" / "assignments" / "week_2" / "assignment.toml").read_text()
    assert 'id = "week_2"' in manifest and 'title = "Week 2: arrays"' in manifest


@pytest.mark.parametrize(("aid", "why"), [
    ("Demo", "must start with a lowercase letter"),
    ("2nd", "must start with a lowercase letter"),
    ("my-demo", "must start with a lowercase letter"),
])
def test_new_refuses_ids_that_cannot_name_a_module(tmp_path, aid, why):
    with pytest.raises(ValueError, match=why):
        new(tmp_path, aid)
    assert not any(tmp_path.iterdir())


def test_new_never_overwrites_an_assignment(tmp_path):
    new(tmp_path, "demo")
    (tmp_path / "solutions" / "demo" / "ops.py").write_text("# my own work\n")
    with pytest.raises(ValueError, match="already exists"):
        new(tmp_path, "demo")
    assert (tmp_path / "solutions" / "demo" / "ops.py").read_text() == "# my own work\n"
    out = cli("new", "demo", cwd=tmp_path)
    assert out.returncode == 2 and "already exists" in out.stderr


def test_new_refuses_a_title_that_would_break_the_manifest(tmp_path):
    with pytest.raises(ValueError, match="without quotes"):
        new(tmp_path, "demo", 'say "hi"')
