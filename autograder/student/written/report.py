"""``python -m autograder report``: a student's ``report.md`` to ``<id>_report.pdf`` for Gradescope.

The PDF follows the assignment's fixed template (``<id>_template.pdf``, built by the staff): a
cover page, then each question, or each sub-part (a), (b), ... of a question, on the pages the
template gives it, padded with blank pages when the answer is shorter. Page *n* of the report
belongs to the same question as page *n* of the template, and every page says which in its
header, so the PDF goes to a Gradescope "fixed template" assignment with nothing to tag.

A final PDF is refused (exit status 2, with a list of what to fix) while the cover lacks the
name, the collaborators or the signature under the honour code, an answer is blank (still the
template's placeholder, or empty), a figure does not exist, or an answer is longer than its pages
(named, with the number of pages too many). ``--draft`` renders anyway, with blanks and missing
files marked and a DRAFT watermark; both refuse a report whose structure is broken (a question or
sub-part heading missing, repeated or out of order, math or LaTeX that does not read).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .latex import LatexError, convert_fences
from .pages import Overflow, Placed, Region, layout_pdf, overflow_text
from .render import RenderError, figure_refs, resolve

PLACEHOLDER = "_Your answer here._"
INFO_FILE = ".autograder-written.json"   # what the bundle says of its written part
COVER_FIELDS = ("Name", "Collaborators", "Signed")
HONOUR_CODE = ("I wrote this report myself, in my own words. I discussed the assignment only with the "
               "collaborators named above, and I cite every source I used beyond the course's own material.")

_HEADING = re.compile(r"^##\s+Question\s+(\d+)\b.*$", re.I)
_SUBHEADING = re.compile(r"^###\s+\(([a-z])\)", re.I)
_FIELD = re.compile(r"^\s*(?:\*\*|__)?\s*(" + "|".join(COVER_FIELDS) + r")\s*:?\s*(?:\*\*|__)?\s*:?[ \t]*(.*?)\s*$",
                    re.I)
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
UNANSWERED = ("\n\n```{=typst}\n#block(stroke: 1.2pt + rgb(190, 0, 0), inset: 8pt, radius: 2pt)"
              "[#text(fill: rgb(190, 0, 0), weight: \"bold\")[Unanswered]]\n```\n\n")


@dataclass
class Slot:
    """One region of the template: a question without sub-parts, or one sub-part."""

    number: int
    letter: str          # "" for a question without sub-parts
    title: str
    points: float        # of the question
    part_points: float   # of the sub-part (the question's when there is none)
    pages: int
    first_of_question: bool

    @property
    def label(self) -> str:
        return f"Question {self.number}" + (f" ({self.letter})" if self.letter else "")


def slots(info: dict) -> list[Slot]:
    """The regions after the cover, in order, from the bundle's question list."""
    out = []
    for q in info["questions"]:
        parts = q.get("parts") or []
        if not parts:
            out.append(Slot(q["number"], "", q["title"], q["points"], q["points"], q.get("pages", 1), True))
        for k, p in enumerate(parts):
            out.append(Slot(q["number"], p["letter"], q["title"], q["points"], p["points"], p["pages"], k == 0))
    return out


def points_text(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def slot_heading(slot: Slot) -> str:
    """The headings a region starts with: the question's on its first region, the sub-part's on each of its own."""
    lines = []
    if slot.first_of_question:
        lines.append(f"# Question {slot.number}: {slot.title} ({points_text(slot.points)})")
    if slot.letter:
        lines.append(f"## ({slot.letter}) ({points_text(slot.part_points)})")
    return "\n\n".join(lines)


@dataclass
class Parsed:
    cover: str = ""                                             # cover text besides its fields
    fields: dict[str, str] = field(default_factory=dict)        # Name, Collaborators, Signed (as found)
    answers: dict[tuple[int, str], str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _lines_outside_code(text: str):
    fence = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = _FENCE.match(line)
        if m and fence in (None, m.group(1)):
            fence = None if fence else m.group(1)
            yield lineno, line, True
            continue
        yield lineno, line, fence is not None


def split_report(text: str, info: dict) -> Parsed:
    """Cut a report at its ``## Question N`` and ``### (a)`` headings and check them against the template."""
    expected = slots(info)
    parts_of = {q["number"]: [p["letter"] for p in q.get("parts") or []] for q in info["questions"]}
    numbers = [q["number"] for q in info["questions"]]
    parsed = Parsed()
    cover: list[str] = []
    chunks: dict[int, dict[str, list[str]]] = {}
    order: list[int] = []
    current: int | None = None
    letter = ""
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)   # notes, kept out (line numbers kept)
    for lineno, line, in_code in _lines_outside_code(text):
        heading = None if in_code else _HEADING.match(line)
        if heading:
            current, letter = int(heading.group(1)), ""
            if current in chunks:
                parsed.problems.append(f"line {lineno}: a second heading for question {current}")
            order.append(current)
            chunks[current] = {"": []}
            continue
        sub = None if in_code or current is None else _SUBHEADING.match(line)
        if sub and current is not None:
            letter = sub.group(1).lower()
            if letter in chunks[current]:
                parsed.problems.append(f"line {lineno}: a second `### ({letter})` in question {current}")
            chunks[current][letter] = []
            continue
        (cover if current is None else chunks[current][letter]).append(line)
    for n in numbers:
        if n not in chunks:
            parsed.problems.append(f"the heading `## Question {n}: ...` is missing (keep the template's headings)")
    for n in chunks:
        if n not in numbers:
            parsed.problems.append(f"there is no question {n} in this assignment (questions: {_join(numbers)})")
    present = [n for n in order if n in numbers]
    if present != sorted(present):
        parsed.problems.append(f"the questions are out of order ({_join(present)}); keep them in order 1, 2, ...")
    for n, found in chunks.items():
        if n in numbers:
            parsed.problems += _subpart_problems(n, parts_of[n], found)
    for slot in expected:
        lines = chunks.get(slot.number, {}).get(slot.letter)
        if lines is not None:
            parsed.answers[(slot.number, slot.letter)] = "\n".join(lines).strip()
    parsed.cover, parsed.fields = _cover(cover)
    return parsed


def _subpart_problems(n: int, wanted: list[str], found: dict[str, list[str]]) -> list[str]:
    """What is wrong with question n's ``### (a)`` headings, given the sub-parts it has."""
    letters = [x for x in found if x]
    if not wanted:
        return [f"question {n} has no sub-parts; remove its `### ({letters[0]})` heading"] if letters else []
    problems = []
    missing = [x for x in wanted if x not in found]
    extra = [x for x in letters if x not in wanted]
    if missing:
        problems.append(f"question {n}: the heading{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(f'`### ({x})`' for x in missing)} "
                        f"{'are' if len(missing) > 1 else 'is'} missing (keep the template's headings)")
    if extra:
        problems.append(f"question {n} has no sub-part ({extra[0]}) (its sub-parts: "
                        f"{', '.join(f'({x})' for x in wanted)})")
    if [x for x in letters if x in wanted] != [x for x in wanted if x in letters]:
        problems.append(f"question {n}: the sub-parts are out of order; keep (a), (b), ... in order")
    if _COMMENT.sub("", "\n".join(found[""])).strip():
        problems.append(f"question {n}: text before `### (a)`; every answer goes under its sub-part's heading "
                        "(each sub-part has its own pages)")
    return problems


def _cover(lines: list[str]) -> tuple[str, dict[str, str]]:
    """The cover's fields (``**Name:** ...``) and its other text (the title and the honour code left out)."""
    fields: dict[str, str] = {}
    rest: list[str] = []
    text = _COMMENT.sub("", "\n".join(lines))
    for line in text.splitlines():
        m = _FIELD.match(line)
        if m:
            name = next(f for f in COVER_FIELDS if f.lower() == m.group(1).lower())
            fields[name] = m.group(2).strip().strip("_*").strip()
            continue
        if line.startswith("# ") or re.match(r"^\s*(\*\*|__)?honou?r code", line, re.I):
            continue
        rest.append(line)
    return "\n".join(rest).strip(), fields


def unanswered(answer: str) -> bool:
    """Still the placeholder, or nothing but comments and figures (a LaTeX answer file counts as text)."""
    text = _COMMENT.sub("", answer)
    if PLACEHOLDER.strip("_.").lower() in text.lower():
        return True
    for start, end, _, rel in reversed(figure_refs(text)):
        if not rel.lower().endswith(".tex"):   # an answer in a .tex file is an answer
            text = text[:start] + text[end:]
    return not text.strip()


def _join(numbers) -> str:
    return ", ".join(str(n) for n in numbers)


def cover_markdown(info: dict, fields: dict[str, str], extra: str, mark_missing: bool) -> str:
    def value(name: str) -> str:
        got = fields.get(name, "")
        if got:
            return got
        return "`(missing)`" if mark_missing else ""
    statement = info.get("honour_code", HONOUR_CODE)
    return (f"# {info['title']}: written report\n\n**Name:** {value('Name')}\n\n"
            f"**Collaborators:** {value('Collaborators')}\n\n**Honour code.** {statement}\n\n"
            f"**Signed:** {value('Signed')}\n\n{extra}").strip()


def report_regions(info: dict, cover: str, answers: dict[tuple[int, str], str],
                   blank: str | None = None) -> list[Region]:
    """The cover and one region per template slot, holding ``answers`` (``blank`` where one is unanswered)."""
    regions = [Region("Cover", cover, pages=1)]
    for slot in slots(info):
        body = _COMMENT.sub("", answers.get((slot.number, slot.letter), ""))
        if blank is not None and unanswered(body):  # marked, keeping the figures it shows
            body = blank + "\n\n".join(body[start:end] for start, end, _, _ in figure_refs(body))
        regions.append(Region(slot.label, f"{slot_heading(slot)}\n\n{body}", pages=slot.pages))
    return regions


def refusal(parsed: Parsed, empty: list[str], missing: list[str], fields: list[str], too_long: list[str]) -> str:
    lines = ["Not rendered; fix these first:"]
    lines += [f"  - {p}" for p in parsed.problems]
    if fields:
        lines.append(f"  - the cover needs {', '.join(fields)} (write `none` if you had no collaborators; "
                     "sign the honour code with your name)")
    if empty:
        lines.append(f"  - unanswered: {', '.join(empty)} (still `{PLACEHOLDER}` or empty)")
    if missing:
        lines.append("  - missing figures or tables (no such file; run the experiment or fix the path):")
        lines += [f"      {m}" for m in missing]
    lines += [f"  - {t}" for t in too_long]
    return "\n".join(lines)


def load_info(folder: Path) -> dict:
    path = folder / INFO_FILE
    if not path.is_file():
        raise RenderError(f"no {INFO_FILE} in {folder}: run this inside your unpacked assignment folder "
                          "(this assignment may have no written part)")
    return json.loads(path.read_text(encoding="utf-8"))


def _read(folder: Path, source: Path | None) -> tuple[dict, Path, str]:
    info = load_info(folder)
    source = source or folder / "report.md"
    if not source.is_file():
        raise RenderError(f"no {source.name} in {folder} (the bundle's template; write your answers in it)")
    return info, source, source.read_text(encoding="utf-8")


def _latex_answers(parsed: Parsed) -> None:
    """Answers given as ```latex blocks, read into Markdown (a fragment that does not read is a problem)."""
    for key, text in parsed.answers.items():
        label = f"question {key[0]}" + (f" ({key[1]})" if key[1] else "")
        try:
            parsed.answers[key] = convert_fences(text, label)
        except LatexError as exc:
            parsed.problems.append(str(exc))


def render_report(folder: Path, output: Path | None = None, source: Path | None = None, draft: bool = False) -> int:
    """Check and render a student's report; 0 with a PDF, 2 with a list of what to fix."""
    started = time.time()
    folder = folder.resolve()
    try:
        info, source, text = _read(folder, source)
        parsed = split_report(text, info)
        _latex_answers(parsed)
        if parsed.problems:  # a broken structure is refused, draft or not
            print(refusal(parsed, [], [], [], []))
            return 2
        empty = [s.label for s in slots(info) if unanswered(parsed.answers.get((s.number, s.letter), ""))]
        no_field = [f for f in COVER_FIELDS if not parsed.fields.get(f)]
        regions = report_regions(info, cover_markdown(info, parsed.fields, parsed.cover, mark_missing=draft),
                                 parsed.answers, blank=UNANSWERED if draft else None)
        for r in regions:
            resolve(r, folder, placeholder="Missing file:" if draft else False)
        missing = [f"{r.label}: {m}" for r in regions for m in r.missing]
        if not draft and (empty or missing or no_field):
            print(refusal(parsed, empty, missing, no_field, []))
            return 2
        output = output or folder / f"{info['id']}_{'draft' if draft else 'report'}.pdf"
        placed, warnings = layout_pdf(regions, output, folder, f"{info['title']}: report", info["title"],
                                      draft=draft, system_fonts=True)
    except Overflow as exc:
        print(refusal(Parsed(), [], [], [], [overflow_text(p) for p in exc.placed]))
        return 2
    except RenderError as exc:
        print(f"Not rendered: {exc}")
        return 2
    for w in warnings:
        print(f"warning: {w}")
    elapsed = time.time() - started
    if draft:
        return _draft_summary(output, placed, empty, missing, no_field, elapsed)
    print(f"Wrote {output} in {elapsed:.1f} s: {placed[-1].last} pages, page for page those of "
          f"{info['id']}_template.pdf ({_where(placed)}).")
    print("Upload it to the written assignment on Gradescope as it is: its pages already belong to their "
          "questions (a fixed template), so there is nothing to tag.")
    return 0


def _where(placed: list[Placed]) -> str:
    def span(p: Placed) -> str:
        return f"p. {p.first}" if p.given == 1 else f"pp. {p.first}-{p.last}"
    return ", ".join(f"{p.region.label} {span(p)}" for p in placed)


def _draft_summary(output: Path, placed: list[Placed], empty: list[str], missing: list[str],
                   no_field: list[str], elapsed: float) -> int:
    print(f"Wrote the DRAFT {output} in {elapsed:.1f} s ({placed[-1].last} pages); not for Gradescope.")
    todo = ([f"cover: {', '.join(no_field)} missing"] if no_field else []) + \
           [f"unanswered: {e}" for e in empty] + [f"missing file: {m}" for m in missing] + \
           [overflow_text(p) for p in placed if p.overflow]
    if todo:
        print("Before the final `python -m autograder report`, fix:")
        for t in todo:
            print(f"  - {t}")
    else:
        print("Nothing left to fix: `python -m autograder report` makes the PDF to upload.")
    return 0
