"""Typed settings of one grading run, from the manifest to the fork server.

:class:`Limits` is the one description of what student code may use; the manifest's
``[limits]`` table fills it, the fork server applies it. :class:`GradingSettings` is everything
the grading plugin needs to know about one run; :func:`autograder.grading.session.grade` builds
it from the manifest and the layout of the zip or bundle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

#: One BLAS/OpenMP thread: Gradescope gives half a CPU, and more threads only spin. Set before
#: NumPy or torch is imported, in every process that grades or builds.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


#: Variables the grader keeps from the environment it was started with (``grade.py`` starts over
#: with only these, those named ``AUTOGRADER_*``, and :data:`CLEAN_ENV`).
GRADER_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "HOME", "TMPDIR", "LD_LIBRARY_PATH", "OMP_NUM_THREADS",
                    "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                    "CUDA_VISIBLE_DEVICES")
#: Set in the grader's environment once it holds nothing else.
CLEAN_ENV = "AUTOGRADER_CLEAN_ENV"
#: Set to 1 by the emulator for a grading that only has to find one failing test (``mutants``);
#: never set on Gradescope.
STOP_AT_FIRST_FAILURE = "AUTOGRADER_STOP_AT_FIRST_FAILURE"
#: Test file names (comma-separated) that such a grading runs before the others: the files a
#: mutant's mistake most likely fails, so that the grading stops sooner; never set on Gradescope.
FIRST_TEST_FILES = "AUTOGRADER_FIRST_TEST_FILES"


def grader_environment(environ: Any) -> dict[str, str]:
    """The environment the grader runs with, from the one it was started with."""
    clean = {k: v for k, v in environ.items() if k in GRADER_VARIABLES or k.startswith("AUTOGRADER_")}
    clean[CLEAN_ENV] = "1"
    return clean


def one_thread(environ: Any) -> None:
    """Give ``environ`` (``os.environ``, or a dict for a child) one BLAS thread unless it names its own."""
    for name, value in ONE_THREAD.items():
        environ.setdefault(name, value)


@dataclass(frozen=True)
class Limits:
    """Time, memory and file limits of student code (the manifest's ``[limits]`` table)."""

    call_seconds: float = 20.0        # one call into student code
    test_seconds: float = 60.0        # all calls of one test
    submission_seconds: float = 900.0  # the whole grading run
    memory_mb: int = 1024             # beyond what the fork server already holds
    fsize_mb: int = 64                # the largest file a worker may write
    nproc: int = 64                   # processes of the worker's user, when it runs as its own user

    #: The keys an author may set in ``[limits]``.
    MANIFEST_KEYS = ("call_seconds", "test_seconds", "submission_seconds", "memory_mb")

    def cpu_seconds(self, budget: float | None = None) -> int:
        """The CPU-time rlimit of a worker whose test has ``budget`` seconds (default: the test limit)."""
        return int(self.test_seconds if budget is None else budget) + 2

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Limits:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class WorkerFamily:
    """Workers forked from one fork server: what it preloads, what its workers refuse.

    ``numbers`` are the task-number prefixes of the tests that run in this family ("1" takes
    1, 1.2 and 1.2.3, not 10); the family without prefixes (``MAIN``) runs every other test.
    ``refused`` modules are refused at run time in its workers (the manifest's forbidden modules,
    plus the family's own); none of them may be preloaded.
    """

    name: str
    preload: tuple[str, ...] = ("numpy",)
    refused: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()

    MAIN = "main"

    def takes(self, number: str | None) -> bool:
        """Whether a test numbered ``number`` runs in this family (by prefix)."""
        if number is None:
            return False
        number = str(number)
        return any(number == p or number.startswith(p.rstrip(".") + ".") for p in self.numbers)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "preload": list(self.preload), "refused": list(self.refused),
                "numbers": list(self.numbers)}


def family_for(families: tuple[WorkerFamily, ...], number: str | None) -> WorkerFamily:
    """The family a test numbered ``number`` runs in: the first that takes it, else the main one."""
    for family in families:
        if family.numbers and family.takes(number):
            return family
    return next((f for f in families if not f.numbers), families[0])


@dataclass(frozen=True)
class DrawSettings:
    """What the grader needs to draw a submission's inputs (see :mod:`autograder.grading.draws`).

    It holds where the key is, not the key: the plugin reads the key only after the fork server
    is forked, so that no worker inherits it (or the draw made from it) in its memory.
    """

    assignment: str
    key_file: Path | None = None          # the zip's key; None: nothing is drawn (as in ``check``)
    submission_id: int = 0                # Gradescope's id of the submission (its regrades too)


@dataclass(frozen=True)
class GradingSettings:
    """What the grading plugin needs to know about one run."""

    submission: Path                      # the assembled submission workers copy
    probes: Path                          # test helpers that run inside workers
    area: Path                            # where workers get their folders
    limits: Limits = field(default_factory=Limits)
    preload: tuple[str, ...] = ("numpy",)
    pythonpath: tuple[str, ...] = ()
    fixtures: Path | None = None          # build-time fixtures (never readable by workers)
    deadline: float | None = None         # time.time() by which the whole run must end
    thresholds: dict[str, Any] = field(default_factory=dict)
    public_visibility: str = "visible"
    hidden_visibility: str = "after_published"
    require_drop: bool = False            # refuse to run student code as the grader's own user
    draws: DrawSettings | None = None     # None: fixed seeds, and fixtures read as they are
    families: tuple[WorkerFamily, ...] = ()   # empty: one family preloading ``preload``, refusing nothing
    vocabulary: Path | None = None        # vocabulary.json: the words hidden feedback may use
    student_files: tuple[str, ...] = ()   # the manifest's files (the vocabulary's files)
    verbose: bool = False                 # print who student code runs as (always on Gradescope)
    first_test_files: tuple[str, ...] = ()   # test files (names) that run before the others, in file order

    def worker_families(self) -> tuple[WorkerFamily, ...]:
        return self.families or (WorkerFamily(WorkerFamily.MAIN, tuple(self.preload)),)
