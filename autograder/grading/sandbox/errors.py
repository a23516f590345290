"""What a call can raise, besides returning a value."""

from __future__ import annotations


class SandboxError(Exception):
    """The worker could not answer: it crashed, timed out, or sent something unusable.

    ``kind`` is how a hidden test words it (see :data:`autograder.grading.feedback.HIDDEN_SENTENCES`).
    """

    default_kind = "unreadable"

    def __init__(self, message: str = "", kind: str | None = None):
        super().__init__(message)
        self.kind = kind or self.default_kind


class WorkerCrashed(SandboxError):
    """The worker's process ended while (or before) it ran a call."""

    default_kind = "crash"


class WorkerTimeout(SandboxError):
    """A call or the whole test ran past its deadline; the worker was killed."""

    default_kind = "time"


class StudentError(Exception):
    """Student code raised an exception inside the worker.

    It holds what the worker reported, all of it chosen by student code. ``hidden`` says whether
    the test that made the call is hidden, in which case the student is shown none of that text
    (see :func:`autograder.grading.feedback.student_error`, which ``str()`` uses too).
    ``frames`` are the (file, line) pairs of the traceback that lie in the submission, outermost
    first, for the grader's own reading of the pristine copy; ``forbidden`` names the module
    that the worker refused to load, when that is what was raised; ``call`` is what the test
    asked for, and ``target`` the dotted path it called (the test's own words).
    """

    def __init__(self, type_name: str, message: str, traceback_text: str, call: str, hidden: bool = True,
                 *, frames: list | None = None, forbidden: str = "", target: str = ""):
        self.type_name = type_name
        self.message = message
        self.traceback_text = traceback_text
        self.call = call
        self.hidden = hidden
        self.frames = list(frames or [])
        self.forbidden = forbidden
        self.target = target
        super().__init__(type_name, call)

    def __str__(self) -> str:
        from ..feedback import student_error

        return student_error(self)
