"""``python -m autograder check --html``: the public tests' feedback as one page that opens from disk.

The page holds what Gradescope shows for each test (its text, and for tests with pictures the
same HTML output, images included as ``data:`` URIs) and, below, the curves of the student's
recorded runs (``runs/<name>/curves.png``). It is a single file: nothing is fetched from a
network or read from beside it, so it can be opened, moved or mailed as it is.
"""

from __future__ import annotations

import html
from pathlib import Path

from ..grading.figures import file_uri
from ..grading.results import Results, TestResult

FILE_NAME = "check_results.html"
#: Curves larger than this are listed, not embedded (a page stays quick to open).
MAX_CURVES_BYTES = 3_000_000

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
.passed { color: #11772d; } .failed { color: #b00020; }
section.test { border-top: 1px solid #ddd; margin-top: 1.5em; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 0.6em; }
.panels { display: flex; flex-wrap: wrap; gap: 1em; }
.panel p.caption { margin: 0.2em 0; font-size: 0.9em; }
img { image-rendering: pixelated; }
img.curves { image-rendering: auto; max-width: 100%; }
"""


def _output(test: TestResult) -> str:
    if not test.output:
        return "<p><em>(no output)</em></p>"
    if test.output_format == "html":     # the grader's own markup: every student text in it is escaped
        return test.output
    return f"<pre>{html.escape(test.output)}</pre>"


def _curves(folder: Path) -> str:
    runs = sorted((folder / "runs").glob("*/curves.png")) if (folder / "runs").is_dir() else []
    if not runs:
        return ("<p>No recorded runs yet: the training scripts record each run in <code>runs/&lt;name&gt;/</code>, "
                "with its curves in <code>curves.png</code>.</p>")
    out = []
    for path in runs:
        name = html.escape(path.parent.name)
        size = path.stat().st_size
        if size > MAX_CURVES_BYTES:
            out.append(f"<p>{name}: <code>curves.png</code> is {size // 1_000_000} MB, too large to show here.</p>")
            continue
        out.append(f'<figure><img class="curves" src="{file_uri(path.read_bytes())}" alt="curves of the run {name}">'
                   f"<figcaption>runs/{name}/curves.png</figcaption></figure>")
    return "".join(out)


def render(doc: Results, title: str, folder: Path) -> str:
    rows = []
    sections = []
    for i, test in enumerate(doc.tests):
        status = html.escape(test.status or "")
        label = html.escape(test.label)
        rows.append(f'<tr><td>{html.escape(test.number or "")}</td><td><a href="#test-{i}">'
                    f'{html.escape(test.name)}</a></td><td>{test.score:g} / {test.max_score:g}</td>'
                    f'<td class="{status}">{status}</td></tr>')
        sections.append(f'<section class="test" id="test-{i}"><h3>{label} '
                        f'<span class="{status}">({status}, {test.score:g} / {test.max_score:g})</span></h3>'
                        f"{_output(test)}</section>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(doc.output)}</p>"
            "<table><thead><tr><th>number</th><th>test</th><th>score</th><th>status</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{''.join(sections)}"
            f"<h2>Your recorded runs</h2>{_curves(folder)}"
            "<p>Hidden tests run only on Gradescope and show no pictures.</p></body></html>\n")


def write_page(doc: Results, title: str, folder: Path, target: Path | None = None) -> Path:
    """Write the page (``check_results.html`` in the assignment folder by default); returns its path."""
    target = Path(target) if target else folder / FILE_NAME
    target.write_text(render(doc, title, folder), encoding="utf-8")
    return target.resolve()
