"""The words a student reads when their code fails inside the sandbox.

The sandbox reports facts (an exception's type and message, a wait status, a deadline); this
module turns them into sentences. In a hidden test nothing the student's code chose is quoted:
an exception's message, a class name of their own or a source line could carry the test's
hidden inputs out.
"""

from __future__ import annotations

import builtins
import os
import signal
from typing import Protocol

HIDDEN_NOTE = "(Hidden tests do not show the exception's message or your source lines.)"

#: Exit status of a worker whose own loop failed (not a call of the student's code).
SERVING_FAILED = 3

SIGNAL_HINTS = {
    "SIGSEGV": "the Python interpreter crashed (a segmentation fault, often unbounded recursion)",
    "SIGXCPU": "it used more CPU time than the test allows",
    "SIGXFSZ": "it wrote more output or file data than allowed",
    "SIGKILL": "it was stopped (time or memory limit)",
    "SIGABRT": "the interpreter aborted (often out of memory)",
}


class RaisedInWorker(Protocol):
    type_name: str
    message: str
    traceback_text: str
    call: str
    hidden: bool


def student_error(exc: RaisedInWorker, hidden: bool | None = None) -> str:
    """What the student is told about an exception their code raised (a ``StudentError``).

    ``hidden`` (by default the error's own flag, set from the worker's test) leaves out
    everything the student's code chose.
    """
    if exc.hidden if hidden is None else hidden:
        return _hidden_student_error(exc)
    text = f"Your code raised {exc.type_name}: {exc.message}".rstrip()
    if exc.type_name == "NotImplementedError":
        text = f"Not implemented yet: {exc.message or exc.call}"
    text += f"\n(while running {exc.call})"
    if exc.traceback_text:
        text += "\nWhere, in your files (most recent call last):\n" + exc.traceback_text
    return text + _recursion_hint(exc.traceback_text)


def _recursion_hint(traceback_text: str) -> str:
    """A hint when the last frames are all the same line: a recursion that did not stop."""
    frames = [line.strip() for line in traceback_text.splitlines() if line.startswith("  File ")]
    if len(frames) >= 4 and len(set(frames[-4:])) == 1:
        return ("\nThe same line calls itself again and again: look for a recursion that never stops "
                "(a missing or unreachable base case).")
    return ""


def _hidden_student_error(exc: RaisedInWorker) -> str:
    known = isinstance(getattr(builtins, exc.type_name, None), type)
    kind = exc.type_name if known else "an exception of a class from your code"
    if exc.type_name == "NotImplementedError":
        text = f"Not implemented yet (while running {exc.call})."
    else:
        text = f"Your code raised {kind} while running {exc.call}."
    text += "\n" + HIDDEN_NOTE
    where = [line.strip() for line in exc.traceback_text.splitlines() if line.startswith("  File ")]
    if where:
        text += "\nWhere, in your files (most recent call last):\n" + "\n".join(f"  {w}" for w in where)
    return text + _recursion_hint(exc.traceback_text)


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"


def how_it_ended(status: int | None, why: str) -> str:
    """How a worker ended, from its wait status (None if unknown); ``why`` is what the grader saw."""
    if status is None:
        return why
    if os.WIFSIGNALED(status):
        name = _signal_name(os.WTERMSIG(status))
        if name == "SIGKILL" and why != "stopped":
            return why  # the grader's own kill after a timeout or a bad reply
        return f"it was ended by {name}" + (f": {SIGNAL_HINTS[name]}" if name in SIGNAL_HINTS else "")
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == SERVING_FAILED:
        return ("it could not go on answering the tests (did your code replace part of Python, such as "
                "sys or json, that the grader's worker relies on?)")
    if os.WIFEXITED(status):
        return f"it exited with status {os.WEXITSTATUS(status)} (os._exit() or a similar hard exit in your code?)"
    return why


def already_stopped(reason: str, what: str) -> str:
    return f"Your code's worker process had already stopped ({reason}); cannot run {what}."


def budget_used_up(budget: float, what: str) -> str:
    return f"Time limit: this test's {budget:.0f} s budget was used up before {what}."


def timed_out(what: str, seconds: float, limit: str) -> str:
    return (f"Time limit: your code did not finish {what} within {seconds:.1f} s (the {limit} limit). "
            "Look for an infinite loop, a blocking call, or a much slower implementation than needed.")


def crashed(what: str, reason: str) -> str:
    return f"Your code's process stopped while running {what}: {reason}."


def unreadable_reply(what: str, detail: str = "") -> str:
    return f"The reply from your code for {what} could not be read" + (f": {detail}" if detail else ".")


OUTPUT_REPLACED = "(The output file of your code was replaced, so its output cannot be shown.)"
