"""report.html in a real browser: Playwright drives Debian's Chromium, headless, from file://."""

import shutil
from pathlib import Path

import pytest
from synthetic_export import graded_class

from autograder.staff.classtools.grading import workers_drop_privileges

pytestmark = pytest.mark.slow   # drives a browser: `make test`, not `make check`

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    # A requirement of `make test`, never skipped: `.ci/run` installs Chromium and the dev extra Playwright.
    try:
        from playwright import sync_api
    except ImportError:
        pytest.fail("the Python package playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium); Playwright drives Debian's Chromium, "
                    "never a browser it downloads")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    yield page
    page.close()

def test_report_opens_from_disk_with_every_figure_and_the_worst_test_first(page, tmp_path_factory, toy_zips,
                                                                            tmp_path):
    _, out, _ = graded_class(tmp_path_factory, toy_zips[0])
    alone = tmp_path / "mailed" / "report.html"     # one file: it must work without the folder beside it
    alone.parent.mkdir()
    shutil.copy(out / "report.html", alone)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(alone.as_uri())
    page.wait_for_load_state("load")
    figures = page.eval_on_selector_all("img.figure", "els => els.map(e => [e.id, e.complete, e.naturalWidth])")
    ids = {f[0] for f in figures}
    assert {"fig-scores", "fig-pass-rates", "fig-slow", "fig-leaderboard-0"} <= ids, figures
    assert all(done and width > 0 for _, done, width in figures), figures
    assert all(url.startswith(("file:", "data:")) for url in requests), requests   # nothing from a network

    rates = page.eval_on_selector_all("#tests tbody tr", "rows => rows.map(r => [r.dataset.number, "
                                                          "parseFloat(r.dataset.passRate), r.cells[2].innerText])")
    assert len(rates) == 6 and rates[0][1] == min(r[1] for r in rates)
    assert [r[1] for r in rates] == sorted(r[1] for r in rates)
    first = page.inner_text("#tests tbody tr:first-child")
    assert rates[0][0] in first and rates[0][2] == f"{round(100 * rates[0][1])}%"

    banner = page.query_selector("#privileges")
    if workers_drop_privileges():
        assert banner is None
    else:
        text = banner.inner_text()
        assert "Workers could not drop privileges" in text and "as the grader's own user" in text
        top = page.eval_on_selector("#privileges", "e => e.getBoundingClientRect().top")
        assert top < page.eval_on_selector("#summary", "e => e.getBoundingClientRect().top")
    failures = page.inner_text("#failures")
    assert "Missing file: calc/counter.py" in failures and "Time limit" in failures


def test_report_says_at_the_top_when_workers_could_not_drop_privileges(page, tmp_path_factory, toy_zips, tmp_path):
    import json

    from autograder.staff.classtools.report import write_report

    _, out, _ = graded_class(tmp_path_factory, toy_zips[0])
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    summary = json.loads((copy / "regrade.json").read_text())
    for record in summary["submissions"][:3]:   # as if three gradings ran on a worker that was not root
        record.update(drops_privileges=False, host="laptop-7")
    (copy / "regrade.json").write_text(json.dumps(summary))
    page.goto(write_report(copy).as_uri())
    banner = page.inner_text("#privileges")
    assert "Workers could not drop privileges" in banner and "3 of 19 gradings" in banner and "laptop-7" in banner
    first = page.eval_on_selector("body", "b => [...b.children].find(e => e.tagName !== 'H1').id")
    assert first == "privileges"


def test_slowest_tests_appear_when_results_record_per_test_times(page, tmp_path_factory, toy_zips, tmp_path):
    import json

    from autograder.staff.classtools.report import write_report

    _, out, _ = graded_class(tmp_path_factory, toy_zips[0])
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    for path in copy.glob("submission_*/results.json"):
        doc = json.loads(path.read_text())
        for test in doc["tests"]:
            test.setdefault("extra_data", {})["seconds"] = 3.0 if test.get("number") == "2.1" else 0.25
        path.write_text(json.dumps(doc))
    page.goto(write_report(copy).as_uri())
    assert page.eval_on_selector("#fig-slow", "e => e.complete && e.naturalWidth") > 0
    assert page.inner_text("#slowest tbody tr:first-child").startswith("2.1 Counter keeps its total")
