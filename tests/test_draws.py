"""Inputs drawn per submission: the staff key, the submission id, fixture pools, screens and fallbacks."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.grading import draws
from autograder.grading.results import Results
from autograder.staff import fixtures, keys
from autograder.staff.build import build
from autograder.staff.emulate import emulate
from autograder.staff.repo import Repo

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"


def _cli(*args, cwd=REPO, env=None, stdin=None):
    full = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, env=full, input=stdin,
                          capture_output=True, text=True, timeout=600)


# ---- the key -------------------------------------------------------------------------------

def test_key_is_made_once_and_round_trips(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRADER_KEY", raising=False)
    first = keys.staff_key(tmp_path)
    path = keys.key_path(tmp_path)
    assert len(first) == draws.KEY_BYTES and path.stat().st_mode & 0o777 == 0o600
    assert keys.staff_key(tmp_path) == first
    exported = tmp_path / "exported.key"
    assert keys.export_key(tmp_path, exported) == first.hex()
    other = tmp_path / "second-ta"
    keys.import_key(other, exported.read_text())
    assert keys.staff_key(other) == first
    keys.import_key(other, first.hex())          # the same key again: nothing to refuse
    with pytest.raises(ValueError, match="--force"):
        keys.import_key(other, "ab" * 32)
    keys.import_key(other, "ab" * 32, force=True)
    assert keys.staff_key(other) == bytes.fromhex("ab" * 32)
    for bad in ("xyz", "abc", "ab" * 4):
        with pytest.raises(ValueError, match="the imported key is (not a key|too short)"):
            keys.import_key(other, bad, force=True)
    monkeypatch.setenv("AUTOGRADER_KEY", "cd" * 32)
    assert keys.staff_key(other) == bytes.fromhex("cd" * 32)


def test_a_key_made_meanwhile_by_another_process_stays(tmp_path, monkeypatch):
    """Two builds on a fresh clone both find no key: the one written first is every build's key."""
    monkeypatch.delenv("AUTOGRADER_KEY", raising=False)
    path = keys.key_path(tmp_path)
    real = keys._new_private_file

    def another_build_wins(target, text):     # the other build writes its key after our check
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("ef" * 32 + "\n")
        return real(target, text)

    monkeypatch.setattr(keys, "_new_private_file", another_build_wins)
    assert keys.staff_key(tmp_path) == bytes.fromhex("ef" * 32)
    assert [p.name for p in path.parent.iterdir()] == ["key"]     # no temporary file left


def test_key_verbs(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    env = {"AUTOGRADER_KEY": ""}
    out = _cli("--repo", str(root), "key", "export", env=env)
    assert out.returncode == 0, out.stderr
    key = out.stdout.strip()
    assert len(key) == 64 and keys.key_path(root).read_text().strip() == key
    other = tmp_path / "other"
    other.mkdir()
    out = _cli("--repo", str(other), "key", "import", "-", stdin=key + "\n", env=env)
    assert out.returncode == 0, out.stderr
    assert keys.key_path(other).read_text().strip() == key
    out = _cli("--repo", str(other), "key", "import", "-", stdin="00" * 32, env=env)
    assert out.returncode != 0 and "--force" in out.stderr + out.stdout


def test_heldout_seed_derives_from_the_key_unless_told_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRADER_HELDOUT_SEED", raising=False)
    monkeypatch.setenv("AUTOGRADER_KEY", "11" * 32)
    seed = fixtures.heldout_seed(tmp_path, "a9")
    assert seed == draws.heldout_seed(bytes.fromhex("11" * 32), "a9") and seed >= 0
    assert seed != fixtures.heldout_seed(tmp_path, "a8")
    (tmp_path / ".heldout").mkdir(exist_ok=True)
    (tmp_path / ".heldout" / "a9.seed").write_text("42\n")
    assert fixtures.heldout_seed(tmp_path, "a9") == 42
    monkeypatch.setenv("AUTOGRADER_HELDOUT_SEED", "7")
    assert fixtures.heldout_seed(tmp_path, "a9") == 7


def test_draws_are_keyed_and_stable():
    key = bytes(range(32))
    akey = draws.assignment_key(key, "a1")
    assert akey != draws.assignment_key(key, "a2")
    assert draws.submission_draw(akey, 5) == draws.submission_draw(akey, 5) != draws.submission_draw(akey, 6)
    assert draws.submission_draw(akey, 5) != draws.submission_draw(draws.assignment_key(key, "a2"), 5)
    seeds = {draws.test_seed(draws.submission_draw(akey, 5), f"t::{i}") for i in range(50)}
    assert len(seeds) == 50 and all(0 <= s < 2**32 for s in seeds)
    assert {draws.pool_index(draws.submission_draw(akey, i), 7) for i in range(200)} == set(range(7))


def test_submission_id_from_metadata(tmp_path):
    meta = tmp_path / "submission_metadata.json"
    assert draws.read_submission_id(meta) == (0, draws.read_submission_id(meta)[1])
    assert draws.read_submission_id(meta)[1]
    for doc, expected in (({"id": 123456}, 123456), ({"id": "77"}, 77), ({"id": -3}, 0), ({"id": True}, 0),
                          ({"id": 1.5}, 0), ({}, 0), ([1, 2], 0)):
        meta.write_text(json.dumps(doc))
        sid, problem = draws.read_submission_id(meta)
        assert sid == expected and (problem is None) == (expected != 0 or doc == {"id": 0})
    meta.write_text("{not json")
    assert draws.read_submission_id(meta)[0] == 0


# ---- screening ------------------------------------------------------------------------------

def test_screened_redraws_then_falls_back(monkeypatch):
    monkeypatch.delenv(fixtures.REJECT_ALL, raising=False)
    tried = []

    def make(seed):
        tried.append(seed)
        if len(tried) < 3:
            raise fixtures.Rejected("ill-conditioned")
        return seed

    assert fixtures.screened(make, 10, fallback=lambda: -1) == tried[2]
    assert tried[0] == 10 and len(set(tried)) == 3
    assert fixtures.screened(lambda s: s, 10, accept=lambda c: False, fallback=lambda: "good", tries=4) == "good"
    monkeypatch.setenv(fixtures.REJECT_ALL, "1")
    assert fixtures.screened(lambda s: s, 10, fallback=lambda: "good") == "good"


# ---- the toy through its zip ------------------------------------------------------------------

def _printing_submission(tmp_path):
    """The toy's solution, with relu printing the input it was given."""
    sub = tmp_path / "printing"
    shutil.copytree(TOY / "solutions" / "toy", sub)
    ops = sub / "calc" / "ops.py"
    text = ops.read_text()
    assert "def relu(x):" in text
    ops.write_text(text.replace("def relu(x):", "def relu(x):\n    print(repr(x.round(6).tolist()))", 1))
    return sub


def _printed(results):
    return next(t for t in results.tests if t.number == "1.2").output


def _comparable(results):
    return [(t.name, t.score, t.status, t.output) for t in results.tests], results.score


def test_same_id_same_results_other_id_other_draw(toy_zips, tmp_path):
    grader_zip, _ = toy_zips
    sub = _printing_submission(tmp_path)
    first = emulate(grader_zip, sub, submission_id=4242, warm=True)
    again = emulate(grader_zip, sub, submission_id=4242, warm=True)
    other = emulate(grader_zip, sub, submission_id=4243, warm=True)
    assert first.results.score == again.results.score == other.results.score == 10
    assert _comparable(first.results) == _comparable(again.results)
    assert "What your code printed" in _printed(first.results)
    assert _printed(first.results) != _printed(other.results)


def test_emulate_writes_the_submission_id_and_the_grader_uses_it(toy_zips):
    grader_zip, _ = toy_zips
    em = emulate(grader_zip, TOY / "solutions" / "toy", submission_id=31337, keep=True, warm=True)
    try:
        assert json.loads((em.root / "submission_metadata.json").read_text())["id"] == 31337
        log = (em.root / "stdout.txt").read_text()
        assert "submission id 31337: inputs drawn for it, fixture set" in log
        assert (em.root / "source" / "key").stat().st_mode & 0o777 == 0o600
    finally:
        shutil.rmtree(em.root, ignore_errors=True)
    out = _cli("emulate", str(grader_zip), "--submission", str(TOY / "solutions" / "toy"))
    assert out.returncode == 0 and "graded as submission id" in out.stdout, out.stdout + out.stderr


def test_regrade_grades_each_export_entry_under_its_own_id(toy_zips, tmp_path):
    from autograder.staff.classtools.grading import submission_id_of
    from autograder.staff.classtools.regrade import regrade

    assert submission_id_of("submission_905") == 905 and submission_id_of("alice") is None
    grader_zip, _ = toy_zips
    sub = _printing_submission(tmp_path)
    export = tmp_path / "export"
    shutil.copytree(sub, export / "submission_905")
    regrade(grader_zip, export, tmp_path / "out", workers=1, progress=False)
    regraded = Results.load(tmp_path / "out" / "submission_905" / "results.json")
    assert _printed(regraded) == _printed(emulate(grader_zip, sub, submission_id=905, warm=True).results)


def test_no_key_in_the_bundle_and_the_leak_check_knows_keys(toy_zips):
    from autograder.staff.leaks import staff_leaks

    grader_zip, bundle_zip = toy_zips
    with zipfile.ZipFile(grader_zip) as zf:
        akey = zf.read("key").decode().strip()
        assert zf.getinfo("key").external_attr >> 16 & 0o777 == 0o600
        assert any(n.startswith("fixtures/draws/") for n in zf.namelist())
    staff = keys.staff_key(TOY)
    assert akey == draws.assignment_key(staff, "toy").hex()
    with zipfile.ZipFile(bundle_zip) as zf:
        names = zf.namelist()
        everything = b"".join(zf.read(n) for n in names)
    assert not [n for n in names if n.endswith("/key") or ".heldout" in n]
    assert akey.encode() not in everything and staff.hex().encode() not in everything
    planted = {"toy/notes/key": b"x", "toy/calc/ops.py": f"K = '{akey}'\n".encode()}
    found = staff_leaks(TOY / "assignments" / "toy", planted, "toy", keys=(staff, bytes.fromhex(akey)))
    assert len(found) == 2 and all("key" in f for f in found)


def _toy_copy(tmp_path):
    root = tmp_path / "toy-course"
    shutil.copytree(TOY, root, ignore=shutil.ignore_patterns("dist", ".heldout", "__pycache__"))
    return root


def test_every_draw_rejected_falls_back_and_the_build_succeeds(tmp_path, monkeypatch):
    root = _toy_copy(tmp_path)
    monkeypatch.setenv("AUTOGRADER_KEY", "22" * 32)
    monkeypatch.setenv(fixtures.REJECT_ALL, "1")
    lines = []
    grader_zip, _ = build(Repo(root), "toy", log=lines.append, pool_size=6)
    assert any("fallbacks: counter in" in line for line in lines), lines
    with zipfile.ZipFile(grader_zip) as zf:
        cases = [json.loads(zf.read(f"fixtures/draws/{k}/counter.json")) for k in range(6)]
    assert all(c["start"] == 10 and c["amounts"] == [5, 1, 7] for c in cases)
    monkeypatch.delenv(fixtures.REJECT_ALL)
    grader_zip, _ = build(Repo(root), "toy", log=lines.append, pool_size=6)
    with zipfile.ZipFile(grader_zip) as zf:
        cases = [json.loads(zf.read(f"fixtures/draws/{k}/counter.json")) for k in range(6)]
    assert len({json.dumps(c) for c in cases}) > 1 and all(c["total"] % 2 == 0 for c in cases)
    assert emulate(grader_zip, root / "solutions" / "toy", submission_id=1, warm=True).results.score == 10


class _Elsewhere(Repo):
    """The course repository, with its zips written to another folder."""

    def __init__(self, root, dist):
        super().__init__(root)
        self._dist = Path(dist)

    def dist(self):
        return self._dist


@pytest.mark.slow   # records A4's fixture pool (a real assignment)
def test_a4_builds_on_fallbacks_alone(tmp_path, monkeypatch):
    """A4, the cheapest real assignment: every screened case rejected, the build still succeeds."""
    monkeypatch.setenv(fixtures.REJECT_ALL, "1")
    monkeypatch.setenv("AUTOGRADER_KEY", "33" * 32)
    lines = []
    grader_zip, _ = build(_Elsewhere(REPO, tmp_path), "a4_sequences", log=lines.append, pool_size=2)
    summary = " ".join(lines)
    assert "h_full_generate_max_len in" in summary and "full_generate in" in summary, lines
    with zipfile.ZipFile(grader_zip) as zf:
        assert {"fixtures/draws/0/a4_hidden_cases.json", "fixtures/draws/1/public/a4_cases.json"} <= set(zf.namelist())
