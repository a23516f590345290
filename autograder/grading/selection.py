"""``check -k``: select tests by the task numbers of the handout as well as by name.

pytest's ``-k`` matches words against test names, so ``-k 1.2`` would match nothing. The
grading plugin therefore gives every numbered test extra keywords, one per level of its
number (test ``3.1.2`` gets ``::3::``, ``::3.1::`` and ``::3.1.2::``), and :func:`expression`
rewrites each task number in what the student typed into the keyword it must match:

- ``1.2`` selects test 1.2 and its sub-tests (1.2.1, ...), never 1.20 or 11.2;
- ``3.`` (a trailing dot) selects every sub-test of task 3 (3.1, 3.2, ...);
- ``3`` selects task 3 and all its sub-tests.

Any other word keeps pytest's meaning (a case-insensitive part of a test's name), and the
operators ``and``, ``or``, ``not`` and parentheses work as in pytest. Several words with no
operator between them are joined with ``or``: ``-k relu softmax`` runs the tests of either.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+(\.\d+)*\.?")
_TOKEN = re.compile(r"[()]|[^\s()]+")
_OPERATORS = {"and", "or", "not"}
_WORD = re.compile(r"[\w:+\-.\[\]\\/]+")   # what pytest's -k grammar accepts as a name


def task_keywords(number: object) -> list[str]:
    """The extra ``-k`` keywords of a test numbered ``number`` (none when it has no number)."""
    text = str(number).strip() if number is not None else ""
    if not _NUMBER.fullmatch(text):
        return []
    parts = text.rstrip(".").split(".")
    return [f"::{'.'.join(parts[:i])}::" for i in range(1, len(parts) + 1)]


def _rewrite(word: str) -> str:
    if not _NUMBER.fullmatch(word):
        return word
    return f"::{word}" if word.endswith(".") else f"::{word}::"


def expression(words: str | list[str] | tuple[str, ...]) -> str:
    """One pytest ``-k`` expression from what the student typed after ``-k``.

    >>> expression(["1.2", "softmax"])
    '::1.2:: or softmax'
    >>> expression("3. and not slow")
    '::3. and not slow'
    """
    text = words if isinstance(words, str) else " ".join(words)
    tokens = _TOKEN.findall(text)
    if not tokens:
        raise ValueError(f"-k {text!r}: give a task number (such as 1.2, or 3. for all of task 3) "
                         "or a word of a test's name")
    out: list[str] = []
    for token in tokens:
        starts_operand = token not in ("and", "or", ")")
        if out and starts_operand and out[-1] not in _OPERATORS | {"("}:
            out.append("or")  # two operands side by side: either may match
        out.append(token)
    problem = _grammar_problem(out)
    if problem:
        raise ValueError(f"-k {text}: {problem} (write task numbers or words, joined by and, or, not and "
                         "parentheses, as in: -k 1.2 or (relu and not backward))")
    return " ".join(t if t in _OPERATORS | {"(", ")"} else _rewrite(t) for t in out).replace("( ", "(").replace(" )", ")")


def _grammar_problem(tokens: list[str]) -> str:
    """What is wrong with a token list as pytest's ``-k`` grammar reads it ('' when nothing)."""
    pos = 0

    def operand() -> str:
        nonlocal pos
        if pos >= len(tokens):
            return "the selection ends where a task number or word should follow"
        token = tokens[pos]
        pos += 1
        if token == "not":
            return operand()
        if token == "(":
            problem = chain()
            if problem:
                return problem
            if pos >= len(tokens) or tokens[pos] != ")":
                return "a parenthesis is opened but not closed"
            pos += 1
            return ""
        if token in ("and", "or", ")"):
            return f"'{token}' stands where a task number or word should be"
        if not _WORD.fullmatch(token):
            return f"'{token}' holds characters -k cannot match (use letters, digits and _ . - : + [ ] /)"
        return ""

    def chain() -> str:
        nonlocal pos
        problem = operand()
        while not problem and pos < len(tokens) and tokens[pos] in ("and", "or"):
            pos += 1
            problem = operand()
        return problem

    problem = chain()
    if not problem and pos < len(tokens):
        problem = f"'{tokens[pos]}' has no matching opening parenthesis"
    return problem
