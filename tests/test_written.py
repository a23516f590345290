"""The written part: the source format, the PDFs and their page structure, the student's report command."""

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from autograder.staff.build import requirements
from autograder.staff.repo import Repo
from autograder.staff.written import parse
from autograder.staff.written.documents import PLACEHOLDER, build_documents
from autograder.staff.written.reference import reference_report
from autograder.student.written.render import RenderError, Section, compile_pdf, resolve, to_typst

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
    return {aid: build_documents(repo.assignment(aid), repo.manifest(aid).title, aid, out) for aid in ASSIGNMENTS}


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
    questions_pdf, key_pdf = built[aid]
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


def test_source_errors_name_file_and_line(tmp_path):
    good = (TOY / "assignments" / "toy" / "written" / "questions.md").read_text()
    cases = {
        "## Question 1 - bad heading (3 points)": (good.replace("## Question 1: A derivative (3 points)",
                                                                "## Question 1 - bad heading (3 points)"), ":6:"),
        "question 4 where question 3": (good.replace("## Question 3:", "## Question 4:"),
                                        f":{good.splitlines().index('## Question 3: The demo run (5 points)') + 1}: "
                                        "question 4 where"),
        "add up to 3 points, the heading says 4": (good.replace("A derivative (3 points)", "A derivative (4 points)"),
                                                   "heading says 4"),
        "unclosed": (good.replace("<!-- END SOLUTION -->\n\n## Question 2", "\n## Question 2", 1),
                      ":17: a question heading inside the solution block opened at line 14"),
        "never closed": (good.rstrip().removesuffix("<!-- END SOLUTION -->"), "never closed"),
        "no rubric": (good.replace("### Rubric\n- (2) $2^n$, with a reason.", ""), "no rubric"),
        "outside": (good.replace("`runs/demo/curves.png`", "`../curves.png`"), "inside the assignment folder"),
    }
    for name, (text, words_expected) in cases.items():
        path = tmp_path / "questions.md"
        path.write_text(text)
        with pytest.raises(ValueError, match=re.escape(words_expected)) as err:
            parse(path)
        assert str(path) in str(err.value), (name, str(err.value))


def test_student_requirements_carry_the_report_packages():
    manifest = Repo(TOY).manifest("toy")
    student = requirements(manifest, student=True)
    assert any(r.startswith("typst") for r in student) and any(r.startswith("pypandoc_binary") for r in student)
    assert not any(r.startswith(("typst", "pypandoc")) for r in requirements(manifest))


def _unpack(bundle_zip: Path, where: Path) -> Path:
    with zipfile.ZipFile(bundle_zip) as zf:
        zf.extractall(where)
    return where / "toy"


def _report(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "report"], cwd=folder, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(folder)})


def test_bundle_template_refused_blank_then_rendered_one_question_per_page(toy_zips, tmp_path):
    _, bundle_zip = toy_zips
    folder = _unpack(bundle_zip, tmp_path)
    template = (folder / "report.md").read_text()
    for heading in ("## Question 1: A derivative (3 points)", "## Question 2: Counting (2 points)",
                    "## Question 3: The demo run (5 points)"):
        assert heading in template
    assert template.count(PLACEHOLDER) == 4  # one per question, and the instructions name it
    written = parse(TOY / "assignments" / "toy" / "written" / "questions.md")
    bundle_text = " ".join(" ".join(words(p.read_text(errors="replace"))) for p in folder.rglob("*")
                           if p.is_file() and p.suffix in (".md", ".json", ".txt"))
    bundle_text += " " + pdf_words(folder / "toy_questions.pdf")
    assert not [g for grams in answer_phrases(written) for g in grams if g in bundle_text]

    blank = _report(folder)
    assert blank.returncode == 2, blank.stdout + blank.stderr
    assert "unanswered: questions 1, 2, 3" in blank.stdout and "runs/demo/curves.png" in blank.stdout
    assert "Traceback" not in blank.stdout + blank.stderr and not (folder / "toy_report.pdf").exists()

    answers = iter(["Since $f' = f(1 - f)$, $f'(0) = \\frac{1}{2} \\cdot \\frac{1}{2} = \\frac{1}{4}$.",
                    "$$\n\\sum_{k=0}^{n} \\binom{n}{k} = 2^n\n$$",
                    "The loss falls every epoch."])
    filled = re.sub(r"(## Question \d.*\n\n)" + re.escape(PLACEHOLDER), lambda m: m.group(1) + next(answers), template)
    (folder / "report.md").write_text(filled)
    no_runs = _report(folder)
    assert no_runs.returncode == 2 and "unanswered" not in no_runs.stdout
    assert "question 3: runs/demo/curves.png" in no_runs.stdout and "question 3: runs/demo/metrics.csv" in no_runs.stdout

    subprocess.run([sys.executable, "-c", "from autograder.runs import Run\nwith Run('demo') as r:\n"
                    "    [r.log(epoch=e, loss=0.5 ** e) for e in range(4)]"], cwd=folder, check=True, timeout=120)
    done = _report(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    pdf = folder / "toy_report.pdf"
    assert_one_question_per_page(pdf, [1, 2, 3])
    text = PdfReader(pdf).pages[question_starts(pdf)[2][0]].extract_text()
    assert "0.125" in text and "epoch" in text  # the metrics table is in the PDF

    (folder / "report.md").write_text(filled.replace("## Question 2: Counting (2 points)", "## Question 9: Counting"))
    wrong = _report(folder)
    assert wrong.returncode == 2 and "`## Question 2: ...` is missing" in wrong.stdout and "no question 9" in wrong.stdout
    (folder / "report.md").write_text(filled.replace("The loss falls", "Bad $\\frac{1}{2$ math"))
    bad = _report(folder)
    assert bad.returncode == 2 and "question 3" in bad.stdout and "\\frac{1}{2" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


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


def test_reference_report_makes_runs_and_reports_pending_ones(tmp_path):
    adir, sol = TOY / "assignments" / "toy", TOY / "solutions" / "toy"
    out = tmp_path / "toy_report_reference.pdf"
    problems, notes = reference_report(adir, sol, "Toy", "toy", out, log=lambda *a: None)
    assert problems == [] and notes == []
    assert_one_question_per_page(out, [1, 2, 3])
    assert "0.125" in pdf_words(out) or "0.125" in PdfReader(out).pages[3].extract_text()

    fake = tmp_path / "assignment"
    (fake / "written").mkdir(parents=True)
    (fake / "written" / "questions.md").write_text((adir / "written" / "questions.md").read_text())
    (fake / "written" / "reference_runs.toml").write_text(
        '[[run]]\nname = "later"\ncommand = ["python", "-c", "raise SystemExit(3)"]\npending = true\n')
    problems, notes = reference_report(fake, sol, "Toy", "toy", out, log=lambda *a: None)
    assert problems == [] and any("pending" in n for n in notes) and any("runs/demo/curves.png" in n for n in notes)
    (fake / "written" / "reference_runs.toml").write_text(
        '[[run]]\nname = "broken"\ncommand = ["python", "-c", "raise SystemExit(3)"]\n')
    problems, _ = reference_report(fake, sol, "Toy", "toy", out, log=lambda *a: None)
    assert any("broken" in p for p in problems) and any("runs/demo/curves.png" in p for p in problems)


def test_bundle_info_lists_the_questions(toy_zips):
    _, bundle_zip = toy_zips
    with zipfile.ZipFile(bundle_zip) as zf:
        info = json.loads(zf.read("toy/.autograder-written.json"))
    assert [(q["number"], q["title"], q["points"]) for q in info["questions"]] == [
        (1, "A derivative", 3), (2, "Counting", 2), (3, "The demo run", 5)]
