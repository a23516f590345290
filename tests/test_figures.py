"""Pictures in public feedback: PNG panels drawn in the grader, HTML outputs with escaped text,
a budget that never cuts inside a tag, hidden tests that show none, and the ``check --html`` page."""

import base64
import io
import json
import re
from html.parser import HTMLParser

import numpy as np
from test_plugin import grading_session

from autograder.grading.figures import MAX_PANELS, Figures, clip_html, html_to_text, output_html, png_bytes
from autograder.grading.results import MAX_HTML_OUTPUT, Results, TestResult, validate, write_atomic


def _decode_png(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_png_encoder_round_trips_through_a_real_decoder():
    rng = np.random.default_rng(0)
    for shape in [(1, 1, 3), (7, 3, 3), (40, 56, 3)]:
        pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
        assert np.array_equal(_decode_png(png_bytes(pixels)), pixels)


def test_panels_share_the_expected_scale_and_show_the_difference():
    expected = np.linspace(0, 1, 20 * 30).reshape(20, 30)
    figures = Figures()
    figures.compare("image 1", expected, 2 * expected, kind="map")
    row = figures.rows[0]
    assert [p.caption for p in row.panels][:2] == ["expected", "yours"]
    assert row.panels[2].caption.startswith("yours minus expected (largest 1")
    mine = _decode_png(base64.b64decode(row.panels[1].uri.split(",", 1)[1]))
    theirs = _decode_png(base64.b64decode(row.panels[0].uri.split(",", 1)[1]))
    assert (mine[-1, -1] == theirs[-1, -1]).all()          # both top out at the expected's maximum
    assert not (mine[10, 10] == theirs[10, 10]).all()      # twice as large shows


def test_what_cannot_be_drawn_becomes_a_note_not_an_error():
    figures = Figures()
    figures.compare("bad", np.zeros((4, 5)), "not an array", kind="map")
    figures.compare("nan", np.zeros((4, 5)), np.full((4, 5), np.nan), kind="map")
    figures.compare("shape", np.zeros((4, 5, 3)), np.zeros((2, 2, 2, 2)), kind="rgb")
    notes = [p.note for r in figures.rows for p in r.panels if p.note]
    assert notes == ["nothing to draw (str)", "nothing to draw (NaN or infinite values)",
                     "nothing to draw (shape (2, 2, 2, 2), not an image)"]


def test_large_arrays_are_averaged_down_and_panels_are_capped():
    figures = Figures()
    figures.row("big", [("a", np.ones((500, 300)))], kind="map")
    assert max(figures.rows[0].panels[0].width, figures.rows[0].panels[0].height) <= 96
    for i in range(20):
        figures.row(f"r{i}", [("x", np.ones((3, 3)))], kind="map")
    assert sum(len(r.panels) for r in figures.rows) == MAX_PANELS


def test_student_text_and_captions_are_escaped():
    figures = Figures()
    figures.row('<script>alert("x")</script>', [("<b>caption</b>", np.ones((3, 3)))], kind="map")
    out = output_html("got <img src=x onerror=alert(1)> & more", figures.html())
    assert "<script>" not in out and "<img src=x" not in out and "<b>caption" not in out
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in out
    assert "got <img src=x onerror=alert(1)> & more" in html_to_text(out)


class _Balance(HTMLParser):
    VOID = {"img", "br"}

    def __init__(self):
        super().__init__()
        self.stack, self.ok = [], True

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
        elif tag == "img":
            src = dict(attrs).get("src", "")
            try:
                base64.b64decode(src.split(",", 1)[1], validate=True)
                self.ok &= src.startswith("data:image/png;base64,")
            except (ValueError, IndexError):
                self.ok = False

    def handle_endtag(self, tag):
        self.ok &= bool(self.stack) and self.stack.pop() == tag


def test_the_html_budget_never_cuts_inside_a_tag_a_reference_or_an_image():
    rng = np.random.default_rng(1)
    figures = Figures()
    for i in range(4):
        figures.compare(f"image {i}", rng.random((40, 50)), rng.random((40, 50)), kind="map")
    page = output_html("a <tag> & text\n" * 300, figures.html())
    images = re.findall(r'<img [^>]*>', page)
    for limit in list(range(0, 3000, 37)) + list(range(3000, len(page) + 2000, 997)):
        cut = clip_html(page, limit)
        assert len(cut) <= max(limit, 80), (limit, len(cut))
        checker = _Balance()
        checker.feed(cut)
        assert checker.ok and not checker.stack, limit
        assert all(img in images for img in re.findall(r'<img [^>]*>', cut)), limit   # whole images only
        assert not re.search(r"&[#\w]*$", re.sub(r"<[^>]*>", "", cut.split("<p><em>[...")[0])), limit
    assert clip_html(page, len(page)) == page


def test_results_keep_html_outputs_under_their_budget_and_valid(tmp_path):
    rng = np.random.default_rng(2)
    figures = Figures()
    for i in range(MAX_PANELS // 3):
        figures.compare(f"image {i}", rng.random((90, 90)), rng.random((90, 90)), kind="map")
    big = output_html("x" * 5000, figures.html() * 4)
    assert len(big) > MAX_HTML_OUTPUT
    doc = Results(score=0.0, tests=[TestResult(f"t{i}", 0.0, 1.0, "failed", big, output_format="html")
                                    for i in range(12)])
    path = tmp_path / "results.json"
    write_atomic(doc, path)
    written = json.loads(path.read_text())
    assert validate(written) == [] and path.stat().st_size < 1_000_000
    for test in written["tests"]:
        checker = _Balance()
        checker.feed(test["output"])
        assert checker.ok and not checker.stack and test["output"].startswith("<pre>")


FIGURE_TESTS = '''
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight


@weight(1)
@number("1.1")
def test_pictured(figures):
    figures.compare("image 1", np.eye(5), np.zeros((5, 5)), kind="map")
    assert False, "the map is <wrong> & empty"


@weight(1)
@number("1.2")
def test_plain():
    assert False, "no <pictures> here"
'''


def test_public_tests_with_pictures_are_html_and_hidden_ones_show_none(pytester):
    (pytester.path / "public").mkdir()
    (pytester.path / "public" / "test_pub.py").write_text(FIGURE_TESTS)
    (pytester.path / "hidden").mkdir()
    (pytester.path / "hidden" / "test_sec.py").write_text(FIGURE_TESTS.replace('"1.', '"2.'))
    doc, _ = grading_session(pytester)
    by = {(t["number"]): t for t in doc["tests"]}
    pictured = by["1.1"]
    assert pictured["output_format"] == "html" and pictured["output"].count("<img ") == 3
    assert "the map is &lt;wrong&gt; &amp; empty" in pictured["output"]
    assert by["1.2"]["output_format"] == "text" and by["1.2"]["output"] == "no <pictures> here"
    for number in ("2.1", "2.2"):
        assert by[number]["output_format"] == "text" and "<img" not in by[number]["output"]
        assert "wrong" not in by[number]["output"]


def test_printed_output_is_escaped_in_an_html_output():
    from autograder.grading.plugin import GradingPlugin

    plugin = GradingPlugin()
    plugin.order = ["n"]
    plugin.entries = {"n": {"name": "t", "score": 0.0, "weight": 1.0, "status": "failed", "visibility": "visible",
                            "number": "1.1", "tags": [], "hidden": False, "message": "wrong values",
                            "output": "What your code printed:\n<img src=x onerror=alert(1)>",
                            "figures": Figures().html() or '<div class="figure"></div>'}}
    out = plugin.test_entries()[0]
    assert out.output_format == "html" and "<img src=x" not in out.output
    assert "&lt;img src=x onerror=alert(1)&gt;" in out.output


def test_check_page_embeds_every_picture_and_the_runs_curves(tmp_path):
    from autograder.student.page import write_page

    figures = Figures()
    figures.compare("image 1", np.eye(6), np.eye(6), kind="map")
    run = tmp_path / "runs" / "first"
    run.mkdir(parents=True)
    (run / "curves.png").write_bytes(png_bytes(np.zeros((4, 4, 3), np.uint8)))
    doc = Results(score=1.0, output="Score: 1 / 2.", tests=[
        TestResult("pictured", 1.0, 1.0, "passed", output_html("", figures.html()), output_format="html", number="1.1"),
        TestResult("plain", 0.0, 1.0, "failed", "expected <1>", output_format="text", number="1.2")])
    page = write_page(doc, "A: public tests", tmp_path)
    text = page.read_text()
    assert page.name == "check_results.html" and text.count("<img ") == 4
    assert "expected &lt;1&gt;" in text and "runs/first/curves.png" in text
    assert all(src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]*)"', text))


def test_terminal_shows_the_words_of_an_html_output():
    from rich.console import Console

    from autograder.student.console import print_results

    figures = Figures()
    figures.compare("image 1", np.eye(3), np.zeros((3, 3)))
    doc = Results(score=0.0, output="Score: 0 / 1.", tests=[
        TestResult("pictured", 0.0, 1.0, "failed", output_html("the map <differs>", figures.html()),
                   output_format="html", number="1.1")])
    console = Console(file=io.StringIO(), width=120)
    print_results(doc, console, pictures_hint="{n} test(s) show pictures")
    shown = console.file.getvalue()
    assert "the map <differs>" in shown and "[figure: expected]" in shown and "base64" not in shown
    assert "1 test(s) show pictures" in shown
