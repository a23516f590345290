"""The documents made from a written source.

- ``<id>_questions.pdf``: the questions, for students (no rubric, no answer);
- ``<id>_template.pdf``: the fixed answer template for Gradescope: a cover page, then every
  question or sub-part on the pages its source declares, each page labelled in its header;
- ``<id>_outline.json``: questions, sub-parts, points and template pages (to build the
  Gradescope outline from);
- ``<id>_key.pdf``: what a TA grades from: every question and sub-part with its rubric, the
  reference answer and the reference runs' figures and tables, every number of an experiment
  answer computed from those runs (:mod:`.answers`);
- in the student bundle: ``report.md`` (the cover fields and one section per question and sub-part)
  and ``.autograder-written.json`` (what ``autograder report`` needs to lay a report out).

A key needs the reference runs. ``verify`` makes them (or takes them from the cache) and writes the
complete key; ``build`` writes a complete key when the cache holds every run for the current
sources, and otherwise a key marked INCOMPLETE on its cover and where each missing answer goes.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ...student.written.pages import Placed, Region, layout_pdf
from ...student.written.render import RenderError, Section, compile_pdf, resolve
from ...student.written.report import (
    COVER_FIELDS,
    HONOUR_CODE,
    INFO_FILE,
    PLACEHOLDER,
    report_regions,
    slot_heading,
    slots,
)
from ...student.written.source import Question, Written, parse, points_text
from .answers import AnswerError, MissingRun, Runs, render_answer, shortened_notes, typed_numbers


def source_path(assignment_dir: Path) -> Path:
    return Path(assignment_dir) / "written" / "questions.md"


def load(assignment_dir: Path) -> Written | None:
    """The parsed written part of an assignment, or None when it has none."""
    path = source_path(assignment_dir)
    if not path.parent.is_dir():
        return None
    return parse(path)


# ----------------------------------------------------------------------------- the students' questions

def _question_page(q: Question, previous: Question | None) -> str:
    parts = [f"# {q.heading}"]
    if q.part and (previous is None or previous.part != q.part):
        parts.append(f"*{q.part}*")
    parts.append(q.body)
    if q.expects:
        shown = "\n".join(f"- `{e.path}`: {e.caption}" for e in q.expects)
        parts.append(f"**Your report shows** (from your own runs; see the handout):\n\n{shown}")
    return "\n\n".join(parts)


def _questions_cover(written: Written, title: str) -> str:
    rows = "\n".join(f"| {q.number} | {q.title} | {q.points:g} |" for q in written.questions)
    return (f"# {title}: written part\n\n**Questions.** {points_text(written.points)} in "
            f"{len(written.questions)} questions; each question starts on a new page.\n\n"
            f"{written.intro}\n\n| question | title | points |\n|---|---|---|\n{rows}\n")


def questions_sections(written: Written, title: str) -> list[Section]:
    sections = [Section("cover", _questions_cover(written, title))]
    previous = None
    for q in written.questions:
        sections.append(Section(f"question {q.number}", _question_page(q, previous)))
        previous = q
    return sections


def render_questions(written: Written, title: str, output: Path) -> Path:
    sections = questions_sections(written, title)
    for s in sections:
        resolve(s, written.path.parent, placeholder=True)
    compile_pdf(sections, output, written.path.parent, title, avoid_orphans=True)
    return output


# ----------------------------------------------------------------------------- the bundle's files

def bundle_info(written: Written, title: str, aid: str) -> dict:
    return {"id": aid, "title": title, "honour_code": HONOUR_CODE,
            "questions": [{"number": q.number, "title": q.title, "points": q.points, "pages": q.pages,
                           "expects": [e.path for e in q.expects],
                           "parts": [{"letter": s.letter, "points": s.points, "pages": s.pages} for s in q.subparts]}
                          for q in written.questions]}


def report_template(written: Written, title: str, aid: str) -> str:
    lines = [
        "<!--",
        f"Your report for {title}.",
        f"- The questions are in {aid}_questions.pdf. Fill in the cover (name, collaborators, or `none`,",
        "  and your name under the honour code), then write each answer under its heading. Keep the",
        "  headings `## Question N: ...` and `### (a)` as they are: each question or sub-part has its own",
        f"  pages in the PDF, the same pages as in {aid}_template.pdf.",
        f"- Replace every `{PLACEHOLDER}` with your answer. Markdown; math in LaTeX: $\\frac{{a}}{{b}}$ inline,",
        "  $$ ... $$ on its own lines for display. To write an answer in LaTeX instead, put it in a",
        "  ```latex block, or in a file shown like a figure: ![](answers/q1a.tex) (no LaTeX install needed).",
        "- Figures and tables from your runs: ![caption](runs/<name>/curves.png) shows an image,",
        "  ![caption](runs/<name>/metrics.csv) a table (also .json, and .txt as text).",
        "- `python -m autograder report --draft` shows your report as it stands (blanks marked);",
        f"  `python -m autograder report` writes {aid}_report.pdf, refusing blanks and answers longer than",
        "  their pages. Upload that PDF to the written assignment on Gradescope: its pages are already",
        "  assigned to the questions, so there is nothing to tag.",
        "-->",
        "",
        f"# {title}: written report",
        "",
    ]
    for name in COVER_FIELDS:
        if name == "Signed":
            lines += [f"**Honour code.** {HONOUR_CODE}", ""]
        lines += [f"**{name}:** ", ""]
    for q in written.questions:
        lines += [f"## {q.heading}", ""]
        if q.subparts:
            for s in q.subparts:
                lines += [f"### ({s.letter})", "", PLACEHOLDER, ""]
        else:
            lines += [PLACEHOLDER, ""]
        for e in q.expects:
            lines += [f"![{e.caption}]({e.path})", ""]
    return "\n".join(lines)


def bundle_files(assignment_dir: Path, title: str, aid: str, top: str) -> dict[str, bytes]:
    """What the student bundle gets: ``report.md``, the questions PDF, the template and the question list."""
    written = load(assignment_dir)
    if written is None:
        return {}
    with tempfile.TemporaryDirectory(prefix="written-") as tmp:
        questions_pdf = render_questions(written, title, Path(tmp) / "questions.pdf").read_bytes()
        template_pdf, _ = render_template(written, title, aid, Path(tmp))
        template = template_pdf.read_bytes()
    return {
        f"{top}/report.md": report_template(written, title, aid).encode("utf-8"),
        f"{top}/{aid}_questions.pdf": questions_pdf,
        f"{top}/{aid}_template.pdf": template,
        f"{top}/{INFO_FILE}": (json.dumps(bundle_info(written, title, aid), indent=1) + "\n").encode("utf-8"),
    }


# ----------------------------------------------------------------------------- the fixed template

def _template_cover(title: str) -> str:
    blank = "\\_" * 30
    return (f"# {title}: written report\n\n**Name:** {blank}\n\n**Collaborators:** {blank}\n\n"
            f"**Honour code.** {HONOUR_CODE}\n\n**Signed:** {blank}\n\n"
            "Every question, or sub-part (a), (b), ..., has its own pages, named at the top of each page: answer "
            "it there and nowhere else. `python -m autograder report` lays `report.md` out on these same pages.")


def template_regions(written: Written, title: str, aid: str) -> list[Region]:
    info = bundle_info(written, title, aid)
    by_number = {q.number: q for q in written.questions}
    regions = [Region("Cover", _template_cover(title), pages=1)]
    for slot in slots(info):
        q = by_number[slot.number]
        if slot.letter:
            sub = next(s for s in q.subparts if s.letter == slot.letter)
            prompt = (q.stem + "\n\n" if slot.first_of_question and q.stem else "") + _without_label(sub.prompt)
        else:
            prompt = q.body
            if q.expects:
                prompt += "\n\n**Your report shows:** " + "; ".join(f"`{e.path}`" for e in q.expects) + "."
        regions.append(Region(slot.label, f"{slot_heading(slot)}\n\n{prompt}", pages=slot.pages))
    return regions


def _without_label(prompt: str) -> str:
    """A sub-part's text without its leading "(a)" (its heading already says it)."""
    return prompt.split(")", 1)[1].strip() if prompt.startswith("(") else prompt


def render_template(written: Written, title: str, aid: str, dist: Path) -> tuple[Path, list[Placed]]:
    """``<id>_template.pdf``; a prompt longer than its pages is an error naming the question."""
    output = dist / f"{aid}_template.pdf"
    regions = template_regions(written, title, aid)
    for r in regions:
        resolve(r, written.path.parent, placeholder=True)
    try:
        placed, _ = layout_pdf(regions, output, written.path.parent, f"{title}: answer template", title)
    except RenderError as exc:
        raise RenderError(f"{written.path}: the answer template: {exc} (raise its {{pages=N}})") from None
    return output, placed


def outline(written: Written, title: str, aid: str, placed: list[Placed]) -> dict:
    """Questions, sub-parts, points and their pages in the template (1-based, inclusive)."""
    pages = {p.region.label: [p.first, p.last] for p in placed}
    questions = []
    for q in written.questions:
        entry: dict = {"number": q.number, "title": q.title, "points": q.points}
        if q.subparts:
            spans = [pages[f"Question {q.number} ({s.letter})"] for s in q.subparts]
            parts = [{"label": f"({s.letter})", "points": s.points, "pages": span}
                     for s, span in zip(q.subparts, spans, strict=True)]
            entry["pages"] = [spans[0][0], spans[-1][1]]
            entry["parts"] = parts
        else:
            entry["pages"] = pages[f"Question {q.number}"]
        questions.append(entry)
    return {"assignment": aid, "title": title, "template": f"{aid}_template.pdf", "pages": placed[-1].last,
            "points": written.points, "cover": {"pages": pages["Cover"]}, "questions": questions}


# ----------------------------------------------------------------------------- staff answers and the key

_COMMENT = re.compile(r"<!--.*?-->", re.S)
KEY_ONLY = "<!-- KEY ONLY -->"   # in a staff answer: what follows is for the key, not the reference report


@dataclass
class Answers:
    """The staff answers with their expressions computed, per (question, sub-part letter or "").

    ``report`` is what the reference report shows: the answer up to a ``<!-- KEY ONLY -->`` line
    (a review question's key outlines every paper; a report reviews one)."""

    text: dict[tuple[int, str], str] = field(default_factory=dict)
    report: dict[tuple[int, str], str] = field(default_factory=dict)
    missing: dict[tuple[int, str], str] = field(default_factory=dict)   # not computable: no runs
    problems: list[str] = field(default_factory=list)


def staff_answers(written: Written, runs: Runs) -> Answers:
    out = Answers()
    for q in written.questions:
        pieces = [(s.letter, s.solution) for s in q.subparts] or [("", q.solution)]
        for letter, text in pieces:
            where = f"question {q.number}" + (f" ({letter})" if letter else "")
            report = _COMMENT.sub("", text.split(KEY_ONLY, 1)[0]).strip()
            if letter and report.startswith(f"({letter})"):   # the report's sub-part heading already says it
                report = report[len(letter) + 2:].lstrip()
            out.report[(q.number, letter)] = report
            text = _COMMENT.sub("", text)
            try:
                out.text[(q.number, letter)] = shortened_notes(render_answer(text, runs, where), runs)
                out.report[(q.number, letter)] = shortened_notes(render_answer(out.report[(q.number, letter)], runs,
                                                                               where), runs)
            except MissingRun as exc:
                out.missing[(q.number, letter)] = str(exc)
                out.text[(q.number, letter)] = text
            except AnswerError as exc:
                out.problems.append(str(exc))
                out.text[(q.number, letter)] = text
        typed = typed_numbers(q)
        if typed:
            out.problems.append(f"question {q.number}: numbers typed into an experiment answer (read them from "
                                f"the runs with {{{{ ... }}}}): " + "; ".join(repr(t) for t in typed[:5]))
    return out


def _missing_box(reason: str, source: str) -> str:
    fence = "~~~~~~"
    return (f"> **INCOMPLETE: this answer is computed from the reference runs.** {reason}. "
            f"`autograder verify` makes them and writes the complete key. The answer's source:\n\n"
            f"{fence}\n{source}\n{fence}")


def _rubric(items: list[tuple[float, str]], strip: str = "") -> str:
    lines = []
    for points, item in items:
        if strip and item.startswith(strip):
            item = item[len(strip):].lstrip()
        lines.append(f"- **({points_text(points)})** {item}")
    return "\n".join(lines)


def _span(p: Placed) -> str:
    return f"p. {p.first}" if p.first == p.last else f"pp. {p.first}-{p.last}"


def _key_question(q: Question, previous: Question | None, answers: Answers, pages: dict[str, Placed]) -> str:
    def answer(letter: str) -> str:
        text = answers.text[(q.number, letter)]
        reason = answers.missing.get((q.number, letter))
        return _missing_box(reason, text) if reason else text

    parts = [f"# {q.heading}"]
    if q.part and (previous is None or previous.part != q.part):
        parts.append(f"*{q.part}*")
    if not q.subparts:
        parts.append(f"*Template {_span(pages[f'Question {q.number}'])}.*")
        parts.append(q.body)
        if q.expects:
            shown = "\n".join(f"- `{e.path}`: {e.caption}" for e in q.expects)
            parts.append(f"**The report shows:**\n\n{shown}")
        parts += ["## Rubric", _rubric(q.rubric), "## Reference answer", answer("")]
        return "\n\n".join(parts)
    if q.stem:
        parts.append(q.stem)
    for s in q.subparts:
        place = pages[f"Question {q.number} ({s.letter})"]
        items = [(p, item) for p, item in q.rubric if item.startswith(f"({s.letter})")]
        parts += [f"## ({s.letter}) {points_text(s.points)}, template {_span(place)}", _without_label(s.prompt),
                  "**Rubric**", _rubric(items, strip=f"({s.letter})"), "**Reference answer**", answer(s.letter)]
    return "\n\n".join(parts)


def _key_cover(written: Written, title: str, pages: dict[str, Placed], run_lines: list[str], incomplete: str) -> str:
    rows = "\n".join(f"| {q.number} | {q.title} | {q.points:g} | "
                     f"{_question_pages(q, pages)} |" for q in written.questions)
    banner = (f"> **INCOMPLETE KEY.** {incomplete} Run `autograder verify` for the complete key, with every "
              "figure and every number of the experiment answers.\n\n") if incomplete else ""
    runs = ("**Reference runs** (figures and numbers of the experiment answers come from these):\n\n"
            + "\n".join(run_lines)) if run_lines else ""
    return (f"# {title}: written part\n\n{banner}**Answer key and rubrics (staff only).** "
            f"{points_text(written.points)} in {len(written.questions)} questions; each question starts on a new "
            f"page. Pages are those of the fixed answer template (`_template.pdf`), which every report follows.\n\n"
            f"| question | title | points | template pages |\n|---|---|---|---|\n{rows}\n\n{runs}")


def _question_pages(q: Question, pages: dict[str, Placed]) -> str:
    labels = [f"Question {q.number} ({s.letter})" for s in q.subparts] or [f"Question {q.number}"]
    first, last = pages[labels[0]].first, pages[labels[-1]].last
    return f"{first}" if first == last else f"{first}-{last}"


def render_key(written: Written, title: str, output: Path, runs: Runs, answers: Answers, placed: list[Placed],
               run_lines: list[str], incomplete: str = "") -> list[str]:
    """Write the key; return the figures it could not show (each a problem unless the key is incomplete)."""
    pages = {p.region.label: p for p in placed}
    sections = [Section("cover", _key_cover(written, title, pages, run_lines, incomplete))]
    previous = None
    for q in written.questions:
        sections.append(Section(f"question {q.number}", _key_question(q, previous, answers, pages)))
        previous = q
    root = runs.root or written.path.parent
    for s in sections:
        resolve(s, root, placeholder="INCOMPLETE, not made in this build:" if incomplete else True)
    compile_pdf(sections, output, root, f"{title}: answer key", avoid_orphans=True)
    return [f"{s.label}: {m}" for s in sections for m in s.missing]


def reference_regions(written: Written, title: str, aid: str, answers: Answers) -> list[Region]:
    info = bundle_info(written, title, aid)
    cover = (f"# {title}: reference report\n\nThe staff answers laid out on the answer template, as a student's "
             "report is, with the figures and tables of the reference runs (`written/reference_runs.toml`); "
             "every number of an experiment answer is read from those runs.")
    return report_regions(info, cover, answers.report)


def build_documents(assignment_dir: Path, title: str, aid: str, dist: Path) -> list[Path]:
    """``dist/<id>_questions.pdf``, ``_template.pdf``, ``_outline.json`` and ``_key.pdf`` (from cached runs
    when the cache holds them all, else marked incomplete); none without a written part."""
    from .reference import key_from_cache

    written = load(assignment_dir)
    if written is None:
        return []
    dist.mkdir(parents=True, exist_ok=True)
    questions = render_questions(written, title, dist / f"{aid}_questions.pdf")
    template, placed = render_template(written, title, aid, dist)
    outline_path = dist / f"{aid}_outline.json"
    outline_path.write_text(json.dumps(outline(written, title, aid, placed), indent=1) + "\n", encoding="utf-8")
    key = key_from_cache(assignment_dir, written, title, aid, dist, placed)
    return [questions, template, outline_path, key]
