"""The words a student reads when their code fails inside the sandbox.

The sandbox reports facts (an exception's type and message, a wait status, a deadline); this
module turns them into sentences. Public tests get the whole story: the exception's message,
the student's frames with their lines, what was expected and what came back. Hidden and
leaderboard tests get a fixed vocabulary (:func:`hidden_message`): one sentence from a closed
set per kind of failure, and a place to look made only of words the grader knows (see
:mod:`autograder.grading.vocabulary`). Nothing the student's code chose (a message, a class or
function name, a shape, a line number, an exit status) can reach that text.
"""

from __future__ import annotations

import builtins
import os
import signal
from typing import Protocol

#: Exit status of a worker whose own loop failed (not a call of the student's code).
SERVING_FAILED = 3

SIGNAL_HINTS = {
    "SIGSEGV": "the Python interpreter crashed (a segmentation fault, often unbounded recursion)",
    "SIGXCPU": "it used more CPU time than the test allows",
    "SIGXFSZ": "it wrote more output or file data than allowed",
    "SIGKILL": "it was stopped (time or memory limit)",
    "SIGABRT": "the interpreter aborted (often out of memory)",
}

#: The closed set of sentences a hidden test may say about a failure, by kind.
HIDDEN_SENTENCES = {
    "type": "Your code returned a value of the wrong type.",
    "shape": "Your code returned an array of the wrong shape.",
    "dtype": "Your code returned values of the wrong dtype.",
    "nonfinite": "Your code returned NaN or infinite values.",
    "values": "Your code returned wrong values.",
    "property": "A property this test checks does not hold for your code.",
    "unchecked": "The result of your code could not be checked: it returned something this test cannot use.",
    "raised": "Your code raised {exception}.",
    "not_implemented": "Not implemented yet.",
    "time": "Time limit: your code did not finish within the time this test allows.",
    "memory": "Memory limit: your code used more memory than a test may.",
    "crash": "Your code's process crashed or exited before the test finished.",
    "forbidden": "Your code imported a module that this part of the assignment does not allow{module}.",
    "unreadable": "The reply from your code could not be read.",
    "not_run": "Not run: the time limit for grading the whole submission was reached before this test started.",
    "sandbox": "The grader could not start the sandbox that runs your code; this is not your code's fault.",
}

HIDDEN_NOTE = ("(Hidden tests say which check failed and where to look, never their inputs, your values "
               "or your messages.)")
OWN_EXCEPTION = "an exception of your own class"


class RaisedInWorker(Protocol):
    type_name: str
    message: str
    traceback_text: str
    call: str
    hidden: bool


def builtin_exception(type_name: str) -> str:
    """``type_name`` when it names a built-in exception, else the words for one of the student's own."""
    value = getattr(builtins, type_name, None) if type_name.isidentifier() else None
    if isinstance(value, type) and issubclass(value, BaseException):
        return type_name
    return OWN_EXCEPTION


def student_error_kind(type_name: str) -> str:
    """The hidden kind of an exception raised by student code, from its type's name."""
    if type_name == "NotImplementedError":
        return "not_implemented"
    if type_name == "MemoryError":
        return "memory"
    return "raised"


def hidden_message(kind: str, place: str = "", *, exception: str = "", module: str = "",
                   allowed_modules: tuple[str, ...] | list[str] = (), setup: bool = False) -> str:
    """The whole feedback of a failed hidden test: one sentence of :data:`HIDDEN_SENTENCES`,
    a place from the vocabulary (or nothing), and the note. ``exception`` is kept only when it
    names a built-in exception, ``module`` only when it is one of ``allowed_modules`` (the
    modules the manifest refuses)."""
    sentence = HIDDEN_SENTENCES.get(kind, HIDDEN_SENTENCES["property"])
    if kind == "raised":
        sentence = sentence.format(exception=builtin_exception(exception))
    elif kind == "forbidden":
        sentence = sentence.format(module=f" ({module})" if module and module in allowed_modules else "")
    lines = [("The test could not be set up. " if setup else "") + sentence]
    if place:
        lines.append(f"Where to look: {place}")
    lines.append(HIDDEN_NOTE)
    return "\n".join(lines)


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
    kind = student_error_kind(exc.type_name)
    return hidden_message(kind, exception=exc.type_name)


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


def end_kind(status: int | None, why: str) -> str:
    """The hidden kind of a worker's end: "time", "memory" or "crash" (never the status itself)."""
    if why == "timed out" or why.startswith("the test's time budget"):
        return "time"
    if status is not None and os.WIFSIGNALED(status):
        name = _signal_name(os.WTERMSIG(status))
        if name == "SIGXCPU":
            return "time"
        if name == "SIGKILL" and why == "stopped":
            return "memory"   # killed from outside the grader: the kernel, short of memory
    return "crash"


def forbidden_import(module: str, asked_from: str, scope: str) -> str:
    """A public test's words for a module refused at run time; ``asked_from`` is the student
    file (and line) that asked for it, ``scope`` what refuses it ("this assignment", "task 1")."""
    who = asked_from or "Your code"
    return (f"Forbidden module: {who} imports {module}, which {scope} does not allow. It is refused however "
            "the import is written (import, importlib, __import__, exec, loading its files by hand), so "
            "write this part yourself with the allowed libraries.")


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
