"""What a regrade says about the class: per-test pass rates, failures by message, slow tests, leaderboards."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ...grading.results import Results


@dataclass
class PerTest:
    """One graded test across the class."""

    number: str
    name: str
    max_score: float
    runs: int = 0
    passed: int = 0
    points: float = 0.0
    seconds: list[float] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.runs if self.runs else 0.0

    @property
    def mean_points(self) -> float:
        return self.points / self.runs if self.runs else 0.0

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}".strip()


@dataclass
class Failure:
    """Failures of one test that share a message (numbers blanked out)."""

    test: str
    message: str
    submissions: list[str] = field(default_factory=list)


@dataclass
class ClassView:
    """A regrade output folder, read back."""

    records: list[dict]
    docs: dict[str, Results]
    problems: list[str]
    zip_name: str = ""

    @property
    def graded(self) -> list[dict]:
        return [r for r in self.records if r.get("score") is not None]


def load(out: Path) -> ClassView:
    """Read ``regrade.json`` and each submission's results.json from a regrade output folder."""
    summary_path = Path(out) / "regrade.json"
    if not summary_path.is_file():
        raise FileNotFoundError(f"{summary_path} not found: run `autograder regrade` first")
    summary = json.loads(summary_path.read_text())
    docs = {}
    for rec in summary.get("submissions", []):
        path = Path(out) / rec["name"] / "results.json"
        if rec.get("score") is not None and path.is_file():
            docs[rec["name"]] = Results.load(path)
    return ClassView(summary.get("submissions", []), docs, summary.get("problems", []), summary.get("zip", ""))


def _number_key(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\s]", number or ""))


def per_test(view: ClassView) -> list[PerTest]:
    """Graded tests (those worth points), worst first: lowest pass rate, then lowest mean points."""
    stats: dict[tuple, PerTest] = {}
    for doc in view.docs.values():
        for test in doc.tests:
            if not test.max_score:
                continue
            key = (test.number or "", test.name)
            s = stats.setdefault(key, PerTest(key[0], key[1], test.max_score))
            s.runs += 1
            s.passed += test.passed
            s.points += test.score
            if test.seconds is not None:
                s.seconds.append(test.seconds)
    return sorted(stats.values(), key=lambda s: (s.pass_rate, s.mean_points / (s.max_score or 1),
                                                  _number_key(s.number), s.name))


def normalise(message: str) -> str:
    """A failure message's first line with numbers blanked, so that messages differing only in values group."""
    lines = [ln.strip() for ln in (message or "").splitlines() if ln.strip()]
    first = lines[0] if lines else "(no message)"
    first = re.sub(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?", "#", first)
    return first[:240]


def failure_groups(view: ClassView) -> list[Failure]:
    """Failed tests (and the grader's own checks such as a missing file) grouped by message, most common first."""
    groups: dict[tuple[str, str], Failure] = {}
    for name, doc in view.docs.items():
        for test in doc.tests:
            if test.status != "failed":
                continue
            message = normalise(test.text)   # an HTML output by its words, not its pictures
            groups.setdefault((test.label, message), Failure(test.label, message)).submissions.append(name)
    return sorted(groups.values(), key=lambda f: (-len(f.submissions), f.test, f.message))


def slowest(stats: list[PerTest], limit: int = 15) -> list[PerTest]:
    """Tests by their mean time across the class, slowest first (only tests whose times were recorded)."""
    timed = [s for s in stats if s.seconds]
    return sorted(timed, key=lambda s: -sum(s.seconds) / len(s.seconds))[:limit]


def leaderboards(view: ClassView) -> dict[str, tuple[str, list[float]]]:
    """Numeric leaderboard values by column: {name: (order, values)}."""
    columns: dict[str, tuple[str, list[float]]] = {}
    values: dict[str, list[float]] = defaultdict(list)
    for doc in view.docs.values():
        for entry in doc.leaderboard:
            if isinstance(entry.value, (int, float)) and not isinstance(entry.value, bool):
                values[entry.name].append(float(entry.value))
                columns[entry.name] = (entry.order, values[entry.name])
    return columns


def privilege_warning(view: ClassView) -> str | None:
    """A sentence for the top of the report when some gradings ran student code as the grader's own user."""
    runs = [r for r in view.records if r.get("drops_privileges") is not None]
    weak = [r for r in runs if not r["drops_privileges"]]
    if not weak:
        return None
    hosts = sorted({str(r.get("host") or "?") for r in weak})
    return (f"{len(weak)} of {len(runs)} gradings ran where workers could not drop privileges "
            f"(host{'s' if len(hosts) > 1 else ''} {', '.join(hosts)}: the grader was not root, or the sandbox "
            "user could not read Python). There, student code ran as the grader's own user: the sandbox still "
            "stopped crashes and hangs, but it could read the hidden tests and the results. Regrade as root, "
            "as Gradescope runs, for scores that hostile code could not have touched.")
