"""Markdown with LaTeX math to PDF, offline, from pip-installed packages only.

The path: our Markdown (one section a page) -> pandoc (bundled in the ``pypandoc_binary``
wheel; its texmath library reads LaTeX math such as ``$\\frac{a}{b}$``) -> Typst markup ->
the ``typst`` wheel's compiler -> PDF. No LaTeX installation is involved. The two pins go
together (pyproject.toml): pandoc 3.9 writes symbol names that Typst 0.14 still knows.

Figures and tables a section names as ``![caption](path)`` are resolved against ``root``:
images are placed as they are, ``.csv`` files become tables, ``.json`` files key/value
tables and ``.txt`` files verbatim text. Every problem (a missing file, math pandoc cannot
read, a Typst error) raises ``RenderError`` naming the section it is in.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .tables import embed_file

PAGEBREAK = "\n\n```{=typst}\n#pagebreak(weak: true)\n```\n\n"
IMAGE_REF = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MATH_ENVS = r"(equation|align|gather|multline|eqnarray)\*?"
_FENCE = re.compile(r"^\s*(```|~~~)")
PANDOC_FORMAT = "markdown+tex_math_single_backslash-raw_html-raw_tex-auto_identifiers"

PREAMBLE = """\
#set document(title: "{title}", date: none)
#set page(paper: "us-letter", margin: (x: 2.2cm, y: 2.2cm), numbering: "1 / 1")
#set text(size: 10.5pt)
#set par(justify: false)
#set heading(numbering: none)
#show heading.where(level: 1): it => block(below: 1em, text(size: 15pt, it))
#set table(inset: 5pt, stroke: 0.4pt + luma(180))
#show raw.where(block: true): it => block(fill: luma(246), inset: 6pt, radius: 2pt, width: 100%,
  breakable: it.lines.len() > 30, it)
#let horizontalrule = line(start: (25%, 0%), end: (75%, 0%))
"""


class RenderError(ValueError):
    """A document could not be made; the message says where and why."""


@dataclass
class Section:
    """One piece of a document; every section after the first starts on a new page."""

    label: str               # "cover", "question 3", ... (named in errors)
    markdown: str
    missing: list[str] = field(default_factory=list)   # figure paths that do not exist (filled by resolve)


def pandoc_binary() -> str:
    try:
        import pypandoc
    except ImportError:
        raise RenderError("the report needs pandoc from the pypandoc_binary package: "
                          "pip install -r requirements.txt") from None
    try:
        return pypandoc.get_pandoc_path()
    except OSError:
        raise RenderError("pypandoc is installed without its pandoc: pip install pypandoc_binary") from None


def figure_refs(markdown: str) -> list[tuple[int, int, str, str]]:
    """(start, end, caption, path) of every ``![caption](path)`` outside code, in order."""
    out = []
    offset, fence = 0, None
    for line in markdown.splitlines(keepends=True):
        m = _FENCE.match(line)
        if m and fence in (None, m.group(1)):
            fence = None if fence else m.group(1)
        elif fence is None:
            for ref in IMAGE_REF.finditer(line):
                if line[:ref.start()].count("`") % 2 == 0:  # not inside an inline code span
                    out.append((offset + ref.start(), offset + ref.end(), ref.group(1), ref.group(2)))
        offset += len(line)
    return out


def resolve(section: Section, root: Path, placeholder: bool | str) -> None:
    """Check the figures a section names; turn tables into Markdown; note missing ones in
    ``section.missing``, and with a ``placeholder`` (True, or the words to show) mark them in the text."""
    text = section.markdown
    for start, end, caption, rel in reversed(figure_refs(text)):
        target = (root / rel).resolve()
        if rel.startswith(("http://", "https://")):
            raise RenderError(f"{section.label}: {rel} is on the web; save the figure in the folder and name its path")
        if Path(rel).is_absolute() or not target.is_relative_to(root.resolve()):
            raise RenderError(f"{section.label}: {rel!r} is outside the folder {root}; copy it inside")
        if not target.is_file():
            section.missing.insert(0, rel)
            if placeholder:
                words = placeholder if isinstance(placeholder, str) else "Not available here:"
                text = text[:start] + f"\n\n> **{words}** `{rel}` ({caption or 'figure'})\n\n" + text[end:]
            continue
        try:
            replacement = embed_file(target, rel, caption)
        except ValueError as exc:
            raise RenderError(f"{section.label}: {exc}") from None
        if replacement is not None:
            text = text[:start] + replacement + text[end:]
    section.markdown = wrap_math_environments(text)


def wrap_math_environments(markdown: str) -> str:
    """Put ``$$`` around a bare ``\\begin{align} ... \\end{align}`` so that pandoc reads it as math."""
    lines = markdown.splitlines()
    out, in_display, fence, env = [], False, None, None
    for line in lines:
        stripped = line.strip()
        m = _FENCE.match(line)
        if m and env is None and fence in (None, m.group(1)):
            fence = None if fence else m.group(1)
        elif fence is None and env is None:
            if stripped == "$$":
                in_display = not in_display
            begin = re.match(r"\\begin\{" + MATH_ENVS + r"\}", stripped)
            if begin and not in_display and not stripped.startswith("$$"):
                env = begin.group(0).replace("\\begin", "\\end")
                out.append("$$")
        out.append(line)
        if env is not None and env in line:
            out.append("$$")
            env = None
    return "\n".join(out)


def to_typst(sections: list[Section], openers: list[str] | None = None,
             separator: str = PAGEBREAK) -> tuple[str, list[tuple[int, str]]]:
    """Convert with one pandoc call; return Typst markup and (line, label) where each section starts.

    ``openers`` (Typst markup, one per section) is placed where its section starts, before its content;
    ``separator`` (Markdown) goes between sections: by default a page break.
    """
    markers = [f"```{{=typst}}\n// section {i}\n{openers[i] if openers else ''}\n```" for i in range(len(sections))]
    joined = separator.join(f"{mark}\n\n{s.markdown}" for mark, s in zip(markers, sections, strict=True))
    joined = re.sub(r"(?<=\d)\{,\}(?=\d)", lambda _: THOUSANDS, joined)
    proc = subprocess.run([pandoc_binary(), "-f", PANDOC_FORMAT, "-t", "typst", "--wrap=preserve", "--columns=2000",
                           "--syntax-highlighting=none"], input=joined.encode("utf-8"), capture_output=True)
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RenderError(f"pandoc could not read the Markdown: {stderr.strip()[:1500]}")
    _math_problems(stderr, sections)
    typst_text = fix_pandoc_math(proc.stdout.decode("utf-8"))
    starts = []
    for lineno, line in enumerate(typst_text.splitlines(), start=1):
        m = re.fullmatch(r"// section (\d+)", line.strip())
        if m:
            starts.append((lineno, sections[int(m.group(1))].label))
    return typst_text, starts


THOUSANDS = r"\mathrm{Thousands}"   # stands for LaTeX's {,} between digits while pandoc converts


RAW = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)   # code, where a $ is only a character
MATH_SPAN = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", re.S)
NORM_BAR = re.compile(r"∥|(?<![A-Za-z0-9.\[])parallel(?![A-Za-z0-9.\]])")


def _pair_norm_bars(math: str) -> str:
    """``parallel x parallel`` (pandoc's ``\\|x\\|``) as a delimited pair; an odd count as plain bars."""
    bars = list(NORM_BAR.finditer(math))
    if len(bars) % 2:
        return NORM_BAR.sub("bar.v.double", math)
    out, last = [], 0
    for i, bar in enumerate(bars):
        out += [math[last:bar.start()], "lr(bar.v.double " if i % 2 == 0 else " bar.v.double)"]
        last = bar.end()
    return "".join(out) + math[last:]


def fix_pandoc_math(typst_text: str) -> str:
    """Repair what pandoc 3.9 gets wrong when it writes LaTeX math as Typst.

    - ``\\;`` (and ``\\enspace``) become ``#h(0em)``, no space at all, and ``\\!`` becomes ``#h(-1em)``,
      which draws neighbours on top of each other: Typst's ``thick`` and a sixth of an em instead.
    - ``\\big\\|`` and the like become ``#scale(...)[parallel]``, a content block that prints the
      symbol's name as a word: the name is put back into math.
    - ``3{,}325`` (see ``THOUSANDS``) is a comma without the space Typst puts after a comma in math.
    - ``\\|W\\|_F^2`` becomes ``parallel W parallel_F^2``, a relation whose scripts go above and
      below it: each pair of bars in a formula becomes ``lr(bar.v.double ... bar.v.double)``.
    Text that reads ``#h(...)`` is escaped as ``\\#h`` by pandoc and left alone.
    """
    typst_text = re.sub(r"(?<=[\s$])#h\(0em\)(?=[\s$])", "thick", typst_text)
    typst_text = re.sub(r"(?<=[\s$])#h\(-1em\)(?=[\s$])", "#h(-0.17em)", typst_text)
    typst_text = "".join(part if part.startswith("`") else
                         MATH_SPAN.sub(lambda m: "$" + _pair_norm_bars(m.group(1)) + "$", part)
                         for part in RAW.split(typst_text))
    typst_text = re.sub(r"(#scale\(x: \d+%, y: \d+%\))\[([A-Za-z][A-Za-z.]*)\]", r"\1[$\2$]", typst_text)
    return typst_text.replace(" upright(T h o u s a n d s) ", "#h(0pt),#h(0pt)").replace(THOUSANDS, "{,}")


def _math_problems(stderr: str, sections: list[Section]) -> None:
    problems = []
    for chunk in stderr.split("[WARNING]"):
        m = re.search(r"Could not convert TeX math (.*?), rendering as TeX:(.*)", chunk, re.S)
        if not m:
            continue
        tex, detail = m.group(1).strip().replace(THOUSANDS, "{,}"), m.group(2).strip().splitlines()
        reason = next((d.strip() for d in detail if d.strip().startswith(("unexpected", "expecting"))), "")
        where = _section_of(tex, sections)
        problems.append(f"{where}: the math ${tex}$ does not read as LaTeX ({reason or 'check braces and commands'})")
    if problems:
        raise RenderError("math pandoc cannot read:\n  " + "\n  ".join(problems))


def _section_of(tex: str, sections: list[Section]) -> str:
    """The label of the section holding a formula: delimited matches first (a prefix may occur elsewhere)."""
    flat = " ".join(tex.split())
    texts = [(s.label, " ".join(s.markdown.split())) for s in sections]
    for candidates in ([f"${flat}$", f"\\({flat}\\)", f"$$ {flat} $$", f"$${flat}$$"], [flat[:60]]):
        for label, text in texts:
            if any(c in text for c in candidates):
                return label
    return "somewhere"


def latex_outside_math(typst_text: str, starts: list[tuple[int, str]]) -> list[str]:
    """Warnings for LaTeX commands left as text (a space after an opening $ is the usual cause)."""
    out = []
    for lineno, line in enumerate(typst_text.splitlines(), start=1):
        if "`" in line:
            continue
        found = re.search(r"\\\\([a-zA-Z]{2,})", line)
        if found:
            out.append(f"{_label_at(starts, lineno)}: `\\{found.group(1)}` printed as text, not math "
                       "(write $\\frac{a}{b}$ with no space just inside the dollars)")
    return out


def _label_at(starts: list[tuple[int, str]], lineno: int) -> str:
    label = starts[0][1] if starts else "the document"
    for start, name in starts:
        if start <= lineno:
            label = name
    return label


def typst_source(body: str, title: str, extra_preamble: str = "") -> tuple[str, int]:
    """The whole Typst document and how many lines precede ``body`` (to map error lines back)."""
    header = PREAMBLE.format(title=title.replace("\\", "").replace('"', "'")) + extra_preamble
    return header + "\n" + body, header.count("\n") + 1


def typst_compiler(source: str, root: Path, system_fonts: bool):
    """A compiler loaded with ``source`` (files it reads resolve under ``root``)."""
    try:
        import typst
    except ImportError:
        raise RenderError("the report needs the typst package: pip install -r requirements.txt") from None
    return typst.Compiler(source.encode("utf-8"), root=str(root), ignore_system_fonts=not system_fonts)


def run_typst(action, source: str, starts: list[tuple[int, str]], shift: int):
    """Call ``action()`` (a compile or a query); turn a Typst error into a RenderError naming the section."""
    import typst

    try:
        return action()
    except typst.TypstError as exc:
        m = re.search(r":(\d+):\d+", exc.diagnostic or "")
        lineno = int(m.group(1)) - shift if m else 0
        bad = source.splitlines()[int(m.group(1)) - 1].strip() if m else ""
        raise RenderError(f"{_label_at(starts, lineno)}: typst could not set it: {exc.message}"
                          + (f" (in: {bad[:200]})" if bad else "")) from None


#: Styles a section of a flowing document may be set in, to pull a few orphaned lines back onto its previous
#: page: the normal one, then smaller text and pictures at 90 % and 89 % (9-pt figure labels stay at 8 pt).
COMPACT = ["#set text(size: 10.5pt)\n#show image: it => it",
           "#set text(size: 9.8pt)\n#set par(spacing: 0.9em)\n#show image: it => it",
           "#set text(size: 9.3pt)\n#set par(spacing: 0.8em)\n#show image: it => scale(90%, reflow: true, it)",
           "#set text(size: 8.8pt)\n#set par(spacing: 0.7em)\n#show image: it => scale(89%, reflow: true, it)"]
ORPHAN = 0.16   # a section whose last page holds less than this share of the text height leaves an orphan page
MARGIN, LETTER_HEIGHT = 2.2 / 2.54 * 72, 792.0    # points: the preamble's page


def _orphans(compiler, source: str, starts, shift: int) -> set[int]:
    """The sections (by index) that end a few lines into a page of their own."""
    import json

    found = json.loads(run_typst(lambda: compiler.query("<section-end>"), source, starts, shift))
    first = json.loads(run_typst(lambda: compiler.query("<section-begin>"), source, starts, shift))
    begins = {m["value"][0]: m["value"][1] for m in first}
    out = set()
    for m in found:
        index, page, y = m["value"]
        if page > begins.get(index, page) and (y - MARGIN) < ORPHAN * (LETTER_HEIGHT - 2 * MARGIN):
            out.add(index)
    return out


def compile_pdf(sections: list[Section], output: Path, root: Path, title: str, system_fonts: bool = False,
                avoid_orphans: bool = False) -> list[str]:
    """Write the PDF; return warnings. Sections must already be ``resolve``d.

    Without ``system_fonts`` only the fonts inside the typst wheel are used, so that a staff build
    looks the same on every machine; a student's report may also use the machine's fonts (names in
    other scripts). With ``avoid_orphans``, a section that would leave a few lines alone on its last
    page is set again more compactly (``COMPACT``), up to twice.
    """
    levels = [0] * len(sections)
    for _ in range(len(COMPACT)):
        openers = [f"{COMPACT[level]}\n#context [#metadata(({i}, here().page())) <section-begin>]"
                   for i, level in enumerate(levels)] if avoid_orphans else None
        marked = [Section(s.label, s.markdown + (
            "\n\n```{=typst}\n#context [#metadata((" + str(i) + ", here().page(), here().position().y.pt())) "
            "<section-end>]\n```\n"
            if avoid_orphans else ""), s.missing) for i, s in enumerate(sections)]
        body, starts = to_typst(marked, openers=openers)
        source, shift = typst_source(body, title)
        compiler = typst_compiler(source, root, system_fonts)
        if not avoid_orphans:
            break
        orphans = [i for i in _orphans(compiler, source, starts, shift) if levels[i] + 1 < len(COMPACT)]
        if not orphans:
            break
        for i in orphans:
            levels[i] += 1
    pdf = run_typst(compiler.compile, source, starts, shift)
    if not isinstance(pdf, bytes):
        raise RenderError(f"typst returned {type(pdf).__name__}, not a PDF")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(pdf)
    return latex_outside_math(body, starts)
