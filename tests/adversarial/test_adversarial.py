"""Every hostile or broken submission in cases.py, graded through the real toy zip in the emulator.

Each case must show: the grader finishes within the submission time limit; results.json exists
and validates; the score is exactly the honest one (forging and reading: what the parts the
student really wrote earn; broken parts: the honest score of the correct parts); nothing
hidden reaches anything the student sees (the hidden tests' code and the fixtures' values, both
read from the built zip, solution lines the upload does not contain, a grader environment
variable); files outside the worker's copy are unchanged; no process of the run outlives
grading (found by the run's uid, not by where it runs); and the student is told what went
wrong in plain words.
"""

import ast
import hashlib
import json
import os
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from cases import CASES, LEFTOVER, Case

from autograder.grading import procfs
from autograder.grading.manifest import load_manifest
from autograder.grading.results import Results
from autograder.grading.sandbox import workers_drop_privileges
from autograder.staff.emulate import emulate

TOY = Path(__file__).resolve().parents[1] / "toy"
LIMIT = load_manifest(TOY / "assignments" / "toy" / "assignment.toml").limits.submission_seconds
ENV_SECRET = "canary-token-5f1e2d"
#: Markers the cases themselves put next to hidden inputs they try to smuggle out.
SMUGGLED = ["LEAK"]
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


def _visible_text(results: Results) -> str:
    """Everything the student can read in results.json, as they read it (not JSON-escaped)."""
    parts = [results.output]
    for test in results.tests:
        parts += [test.name, test.number or "", test.output]
    parts += [f"{e.name}: {e.value}" for e in results.leaderboard]
    return "\n".join(parts)


def _code_lines(source: str) -> list[str]:
    """Lines of test code worth keeping secret: statements, not docstrings, decorators or imports
    (a check's message is meant to be seen, so a line that is only a string does not count)."""
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines = []
    for number, line in enumerate(source.splitlines(), start=1):
        text = line.strip()
        if number in docstrings or len(text) < 12 or text.startswith(("@", "#", "import ", "from ", '"', "'")):
            continue
        lines.append(text)
    return lines


def _fixture_values(key: str, value) -> list[str]:
    """How a fixture value could show up in text: as the file has it, as Python prints it."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _fixture_values(k, v)]
    if isinstance(value, list) and len(value) >= 2:
        return [f'"{key}": {json.dumps(value)}', ", ".join(map(str, value))]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [f'"{key}": {json.dumps(value)}', f"{key}={value}", f"expected {value}", f"close to {value}"]
    return [f'"{key}": {json.dumps(value)}']


def _zip_secrets(grader_zip: Path) -> list[str]:
    """What the built zip holds that no student may see: its hidden tests' code, its fixtures' values."""
    found = []
    with zipfile.ZipFile(grader_zip) as zf:
        for name in zf.namelist():
            if name.startswith("tests/hidden/") and name.endswith(".py"):
                found += _code_lines(zf.read(name).decode())
            elif name.startswith("fixtures/") and name.endswith(".json"):
                found += _fixture_values("", json.loads(zf.read(name)))
    return found


def _upload_sources(upload: Path) -> str:
    """The Python source the student uploaded (plain files, and files in zips), as one text."""
    files = [upload] if upload.is_file() else [p for p in upload.rglob("*") if p.is_file() and not p.is_symlink()]
    texts = []
    for path in files:
        if path.suffix == ".py":
            texts.append(path.read_text(errors="replace"))
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                texts += [zf.read(n).decode(errors="replace") for n in zf.namelist() if n.endswith(".py")]
    return "\n".join(texts)


def _solution_lines(upload: Path) -> list[str]:
    """Lines between the toy solution's markers that the upload does not contain itself."""
    own = _upload_sources(upload)
    lines = []
    for path in (TOY / "solutions" / "toy").rglob("*.py"):
        inside = False
        for line in path.read_text().splitlines():
            text = line.strip()
            if text in ("# BEGIN SOLUTION", "# END SOLUTION"):
                inside = text == "# BEGIN SOLUTION"
            elif inside and len(text) >= 12 and not text.startswith("#") and text not in own:
                lines.append(text)
    return lines


def test_secrets_are_read_from_the_built_zip(toy_zip):
    """The secret list holds what the toy's zip really ships (a check of the check)."""
    secrets = _zip_secrets(toy_zip)
    with zipfile.ZipFile(toy_zip) as zf:
        fixture = json.loads(zf.read("fixtures/draws/0/counter.json"))
        hidden = zf.read("tests/hidden/test_counter.py").decode()
    assert ", ".join(map(str, fixture["amounts"])) in secrets and f"expected {fixture['total']}" in secrets
    assert [line for line in secrets if line.startswith("def ")] == \
        [line for line in hidden.splitlines() if line.startswith("def ")]   # every hidden test's signature
    assert 'case = json.loads((fixtures_dir / "counter.json").read_text())' in secrets
    assert not {"import pytest", '"""Counter keeps its total across calls"""'} & set(secrets)
    assert "self.history.append(amount)" in _solution_lines(TOY / "starter_code" / "toy")
    assert "self.history.append(amount)" not in _solution_lines(TOY / "solutions" / "toy")


def test_leftovers_are_found_wherever_they_run():
    """A check of the check: a double-forked daemon that left the tree and dropped its
    environment is still found (as root by the run's uid, else by uid and start time)."""
    uid = 200000 + os.getpid() % 50000 if os.geteuid() == 0 else None
    since = _now_ticks()
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.setsid()
            daemon = os.fork()
            if daemon == 0:
                if uid is not None:
                    os.setgid(uid)
                    os.setuid(uid)
                os.chdir("/")
                os.execve("/bin/sleep", ["sleep", "60"], {})
            os.write(w, str(daemon).encode())
        finally:
            os._exit(0)
    os.close(w)
    os.waitpid(child, 0)
    daemon = int(os.read(r, 32))
    os.close(r)
    try:
        deadline = time.time() + 5
        while procfs.owner(daemon) != (uid or os.geteuid()) and time.time() < deadline:
            time.sleep(0.01)
        assert daemon in _lingering(uid, since)
    finally:
        os.kill(daemon, 9)


def test_every_case_names_its_message():
    """A case without a message could not fail its "the student is told" check."""
    assert [c.name for c in CASES if not c.say.strip()] == []
    assert len({c.name for c in CASES}) == len(CASES)


def _digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def _leftovers(uid: int | None) -> list[str]:
    """Entries a case left in the machine's shared scratch folders (of the run's uid when workers
    drop to one, so that another run of this suite on the machine does not count)."""
    found = []
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        for name in os.listdir(folder) if os.path.isdir(folder) else []:
            path = os.path.join(folder, name)
            try:
                if name.startswith(LEFTOVER) and (uid is None or os.lstat(path).st_uid == uid):
                    found.append(path)
            except OSError:
                pass
    return found


def _strict_json(text: str) -> dict:
    def no_constants(name):
        raise ValueError(f"results.json holds {name}, which is not JSON")

    return json.loads(text, parse_constant=no_constants)


def _run_uid(root: Path) -> int | None:
    """The uid student code ran as, from the grader's log (None: workers kept the grader's uid)."""
    log = (root / "stdout.txt").read_text(errors="replace")
    found = re.search(r"student code runs as uid (\d+)", log)
    return int(found.group(1)) if found else None


def _started_after(pid: int, boot_ticks: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return int(fields[19]) >= boot_ticks   # field 22 of stat: start time, in clock ticks since boot


def _now_ticks() -> int:
    with open("/proc/uptime") as fh:
        return int(float(fh.read().split()[0]) * os.sysconf("SC_CLK_TCK"))


def _show(pids: list[int]) -> list[str]:
    """Each process's stat line (state, parent, group, session), for a failure message."""
    shown = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                shown.append(fh.read()[:120])
        except OSError:
            shown.append(f"{pid} (gone)")
    return shown


def _session(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[3])   # field 6 of stat: the session id
    except (OSError, ValueError, IndexError):
        return None


def _lingering(uid: int | None, since: int) -> list[int]:
    """Processes of the run that are still alive: every process of the run's uid, wherever it
    runs and whatever its environment. Where workers keep the grader's uid (not root, or a
    Python the sandbox user cannot read), the processes of this uid started during the run that
    are not this test's own and that left their session: a grading runs in a session of its own
    (emulate starts it so) whose leader exits with it, and a daemon that calls setsid either
    outlives its session's leader (a double fork) or leads it, orphaned. A shell the caller opens
    meanwhile leads a session too, but under a living parent, and is not counted."""
    alive = [p for p in procfs.pids() if procfs.state(p) not in ("Z", None)]  # a zombie runs nothing
    if uid is not None:
        return [p for p in alive if procfs.owner(p) == uid]
    mine = set(procfs.tree(os.getpid()))
    live = set(alive)

    def left_behind(pid: int) -> bool:
        leader = _session(pid)
        return leader not in live or (leader == pid and procfs.parent(pid) == 1)

    return [p for p in alive if p not in mine and procfs.owner(p) == os.geteuid() and _started_after(p, since)
            and left_behind(p)]


@pytest.fixture(scope="module")
def toy_zip(toy_zips):
    return toy_zips[0]


@pytest.mark.slow   # a whole emulated grading per case, 2-6 s each: `make test` runs them, `make check` does not
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
    secrets = [ENV_SECRET, *SMUGGLED, *_zip_secrets(toy_zip), *_solution_lines(submission)]
    since = _now_ticks()
    em = emulate(toy_zip, submission, keep=True, timeout=LIMIT + 60, warm=True)
    root = em.root
    uid = _run_uid(root)
    try:
        results = em.results
        assert em.problems == [], f"results.json does not validate: {em.problems}"
        assert em.seconds < LIMIT, f"grading took {em.seconds:.0f} s, over the {LIMIT:.0f} s limit"
        assert results.score == case.score, f"score {results.score}, the honest score is {case.score}"
        text = _visible_text(results)
        for secret in secrets:
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
        written = Results.from_json(_strict_json((root / "results" / "results.json").read_text()))
        assert written == results, "results.json changed later"
        if WORKER_DROPS_PRIVILEGES:
            assert uid is not None, "the grader's log does not say which uid student code ran as"
        lingering = _lingering(uid, since)
        assert lingering == [], f"processes of the submission outlived grading: {_show(lingering)}"
        assert _leftovers(uid) == [], "the submission left files outside its working copy"
        OUTCOMES[case.name] = True
    finally:
        for pid in _lingering(uid, since):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        shutil.rmtree(root, ignore_errors=True)
        for path in _leftovers(uid):
            shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) and not os.path.islink(path) \
                else os.unlink(path)


@pytest.mark.slow
def test_real_assignment_forbidden_library_earns_nothing(tmp_path, built_zips):
    """A1 through its real zip: a submission that lets torch do one model's work loses that
    model's tests (the file is not graded) and keeps the rest, with the reason in plain words."""
    from autograder.staff.repo import Repo

    repo = Repo(TOY.parents[1])
    grader_zip, _ = built_zips("a1_neural_nets")
    upload = tmp_path / "upload"
    shutil.copytree(repo.solution("a1_neural_nets"), upload)
    model = upload / "models" / "softmax_regression.py"
    model.write_text("import torch  # let a library do the work\n" + model.read_text())
    em = emulate(grader_zip, upload, warm=True)
    OUTCOMES["a1: a forbidden import in one file"] = False
    assert em.problems == []
    tests = em.results.tests
    text = _visible_text(em.results)
    assert "Forbidden import or name: models/softmax_regression.py" in text and "line 1: import torch" in text
    lost = [t for t in tests if t.max_score > 0 and t.score < t.max_score]
    # every lost test failed on importing the ungraded file (public ones also say why)
    assert lost and all("ImportError" in t.output for t in lost), [t.name for t in lost]
    assert any("softmax_regression.py was not graded" in t.output for t in lost)
    assert 0 < (em.results.score or 0) < 100
    OUTCOMES["a1: a forbidden import in one file"] = True


#: Part 1 files of A2 (NumPy only), and how each lets torch in: the first file by a bare
#: import_module, which the static check refuses; the others by a spelling the static check
#: cannot see, which only the worker can refuse.
A2_PART1 = ["modules/convolution.py", "modules/max_pool.py", "modules/relu.py", "modules/linear.py",
            "modules/softmax_ce.py", "modules/conv_classifier.py", "optimizer/sgd.py"]
STATIC_SPELLING = 'from importlib import import_module\ntorch = import_module("tor" + "ch")\n'
RUNTIME_SPELLING = 'import builtins\ntorch = getattr(builtins, "__imp" + "ort__")("tor" + "ch")\n'


def test_a2_part1_gets_no_torch_at_run_time(tmp_path):
    """A2 through its real zip: Part 1 (NumPy only) files that reach torch score nothing on
    Part 1, however the import is spelled, and Part 2 keeps every point."""
    from autograder.staff.build import build
    from autograder.staff.repo import Repo

    repo = Repo(TOY.parents[1])
    grader_zip, _ = build(repo, "a2_cnns")
    reference = emulate(grader_zip, repo.solution("a2_cnns"), warm=True)
    upload = tmp_path / "upload"
    shutil.copytree(repo.solution("a2_cnns"), upload)
    for i, rel in enumerate(A2_PART1):
        path = upload / rel
        path.write_text((STATIC_SPELLING if i == 0 else RUNTIME_SPELLING) + path.read_text())
    # cold, as Gradescope grades: Part 1's fork server is forked from the grader before torch loads
    # (a warm grader has torch already, so that family gets a fresh interpreter instead)
    em = emulate(grader_zip, upload, measure_memory=False)
    OUTCOMES["a2: torch in Part 1 at run time"] = False
    assert em.problems == [] and reference.results.score == 100
    tests = [t for t in em.results.tests if t.max_score > 0]
    part1 = [t for t in tests if (t.number or "").startswith("1.")]
    part2 = [t for t in tests if not (t.number or "").startswith(("1.", "0"))]
    assert part1 and part2
    assert sum(t.score for t in part1) == 0, [(t.name, t.score) for t in part1 if t.score]
    assert all(t.score == t.max_score for t in part2), [t.name for t in part2 if t.score < t.max_score]
    assert em.results.score == sum(t.max_score for t in part2)
    text = _visible_text(em.results)
    assert "Forbidden import or name: modules/convolution.py" in text          # the static check
    public = "\n".join(t.output for t in part1 if t.suite == "public")
    hidden = "\n".join(t.output for t in part1 if t.suite == "hidden")
    assert re.search(r"Forbidden module: modules/\w+\.py \(line 2\) imports torch, which task 1 of this "
                     r"assignment does not allow", public), public[:2000]
    assert "Your code imported a module that this part of the assignment does not allow (torch)." in hidden
    OUTCOMES["a2: torch in Part 1 at run time"] = True
