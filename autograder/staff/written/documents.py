"""The documents made from a written source: the students' questions, the staff key, the
report template of the student bundle (and what the bundle needs to check a report)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ...student.written.render import Section, compile_pdf, resolve
from ...student.written.report import INFO_FILE, PLACEHOLDER
from ...student.written.source import Question, Written, parse, points_text


def source_path(assignment_dir: Path) -> Path:
    return Path(assignment_dir) / "written" / "questions.md"


def load(assignment_dir: Path) -> Written | None:
    """The parsed written part of an assignment, or None when it has none."""
    path = source_path(assignment_dir)
    if not path.parent.is_dir():
        return None
    return parse(path)


def _question_page(q: Question, previous: Question | None, staff: bool) -> str:
    parts = [f"# {q.heading}"]
    if q.part and (previous is None or previous.part != q.part):
        parts.append(f"*{q.part}*")
    parts.append(q.body)
    if q.expects:
        shown = "\n".join(f"- `{e.path}`: {e.caption}" for e in q.expects)
        parts.append(f"**Your report shows** (from your own runs; see the handout):\n\n{shown}")
    if staff:
        rubric = "\n".join(f"- ({points_text(p)}) {item}" for p, item in q.rubric)
        parts.append(f"## Rubric\n\n{rubric}")
        parts.append(f"## Staff answer\n\n{q.solution}")
    return "\n\n".join(parts)


def _cover(written: Written, title: str, staff: bool) -> str:
    kind = "Answer key and rubrics (staff only)" if staff else "Questions"
    rows = "\n".join(f"| {q.number} | {q.title} | {q.points:g} |" for q in written.questions)
    return (f"# {title}: written part\n\n**{kind}.** {points_text(written.points)} in "
            f"{len(written.questions)} questions; each question starts on a new page.\n\n"
            f"{written.intro}\n\n| question | title | points |\n|---|---|---|\n{rows}\n")


def document_sections(written: Written, title: str, staff: bool) -> list[Section]:
    sections = [Section("cover", _cover(written, title, staff))]
    previous = None
    for q in written.questions:
        sections.append(Section(f"question {q.number}", _question_page(q, previous, staff)))
        previous = q
    return sections


def render_written(written: Written, title: str, output: Path, staff: bool, root: Path) -> Path:
    """The questions PDF (``staff=False``) or the key (``staff=True``); figures missing under
    ``root`` (the key is built without runs) show as a note."""
    sections = document_sections(written, title, staff)
    for s in sections:
        resolve(s, root, placeholder=True)
    compile_pdf(sections, output, root, title)
    return output


def report_template(written: Written, title: str, aid: str) -> str:
    lines = [
        "<!--",
        f"Your report for {title}.",
        f"- The questions are in {aid}_questions.pdf. Write each answer under its heading and keep the",
        "  headings `## Question N: ...` as they are: each question starts on a new page of the PDF.",
        f"- Replace every `{PLACEHOLDER}` with your answer. Markdown; math in LaTeX: $\\frac{{a}}{{b}}$ inline,",
        "  $$ ... $$ on its own lines for display.",
        "- Figures and tables from your runs: ![caption](runs/<name>/curves.png) shows an image,",
        "  ![caption](runs/<name>/metrics.csv) a table (also .json, and .txt as text).",
        f"- Make the PDF with `python -m autograder report` (writes {aid}_report.pdf) and upload it",
        "  to the written assignment on Gradescope.",
        "-->",
        "",
        f"# {title}: report",
        "",
        "**Name:** ",
        "",
    ]
    for q in written.questions:
        lines += [f"## {q.heading}", "", PLACEHOLDER, ""]
        for e in q.expects:
            lines += [f"![{e.caption}]({e.path})", ""]
    return "\n".join(lines)


def bundle_info(written: Written, title: str, aid: str) -> dict:
    return {"id": aid, "title": title,
            "questions": [{"number": q.number, "title": q.title, "points": q.points,
                           "expects": [e.path for e in q.expects]} for q in written.questions]}


def bundle_files(assignment_dir: Path, title: str, aid: str, top: str) -> dict[str, bytes]:
    """What the student bundle gets: ``report.md``, the questions PDF and the question list."""
    written = load(assignment_dir)
    if written is None:
        return {}
    with tempfile.TemporaryDirectory(prefix="written-") as tmp:
        pdf = render_written(written, title, Path(tmp) / "questions.pdf", staff=False, root=written.path.parent)
        questions_pdf = pdf.read_bytes()
    return {
        f"{top}/report.md": report_template(written, title, aid).encode("utf-8"),
        f"{top}/{aid}_questions.pdf": questions_pdf,
        f"{top}/{INFO_FILE}": (json.dumps(bundle_info(written, title, aid), indent=1) + "\n").encode("utf-8"),
    }


def build_documents(assignment_dir: Path, title: str, aid: str, dist: Path) -> list[Path]:
    """Write ``dist/<id>_questions.pdf`` and ``dist/<id>_key.pdf``; none without a written part."""
    written = load(assignment_dir)
    if written is None:
        return []
    root = written.path.parent  # figures of the questions live beside them; runs are not there
    return [render_written(written, title, dist / f"{aid}_questions.pdf", staff=False, root=root),
            render_written(written, title, dist / f"{aid}_key.pdf", staff=True, root=root)]
