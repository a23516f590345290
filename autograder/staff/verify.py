"""``autograder verify``: the checks CI relies on, for each assignment, with a summary table.

Per assignment: the starter is in sync with the solution; the zip and bundle build; the solution
scores full marks and the starter nothing through the emulator; every declared mutant loses
points (the mutation proof); the reference runs make the written part's key and reference report.

Each of these results is kept in ``.cache/verify/`` (see :mod:`autograder.staff.cache`) under a
key made of everything it depends on, and is made again only when that changes. Only results
without a problem are kept: a failure is always repeated. ``Options.fresh`` ignores the cache.
``Options(mutants="cached", reference="cached")`` (``make autograders``) shows the mutation proof
and the reference report where they are cached and current, and never runs them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..grading.manifest import Manifest
from ..grading.results import Results
from . import starter
from .build import build, requirements
from .cache import Cache, Key, file_digest
from .emulate import Emulation, emulate
from .repo import Repo

Log = Callable[..., None]
NOT_RUN = "not run (make test runs it)"


@dataclass
class Options:
    mutants: str = "run"        # "run"; "cached": shown where cached and current, never run; "skip"
    reference: str = "run"      # "run" or "cached", as for the mutants
    fresh: bool = False         # ignore what is cached (and store the new results)
    jobs: int | None = None     # mutant gradings at a time (default: the core count)


@dataclass
class Row:
    aid: str
    points: float = 0
    solution: float | None = None
    starter: float | None = None
    seconds: float = 0.0
    peak_mb: float = 0.0
    cpu_s: float = 0.0
    cpu_torch: str = ""        # the solution's figures with the CPU-only torch wheel, when measured
    mutants: str = ""          # "killed/declared (public share)" when the mutants ran
    reference: str = "-"       # the reference report: "made", "reused", NOT_RUN
    submission_id: int | None = None   # what the solution was graded as (draws differ per id)
    problems: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)   # "build 3.1 s", "solution reused", ...


@functools.cache
def torch_version(python: str) -> str:
    """The torch version installed for another interpreter (the CPU-only venv), or '?'."""
    code = "import importlib.metadata as m; print(m.version('torch'))"
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.stdout.strip() or "?"


def torch_build() -> str:
    """Which torch the figures were taken with (the CUDA build maps far more memory)."""
    try:
        import importlib.metadata as md

        version = md.version("torch")
    except Exception:
        return "no torch"
    return f"torch {version}" + (" (CPU build)" if "+cpu" in version else " (CUDA build)" if "+cu" in version else "")


class Verification:
    """One assignment's checks: the row they fill, the cache they reuse, and a timer per step."""

    def __init__(self, repo: Repo, aid: str, options: Options, log: Log):
        self.repo, self.aid, self.options, self.log = repo, aid, options, log
        self.manifest: Manifest = repo.manifest(aid)
        self.row = Row(aid, points=self.manifest.points)
        self.cache = Cache(repo.root / ".cache" / "verify", aid, options.fresh)
        self.ran: set[str] = set()   # results made in this run (the others were reused or not needed)
        self.solution_results: Results | None = None   # the solution's grading, when made in this run

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time a step; the row says whether its result was reused, or made and why."""
        started = time.time()
        yield
        if name in self.cache.reused:
            self.row.steps.append(f"{name} reused")
        elif name in self.ran:
            why = [w for w in self.cache.why.get(name, []) if w != "not cached"]
            self.row.steps.append(f"{name} {time.time() - started:.1f} s" + (f" ({', '.join(why)})" if why else ""))

    def key(self, zip_path: Path | None = None, tree: Path | None = None, python: str = sys.executable) -> Key:
        key = Key.for_result()
        if zip_path is not None:
            key.part("zip", file_digest(zip_path)).part("python", python)
        if tree is not None:
            key.tree("submission", tree)
        return key

    def cached(self, name: str, key: Key, make: Callable[[], dict[str, Any]], folder: Path | None = None,
               outputs: Callable[[], list[Path]] = list) -> dict[str, Any]:
        """The stored value for ``key``, else ``make()``'s, stored when it has no problems."""
        value = self.cache.get(name, key, folder)
        if value is None:
            self.ran.add(name)
            value = make()
            if not value.get("problems"):
                self.cache.put(name, key, value, outputs())
        return value


def _build(v: Verification) -> Path:
    from .fixtures import heldout_seed
    from .keys import staff_key

    repo, aid = v.repo, v.aid
    secrets = hashlib.sha256(staff_key(repo.root) + str(heldout_seed(repo.root, aid)).encode()).hexdigest()
    key = (Key.for_result().tree("assignment", repo.assignment(aid)).tree("solution", repo.solution(aid))
           .part("pins", file_digest(repo.root / "pyproject.toml")).part("staff key and held-out seed", secrets))
    dist = repo.dist()

    def outputs() -> list[Path]:   # and the key PDF, which the reference report writes again
        names = ["autograder.zip", "student.zip", "questions.pdf"]
        return [p for p in (dist / f"{aid}_{n}" for n in names) if p.is_file()]

    v.cached("build", key, lambda: {"zip": str(build(repo, aid)[0].name)}, dist, outputs)
    return dist / f"{aid}_autograder.zip"


def _solution_problems(sol: Emulation, manifest: Manifest) -> list[str]:
    problems = [f"solution results invalid: {p}" for p in sol.problems]
    for test in sol.results.tests:
        if test.status != "passed":
            problems.append(f"solution fails {test.label}: {test.text[:300]}")
    declared = {col.name: col.order for col in manifest.leaderboard}
    for entry in sol.results.leaderboard:
        if declared.get(entry.name) != entry.order:
            problems.append(f"leaderboard column {entry.name!r} ({entry.order}) is not declared "
                            f"in {manifest.path} as [[leaderboard]] with that order")
    missing = set(declared) - {e.name for e in sol.results.leaderboard}
    if missing:
        problems.append(f"the solution posts no value for leaderboard column(s) {sorted(missing)}")
    score = sol.results.score
    if score is None or abs(score - manifest.points) > 1e-6:
        problems.append(f"solution scores {score}, expected {manifest.points}")
    return problems


def _solution(v: Verification, grader_zip: Path) -> None:
    solution = v.repo.solution(v.aid)

    def grade() -> dict[str, Any]:
        sol = emulate(grader_zip, solution)
        v.solution_results = sol.results
        return {"score": sol.results.score, "peak_mb": sol.peak_pss_mb, "cpu_s": sol.cpu_seconds,
                "submission_id": sol.submission_id, "problems": _solution_problems(sol, v.manifest)}

    value = v.cached("solution", v.key(grader_zip, solution), grade)
    v.row.solution, v.row.peak_mb, v.row.cpu_s = value["score"], value["peak_mb"], value["cpu_s"]
    v.row.submission_id = value.get("submission_id")
    v.row.problems += value["problems"]


def _cpu_torch(v: Verification, grader_zip: Path) -> None:
    """The solution's figures with the CPU-only torch (``AUTOGRADER_CPU_PYTHON``), where it applies."""
    cpu_python = os.environ.get("AUTOGRADER_CPU_PYTHON")
    needs = requirements(v.manifest)
    needs_torch = any(r.startswith("torch==") for r in needs)
    if any(r.startswith("torchvision") for r in needs):
        v.row.cpu_torch = "needs torchvision"
    elif not needs_torch:
        v.row.cpu_torch = "no torch"
    elif cpu_python and Path(cpu_python).exists():
        python = str(Path(cpu_python).absolute())
        version = torch_version(python)

        def grade() -> dict[str, Any]:
            cpu = emulate(grader_zip, v.repo.solution(v.aid), python=python)
            return {"text": f"{cpu.peak_pss_mb:.0f} MB, {cpu.cpu_seconds:.1f} s, score {cpu.results.score} "
                            f"(torch {version})"}

        key = v.key(grader_zip, v.repo.solution(v.aid), python).part("cpu torch", version)
        v.row.cpu_torch = v.cached("cpu torch", key, grade)["text"]


def _starter(v: Verification, grader_zip: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = v.repo.starter(v.aid) if v.repo.starter(v.aid).is_dir() else Path(tmp)

        def grade() -> dict[str, Any]:
            st = emulate(grader_zip, folder, warm=True)   # no figure of the starter's is shown
            problems = [f"starter results invalid: {p}" for p in st.problems]
            problems += [f"starter earns points on {t.label}" for t in st.results.tests
                         if t.max_score > 0 and t.score > 0]
            return {"score": st.results.score, "problems": problems}

        value = v.cached("starter", v.key(grader_zip, folder), grade)
    v.row.starter = value["score"]
    v.row.problems += value["problems"]


def _stale(v: Verification, name: str) -> str:
    why = [w for w in v.cache.why.get(name, []) if w != "not cached"]
    return NOT_RUN if not why else f"stale ({', '.join(why)}); {NOT_RUN}"


def _mutants(v: Verification, grader_zip: Path) -> None:
    """The mutation proof: every declared mutant, graded with the zip just built, must lose points."""
    from .mutants import MutantError, run_mutants

    toml = v.repo.assignment(v.aid) / "mutants.toml"
    if v.options.mutants == "skip":
        v.row.mutants = "skipped"
        return
    if not toml.is_file():
        v.row.mutants = "none declared"
        v.row.problems.append(f"no mutants declared: add {toml}")
        return
    key = v.key(grader_zip, v.repo.solution(v.aid)).part("mutants.toml", file_digest(toml))
    value = v.cache.get("mutants", key)
    if value is None and v.options.mutants == "cached":
        v.row.mutants = _stale(v, "mutants")
        return
    if value is None:
        v.ran.add("mutants")
        try:
            # the mutants' points lost are counted against the solution's grading, where this run made one
            report = run_mutants(v.repo, v.aid, grader_zip=grader_zip, jobs=v.options.jobs, log=lambda *_: None,
                                 reference=v.solution_results)
        except MutantError as exc:
            v.row.mutants = "unusable"
            v.row.problems.append(str(exc))
            return
        value = {"summary": f"{len(report.killed)}/{len(report.outcomes)} ({report.public_share:.0%} public)",
                 "problems": report.problems()}
        if not value["problems"]:
            v.cache.put("mutants", key, value)
    v.row.mutants = value["summary"]
    v.row.problems += value["problems"]


def _reference(v: Verification) -> None:
    """The written part's complete key and reference report, from the reference runs, into ``dist/``."""
    from .written.documents import load
    from .written.reference import reference_report

    adir = v.repo.assignment(v.aid)
    if load(adir) is None:
        return
    dist = v.repo.dist()
    # (the key PDF is not kept as this result's: every build writes it again, from the cached runs)
    outputs = [dist / f"{v.aid}_report_reference.pdf"]
    key = Key.for_result().tree("written", adir / "written").tree("solution", v.repo.solution(v.aid))
    value = v.cache.get("reference report", key, dist)
    if value is None and v.options.reference == "cached":
        v.row.reference = _stale(v, "reference report")
        return
    if value is None:
        v.ran.add("reference report")
        problems, notes = reference_report(adir, v.repo.solution(v.aid), v.manifest.title, v.aid, dist, v.log)
        value = {"problems": problems, "notes": notes}
        made = all(p.is_file() for p in outputs)
        if not problems and made:
            v.cache.put("reference report", key, value, outputs)
        v.row.reference = "made" if made else "missing"
    else:
        v.row.reference = "reused"
    for note in value["notes"]:
        v.log(f"{v.aid}: note: {note}")
    v.row.problems += value["problems"]


def verify_one(repo: Repo, aid: str, log: Log = print, mutants: bool = True, options: Options | None = None) -> Row:
    options = options or Options(mutants="run" if mutants else "skip")
    started = time.time()
    v = Verification(repo, aid, options, log)
    generated = starter.generate(repo.solution(aid), v.manifest.solution_only)
    v.row.problems += [f"starter drift: {d}" for d in starter.drift(generated, repo.starter(aid))]
    with v.step("build"):
        grader_zip = _build(v)
    with v.step("solution"):
        _solution(v, grader_zip)
    with v.step("cpu torch"):
        _cpu_torch(v, grader_zip)
    with v.step("starter"):
        _starter(v, grader_zip)
    if options.mutants != "skip":
        with v.step("mutants"):
            _mutants(v, grader_zip)
    with v.step("reference report"):
        _reference(v)
    v.row.seconds = time.time() - started
    log(f"{aid}: " + "; ".join(v.row.steps) + f" (solution graded as submission id {v.row.submission_id})")
    return v.row


def print_table(rows: list[Row]) -> None:
    from rich.console import Console
    from rich.table import Table

    from .emulate import run_submission_id

    table = Table(title=f"Autograders ({torch_build()}; Gradescope budget: 700 MB, 120 CPU s; "
                        f"graded now as submission id {run_submission_id()})",
                  caption="Results whose inputs did not change are reused from .cache/verify/ (--fresh ignores it), "
                          "with the submission id they were graded as (printed per assignment above).")
    for col in ("assignment", "solution", "starter", "seconds", "peak PSS MB (solution)", "CPU s (solution)",
                "with CPU-only torch", "mutants killed", "reference report", "ok"):
        table.add_column(col, no_wrap=col == "assignment")
    for r in rows:
        ok = "[green]yes[/green]" if not r.problems else f"[red]{len(r.problems)} problem(s)[/red]"
        table.add_row(r.aid, f"{r.solution} / {r.points:g}", f"{r.starter}", f"{r.seconds:.1f}",
                      f"{r.peak_mb:.0f}", f"{r.cpu_s:.1f}", r.cpu_torch or "-", r.mutants or "-", r.reference, ok)
    console = Console(width=max(120, Console().width))
    console.print(table)
    for r in rows:
        for p in r.problems:
            console.print(f"[red]{r.aid}[/red]: {p}", markup=True, highlight=False)
