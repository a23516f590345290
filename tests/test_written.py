"""The written part: the source format, the PDFs and their page structure, the fixed answer template,
the student's report command (final, draft, cover, LaTeX), staff answers computed from runs, and keys."""

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from parallel import by_assignment
from pypdf import PdfReader

from autograder.staff.build import requirements
from autograder.staff.repo import Repo
from autograder.staff.written import parse
from autograder.staff.written.answers import AnswerError, Runs, render_answer, typed_numbers
from autograder.staff.written.documents import PLACEHOLDER, build_documents, bundle_files
from autograder.staff.written.reference import reference_report
from autograder.student.written.render import RenderError, Section, compile_pdf, resolve, to_typst
from autograder.student.written.report import render_report

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"
ASSIGNMENTS = sorted(p.parent.parent.name for p in (REPO / "assignments").glob("*/written/questions.md"))


def question_starts(pdf: Path) -> list[tuple[int, str]]:
    """(page index, title) of every top-level "Question N" bookmark, in document order."""
    reader = PdfReader(pdf)
    return [(reader.get_destination_page_number(o), o.title) for o in reader.outline
            if not isinstance(o, list) and o.title.startswith("Question ")]


def assert_one_question_per_page(pdf: Path, numbers: list[int]) -> None:
    reader = PdfReader(pdf)
    starts = question_starts(pdf)
    found = [int(re.match(r"Question (\d+):", title).group(1)) for _, title in starts]
    assert found == numbers, f"{pdf.name}: question bookmarks {found}, expected {numbers}"
    pages = [page for page, _ in starts]
    assert pages == sorted(set(pages)) and pages[0] >= 1, f"{pdf.name}: questions start on pages {pages}"
    for page, title in starts:
        first = reader.pages[page].extract_text().strip().splitlines()[0]
        number = title.split(":")[0]
        assert first.startswith(number + ":"), f"{pdf.name} page {page + 1} starts with {first!r}, not {number}"


def words(text: str) -> list[str]:
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|!\[[^\]]*\]\([^)]*\)", " ", text, flags=re.S)
    return re.findall(r"[a-z]{2,}", text.lower())


def answer_phrases(written, n: int = 7) -> list[set[str]]:
    """Per question, the word 7-grams of its staff answer that its public text does not contain."""
    out = []
    for q in written.questions:
        public = " ".join(words(q.body + " " + q.title))
        ws = words(q.solution)
        grams = {" ".join(ws[i:i + n]) for i in range(len(ws) - n + 1)}
        out.append({g for g in grams if g not in public})
    return out


def pdf_words(pdf: Path) -> str:
    return " ".join(words(" ".join(page.extract_text() for page in PdfReader(pdf).pages)))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The questions and key PDFs of every assignment (what `autograder build` writes to dist/)."""
    out = tmp_path_factory.mktemp("dist")
    repo = Repo(REPO)
    return {aid: dict(zip(("questions", "template", "outline", "key"),
                          build_documents(repo.assignment(aid), repo.manifest(aid).title, aid, out), strict=True))
            for aid in ASSIGNMENTS}


def test_every_assignment_has_a_written_part():
    assert ASSIGNMENTS == ["a1_neural_nets", "a2_cnns", "a3_interpretability", "a4_sequences"]


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_sources_parse_with_a_review_and_a_report(aid):
    written = parse(REPO / "assignments" / aid / "written" / "questions.md")
    assert len(written.questions) >= 6
    assert any("### Papers" in q.body for q in written.questions), "no paper review question"
    report = [q for q in written.questions if q.expects]
    assert len(report) >= 2, "fewer than two report questions naming figures or tables"
    for q in report:  # the reference answer shows what the template asks the student to show
        shown = set(re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", q.solution))
        assert shown == {e.path for e in q.expects}, f"question {q.number}: answer shows {shown}"


@pytest.mark.slow   # typesets every real assignment's questions and key
@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_questions_and_key_pdfs_one_question_per_page_no_answers_for_students(built, aid):
    questions_pdf, key_pdf = built[aid]["questions"], built[aid]["key"]
    written = parse(REPO / "assignments" / aid / "written" / "questions.md")
    numbers = [q.number for q in written.questions]
    for pdf in (questions_pdf, key_pdf):
        assert_one_question_per_page(pdf, numbers)
    student_text, key_text = pdf_words(questions_pdf), pdf_words(key_pdf)
    phrases = answer_phrases(written)
    leaked = [(q.number, g) for q, grams in zip(written.questions, phrases, strict=True) for g in grams if g in student_text]
    assert not leaked, f"staff answer text in {questions_pdf.name}: {leaked[:3]}"
    in_key = [q.number for q, grams in zip(written.questions, phrases, strict=True) if grams & set(_grams(key_text))]
    assert len(in_key) >= len(numbers) - 1, f"the key shows the answers of questions {in_key} only"
    assert "Rubric" in key_text.title() and "rubric" not in student_text


def _grams(text: str, n: int = 7):
    ws = text.split()
    return (" ".join(ws[i:i + n]) for i in range(len(ws) - n + 1))


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_source_errors_name_file_and_line(tmp_path):
    good = (TOY / "assignments" / "toy" / "written" / "questions.md").read_text()
    q2 = _line_of(good, "## Question 2:")
    q1_solution = _line_of(good, "BEGIN SOLUTION")
    cases = {
        "## Question 1 - bad heading (3 points)": (good.replace("## Question 1: A derivative (3 points)",
                                                                "## Question 1 - bad heading (3 points)"), ":6:"),
        "question 4 where question 3": (good.replace("## Question 3:", "## Question 4:"),
                                        f":{_line_of(good, '## Question 3:')}: question 4 where"),
        "add up to 3 points, the heading says 4": (good.replace("A derivative (3 points)", "A derivative (4 points)"),
                                                   "heading says 4"),
        "unclosed": (good.replace("<!-- END SOLUTION -->\n\n## Question 2", "\n## Question 2", 1),
                     f":{q2 - 1}: a question heading inside the solution block opened at line {q1_solution}"),
        "never closed": (good.rstrip().removesuffix("<!-- END SOLUTION -->"), "never closed"),
        "no rubric": (good.replace("### Rubric\n- (2) $2^n$, with a reason.", ""), "no rubric"),
        "outside": (good.replace("`runs/demo/curves.png`", "`../curves.png`"), "inside the assignment folder"),
        "sub-parts out of order": (good.replace("(b) {pages=2} Evaluate", "(c) {pages=2} Evaluate"),
                                   "labelled (a), (b) in order; found (a), (c)"),
        "rubric item without its sub-part": (good.replace("- (1) (b) Gets", "- (1) Gets"),
                                             "each rubric item starts with the one it grades"),
        "pages on the heading of a question with sub-parts": (
            good.replace("A derivative (3 points)", "A derivative (3 points) {pages=2}"), "give their pages on their lines"),
        "a stray pages attribute": (good.replace("How many subsets", "{pages=2} How many subsets"),
                                    "`{pages=N}` belongs at the end of the question's heading"),
        "an answer without its sub-part": (good.replace("(b) Since $f(0)", "Since $f(0)"),
                                           "the staff answer has no paragraph starting with (b)"),
    }
    for name, (text, words_expected) in cases.items():
        path = tmp_path / "questions.md"
        path.write_text(text)
        with pytest.raises(ValueError, match=re.escape(words_expected)) as err:
            parse(path)
        assert str(path) in str(err.value), (name, str(err.value))


def test_sub_parts_carry_their_pages_points_prompt_and_answer():
    written = parse(TOY / "assignments" / "toy" / "written" / "questions.md")
    q1, q2, q3 = written.questions
    assert [(s.letter, s.pages, s.points) for s in q1.subparts] == [("a", 1, 2), ("b", 2, 1)]
    assert q1.subparts[1].prompt.startswith("(b) Evaluate") and "{pages" not in q1.body
    assert q1.subparts[0].solution.startswith("(a) By the chain rule") and "one quarter" in q1.subparts[1].solution
    assert (q2.subparts, q2.pages, q3.pages) == ([], 1, 2) and q1.total_pages == 3


def test_student_requirements_carry_the_report_packages():
    manifest = Repo(TOY).manifest("toy")
    student = requirements(manifest, student=True)
    assert any(r.startswith("typst") for r in student) and any(r.startswith("pypandoc_binary") for r in student)
    assert not any(r.startswith(("typst", "pypandoc")) for r in requirements(manifest))


def _unpack(bundle_zip: Path, where: Path) -> Path:
    with zipfile.ZipFile(bundle_zip) as zf:
        zf.extractall(where)
    return where / "toy"


def _report(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "report", *args], cwd=folder, capture_output=True,
                          text=True, timeout=180, env={"PATH": "/usr/bin:/bin", "HOME": str(folder)})


_LABEL = re.compile(r"^(Cover|Question \d+(?: \([a-z]\))?)(?=\s|$)")


def page_labels(pdf: Path) -> list[str]:
    """The region label in each page's header ("Cover", "Question 3", "Question 1 (b)")."""
    out = []
    for page in PdfReader(pdf).pages:
        lines = [line.strip() for line in page.extract_text().splitlines()]
        out.append(next((m.group(1) for line in lines[:4] if (m := _LABEL.match(line))), "?"))
    return out


COVER = {"Name": "Ada Lovelace", "Collaborators": "none", "Signed": "Ada Lovelace"}


def fill(template: str, answers=None, cover=COVER) -> str:
    """A report.md with the cover filled in and every placeholder replaced (by ``answers`` in order)."""
    for name, value in cover.items():
        template = template.replace(f"**{name}:** \n", f"**{name}:** {value}\n")
    answers = iter(answers or [])
    return re.sub(re.escape(PLACEHOLDER) + r"(?!`)", lambda _: next(answers, "A short answer, $x^2 + 1$."), template)


def test_bundle_template_refused_blank_then_rendered_on_the_template_pages(toy_zips, tmp_path):
    _, bundle_zip = toy_zips
    folder = _unpack(bundle_zip, tmp_path)
    template = (folder / "report.md").read_text()
    for heading in ("## Question 1: A derivative (3 points)", "### (a)", "### (b)", "## Question 2: Counting (2 points)",
                    "## Question 3: The demo run (5 points)", "**Name:**", "**Collaborators:**", "**Signed:**",
                    "**Honour code.**"):
        assert heading in template
    assert template.count(PLACEHOLDER) == 5  # one per sub-part or question, and the instructions name it
    assert "first page" not in template   # no page tagging on Gradescope
    written = parse(TOY / "assignments" / "toy" / "written" / "questions.md")
    bundle_text = " ".join(" ".join(words(p.read_text(errors="replace"))) for p in folder.rglob("*")
                           if p.is_file() and p.suffix in (".md", ".json", ".txt"))
    bundle_text += " " + pdf_words(folder / "toy_questions.pdf") + " " + pdf_words(folder / "toy_template.pdf")
    assert not [g for grams in answer_phrases(written) for g in grams if g in bundle_text]

    blank = _report(folder)
    assert blank.returncode == 2, blank.stdout + blank.stderr
    assert "unanswered: Question 1 (a), Question 1 (b), Question 2, Question 3" in blank.stdout
    assert "the cover needs Name, Collaborators, Signed" in blank.stdout and "runs/demo/curves.png" in blank.stdout
    assert "Traceback" not in blank.stdout + blank.stderr and not (folder / "toy_report.pdf").exists()

    filled = fill(template, ["Since $f = (1 + e^{-x})^{-1}$, $f' = f(1 - f)$.",
                             "$f'(0) = \\frac{1}{2} \\cdot \\frac{1}{2} = \\frac{1}{4}$.",
                             "$$\n\\sum_{k=0}^{n} \\binom{n}{k} = 2^n\n$$", "The loss falls every epoch."])
    (folder / "report.md").write_text(filled)
    no_runs = _report(folder)
    assert no_runs.returncode == 2 and "unanswered" not in no_runs.stdout and "cover" not in no_runs.stdout
    assert "Question 3: runs/demo/curves.png" in no_runs.stdout and "Question 3: runs/demo/metrics.csv" in no_runs.stdout

    subprocess.run([sys.executable, "-c", "from autograder.runs import Run\nwith Run('demo') as r:\n"
                    "    [r.log(epoch=e, loss=0.5 ** e) for e in range(4)]"], cwd=folder, check=True, timeout=120)
    done = _report(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nothing to tag" in done.stdout and "first page" not in done.stdout
    pdf = folder / "toy_report.pdf"
    expected = ["Cover", "Question 1 (a)", "Question 1 (b)", "Question 1 (b)", "Question 2", "Question 3", "Question 3"]
    assert page_labels(pdf) == page_labels(folder / "toy_template.pdf") == expected
    text = [page.extract_text() for page in PdfReader(pdf).pages]
    assert "Ada Lovelace" in text[0] and "honour" not in text[0].lower().split("honour code")[0]
    assert "0.125" in text[5] and "epoch" in text[5]  # the metrics table is in the PDF

    (folder / "report.md").write_text(filled.replace("## Question 2: Counting (2 points)", "## Question 9: Counting"))
    wrong = _report(folder)
    assert wrong.returncode == 2 and "`## Question 2: ...` is missing" in wrong.stdout and "no question 9" in wrong.stdout
    (folder / "report.md").write_text(filled.replace("### (b)", "### (c)"))
    wrong = _report(folder, "--draft")   # a broken structure is refused, draft or not
    assert wrong.returncode == 2 and "`### (b)` is missing" in wrong.stdout and "no sub-part (c)" in wrong.stdout
    (folder / "report.md").write_text(filled.replace("The loss falls", "Bad $\\frac{1}{2$ math"))
    bad = _report(folder)
    assert bad.returncode == 2 and "Question 3" in bad.stdout and "\\frac{1}{2" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_an_answer_longer_than_its_pages_is_refused_naming_it_and_by_how_much(toy_zips, tmp_path):
    _, bundle_zip = toy_zips
    folder = _unpack(bundle_zip, tmp_path)
    subprocess.run([sys.executable, "-c", "from autograder.runs import Run\nwith Run('demo') as r:\n"
                    "    [r.log(epoch=e, loss=0.5 ** e) for e in range(4)]"], cwd=folder, check=True, timeout=120)
    long_answer = "\n\n".join(["A paragraph of a derivation that goes on and on, line after line. " * 8] * 24)
    (folder / "report.md").write_text(fill((folder / "report.md").read_text(), ["Short.", long_answer]))
    too_long = _report(folder)
    assert too_long.returncode == 2 and not (folder / "toy_report.pdf").exists()
    found = re.search(r"Question 1 \(b\) is (\d+) pages? too long: it needs (\d+) and the template gives it 2",
                      too_long.stdout)
    assert found and int(found.group(2)) - 2 == int(found.group(1)) >= 1, too_long.stdout
    draft = _report(folder, "--draft")   # the draft shows it, marked, and says what to fix
    assert draft.returncode == 0 and f"Question 1 (b) is {found.group(1)} page" in draft.stdout
    assert page_labels(folder / "toy_draft.pdf").count("Question 1 (b)") == int(found.group(2))


def test_draft_marks_blanks_and_missing_files_under_a_watermark(toy_zips, tmp_path):
    _, bundle_zip = toy_zips
    folder = _unpack(bundle_zip, tmp_path)
    template = (folder / "report.md").read_text()
    (folder / "report.md").write_text(fill(template, ["Done: $f' = f(1 - f)$."], cover={"Name": "Ada"}))
    draft = _report(folder, "--draft")
    assert draft.returncode == 0, draft.stdout + draft.stderr
    assert "DRAFT" in draft.stdout and "unanswered: Question 1 (b)" not in draft.stdout  # fill() answered them all
    (folder / "report.md").write_text(template.replace("**Name:** \n", "**Name:** Ada\n"))
    draft = _report(folder, "--draft")
    assert draft.returncode == 0, draft.stdout + draft.stderr
    for todo in ("cover: Collaborators, Signed missing", "unanswered: Question 1 (a)", "unanswered: Question 3",
                 "missing file: Question 3: runs/demo/curves.png"):
        assert todo in draft.stdout, draft.stdout
    pdf = folder / "toy_draft.pdf"
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    assert all("DRAFT" in page for page in pages) and not (folder / "toy_report.pdf").exists()
    assert "Unanswered" in pages[1] and "(missing)" in pages[0] and "Missing file:" in pages[5]
    assert page_labels(pdf) == page_labels(folder / "toy_template.pdf")


def test_answers_in_latex_fragments_and_tex_files(toy_zips, tmp_path):
    _, bundle_zip = toy_zips
    folder = _unpack(bundle_zip, tmp_path)
    subprocess.run([sys.executable, "-c", "from autograder.runs import Run\nwith Run('demo') as r:\n"
                    "    [r.log(epoch=e, loss=0.5 ** e) for e in range(4)]"], cwd=folder, check=True, timeout=120)
    (folder / "answers").mkdir()
    (folder / "answers" / "q1b.tex").write_text(
        "\\newcommand{\\half}{\\tfrac{1}{2}}\nWe get \\textbf{one quarter}: $f'(0) = \\half \\cdot \\half$.\n"
        "\\begin{itemize}\\item first \\item second\\end{itemize}\n")
    fence = ("```latex\nBy the \\emph{chain rule},\n\\begin{align}\nf'(x) &= \\frac{e^{-x}}{(1 + e^{-x})^2} \\\\\n"
             "&= f(x)\\,(1 - f(x)).\n\\end{align}\n```")
    (folder / "report.md").write_text(fill((folder / "report.md").read_text(), [fence, "![](answers/q1b.tex)"]))
    done = _report(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    pages = [page.extract_text() for page in PdfReader(folder / "toy_report.pdf").pages]
    assert "chain rule" in pages[1] and "\\begin" not in pages[1] and "\\frac" not in pages[1]
    assert "one quarter" in pages[2] and "\\textbf" not in pages[2] and "second" in pages[2]
    (folder / "answers" / "q1b.tex").write_text("Uses \\mymacro{3} here.")
    bad = _report(folder)
    assert bad.returncode == 2 and "\\mymacro" in bad.stdout and "answers/q1b.tex" in bad.stdout
    (folder / "report.md").write_text(fill((folder / "report.md").read_text().replace("![](answers/q1b.tex)", "x"),
                                           []).replace("\\emph{chain rule}", "\\unknowncmd{chain rule}"))
    bad = _report(folder, "--draft")
    assert bad.returncode == 2 and "question 1 (a)" in bad.stdout and "\\unknowncmd" in bad.stdout


@pytest.mark.slow   # typesets every real assignment's template and a filled report
@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_a_filled_report_lines_up_page_for_page_with_the_template(aid, tmp_path):
    """Every assignment: report.md from the bundle, filled in with short answers and stand-ins for the run
    files, renders to a PDF whose page n carries the same question label as the template's page n."""
    repo = Repo(REPO)
    files = bundle_files(repo.assignment(aid), repo.manifest(aid).title, aid, "bundle")
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    folder = tmp_path / "bundle"
    info = json.loads((folder / ".autograder-written.json").read_text())
    for q in info["questions"]:
        for rel in q["expects"]:
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel.endswith(".png"):
                import matplotlib
                matplotlib.use("Agg")
                import matplotlib.pyplot as plt
                fig, ax = plt.subplots(figsize=(4, 2))
                ax.plot([0, 1], [1, 0])
                fig.savefig(target, dpi=60)
                plt.close(fig)
            else:
                target.write_text({".csv": "epoch,loss\n1,0.5\n", ".json": '{"bleu": 1.0}\n'}.get(target.suffix, "text\n"))
    (folder / "report.md").write_text(fill((folder / "report.md").read_text()))
    assert render_report(folder) == 0
    template, report = page_labels(folder / f"{aid}_template.pdf"), page_labels(folder / f"{aid}_report.pdf")
    assert report == template and "?" not in template
    outline = build_outline = json.loads(Path(built_outline(aid, tmp_path)).read_text())
    assert outline["pages"] == len(template)
    for q in build_outline["questions"]:
        for part in q.get("parts") or [q]:
            label = f"Question {q['number']}" + (f" {part['label']}" if "label" in part else "")
            first, last = part["pages"]
            assert template[first - 1:last] == [label] * (last - first + 1), (label, part["pages"])


def built_outline(aid: str, where: Path) -> Path:
    repo = Repo(REPO)
    paths = build_documents(repo.assignment(aid), repo.manifest(aid).title, aid, where / "dist")
    return next(p for p in paths if p.name.endswith("_outline.json"))


def test_usual_latex_math_renders(tmp_path):
    formulas = [r"\frac{a}{b}", r"\dfrac{\partial L}{\partial z_k}", r"\sqrt{x^2 + y^2}", r"\sum_{i=1}^{N} x_i",
                r"\prod_t p_t", r"\int_0^1 f(x)\,dx", r"\mathbb{E}[X] \in \mathbb{R}^{n \times d}", r"\mathcal{L}(\theta)",
                r"\mathbf{W} \boldsymbol{\alpha}", r"\mathrm{softmax}(z)", r"\operatorname{ReLU}(x)", r"\text{if } x > 0",
                r"\hat{y} \tilde{x} \bar{x} \vec{v}", r"\odot \otimes \oplus \circ \cdot \times \pm",
                r"\leq \geq \neq \approx \propto \sim", r"\in \notin \subset \subseteq \cup \cap \emptyset \forall",
                r"\to \Rightarrow \mapsto", r"\infty \partial \nabla \ell", r"\|W\|_F^2 \lVert x \rVert",
                r"\left( \frac{1}{2} \right) \left\lfloor \frac{H + 2P - K}{S} \right\rfloor", r"\langle a, b \rangle",
                r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", r"\begin{cases} x & x > 0 \\ 0 & \text{else} \end{cases}",
                r"\begin{aligned} a &= b \\ &= c \end{aligned}", r"\mathbb{1}[k = y]", r"X^\top \sigma'(x)",
                r"\underbrace{a + b}_{n}", r"\binom{n}{k}", r"\dots \cdots \quad \qquad"]
    text = "\n\n".join(f"Inline ${f}$ and display\n\n$$\n{f}\n$$" for f in formulas)
    text += "\n\n\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}\n\nand \\(x^2\\) too."
    section = Section("question 1", text)
    resolve(section, tmp_path, placeholder=False)
    assert compile_pdf([section], tmp_path / "math.pdf", tmp_path, "math") == []
    assert len(PdfReader(tmp_path / "math.pdf").pages) >= 2


def test_what_pandoc_gets_wrong_in_math_is_repaired(tmp_path):
    """pandoc 3.9 drops ``\\;``, makes ``\\!`` a whole em, prints ``\\big\\|`` as a word, spaces ``{,}``
    and sets the scripts of ``\\|W\\|_F^2`` above and below the bar."""
    text = ("$A, \\; B \\! C$, $\\big\\| x \\big\\|$, $3{,}325$ and \\#h(0em) as text, in parallel,"
            " $\\|W\\|_F^2 + \\|x\\|$\n\n```\nkeep 1{,}000 and $HOME\n```")
    body, _ = to_typst([Section("question 1", text)])
    assert "lr(bar.v.double W bar.v.double)_F^2 + lr(bar.v.double x bar.v.double)" in " ".join(body.split())
    assert "in parallel," in body and "$HOME" in body
    assert "thick B #h(-0.17em) C$" in body and "#h(-1em)" not in body
    assert "#h(0em)" not in body.replace("\\#h(0em)", "") and "[$parallel$] x" in body
    assert "$3#h(0pt),#h(0pt)325$" in body and "keep 1{,}000" in body
    section = Section("question 1", text)
    resolve(section, tmp_path, placeholder=False)
    assert compile_pdf([section], tmp_path / "math.pdf", tmp_path, "math") == []
    assert "3,325" in PdfReader(tmp_path / "math.pdf").pages[0].extract_text()


def _render(section: Section, folder: Path) -> None:
    resolve(section, folder, placeholder=False)
    compile_pdf([section], folder / "x.pdf", folder, "x")


def test_render_problems_are_render_errors(tmp_path):
    for text, expected in [("![x](../outside.png)", "outside the folder"),
                           ("![x](https://example.org/a.png)", "on the web"),
                           ("$\\frac{1}{$", "does not read as LaTeX")]:
        section = Section("question 4", text)
        with pytest.raises(RenderError, match=re.escape(expected)) as err:
            _render(section, tmp_path)
        assert "question 4" in str(err.value)


def _quiet(*_):
    pass


def _copy_toy(tmp_path: Path) -> tuple[Path, Path]:
    """The toy's assignment and solution folders under tmp_path (whose .cache/ the runs may then fill)."""
    shutil.copytree(TOY / "assignments" / "toy", tmp_path / "assignments" / "toy")
    shutil.copytree(TOY / "solutions" / "toy", tmp_path / "solutions" / "toy")
    return tmp_path / "assignments" / "toy", tmp_path / "solutions" / "toy"


def test_key_and_reference_report_from_the_runs_and_pending_or_failed_runs(tmp_path):
    adir, sol = _copy_toy(tmp_path)
    dist = tmp_path / "dist"
    problems, notes = reference_report(adir, sol, "Toy", "toy", dist, log=_quiet)
    assert problems == [] and notes == []
    reference, key = dist / "toy_report_reference.pdf", dist / "toy_key.pdf"
    assert page_labels(reference) == page_labels(built_outline_template(adir, tmp_path))
    pages = [page.extract_text() for page in PdfReader(reference).pages]
    assert "0.125" in pages[5] and "from 1.000 at the start to 0.125 after 3 epochs" in " ".join(pages[5].split())
    assert "A longer run keeps halving" not in " ".join(pages)        # KEY ONLY: the key has it, the report not
    key_text = " ".join(" ".join(page.extract_text() for page in PdfReader(key).pages).split())
    assert "A longer run keeps halving" in key_text and "from 1.000 at the start to 0.125" in key_text
    assert "Shortened for CI (demo)" in key_text and "range(40)" in key_text      # with the full-length command
    assert "Not available" not in key_text and "INCOMPLETE" not in key_text and "{{" not in key_text
    assert_one_question_per_page(key, [1, 2, 3])

    (adir / "written" / "reference_runs.toml").write_text(
        '[[run]]\nname = "later"\ncommand = ["python", "-c", "raise SystemExit(3)"]\npending = true\n')
    problems, notes = reference_report(adir, sol, "Toy", "toy", dist, log=_quiet)
    assert problems == [] and any("pending" in n for n in notes) and any("runs/demo" in n for n in notes)
    (adir / "written" / "reference_runs.toml").write_text(
        '[[run]]\nname = "broken"\ncommand = ["python", "-c", "raise SystemExit(3)"]\n')
    problems, _ = reference_report(adir, sol, "Toy", "toy", dist, log=_quiet)
    assert any("broken" in p for p in problems) and any("runs/demo" in p for p in problems)


def built_outline_template(adir: Path, tmp_path: Path) -> Path:
    return next(p for p in build_documents(adir, "Toy", "toy", tmp_path / "built") if p.name.endswith("_template.pdf"))


@pytest.mark.slow   # makes the toy's runs twice and builds
def test_runs_are_cached_by_content_and_build_marks_a_key_without_them_incomplete(tmp_path):
    adir, sol = _copy_toy(tmp_path)
    dist = tmp_path / "dist"
    key = build_documents(adir, "Toy", "toy", dist)[-1]
    text = " ".join(page.extract_text() for page in PdfReader(key).pages)
    assert "INCOMPLETE KEY" in text and "autograder verify" in text          # no runs cached yet: said so
    logged = []
    assert reference_report(adir, sol, "Toy", "toy", dist, log=logged.append) == ([], [])
    assert reference_report(adir, sol, "Toy", "toy", dist, log=logged.append) == ([], [])
    assert "reference run demo: ok" in logged[0] and "from the cache" in logged[1]
    key = build_documents(adir, "Toy", "toy", dist)[-1]                      # build finds the cached runs
    text = " ".join(page.extract_text() for page in PdfReader(key).pages)
    assert "INCOMPLETE" not in text and "from the cache" in text and "0.125" in text
    (sol / "calc").mkdir(exist_ok=True)
    (sol / "calc" / "extra.py").write_text("# a change to the solution makes the runs again\n")
    logged.clear()
    assert reference_report(adir, sol, "Toy", "toy", dist, log=logged.append) == ([], [])
    assert "reference run demo: ok" in logged[0]
    assert len(list((tmp_path / ".cache" / "reference-runs" / "toy").iterdir())) == 1   # the older entry dropped


def _runs_folder(tmp_path: Path) -> Runs:
    from autograder.runs import Run

    for name, final in (("small", 0.5), ("large", 0.9)):
        with Run(name, config={"lr": final}, root=tmp_path / "runs") as run:
            for epoch in (1, 2):
                run.log(epoch=epoch, acc=final * epoch / 2)
            run.save_json("summary.json", {"test_acc": final, "data": "toy"})
    return Runs(tmp_path)


def test_answers_read_their_numbers_and_rankings_from_the_runs(tmp_path):
    runs = _runs_folder(tmp_path)
    text = ('{{ run("large").summary.test_acc | pct }} on {{ run("large").summary.data }}; best {{ best(["small", '
            '"large"], "summary.test_acc").name }}, worst {{ worst(["small", "large"], "final.acc").name }}, lowest '
            'first {{ ranked(["small", "large"], "config.lr", lowest=True) | map(attribute="name") | join(" < ") }}; '
            '{{ run("small").column("acc") | map("num", 2) | join("/") }}{{ check(true, "fine") }}'
            '{{ table(["small", "large"], [("run", "name"), ("accuracy", "summary.test_acc", 2)]) }}')
    out = render_answer(text, runs, "question 9")
    assert out.startswith("90% on toy; best large, worst small, lowest first small < large; 0.25/0.50")
    assert "| `small` | 0.50 |" in out and "| `large` | 0.90 |" in out
    for bad, expected in [('{{ run("large").summary.test_accuracy }}', "has no 'test_accuracy' (it has: data, test_acc)"),
                          ('{{ run("nope").summary }}', "runs/nope was not made"),
                          ('{{ check(false, "the large run wins") }}', "no longer agree with the answer: the large run"),
                          ('{{ undefined_name }}', "undefined"), ('{{ run("small" }}', "question 9")]:
        with pytest.raises(AnswerError, match=re.escape(expected)) as err:
            render_answer(bad, runs, "question 9")
        assert "question 9" in str(err.value)


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_no_number_is_typed_into_an_experiment_answer(aid):
    written = parse(REPO / "assignments" / aid / "written" / "questions.md")
    typed = {q.number: typed_numbers(q) for q in written.questions if typed_numbers(q)}
    assert typed == {}, f"{aid}: numbers typed into experiment answers: {typed}"


def test_a_number_typed_into_an_experiment_answer_is_found(tmp_path):
    source = (TOY / "assignments" / "toy" / "written" / "questions.md").read_text()
    path = tmp_path / "questions.md"
    path.write_text(source.replace("The toy loss halves every epoch", "The toy loss halves every epoch, to 0.125"))
    assert any("0.125" in t for t in typed_numbers(parse(path).questions[2]))
    path.write_text(source.replace("The toy loss halves every epoch", "See Question 2 and task 1.3, seq2seq"))
    assert typed_numbers(parse(path).questions[2]) == []      # references and names are not measurements
    assert typed_numbers(parse(path).questions[0]) == []      # theory answers may type their numbers


def test_bundle_info_lists_the_questions(toy_zips):
    _, bundle_zip = toy_zips
    with zipfile.ZipFile(bundle_zip) as zf:
        info = json.loads(zf.read("toy/.autograder-written.json"))
    assert [(q["number"], q["title"], q["points"]) for q in info["questions"]] == [
        (1, "A derivative", 3), (2, "Counting", 2), (3, "The demo run", 5)]


@pytest.mark.slow   # the reference runs (training, unless cached) and every real assignment's key
@pytest.mark.first
@pytest.mark.parametrize("aid", by_assignment(ASSIGNMENTS))
def test_the_key_shows_every_figure_and_computed_number(aid, tmp_path):
    """What `verify` writes: the reference runs (from the repository's cache when their sources have not changed,
    else made now), the complete key and the reference report on the template's pages, and no problem: no
    placeholder, no expression left, no typed number, no answer longer than its pages."""
    repo = Repo(REPO)
    problems, notes = reference_report(repo.assignment(aid), repo.solution(aid), repo.manifest(aid).title, aid,
                                       tmp_path, log=_quiet)
    assert problems == [] and notes == []
    written = parse(REPO / "assignments" / aid / "written" / "questions.md")
    key = " ".join(page.extract_text() for page in PdfReader(tmp_path / f"{aid}_key.pdf").pages)
    for placeholder in ("Not available", "INCOMPLETE", "{%", "Missing file"):
        assert placeholder not in key
    assert not re.search(r"\{\{\s*[a-z_]+\s*[.(|]", key), "a template expression left in the key"
    pictures = sum(len(page.images) for page in PdfReader(tmp_path / f"{aid}_key.pdf").pages)
    shown = sum(1 for q in written.questions for e in q.expects if e.is_figure)
    assert pictures >= shown
    from autograder.staff.written.documents import render_template

    template, _ = render_template(written, repo.manifest(aid).title, aid, tmp_path / "template")
    assert page_labels(tmp_path / f"{aid}_report_reference.pdf") == page_labels(template)


def test_a_few_lines_are_not_left_alone_on_a_page_of_the_key(tmp_path):
    """A section that would spill a few lines onto a new page is set more compactly instead."""
    paragraph = "Some words of a staff answer that go on for a while to fill the page. " * 6 + "\n\n"
    for count in (11, 12):
        sections = [Section("question 1", "# Question 1: T (1 point)\n\n" + paragraph * count),
                    Section("question 2", "# Question 2: U (1 point)\n\nshort")]
        pages = {}
        for avoid in (False, True):
            compile_pdf(sections, tmp_path / "o.pdf", tmp_path, "t", avoid_orphans=avoid)
            pages[avoid] = [len(page.extract_text().splitlines()) for page in PdfReader(tmp_path / "o.pdf").pages]
        assert len(pages[False]) == 3 and pages[False][1] <= 8          # the orphan this guards against
        assert len(pages[True]) == 2 and question_starts(tmp_path / "o.pdf")[1][0] == 1
