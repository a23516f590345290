"""Read and check ``assignments/<id>/written/questions.md``, the one source of the written part.

The format (documented in docs/AUTHORING.md, "The written part")::

    Instructions for the whole written part (Markdown): the cover page of the questions PDF.

    # Part A: Theory                                 optional grouping, shown before its questions

    ## Question 1: The softmax gradient (6 points)   numbered 1, 2, ... in file order

    The question, Markdown with $inline$ and $$display$$ math.

    ### Figures and tables                          optional: what the answer shows from the runs
    - `runs/twolayer_lr0.1/curves.png` Learning curves at lr 0.1
    - `runs/twolayer_lr0.1/metrics.csv` Per-epoch numbers

    ### Rubric                                      required: what a grader ticks, points in brackets
    - (4) Derives dL/dz = p - onehot(y).
    - (2) Names the shape of every term.

    <!-- BEGIN SOLUTION -->
    The staff answer (Markdown). Never reaches a student.
    <!-- END SOLUTION -->

Every problem is a ``ValueError`` naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

BEGIN = "<!-- BEGIN SOLUTION -->"
END = "<!-- END SOLUTION -->"
FIGURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")
TABLE_SUFFIXES = (".csv", ".json", ".txt")

_QUESTION = re.compile(r"^## Question (\d+): (.+?) \((\d+(?:\.\d+)?) points?\)\s*$")
_PART = re.compile(r"^# (\S.*?)\s*$")
_SECTION = re.compile(r"^### (\S.*?)\s*$")
_RUBRIC_ITEM = re.compile(r"^- \((\d+(?:\.\d+)?)\) (\S.*)$")
_EXPECT_ITEM = re.compile(r"^- `([^`]+)`[\s:\-\u2014]*(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)  # authors' notes, never shown


@dataclass
class Expected:
    """A figure or table an answer shows, by its path relative to the assignment folder."""

    path: str
    caption: str

    @property
    def is_figure(self) -> bool:
        return self.path.lower().endswith(FIGURE_SUFFIXES)


@dataclass
class Question:
    number: int
    title: str
    points: float
    line: int
    part: str = ""
    body: str = ""
    rubric: list[tuple[float, str]] = field(default_factory=list)
    expects: list[Expected] = field(default_factory=list)
    solution: str = ""

    @property
    def heading(self) -> str:
        return f"Question {self.number}: {self.title} ({points_text(self.points)})"


@dataclass
class Written:
    path: Path
    intro: str
    questions: list[Question]

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)


def points_text(points: float) -> str:
    value = f"{points:g}"
    return f"{value} point" + ("" if points == 1 else "s")


def _code_lines(lines: list[str]) -> set[int]:
    """Indices of lines inside fenced code blocks (headings and markers there are text)."""
    inside, fence, out = False, "", set()
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if m and (not inside or m.group(1) == fence):
            inside, fence = not inside, m.group(1)
            out.add(i)
        elif inside:
            out.add(i)
    return out


def _take_solutions(path: Path, lines: list[str], code: set[int]) -> tuple[list[str], dict[int, tuple[int, str]]]:
    """Blank out solution blocks (keeping line numbers); return the lines and {BEGIN index: (line, text)}."""
    kept = list(lines)
    blocks: dict[int, tuple[int, str]] = {}
    start = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if i not in code and stripped == BEGIN:
            if start is not None:
                raise ValueError(f"{path}:{i + 1}: {BEGIN} inside the solution block opened at line {start + 1}")
            start = i
        elif i not in code and stripped == END:
            if start is None:
                raise ValueError(f"{path}:{i + 1}: {END} without a {BEGIN} before it")
            blocks[start] = (start + 1, "\n".join(lines[start + 1:i]).strip())
            kept[start:i + 1] = [""] * (i + 1 - start)
            start = None
        elif start is not None and i not in code and line.startswith("## "):
            raise ValueError(f"{path}:{i + 1}: a question heading inside the solution block opened at line "
                             f"{start + 1} (is its {END} missing?)")
    if start is not None:
        raise ValueError(f"{path}:{start + 1}: {BEGIN} is never closed by {END}")
    return kept, blocks


def parse(path: Path | str) -> Written:
    """Parse and check a questions file; raise ValueError naming the file and line of a problem."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file (the written part's questions)")
    raw = path.read_text(encoding="utf-8").splitlines()
    lines, solutions = _take_solutions(path, raw, _code_lines(raw))
    code = _code_lines(lines)
    intro: list[str] = []
    questions: list[Question] = []
    part = ""
    for i, line in enumerate(lines):
        if i not in code:
            if line.startswith("## "):
                questions.append(_new_question(path, line, i + 1, len(questions) + 1, part))
                continue
            m = _PART.match(line)
            if m:
                part = m.group(1)
                if questions:
                    questions[-1].body += "\n"
                continue
        if i in solutions:
            _attach_solution(path, questions, *solutions[i])
            continue
        if questions:
            questions[-1].body += line + "\n"
        else:
            intro.append(line)
    if not questions:
        raise ValueError(f"{path}: no question (a question starts with `## Question 1: Title (5 points)`)")
    for q in questions:
        q.body = _COMMENT.sub("", q.body)
        _split_sections(path, q)
    return Written(path, _COMMENT.sub("", "\n".join(intro)).strip(), questions)


def _new_question(path: Path, line: str, lineno: int, expected: int, part: str) -> Question:
    m = _QUESTION.match(line)
    if not m:
        raise ValueError(f"{path}:{lineno}: a level-2 heading must read `## Question {expected}: Title (P points)`, "
                         f"found {line.strip()!r}")
    number, title, points = int(m.group(1)), m.group(2).strip(), float(m.group(3))
    if number != expected:
        raise ValueError(f"{path}:{lineno}: question {number} where question {expected} was expected "
                         "(number the questions 1, 2, ... in order)")
    if points <= 0:
        raise ValueError(f"{path}:{lineno}: question {number} is worth {points:g} points; it must be worth more than 0")
    return Question(number, title, points, lineno, part=part)


def _attach_solution(path: Path, questions: list[Question], lineno: int, text: str) -> None:
    if not questions:
        raise ValueError(f"{path}:{lineno}: a solution block before the first question")
    q = questions[-1]
    if q.solution:
        raise ValueError(f"{path}:{lineno}: question {q.number} has a second solution block (one per question)")
    if not text:
        raise ValueError(f"{path}:{lineno}: question {q.number}'s solution block is empty")
    q.solution = text


def _split_sections(path: Path, q: Question) -> None:
    """Move the Rubric and Figures-and-tables sections out of the body, checking them."""
    body: list[str] = []
    section = None
    lines = q.body.splitlines()
    code = _code_lines(lines)
    for offset, line in enumerate(lines):
        m = _SECTION.match(line) if offset not in code else None
        if m:
            name = m.group(1).lower()
            section = name if name in ("rubric", "figures and tables") else None
            if section is None:
                body.append(line)
            continue
        if section is None:
            body.append(line)
        elif line.strip():
            _section_item(path, q, section, line)
    q.body = "\n".join(body).strip()
    where = f"{path}:{q.line}: question {q.number}"
    if not q.body:
        raise ValueError(f"{where} has no text")
    if not q.rubric:
        raise ValueError(f"{where} has no rubric (a `### Rubric` section of `- (points) item` lines)")
    total = sum(p for p, _ in q.rubric)
    if abs(total - q.points) > 1e-9:
        raise ValueError(f"{where}: the rubric items add up to {total:g} points, the heading says {q.points:g}")
    if not q.solution:
        raise ValueError(f"{where} has no staff answer between {BEGIN} and {END}")


def _section_item(path: Path, q: Question, section: str, line: str) -> None:
    where = f"{path}: question {q.number} ({section})"
    if line.startswith((" ", "\t")):  # a continuation of the item above
        if section == "rubric" and q.rubric:
            q.rubric[-1] = (q.rubric[-1][0], q.rubric[-1][1] + " " + line.strip())
            return
        if section != "rubric" and q.expects:
            q.expects[-1].caption += " " + line.strip()
            return
    if section == "rubric":
        m = _RUBRIC_ITEM.match(line)
        if not m:
            raise ValueError(f"{where}: rubric lines read `- (points) what the grader checks`, found {line!r}")
        q.rubric.append((float(m.group(1)), m.group(2).strip()))
        return
    m = _EXPECT_ITEM.match(line)
    if not m:
        raise ValueError(f"{where}: lines read ``- `runs/<name>/curves.png` caption``, found {line!r}")
    rel = m.group(1).strip()
    check_relative_path(rel, where)
    if not rel.lower().endswith(FIGURE_SUFFIXES + TABLE_SUFFIXES):
        kinds = ", ".join(FIGURE_SUFFIXES + TABLE_SUFFIXES)
        raise ValueError(f"{where}: {rel!r} is neither a figure nor a table ({kinds})")
    q.expects.append(Expected(rel, m.group(2).strip() or rel))


def check_relative_path(rel: str, where: str) -> None:
    """A path an answer names must stay inside the assignment folder."""
    parts = Path(rel).parts
    if not rel or Path(rel).is_absolute() or ".." in parts or "\\" in rel:
        raise ValueError(f"{where}: {rel!r} must be a relative path inside the assignment folder "
                         "(no leading /, no ..)")
