"""Read and check ``assignments/<id>/written/questions.md``, the one source of the written part.

The format (documented in docs/AUTHORING.md, "The written part")::

    Instructions for the whole written part (Markdown): the cover page of the questions PDF.

    # Part A: Theory                                 optional grouping, shown before its questions

    ## Question 1: The softmax gradient (6 points)   numbered 1, 2, ... in file order

    The question, Markdown with $inline$ and $$display$$ math.

    (a) {pages=2} A sub-part: a line that starts with (a), (b), ... in order. Each sub-part, or a
    question without sub-parts, gets its own pages in the fixed answer template: one page, or
    the number after pages= (on the sub-part's line, or at the end of the heading of a question
    without sub-parts: `## Question 6: Runs (8 points) {pages=3}`).

    ### Figures and tables                          optional: what the answer shows from the runs
    - `runs/twolayer_lr0.1/curves.png` Learning curves at lr 0.1
    - `runs/twolayer_lr0.1/metrics.csv` Per-epoch numbers

    ### Rubric                                      required: what a grader ticks, points in brackets
    - (4) (a) Derives dL/dz = p - onehot(y).        with sub-parts, every item names its sub-part
    - (2) (b) Names the shape of every term.

    <!-- BEGIN SOLUTION -->
    The staff answer (Markdown), with sub-parts as in the question: (a) ..., (b) ....
    Never reaches a student.
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

_QUESTION = re.compile(r"^## Question (\d+): (.+?) \((\d+(?:\.\d+)?) points?\)(?:\s+\{pages=(\d+)\})?\s*$")
_PAGES_ATTR = re.compile(r"\{pages=[^}]*\}")
_SUBPART = re.compile(r"^\(([a-z])\)(?:\s+\{pages=(\d+)\})?(?=\s|$)")
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
class SubPart:
    """A sub-part (a), (b), ... of a question: its own pages in the answer template, its own points."""

    letter: str
    pages: int
    line: int
    prompt: str = ""      # the question's text from "(a)" up to the next sub-part
    points: float = 0.0   # the sum of its rubric items
    solution: str = ""    # the staff answer's paragraphs from "(a)" up to the next sub-part


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
    pages: int = 1                                          # a question without sub-parts
    subparts: list[SubPart] = field(default_factory=list)
    stem: str = ""                                          # the text before the first sub-part

    @property
    def heading(self) -> str:
        return f"Question {self.number}: {self.title} ({points_text(self.points)})"

    @property
    def total_pages(self) -> int:
        return sum(s.pages for s in self.subparts) if self.subparts else self.pages


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
        _split_subparts(path, q)
    return Written(path, _COMMENT.sub("", "\n".join(intro)).strip(), questions)


def _new_question(path: Path, line: str, lineno: int, expected: int, part: str) -> Question:
    m = _QUESTION.match(line)
    if not m:
        raise ValueError(f"{path}:{lineno}: a level-2 heading must read `## Question {expected}: Title (P points)`, "
                         f"found {line.strip()!r}")
    number, title, points = int(m.group(1)), m.group(2).strip(), float(m.group(3))
    pages = _page_count(path, lineno, m.group(4), f"question {number}")
    explicit_pages = m.group(4) is not None
    if number != expected:
        raise ValueError(f"{path}:{lineno}: question {number} where question {expected} was expected "
                         "(number the questions 1, 2, ... in order)")
    if points <= 0:
        raise ValueError(f"{path}:{lineno}: question {number} is worth {points:g} points; it must be worth more than 0")
    q = Question(number, title, points, lineno, part=part, pages=pages)
    q._explicit_pages = explicit_pages  # type: ignore[attr-defined]  # checked once sub-parts are known
    return q


def _page_count(path: Path, lineno: int, text: str | None, what: str) -> int:
    if text is None:
        return 1
    pages = int(text)
    if not 1 <= pages <= 20:
        raise ValueError(f"{path}:{lineno}: {what} asks for {{pages={pages}}}; give 1 to 20 pages")
    return pages


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


def _split_subparts(path: Path, q: Question) -> None:
    """Find the sub-parts (a), (b), ... of the question's text, and give each its rubric points and answer."""
    where = f"{path}:{q.line}: question {q.number}"
    lines = q.body.splitlines()
    code = _code_lines(lines)
    found: list[tuple[int, str, str | None]] = []
    end = len(lines)
    for i, line in enumerate(lines):
        if i in code:
            continue
        if _SECTION.match(line):
            end = i
            break
        m = _SUBPART.match(line)
        if m:
            found.append((i, m.group(1), m.group(2)))
    stray = [i for i, line in enumerate(lines) if i not in code and _PAGES_ATTR.search(line)
             and not any(i == f[0] for f in found)]
    if stray:
        raise ValueError(f"{where}: `{{pages=N}}` belongs at the end of the question's heading or right after a "
                         f"sub-part's label, `(a) {{pages=2}} ...`; found {lines[stray[0]].strip()[:60]!r}")
    if not found:
        if _RUBRIC_LABEL.match(q.rubric[0][1]) if q.rubric else False:
            raise ValueError(f"{where}: the rubric names sub-parts, but the question has none (a sub-part is a "
                             "line of the question that starts with `(a) `)")
        return
    letters = [letter for _, letter, _ in found]
    expected = [chr(ord("a") + k) for k in range(len(found))]
    if letters != expected:
        raise ValueError(f"{where}: sub-parts must be labelled {_labels(expected)} in order; found {_labels(letters)}")
    if getattr(q, "_explicit_pages", False):
        raise ValueError(f"{where} has sub-parts: give their pages on their lines, `(a) {{pages=2}} ...`, "
                         "not on the heading")
    bounds = [f[0] for f in found] + [end]
    for k, (i, letter, pages) in enumerate(found):
        lines[i] = _SUBPART.sub(f"({letter})", lines[i], count=1)
        sub = SubPart(letter, _page_count(path, q.line, pages, f"question {q.number} ({letter})"), q.line + 1 + i)
        sub.prompt = "\n".join(lines[i:bounds[k + 1]]).strip()
        q.subparts.append(sub)
    q.stem = "\n".join(lines[:found[0][0]]).strip()
    q.body = "\n".join(lines).strip()
    _subpart_points(where, q)
    _subpart_answers(where, q)


_RUBRIC_LABEL = re.compile(r"^\(([a-z])\)\s")


def _labels(letters) -> str:
    return ", ".join(f"({x})" for x in letters)


def _subpart_points(where: str, q: Question) -> None:
    by_letter = {s.letter: s for s in q.subparts}
    for points, item in q.rubric:
        m = _RUBRIC_LABEL.match(item)
        if not m or m.group(1) not in by_letter:
            raise ValueError(f"{where} has sub-parts {_labels(by_letter)}: each rubric item starts with the one it "
                             f"grades, `- (2) (a) ...`; found {item[:60]!r}")
        by_letter[m.group(1)].points += points
    unmarked = [s.letter for s in q.subparts if s.points <= 0]
    if unmarked:
        raise ValueError(f"{where}: no rubric item grades sub-part{'s' if len(unmarked) > 1 else ''} "
                         f"{_labels(unmarked)}")


def _subpart_answers(where: str, q: Question) -> None:
    """Cut the staff answer at its (a), (b), ... paragraphs (text before (a) goes with (a))."""
    lines = q.solution.splitlines()
    code = _code_lines(lines)
    starts: dict[str, int] = {}
    wanted = [s.letter for s in q.subparts]
    for i, line in enumerate(lines):
        m = _SUBPART.match(line) if i not in code else None
        if m and len(starts) < len(wanted) and m.group(1) == wanted[len(starts)]:
            starts[m.group(1)] = i
    missing = [x for x in wanted if x not in starts]
    if missing:
        raise ValueError(f"{where}: the staff answer has no paragraph starting with {_labels(missing)} "
                         "(answer each sub-part in its own paragraph, in order)")
    bounds = [0] + [starts[x] for x in wanted[1:]] + [len(lines)]
    for k, sub in enumerate(q.subparts):
        sub.solution = "\n".join(lines[bounds[k]:bounds[k + 1]]).strip()
