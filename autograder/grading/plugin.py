"""The grading plugin: sandbox fixtures, seeding and a Gradescope ``results.json`` writer.

Nothing here acts on import, and the package declares no ``pytest11`` entry point: a pytest
session grades only when it is given a :class:`GradingPlugin` object, as the grader and the
student ``check`` do through :func:`autograder.grading.session.run_session`
(``pytest.main(args, plugins=[GradingPlugin(...)])``). The fixtures (``student``, ``rng``,
``thresholds``, ``fixtures_dir``, ``figures``, ``set_score``, ``set_leaderboard_value``) and the seeding
before each test are members of that object, so any other pytest session in the same
environment sees none of them.

In a grading with a key (an autograder zip, see :mod:`autograder.grading.draws`), each test's
seed comes from the submission's draw and the test's node id, and ``fixtures_dir`` shows the
fixture set of that draw; without one (a student's ``check``) the seed is 1234 and
``fixtures_dir`` the recorded public set.

Feedback comes in two registers. A public test's failure is told in full: the check's text
(expected against got, shapes, the worst element), the exception's message and the student's
frames. A hidden or leaderboard test's failure is told from a closed vocabulary only
(:func:`autograder.grading.feedback.hidden_message`): the test's own title ("case i of n"
for a parametrized one), the kind of failure, and a place made of a file and a starter
function (:mod:`autograder.grading.vocabulary`), never text that the student's code produced
or that the test built from values the worker returned.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from . import apart, draws, feedback, selection
from . import results as results_mod
from .checks import CheckFailure
from .figures import Discard, Figures, output_html
from .results import LeaderboardEntry, Results, TestResult
from .sandbox import Sandbox, SandboxError, StudentError
from .settings import GradingSettings, WorkerFamily, family_for
from .vocabulary import Vocabulary

SEED = 1234

_output_key = pytest.StashKey[str]()
_worker_key = pytest.StashKey[Any]()
_figures_key = pytest.StashKey[Figures]()


def _chain(func: Any) -> list:
    """``func`` and every function it wraps (gradescope-utils wrappers keep runtime values on their own)."""
    out: list[Any] = []
    while func is not None and len(out) < 20:
        out.append(func)
        func = getattr(func, "__wrapped__", None)
    return out


def _runtime_value(func: Any, name: str) -> Any:
    for f in _chain(func):
        if name in getattr(f, "__dict__", {}):
            return f.__dict__[name]
    return None


def _asked_from(exc: StudentError) -> str:
    """"file, line N" of the innermost student frame the worker reported (public tests only)."""
    for frame in reversed(exc.frames):
        if isinstance(frame, (list, tuple)) and len(frame) == 2 and isinstance(frame[0], str):
            return f"{frame[0]} (line {frame[1]})"
    return ""


def _describe_failure(excinfo: pytest.ExceptionInfo | None, longrepr: Any, scope: str = "this assignment") -> str:
    """A public test's failure, told in full."""
    if excinfo is None:
        text = str(longrepr) if longrepr else "The test failed."
        return text.splitlines()[-1] if text else "The test failed."
    exc = excinfo.value
    if isinstance(exc, StudentError):
        if exc.forbidden:
            return (feedback.forbidden_import(exc.forbidden, _asked_from(exc), scope)
                    + f"\n(while running {exc.call})")
        return feedback.student_error(exc, hidden=False)
    if isinstance(exc, SandboxError):
        return str(exc)
    if isinstance(exc, AssertionError):
        text = str(exc).strip()
        return text or "A check failed (this test gave no message; tell the course staff)."
    if isinstance(exc, pytest.fail.Exception):
        return str(exc.msg if hasattr(exc, "msg") else exc)
    return (f"The test could not check your result: {type(exc).__name__}: {str(exc)[:1500]}\n"
            "This usually means your code returned something of an unexpected type or shape.")


class GradingPlugin:
    """One grading session: fixtures, seeding, one entry per test item, the results document.

    ``settings`` says where the submission, probes and sandbox area are and the limits (see
    :func:`autograder.grading.session.grade`); without a ``submission`` the ``student`` fixture fails
    with a clear message. ``results_path``, when given, receives ``results.json`` at the end.
    ``progress(nodeid, entry)`` is called after each test; ``on_collected(n, numbers)`` after
    collection, with the number of tests selected and the task numbers of all tests collected.
    """

    def __init__(self, settings: GradingSettings | None = None, results_path: str | Path | None = None, *,
                 progress: Callable[[str, dict], None] | None = None,
                 on_collected: Callable[[int, list[str]], None] | None = None):
        self.settings = settings
        self.results_path = results_path
        self.entries: dict[str, dict] = {}
        self.order: list[str] = []
        self.leaderboard: list[dict] = []
        self.started = time.time()
        self.sandbox: Sandbox | None = None
        self.progress = progress
        self.on_collected = on_collected
        self.numbers: set[str] = set()   # task numbers of every test collected, selected or not
        self.collect_errors: list[str] = []
        self.broken: str | None = None   # set when the sandbox itself cannot run
        self.self_tested: set[str] = set()   # worker families whose first worker was tried
        self.remaining: dict[str, int] = {}  # family -> selected tests still to run
        self.cases: dict[str, tuple[int, int]] = {}   # nodeid of a parametrized test -> (i, n)
        self._vocabulary: Vocabulary | None = None
        self.draw: int | None = None     # the submission's draw (None: fixed seeds)
        self.pool_index: int | None = None   # which recorded fixture set the draw picked
        self.fixtures_view: Path | None = None

    # ---- the submission's draw
    def begin_draw(self) -> None:
        """Read the key, draw the submission's inputs, lay out its fixtures (after the fork only).

        The key and the draw stay in the grader: called once the fork server runs, so that no
        worker inherits them. A missing or unreadable key grades with fixed seeds instead.
        """
        s = self.settings
        if s is None or s.draws is None:
            return
        try:
            key = draws.read_key(s.draws.key_file)
        except (OSError, ValueError) as exc:
            print(f"[autograder] the key could not be read ({type(exc).__name__}); grading with fixed seeds",
                  file=sys.stderr)
            key = None
        if key is not None:
            self.draw = draws.submission_draw(key, s.draws.submission_id)
        pool = self._pool()
        if pool:
            self.pool_index = draws.pool_index(self.draw, len(pool)) if self.draw is not None else 0
            self.fixtures_view = self._lay_out(pool[self.pool_index])
        print(f"[autograder] submission id {s.draws.submission_id}: "
              + ("no key, fixed seeds" if self.draw is None else "inputs drawn for it")
              + (f", fixture set {self.pool_index} of {len(pool)}" if pool else ""))

    def _pool(self) -> list[Path]:
        """The recorded fixture sets (``fixtures/draws/<k>``), in order; empty when there are none."""
        root = self.settings.fixtures if self.settings else None
        folder = Path(root) / "draws" if root else None
        if folder is None or not folder.is_dir():
            return []
        numbered = [p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()]
        return sorted(numbered, key=lambda p: int(p.name))

    def _lay_out(self, chosen: Path) -> Path:
        """A private folder showing one fixture set plus the fixed part, as ``fixtures_dir``."""
        s = self.settings
        assert s is not None and s.fixtures is not None  # noqa: S101 (narrows the type: _pool found fixtures)
        view = Path(tempfile.mkdtemp(prefix="fixtures-", dir=s.area.parent if s.area.parent.is_dir() else None))
        os.chmod(view, 0o700)
        for source in (Path(s.fixtures) / "fixed", chosen):
            if not source.is_dir():
                continue
            for entry in sorted(source.iterdir()):
                target = view / entry.name
                if target.exists() or target.is_symlink():
                    continue
                try:
                    os.symlink(entry, target, target_is_directory=entry.is_dir())
                except OSError:
                    (shutil.copytree if entry.is_dir() else shutil.copyfile)(entry, target)
        return view

    def seed_for(self, nodeid: str) -> int:
        """The seed of one test: from the draw and its node id, or 1234 without a draw."""
        return SEED if self.draw is None else draws.test_seed(self.draw, nodeid)

    # ---- sandbox lifecycle
    def start_sandbox(self, inline: bool = False) -> Sandbox:
        """Start the fork server without waiting for it (it preloads while tests are collected).

        ``inline`` forks it from the grader; call it so only before test modules are imported.
        """
        if self.sandbox is None:
            s = self.settings
            if s is None:
                raise SandboxError("No submission is configured for this grading session (GradingSettings).",
                                   kind="sandbox")
            self.sandbox = Sandbox(s.submission, s.probes, s.area, preload=s.preload, pythonpath=s.pythonpath,
                                   limits=s.limits, inline=inline, require_drop=s.require_drop,
                                   families=s.worker_families(), announce=s.verbose)
        return self.sandbox

    @property
    def families(self) -> tuple[WorkerFamily, ...]:
        s = self.settings or GradingSettings(Path(), Path(), Path())
        return s.worker_families()

    def family_of(self, item: pytest.Item) -> WorkerFamily:
        """The worker family a test runs in, by its task number (``[worker.without]``)."""
        return family_for(self.families, getattr(getattr(item, "obj", None), "__number__", None))

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            s = self.settings
            self._vocabulary = Vocabulary.load(s.vocabulary if s else None, list(s.student_files) if s else [],
                                               s.pythonpath if s else ())
        return self._vocabulary

    def get_sandbox(self, family: WorkerFamily | None = None) -> Sandbox:
        if self.broken:
            raise SandboxError(self.broken, kind="sandbox")
        family = family or self.families[0]
        sandbox = self.start_sandbox()
        if family.name not in self.self_tested:
            self.self_tested.add(family.name)
            self._self_test(sandbox, family)
        return sandbox

    def _self_test(self, sandbox: Sandbox, family: WorkerFamily) -> None:
        """Fork one worker before any student code runs, so a broken setup is the grader's failure."""
        try:
            worker = sandbox.worker(test_seconds=60, family=family.name)
        except SandboxError as exc:
            print(f"[autograder] sandbox self-test failed: {exc}", file=sys.stderr)
            self.broken = ("The grader could not start the sandbox that runs your code; this is not your "
                           "code's fault. The course staff can see the details.")
            raise SandboxError(self.broken, kind="sandbox") from None
        try:
            worker.get("sys.version")
        except Exception as exc:
            detail = worker.output()[-3000:]
            print(f"[autograder] sandbox self-test failed: {exc}\n{detail}", file=sys.stderr)
            self.broken = ("The grader could not start the sandbox that runs your code; this is not your "
                           "code's fault. The course staff can see the details.")
            raise SandboxError(self.broken, kind="sandbox") from None
        finally:
            worker.close()

    def shutdown(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None
        if self.fixtures_view is not None:
            shutil.rmtree(self.fixtures_view, ignore_errors=True)
            self.fixtures_view = None

    # ---- fixtures (members, so that only a session given this object has them)
    @pytest.fixture(autouse=True)
    def _seed_everything(self, request: pytest.FixtureRequest):
        """Seed NumPy, ``random`` and (if loaded) torch in the grader before every test."""
        seed = self.seed_for(request.node.nodeid)
        np.random.seed(seed)
        random.seed(seed)
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.manual_seed(seed)

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """A fresh generator for this test: ``np.random.default_rng(1234)`` in ``check``; on
        Gradescope seeded from the submission's draw and the test, so each submission gets
        other inputs and its regrade the same ones."""
        return np.random.default_rng(self.seed_for(request.node.nodeid))

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest):
        """A fresh sandbox worker running the submission, for this test only."""
        deadline = self.settings.deadline if self.settings else None
        budget = self.settings.limits.test_seconds if self.settings else 60.0
        if deadline is not None:
            left = deadline - time.time()
            if left <= 1:
                raise SandboxError("Not run: the time limit for grading the whole submission was reached "
                                   "before this test started. Speed up the slow parts of your code.", kind="not_run")
            budget = min(budget, left)
        family = self.family_of(request.node)
        worker = self.get_sandbox(family).worker(test_seconds=budget, hidden=self._is_sealed(request.node),
                                                 family=family.name)
        request.node.stash[_worker_key] = worker
        try:
            yield worker
        finally:
            request.node.stash[_output_key] = worker.output()
            worker.close()

    @pytest.fixture
    def fixtures_dir(self) -> Path:
        """Files that ``tests/build_fixtures.py`` wrote at build time (never readable by the worker).

        In a zip: the submission's fixture set and the fixed part; in a bundle: the public set.
        """
        if self.fixtures_view is not None:
            return self.fixtures_view
        path = self.settings.fixtures if self.settings else None
        if not path or not Path(path).is_dir():
            raise SandboxError("This test needs build-time fixtures, but none were built (run `autograder build`).",
                               kind="sandbox")
        return Path(path)

    @pytest.fixture
    def figures(self, request: pytest.FixtureRequest) -> Figures:
        """Pictures for this test's feedback (:mod:`autograder.grading.figures`): a public test's
        output shows them beside its text; a hidden or leaderboard test's collector draws nothing."""
        collector = Discard() if self._is_sealed(request.node) else Figures()
        request.node.stash[_figures_key] = collector
        return collector

    @pytest.fixture
    def thresholds(self) -> dict:
        """The manifest's ``[thresholds]`` table (name -> list of numbers), e.g. accuracy cut-offs."""
        return dict(self.settings.thresholds) if self.settings else {}

    @pytest.fixture
    def set_score(self):
        """Placeholder; the gradescope-utils ``partial_credit`` wrapper passes its own."""
        return None

    @pytest.fixture
    def set_leaderboard_value(self):
        """Placeholder; the gradescope-utils ``leaderboard`` wrapper passes its own."""
        return None

    # ---- hooks
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        report = outcome.get_result()
        entry = self.entries.get(item.nodeid)
        if entry is None:
            entry = self._new_entry(item)
            self.entries[item.nodeid] = entry
            self.order.append(item.nodeid)
        entry["seconds"] = entry.get("seconds", 0.0) + float(getattr(report, "duration", 0.0) or 0.0)
        if report.failed and entry["status"] != "failed":
            entry["status"] = "failed"
            hide = getattr(item.obj, "__hide_errors__", None) if hasattr(item, "obj") else None
            if hide:
                message = str(hide)
            elif entry["sealed"]:
                message = self._hidden_failure(call.excinfo, item, call.when)
            else:
                message = _describe_failure(call.excinfo, report.longrepr, self._scope(item, call.excinfo))
                if call.when == "setup":
                    message = "The test could not be set up: " + message
                elif call.when == "teardown":
                    message = "Something went wrong after the test ran: " + message
            entry["message"] = message
        elif report.passed and call.when == "call" and entry["status"] == "pending":
            entry["status"] = "passed"
        if call.when == "teardown":
            self._finish_entry(item, entry)
            self._test_done(item)

    def _scope(self, item: pytest.Item, excinfo: Any) -> str:
        """What refuses a module: the whole assignment, or the tasks of a worker family."""
        exc = getattr(excinfo, "value", None)
        module = getattr(exc, "forbidden", "") if isinstance(exc, StudentError) else ""
        main = family_for(self.families, None)
        if not module or any(module == r or module.startswith(r + ".") for r in main.refused):
            return "this assignment"
        family = self.family_of(item)
        return "task " + " and ".join(family.numbers) + " of this assignment" if family.numbers else "this assignment"

    def _hidden_failure(self, excinfo: Any, item: pytest.Item, when: str) -> str:
        """A hidden or leaderboard test's failure in the fixed vocabulary (see the module's docstring)."""
        exc = getattr(excinfo, "value", None)
        vocab = self.vocabulary
        worker = item.stash.get(_worker_key, None)
        fallback = vocab.from_path(worker.last_target) if worker is not None else ""
        pristine = self.settings.submission if self.settings else None
        refused = sorted({m for f in self.families for m in f.refused})
        exception = module = ""
        if isinstance(exc, CheckFailure):
            kind, place = exc.kind, vocab.match(exc.where) or fallback
        elif isinstance(exc, StudentError):
            place = vocab.locate(exc.frames, pristine) or vocab.from_path(exc.target) or fallback
            if exc.forbidden:
                kind, module = "forbidden", exc.forbidden
            else:
                kind, exception = feedback.student_error_kind(exc.type_name), exc.type_name
        elif isinstance(exc, SandboxError):
            kind, place = exc.kind, fallback
        elif isinstance(exc, (AssertionError, pytest.fail.Exception)):
            kind, place = "property", fallback
        else:
            kind, place = "unchecked", fallback
        return feedback.hidden_message(kind, place, exception=exception, module=module, allowed_modules=refused,
                                       setup=when == "setup" and kind not in ("not_run", "sandbox"))

    def _test_done(self, item: pytest.Item) -> None:
        """Count a test off its family; the family's fork server goes when its last test has run."""
        name = self.family_of(item).name
        if name in self.remaining:
            self.remaining[name] -= 1
            if self.remaining[name] <= 0 and self.sandbox is not None and len(self.families) > 1:
                self.sandbox.close_family(name)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Task numbers become ``-k`` keywords (before pytest's own ``-k`` deselects); each
        parametrized test's cases are counted, so that a hidden one is named "case i of n"."""
        groups: dict[tuple[str, str], list[str]] = {}
        for item in items:
            number = getattr(getattr(item, "obj", None), "__number__", None)
            item.extra_keyword_matches.update(selection.task_keywords(number))
            if number is not None:
                self.numbers.add(str(number))
            if getattr(item, "callspec", None) is not None:
                groups.setdefault((str(item.path), getattr(item, "originalname", item.name)), []).append(item.nodeid)
        for nodeids in groups.values():
            for i, nodeid in enumerate(nodeids, start=1):
                self.cases[nodeid] = (i, len(nodeids))
        if len(self.families) > 1:
            # One family after another, the lean ones first (the order within a family is kept;
            # results are sorted by number anyway): each fork server is closed as soon as its
            # last test has run, before the heavier tests start, and families switch only once.
            rank = {f.name: i for i, f in enumerate(sorted(self.families, key=lambda f: not f.numbers))}
            items[:] = sorted(items, key=lambda item: rank[self.family_of(item).name])
        first = self.settings.first_test_files if self.settings else ()
        if first:   # (a staff grading that stops at its first failure: see ``mutants``)
            items[:] = sorted(items, key=lambda item: item.path.name not in first)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.remaining = {f.name: 0 for f in self.families}
        for item in session.items:
            self.remaining[self.family_of(item).name] += 1
        if self.sandbox is not None and len(self.families) > 1:
            for name, count in self.remaining.items():
                if count == 0:
                    self.sandbox.close_family(name)   # nothing selected runs there: free its memory now
        if self.on_collected is not None:
            self.on_collected(len(session.items), sorted(self.numbers, key=results_mod.number_key))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {str(report.longrepr)[-2000:]}")

    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        """Computations run apart (grading/apart.py) share one process through consecutive test files
        that use it: it goes, with the libraries it imported, after a file that did not (the session
        ends it after the last test)."""
        if nextitem is None or nextitem.path != item.path:
            apart.close_if_idle()

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        for f in _chain(getattr(item, "obj", None)):
            for attr in ("__score__", "__leaderboard_value__"):
                f.__dict__.pop(attr, None)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.shutdown()
        if self.results_path:
            results_mod.write_atomic(self.document(), self.results_path)

    # ---- entries
    def _is_hidden(self, item: pytest.Item) -> bool:
        return "hidden" in Path(str(item.path)).parts

    def _is_sealed(self, item: pytest.Item) -> bool:
        """Hidden, or a leaderboard test: its feedback is the fixed vocabulary, its output unseen."""
        func = getattr(item, "obj", None)
        return self._is_hidden(item) or any(getattr(f, "__leaderboard_column__", None) is not None
                                            for f in _chain(func))

    def _new_entry(self, item: pytest.Item) -> dict:
        func = getattr(item, "obj", None)
        hidden = self._is_hidden(item)
        sealed = self._is_sealed(item)
        s = self.settings or GradingSettings(Path(), Path(), Path())
        default_vis = s.hidden_visibility if hidden else s.public_visibility
        doc = (getattr(func, "__doc__", None) or "").strip().splitlines()
        base = getattr(item, "originalname", None) or item.name
        if sealed:   # a hidden case's id could name its inputs ("[stride3-pad2-k5]")
            name = doc[0].strip() if doc else base.replace("test_", "", 1).replace("_", " ")
            if item.nodeid in self.cases and self.cases[item.nodeid][1] > 1:
                name += " (case {} of {})".format(*self.cases[item.nodeid])
        else:
            name = doc[0].strip() if doc else item.name.replace("test_", "", 1).replace("_", " ")
            if doc and "[" in item.name:
                name += " " + item.name[item.name.index("["):]
        weight = getattr(func, "__weight__", 0.0)
        return {
            "nodeid": item.nodeid,
            "name": name,
            "number": getattr(func, "__number__", None),
            "weight": float(weight) if isinstance(weight, (int, float)) else 0.0,
            "visibility": getattr(func, "__visibility__", default_vis),
            "tags": [str(t) for t in getattr(func, "__tags__", ())],
            "hidden": hidden,
            "sealed": sealed,
            "status": "pending",
            "message": "",
            "output": "",
        }

    def _finish_entry(self, item: pytest.Item, entry: dict) -> None:
        func = getattr(item, "obj", None)
        if entry["status"] == "pending":
            entry["status"] = "failed"
            entry["message"] = entry["message"] or "The test did not run to completion."
        partial = _runtime_value(func, "__score__")
        if isinstance(partial, (int, float)) and not isinstance(partial, bool):
            entry["score"] = max(0.0, min(float(partial), entry["weight"]))
        else:
            entry["score"] = entry["weight"] if entry["status"] == "passed" else 0.0
        column = getattr(func, "__leaderboard_column__", None)
        value = _runtime_value(func, "__leaderboard_value__")
        if column is not None and value is not None and type(value) in (int, float, str):
            self.leaderboard.append({"name": str(column), "value": value,
                                     "order": getattr(func, "__leaderboard_sort_order__", "desc")})
        printed = item.stash.get(_output_key, "")
        if printed:
            if entry["sealed"]:
                entry["output"] = "(What your code printed is not shown for hidden tests.)"
            else:
                entry["output"] = "What your code printed:\n" + printed
        drawn = item.stash.get(_figures_key, None)
        if drawn and not entry["sealed"]:
            entry["figures"] = drawn.html()
        entry["leaderboard_only"] = column is not None and entry["weight"] == 0
        if self.progress is not None:
            self.progress(item.nodeid, entry)

    def test_entries(self) -> list[TestResult]:
        out = []
        for nodeid in self.order:
            e = self.entries[nodeid]
            if e.get("leaderboard_only"):
                continue
            text = e["message"] if e["status"] == "failed" else ""
            if e["output"]:
                text = f"{text}\n\n{e['output']}".strip()
            pictures = e.get("figures", "")
            if pictures:   # the text escaped (the student's printed output too), then the pictures
                text = output_html(results_mod.clip_text(text), pictures)
            out.append(TestResult(
                name=e["name"], score=round(e.get("score", 0.0), 4), max_score=e["weight"], status=e["status"],
                output=text, output_format="html" if pictures else "text", visibility=e["visibility"],
                number=str(e["number"]) if e["number"] else None, tags=list(e["tags"]),
                # for staff tools, never shown: the suite (`autograder mutants`), and the setup,
                # call and teardown time (the slowest tests in the regrade report)
                extra_data={"suite": "hidden" if e["hidden"] else "public",
                            "seconds": round(e.get("seconds", 0.0), 3)}))
        out.sort(key=lambda t: results_mod.number_key(t.number))
        return out

    def document(self, extra_tests: list[dict] | None = None, notes: str = "") -> Results:
        tests = [TestResult.from_json(t) for t in extra_tests or []] + self.test_entries()
        for err in self.collect_errors:
            print(f"[autograder] collection error: {err}", file=sys.stderr)
        if self.collect_errors:
            tests.append(TestResult("Some tests could not be loaded", 0.0, 0.0, "failed",
                                    "Part of the grader could not be loaded; the course staff can see why. "
                                    "Your score may be incomplete.", output_format="text", visibility="visible"))
        score, max_score = results_mod.summarize(tests)
        passed = sum(1 for t in tests if t.status == "passed")
        summary = f"Score: {score:g} / {max_score:g}. {passed} of {len(tests)} tests passed."
        return Results(score=round(score, 4), execution_time=round(time.time() - self.started, 3),
                       output=(notes + "\n\n" + summary).strip(), output_format="text",
                       stdout_visibility="hidden", tests=tests,
                       leaderboard=[LeaderboardEntry(e["name"], e["value"], e["order"]) for e in self.leaderboard])
