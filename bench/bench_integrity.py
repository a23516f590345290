"""Benchmark: grade integrity under fresh draws (issue 18's "Done when" figures), in one command.

Four parts, each can run alone (``--part``, repeatable, run in the order given; default all four in
this order):

``scores``   each reference solution, and each course-style submission of tests/course_style/
             (assembled as its test in tests/test_<id>_course_style.py assembles it), graded under
             N random submission ids (default 25) with one built zip per assignment, 2 gradings at
             a time. Per submission: ids tried, how many of the zip's recorded fixture sets they
             reached, min and max score, every id that did not give 100 and its failing tests.
``mutants``  every declared mutant (assignments/<id>/mutants.toml) graded by ``autograder mutants``'
             code (``run_mutants(full=True)``: every test), once per submission id (default 3): each
             must be killed under every id and lose the same public and hidden points under each.
             ``--mutants-public-first`` grades as ``autograder mutants`` does by default, faster: a
             mutant that a public test kills is not graded on the hidden tests, so only its public
             points are compared.
``keys``     the fixtures of each assignment recorded under K random staff keys (default 50): per
             key the fixed part, the students' set and D draws of the pool (default 3), that is
             K x D independent draw seeds per assignment. Every failure is printed with its key.
``budget``   the CPU seconds and peak memory (PSS of the grader and its workers) of grading each
             reference solution with this tree's zip and with the zip of an older commit (default
             8d0445a, built in a ``git worktree`` of it by that tree's own framework, and graded
             with that tree's own reference solution), with the CPU-only torch venv that Gradescope's
             setup installs; median of R runs (default 3), old and new alternately. Targets: at most
             1.5x the CPU seconds and 1.1x the peak memory of the old zip.

    .venv/bin/python bench/bench_integrity.py                 # everything (hours on 2 cores)
    .venv/bin/python bench/bench_integrity.py --quick         # smoke run: A1 only, tiny counts
    .venv/bin/python bench/bench_integrity.py --part scores --part budget --assignments a2_cnns
    .venv/bin/python bench/bench_integrity.py --part scores --submission-ids 123456789 ...  # replay

The machine's load average is printed beside every timing: on a shared machine wall times
inflate a lot and CPU seconds somewhat, so compare old and new only within one run.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.markup import escape  # noqa: E402
from rich.table import Table  # noqa: E402

from autograder.grading import draws  # noqa: E402
from autograder.staff import emulate as emulate_mod  # noqa: E402
from autograder.staff.build import build  # noqa: E402
from autograder.staff.emulate import emulate  # noqa: E402
from autograder.staff.repo import Repo  # noqa: E402

ASSIGNMENTS = ("a1_neural_nets", "a2_cnns", "a3_interpretability", "a4_sequences")
PARTS = ("scores", "mutants", "keys", "budget")
OLD_COMMIT = "8d0445a"
CPU_PYTHON_CANDIDATES = (ROOT / ".venv-cpu" / "bin" / "python", Path("/work/main/.venv-cpu/bin/python"))
CPU_TARGET, PEAK_TARGET = 1.5, 1.10

console = Console(width=max(140, Console().width), highlight=False)


def load_text() -> str:
    """The 1, 5 and 15 minute load averages and the core count, as one short phrase."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def note(text: str) -> None:
    console.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {escape(text)}")


# ---- building ---------------------------------------------------------------------------

class Zips:
    """One autograder zip per assignment for the whole run, built on first use into a temporary dist/."""

    def __init__(self, dist: Path, pool_size: int | None):
        self.repo = Repo(ROOT, dist=dist)
        self.pool_size = pool_size
        self._built: dict[str, Path] = {}
        self._lock = threading.Lock()

    def get(self, aid: str) -> Path:
        with self._lock:
            if aid not in self._built:
                started = time.time()
                grader_zip, _ = build(self.repo, aid, log=lambda _line: None, pool_size=self.pool_size)
                note(f"built {aid} in {time.time() - started:.0f} s ({load_text()})")
                self._built[aid] = grader_zip
            return self._built[aid]


def zip_key_and_pool(grader_zip: Path) -> tuple[bytes | None, int]:
    """The assignment key a zip holds and the number of fixture sets in its pool."""
    with zipfile.ZipFile(grader_zip) as zf:
        names = zf.namelist()
        key = draws.parse_key(zf.read("key").decode("ascii"), "the zip's key") if "key" in names else None
    pool = {m.group(1) for n in names if (m := re.match(r"fixtures/draws/(\d+)/", n))}
    return key, len(pool)


def random_ids(count: int) -> list[int]:
    """Submission ids in the range ``make test`` draws from (nine digits, as Gradescope's)."""
    return [100_000_000 + secrets.randbelow(900_000_000) for _ in range(count)]


# ---- part 1: scores under many submission ids ------------------------------------------------

def _test_module(aid: str):
    """tests/test_<id>_course_style.py, imported, so the bench assembles each fixture as its test does."""
    path = ROOT / "tests" / f"test_{aid}_course_style.py"
    spec = importlib.util.spec_from_file_location(f"bench_course_style_{aid}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _needs(module, *names: str) -> None:
    missing = [n for n in names if not hasattr(module, n)]
    if missing:
        raise RuntimeError(f"{module.__file__} has no {', '.join(missing)} any more: update the course-style "
                           "assembly in bench/bench_integrity.py to follow the test")


def _course_a1(target: Path) -> None:
    # as test_course_style_csv_loader_and_regularization_keep_full_marks
    mod = _test_module("a1_neural_nets")
    _needs(mod, "_submission")
    mod._submission(target, ["utils.py", "optimizer/_base_optimizer.py"])


def _course_a2(target: Path) -> None:
    # as test_course_names_sizes_and_optimizer_keep_full_marks
    import torch

    mod = _test_module("a2_cnns")
    _needs(mod, "_code", "_twolayer_256", "_large_my_model", "FIXTURE", "SOLUTION")
    mod._code(target, {"optimizer/sgd.py": mod.FIXTURE / "optimizer" / "sgd.py",
                       "models/my_model.py": mod.FIXTURE / "models" / "my_model.py"})
    torch.save(mod._twolayer_256(), target / "checkpoints" / "twolayernet.pth")
    state, _count = mod._large_my_model()
    torch.save(state, target / "checkpoints" / "mymodel.pth")
    (target / "checkpoints" / "vanillacnn.pt").write_bytes(b"not a checkpoint")
    older = time.time() - 3600
    os.utime(target / "checkpoints" / "vanillacnn.pt", (older, older))
    shutil.copyfile(mod.SOLUTION / "checkpoints" / "vanillacnn.pt", target / "checkpoints" / "vanillacnn.pth")


def _course_files(aid: str, base: Path | None) -> Callable[[Path], None]:
    """A3 and A4: the fixture's COURSE_FILES over nothing (A3) or over the solution's models/ (A4)."""
    def make(target: Path) -> None:
        mod = _test_module(aid)
        _needs(mod, "COURSE_FILES", "FIXTURE")
        if base is not None:
            shutil.copytree(ROOT / "solutions" / aid / base, target / base,
                            ignore=shutil.ignore_patterns("__pycache__"))
        for rel in mod.COURSE_FILES:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(mod.FIXTURE / rel, target / rel)
    return make


COURSE_STYLE: dict[str, Callable[[Path], None]] = {
    "a1_neural_nets": _course_a1,
    "a2_cnns": _course_a2,
    "a3_interpretability": _course_files("a3_interpretability", None),   # the test copies every file
    "a4_sequences": _course_files("a4_sequences", Path("models")),
}


def _copy_reference(aid: str, target: Path) -> None:
    shutil.copytree(ROOT / "solutions" / aid, target,
                    ignore=shutil.ignore_patterns("__pycache__", "runs", "data", "outputs", "visualization"))


@dataclass
class ScoreRow:
    assignment: str
    submission: str
    ids: list[int] = field(default_factory=list)
    scores: dict[int, float] = field(default_factory=dict)
    failing: dict[int, list[str]] = field(default_factory=dict)   # id -> labels of tests short of full marks
    sets_reached: int = 0
    pool: int = 0
    error: str = ""

    @property
    def bad_ids(self) -> list[int]:
        return [i for i in self.ids if self.scores.get(i) != 100]


def part_scores(args, zips: Zips, ids: list[int], work: Path) -> list[ScoreRow]:
    rows: list[ScoreRow] = []
    jobs: list[tuple[ScoreRow, Path, int, Path]] = []
    for aid in args.assignments:
        grader_zip = zips.get(aid)
        akey, pool = zip_key_and_pool(grader_zip)
        reached = len({draws.pool_index(draws.submission_draw(akey, i), pool) for i in ids}) if akey else 0
        for name, make in (("reference", lambda t, a=aid: _copy_reference(a, t)),
                           ("course-style", COURSE_STYLE[aid])):
            row = ScoreRow(aid, name, list(ids), sets_reached=reached, pool=pool)
            rows.append(row)
            sub = work / "scores" / aid / name
            try:
                sub.parent.mkdir(parents=True, exist_ok=True)
                make(sub)
            except Exception as exc:  # noqa: BLE001 - reported in the table, the other rows go on
                row.error = f"could not assemble: {type(exc).__name__}: {exc}"
                continue
            jobs += [(row, grader_zip, i, sub) for i in ids]
    note(f"[scores] {len(jobs)} gradings, {args.jobs} at a time ({load_text()})")
    started = time.time()

    def one(row: ScoreRow, grader_zip: Path, sid: int, sub: Path):
        return emulate(grader_zip, sub, submission_id=sid, measure_memory=False)

    done = 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool_ex:
        futures = {pool_ex.submit(one, *job): job for job in jobs}
        for future in as_completed(futures):
            row, _zip, sid, _sub = futures[future]
            done += 1
            try:
                em = future.result()
            except Exception as exc:  # noqa: BLE001
                row.scores[sid] = float("nan")
                row.failing[sid] = [f"the grading itself failed: {type(exc).__name__}: {exc}"]
                continue
            row.scores[sid] = em.results.score if em.results.score is not None else float("nan")
            lost = [t.label for t in em.results.tests if t.max_score > 0 and t.score < t.max_score]
            lost += [f"results.json: {p}" for p in em.problems]
            if lost or row.scores[sid] != 100:
                row.failing[sid] = lost
            note(f"[scores] {done}/{len(jobs)} {row.assignment} {row.submission} id {sid}: {row.scores[sid]:g}")
    note(f"[scores] done in {time.time() - started:.0f} s wall ({load_text()})")
    return rows


def print_scores(rows: list[ScoreRow], ids: list[int]) -> None:
    table = Table(title=f"Scores under {len(ids)} submission ids (one zip per assignment)",
                  caption="sets reached: how many of the zip's recorded fixture sets the ids drew")
    for col in ("assignment", "submission", "ids", "sets reached", "min", "max", "ids not 100"):
        table.add_column(col, overflow="fold")
    for r in rows:
        if r.error:
            table.add_row(r.assignment, r.submission, "0", "-", "-", "-", f"[red]{escape(r.error)}[/red]")
            continue
        got = [r.scores[i] for i in r.ids if i in r.scores]
        bad = r.bad_ids
        table.add_row(r.assignment, r.submission, str(len(got)), f"{r.sets_reached} of {r.pool}",
                      f"{min(got):g}" if got else "-", f"{max(got):g}" if got else "-",
                      "[green]none[/green]" if not bad else f"[red]{len(bad)}[/red]")
    console.print(table)
    console.print("submission ids: " + " ".join(str(i) for i in ids))
    for r in rows:
        for sid in r.bad_ids:
            tests = "; ".join(r.failing.get(sid, [])) or "(no test short of full marks)"
            console.print(f"[red]{r.assignment} {r.submission}[/red] id {sid}: {r.scores.get(sid)} - {escape(tests)}")


# ---- part 2: mutants under a few submission ids ----------------------------------------------

@contextlib.contextmanager
def submission_id(sid: int) -> Iterator[None]:
    """Every emulated grading inside grades as submission ``sid`` (how ``autograder mutants`` picks its id)."""
    name = emulate_mod.SUBMISSION_ID_ENV
    before = os.environ.get(name)
    os.environ[name] = str(sid)
    emulate_mod.run_submission_id.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before
        emulate_mod.run_submission_id.cache_clear()


@dataclass
class MutantRow:
    assignment: str
    id: str
    verdicts: dict[int, str] = field(default_factory=dict)
    lost: dict[int, tuple[float, float | None]] = field(default_factory=dict)   # sid -> (public, hidden)

    def comparable(self) -> set[tuple]:
        """The points lost under each id, hidden points only where every id measured them."""
        hidden_everywhere = all(h is not None for _p, h in self.lost.values())
        return {(p, h if hidden_everywhere else None) for p, h in self.lost.values()}

    @property
    def killed_everywhere(self) -> bool:
        return bool(self.verdicts) and all(v in ("public", "hidden") for v in self.verdicts.values())

    @property
    def same_points(self) -> bool:
        return len(self.comparable()) <= 1


def part_mutants(args, zips: Zips, ids: list[int]) -> tuple[list[MutantRow], list[str]]:
    from autograder.staff.mutants import load_mutants, run_mutants

    rows: dict[tuple[str, str], MutantRow] = {}
    problems: list[str] = []
    started = time.time()
    for aid in args.assignments:
        grader_zip = zips.get(aid)
        only = None
        if args.mutants_limit:
            declared, _ = load_mutants(zips.repo.assignment(aid) / "mutants.toml")
            only = [m.id for m in declared[:args.mutants_limit]]
        for sid in ids:
            t0 = time.time()
            with submission_id(sid):
                report = run_mutants(zips.repo, aid, grader_zip=grader_zip, jobs=args.jobs, only=only,
                                     log=lambda _line: None, full=not args.mutants_public_first)
            problems += [f"{aid} id {sid}: {p}" for p in report.reference_problems]
            problems += [f"{aid} id {sid}: mutant {o.id!r} could not be graded: {o.problem}"
                         for o in report.outcomes if o.verdict == "error"]
            for o in report.outcomes:
                row = rows.setdefault((aid, o.id), MutantRow(aid, o.id))
                row.verdicts[sid] = o.verdict
                row.lost[sid] = (o.public_lost, o.hidden_lost)
            killed = sum(o.verdict in ("public", "hidden") for o in report.outcomes)
            note(f"[mutants] {aid} id {sid}: {killed} of {len(report.outcomes)} killed in "
                 f"{time.time() - t0:.0f} s wall ({load_text()})")
    note(f"[mutants] done in {time.time() - started:.0f} s wall ({load_text()})")
    return list(rows.values()), problems


def _lost_text(lost: tuple[float, float | None]) -> str:
    public, hidden = lost
    return f"lost {public:g} public" + ("" if hidden is None else f" + {hidden:g} hidden")


def print_mutants(rows: list[MutantRow], problems: list[str], ids: list[int], full: bool, verbose: bool) -> None:
    table = Table(title=f"Mutants under {len(ids)} submission ids ("
                        + ("every test graded" if full else "public tests first, as `autograder mutants`") + ")")
    for col in ("assignment", "mutants", "killed under every id", "survivors", "points differ between ids"):
        table.add_column(col, overflow="fold")
    for aid in dict.fromkeys(r.assignment for r in rows):
        mine = [r for r in rows if r.assignment == aid]
        survivors = [r for r in mine if not r.killed_everywhere]
        differ = [r for r in mine if not r.same_points]
        table.add_row(aid, str(len(mine)), f"{len(mine) - len(survivors)}",
                      "[green]none[/green]" if not survivors else f"[red]{len(survivors)}[/red]",
                      "[green]none[/green]" if not differ else f"[red]{len(differ)}[/red]")
    console.print(table)
    console.print("submission ids: " + " ".join(str(i) for i in ids))
    for r in rows:
        if verbose or not r.killed_everywhere or not r.same_points:
            colour = "red" if not r.killed_everywhere or not r.same_points else "default"
            per_id = "; ".join(f"id {sid}: {r.verdicts[sid]} {_lost_text(r.lost[sid])}" for sid in r.verdicts)
            console.print(f"[{colour}]{r.assignment} {escape(r.id)}[/{colour}]: {per_id}")
    for p in problems:
        console.print(f"[red]{escape(p)}[/red]")


# ---- part 3: fixtures under many keys -------------------------------------------------------

def bench_key(seed: str, index: int) -> bytes:
    """The ``index``-th staff key of this run (32 bytes), from the run's printed key seed."""
    return hashlib.sha256(f"bench-integrity-key:{seed}:{index}".encode()).digest()


@dataclass
class KeyFailure:
    assignment: str
    key: str
    message: str


@dataclass
class KeyRow:
    assignment: str
    keys: int = 0
    sets: int = 0
    redrawn: int = 0
    fallbacks: int = 0
    seconds: float = 0.0
    failures: list[KeyFailure] = field(default_factory=list)


def part_keys(args, key_seed: str) -> list[KeyRow]:
    from autograder.staff import fixtures as fixtures_mod

    rows = {aid: KeyRow(aid) for aid in args.assignments}
    jobs = [(aid, i) for i in range(args.keys) for aid in args.assignments]
    lock = threading.Lock()

    def one(aid: str, index: int) -> None:
        key = bench_key(key_seed, index)
        akey = draws.assignment_key(key, aid)
        script = ROOT / "assignments" / aid / "tests" / "build_fixtures.py"
        pool = [draws.pool_seed(akey, k) for k in range(args.draws_per_key)]
        t0 = time.time()
        try:
            recorded = fixtures_mod.record(script, ROOT / "solutions" / aid, draws.heldout_seed(key, aid),
                                           pool_seeds=pool, processes=1)
        except Exception as exc:  # noqa: BLE001 - every failure is reported with its key
            with lock:
                rows[aid].failures.append(KeyFailure(aid, key.hex(), f"{type(exc).__name__}: {exc}"[-3000:]))
                rows[aid].keys += 1
            note(f"[keys] {aid} key #{index}: FAILED")
            return
        redrawn = sum(int(m) for m in re.findall(r"(\d+) rejected draw", recorded.log))
        fallbacks = len(re.findall(r"fell back to its known-good case", recorded.log))
        with lock:
            row = rows[aid]
            row.keys += 1
            row.sets += 2 + len(recorded.draws)
            row.redrawn += redrawn
            row.fallbacks += fallbacks
            row.seconds += time.time() - t0

    note(f"[keys] {len(jobs)} recordings (fixed part, students' set and {args.draws_per_key} draw(s) each), "
         f"{args.jobs} at a time ({load_text()})")
    started = time.time()
    done = 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool_ex:
        for future in as_completed([pool_ex.submit(one, *job) for job in jobs]):
            future.result()
            done += 1
            if done % max(1, len(args.assignments)) == 0:
                note(f"[keys] {done}/{len(jobs)} recorded")
    note(f"[keys] done in {time.time() - started:.0f} s wall ({load_text()})")
    return list(rows.values())


def print_keys(rows: list[KeyRow], key_seed: str, draws_per_key: int) -> None:
    table = Table(title=f"Fixtures recorded under {rows[0].keys if rows else 0} staff keys "
                        f"(fixed part, students' set, {draws_per_key} pool draw(s) per key)",
                  caption="redrawn: draws a screen rejected and drew again; fallbacks: screened cases that "
                          "used their known-good case")
    for col in ("assignment", "keys", "draw seeds", "sets recorded", "redrawn", "fallbacks", "s per key",
                "failures"):
        table.add_column(col)
    for r in rows:
        ok = r.keys - len(r.failures)
        table.add_row(r.assignment, str(r.keys), str(r.keys * draws_per_key), str(r.sets), str(r.redrawn),
                      str(r.fallbacks), f"{r.seconds / ok:.1f}" if ok else "-",
                      "[green]none[/green]" if not r.failures else f"[red]{len(r.failures)}[/red]")
    console.print(table)
    console.print(f"key seed {key_seed} (key #i = sha256('bench-integrity-key:<seed>:<i>'))")
    for r in rows:
        for f in r.failures:
            console.print(f"[red]{f.assignment}[/red] AUTOGRADER_KEY={f.key}: {escape(f.message)}")


# ---- part 4: the grading budget against the old commit ---------------------------------------

def old_tree(commit: str, path: Path) -> Path:
    """A ``git worktree`` of ``commit`` at ``path`` (made once, reused by later runs)."""
    if path.is_dir():
        head = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True)
        want = subprocess.run(["git", "-C", str(ROOT), "rev-parse", commit], capture_output=True, text=True)
        if head.returncode == 0 and head.stdout.strip() == want.stdout.strip():
            return path
        raise SystemExit(f"{path} exists but is not a worktree at {commit}: pass another --old-tree")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), commit], check=True,
                   capture_output=True)
    return path


def build_old(tree: Path, aids: list[str]) -> dict[str, Path]:
    """Build the old commit's zips with that tree's own framework (its ``python -m autograder build``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env["PYTHONPATH"] = str(tree)
    started = time.time()
    proc = subprocess.run([sys.executable, "-m", "autograder", "build", *aids], cwd=tree, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"building the zips of {tree} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    note(f"built the old zips ({', '.join(aids)}) in {time.time() - started:.0f} s ({load_text()})")
    return {aid: tree / "dist" / f"{aid}_autograder.zip" for aid in aids}


@dataclass
class Run:
    cpu: float
    peak: float
    wall: float
    score: float | None
    load_before: float
    load_after: float


@dataclass
class BudgetRow:
    assignment: str
    old: list[Run] = field(default_factory=list)
    new: list[Run] = field(default_factory=list)

    def median(self, which: str, what: str) -> float:
        return statistics.median(getattr(r, what) for r in getattr(self, which))


def cpu_python(given: str | None) -> str:
    if given:
        return str(Path(given).absolute())
    for candidate in CPU_PYTHON_CANDIDATES:
        if candidate.is_file():
            return str(candidate)
    raise SystemExit("no CPU-only torch venv found (make cpu-venv, or pass --cpu-python)")


def part_budget(args, zips: Zips, sid: int, work: Path) -> list[BudgetRow]:
    python = cpu_python(args.cpu_python)
    tree = old_tree(args.old_commit, Path(args.old_tree))
    old_zips = build_old(tree, list(args.assignments))
    subs = {}
    for aid in args.assignments:
        for which, base in (("old", tree), ("new", ROOT)):
            sub = work / "budget" / which / aid
            shutil.copytree(base / "solutions" / aid, sub,
                            ignore=shutil.ignore_patterns("__pycache__", "runs", "data", "outputs", "visualization"))
            subs[which, aid] = sub
    new_zips = {aid: zips.get(aid) for aid in args.assignments}
    rows = {aid: BudgetRow(aid) for aid in args.assignments}
    note(f"[budget] {len(rows) * 2 * args.runs} gradings one at a time with {python}, submission id {sid} "
         f"({load_text()})")
    for run in range(args.runs):
        for aid in args.assignments:
            order = ("old", "new") if run % 2 == 0 else ("new", "old")   # neither always goes first
            for which in order:
                grader_zip = old_zips[aid] if which == "old" else new_zips[aid]
                before = os.getloadavg()[0]
                em = emulate(grader_zip, subs[which, aid], python=python, submission_id=sid)
                result = Run(em.cpu_seconds, em.peak_pss_mb, em.seconds, em.results.score, before, os.getloadavg()[0])
                getattr(rows[aid], which).append(result)
                note(f"[budget] run {run + 1} {aid} {which}: score {result.score}, {result.cpu:.1f} CPU s, "
                     f"peak {result.peak:.0f} MB, {result.wall:.0f} s wall (load {before:.1f} -> "
                     f"{result.load_after:.1f})")
    return list(rows.values())


def print_budget(rows: list[BudgetRow], args, python: str) -> None:
    table = Table(title=f"Grading budget: this tree against {args.old_commit}, median of {args.runs}, "
                        f"CPU-only torch ({python})",
                  caption=f"targets: CPU x <= {CPU_TARGET}, peak x <= {PEAK_TARGET}; load: the 1-minute load "
                          f"average over the runs on {os.cpu_count()} cores (the machine's other work)")
    for col in ("assignment", "scores old/new", "CPU s old", "CPU s new", "CPU x", "peak MB old", "peak MB new",
                "peak x", "wall s old/new", "load"):
        table.add_column(col)
    for r in rows:
        cpu_x = r.median("new", "cpu") / r.median("old", "cpu")
        peak_x = r.median("new", "peak") / r.median("old", "peak")
        scores = "/".join(",".join(f"{x.score:g}" if x.score is not None else "?" for x in runs)
                          for runs in (r.old, r.new))
        loads = [x.load_before for x in r.old + r.new] + [x.load_after for x in r.old + r.new]
        table.add_row(r.assignment, scores, f"{r.median('old', 'cpu'):.1f}", f"{r.median('new', 'cpu'):.1f}",
                      f"[{'green' if cpu_x <= CPU_TARGET else 'red'}]{cpu_x:.2f}[/]",
                      f"{r.median('old', 'peak'):.0f}", f"{r.median('new', 'peak'):.0f}",
                      f"[{'green' if peak_x <= PEAK_TARGET else 'red'}]{peak_x:.2f}[/]",
                      f"{r.median('old', 'wall'):.0f}/{r.median('new', 'wall'):.0f}",
                      f"{min(loads):.1f}-{max(loads):.1f}")
    console.print(table)


# ---- the summary the README quotes --------------------------------------------------------

def summary_lines(results: dict, args) -> list[str]:
    lines = []
    if "scores" in results:
        rows: list[ScoreRow] = results["scores"]
        bad = [r for r in rows if r.error or r.bad_ids]
        lines.append(f"- scores: {len(rows)} submissions x {len(results['ids'])} submission ids: "
                     + ("all 100" if not bad else "not 100: " + ", ".join(
                         f"{r.assignment} {r.submission} ({r.error or len(r.bad_ids)} ids)" for r in bad)))
    if "mutants" in results:
        rows_m: list[MutantRow] = results["mutants"]
        surv = [r for r in rows_m if not r.killed_everywhere]
        diff = [r for r in rows_m if not r.same_points]
        lines.append(f"- mutants: {len(rows_m)} graded, under {len(results['mutant_ids'])} ids each: "
                     f"{len(rows_m) - len(surv)} killed under every id, {len(surv)} survivor(s), "
                     f"{len(diff)} with points that differ between ids")
    if "keys" in results:
        rows_k: list[KeyRow] = results["keys"]
        fails = sum(len(r.failures) for r in rows_k)
        lines.append(f"- keys: fixtures of {len(rows_k)} assignments under {args.keys} keys "
                     f"({args.keys * args.draws_per_key} draw seeds each): {fails} failure(s), "
                     f"{sum(r.redrawn for r in rows_k)} draws redrawn, {sum(r.fallbacks for r in rows_k)} fallbacks")
    if "budget" in results:
        for r in results["budget"]:
            cpu_x = r.median("new", "cpu") / r.median("old", "cpu")
            peak_x = r.median("new", "peak") / r.median("old", "peak")
            verdict = ("within both targets" if cpu_x <= CPU_TARGET and peak_x <= PEAK_TARGET else
                       "TARGET MISSED")
            lines.append(f"- budget {r.assignment}: {r.median('old', 'cpu'):.1f} -> {r.median('new', 'cpu'):.1f} "
                         f"CPU s ({cpu_x:.2f}x), {r.median('old', 'peak'):.0f} -> {r.median('new', 'peak'):.0f} MB "
                         f"peak ({peak_x:.2f}x), median of {len(r.new)}: {verdict}")
    return lines


def _jsonable(obj):
    if isinstance(obj, list):
        return [_jsonable(x) for x in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return asdict(obj)
    return obj


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: A1 only (unless --assignments), 2 ids, 2 mutants under 2 ids, 2 keys "
                             "with 1 draw, 1 budget run, zips with a pool of 2 draws")
    parser.add_argument("--part", action="append", choices=PARTS, help="run only this part (repeatable)")
    parser.add_argument("--assignments", nargs="+", choices=ASSIGNMENTS, help="default: all four")
    parser.add_argument("--ids", type=int, default=25, help="submission ids for the scores (default 25)")
    parser.add_argument("--submission-ids", type=int, nargs="+", help="these ids instead of random ones (replay)")
    parser.add_argument("--mutant-ids", type=int, default=3, help="submission ids per mutant (default 3)")
    parser.add_argument("--mutants-public-first", action="store_true",
                        help="grade mutants on the public tests first, as `autograder mutants` does (faster; "
                             "hidden points then compared only for mutants no public test kills)")
    parser.add_argument("--mutants-limit", type=int, default=0, help="only the first N mutants of each assignment")
    parser.add_argument("--keys", type=int, default=50, help="staff keys for the fixtures (default 50)")
    parser.add_argument("--draws-per-key", type=int, default=3, help="pool draws recorded per key (default 3)")
    parser.add_argument("--key-seed", help="derive the keys from this seed (replay; default random)")
    parser.add_argument("--runs", type=int, default=3, help="budget runs of each zip, median kept (default 3)")
    parser.add_argument("--old-commit", default=OLD_COMMIT, help=f"the budget's baseline (default {OLD_COMMIT})")
    parser.add_argument("--old-tree", help="where its worktree lives (default: a folder in the temp dir)")
    parser.add_argument("--cpu-python", help="interpreter of the CPU-only torch venv (default .venv-cpu)")
    parser.add_argument("--pool-size", type=int, help="fixture draws the zips record (default: the manifest's)")
    parser.add_argument("--jobs", type=int, default=2, help="gradings and recordings at a time (default 2)")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--verbose", action="store_true", help="print every mutant, not only the anomalies")
    args = parser.parse_args(argv)
    if args.quick:
        args.assignments = args.assignments or ["a1_neural_nets"]
        args.ids, args.mutant_ids, args.mutants_limit = 2, 2, args.mutants_limit or 2
        args.keys, args.draws_per_key, args.runs = 2, 1, 1
        args.pool_size = args.pool_size or 2
    args.assignments = list(args.assignments or ASSIGNMENTS)
    args.part = list(dict.fromkeys(args.part or PARTS))
    args.old_tree = args.old_tree or str(Path(tempfile.gettempdir()) / f"bench-integrity-{args.old_commit}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.time()
    ids = args.submission_ids or random_ids(args.ids)
    mutant_ids = (args.submission_ids or [])[:args.mutant_ids] or random_ids(args.mutant_ids)
    key_seed = args.key_seed or secrets.token_hex(8)
    console.print(f"bench_integrity: parts {', '.join(args.part)}; assignments {', '.join(args.assignments)}; "
                  f"{load_text()}" + ("; --quick" if args.quick else ""))
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        console.print("[yellow]the machine is busy with other work: wall times are inflated, CPU seconds "
                      "somewhat too; old and new are compared within this run only[/yellow]")
    results: dict = {"ids": ids, "mutant_ids": mutant_ids, "key_seed": key_seed}
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-integrity-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o711)   # the sandbox's own uid reads the submissions through it
        zips = Zips(work / "dist", args.pool_size)

        def scores() -> None:
            results["scores"] = part_scores(args, zips, ids, work)
            print_scores(results["scores"], ids)

        def mutants() -> None:
            results["mutants"], results["mutant_problems"] = part_mutants(args, zips, mutant_ids)
            print_mutants(results["mutants"], results["mutant_problems"], mutant_ids,
                          not args.mutants_public_first, args.verbose)

        def keys() -> None:
            results["keys"] = part_keys(args, key_seed)
            print_keys(results["keys"], key_seed, args.draws_per_key)

        def budget() -> None:
            results["budget"] = part_budget(args, zips, ids[0], work)
            print_budget(results["budget"], args, cpu_python(args.cpu_python))

        parts = {"scores": scores, "mutants": mutants, "keys": keys, "budget": budget}
        for name in args.part:
            console.rule(name)
            try:
                parts[name]()
            except (Exception, SystemExit):  # noqa: BLE001 - one broken part must not cost the others' figures
                console.print_exception(max_frames=8)
                failed.append(name)
    console.rule("summary")
    for line in summary_lines(results, args):
        console.print(escape(line))
    if failed:
        console.print(f"[red]part(s) that stopped with an error: {', '.join(failed)}[/red]")
    console.print(f"finished in {(time.time() - started) / 60:.1f} min wall; {load_text()} at the end")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({k: _jsonable(v) for k, v in results.items()}, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
