"""``report.html``: one static page, opened from disk, that shows a regrade at a glance.

Worst first everywhere: the tests the fewest students pass, the most common failure messages, the
slowest tests, the submissions whose score moved. Figures are PNGs embedded as ``data:`` URIs and
the page loads nothing else, so it can be mailed or archived as one file. Everything that came from
a submission (messages, names) is escaped.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
from pathlib import Path
from urllib.parse import quote

from . import analytics, figures

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}
h1{font-size:1.6em} h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em} td,th{border:1px solid #ddd;padding:.25em .5em;
vertical-align:top;text-align:left} th{background:#f4f4f4} td.num{text-align:right;font-variant-numeric:tabular-nums}
.warning{background:#fff3cd;border:1px solid #e0b400;padding:.75em 1em;border-radius:4px}
.problems li{margin:.2em 0} tr.bad td{background:#fdecee} tr.moved td{background:#fff8e1}
code,pre{font-size:.85em;white-space:pre-wrap} img{max-width:100%;display:block;margin:.5em 0}
.small{color:#666;font-size:.85em}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _num(value, digits: int = 2) -> str:
    if value is None or value == "":
        return ""
    return f"{float(value):.{digits}f}".rstrip("0").rstrip(".")


def _img(uri: str, alt: str, ident: str) -> str:
    return f'<img id="{ident}" class="figure" alt="{_e(alt)}" src="{uri}">'


def _link(name: str) -> str:
    return f'<a href="{quote(name)}/results.json">{_e(name)}</a>'


def _people(record: dict) -> str:
    return "; ".join(f"{p.get('name', '')} ({p.get('sid', '')})" for p in record.get("submitters", [])) or "(unknown)"


def _summary(view: analytics.ClassView) -> str:
    graded = view.graded
    scores = [r["score"] for r in graded]
    people = sum(max(1, len(r.get("submitters", []))) for r in view.records)
    moved = [r for r in graded if r.get("gradescope_score") is not None
             and abs(r["score"] - r["gradescope_score"]) > 1e-6]
    mean = sum(scores) / len(scores) if scores else 0.0
    top = max((r.get("max_score") or 0 for r in graded), default=0)
    return (f"<p id='summary'>{len(view.records)} submissions from {people} submitters; {len(graded)} graded, "
            f"{len(view.records) - len(graded)} not graded. Mean score {_num(mean)} of {_num(top)}. "
            f"{len(moved)} score(s) differ from Gradescope's.</p>")


def _tests_section(stats: list[analytics.PerTest]) -> str:
    if not stats:
        return "<h2 id='tests-heading'>Tests</h2><p>No graded test results.</p>"
    rows = "".join(
        f"<tr class='test' data-number='{_e(s.number)}' data-pass-rate='{s.pass_rate:.4f}'><td>{_e(s.number)}</td>"
        f"<td>{_e(s.name)}</td><td class='num'>{100 * s.pass_rate:.0f}%</td><td class='num'>{s.passed} / {s.runs}"
        f"</td><td class='num'>{_num(s.mean_points)} / {_num(s.max_score)}</td></tr>" for s in stats)
    return (f"<h2 id='tests-heading'>Tests, worst first</h2>{_img(figures.pass_rates(stats), 'pass rate per test', 'fig-pass-rates')}"
            "<table id='tests'><thead><tr><th>number</th><th>test</th><th>pass rate</th><th>passed</th>"
            f"<th>mean points</th></tr></thead><tbody>{rows}</tbody></table>")


def _failures_section(groups: list[analytics.Failure], limit: int = 60) -> str:
    if not groups:
        return "<h2>Failures by message</h2><p>No failed tests.</p>"
    rows = []
    for g in groups[:limit]:
        names = ", ".join(_link(n) for n in g.submissions[:25]) + (" ..." if len(g.submissions) > 25 else "")
        rows.append(f"<tr><td class='num'>{len(g.submissions)}</td><td>{_e(g.test)}</td><td><code>{_e(g.message)}"
                    f"</code></td><td class='small'>{names}</td></tr>")
    more = f"<p class='small'>{len(groups) - limit} smaller groups not shown.</p>" if len(groups) > limit else ""
    return ("<h2>Failures by message</h2><p class='small'>Numbers in messages are shown as #, so that failures that "
            "differ only in values are counted together.</p><table id='failures'><thead><tr><th>count</th>"
            f"<th>test</th><th>message</th><th>submissions</th></tr></thead><tbody>{''.join(rows)}</tbody></table>{more}")


def _slow_section(stats: list[analytics.PerTest]) -> str:
    slow = analytics.slowest(stats)
    if not slow:
        return ("<h2>Slowest tests</h2><p>This grader's results.json carries no per-test times "
                "(<code>extra_data.seconds</code>), so the slowest tests cannot be shown.</p>")
    rows = "".join(f"<tr><td>{_e(s.label)}</td><td class='num'>{_num(sum(s.seconds) / len(s.seconds))}</td>"
                   f"<td class='num'>{_num(max(s.seconds))}</td></tr>" for s in slow)
    return (f"<h2>Slowest tests</h2>{_img(figures.slow_tests(slow), 'slowest tests', 'fig-slow')}"
            "<table id='slowest'><thead><tr><th>test</th><th>mean s</th><th>longest s</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _leaderboard_section(view: analytics.ClassView) -> str:
    boards = analytics.leaderboards(view)
    if not boards:
        return ""
    pictures = "".join(_img(figures.leaderboard(name, order, values), f"leaderboard {name}", f"fig-leaderboard-{i}")
                       for i, (name, (order, values)) in enumerate(sorted(boards.items())))
    return f"<h2>Leaderboard distributions</h2>{pictures}"


def _similarity_section(out: Path) -> str:
    path = out / "similarity.csv"
    if not path.is_file():
        return ("<h2>Similarity</h2><p>Not computed yet: run <code>autograder similar</code> with the same export "
                "and output folder.</p>")
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return "<h2>Similarity</h2><p id='similarity-none'>No pair of submissions above the threshold.</p>"
    body = "".join(
        f"<tr><td class='num'>{_num(r['similarity'], 3)}</td><td>{_e(r['submission_a'])}<br><span class='small'>"
        f"{_e(r['names_a'])}</span></td><td>{_e(r['submission_b'])}<br><span class='small'>{_e(r['names_b'])}</span>"
        f"</td><td>{_e(r['file'])}</td><td><a href='{_e(r['view'])}'>side by side</a></td></tr>" for r in rows)
    return ("<h2>Similarity</h2><table id='similarity'><thead><tr><th>similarity</th><th>submission a</th>"
            f"<th>submission b</th><th>file</th><th>view</th></tr></thead><tbody>{body}</tbody></table>")


def _submissions_section(view: analytics.ClassView) -> str:
    rows = []
    for r in view.records:
        ours, theirs = r.get("score"), r.get("gradescope_score")
        moved = ours is not None and theirs is not None and abs(ours - theirs) > 1e-6
        css = "bad" if ours is None else "moved" if moved else ""
        name = _link(r["name"]) if ours is not None else _e(r["name"])
        rows.append(f"<tr class='{css}'><td>{name}</td><td>{_e(_people(r))}</td><td class='num'>{_num(ours)}</td>"
                    f"<td class='num'>{_num(theirs)}</td><td class='num'>{_num(r.get('seconds'), 1)}</td>"
                    f"<td class='small'>{'<br>'.join(_e(p) for p in r.get('problems', []))}</td></tr>")
    return ("<h2>Submissions</h2><table id='submissions'><thead><tr><th>submission</th><th>submitters</th>"
            "<th>score</th><th>Gradescope</th><th>seconds</th><th>problems</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def render(out: Path) -> str:
    """The whole page for the regrade output folder ``out``."""
    view = analytics.load(out)
    stats = analytics.per_test(view)
    warning = analytics.privilege_warning(view)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Regrade: {_e(view.zip_name)}</title>"
             f"<style>{STYLE}</style></head><body><h1>Regrade with {_e(view.zip_name)}</h1>"]
    if warning:
        parts.append(f"<p id='privileges' class='warning'><strong>Workers could not drop privileges.</strong> "
                     f"{_e(warning)}</p>")
    parts.append(f"<p class='small'>Written {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}. Each submission links "
                 "to its results.json; <code>scores.csv</code> has a row per submitter.</p>")
    parts.append(_summary(view))
    if view.problems:
        parts.append("<h2>Problems with the export</h2><ul class='problems' id='export-problems'>"
                     + "".join(f"<li>{_e(p)}</li>" for p in view.problems) + "</ul>")
    graded = view.graded
    if graded:
        top = max((r.get("max_score") or 0 for r in graded), default=None)
        theirs = [r["gradescope_score"] for r in view.records if r.get("gradescope_score") is not None]
        parts.append("<h2>Score distribution</h2>"
                     + _img(figures.score_histogram([r["score"] for r in graded], theirs, top), "score histogram",
                            "fig-scores"))
    parts += [_tests_section(stats), _failures_section(analytics.failure_groups(view)), _slow_section(stats),
              _leaderboard_section(view), _similarity_section(Path(out)), _submissions_section(view),
              "</body></html>"]
    return "\n".join(p for p in parts if p)


def write_report(out: Path) -> Path:
    """Write ``out/report.html`` and return its path."""
    path = Path(out) / "report.html"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render(Path(out)), encoding="utf-8")
    tmp.replace(path)
    return path
