"""The report's pictures, drawn with matplotlib and returned as ``data:`` URIs (the page needs no other file)."""

from __future__ import annotations

import base64
import io
import textwrap

from .analytics import PerTest


def _figure(width: float, height: float):
    from matplotlib.figure import Figure  # the object API: no pyplot state, safe beside other threads

    fig = Figure(figsize=(width, height), dpi=100)
    return fig, fig.add_subplot()


def _uri(fig) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _short(label: str, width: int = 48) -> str:
    return textwrap.shorten(label, width=width, placeholder="...")


def score_histogram(ours: list[float], theirs: list[float], max_score: float | None) -> str:
    """Our scores and, where the export had them, Gradescope's, on shared bins."""
    fig, ax = _figure(7, 3.2)
    top = max([max_score or 0, *ours, *theirs, 1.0])
    bins = [top * i / 20 for i in range(21)]
    ax.hist(ours, bins=bins, color="#3b6ea5", alpha=0.85, label=f"regrade ({len(ours)})")
    if theirs:
        ax.hist(theirs, bins=bins, histtype="step", linewidth=2, color="#d1495b", label=f"Gradescope ({len(theirs)})")
    ax.set_xlabel("score")
    ax.set_ylabel("submissions")
    ax.legend(loc="upper left")
    ax.set_title("Scores")
    return _uri(fig)


def pass_rates(stats: list[PerTest], limit: int = 40) -> str:
    """One bar per graded test, worst at the top, its pass rate across the class."""
    shown = stats[:limit]
    fig, ax = _figure(7, max(2.0, 0.28 * len(shown) + 1))
    labels = [_short(s.label) for s in shown][::-1]
    rates = [100 * s.pass_rate for s in shown][::-1]
    colours = ["#d1495b" if r < 50 else "#edae49" if r < 80 else "#66a182" for r in rates]
    ax.barh(range(len(shown)), rates, color=colours)
    ax.set_yticks(range(len(shown)), labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of graded submissions that pass")
    ax.set_title("Pass rate per test (worst first)" + (f", {limit} worst of {len(stats)}" if len(stats) > limit else ""))
    return _uri(fig)


def slow_tests(stats: list[PerTest]) -> str:
    """Mean and longest time per test, for the slowest tests."""
    fig, ax = _figure(7, max(2.0, 0.3 * len(stats) + 1))
    labels = [_short(s.label) for s in stats][::-1]
    means = [sum(s.seconds) / len(s.seconds) for s in stats][::-1]
    longest = [max(s.seconds) for s in stats][::-1]
    ax.barh(range(len(stats)), longest, color="#cccccc", label="longest")
    ax.barh(range(len(stats)), means, color="#3b6ea5", label="mean")
    ax.set_yticks(range(len(stats)), labels, fontsize=8)
    ax.set_xlabel("seconds")
    ax.legend(loc="lower right")
    ax.set_title("Slowest tests")
    return _uri(fig)


def leaderboard(name: str, order: str, values: list[float]) -> str:
    """The distribution of one leaderboard column."""
    fig, ax = _figure(5, 2.8)
    ax.hist(values, bins=min(20, max(3, len(set(values)))), color="#66a182")
    ax.set_xlabel(f"{_short(name, 40)} ({'lower' if order == 'asc' else 'higher'} is better)")
    ax.set_ylabel("submissions")
    ax.set_title(f"Leaderboard: {_short(name, 40)}")
    return _uri(fig)
