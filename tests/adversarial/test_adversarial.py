"""Every hostile or broken submission in cases.py, graded through the real toy zip in the emulator.

Each case must show: the grader finishes within the submission time limit; results.json exists
and validates; the score stays within the case's bound (forging and reading: what an honest
starter earns; broken parts: the honest score of the correct parts); no hidden test source,
fixture value, solution line or grader secret reaches anything the student sees; files
outside the worker's copy are unchanged and nothing the submission started outlives grading;
and the student is told what went wrong in plain words.
"""

import hashlib
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from cases import CASES, LEFTOVER, Case

from autograder.emulate import emulate
from autograder.manifest import load_manifest
from autograder.sandbox import workers_drop_privileges

TOY = Path(__file__).resolve().parents[1] / "toy"
LIMIT = load_manifest(TOY / "assignments" / "toy" / "assignment.toml").submission_seconds
ENV_SECRET = "canary-token-5f1e2d"
SECRETS = [
    ENV_SECRET,
    'case = json.loads((fixtures_dir / "counter.json").read_text())',   # hidden test source
    "def test_counter_handle(student, fixtures_dir):",
    '"amounts": [5, 1, 7]',                                            # fixture values
    "expected 23",
    "5, 1, 7",                                                         # hidden inputs, smuggled out
    "LEAK",
    "self.history.append(amount)",                                     # solution lines
    "shifted = scores - scores.max(axis=1, keepdims=True)",
]
OUTCOMES: dict[str, bool] = {}
#: Whether workers run as an unprivileged user here (see Sandbox: root, and a readable Python).
WORKER_DROPS_PRIVILEGES = workers_drop_privileges()


def _submission(case: Case, tmp: Path) -> Path:
    base = TOY / ("solutions" if case.base == "solution" else "starter_code") / "toy"
    folder = tmp / "upload"
    shutil.copytree(base, folder)
    for rel, content in case.files.items():
        target = folder / rel
        if content is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.write_bytes if isinstance(content, bytes) else target.write_text)(content)
    for rel, target in case.links.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, folder / rel)
    for rel, size in case.sparse.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as fh:
            fh.truncate(size)
    if case.archive == "empty":
        path = tmp / "empty.zip"
        zipfile.ZipFile(path, "w").close()
        return path
    if case.archive == "enclosing":
        path = tmp / "enclosing.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for f in sorted(folder.rglob("*")):
                if f.is_file():
                    zf.write(f, f"my_homework/{f.relative_to(folder)}")
        return path
    if case.archive == "nested-unsafe":
        outer = tmp / "outer"
        outer.mkdir()
        with zipfile.ZipFile(outer / "homework.zip", "w") as zf:
            zf.writestr("calc/ops.py", (folder / "calc" / "ops.py").read_text())
            zf.writestr("../../results/results.json", '{"score": 100}')
            zf.writestr("../../source/grade.py", "raise SystemExit(0)\n")
        return outer
    if case.archive == "nested":
        outer = tmp / "outer"
        outer.mkdir()
        shutil.make_archive(str(outer / "homework"), "zip", folder)
        return outer
    return folder


def _visible_text(results: dict) -> str:
    return json.dumps([results.get("output", "")] + [t.get("output", "") + t.get("name", "")
                                                     for t in results.get("tests", [])])


def _digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def _leftovers() -> list[str]:
    """Entries a case left in the machine's shared scratch folders."""
    return [os.path.join(d, n) for d in ("/tmp", "/var/tmp", "/dev/shm") if os.path.isdir(d)
            for n in os.listdir(d) if n.startswith(LEFTOVER)]


def _strict_json(text: str) -> dict:
    def no_constants(name):
        raise ValueError(f"results.json holds {name}, which is not JSON")

    return json.loads(text, parse_constant=no_constants)


def _lingering(root: Path) -> list[int]:
    """Processes whose working directory lies in the emulated tree (a submission's leftovers)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.readlink(f"/proc/{pid}/cwd").startswith(str(root)):
                    found.append(int(pid))
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def toy_zip():
    from autograder.build import Repo, build

    return build(Repo(TOY), "toy")[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_held(case, toy_zip, tmp_path, monkeypatch):
    if (case.kind == "reading" or case.root_only) and not WORKER_DROPS_PRIVILEGES:
        pytest.skip("reading past the grader is prevented by the unprivileged worker, which needs root "
                    "and a Python installation every user can read")
    OUTCOMES[case.name] = False
    monkeypatch.setenv("COURSE_API_TOKEN", ENV_SECRET)
    canary = tmp_path / "canary.txt"
    canary.write_text("untouched")
    os.chmod(canary, 0o666 if os.geteuid() else 0o644)
    submission = _submission(case, tmp_path)
    em = emulate(toy_zip, submission, keep=True, timeout=LIMIT + 60)
    root = em.root
    try:
        results = em.results
        assert em.problems == [], f"results.json does not validate: {em.problems}"
        assert em.seconds < LIMIT, f"grading took {em.seconds:.0f} s, over the {LIMIT:.0f} s limit"
        score = results["score"]
        if case.exact_score is not None:
            assert score == case.exact_score, f"score {score}, the honest score is {case.exact_score}"
        else:
            assert score <= case.max_score, f"score {score} is above the honest bound {case.max_score}"
        text = _visible_text(results)
        for secret in SECRETS:
            assert secret not in text, f"a student could see {secret!r}"
        assert case.say in text, f"the student is not told {case.say!r}: {text[:1500]}"
        assert not case.deny or case.deny not in text, f"the student sees {case.deny!r}: {text[:1500]}"
        if os.geteuid() == 0:
            foreign = [str(p) for d in ("source", "results") for p in (root / d).rglob("*") if p.lstat().st_uid != 0]
            assert foreign == [], f"grader files now belong to another user: {foreign[:5]}"
        assert canary.read_text() == "untouched"
        with zipfile.ZipFile(toy_zip) as zf:
            shipped = {n: hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist() if not n.endswith("/")}
        assert _digest(root / "source") == shipped, "the grader's files changed"
        time.sleep(0.5 if case.kind != "exhaustion" else 1.5)
        assert _strict_json((root / "results" / "results.json").read_text()) == results, "results.json changed later"
        assert _lingering(root) == [], "processes of the submission outlived grading"
        assert _leftovers() == [], "the submission left files outside its working copy"
        OUTCOMES[case.name] = True
    finally:
        for pid in _lingering(root):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        shutil.rmtree(root, ignore_errors=True)
        for path in _leftovers():
            shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) and not os.path.islink(path) \
                else os.unlink(path)


def test_real_assignment_forbidden_library_earns_nothing(tmp_path):
    """A1 through its real zip: a submission that lets torch do one model's work loses that
    model's tests (the file is not graded) and keeps the rest, with the reason in plain words."""
    from autograder.build import Repo, build

    repo = Repo(TOY.parents[1])
    grader_zip, _ = build(repo, "a1_neural_nets")
    upload = tmp_path / "upload"
    shutil.copytree(repo.solution("a1_neural_nets"), upload)
    model = upload / "models" / "softmax_regression.py"
    model.write_text("import torch  # let a library do the work\n" + model.read_text())
    em = emulate(grader_zip, upload)
    OUTCOMES["a1: a forbidden import in one file"] = False
    assert em.problems == []
    tests = em.results["tests"]
    text = _visible_text(em.results)
    assert "Forbidden import or name: models/softmax_regression.py" in text and "line 1: import torch" in text
    lost = [t for t in tests if t["max_score"] > 0 and t["score"] < t["max_score"]]
    # every lost test failed on importing the ungraded file (public ones also say why)
    assert lost and all("ImportError" in t["output"] for t in lost), [t["name"] for t in lost]
    assert any("softmax_regression.py was not graded" in t["output"] for t in lost)
    assert 0 < em.results["score"] < 100
    OUTCOMES["a1: a forbidden import in one file"] = True
