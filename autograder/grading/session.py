"""One grading run: static checks, the pytest session with the sandbox, the final results file.

Used three ways: by ``run_autograder`` inside the Gradescope zip (``gradescope_main``), by
``python -m autograder check`` in a student bundle, and by the framework's own tools.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from . import apart, draws, files, precheck, upload
from . import results as results_mod
from .manifest import Manifest, load_manifest
from .settings import FIRST_TEST_FILES, STOP_AT_FIRST_FAILURE, DrawSettings, GradingSettings
from .vocabulary import FILE_NAME as VOCABULARY

if TYPE_CHECKING:
    from .plugin import GradingPlugin

PYTEST_INI = """[pytest]
python_files = test_*.py
python_functions = test_*
addopts =
"""


@dataclass
class Layout:
    """Where one assignment's grading material lives (zip, bundle or repository)."""

    manifest: Manifest
    test_dirs: list[Path]
    probes: Path
    support_root: Path | None = None
    support_files: list[str] | None = None     # None: everything under support_root
    fixtures: Path | None = None
    protected: list[Path] = field(default_factory=list)   # hashed before and after the run
    complete: bool = True      # all graded tests are here (False in a student bundle: public only)
    staff: Path | None = None  # hand-written references for hidden tests (grader side only)
    key: Path | None = None    # the assignment's key (autograder zip only): inputs are drawn per submission
    vocabulary: Path | None = None   # vocabulary.json: the files and starter names hidden feedback may use

    @property
    def has_pool(self) -> bool:
        """Whether the fixtures are a pool of draws (an autograder zip) rather than one recorded set."""
        return self.fixtures is not None and (self.fixtures / "draws").is_dir()

    @classmethod
    def from_source(cls, source: Path) -> Layout:
        """The layout of an unpacked autograder zip."""
        manifest = load_manifest(source / "assignment.toml")
        tests = [source / "tests" / name for name in ("public", "hidden") if (source / "tests" / name).is_dir()]
        staff = source / "tests" / "staff"
        key = source / "key"
        vocabulary = source / VOCABULARY
        return cls(manifest, tests, source / "tests" / "probes", source / "support", None,
                   source / "fixtures" if (source / "fixtures").is_dir() else None, [source],
                   staff=staff if staff.is_dir() else None, key=key if key.is_file() else None,
                   vocabulary=vocabulary if vocabulary.is_file() else None)


def _assemble(root: Path, layout: Layout, target: Path) -> None:
    upload.assemble(root, layout.manifest, target)
    if layout.support_root is None:
        return
    names = layout.support_files
    if names is None:
        names = files.relative_files(layout.support_root)
    for rel in names:
        src = layout.support_root / rel
        dest = target / rel
        if src.is_file() and not dest.exists() and "__pycache__" not in src.parts:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)


def grade(layout: Layout, submission: Path, results_path: Path, area: Path, *,
          quiet: bool = False, keyword: str | None = None,
          progress: Callable[[str, dict], None] | None = None,
          on_collected: Callable[[int, list[str]], None] | None = None, require_drop: bool = False,
          submission_id: int = draws.FALLBACK_SUBMISSION_ID, verbose: bool = False,
          stop_at_first_failure: bool = False, first_test_files: tuple[str, ...] = ()) -> results_mod.Results:
    """Grade ``submission``, write the final document to ``results_path`` and return it.

    ``submission_id`` (Gradescope's) picks the submission's draw when the layout has a key.
    ``verbose`` prints who student code runs as (the staff log on Gradescope; ``check -v``).
    ``stop_at_first_failure`` ends the run after the first test that fails (pytest's ``-x``; the
    document then lists only the tests that ran): what ``mutants`` needs to know a mutant is caught.
    ``first_test_files`` (test file names) run before the others: where ``mutants`` expects the failure.
    The caller writes the failure document first where a stopped run must still leave one
    (:func:`gradescope_main` does): a run writes ``results.json`` twice, at the start and at the end.
    """
    started = time.time()
    area.mkdir(parents=True, exist_ok=True)
    os.chmod(area, 0o755)
    scratch = Path(tempfile.mkdtemp(prefix="prep-", dir=area))
    try:
        work, problems, notes = _prepare_submission(layout, submission, area / "submission", scratch)
        settings = GradingSettings(
            submission=work, probes=layout.probes, area=area / "workers", limits=layout.manifest.limits,
            preload=tuple(layout.manifest.preload), pythonpath=tuple(layout.manifest.pythonpath),
            fixtures=layout.fixtures, deadline=started + layout.manifest.limits.submission_seconds,
            thresholds=layout.manifest.thresholds, public_visibility=layout.manifest.public_visibility,
            hidden_visibility=layout.manifest.hidden_visibility, require_drop=require_drop,
            draws=(DrawSettings(layout.manifest.id, layout.key, submission_id)
                   if layout.key or layout.has_pool else None),
            families=layout.manifest.families(), vocabulary=layout.vocabulary,
            student_files=tuple(layout.manifest.files), verbose=verbose, first_test_files=first_test_files)
        from .plugin import GradingPlugin

        plugin = GradingPlugin(settings, progress=progress, on_collected=on_collected)
        holder: dict = {}
        args = _pytest_args(layout, area, quiet, keyword) + (["-x"] if stop_at_first_failure else [])
        _run_pytest(args, plugin, _SandboxStarter(plugin, layout, holder), quiet=quiet, keyword=keyword,
                    configured=holder)
        doc = plugin.document(extra_tests=problems, notes="\n".join(notes))
        if keyword is None and not stop_at_first_failure and layout.complete and not plugin.collect_errors:
            _check_points(doc, layout.manifest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if files.tree_digest(layout.protected) != holder.get("before"):
        doc = results_mod.failure_document("The grader's own files changed while grading, so this result cannot "
                                           "be trusted and no score was given. The course staff have been told.")
    doc.execution_time = round(time.time() - started, 3)
    results_mod.write_atomic(doc, results_path)
    return doc


def _prepare_submission(layout: Layout, submission: Path, work: Path,
                        scratch: Path) -> tuple[Path, list[dict], list[str]]:
    """Find the upload's root, run the static checks and lay the graded tree out in ``work``."""
    root, notes = upload.locate_root(submission, layout.manifest, scratch)
    rejected: list[str] = []
    problems = precheck.check(root, layout.manifest, rejected) if root.is_dir() else []
    _assemble(root, layout, work)
    for rel in rejected:
        precheck.reject(work, rel)
    os.chmod(work, 0o755)
    return work, problems, notes


def _pytest_args(layout: Layout, area: Path, quiet: bool, keyword: str | None) -> list[str]:
    ini = area / "pytest.ini"
    ini.write_text(PYTEST_INI)
    os.chmod(ini, 0o600)
    args = ["-c", str(ini), "--rootdir", str(layout.test_dirs[0].parent if layout.test_dirs else area),
            "--import-mode=importlib", "-p", "no:cacheprovider",
            "--noconftest", "--assert=plain", "--tb=short", "-o", "console_output_style=classic",
            # pytest plugins a grading session never uses (each costs start-up time)
            "-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:stepwise",
            "-p", "no:setuponly", "-p", "no:setupplan", "-p", "no:legacypath", "-p", "no:unraisableexception",
            "-p", "no:threadexception"]
    if quiet:
        args += ["-q"]
    if keyword:
        args += ["-k", keyword]
    args += [str(p) for p in layout.test_dirs]
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    for shared in (layout.probes, layout.staff):  # tests import probes and references by module name
        if shared is not None and str(shared) not in sys.path:
            sys.path.insert(0, str(shared))
    return args


class _SandboxStarter:
    """A pytest plugin that starts the sandbox once pytest is configured, before any test module loads."""

    def __init__(self, plugin: GradingPlugin, layout: Layout, holder: dict) -> None:
        self.plugin, self.layout, self.holder = plugin, layout, holder

    @pluggy.HookimplMarker("pytest")(tryfirst=True)   # pytest.hookimpl, without importing pytest here
    def pytest_configure(self, config: Any) -> None:
        self.holder["configured"] = True
        # Forked from here before any test module is imported, so workers share the
        # grader's libraries but none of the tests' memory (one fork server per worker
        # family, the leanest first: see sandbox/lifecycle.py).
        self.plugin.start_sandbox(inline=True)
        # The key and the draw made from it are read only now, for the same reason.
        self.plugin.begin_draw()
        # Only now read the protected files (hidden tests, fixtures) for the integrity check:
        # read before the fork, their bytes could linger in memory the workers inherit.
        self.holder["before"] = files.tree_digest(self.layout.protected)
        # Then load the JSON Schema validator while the grader mostly waits on workers
        # (a thread started only after the fork).
        threading.Thread(target=results_mod.warm_up, name=apart.WARM_UP + "results", daemon=True).start()


def _run_pytest(args: list[str], plugin: GradingPlugin, starter: _SandboxStarter, *, quiet: bool,
                keyword: str | None, configured: dict) -> None:
    """Run the session; raise with pytest's own words when it did not get to grade."""
    import contextlib
    import io

    import pytest

    staff_log = io.StringIO()
    with contextlib.redirect_stdout(staff_log) if quiet else contextlib.nullcontext():
        exit_code = run_session(args, plugin, starter)
    plugin.shutdown()
    apart.close()
    if "configured" not in configured or exit_code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR,
                                                       pytest.ExitCode.INTERRUPTED):
        detail = staff_log.getvalue()[-3000:]
        if keyword and exit_code == pytest.ExitCode.USAGE_ERROR:
            raise ValueError(f"-k {keyword!r} is not an expression pytest can read. {detail}".strip())
        raise RuntimeError(f"pytest did not finish grading (exit code {exit_code!r}). {detail}")
    if plugin.broken:
        raise RuntimeError(plugin.broken)


def run_session(args: list[str], plugin: GradingPlugin | None = None, *more_plugins: object) -> int:
    """Run pytest on ``args`` as a grading session and return its exit code.

    This is the one way a pytest session gets the grading fixtures (``student``, ``rng``,
    ``thresholds``, ``fixtures_dir``, ...), the seeding before each test and the results
    writer: ``plugin`` (a fresh :class:`~autograder.grading.plugin.GradingPlugin` when omitted) is
    registered for this session only. For instance, to grade a folder of tests without a
    sandbox and write Gradescope's file::

        run_session(["tests/"], GradingPlugin(results_path="results.json"))
    """
    import pytest

    from .plugin import GradingPlugin

    return pytest.main(list(args), plugins=[plugin or GradingPlugin(), *more_plugins])


def _check_points(doc: results_mod.Results, manifest: Manifest) -> None:
    total = doc.totals()[1]
    if abs(total - manifest.points) > 1e-6 and total < manifest.points:
        doc.tests.append(results_mod.TestResult(
            "Tests that could not run", 0.0, round(manifest.points - total, 4), "failed",
            "Some graded tests did not report a result, so their points are listed here as not earned. "
            "The course staff can see why.", output_format="text", visibility="visible"))
        doc.score = round(doc.totals()[0], 4)


def harden_tree(root: Path, user: tuple[int, int] | None) -> None:
    """As root: let the sandbox user traverse ``root`` but read nothing of the grader's."""
    if user is None:
        return
    os.chmod(root, 0o711)
    for name in ("source", "results", "submission"):
        path = root / name
        if path.exists():
            os.chmod(path, 0o700)
    meta = root / "submission_metadata.json"
    if meta.exists():
        os.chmod(meta, 0o600)


def gradescope_main(source: str | Path) -> int:
    """Entry point of ``run_autograder``: grade ``$AUTOGRADER_ROOT/submission``; always write results."""
    source = Path(source)
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    require_drop = "AUTOGRADER_ROOT" not in os.environ  # the real Gradescope container: never run student code as root
    results_path = root / "results" / "results.json"
    started = time.time()
    try:
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results_mod.write_atomic(results_mod.failure_document(
            "Grading started but did not finish (the grader was stopped or ran out of time or memory)."),
            results_path, check=False)   # a fixed document the tests validate; the validator loads later
        from .sandbox import sandbox_user

        submission_id, problem = draws.read_submission_id(root / "submission_metadata.json")
        if problem:
            print(f"[autograder] {problem}; grading as submission id {submission_id}")
        harden_tree(root, sandbox_user())
        layout = Layout.from_source(source)
        area = root / "sandbox"
        if area.exists():
            shutil.rmtree(area)
        doc = grade(layout, root / "submission", results_path, area, require_drop=require_drop,
                    submission_id=submission_id, verbose=True,
                    stop_at_first_failure=os.environ.get(STOP_AT_FIRST_FAILURE) == "1",
                    first_test_files=tuple(n for n in os.environ.get(FIRST_TEST_FILES, "").split(",") if n))
        print(f"[autograder] score {doc.score} in {doc.execution_time} s")
        return 0
    except BaseException:
        traceback.print_exc()
        try:
            results_mod.write_atomic(results_mod.failure_document(execution_time=time.time() - started),
                                     results_path)
        except BaseException:
            traceback.print_exc()
        return 1
