"""No student bundle carries staff material: hidden tests, hand-written references, held-out data."""

import ast
import re
import zipfile
from pathlib import Path

import pytest

from autograder.staff.build import build
from autograder.staff.leaks import staff_leaks
from autograder.staff.repo import Repo

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"

ASSIGNMENTS = Repo(REPO).assignment_ids()
# Names the first release's public tests and probes used for hand-written references.
KNOWN_REFERENCES = {"sgd_oracle", "reweight_oracle", "focal_oracle", "oracle_steps"}


@pytest.mark.slow
@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_student_bundle_holds_no_reference_of_graded_work(aid, built_zips):
    with zipfile.ZipFile(built_zips(aid)[1]) as zf:
        bundle = {name: zf.read(name) for name in zf.namelist()}
    assert staff_leaks(REPO / "assignments" / aid, bundle, aid) == []
    staff_files = {p.name for p in (REPO / "assignments" / aid / "tests" / "staff").glob("*.py")}
    for name, data in bundle.items():
        rel = name.split("/", 1)[1]
        assert not rel.startswith(("tests/hidden/", "tests/staff/")), name
        assert not re.search(r"oracles?\.py$", name), f"{name}: reference modules belong in tests/staff/"
        assert name.rsplit("/", 1)[-1] not in staff_files or not rel.startswith("tests/"), name
        if not name.endswith(".py") or not rel.startswith("tests/"):
            continue
        tree = ast.parse(data.decode("utf-8"))
        defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        oracles = {d for d in defined if "oracle" in d.lower()} | (defined & KNOWN_REFERENCES)
        assert not oracles, f"{name} defines {sorted(oracles)}: hand-written references belong in tests/staff/"


@pytest.mark.slow
@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_held_out_fixtures_stay_in_the_autograder_zip(aid, built_zips):
    grader_zip, bundle_zip = built_zips(aid)
    with zipfile.ZipFile(grader_zip) as zf:
        private = {n for n in zf.namelist() if n.startswith("fixtures/") and not n.startswith("fixtures/public/")}
    with zipfile.ZipFile(bundle_zip) as zf:
        shipped = {n.split("/", 1)[1] for n in zf.namelist()}
    assert not {f"tests/{n}" for n in private} & shipped
    assert not any(n.startswith("tests/fixtures/") and not n.startswith("tests/fixtures/public/") for n in shipped)


def test_staff_leaks_names_each_kind_of_leak(tmp_path):
    staff = tmp_path / "tests" / "staff"
    staff.mkdir(parents=True)
    (staff / "refs.py").write_text("# STAFF ONLY\ndef gram_reference(x):\n    return x @ x.T\n")
    bundle = {
        "a/tests/public/test_ok.py": b"import numpy as np\ndef test_x(student):\n    pass\n",
        "a/tests/public/test_imports.py": b"import refs\n",
        "a/tests/probes/p.py": b"def gram_reference(x):\n    return x\n",
        "a/tests/hidden/test_h.py": b"",
        "a/tests/fixtures/heldout.npz": b"",
        "a/notes.md": b"# STAFF ONLY\nkey\n",
        "a/models/gram.py": b"def gram_reference(x):\n    return x\n",   # student code may use any name
    }
    leaks = staff_leaks(tmp_path, bundle, "a")
    text = "\n".join(leaks)
    assert "a/tests/public/test_imports.py imports the staff module 'refs'" in text
    assert "a/tests/probes/p.py defines 'gram_reference'" in text
    assert "a/tests/hidden/test_h.py is staff material" in text
    assert "a/tests/fixtures/heldout.npz is a build-time fixture outside fixtures/public/" in text
    assert "a/notes.md is marked" in text
    assert len(leaks) == 5 and "test_ok" not in text and "models/gram.py" not in text


def test_build_refuses_a_bundle_with_a_leak(tmp_path):
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(TOY, repo, ignore=shutil.ignore_patterns("dist", ".heldout"))
    tests = repo / "assignments" / "toy" / "tests"
    (tests / "staff").mkdir()
    (tests / "staff" / "toy_refs.py").write_text("# STAFF ONLY\ndef counter_total(amounts, start):\n"
                                                 "    return start + sum(amounts)\n")
    (tests / "probes" / "toy_probes.py").write_text((tests / "probes" / "toy_probes.py").read_text()
                                                    + "\n\ndef counter_total(amounts, start):\n    return 0\n")
    with pytest.raises(ValueError, match="(?s)would carry staff material.*defines 'counter_total'"):
        build(Repo(repo), "toy")
