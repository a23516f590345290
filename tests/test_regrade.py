"""``autograder regrade`` on a synthetic Gradescope export of the toy assignment (tests/synthetic_export.py)."""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from synthetic_export import EXPECTED, PEOPLE, SOLUTION, STARTER, build_export, declare_size, graded_class, zip_export

from autograder.staff.classtools.export import SubmissionError, open_export
from autograder.staff.classtools.regrade import regrade

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def graded(tmp_path_factory, toy_zips):
    return graded_class(tmp_path_factory, toy_zips[0])


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow   # regrades a synthetic class of 19 submissions
def test_scores_csv_has_every_submitter_and_the_right_scores(graded):
    _, out, _ = graded
    rows = _rows(out / "scores.csv")
    by_sub: dict[str, list[dict]] = {}
    for row in rows:
        by_sub.setdefault(row["submission"], []).append(row)
    assert set(by_sub) == set(EXPECTED)
    for sub, expected in EXPECTED.items():
        for row in by_sub[sub]:
            assert row["score"] == ("" if expected is None else f"{float(expected)}"), (sub, row)
    for sub, (people, _) in PEOPLE.items():   # names, sids (leading zeros kept) and emails, one row each
        assert [(r["name"], r["sid"], r["email"]) for r in by_sub[sub]] == people
    assert len(by_sub["submission_1005"]) == 2   # the group submission: a row per member, same score
    assert by_sub["submission_1010"][0]["gradescope_score"] == "10.0"    # a Ruby BigDecimal score
    assert by_sub["submission_1010"][0]["difference"] == "-2.0"
    assert by_sub["submission_1001"][0]["difference"] == "0.0"
    assert all(r["seconds"] and float(r["seconds"]) > 0 for r in rows if r["score"])
    assert float(by_sub["submission_1001"][0]["max_score"]) == 10
    for sub in EXPECTED:
        if EXPECTED[sub] is not None:
            doc = json.loads((out / sub / "results.json").read_text())
            assert doc["score"] == EXPECTED[sub]


@pytest.mark.slow   # regrades a synthetic class of 19 submissions
def test_each_problem_gets_a_clear_message_and_the_class_is_still_graded(graded):
    _, out, _ = graded
    problems = {r["submission"]: r["problems"] for r in _rows(out / "scores.csv")}
    assert "calc/counter.py is a symbolic link; it was left out" in problems["submission_1016"]
    assert "upload.zip would unpack to 3072 MB (a zip bomb?)" in problems["submission_1017"]
    assert ":submitters: is not a list" in problems["submission_1018"]
    assert "a score of 'ten' is not a number" in problems["submission_1018"]
    assert "no entry in submission_metadata.yml" in problems["submission_1019"]
    assert "listed in submission_metadata.yml but the export has no such folder" in problems["submission_1020"]
    assert problems["submission_1001"] == "" and problems["submission_1012"] == ""
    hang = json.loads((out / "submission_1012" / "results.json").read_text())
    assert any("Time limit" in t["output"] for t in hang["tests"])
    assert "/etc/passwd" not in (out / "submission_1016" / "results.json").read_text()


@pytest.mark.slow   # regrades a synthetic class of 19 submissions
def test_changed_only_and_a_second_run_reuses_what_was_graded(graded, tmp_path):
    export, out, grader_zip = graded
    again = tmp_path / "again"
    shutil.copytree(out, again)
    done = regrade(grader_zip, export, again, changed_only=True, progress=False)
    assert done.graded == 0 and done.reused == len([v for v in EXPECTED.values() if v is not None])
    rows = _rows(again / "scores.csv")
    # 1010 lost two points against Gradescope's; 1020 was scored by Gradescope but has no folder
    assert sorted(r["submission"] for r in rows) == ["submission_1010", "submission_1020"]
    assert done.changed == 2


def _small_export(root: Path) -> Path:
    export = root / "export"
    shutil.copytree(SOLUTION, export / "submission_1")
    shutil.copytree(STARTER, export / "submission_2")
    (export / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: A\n    :sid: '1'\n    :email: a@x\n  :score: 10.0\n"
        "submission_2:\n  :submitters:\n  - :name: B\n    :sid: '2'\n    :email: b@x\n  :score: 0.0\n")
    return export


@pytest.mark.slow   # three regrades of a class
def test_rerun_grades_only_changed_submissions_and_force_regrades(toy_zips, tmp_path):
    grader_zip = Path(shutil.copy(toy_zips[0], tmp_path))   # the same bytes for every run of this test
    export = _small_export(tmp_path)
    out = tmp_path / "out"
    first = regrade(grader_zip, export, out, workers=2, progress=False)
    assert (first.graded, first.reused) == (2, 0)
    shutil.copy(SOLUTION / "calc" / "counter.py", export / "submission_2" / "calc" / "counter.py")
    second = regrade(grader_zip, export, out, workers=2, progress=False)
    assert (second.graded, second.reused) == (1, 1)
    assert [r["score"] for r in _rows(out / "scores.csv")] == ["10.0", "5.0"]
    cli = subprocess.run([sys.executable, "-m", "autograder", "regrade", "toy", str(export), "--zip", str(grader_zip),
                          "-o", str(out), "--force", "--workers", "1"], capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert "graded 2 submission(s), kept 0" in cli.stdout and "scores.csv (2 rows)" in cli.stdout


def test_missing_or_malformed_metadata_is_reported_and_every_folder_still_read(tmp_path):
    export = _small_export(tmp_path)
    meta = export / "submission_metadata.yml"
    for text, words in [(None, "not found"), ("submission_1: [unclosed\n", "not valid YAML"),
                        ("- just\n- a list\n", "expected a mapping from submission folder names")]:
        if text is None:
            meta.unlink()
        else:
            meta.write_text(text)
        with open_export(export) as ex:
            assert len(ex.problems) == 1 and words in ex.problems[0] and str(meta) in ex.problems[0]
            assert "every submission folder is still graded" in ex.problems[0]
            assert [e.name for e in ex.entries] == ["submission_1", "submission_2"]
            assert all(not e.submitters for e in ex.entries)
            assert ex.pack(ex.entries[0]).files == 3


_READ_AS_NOBODY = """
import sys
from autograder.staff.classtools.export import SubmissionError, open_export
with open_export(sys.argv[1]) as ex:
    for entry in ex.entries:
        try:
            print(entry.name, "packed", ex.pack(entry).files)
        except SubmissionError as exc:
            print(entry.name, "error", exc)
"""


def test_an_unreadable_folder_is_named_and_the_others_are_read():
    base = Path(tempfile.mkdtemp(prefix="regrade-unreadable-"))   # a place another user can reach
    os.chmod(base, 0o755)
    export = _small_export(base)
    os.chmod(export / "submission_2" / "calc", 0o000)
    try:
        if os.geteuid() == 0:   # root reads everything: read as another user, for whom the folder is closed
            # that user imports the framework from a copy it can read (the checkout may sit in /root)
            shutil.copytree(REPO / "autograder", base / "lib" / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
            out = subprocess.run([sys.executable, "-c", _READ_AS_NOBODY, str(export)], capture_output=True, text=True,
                                 timeout=120, user=65534, group=65534, cwd="/", env={"PYTHONPATH": str(base / "lib")})
            text = out.stdout + out.stderr
        else:
            lines = []
            with open_export(export) as ex:
                for entry in ex.entries:
                    try:
                        lines.append(f"{entry.name} packed {ex.pack(entry).files}")
                    except SubmissionError as exc:
                        lines.append(f"{entry.name} error {exc}")
            text = "\n".join(lines)
    finally:
        os.chmod(export / "submission_2" / "calc", 0o755)
        shutil.rmtree(base)
    assert "submission_1 packed 3" in text, text
    assert "submission_2 error submission_2: cannot read the folder calc/: Permission denied; not graded" in text


def test_the_export_zip_itself(toy_zips, tmp_path):
    folder = build_export(tmp_path / "unzipped")
    archive = zip_export(folder, tmp_path / "assignment_7_export.zip")
    with open_export(archive) as ex, open_export(folder) as plain:
        assert [e.name for e in ex.entries] == [e.name for e in plain.entries]
        assert [e.submitters for e in ex.entries] == [e.submitters for e in plain.entries]
        for entry, same in zip(ex.entries[:6], plain.entries[:6], strict=True):
            assert ex.pack(entry).digest == plain.pack(same).digest
        link = ex.pack(next(e for e in ex.entries if e.name == "submission_1016"))
        assert any("calc/counter.py is a symbolic link" in n for n in link.notes)
    # a member of the export zip that claims to unpack to 3 GB: that submission alone is refused
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(declare_size(archive.read_bytes(), "assignment_7_export/submission_1001/calc/ops.py", 3 << 30))
    with open_export(bomb) as ex:
        with pytest.raises(SubmissionError, match=r"submission_1001: its files unpack to 3072 MB, .*\(a zip bomb\?\)"):
            ex.pack(ex.entries[0])
        assert ex.pack(ex.entries[1]).files == 3
    small = zip_export(_small_export(tmp_path / "small"), tmp_path / "small.zip")
    done = regrade(toy_zips[0], small, tmp_path / "out", workers=2, progress=False)
    assert [r["score"] for r in _rows(done.csv)] == ["10.0", "0.0"]


def test_a_submission_folder_that_is_a_link_is_not_followed(tmp_path):
    export = _small_export(tmp_path)
    (export / "submission_3").symlink_to("/etc")
    with open_export(export) as ex:
        entry = next(e for e in ex.entries if e.name == "submission_3")
        with pytest.raises(SubmissionError, match="submission_3: it is a link, not a folder; links are never followed"):
            ex.pack(entry)
        assert "no entry in submission_metadata.yml" in entry.notes[0]
