"""``python -m autograder report``: a student's ``report.md`` to ``<id>_report.pdf`` for Gradescope.

Each question starts on a new page, in question order, with its number in the heading, so
that Gradescope's page assignment is mechanical. A report with an unanswered question (still
the template's placeholder, or empty), a missing or misplaced question heading, or a figure
that does not exist is refused with exit status 2 and a list of what to fix.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .render import RenderError, Section, compile_pdf, figure_refs, resolve

PLACEHOLDER = "_Your answer here._"
INFO_FILE = ".autograder-written.json"   # what the bundle says of its written part

_HEADING = re.compile(r"^##\s+Question\s+(\d+)\b.*$", re.I)
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass
class Parsed:
    cover: str
    answers: dict[int, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def split_report(text: str, numbers: list[int]) -> Parsed:
    """Cut a report at its ``## Question N`` headings and check them against the expected numbers."""
    cover: list[str] = []
    order: list[int] = []
    chunks: dict[int, list[str]] = {}
    current = None
    fence = None
    parsed = Parsed("")
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = _FENCE.match(line)
        if m and fence in (None, m.group(1)):
            fence = None if fence else m.group(1)
        heading = _HEADING.match(line) if fence is None else None
        if heading:
            current = int(heading.group(1))
            if current in chunks:
                parsed.problems.append(f"line {lineno}: a second heading for question {current}")
            order.append(current)
            chunks[current] = []
            continue
        (cover if current is None else chunks[current]).append(line)
    for n in numbers:
        if n not in chunks:
            parsed.problems.append(f"the heading `## Question {n}: ...` is missing (keep the template's headings)")
    for n in chunks:
        if n not in numbers:
            parsed.problems.append(f"there is no question {n} in this assignment (questions: {_join(numbers)})")
    present = [n for n in order if n in numbers]
    if present != sorted(present):
        parsed.problems.append(f"the questions are out of order ({_join(present)}); keep them in order 1, 2, ...")
    parsed.cover = "\n".join(cover).strip()
    parsed.answers = {n: "\n".join(lines).strip() for n, lines in chunks.items()}
    return parsed


def unanswered(answer: str) -> bool:
    """Still the placeholder, or nothing but comments and figures."""
    text = _COMMENT.sub("", answer)
    if PLACEHOLDER.strip("_.").lower() in text.lower():
        return True
    for start, end, _, _ in reversed(figure_refs(text)):
        text = text[:start] + text[end:]
    return not text.strip()


def _join(numbers) -> str:
    return ", ".join(str(n) for n in numbers)


def report_sections(info: dict, cover: str, answers: dict[int, str]) -> list[Section]:
    cover = _COMMENT.sub("", cover).strip() or f"# {info['title']}: report"
    sections = [Section("the text before question 1", cover)]
    for q in info["questions"]:
        points = f"{q['points']:g} point" + ("" if q["points"] == 1 else "s")
        body = _COMMENT.sub("", answers.get(q["number"], ""))
        sections.append(Section(f"question {q['number']}",
                                f"# Question {q['number']}: {q['title']} ({points})\n\n{body}"))
    return sections


def refusal(parsed: Parsed, empty: list[int], missing: list[str]) -> str:
    lines = ["Not rendered; fix these first:"]
    lines += [f"  - {p}" for p in parsed.problems]
    if empty:
        lines.append(f"  - unanswered: question{'s' if len(empty) > 1 else ''} {_join(empty)} "
                     f"(still `{PLACEHOLDER}` or empty)")
    if missing:
        lines.append("  - missing figures or tables (no such file; run the experiment or fix the path):")
        lines += [f"      {m}" for m in missing]
    return "\n".join(lines)


def load_info(folder: Path) -> dict:
    path = folder / INFO_FILE
    if not path.is_file():
        raise RenderError(f"no {INFO_FILE} in {folder}: run this inside your unpacked assignment folder "
                          "(this assignment may have no written part)")
    return json.loads(path.read_text(encoding="utf-8"))


def render_report(folder: Path, output: Path | None = None, source: Path | None = None) -> int:
    """Check and render a student's report; 0 with a PDF, 2 with a list of what to fix."""
    started = time.time()
    folder = folder.resolve()
    try:
        info = load_info(folder)
        source = source or folder / "report.md"
        if not source.is_file():
            raise RenderError(f"no {source.name} in {folder} (the bundle's template; write your answers in it)")
        numbers = [q["number"] for q in info["questions"]]
        parsed = split_report(source.read_text(encoding="utf-8"), numbers)
        empty = [n for n in numbers if n in parsed.answers and unanswered(parsed.answers[n])]
        sections = report_sections(info, parsed.cover, parsed.answers)
        for s in sections:
            resolve(s, folder, placeholder=False)
        missing = [f"{s.label}: {m}" for s in sections for m in s.missing]
        if parsed.problems or empty or missing:
            print(refusal(parsed, empty, missing))
            return 2
        output = output or folder / f"{info['id']}_report.pdf"
        warnings = compile_pdf(sections, output, folder, f"{info['title']}: report", system_fonts=True)
    except RenderError as exc:
        print(f"Not rendered: {exc}")
        return 2
    for w in warnings:
        print(f"warning: {w}")
    print(f"Wrote {output} in {time.time() - started:.1f} s: a cover page, then questions {_join(numbers)}, "
          "each starting on a new page.")
    print("Upload it to the written assignment on Gradescope and match each question to its first page.")
    return 0
