"""The reference runs of a written part: what ``reference_runs.toml`` lists, how they run, and a
cache keyed by the content they depend on.

``assignments/<id>/written/reference_runs.toml``::

    [[run]]
    name = "four models"                    # for messages and the key
    command = ["python", "train.py", "--epochs", "8"]   # "python" is the interpreter running verify
    full_command = ["python", "train.py"]   # optional: this run is shortened for CI; the full-length one
    timeout = 300                           # seconds (default 120)
    pending = false                         # true while the script does not write runs/ yet: not run

Each run is made in a copy of ``solutions/<id>/`` (the framework importable). The folders it
writes under ``runs/`` are its record. They are kept in ``.cache/reference-runs/<id>/<key>/``, where
the key is a SHA-256 of the run's entry, every file of the solution folder (run records and
bytecode aside), the framework's run-recording module and the Python, NumPy, torch and matplotlib
versions: ``verify`` makes a run again only when one of these changed, and ``build`` puts the
cached runs' figures and numbers into the staff key without running anything. A verify whose runs
all succeed drops the entries of older sources.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .answers import RunOrigin

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FRAMEWORK = Path(__file__).resolve().parents[2]            # autograder/
RUN_MODULES = (FRAMEWORK / "student" / "runs.py", FRAMEWORK / "runs.py")
KEYS = {"name", "command", "full_command", "timeout", "pending"}
IGNORED = ("runs", "__pycache__", ".ipynb_checkpoints")


@dataclass
class RunSpec:
    name: str
    command: list[str]
    timeout: float = 120.0
    pending: bool = False
    full_command: list[str] | None = None

    def origin(self, key: str = "", cached: bool = False) -> RunOrigin:
        return RunOrigin(self.name, self.command, self.full_command, key, cached)


def runs_file(assignment_dir: Path) -> Path:
    return Path(assignment_dir) / "written" / "reference_runs.toml"


def _command(value, where: str, key: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(c, str) for c in value):
        raise ValueError(f"{where}: {key} must be a list of strings, e.g. [\"python\", \"main.py\"], found {value!r}")
    return value


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
        extra = set(entry) - KEYS
        if extra:
            raise ValueError(f"{where}: unknown key(s) {sorted(extra)} (known: {', '.join(sorted(KEYS))})")
        command = _command(entry.get("command"), where, "command")
        full = _command(entry["full_command"], where, "full_command") if "full_command" in entry else None
        timeout = entry.get("timeout", 120)
        if not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValueError(f"{where}: timeout must be a positive number of seconds, found {timeout!r}")
        pending = entry.get("pending", False)
        if not isinstance(pending, bool):
            raise ValueError(f"{where}: pending must be true or false, found {pending!r}")
        specs.append(RunSpec(str(entry.get("name", f"run {i}")), command, float(timeout), pending, full))
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: two runs have the same name ({', '.join(sorted({n for n in names if names.count(n) > 1}))})")
    return specs


def tree_digest(folder: Path) -> str:
    """SHA-256 over the relative paths and contents of a folder's files (run records and bytecode aside)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in IGNORED for part in rel.parts) or path.suffix == ".pyc" or not path.is_file():
            continue
        digest.update(str(rel.as_posix()).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    out = {"python": ".".join(map(str, sys.version_info[:2]))}
    for name in ("numpy", "torch", "matplotlib"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def spec_key(spec: RunSpec, solution_digest: str) -> str:
    parts = {"command": spec.command, "full_command": spec.full_command, "solution": solution_digest,
             "framework": [hashlib.sha256(p.read_bytes()).hexdigest() for p in RUN_MODULES if p.is_file()],
             "versions": _versions()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


def cache_root(assignment_dir: Path) -> Path:
    """``<repository>/.cache/reference-runs/<id>/`` (assignments/<id>/ is two levels below the repository)."""
    assignment_dir = Path(assignment_dir).resolve()
    return assignment_dir.parents[1] / ".cache" / "reference-runs" / assignment_dir.name


@dataclass
class Made:
    """What one reference run left: the run folders it wrote, and whether they came from the cache."""

    spec: RunSpec
    key: str
    folders: list[str]
    cached: bool
    seconds: float = 0.0
    problem: str = ""


def cached(spec: RunSpec, key: str, root: Path) -> Made | None:
    record = root / key / "record.json"
    if not record.is_file():
        return None
    data = json.loads(record.read_text(encoding="utf-8"))
    folders = data.get("folders", [])
    if not all((root / key / f).is_dir() for f in folders):
        return None
    return Made(spec, key, folders, True, data.get("seconds", 0.0))


def restore(made: Made, root: Path, work: Path) -> None:
    for folder in made.folders:
        target = work / folder
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(root / made.key / folder, target)


def store(made: Made, root: Path, work: Path) -> None:
    """Keep a successful run's folders under its key (written aside, then moved: never half a record)."""
    final = root / made.key
    tmp = root / f".{made.key}.tmp{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    for folder in made.folders:
        shutil.copytree(work / folder, tmp / folder)
    (tmp / "record.json").write_text(json.dumps({"name": made.spec.name, "command": made.spec.command,
                                                 "full_command": made.spec.full_command, "folders": made.folders,
                                                 "seconds": round(made.seconds, 1), "made": time.strftime("%Y-%m-%d %H:%M")},
                                                indent=1) + "\n", encoding="utf-8")
    if final.exists():
        shutil.rmtree(final)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, final)


def _snapshot(work: Path) -> dict[str, tuple[int, int]]:
    runs = work / "runs"
    if not runs.is_dir():
        return {}
    return {p.relative_to(work).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in runs.rglob("*") if p.is_file()}


def run_one(spec: RunSpec, key: str, work: Path) -> Made:
    """Run a reference run's command in ``work``; the run folders it wrote or changed are its record."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
           "PYTHONPATH": os.pathsep.join(p for p in (str(FRAMEWORK.parent), os.environ.get("PYTHONPATH", "")) if p)}
    command = [sys.executable if c == "python" else c for c in spec.command]
    before = _snapshot(work)
    started = time.time()
    try:
        proc = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=spec.timeout)
        ok, tail = proc.returncode == 0, (proc.stdout + proc.stderr).strip()[-600:]
    except subprocess.TimeoutExpired:
        ok, tail = False, f"ran past its timeout of {spec.timeout:g} s"
    after = _snapshot(work)
    changed = {"/".join(rel.split("/")[:2]) for rel, stamp in after.items() if before.get(rel) != stamp}
    made = Made(spec, key, sorted(changed), False, time.time() - started)
    if not ok:
        made.problem = f"`{' '.join(spec.command)}` failed: {tail}"
    elif not changed:
        made.problem = f"`{' '.join(spec.command)}` wrote nothing under runs/"
    return made


def make_runs(specs: list[RunSpec], solution_dir: Path, work: Path, cache: Path | None, log=print) -> list[Made]:
    """Every run that is not pending, into ``work/runs``: from the cache where its key is there, else made
    (and kept in the cache when it succeeds). ``cache=None`` runs everything and keeps nothing."""
    digest = tree_digest(solution_dir)
    out = []
    for spec in specs:
        if spec.pending:
            continue
        key = spec_key(spec, digest)
        hit = cached(spec, key, cache) if cache else None
        if hit and cache:
            restore(hit, cache, work)
            log(f"  reference run {spec.name}: from the cache ({key}, made in {hit.seconds:.0f} s)")
            out.append(hit)
            continue
        made = run_one(spec, key, work)
        log(f"  reference run {spec.name}: {'FAILED' if made.problem else 'ok'} in {made.seconds:.1f} s")
        if cache and not made.problem:
            store(made, cache, work)
        out.append(made)
    if cache and cache.is_dir() and not any(m.problem for m in out):
        prune(cache, {m.key for m in out})
    return out


def prune(cache: Path, keep: set[str]) -> None:
    """Drop the cached runs of older sources (every run was made or found for the current ones)."""
    for entry in cache.iterdir():
        if entry.is_dir() and entry.name not in keep and not entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)


def from_cache(assignment_dir: Path, solution_dir: Path, work: Path) -> tuple[list[Made], list[RunSpec]]:
    """Restore into ``work`` every run the cache holds for the current sources; return them and the
    runs it lacks (pending ones included). Nothing is run."""
    specs = load_runs(runs_file(assignment_dir))
    if not specs:
        return [], []
    digest = tree_digest(solution_dir)
    root = cache_root(assignment_dir)
    found, lacking = [], []
    for spec in specs:
        hit = None if spec.pending else cached(spec, spec_key(spec, digest), root)
        if hit:
            restore(hit, root, work)
            found.append(hit)
        else:
            lacking.append(spec)
    return found, lacking


def origins(made: list[Made]) -> dict[str, RunOrigin]:
    """``runs/<name>`` -> how it was made (for the key's notes and ``run(...).shortened``)."""
    return {folder: m.spec.origin(m.key, m.cached) for m in made for folder in m.folders}
