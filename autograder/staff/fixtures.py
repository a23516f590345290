"""Build-time fixtures: values recorded from the reference solution by ``tests/build_fixtures.py``.

An assignment's ``tests/build_fixtures.py`` defines ``build(request: FixtureRequest) -> None`` and
writes files under ``request.out_dir``: what it writes under ``public/`` ships to students as
well (recorded expected values for the public tests of ``check``); everything else ships in the
autograder zip only. It runs in a process of its own (``python -m autograder.staff.fixtures``),
with the solution and the assignment's ``tests/`` folder first on ``sys.path``: the four
assignments' module names (``models``, ``utils``...) would collide in one interpreter.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from ..grading import files


@dataclass(frozen=True)
class FixtureRequest:
    """What one call of an assignment's ``build_fixtures.build`` is asked to write."""

    out_dir: Path            # write here (a fresh folder)
    solution_dir: Path       # the reference solution (also first on sys.path)
    heldout_seed: int        # the build's secret seed for held-out data (leaderboard sets)
    release: bool = False    # ``build --release``: the real data sets of the manifest's [data] release

    def to_json(self) -> dict:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> FixtureRequest:
        return cls(out_dir=Path(data["out_dir"]), solution_dir=Path(data["solution_dir"]),
                   heldout_seed=int(data["heldout_seed"]), release=bool(data.get("release", False)))


def heldout_seed(root: Path, aid: str) -> int:
    """The seed of an assignment's held-out data, known to the staff and to the zip only.

    ``AUTOGRADER_HELDOUT_SEED`` wins when set; otherwise the seed is drawn once and kept in
    ``.heldout/<id>.seed`` beside the course repository's ``assignments/`` (git-ignored, so it
    never lands in a repository students can read), which keeps rebuilds reproducible.
    """
    raw = os.environ.get("AUTOGRADER_HELDOUT_SEED")
    source = "AUTOGRADER_HELDOUT_SEED"
    path = Path(root) / ".heldout" / f"{aid}.seed"
    if raw is None:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{secrets.randbits(62)}\n")
        raw, source = path.read_text().strip(), str(path)
    try:
        seed = int(raw)
    except ValueError:
        raise ValueError(f"held-out seed {raw!r} from {source} is not an integer") from None
    if seed < 0:
        raise ValueError(f"held-out seed {seed} from {source} must not be negative")
    return seed


def record(script: Path, solution_dir: Path, heldout: int, release: bool = False) -> dict[str, bytes]:
    """Run ``script`` (an assignment's build_fixtures.py) once; return what it wrote, as ``fixtures/...``."""
    if not script.is_file():
        return {}
    with tempfile.TemporaryDirectory(prefix="fixtures-") as out:
        request = FixtureRequest(Path(out), Path(solution_dir).resolve(), heldout, release)
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
               "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                              os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        subprocess.run([sys.executable, "-m", "autograder.staff.fixtures", str(script.resolve()),
                        json.dumps(request.to_json())], check=True, cwd=out, env=env)
        return {f"fixtures/{rel}": (Path(out) / rel).read_bytes() for rel in files.relative_files(Path(out))}


def main(argv: list[str]) -> None:
    """In the fixtures process: put the solution and the tests folder first, then call ``build``."""
    script, request = Path(argv[0]), FixtureRequest.from_json(json.loads(argv[1]))
    sys.path[:0] = [str(request.solution_dir), str(script.parent)]
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_fixtures", script)
    if spec is None or spec.loader is None:
        raise ValueError(f"{script} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_fixtures"] = module
    spec.loader.exec_module(module)
    module.build(request)


if __name__ == "__main__":
    main(sys.argv[1:])
