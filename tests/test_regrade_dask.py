"""``regrade --scheduler``: the same export graded on a Dask LocalCluster of two worker processes."""

import csv
import json
import shutil
from pathlib import Path

import pytest
from synthetic_export import OWN_OPS, SOLUTION, STARTER

from autograder.staff.classtools.regrade import regrade


def _export(root: Path) -> Path:
    export = root / "export"
    shutil.copytree(SOLUTION, export / "submission_1")
    shutil.copytree(STARTER, export / "submission_2")
    shutil.copytree(SOLUTION, export / "submission_3")
    (export / "submission_3" / "calc" / "counter.py").write_text("class Counter(:\n")
    shutil.copytree(SOLUTION, export / "submission_4")
    (export / "submission_4" / "calc" / "ops.py").write_text(OWN_OPS.replace("return total", "return total - 1"))
    (export / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: A\n    :sid: '1'\n    :email: a@x\n  :score: 10.0\n"
        "submission_4:\n  :submitters:\n  - :name: B\n    :sid: '2'\n    :email: b@x\n"
        "  - :name: C\n    :sid: '3'\n    :email: c@x\n  :score: 10.0\n")
    return export


def _scores(path: Path) -> list[tuple]:
    with open(path, newline="") as fh:
        return [(r["name"], r["submission"], r["score"], r["gradescope_score"]) for r in csv.DictReader(fh)]


@pytest.mark.slow   # starts a local Dask cluster
def test_local_cluster_gives_the_same_scores_as_local_workers(toy_zips, tmp_path):
    distributed = pytest.importorskip("distributed")
    export = _export(tmp_path)
    local = regrade(toy_zips[0], export, tmp_path / "local", workers=2, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  local_directory=str(tmp_path / "dask")) as cluster:
        remote = regrade(toy_zips[0], export, tmp_path / "remote", scheduler=cluster.scheduler_address,
                         progress=False)
    assert remote.graded == 4 and remote.failed == 0
    assert _scores(remote.csv) == _scores(local.csv)
    assert [s[2] for s in _scores(local.csv)] == ["10.0", "0.0", "5.0", "9.0", "9.0"]
    for sub in ("submission_1", "submission_2", "submission_3", "submission_4"):
        a = (tmp_path / "local" / sub / "results.json").read_text()
        b = (tmp_path / "remote" / sub / "results.json").read_text()
        assert [t["score"] for t in json.loads(a)["tests"]] == [t["score"] for t in json.loads(b)["tests"]]


def test_an_unreachable_scheduler_is_a_clear_error(toy_zips, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("autograder.staff.classtools.grading.CONNECT_TIMEOUT", "1s")
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        regrade(toy_zips[0], _export(tmp_path), tmp_path / "out", scheduler="tcp://127.0.0.1:9", progress=False)
