"""Fixed pages: a document cut into regions (the cover, each question or sub-part), each on the
number of pages the questions' source declares for it, whatever its content.

This is what lets a report be uploaded to a Gradescope "fixed template" assignment: the blank
template (``dist/<id>_template.pdf``), a student's report and the reference report have the same
page count, and page *n* belongs to the same question or sub-part in all of them. Every page
carries its region's label in the header ("Question 3 (b)"), blank padding pages included.

How: the regions are set one after another, each starting on a new page with its own header
(``#set page(header: ...)``) and a marker whose page Typst reports (``query``). A first layout
measures how many pages each region's content needs; a region that needs more than it is given
is an ``Overflow`` (named, with the number of pages too many); otherwise blank pages are added
where a region needs fewer, and the second layout is checked page for page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .render import RenderError, Section, latex_outside_math, run_typst, to_typst, typst_compiler, typst_source

WATERMARK = """\
#set page(background: rotate(-40deg, text(110pt, weight: "bold", fill: rgb(200, 0, 0, 28))[DRAFT]))
"""


@dataclass
class Region(Section):
    """A section with a fixed number of pages and the label its pages carry."""

    pages: int = 1
    note: str = ""   # said in red beside the label on every page of the region (a draft's problems)


@dataclass
class Placed:
    """Where a region landed: its first page (1-based), the pages its content needs and the pages it has."""

    region: Region
    first: int
    needs: int
    given: int

    @property
    def overflow(self) -> int:
        return max(0, self.needs - self.region.pages)

    @property
    def last(self) -> int:
        return self.first + self.given - 1


class Overflow(RenderError):
    """Answers longer than their pages; ``placed`` says which and by how much."""

    def __init__(self, placed: list[Placed]):
        self.placed = [p for p in placed if p.overflow]
        super().__init__("; ".join(overflow_text(p) for p in self.placed))


def overflow_text(p: Placed) -> str:
    extra = p.overflow
    return (f"{p.region.label} is {extra} page{'s' if extra > 1 else ''} too long: it needs {p.needs} "
            f"and the template gives it {p.region.pages} (shorten it, or make figures smaller)")


def _string(text: str) -> str:
    """A Typst string literal (in code mode it shows as plain text, whatever the characters)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _opener(index: int, region: Region, running_title: str, breaks_before: int) -> str:
    note = (f' #h(0.8em) #text(fill: rgb(190, 0, 0), weight: "bold", {_string(region.note)})'
            if region.note else "")
    header = (f'[#set text(size: 9pt); #text(weight: "bold", {_string(region.label)}){note}'
              f' #h(1fr) #text(fill: luma(110), {_string(running_title)}) #v(-4pt) #line(length: 100%, '
              'stroke: 0.4pt + luma(170))]')
    return ("#pagebreak()\n" * breaks_before
            + f"#set page(header: {header})\n"
            + f"#context [#metadata(({index}, here().page())) <region-start>]")


def _starts(compiler, source, marks, shift) -> tuple[list[int], int]:
    found = json.loads(run_typst(lambda: compiler.query("<region-start>"), source, marks, shift))
    final = json.loads(run_typst(lambda: compiler.query("<region-final>"), source, marks, shift))
    firsts = [page for _, page in sorted(m["value"] for m in found)]
    return firsts, final[0]["value"]


def _document(regions: list[Region], pads: list[int], title: str, running_title: str, extra: str):
    """Typst source of the regions with ``pads[i]`` blank pages after region i."""
    openers = []
    for i, region in enumerate(regions):
        # k blank pages after a region: k + 1 page breaks, the last of which the next region's own
        # page setting absorbs; none when k is 0 (the setting starts a new page by itself)
        before = pads[i - 1] + 1 if i and pads[i - 1] else 0
        openers.append(_opener(i, region, running_title, before))
    tail = "#pagebreak()\n" * pads[-1] + "#context [#metadata(here().page()) <region-final>]"
    sections = list(regions) + [Section("the end of the document", "")]
    openers.append(tail)
    body, marks = to_typst(sections, openers=openers, separator="\n\n")
    source, shift = typst_source(body, title, extra)
    return source, shift, body, marks


def layout_pdf(regions: list[Region], output: Path, root: Path, title: str, running_title: str = "", *,
               draft: bool = False, system_fonts: bool = False) -> tuple[list[Placed], list[str]]:
    """Write ``output`` with every region on exactly its pages; return where they landed and warnings.

    Regions must already be ``resolve``d. An answer longer than its pages raises ``Overflow``; with
    ``draft`` the PDF is written anyway (the long region keeps its extra pages, marked in its header,
    so the pages no longer line up with the template) under a DRAFT watermark.
    """
    if not regions:
        raise RenderError("nothing to lay out")
    extra = WATERMARK if draft else ""
    source, shift, body, marks = _document(regions, [0] * len(regions), title, running_title, extra)
    compiler = typst_compiler(source, root, system_fonts)
    firsts, final = _starts(compiler, source, marks, shift)
    ends = firsts[1:] + [final + 1]
    placed = [Placed(r, first, end - first, end - first) for r, first, end in zip(regions, firsts, ends, strict=True)]
    too_long = [p for p in placed if p.overflow]
    if too_long and not draft:
        raise Overflow(placed)
    for p in too_long:
        p.region.note = f"{p.region.note + '; ' if p.region.note else ''}too long by {p.overflow} page" \
                        + ("s" if p.overflow > 1 else "")
    pads = [max(0, p.region.pages - p.needs) for p in placed]
    source, shift, body, marks = _document(regions, pads, title, running_title, extra)
    compiler = typst_compiler(source, root, system_fonts)
    firsts, final = _starts(compiler, source, marks, shift)
    ends = firsts[1:] + [final + 1]
    for p, first, end in zip(placed, firsts, ends, strict=True):
        p.first, p.given = first, end - first
        if p.given != max(p.needs, p.region.pages):
            raise RenderError(f"{p.region.label}: laid out on {p.given} pages instead of "
                              f"{max(p.needs, p.region.pages)} (the layout did not settle; please report this)")
    pdf = run_typst(compiler.compile, source, marks, shift)
    if not isinstance(pdf, bytes):
        raise RenderError(f"typst returned {type(pdf).__name__}, not a PDF")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(pdf)
    return placed, latex_outside_math(body, marks)
