"""``autograder emulate``: run an autograder zip the way Gradescope does, in a temporary tree."""

from __future__ import annotations

import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..grading import procfs
from ..grading.results import Results
from ..grading.settings import FIRST_TEST_FILES, STOP_AT_FIRST_FAILURE, grader_environment
from ..grading.upload import safe_extract


@dataclass
class Emulation:
    results: Results
    problems: list[str]
    seconds: float
    cpu_seconds: float
    peak_pss_mb: float
    root: Path | None = None
    submission_id: int = 0


#: Fixes the submission id of every emulated grading of a run (``verify``, ``mutants``, ``make test``).
SUBMISSION_ID_ENV = "AUTOGRADER_SUBMISSION_ID"


@cache
def run_submission_id() -> int:
    """The submission id this run grades with: ``AUTOGRADER_SUBMISSION_ID``, or one drawn at random
    once per process, so that every run of ``verify`` or ``make test`` tries another draw (print it:
    ``AUTOGRADER_SUBMISSION_ID`` replays a failure)."""
    raw = os.environ.get(SUBMISSION_ID_ENV, "").strip()
    if raw:
        if not raw.isdigit():
            raise ValueError(f"{SUBMISSION_ID_ENV}={raw!r} is not a non-negative integer")
        return int(raw)
    return 100_000_000 + secrets.randbelow(900_000_000)


class PeakMemory(threading.Thread):
    """Samples the summed PSS of a process tree every 50 ms and keeps the peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            total = sum(procfs.pss_kb(p) for p in procfs.tree(self.pid))
            self.peak_kb = max(self.peak_kb, total)
            self.stop.wait(0.05)


def _metadata(submission_id: int) -> dict:
    return {"id": submission_id, "created_at": "2026-01-01T00:00:00Z", "assignment": {"title": "local emulation"},
            "submission_method": "upload", "users": [{"name": "Local Student", "email": "student@example.com"}],
            "previous_submissions": []}


def _unpack_source(source: Path, zip_path: Path, unpacked: Path | None) -> None:
    """The zip as Gradescope unpacks it into ``source/``: scripts executable, the key root's alone."""
    if unpacked is not None:
        shutil.copytree(unpacked, source, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        source.mkdir()
        safe_extract(zip_path, source)
    for name in ("run_autograder", "setup.sh"):
        if (source / name).exists():
            os.chmod(source / name, 0o755)
    if (source / "key").exists():
        os.chmod(source / "key", 0o600)


def _place_submission(submission: Path, target: Path) -> None:
    """The upload in ``submission/``: a folder copied (links kept as links), a zip unpacked."""
    if submission.is_dir():
        shutil.copytree(submission, target, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        return
    target.mkdir()
    try:
        safe_extract(submission, target)
    except zipfile.BadZipFile:
        pass  # an unreadable upload: the grader reports the missing files


def _environment(root: Path, python: str | None, stop_at_first_failure: bool,
                 first_test_files: tuple[str, ...]) -> dict[str, str]:
    """What ``run_autograder`` starts with: this process's environment without pytest's and the
    grader's own variables, then the tree, the Python and the staff's options for this grading."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "AUTOGRADER_"))}
    env.update({"AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": python or sys.executable})
    if stop_at_first_failure:
        env[STOP_AT_FIRST_FAILURE] = "1"
    if first_test_files:
        env[FIRST_TEST_FILES] = ",".join(first_test_files)
    if os.geteuid() == 0:  # a uid of its own, so concurrent emulations cannot touch each other
        env["AUTOGRADER_SANDBOX_UID"] = str(200000 + secrets.randbelow(50000))
    return env


def emulate(zip_path: Path, submission: Path, *, results_copy: Path | None = None, timeout: float = 3600,
            keep: bool = False, python: str | None = None, unpacked: Path | None = None,
            measure_memory: bool | None = None, submission_id: int | None = None, warm: bool = False,
            stop_at_first_failure: bool = False, first_test_files: tuple[str, ...] = ()) -> Emulation:
    """Unpack ``zip_path`` into a Gradescope-like tree, grade ``submission`` (folder or zip), validate.

    ``submission_id`` goes into ``submission_metadata.json`` as Gradescope's id, and so picks the
    submission's draw of inputs (default: :func:`run_submission_id`, one per process).

    ``unpacked``, a folder holding the zip already extracted, is copied instead of unpacking
    the zip again (many gradings with one zip). ``measure_memory=False`` skips sampling the peak
    memory (``peak_pss_mb`` is then 0): each sample scans /proc, about a sixth of a core per
    grading, which a regrade of a whole class spends better on grading.

    ``warm=True`` forks the grader from an interpreter that has already imported its libraries
    (:mod:`autograder.staff.warm`: for many gradings). A warm grading shares its pages with that
    interpreter, so it measures no memory (``measure_memory`` defaults to ``not warm``). ``stop_at_first_failure``
    ends the grading after its first failing test (the results then list only the tests that ran);
    ``first_test_files`` (test file names) run before the others.
    """
    zip_path, submission = Path(zip_path), Path(submission)
    if measure_memory is None:
        measure_memory = not warm
    if warm and measure_memory:
        raise ValueError("a warm grading shares its memory with the warm server: it cannot measure it")
    if unpacked is None and not zip_path.is_file():
        raise FileNotFoundError(f"autograder zip not found: {zip_path}")
    if not submission.exists():
        raise FileNotFoundError(f"submission not found: {submission}")
    root = Path(tempfile.mkdtemp(prefix="gradescope-"))
    try:
        os.chmod(root, 0o711)
        _unpack_source(root / "source", zip_path, unpacked)
        shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
        os.chmod(root / "run_autograder", 0o755)
        _place_submission(submission, root / "submission")
        (root / "results").mkdir()
        if submission_id is None:
            submission_id = run_submission_id()
        (root / "submission_metadata.json").write_text(json.dumps(_metadata(submission_id)))
        env = _environment(root, python, stop_at_first_failure, first_test_files)
        if warm:
            seconds, cpu, peak_kb = _run_warm(root, env, timeout, python or sys.executable)
        else:
            seconds, cpu, peak_kb = _run_autograder(root, env, timeout, measure_memory)
        results_file = root / "results" / "results.json"
        doc, problems = Results.read_checked(results_file)
        if results_copy is not None and results_file.is_file():
            Path(results_copy).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(results_file, results_copy)
        return Emulation(doc, problems, seconds, cpu, peak_kb / 1024, root if keep else None, submission_id)
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def _run_autograder(root: Path, env: dict[str, str], timeout: float,
                    measure_memory: bool) -> tuple[float, float, int]:
    """Run the tree's ``run_autograder`` as Gradescope does: wall seconds, CPU seconds, peak PSS in kB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    # The grader's log stays root's own: workers may reach the tree's root folder by name.
    log_fd = os.open(root / "stdout.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(log_fd, "wb") as log:
        proc = subprocess.Popen(["bash", str(root / "run_autograder")], cwd=root, env=env,  # noqa: S607 (as Gradescope)
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        sampler = PeakMemory(proc.pid)
        if measure_memory:
            sampler.start()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        sampler.stop.set()
        if measure_memory:
            sampler.join()
    seconds = time.time() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, sampler.peak_kb


def _run_warm(root: Path, env: dict[str, str], timeout: float, python: str) -> tuple[float, float, int]:
    """Grade the tree with a grader forked from a warm server; then, as ``run_autograder`` does,
    leave its failure document where the grader left no results."""
    from . import warm

    started = time.time()
    grader = warm.server(python, warm.preloads(root / "source"))
    log_fd = os.open(root / "stdout.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        cpu = grader.run(root / "source" / "grade.py", root, grader_environment(env), log_fd, timeout)
    finally:
        os.close(log_fd)
    results = root / "results" / "results.json"
    if not results.is_file() or results.stat().st_size == 0:
        # the script's own fallback, with an interpreter that does nothing
        subprocess.run(["bash", str(root / "run_autograder")], cwd=root,  # noqa: S607 (as Gradescope)
                       env={**env, "AUTOGRADER_PYTHON": "true"}, stdout=subprocess.DEVNULL, check=False)
    return time.time() - started, cpu, 0
