"""Build-time fixtures: values recorded from the reference solution by ``tests/build_fixtures.py``.

An assignment's ``tests/build_fixtures.py`` defines ``build(request: FixtureRequest) -> None``
and writes files under ``request.out_dir``. A build calls it several times, each time with a
fresh folder:

- once with ``request.fixed`` set: the per-build fixed part, the same for every submission
  (held-out leaderboard data). It lands in the zip as ``fixtures/fixed/``;
- once with ``request.draw = None``: the set students get. Only its ``public/`` part is kept,
  and it ships in the student bundle (``tests/fixtures/public/``), recorded on fixed seeds;
- once per draw of the pool, ``request.draw`` a seed derived from the key: one complete set
  (its ``public/`` values and its hidden cases, all drawn from that seed). The zip holds them as
  ``fixtures/draws/<k>/``; the grader picks the set of a submission's draw and shows it, with
  the fixed part, as the ``fixtures_dir`` the tests read (the same layout in every case).

Every draw keeps the structure of its cases (shapes, sizes, the edge cases they are about):
only values change. A case that needs a well-conditioned draw goes through :func:`screened`,
which draws again when the case is rejected and falls back to a known-good case at the end.

All calls of one build run in one or two processes of their own (``python -m
autograder.staff.fixtures``), with the solution and the assignment's ``tests/`` folder first on
``sys.path``: the four assignments' module names (``models``, ``utils``...) would collide in one
interpreter.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

from ..grading import draws, files
from ..grading.settings import one_thread

T = TypeVar("T")

#: Set to 1 (at build time) to reject every draw a screen sees, so that each screened case falls
#: back to its known-good case: how the tests show that a build never fails on a bad draw.
REJECT_ALL = "AUTOGRADER_REJECT_ALL_DRAWS"


@dataclass(frozen=True)
class FixtureRequest:
    """What one call of an assignment's ``build_fixtures.build`` is asked to write."""

    out_dir: Path            # write here (a fresh folder)
    solution_dir: Path       # the reference solution (also first on sys.path)
    heldout_seed: int        # the build's secret seed for held-out data (leaderboard sets)
    release: bool = False    # ``build --release``: the real data sets of the manifest's [data] release
    draw: int | None = None  # the seed of this fixture set; None: the students' set (fixed public seeds)
    fixed: bool = False      # write the per-build fixed part only (e.g. the leaderboard set)
    index: int | None = None  # the draw's place in the pool (for messages)

    @property
    def label(self) -> str:
        """How build messages name this call."""
        return "the fixed part" if self.fixed else "the students' set" if self.draw is None else f"draw {self.index}"

    def to_json(self) -> dict:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> FixtureRequest:
        return cls(out_dir=Path(data["out_dir"]), solution_dir=Path(data["solution_dir"]),
                   heldout_seed=int(data["heldout_seed"]), release=bool(data.get("release", False)),
                   draw=None if data.get("draw") is None else int(data["draw"]), fixed=bool(data.get("fixed", False)),
                   index=data.get("index"))


# ---- screening ---------------------------------------------------------------------------

class Rejected(Exception):
    """Raised by a case maker (or its ``accept``) when a draw makes no usable case."""


@dataclass
class ScreenLog:
    """What the screens of one fixtures process did (printed at its end)."""

    redrawn: int = 0
    fallbacks: list[str] = field(default_factory=list)


SCREENS = ScreenLog()


def sub_seed(seed: int, attempt: int) -> int:
    """The seed of the ``attempt``-th redraw of a case drawn from ``seed`` (attempt 0: ``seed``)."""
    if attempt == 0:
        return int(seed)
    digest = hashlib.sha256(f"redraw:{int(seed)}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 2


def rejecting_all() -> bool:
    """Whether ``AUTOGRADER_REJECT_ALL_DRAWS`` asks every screen to reject every draw."""
    return os.environ.get(REJECT_ALL, "").strip() not in ("", "0")


def screened(make: Callable[[int], T], seed: int, *, fallback: Callable[[], T],
             accept: Callable[[T], bool] | None = None, tries: int = 20, name: str = "a case") -> T:
    """A case drawn from ``seed`` that passes its screen, drawn again when it does not.

    ``make(s)`` builds the case from the seed ``s`` (raising :class:`Rejected` when that seed
    makes no usable case); ``accept(case)``, when given, is the screen. The first try uses
    ``seed``, each later one a sub-seed (:func:`sub_seed`), up to ``tries`` tries. When every
    try is rejected, ``fallback()`` returns a case known to be good (the fixed public case, or
    one built from a seed recorded as good); it is not screened. The build never stops on a bad
    draw. ``AUTOGRADER_REJECT_ALL_DRAWS=1`` rejects every try, to exercise the fallbacks.
    """
    if not rejecting_all():
        for attempt in range(max(1, tries)):
            try:
                case = make(sub_seed(seed, attempt))
                if accept is None or accept(case):
                    return case
            except Rejected:
                pass
            SCREENS.redrawn += 1
    SCREENS.fallbacks.append(name)
    return fallback()


# ---- seeds ------------------------------------------------------------------------------

def heldout_seed(root: Path, aid: str) -> int:
    """The seed of an assignment's held-out data, known to the staff and to the zip only.

    ``AUTOGRADER_HELDOUT_SEED`` wins when set; then an existing ``.heldout/<id>.seed`` beside the
    course repository's ``assignments/`` (git-ignored); otherwise the seed derives from the staff
    key (:mod:`autograder.staff.keys`), so that whoever holds the key rebuilds the same zip.
    """
    from .keys import staff_key

    raw = os.environ.get("AUTOGRADER_HELDOUT_SEED")
    source = "AUTOGRADER_HELDOUT_SEED"
    path = Path(root) / ".heldout" / f"{aid}.seed"
    if raw is None and path.is_file():
        raw, source = path.read_text().strip(), str(path)
    if raw is None:
        return draws.heldout_seed(staff_key(root), aid)
    try:
        seed = int(raw)
    except ValueError:
        raise ValueError(f"held-out seed {raw!r} from {source} is not an integer") from None
    if seed < 0:
        raise ValueError(f"held-out seed {seed} from {source} must not be negative")
    return seed


# ---- recording ----------------------------------------------------------------------------

@dataclass
class Recorded:
    """What one build recorded: the students' public set, the fixed part, one set per draw."""

    student: dict[str, bytes]        # relative to the set's folder, public/ only
    fixed: dict[str, bytes]
    draws: list[dict[str, bytes]]
    seconds: float = 0.0
    processes: int = 1
    log: str = ""

    def zip_files(self) -> dict[str, bytes]:
        """The fixtures as the autograder zip holds them (``fixtures/fixed/...``, ``fixtures/draws/<k>/...``)."""
        out = {f"fixtures/fixed/{rel}": data for rel, data in self.fixed.items()}
        for k, content in enumerate(self.draws):
            out.update({f"fixtures/draws/{k}/{rel}": data for rel, data in content.items()})
        return out

    def bundle_files(self) -> dict[str, bytes]:
        """The students' recorded public values, as ``fixtures/public/...``."""
        return {f"fixtures/{rel}": data for rel, data in self.student.items()}


def _read_tree(folder: Path) -> dict[str, bytes]:
    return {rel: (folder / rel).read_bytes() for rel in files.relative_files(folder)} if folder.is_dir() else {}


def _check_layout(recorded: Recorded, script: Path) -> None:
    """A draw's top-level names must not shadow the fixed part's, and every draw has the same files."""
    tops = {rel.split("/", 1)[0] for rel in recorded.fixed}
    for k, content in enumerate(recorded.draws):
        clash = tops & {rel.split("/", 1)[0] for rel in content}
        if clash:
            raise ValueError(f"{script}: draw {k} writes {sorted(clash)[0]!r}, which the fixed part writes too")
    names = [sorted(content) for content in recorded.draws]
    for k, listed in enumerate(names[1:], start=1):
        if listed != names[0]:
            raise ValueError(f"{script}: draw {k} writes other files than draw 0 ({listed} against {names[0]}): "
                             "every draw must keep the structure of the set")


def record(script: Path, solution_dir: Path, heldout: int, release: bool = False, *,
           pool_seeds: list[int] | None = None, processes: int | None = None) -> Recorded:
    """Run ``script`` (an assignment's build_fixtures.py) for the fixed part, the students' set and each draw.

    ``pool_seeds`` are the draws' seeds (none: only the fixed part and the students' set).
    The calls are spread over ``processes`` processes (default: two on a machine with two
    cores or more, when there are at least four draws).
    """
    started = time.time()
    pool_seeds = list(pool_seeds or [])
    if not script.is_file():
        return Recorded({}, {}, [{} for _ in pool_seeds])
    if processes is None:
        processes = 2 if (os.cpu_count() or 1) >= 2 and len(pool_seeds) >= 4 else 1
    processes = max(1, min(processes, max(1, len(pool_seeds))))
    solution_dir = Path(solution_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="fixtures-") as tmp:
        base = Path(tmp)
        requests = [FixtureRequest(base / "fixed", solution_dir, heldout, release, None, True),
                    FixtureRequest(base / "student", solution_dir, heldout, release, None, False)]
        requests += [FixtureRequest(base / "draws" / str(k), solution_dir, heldout, release, seed, False, k)
                     for k, seed in enumerate(pool_seeds)]
        for r in requests:
            r.out_dir.mkdir(parents=True)
        # the two one-off calls first, then the draws dealt out in turn
        chunks: list[list[FixtureRequest]] = [[] for _ in range(processes)]
        for i, r in enumerate(requests[2:]):
            chunks[i % processes].append(r)
        chunks[-1 if processes > 1 else 0][:0] = requests[:2]
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
               "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                              os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        one_thread(env)
        running = []
        for i, chunk in enumerate(chunks):
            listing = base / f"requests-{i}.json"
            listing.write_text(json.dumps([r.to_json() for r in chunk]))
            log = open(base / f"log-{i}.txt", "w+b")
            running.append((subprocess.Popen([sys.executable, "-m", "autograder.staff.fixtures",
                                              str(script.resolve()), str(listing)],
                                             cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT), log))
        failed, logs = [], []
        for proc, log in running:
            code = proc.wait()
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
            log.close()
            logs.append(text)
            if code != 0:
                failed.append(text[-6000:])
        if failed:
            raise RuntimeError(f"recording the fixtures of {script} failed:\n{failed[0]}")
        student = {rel: data for rel, data in _read_tree(base / "student").items() if rel.startswith("public/")}
        recorded = Recorded(student, _read_tree(base / "fixed"),
                            [_read_tree(base / "draws" / str(k)) for k in range(len(pool_seeds))],
                            time.time() - started, processes, "".join(logs))
    _check_layout(recorded, script)
    return recorded


def main(argv: list[str]) -> None:
    """In a fixtures process: put the solution and the tests folder first, then call ``build`` per request."""
    script = Path(argv[0])
    requests = [FixtureRequest.from_json(d) for d in json.loads(Path(argv[1]).read_text())]
    if not requests:
        return
    sys.path[:0] = [str(requests[0].solution_dir), str(script.parent)]
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_fixtures", script)
    if spec is None or spec.loader is None:
        raise ValueError(f"{script} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_fixtures"] = module
    spec.loader.exec_module(module)
    # Run as ``python -m``, this file is ``__main__``; the screens the build script calls count in
    # the module it imports, so read their log there.
    from autograder.staff.fixtures import SCREENS
    for request in requests:
        before = len(SCREENS.fallbacks)
        try:
            module.build(request)
        except BaseException as exc:
            print(f"build_fixtures failed on {request.label} (draw seed {request.draw}): {exc!r}", file=sys.stderr)
            raise
        for name in SCREENS.fallbacks[before:]:
            print(f"{request.label}: {name} fell back to its known-good case")
    counts = Counter(SCREENS.fallbacks)
    fell = ", ".join(f"{name} in {n} set(s)" for name, n in sorted(counts.items())) or "none"
    print(f"[fixtures] {len(requests)} set(s); {SCREENS.redrawn} rejected draw(s) drawn again; fallbacks: {fell}")


if __name__ == "__main__":
    main(sys.argv[1:])

