"""``autograder verify``: the checks CI relies on, for each assignment, with a summary table."""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import starter
from .build import build, requirements
from .emulate import emulate
from .repo import Repo


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
    problems: list[str] = field(default_factory=list)


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


def check_mutants(repo: Repo, aid: str, grader_zip: Path, row: Row) -> None:
    """Grade the declared mutants with the zip just built; record the summary and any problem."""
    from .mutants import MutantError, run_mutants

    if not (repo.assignment(aid) / "mutants.toml").is_file():
        row.mutants = "none declared"
        row.problems.append(f"no mutants declared: add {repo.assignment(aid) / 'mutants.toml'}")
        return
    try:
        report = run_mutants(repo, aid, grader_zip=grader_zip, log=lambda *_: None)
    except MutantError as exc:
        row.mutants = "unusable"
        row.problems.append(str(exc))
        return
    row.mutants = f"{len(report.killed)}/{len(report.outcomes)} ({report.public_share:.0%} public)"
    row.problems += report.problems()


def verify_one(repo: Repo, aid: str, log=print, mutants: bool = True) -> Row:
    row = Row(aid)
    started = time.time()
    manifest = repo.manifest(aid)
    row.points = manifest.points
    generated = starter.generate(repo.solution(aid), manifest.solution_only)
    drift = starter.drift(generated, repo.starter(aid))
    row.problems += [f"starter drift: {d}" for d in drift]
    grader_zip, _ = build(repo, aid)
    sol = emulate(grader_zip, repo.solution(aid))
    row.problems += [f"solution results invalid: {p}" for p in sol.problems]
    row.solution = sol.results.score
    row.peak_mb, row.cpu_s = sol.peak_pss_mb, sol.cpu_seconds
    for test in sol.results.tests:
        if test.status != "passed":
            row.problems.append(f"solution fails {test.label}: {test.output[:300]}")
    declared = {col.name: col.order for col in manifest.leaderboard}
    for entry in sol.results.leaderboard:
        if declared.get(entry.name) != entry.order:
            row.problems.append(f"leaderboard column {entry.name!r} ({entry.order}) is not declared "
                                f"in {manifest.path} as [[leaderboard]] with that order")
    missing = set(declared) - {e.name for e in sol.results.leaderboard}
    if missing:
        row.problems.append(f"the solution posts no value for leaderboard column(s) {sorted(missing)}")
    if row.solution is None or abs(row.solution - manifest.points) > 1e-6:
        row.problems.append(f"solution scores {row.solution}, expected {manifest.points}")
    cpu_python = os.environ.get("AUTOGRADER_CPU_PYTHON")
    needs_torch = any(r.startswith("torch==") for r in requirements(manifest))
    needs_vision = any(r.startswith("torchvision") for r in requirements(manifest))
    if cpu_python and needs_torch and not needs_vision and Path(cpu_python).exists():
        cpu = emulate(grader_zip, repo.solution(aid), python=str(Path(cpu_python).absolute()))
        row.cpu_torch = (f"{cpu.peak_pss_mb:.0f} MB, {cpu.cpu_seconds:.1f} s, score {cpu.results.score} "
                         f"(torch {torch_version(str(Path(cpu_python).absolute()))})")
    elif needs_vision:
        row.cpu_torch = "needs torchvision"
    elif not needs_torch:
        row.cpu_torch = "no torch"
    with tempfile.TemporaryDirectory() as tmp:
        start_dir = repo.starter(aid) if repo.starter(aid).is_dir() else Path(tmp)
        st = emulate(grader_zip, start_dir)
    row.problems += [f"starter results invalid: {p}" for p in st.problems]
    row.starter = st.results.score
    for test in st.results.tests:
        if test.max_score > 0 and test.score > 0:
            row.problems.append(f"starter earns points on {test.label}")
    if mutants:
        check_mutants(repo, aid, grader_zip, row)
    from .written.reference import verify_reference  # the written part's reference report

    row.problems += verify_reference(repo.assignment(aid), repo.solution(aid), manifest.title, aid, repo.dist(), log)
    row.seconds = time.time() - started
    return row


def print_table(rows: list[Row]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Autograders ({torch_build()}; Gradescope budget: 700 MB, 120 CPU s)")
    for col in ("assignment", "solution", "starter", "seconds", "peak PSS MB (solution)", "CPU s (solution)",
                "with CPU-only torch", "mutants killed", "ok"):
        table.add_column(col, no_wrap=col == "assignment")
    for r in rows:
        ok = "[green]yes[/green]" if not r.problems else f"[red]{len(r.problems)} problem(s)[/red]"
        table.add_row(r.aid, f"{r.solution} / {r.points:g}", f"{r.starter}", f"{r.seconds:.1f}",
                      f"{r.peak_mb:.0f}", f"{r.cpu_s:.1f}", r.cpu_torch or "-", r.mutants or "-", ok)
    console = Console(width=max(120, Console().width))
    console.print(table)
    for r in rows:
        for p in r.problems:
            console.print(f"[red]{r.aid}[/red]: {p}", markup=True, highlight=False)
