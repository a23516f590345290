"""``autograder similar``: copies are flagged, submissions of the bare starter code are not."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from synthetic_export import OWN_OPS, TOY, graded_class

from autograder.staff.classtools.similar import similar
from autograder.staff.repo import Repo

pytestmark = pytest.mark.slow   # each test reads a synthetic class of 19 submissions, regraded first


@pytest.fixture
def graded(tmp_path_factory, toy_zips):
    return graded_class(tmp_path_factory, toy_zips[0])


def _pairs(rows: list[dict]) -> set[tuple[str, str]]:
    return {tuple(sorted((r["submission_a"], r["submission_b"]))) for r in rows}


STARTERS = {"submission_1003", "submission_1004", "submission_1019"}   # starter code, unchanged


def test_copies_are_flagged_and_starter_only_pairs_are_not(graded, tmp_path):
    export, _, _ = graded
    repo = Repo(TOY)
    found = similar(repo.manifest("toy"), repo.starter("toy"), export, tmp_path / "out", threshold=0.05)
    pairs = _pairs(found.flagged)
    assert ("submission_1005", "submission_1006") in pairs          # one student's own solution, copied
    ops = [r for r in found.flagged if r["file"] == "calc/ops.py"]
    copy = next(r for r in ops if {r["submission_a"], r["submission_b"]} == {"submission_1005", "submission_1006"})
    assert float(copy["similarity"]) == 1.0
    assert {copy["names_a"], copy["names_b"]} == {"Barbara Liskov (01005); John McCarthy (01055)",
                                                  "Donald Knuth (01006)"}
    # even at a low threshold, the bare starter code matches nothing: it is all boilerplate
    assert not any(set(p) & STARTERS for p in pairs), [p for p in pairs if set(p) & STARTERS]
    assert ("submission_1001", "submission_1005") not in _pairs(ops)  # the reference and the own solution differ
    assert ("submission_1001", "submission_1002") in _pairs(ops)      # two copies of the reference solution
    with open(found.csv, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["submission_a", "submission_b", "names_a", "names_b", "similarity", "similarity_a",
                             "similarity_b", "tokens", "file", "view"]
    page = (tmp_path / "out" / copy["view"]).read_text()
    assert "<mark>" in page and "Donald Knuth (01006)" in page and "probabilities" in page


def test_against_another_corpus_and_the_report_links_the_views(graded, tmp_path):
    export, out, _ = graded
    leaked = tmp_path / "found_online" / "some_repo" / "calc"
    leaked.mkdir(parents=True)
    (leaked / "ops.py").write_text(OWN_OPS)
    cli = subprocess.run([sys.executable, "-m", "autograder", "--repo", str(TOY), "similar", "toy", str(export),
                          "--against", str(tmp_path / "found_online"), "--threshold", "0.9", "-o", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    with open(out / "similarity.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    online = {r["submission_a"] for r in rows if r["submission_b"] == "found_online/some_repo/calc/ops.py"}
    assert online == {"submission_1005", "submission_1006"}
    assert all(float(r["similarity"]) >= 0.9 for r in rows)
    report = (out / "report.html").read_text()
    assert "id='similarity'" in report
    for row in rows:
        assert f"href='{row['view']}'" in report and (out / row["view"]).is_file()


def test_threshold_outside_zero_to_one_is_refused(graded, tmp_path):
    export, _, _ = graded
    repo = Repo(TOY)
    with pytest.raises(ValueError, match="--threshold must be in"):
        similar(repo.manifest("toy"), repo.starter("toy"), export, tmp_path, threshold=1.5)
    assert Path(tmp_path).exists()
