"""The written part's documents that need the reference runs: the complete key and the reference report.

``autograder verify`` copies ``solutions/<id>/`` to a temporary folder, makes each run of
``reference_runs.toml`` there (or restores it from the cache, see :mod:`.runcache`), then writes

- ``dist/<id>_key.pdf``: the complete key (rubrics, reference answers, the runs' figures and tables,
  every number of an experiment answer computed from the runs);
- ``dist/<id>_report_reference.pdf``: the staff answers laid out on the answer template as a
  student's report is (which also proves that each answer fits its pages).

Problems (each fails ``verify``): a run that fails, a figure no run made, an expression that cannot
be computed, a number typed into an experiment answer, an answer longer than its pages. Pending runs
are not run; what needs them is a note instead of a problem while they are pending.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ...student.written.pages import Overflow, Placed, layout_pdf
from ...student.written.render import RenderError, resolve
from ...student.written.source import Written
from . import runcache
from .answers import Runs
from .documents import load, reference_regions, render_key, render_template, staff_answers

__all__ = ["key_from_cache", "reference_report", "verify_reference"]


def _copy_solution(solution_dir: Path, work: Path) -> None:
    shutil.copytree(solution_dir, work, ignore=shutil.ignore_patterns("runs", "__pycache__", "*.pyc"))


def run_lines(specs: list[runcache.RunSpec], made: list[runcache.Made]) -> list[str]:
    """One line per reference run for the key's cover: command, full-length command, where it came from."""
    by_name = {m.spec.name: m for m in made}
    lines = []
    for spec in specs:
        m = by_name.get(spec.name)
        state = ("pending, not run" if spec.pending else "not made in this build" if m is None
                 else f"from the cache, key `{m.key}`" if m.cached else f"made by this verify, key `{m.key}`")
        line = f"- **{spec.name}**: `{' '.join(spec.command)}` ({state})"
        if spec.full_command:
            line += f". *Shortened for CI;* full length: `{' '.join(spec.full_command)}`"
        lines.append(line + ".")
    return lines


def key_from_cache(assignment_dir: Path, written: Written, title: str, aid: str, dist: Path,
                   placed: list[Placed]) -> Path:
    """What ``build`` writes: the key from the cached runs, marked INCOMPLETE when some are not cached."""
    repo = Path(assignment_dir).resolve().parents[1]
    solution_dir = repo / "solutions" / aid
    specs = runcache.load_runs(runcache.runs_file(assignment_dir))
    output = dist / f"{aid}_key.pdf"
    with tempfile.TemporaryDirectory(prefix=f"key-{aid}-") as tmp:
        work = Path(tmp) / aid
        work.mkdir()
        made, lacking = runcache.from_cache(assignment_dir, solution_dir, work) if solution_dir.is_dir() else ([], specs)
        runs = Runs(work, runcache.origins(made))
        answers = staff_answers(written, runs)
        incomplete = ""
        if lacking:
            incomplete = (f"This build found {len(made)} of the {len(specs)} reference runs in the cache "
                          f"(missing: {', '.join(s.name for s in lacking)}).")
        render_key(written, title, output, runs, answers, placed, run_lines(specs, made), incomplete)
    return output


def reference_report(assignment_dir: Path, solution_dir: Path, title: str, aid: str, dist: Path,
                     log=print, cache: bool = True) -> tuple[list[str], list[str]]:
    """Make the runs, write the complete key and the reference report; return (problems, notes)."""
    written = load(assignment_dir)
    if written is None:
        return [], []
    specs = runcache.load_runs(runcache.runs_file(assignment_dir))
    pending = [s for s in specs if s.pending]
    problems: list[str] = []
    notes = [f"reference run {s.name}: pending (its script does not record runs yet), not run" for s in pending]
    dist.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"reference-{aid}-") as tmp:
        work = Path(tmp) / aid
        _copy_solution(solution_dir, work)
        made = runcache.make_runs(specs, solution_dir, work, runcache.cache_root(assignment_dir) if cache else None, log)
        problems += [f"reference run {m.spec.name}: {m.problem}" for m in made if m.problem]
        runs = Runs(work, runcache.origins(made))
        answers = staff_answers(written, runs)
        (notes if pending else problems).extend(
            f"{why} (runs still pending)" if pending else why for why in answers.missing.values())
        problems += answers.problems
        try:
            _, placed = render_template(written, title, aid, Path(tmp))
            missing = render_key(written, title, dist / f"{aid}_key.pdf", runs, answers, placed, run_lines(specs, made),
                                 "Some reference runs are pending." if pending else "")
            regions = reference_regions(written, title, aid, answers)
            for r in regions:
                resolve(r, work, placeholder=True)
            output = dist / f"{aid}_report_reference.pdf"
            try:
                layout_pdf(regions, output, work, f"{title}: reference report", title)
            except Overflow as exc:  # written anyway, as a draft with the long answers marked, to look at
                problems.append(f"reference report ({output.name}, a draft): {exc} (raise the question's "
                                "{pages=N} in questions.md, or shorten the answer)")
                layout_pdf(regions, output, work, f"{title}: reference report", title, draft=True)
        except RenderError as exc:
            return problems + [f"reference report: {exc}"], notes
    if missing:
        text = "key: figures not made by the reference runs: " + "; ".join(missing)
        (notes if pending else problems).append(text + (" (runs still pending)" if pending else ""))
    return problems, notes


def verify_reference(assignment_dir: Path, solution_dir: Path, title: str, aid: str, dist: Path,
                     log=print) -> list[str]:
    """What ``autograder verify`` runs: the key and the reference report into ``dist/``; notes are logged,
    problems returned."""
    if load(assignment_dir) is None:
        return []
    problems, notes = reference_report(assignment_dir, solution_dir, title, aid, Path(dist), log)
    for note in notes:
        log(f"{aid}: note: {note}")
    for name in ("key", "report_reference"):
        path = Path(dist) / f"{aid}_{name}.pdf"
        if path.is_file():
            log(f"{aid}: {path}")
    return problems
