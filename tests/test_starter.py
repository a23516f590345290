import json
from pathlib import Path

import pytest

from autograder.staff import starter
from autograder.staff.starter import MarkerError, strip_solution

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"

SOURCE = '''def f(x):
    """Doc."""
    # TODO: task 1.1 - double x
    # BEGIN SOLUTION
    return 2 * x
    # END SOLUTION


def g():
    # BEGIN SOLUTION
    y = 1
    # STARTER:
    # y = None  # your code
    # END SOLUTION
    return y
'''


def test_blocks_become_stubs_that_name_the_task():
    out = strip_solution(SOURCE, "m.py")
    assert "return 2 * x" not in out and "y = 1" not in out
    assert "    raise NotImplementedError('task 1.1 - double x (m.py)')" in out
    assert "    y = None  # your code\n" in out
    assert "# TODO: task 1.1 - double x" in out and '"""Doc."""' in out
    ns = {}
    exec(compile(out, "m.py", "exec"), ns)
    with pytest.raises(NotImplementedError, match="task 1.1"):
        ns["f"](1)


@pytest.mark.parametrize(("text", "line", "words"), [
    ("# BEGIN SOLUTION\nx\n# BEGIN SOLUTION\n", 3, "inside the block opened at line 1"),
    ("x = 1\n# END SOLUTION\n", 2, "without a matching"),
    ("a\n  # BEGIN SOLUTION\nb\n", 2, "never closed"),
])
def test_bad_markers_name_file_and_line(text, line, words):
    with pytest.raises(MarkerError) as err:
        strip_solution(text, "bad.py")
    assert f"bad.py:{line}:" in str(err.value) and words in str(err.value)


def test_notebook_cells_are_stripped_and_outputs_cleared():
    import nbformat

    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("# BEGIN SOLUTION\nprint(1)\n# END SOLUTION")
    code.outputs = [nbformat.v4.new_output("stream", text="1")]
    code.execution_count = 3
    nb.cells = [code, nbformat.v4.new_code_cell("# SOLUTION CELL\nsecret = 42"), nbformat.v4.new_markdown_cell("hi")]
    out = json.loads(starter.strip_notebook(nbformat.writes(nb), "n.ipynb"))
    assert out["cells"][0]["outputs"] == [] and out["cells"][0]["execution_count"] is None
    assert "print(1)" not in "".join(out["cells"][0]["source"])
    assert "secret" not in "".join(out["cells"][1]["source"])


def test_drift_names_changed_missing_and_extra_files(tmp_path):
    sol = tmp_path / "sol"
    sol.mkdir()
    (sol / "a.py").write_text(SOURCE)
    (sol / "b.py").write_text("# SOLUTION FILE\nsecret = 1\n")
    generated = starter.generate(sol)
    assert set(generated) == {"a.py"}
    st = tmp_path / "starter"
    starter.write(generated, st)
    assert starter.drift(generated, st) == []
    (st / "a.py").write_text("edited")
    (st / "extra.py").write_text("")
    problems = starter.drift(generated, st)
    assert any("a.py" in p and "differs" in p for p in problems)
    assert any("extra.py" in p for p in problems)


def test_committed_starters_are_in_sync():

    from autograder.staff.repo import Repo

    for root in (REPO, TOY):
        repo = Repo(root)
        for aid in repo.assignment_ids():
            m = repo.manifest(aid)
            assert starter.drift(starter.generate(repo.solution(aid), m.solution_only), repo.starter(aid)) == [], aid


@pytest.mark.slow   # starts a Jupyter kernel
def test_solution_notebook_runs_and_exports(tmp_path):
    """`autograder notebooks` executes the toy solution notebook; `export` renders HTML."""
    import shutil
    import subprocess
    import sys


    out = subprocess.run([sys.executable, "-m", "autograder", "--repo", str(TOY), "notebooks", "toy"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "experiment.ipynb ran" in out.stdout, out.stdout + out.stderr
    import nbformat
    from nbclient import NotebookClient

    from autograder.staff.notebooks import export_html

    nb = nbformat.read(TOY / "assignments" / "toy" / "notebooks" / "experiment.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(TOY / "solutions" / "toy")}}).execute()
    path = tmp_path / "done.ipynb"
    nbformat.write(nb, path)
    html = export_html(path).read_text()
    assert "Toy experiment" in html and "<html" in html
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_student_bundle_notebook_has_no_solution(toy_zips):
    import zipfile

    with zipfile.ZipFile(toy_zips[1]) as zf:
        text = zf.read("toy/notebooks/experiment.ipynb").decode()
    assert "probs = softmax(scores)" not in text and "NotImplementedError" in text
