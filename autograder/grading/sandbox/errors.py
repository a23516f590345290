"""What a call into a worker can raise, besides returning a value."""

from __future__ import annotations


class SandboxError(Exception):
    """The worker could not answer: it crashed, timed out, or sent something unusable."""


class WorkerCrashed(SandboxError):
    """The worker's process ended while (or before) it ran a call."""


class WorkerTimeout(SandboxError):
    """A call or the whole test ran past its deadline; the worker was killed."""


class StudentError(Exception):
    """Student code raised an exception inside the worker.

    It holds what the worker reported, all of it chosen by student code. ``hidden`` says whether
    the test that made the call is hidden, in which case the student is shown none of that text
    (see :func:`autograder.grading.feedback.student_error`, which ``str()`` uses too).
    """

    def __init__(self, type_name: str, message: str, traceback_text: str, call: str, hidden: bool = True):
        self.type_name = type_name
        self.message = message
        self.traceback_text = traceback_text
        self.call = call
        self.hidden = hidden
        super().__init__(type_name, call)

    def __str__(self) -> str:
        from ..feedback import student_error

        return student_error(self)
