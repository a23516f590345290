"""``autograder mutants``: prove the graders by grading plausible wrong solutions.

An assignment lists mistakes students make in ``assignments/<id>/mutants.toml``::

    [settings]                 # optional
    min_mutants = 15           # fewer declared mutants is a problem for `verify`
    min_public_share = 0.75    # share that public tests must kill

    [[mutant]]
    id = "relu-grad-at-zero"
    file = "models/_base_network.py"
    mistake = "ReLU's gradient is taken as 1 at x == 0"
    find = "(x > 0)"           # the exact solution text, found exactly once in the file
    replace = "(x >= 0)"       # the buggy text

Each mutant is applied to a copy of the reference solution's submitted files and graded by
the assignment's real autograder zip, unpacked once and copied per grading, through the same
grader and sandbox as on Gradescope. Points lost are counted against the unmutated reference,
separately for public and hidden tests; the verdict is ``public`` when a public test loses
points, ``hidden`` when only hidden tests do, and ``survived`` when none does.

Each mutant is graded on the public tests first (the zip's tests without ``tests/hidden``: the
public tests' scores do not depend on what runs after them). Only a mutant that loses nothing
there is graded again with every test, which decides between ``hidden`` and ``survived``; the
hidden points a publicly killed mutant loses are then not measured (``hidden_lost`` is None).
The public grading stops at its first failing test, and runs first the test files that name the
mutated file or what it defines most often (:func:`likely_test_files`): a guess that only orders
the tests, so that the grading usually stops at its first file.
``full=True`` grades every mutant with every test.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..grading import files
from ..grading.manifest import Manifest
from ..grading.results import Results
from ..grading.settings import ONE_THREAD
from ..grading.vocabulary import definitions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_MUTANT_KEYS = {"id", "file", "mistake", "find", "replace"}
_SETTINGS_KEYS = {"min_mutants", "min_public_share"}


class MutantError(ValueError):
    """A mutant that cannot be used: bad declaration, text not found exactly once, broken import."""


@dataclass
class Mutant:
    id: str
    file: str
    mistake: str
    find: str
    replace: str


@dataclass
class Outcome:
    id: str
    mistake: str
    public_lost: float = 0.0
    hidden_lost: float | None = 0.0   # None: not graded, a public test already lost points
    verdict: str = "survived"
    problem: str = ""          # why the mutant could not be graded (then verdict is "error")


@dataclass
class MutantReport:
    assignment: str
    outcomes: list[Outcome] = field(default_factory=list)
    min_mutants: int = 15
    min_public_share: float = 0.75
    reference_problems: list[str] = field(default_factory=list)

    @property
    def killed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.verdict in ("public", "hidden")]

    @property
    def public_share(self) -> float:
        graded = [o for o in self.outcomes if o.verdict != "error"]
        return sum(o.verdict == "public" for o in graded) / len(graded) if graded else 0.0

    def problems(self) -> list[str]:
        """Everything that makes the assignment's graders unproven, as sentences."""
        out = list(self.reference_problems)
        out += [f"mutant {o.id!r} cannot be graded: {o.problem}" for o in self.outcomes if o.verdict == "error"]
        out += [f"mutant {o.id!r} survived (no test loses points): {o.mistake}"
                for o in self.outcomes if o.verdict == "survived"]
        if len(self.outcomes) < self.min_mutants:
            out.append(f"{len(self.outcomes)} mutants declared, at least {self.min_mutants} expected")
        if self.outcomes and self.public_share < self.min_public_share:
            out.append(f"public tests kill {self.public_share:.0%} of the mutants, "
                       f"at least {self.min_public_share:.0%} expected")
        return out

    def to_json(self) -> dict:
        return {"assignment": self.assignment,
                "mutants": [{k: v for k, v in asdict(o).items() if k != "problem" or v} for o in self.outcomes]}


def load_mutants(path: Path) -> tuple[list[Mutant], dict]:
    """Read and validate ``mutants.toml``; errors name the file, the mutant and the key."""
    if not path.is_file():
        raise MutantError(f"{path}: no mutants declared (file not found)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MutantError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(raw) - {"mutant", "settings"}
    if unknown:
        raise MutantError(f"{path}: unknown key {sorted(unknown)[0]!r} (known: mutant, settings)")
    settings = raw.get("settings", {})
    if not isinstance(settings, dict) or set(settings) - _SETTINGS_KEYS:
        raise MutantError(f"{path}: [settings] takes only {', '.join(sorted(_SETTINGS_KEYS))}")
    mutants, seen = [], set()
    for i, entry in enumerate(raw.get("mutant", [])):
        where = f"{path}: mutant #{i + 1}"
        if not isinstance(entry, dict):
            raise MutantError(f"{where}: expected a table")
        missing = _MUTANT_KEYS - set(entry)
        extra = set(entry) - _MUTANT_KEYS
        if missing or extra:
            raise MutantError(f"{where}: missing keys {sorted(missing)}, unknown keys {sorted(extra)}")
        for key in _MUTANT_KEYS:
            if not isinstance(entry[key], str) or (key != "replace" and not entry[key].strip()):
                raise MutantError(f"{where}: key {key!r} must be a non-empty string")
        if entry["id"] in seen:
            raise MutantError(f"{where}: duplicate id {entry['id']!r}")
        if entry["find"] == entry["replace"]:
            raise MutantError(f"{where} ({entry['id']}): 'replace' equals 'find', so nothing changes")
        seen.add(entry["id"])
        mutants.append(Mutant(**{k: entry[k] for k in _MUTANT_KEYS}))
    return mutants, settings


def apply_mutant(mutant: Mutant, text: str) -> str:
    count = text.count(mutant.find)
    if count != 1:
        raise MutantError(f"its text is found {count} times in {mutant.file} (it must be found exactly once)")
    return text.replace(mutant.find, mutant.replace, 1)


def _submitted(solution: Path, manifest: Manifest) -> list[str]:
    names = [rel for rel in manifest.files if (solution / rel).is_file()]
    for rel in files.relative_files(solution):
        if rel not in names and any(fnmatch.fnmatch(rel, p) for p in manifest.optional_files):
            names.append(rel)
    return names


def _make_submission(solution: Path, names: list[str], target: Path, mutant: Mutant | None,
                     support: Path) -> None:
    """The reference's submitted files (one of them mutated) over the zip's support files,
    the folder the grader itself would assemble."""
    for rel in names:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(solution / rel, dest)
    if support.is_dir():
        shutil.copytree(support, target, dirs_exist_ok=True,
                        copy_function=lambda src, dst: None if os.path.exists(dst) else shutil.copyfile(src, dst))
    if mutant is not None:
        if mutant.file not in names:
            raise MutantError(f"{mutant.file} is not a file students submit (see 'files' in the manifest)")
        path = target / mutant.file
        path.write_text(apply_mutant(mutant, path.read_text(encoding="utf-8")), encoding="utf-8")


_IMPORT_CHECK = r"""
import importlib, json, sys
results = {}
for item in json.loads(sys.stdin.read()):
    sys.path[:0] = item["path"]
    try:
        importlib.import_module(item["module"])
        results[item["id"]] = ""
    except BaseException as exc:
        results[item["id"]] = f"{type(exc).__name__}: {exc}"[:300]
    for name, mod in list(sys.modules.items()):
        if any(str(getattr(mod, "__file__", "") or "").startswith(p) for p in item["path"]):
            del sys.modules[name]
    del sys.path[:len(item["path"])]
print(json.dumps(results))
"""


def _import_failures(items: list[dict]) -> dict[str, str]:
    """Import each mutated module in one interpreter; mutant id -> error ("" when it imports)."""
    if not items:
        return {}
    env = {**os.environ, "MPLBACKEND": "Agg", **ONE_THREAD}
    proc = subprocess.run([sys.executable, "-I", "-c", _IMPORT_CHECK], input=json.dumps(items),
                          capture_output=True, text=True, timeout=600, env=env)
    if proc.returncode != 0:
        raise MutantError(f"the import check itself failed: {proc.stderr[-1500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _scores(doc: Results) -> dict[tuple, tuple[float, str]]:
    """(number, name, occurrence) -> (score, suite) for every test of a results document."""
    out: dict[tuple, tuple[float, str]] = {}
    for test in doc.tests:
        key = (test.number or "", test.name)
        n = sum(1 for k in out if k[:2] == key)
        out[key + (n,)] = (test.score, test.suite)
    return out


def _losses(reference: Results, doc: Results, public_only: bool = False) -> tuple[float, float | None]:
    """Points lost against the reference, (public, hidden); hidden is None for a public-only grading."""
    ref, got = _scores(reference), _scores(doc)
    lost = {"public": 0.0, "hidden": 0.0}
    for key, (score, suite) in ref.items():
        if public_only and key not in got:
            continue   # not run: a public-only grading stops at its first failing test
        if not public_only or suite == "public":
            lost[suite] += max(0.0, score - got.get(key, (0.0, suite))[0])
    if public_only:
        return round(lost["public"], 4), None
    if doc.score is not None and reference.score is not None:
        missing = reference.score - doc.score - lost["public"] - lost["hidden"]
        if missing > 1e-9:   # points lost outside any matching test count as public (the student sees them)
            lost["public"] += missing
    return round(lost["public"], 4), round(lost["hidden"], 4)


@dataclass
class _Grader:
    """The assignment's zip, unpacked once, with and without its hidden tests."""

    zip: Path
    unpacked: Path
    public: Path
    timeout: float

    @classmethod
    def unpack(cls, grader_zip: Path, folder: Path, timeout: float) -> _Grader:
        from ..grading.upload import safe_extract

        unpacked, public = folder / "source", folder / "source-public"
        unpacked.mkdir()
        safe_extract(grader_zip, unpacked)
        shutil.copytree(unpacked, public, ignore=lambda d, names: ["hidden"] if Path(d).name == "tests" else [])
        return cls(grader_zip, unpacked, public, timeout)

    def grade(self, sub: Path, public_only: bool = False, first: tuple[str, ...] = ()) -> Results:
        from .emulate import emulate

        # warm: forked from an interpreter that has imported the grader's libraries (no memory figure)
        # a public-only grading has only to find one failing test: it stops there, ``first`` first
        em = emulate(self.zip, sub, unpacked=self.public if public_only else self.unpacked, timeout=self.timeout,
                     warm=True, stop_at_first_failure=public_only, first_test_files=first if public_only else ())
        return em.results


def likely_test_files(mutated: Path, tests: list[Path]) -> tuple[str, ...]:
    """The names of the test files in ``tests`` that mention the mutated file's name, or the classes and
    functions it defines at its top level, most mentions first (case aside; names of three letters or
    fewer, such as ``fc``, would match nearly anything). The public gradings of the four assignments' 97
    mutants took 122 CPU s with the tests in file order, 68 s with these first (A3's also warm-started
    Captum's plotting libraries: see ``warm.ALONG``)."""
    try:
        defined = definitions(mutated.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        defined = []
    names = {mutated.stem, *(n for n in defined if "." not in n and len(n) > 3)}
    pattern = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, sorted(names))) + ")", re.IGNORECASE)
    counts = {t.name: len(pattern.findall(t.read_text(encoding="utf-8", errors="replace"))) for t in tests}
    return tuple(sorted((n for n, c in counts.items() if c), key=lambda n: -counts[n]))


def _prepare(mutants: list[Mutant], report: MutantReport, solution: Path, names: list[str], manifest: Manifest,
             tmp: Path, support: Path) -> list[tuple[Outcome, Path]]:
    """Write each mutant's submission; those that do not apply or do not import get the verdict ``error``."""
    pending, checks = [], []
    for i, mutant in enumerate(mutants):
        outcome = Outcome(mutant.id, mutant.mistake)
        report.outcomes.append(outcome)
        sub = tmp / f"m{i:03d}"
        try:
            _make_submission(solution, names, sub, mutant, support)
            compile((sub / mutant.file).read_text(encoding="utf-8"), mutant.file, "exec")
        except (MutantError, SyntaxError) as exc:
            outcome.verdict, outcome.problem = "error", str(exc)
            continue
        if mutant.file.endswith(".py"):
            module = mutant.file[:-3].replace("/", ".")
            checks.append({"id": mutant.id, "module": module,
                           "path": [str(sub)] + [str(sub / p) for p in manifest.pythonpath]})
        pending.append((outcome, sub))
    failures = _import_failures(checks)
    graded = []
    for outcome, sub in pending:
        if failures.get(outcome.id):
            outcome.verdict, outcome.problem = "error", f"breaks the import: {failures[outcome.id]}"
        else:
            graded.append((outcome, sub))
    return graded


def _decide(outcome: Outcome, reference: Results, doc: Results, public_only: bool) -> bool:
    """Set the verdict from one grading; False when a public-only grading cannot decide it."""
    outcome.public_lost, outcome.hidden_lost = _losses(reference, doc, public_only)
    if public_only and outcome.public_lost <= 0:
        return False
    hidden = outcome.hidden_lost or 0.0
    outcome.verdict = "public" if outcome.public_lost > 0 else "hidden" if hidden > 0 else "survived"
    return True


def _grade_all(grader: _Grader, reference: Path | Results, graded: list[tuple[Outcome, Path, tuple[str, ...]]],
               jobs: int, full: bool, report: MutantReport, points: float, log) -> None:
    """Grade the reference (a folder; or its results, given) and the mutants, ``jobs`` at a time; public
    tests first unless ``full``."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        reference_future: Future[Results] = Future()
        if isinstance(reference, Path):
            reference_future = pool.submit(grader.grade, reference)
        else:
            reference_future.set_result(reference)
        waiting = {pool.submit(grader.grade, sub, not full, first): (outcome, sub, not full)
                   for outcome, sub, first in graded}
        ref = reference_future.result()
        if abs((ref.score or 0.0) - points) > 1e-6:
            report.reference_problems.append(f"the unmutated reference scores {ref.score} of {points:g}, "
                                             "so points lost cannot be measured")
        while waiting:
            done, _ = wait(list(waiting), return_when=FIRST_COMPLETED)
            for future in done:
                outcome, sub, public_only = waiting.pop(future)
                if not _decide(outcome, ref, future.result(), public_only):
                    waiting[pool.submit(grader.grade, sub)] = (outcome, sub, False)   # now with the hidden tests
                    continue
                hidden = "not graded" if outcome.hidden_lost is None else f"-{outcome.hidden_lost:g}"
                log(f"  {report.assignment}: {outcome.id}: {outcome.verdict} (public -{outcome.public_lost:g}, "
                    f"hidden {hidden})")


def run_mutants(repo, aid: str, grader_zip: Path | None = None, jobs: int | None = None,
                only: list[str] | None = None, log=print, full: bool = False,
                reference: Results | None = None) -> MutantReport:
    """Grade every declared mutant of ``aid`` (or those in ``only``) with its autograder zip.

    ``full`` grades each mutant with the hidden tests too, even where a public test decides its verdict.
    ``reference``: the unmutated solution's results with this zip, where the caller has them (``verify``);
    otherwise the solution is graded here first.
    """
    from .build import build

    manifest = repo.manifest(aid)
    mutants, settings = load_mutants(repo.assignment(aid) / "mutants.toml")
    if only:
        unknown = set(only) - {m.id for m in mutants}
        if unknown:
            raise MutantError(f"no mutant named {sorted(unknown)[0]!r} in {aid}")
        mutants = [m for m in mutants if m.id in only]
    report = MutantReport(aid, min_mutants=int(settings.get("min_mutants", 15)),
                          min_public_share=float(settings.get("min_public_share", 0.75)))
    if grader_zip is None:
        grader_zip, _ = build(repo, aid)
    solution = repo.solution(aid)
    names = _submitted(solution, manifest)
    jobs = jobs or max(1, min(len(mutants) + 1, os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix=f"mutants-{aid}-") as tmp:
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o711)
        grader = _Grader.unpack(grader_zip, tmp_path, manifest.limits.submission_seconds + 120)
        graded = _prepare(mutants, report, solution, names, manifest, tmp_path, grader.unpacked / "support")
        if reference is None:
            _make_submission(solution, names, tmp_path / "reference", None, grader.unpacked / "support")
        tests = sorted((grader.public / "tests" / "public").glob("test_*.py"))
        file_of = {m.id: m.file for m in mutants}
        ordered = [(o, sub, likely_test_files(sub / file_of[o.id], tests)) for o, sub in graded]
        _grade_all(grader, tmp_path / "reference" if reference is None else reference, ordered, jobs, full, report,
                   manifest.points, log)
    return report


def print_report(report: MutantReport) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Mutants of {report.assignment}",
                  caption="public lost: in the public tests up to the first that fails (the grading stops there); "
                          "hidden lost '-': not graded, a public test already loses points (--full grades both)")
    for col in ("mutant", "mistake", "public lost", "hidden lost", "verdict"):
        table.add_column(col, overflow="fold")
    colours = {"public": "green", "hidden": "yellow", "survived": "red", "error": "red"}
    for o in report.outcomes:
        colour = colours[o.verdict]
        hidden = "-" if o.hidden_lost is None else f"{o.hidden_lost:g}"
        table.add_row(escape(o.id), escape(o.mistake), f"{o.public_lost:g}", hidden,
                      f"[{colour}]{o.verdict}[/{colour}]")
    console = Console(width=max(120, Console().width))
    console.print(table)
    graded = [o for o in report.outcomes if o.verdict != "error"]
    console.print(f"{len(report.killed)} of {len(report.outcomes)} mutants killed, "
                  f"{sum(o.verdict == 'public' for o in graded)} by public tests ({report.public_share:.0%}).",
                  highlight=False)
    for problem in report.problems():
        console.print(f"[red]{escape(report.assignment)}[/red]: {escape(problem)}", highlight=False)
