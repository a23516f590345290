"""The reference report: the staff answers with the figures of short reference runs.

``assignments/<id>/written/reference_runs.toml`` lists the runs::

    [[run]]
    name = "lr_sweep"                      # for messages
    command = ["python", "main.py", "--config", "configs/config_twolayer_digits.yaml"]
    timeout = 120                           # seconds (default 120)
    pending = false                         # true while the script does not write runs/ yet: not run

``autograder verify`` copies ``solutions/<id>/`` to a temporary folder, runs each command there
(``python`` is the interpreter running verify; the framework is importable), then renders the
staff answers with what the runs wrote to ``dist/<id>_report_reference.pdf``. A figure that is
still missing shows as a note in the PDF; it is a verify problem unless a run is pending. Pending
runs are not run at all (they would cost CI time for nothing); verify prints a note for each.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ...student.written.render import RenderError, compile_pdf, resolve
from ...student.written.report import report_sections
from .documents import bundle_info, load

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass
class RunSpec:
    name: str
    command: list[str]
    timeout: float = 120.0
    pending: bool = False


def load_runs(path: Path) -> list[RunSpec]:
    """Read and check ``reference_runs.toml``; an absent file means no runs."""
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from None
    unknown = set(data) - {"run"}
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {sorted(unknown)} (only [[run]] tables)")
    specs = []
    for i, entry in enumerate(data.get("run", []), start=1):
        where = f"{path}: run {i}"
        extra = set(entry) - {"name", "command", "timeout", "pending"}
        if extra:
            raise ValueError(f"{where}: unknown key(s) {sorted(extra)}")
        command = entry.get("command")
        if not isinstance(command, list) or not command or not all(isinstance(c, str) for c in command):
            raise ValueError(f"{where}: command must be a list of strings, e.g. [\"python\", \"main.py\"], "
                             f"found {command!r}")
        timeout = entry.get("timeout", 120)
        if not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValueError(f"{where}: timeout must be a positive number of seconds, found {timeout!r}")
        pending = entry.get("pending", False)
        if not isinstance(pending, bool):
            raise ValueError(f"{where}: pending must be true or false, found {pending!r}")
        specs.append(RunSpec(str(entry.get("name", f"run {i}")), command, float(timeout), pending))
    return specs


def run_all(specs: list[RunSpec], workdir: Path, log=print) -> list[tuple[RunSpec, str]]:
    """Run each command in ``workdir``; return (spec, what went wrong) for the failures."""
    framework_root = str(Path(__file__).resolve().parents[3])
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
           "PYTHONPATH": os.pathsep.join(p for p in (framework_root, os.environ.get("PYTHONPATH", "")) if p)}
    failed = []
    for spec in specs:
        command = [sys.executable if c == "python" else c for c in spec.command]
        started = time.time()
        try:
            proc = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=spec.timeout)
            ok, tail = proc.returncode == 0, (proc.stdout + proc.stderr).strip()[-600:]
        except subprocess.TimeoutExpired:
            ok, tail = False, f"ran past its timeout of {spec.timeout:g} s"
        log(f"  reference run {spec.name}: {'ok' if ok else 'FAILED'} in {time.time() - started:.1f} s")
        if not ok:
            failed.append((spec, f"`{' '.join(spec.command)}` failed: {tail}"))
    return failed


def reference_report(assignment_dir: Path, solution_dir: Path, title: str, aid: str, output: Path,
                     log=print) -> tuple[list[str], list[str]]:
    """Make the runs and render the reference report; return (problems, notes)."""
    written = load(assignment_dir)
    if written is None:
        return [], []
    specs = load_runs(Path(assignment_dir) / "written" / "reference_runs.toml")
    pending = any(s.pending for s in specs)
    problems, notes = [], []
    with tempfile.TemporaryDirectory(prefix=f"reference-{aid}-") as tmp:
        work = Path(tmp) / aid
        shutil.copytree(solution_dir, work, ignore=shutil.ignore_patterns("runs", "__pycache__", "*.pyc"))
        for spec in specs:
            if spec.pending:
                notes.append(f"reference run {spec.name}: pending (its script does not record runs yet), not run")
        for spec, why in run_all([s for s in specs if not s.pending], work, log):
            problems.append(f"reference run {spec.name}: {why}")
        info = bundle_info(written, title, aid)
        sections = report_sections(info, f"# {title}: reference report\n\nThe staff answers, with the figures "
                                   "and tables of the reference runs (`written/reference_runs.toml`).",
                                   {q.number: q.solution for q in written.questions})
        try:
            for s in sections:
                resolve(s, work, placeholder=True)
            compile_pdf(sections, output, work, f"{title}: reference report")
        except RenderError as exc:
            return problems + [f"reference report: {exc}"], notes
        missing = [f"{s.label}: {m}" for s in sections for m in s.missing]
    if missing:
        text = "reference report: figures not made by the reference runs: " + "; ".join(missing)
        (notes if pending else problems).append(text + (" (runs still pending)" if pending else ""))
    return problems, notes


def verify_reference(assignment_dir: Path, solution_dir: Path, title: str, aid: str, dist: Path,
                     log=print) -> list[str]:
    """What ``autograder verify`` runs: the reference report into ``dist/``; notes are logged, problems returned."""
    if load(assignment_dir) is None:
        return []
    output = Path(dist) / f"{aid}_report_reference.pdf"
    problems, notes = reference_report(assignment_dir, solution_dir, title, aid, output, log)
    for note in notes:
        log(f"{aid}: note: {note}")
    if output.is_file():
        log(f"{aid}: {output}")
    return problems
