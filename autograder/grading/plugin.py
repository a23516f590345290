"""The grading plugin: sandbox fixtures, seeding and a Gradescope ``results.json`` writer.

Nothing here acts on import, and the package declares no ``pytest11`` entry point: a pytest
session grades only when it is given a :class:`GradingPlugin` object, as the grader and the
student ``check`` do through :func:`autograder.grading.session.run_session`
(``pytest.main(args, plugins=[GradingPlugin(...)])``). The fixtures (``student``, ``rng``,
``thresholds``, ``fixtures_dir``, ``set_score``, ``set_leaderboard_value``) and the seeding
before each test are members of that object, so any other pytest session in the same
environment sees none of them.

In a grading with a key (an autograder zip, see :mod:`autograder.grading.draws`), each test's
seed comes from the submission's draw and the test's node id, and ``fixtures_dir`` shows the
fixture set of that draw; without one (a student's ``check``) the seed is 1234 and
``fixtures_dir`` the recorded public set.
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

from . import draws, feedback, selection
from . import results as results_mod
from .results import LeaderboardEntry, Results, TestResult
from .sandbox import Sandbox, SandboxError, StudentError
from .settings import GradingSettings

SEED = 1234

_output_key = pytest.StashKey[str]()


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


def _describe_failure(excinfo: pytest.ExceptionInfo | None, longrepr: Any) -> str:
    if excinfo is None:
        text = str(longrepr) if longrepr else "The test failed."
        return text.splitlines()[-1] if text else "The test failed."
    exc = excinfo.value
    if isinstance(exc, StudentError):
        return feedback.student_error(exc)
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
        self.self_tested = False
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
                raise SandboxError("No submission is configured for this grading session (GradingSettings).")
            self.sandbox = Sandbox(s.submission, s.probes, s.area, preload=s.preload, pythonpath=s.pythonpath,
                                   limits=s.limits, inline=inline, require_drop=s.require_drop)
        return self.sandbox

    def get_sandbox(self) -> Sandbox:
        if self.broken:
            raise SandboxError(self.broken)
        if not self.self_tested:
            self.self_tested = True
            self._self_test(self.start_sandbox())
        return self.start_sandbox()

    def _self_test(self, sandbox: Sandbox) -> None:
        """Fork one worker before any student code runs, so a broken setup is the grader's failure."""
        worker = sandbox.worker(test_seconds=60)
        try:
            worker.get("sys.version")
        except Exception as exc:
            detail = worker.output()[-3000:]
            print(f"[autograder] sandbox self-test failed: {exc}\n{detail}", file=sys.stderr)
            self.broken = ("The grader could not start the sandbox that runs your code; this is not your "
                           "code's fault. The course staff can see the details.")
            raise SandboxError(self.broken) from None
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
                                   "before this test started. Speed up the slow parts of your code.")
            budget = min(budget, left)
        worker = self.get_sandbox().worker(test_seconds=budget, hidden=self._is_hidden(request.node))
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
            raise SandboxError("This test needs build-time fixtures, but none were built (run `autograder build`).")
        return Path(path)

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
            message = _describe_failure(call.excinfo, report.longrepr)
            if call.when == "setup":
                message = "The test could not be set up: " + message
            elif call.when == "teardown":
                message = "Something went wrong after the test ran: " + message
            hide = getattr(item.obj, "__hide_errors__", None) if hasattr(item, "obj") else None
            entry["message"] = str(hide) if hide else message
        elif report.passed and call.when == "call" and entry["status"] == "pending":
            entry["status"] = "passed"
        if call.when == "teardown":
            self._finish_entry(item, entry)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Task numbers become ``-k`` keywords (before pytest's own ``-k`` deselects)."""
        for item in items:
            number = getattr(getattr(item, "obj", None), "__number__", None)
            item.extra_keyword_matches.update(selection.task_keywords(number))
            if number is not None:
                self.numbers.add(str(number))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.on_collected is not None:
            self.on_collected(len(session.items), sorted(self.numbers, key=results_mod.number_key))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {str(report.longrepr)[-2000:]}")

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        from . import checks

        checks.REVEAL_EXPECTED = not self._is_hidden(item)
        for f in _chain(getattr(item, "obj", None)):
            for attr in ("__score__", "__leaderboard_value__"):
                f.__dict__.pop(attr, None)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from . import checks

        checks.REVEAL_EXPECTED = True
        self.shutdown()
        if self.results_path:
            results_mod.write_atomic(self.document(), self.results_path)

    # ---- entries
    def _is_hidden(self, item: pytest.Item) -> bool:
        return "hidden" in Path(str(item.path)).parts

    def _new_entry(self, item: pytest.Item) -> dict:
        func = getattr(item, "obj", None)
        hidden = self._is_hidden(item)
        s = self.settings or GradingSettings(Path(), Path(), Path())
        default_vis = s.hidden_visibility if hidden else s.public_visibility
        doc = (getattr(func, "__doc__", None) or "").strip().splitlines()
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
            if entry["hidden"]:
                entry["output"] = "(What your code printed is not shown for hidden tests.)"
            else:
                entry["output"] = "What your code printed:\n" + printed
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
            out.append(TestResult(
                name=e["name"], score=round(e.get("score", 0.0), 4), max_score=e["weight"], status=e["status"],
                output=text, output_format="text", visibility=e["visibility"],
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
