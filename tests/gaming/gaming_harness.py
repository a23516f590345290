"""The gaming suite's harness: uploads made by editing the course's own files, graded through the
real autograder zip in the emulator, as Gradescope would grade them.

A gaming case is a submission a dishonest student could write from the student bundle alone. It
is built here from ``solutions/<id>`` and ``starter_code/<id>``: whole functions are swapped by
qualified name (``Class.method``) with :func:`replace_functions`, which reads the file with
``ast``, so that an edited docstring or a moved line does not break a case. Its "honest parts"
are the same upload with the gamed functions put back as the starter has them (or raising
``NotImplementedError`` where a case says so), graded with the same submission id.

One zip per assignment is built per session (``built_zips`` of tests/conftest.py: a temporary
folder, never ``dist/``, shared with the other tests of the session); gradings
run two at a time (the machine has two cores, and each grading is a process tree of its own).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading import draws
from autograder.staff.emulate import emulate, run_submission_id

REPO = Path(__file__).resolve().parents[2]
#: Gradings at the same time: one per core of the course's test machine.
WORKERS = 2
_LOCK = threading.Lock()


# ----------------------------------------------------------------------------- editing sources
def _node(tree: ast.Module, qualname: str) -> ast.AST:
    body, node = tree.body, None
    for part in qualname.split("."):
        node = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                     and n.name == part), None)
        if node is None:
            raise KeyError(f"no {qualname} (missing {part!r})")
        body = node.body
    return node


def _span(node: ast.AST) -> tuple[int, int]:
    """First and last line (1-based) of a definition, its decorators included."""
    first = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
    return first, node.end_lineno


def function_source(source: str, qualname: str) -> str:
    """The source of one definition of ``source``, dedented."""
    first, last = _span(_node(ast.parse(source), qualname))
    return textwrap.dedent("".join(source.splitlines(keepends=True)[first - 1:last]))


def replace_functions(source: str, new: dict[str, str]) -> str:
    """``source`` with each definition named in ``new`` (qualified name -> its new source, at any
    indentation) replaced whole, indented where the old one stood."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    spans = []
    for qualname, text in new.items():
        node = _node(tree, qualname)
        first, last = _span(node)
        body = textwrap.indent(textwrap.dedent(text).strip("\n") + "\n", " " * node.col_offset)
        spans.append((first, last, body))
    for first, last, body in sorted(spans, reverse=True):
        lines[first - 1:last] = [body]
    result = "".join(lines)
    ast.parse(result)   # a case that writes broken Python is a broken case, not an attack
    return result


def graded_functions(source: str) -> list[str]:
    """Qualified names of the definitions that hold a solution block (what the starter stubs)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    found = []

    def walk(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                walk(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef):
                first, last = _span(node)
                if any("BEGIN SOLUTION" in line for line in lines[first - 1:last]):
                    found.append(prefix + node.name)

    walk(tree.body, "")
    return found


@dataclass
class Upload:
    """A submission folder being put together from the reference solution or the starter."""

    aid: str
    folder: Path

    @classmethod
    def make(cls, aid: str, where: Path, base: str = "solution") -> Upload:
        source = REPO / ("solutions" if base == "solution" else "starter_code") / aid
        folder = Path(tempfile.mkdtemp(prefix="upload-", dir=where))
        shutil.rmtree(folder)
        shutil.copytree(source, folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return cls(aid, folder)

    def read(self, rel: str) -> str:
        return (self.folder / rel).read_text()

    def write(self, rel: str, text: str) -> Upload:
        path = self.folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return self

    def replace(self, rel: str, new: dict[str, str], append: str = "") -> Upload:
        """Replace whole definitions of ``rel``; ``append`` goes at the end of the file (tables,
        helpers; the replaced functions read them when they are called)."""
        text = replace_functions(self.read(rel), new)
        if append:
            text = text.rstrip("\n") + "\n\n\n" + textwrap.dedent(append).strip("\n") + "\n"
            ast.parse(text)
        return self.write(rel, text)

    def revert(self, rel: str, qualnames: list[str] | None = None) -> Upload:
        """Put definitions of ``rel`` back as the starter has them (all graded ones by default)."""
        starter = (REPO / "starter_code" / self.aid / rel).read_text()
        names = qualnames if qualnames is not None else graded_functions((REPO / "solutions" / self.aid / rel).read_text())
        return self.replace(rel, {name: function_source(starter, name) for name in names})

    def remove(self, rel: str) -> Upload:
        (self.folder / rel).unlink()
        return self


# ----------------------------------------------------------------------------- built zips
@dataclass
class Built:
    aid: str
    grader_zip: Path
    bundle_zip: Path
    bundle: Path            # the student bundle, unpacked (what a student has)
    key: bytes              # the assignment's key, as the zip holds it (staff side: to read draws)
    pool_size: int

    def pool_index(self, submission_id: int) -> int:
        return draws.pool_index(draws.submission_draw(self.key, submission_id), self.pool_size)

    def other_id(self, *taken: int) -> int:
        """A new submission id whose fixture set is none of those ``taken`` use (a second
        submission of the same student: public values recorded for the first one's set do not
        come back by chance, one time in the pool's size)."""
        used = {self.pool_index(i) for i in taken}
        candidate = max(taken) + 7919
        while self.pool_index(candidate) in used and self.pool_size > len(used):
            candidate += 7919
        return candidate


def unpack_assignment(aid: str, grader_zip: Path, bundle_zip: Path, where: Path) -> Built:
    """An assignment's built zips (the session's shared build), with the student bundle unpacked
    into ``where`` and the zip's key and pool size read."""
    bundle = where / "bundle"
    with zipfile.ZipFile(bundle_zip) as zf:
        zf.extractall(bundle)
    with zipfile.ZipFile(grader_zip) as zf:
        key = draws.parse_key(zf.read("key").decode(), "the zip's key")
        pool = {n.split("/")[2] for n in zf.namelist() if n.startswith("fixtures/draws/") and n.count("/") >= 3}
    return Built(aid, grader_zip, bundle_zip, bundle / aid, key, len(pool))


# ----------------------------------------------------------------------------- grading
@dataclass
class Graded:
    score: float
    results: dict
    submission_id: int
    tests: list[dict] = field(default_factory=list)

    def test(self, words: str) -> dict:
        """The one entry whose name holds ``words``."""
        found = [t for t in self.tests if words in t["name"]]
        if len(found) != 1:
            raise KeyError(f"{len(found)} tests named like {words!r}: {[t['name'] for t in found]}")
        return found[0]

    def points(self, number_prefix: str) -> float:
        return sum(t["score"] for t in self.tests if t.get("number", "").startswith(number_prefix))

    def visible_text(self, suites: tuple[str, ...] | None = None) -> str:
        """What a student reads in results.json once grades are published (hidden outputs
        included), as they read it; ``suites`` keeps only those tests ("public", "hidden")."""
        parts = [] if suites else [self.results.get("output", "")]
        for t in self.tests:
            if suites and t.get("extra_data", {}).get("suite") not in suites:
                continue
            parts += [t.get("name", ""), t.get("number", ""), t.get("output", "")]
        if not suites:
            parts += [f"{e.get('name')}: {e.get('value')}" for e in self.results.get("leaderboard", [])]
        return "\n".join(str(p) for p in parts)

    def sealed_text(self) -> str:
        """Everything visible except the public tests' outputs: hidden and leaderboard tests,
        the run's own output, the leaderboard. A public test shows its own failure in full by
        design (its worker only ever sees that test's inputs)."""
        parts = [self.results.get("output", "")]
        for t in self.tests:
            sealed = t.get("extra_data", {}).get("suite") != "public"
            parts += [t.get("name", ""), t.get("output", "") if sealed else ""]
        parts += [f"{e.get('name')}: {e.get('value')}" for e in self.results.get("leaderboard", [])]
        return "\n".join(str(p) for p in parts)

    def lost(self) -> list[str]:
        return [f"{t.get('number', '')} {t['name']}: {t['score']:g}/{t['max_score']:g}"
                for t in self.tests if t["score"] < t["max_score"]]


def grade(built: Built, folder: Path, submission_id: int) -> Graded:
    em = emulate(built.grader_zip, folder, submission_id=submission_id, warm=True, timeout=900)
    if em.problems:
        raise AssertionError(f"results.json of a grading does not validate: {em.problems}")
    doc = em.results.to_json()   # read as a student reads results.json
    return Graded(float(doc["score"]), doc, submission_id, doc.get("tests", []))


_POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="gaming")


def submit(built: Built, folder: Path, submission_id: int) -> Future:
    """Start grading an upload (at most two gradings run at a time); ``.result()`` waits for it."""
    return _POOL.submit(grade, built, folder, submission_id)


def grade_all(built: Built, uploads: dict[str, tuple[Path, int]]) -> dict[str, Graded]:
    """Grade several uploads (name -> (folder, submission id)), two at a time."""
    futures = {name: submit(built, folder, sid) for name, (folder, sid) in uploads.items()}
    return {name: f.result() for name, f in futures.items()}


_HONEST: dict[tuple, Future] = {}


def honest(built: Built, name: str, make, submission_id: int) -> Future:
    """The grading of an honest-parts upload (``make()`` builds it), shared by every case that
    compares with the same one under the same submission id."""
    key = (built.aid, name, submission_id)
    with _LOCK:
        if key not in _HONEST:
            _HONEST[key] = submit(built, make().folder, submission_id)
        return _HONEST[key]


def check_locally(built: Built, upload: Upload) -> dict:
    """The upload graded by the student's own ``check`` in the unpacked bundle (no key: the
    bundle's recorded public values), in a process of its own. Returns results.json."""
    with tempfile.TemporaryDirectory(prefix="gaming-check-") as tmp:
        os.chmod(tmp, 0o711)
        bundle = Path(tmp) / "bundle"
        shutil.copytree(built.bundle, bundle)
        for rel in _manifest_files(built):
            if (upload.folder / rel).is_file():
                shutil.copy(upload.folder / rel, bundle / rel)
        script = ("import sys; from pathlib import Path\n"
                  "from autograder.student.check import bundle_layout\n"
                  "from autograder.grading.session import grade\n"
                  "root = Path(sys.argv[1]); out = Path(sys.argv[2])\n"
                  "grade(bundle_layout(root), root, out / 'results.json', out / 'area', quiet=True)\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "AUTOGRADER_"))}
        env["PYTHONPATH"] = str(bundle)
        done = subprocess.run([sys.executable, "-c", script, str(bundle), tmp], cwd=bundle, env=env,
                              capture_output=True, text=True, timeout=600)
        path = Path(tmp) / "results.json"
        if not path.is_file():
            raise AssertionError(f"check did not write results.json: {done.stdout[-2000:]}{done.stderr[-2000:]}")
        return json.loads(path.read_text())


def _manifest_files(built: Built) -> list[str]:
    import tomllib

    doc = tomllib.loads((built.bundle / "assignment.toml").read_text())
    return list(doc["files"])


def first_submission_id() -> int:
    """This session's first submission id: random per run, replayable with AUTOGRADER_SUBMISSION_ID."""
    return run_submission_id()


# ----------------------------------------------------------------------------- outcomes
@dataclass
class Outcome:
    case: str
    score: float | None
    cap: float | None
    honest: float | None
    held: bool = False
    note: str = ""

    def row(self) -> str:
        def num(v):
            return "-" if v is None else f"{v:g}"

        return (f"{self.case:<72} {num(self.score):>6} {num(self.cap):>6} {num(self.honest):>7}  "
                f"{'held' if self.held else 'NOT HELD'}{'  ' + self.note if self.note else ''}")


OUTCOMES: dict[str, Outcome] = {}


def record(outcome: Outcome) -> Outcome:
    with _LOCK:
        OUTCOMES[outcome.case] = outcome
    return outcome


def assert_bounded(case: str, graded: Graded, cap: float | None, honest: Graded | None, note: str = "") -> None:
    """The case scores no more than its bound: its cap in points where it has one (shape-only
    stubs and replays, whose honest parts are the bare starter, may pass a property test or two
    by chance), else its honest parts graded under the same submission id."""
    bound = cap if cap is not None else honest.score
    outcome = record(Outcome(case, graded.score, cap, honest.score if honest else None, False, note))
    assert graded.score <= bound + 1e-9, (
        f"{case}: scored {graded.score:g}, above its bound {bound:g} (cap {cap if cap is not None else '-'}, "
        f"honest parts {honest.score if honest else '-'}) under submission id {graded.submission_id}.\n"
        f"  tests the case passed that its honest parts did not: {_gained(graded, honest)}")
    outcome.held = True


def credit(fair: Graded, case: Graded, numbers: tuple[str, ...]) -> Graded:
    """``fair`` with the case's own results on the tests of tasks ``numbers``: tasks the upload
    really did, which its honest variant loses only because it shares code with the gamed part."""
    theirs = {t["name"]: t for t in case.tests if t.get("number", "").startswith(numbers)}
    tests = [theirs.get(t["name"], t) for t in fair.tests]
    return Graded(sum(t["score"] for t in tests), fair.results, fair.submission_id, tests)


def _gained(graded: Graded, honest: Graded | None) -> list[str]:
    if honest is None:
        return [f"{t.get('number', '')} {t['name']} ({t['score']:g})" for t in graded.tests if t["score"] > 0]
    theirs = {t["name"]: t["score"] for t in honest.tests}
    return [f"{t.get('number', '')} {t['name']} ({theirs.get(t['name'], 0):g} -> {t['score']:g})"
            for t in graded.tests if t["score"] > theirs.get(t["name"], 0) + 1e-9]


def run_time_spellings(name: str, module: str) -> dict[str, str]:
    """spelling -> the lines that bind ``name`` to ``module`` at run time (plain spellings the
    static check also sees; the disguised ones only the worker can refuse)."""
    head, tail = module[:3], module[3:]
    reach = f'("{head}" + "{tail}")'
    return {
        "importlib": f"import importlib\n{name} = importlib.import_module{reach}",
        "__import__": f"{name} = __import__{reach}",
        "sys.modules": f"import sys\n{name} = sys.modules[{reach[1:-1]}]",
        "exec": f'space = {{}}\nexec("import {module} as m", space)\n{name} = space["m"]',
        "importlib, disguised": f'import importlib\n{name} = getattr(importlib, "import_" + "module"){reach}',
        "__import__, disguised": f'import builtins\n{name} = getattr(builtins, "__imp" + "ort__"){reach}',
        "exec, disguised": (f'import builtins\nspace = {{}}\ngetattr(builtins, "ex" + "ec")("import {head}" + '
                            f'"{tail} as t", space)\n{name} = space["t"]'),
    }


def indented(lines: str, by: str = "    ") -> str:
    """``lines`` indented one level, to sit inside a function body."""
    return "\n".join(by + line for line in lines.splitlines())


#: How a case's code fingerprints the arrays it is called with (values as float64, and shapes).
#: The same text runs in the submission and here, so both sides key their tables alike.
DIGEST_SOURCE = '''
def _digest(*arrays):
    import hashlib as _hashlib

    import numpy as _np

    h = _hashlib.sha256()
    for a in arrays:
        if hasattr(a, "detach"):
            a = a.detach().cpu().numpy()
        a = _np.ascontiguousarray(_np.asarray(a, dtype=_np.float64))
        h.update(repr(tuple(int(d) for d in a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:24]
'''
_NAMESPACE: dict = {}
exec(DIGEST_SOURCE, _NAMESPACE)
digest = _NAMESPACE["_digest"]


def find(pattern: str, text: str) -> list:
    return re.findall(pattern, text)
