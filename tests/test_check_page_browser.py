"""The ``check --html`` page in a real browser: Playwright drives Debian's Chromium, headless, from
file://, and every picture on the page (the tests' panels, the runs' curves) must load."""

import numpy as np
import pytest
from test_figures import FIGURE_TESTS
from test_plugin import grading_session
from test_report_browser import browser, page  # noqa: F401  (pytest fixtures, used by name)

from autograder.grading.figures import png_bytes
from autograder.grading.results import Results
from autograder.student.page import write_page

pytestmark = pytest.mark.slow   # drives a browser: `make test`, not `make check`


def test_check_page_shows_every_picture_from_disk(page, pytester, tmp_path):  # noqa: F811
    (pytester.path / "public").mkdir()
    (pytester.path / "public" / "test_pub.py").write_text(FIGURE_TESTS)
    doc, _ = grading_session(pytester)          # graded as `check` grades: a real results document
    folder = tmp_path / "a3"
    for name in ("first", "second"):
        (folder / "runs" / name).mkdir(parents=True)
        curves = np.zeros((30, 40, 3), np.uint8)
        curves[:, :, 1] = 200
        (folder / "runs" / name / "curves.png").write_bytes(png_bytes(curves))
    target = write_page(Results.from_json(doc), "A: public tests", folder)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(target.as_uri())
    page.wait_for_load_state("load")
    images = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.complete, e.naturalWidth])")
    assert len(images) == 3 + 2, images          # expected, yours, difference; two runs' curves
    assert all(done and width > 0 for _, done, width in images), images
    assert all(url.startswith(("file:", "data:")) for url in requests), requests   # nothing from a network
    text = page.inner_text("body")
    assert "the map is <wrong> & empty" in text and "runs/second/curves.png" in text
