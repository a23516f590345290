"""``autograder build``: the Gradescope autograder zip and the student bundle of an assignment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from . import pins as pins_mod
from . import starter, written
from .manifest import Manifest, load_manifest
from .staffside import staff_leaks

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
EPOCH = (1980, 1, 1, 0, 0, 0)

#: What ``python -m autograder report`` needs in a student bundle (the written part): pandoc
#: (inside the wheel) and Typst, pinned together in pyproject.toml (pandoc's Typst output must
#: suit the compiler).
REPORT_NEEDS = ("typst", "pypandoc_binary")


class Repo:
    """Paths of the course repository."""

    def __init__(self, root: Path | str = "."):
        self.root = Path(root).resolve()

    def assignment_ids(self) -> list[str]:
        base = self.root / "assignments"
        return sorted(p.name for p in base.iterdir() if (p / "assignment.toml").is_file()) if base.is_dir() else []

    def assignment(self, aid: str) -> Path:
        path = self.root / "assignments" / aid
        if not (path / "assignment.toml").is_file():
            known = ", ".join(self.assignment_ids()) or "none"
            raise ValueError(f"unknown assignment {aid!r} (no {path / 'assignment.toml'}; known: {known})")
        return path

    def solution(self, aid: str) -> Path:
        return self.root / "solutions" / aid

    def starter(self, aid: str) -> Path:
        return self.root / "starter_code" / aid

    def manifest(self, aid: str) -> Manifest:
        return load_manifest(self.assignment(aid) / "assignment.toml", self.solution(aid))

    def dist(self) -> Path:
        return self.root / "dist"


def requirements(manifest: Manifest, student: bool = False, pins: pins_mod.Pins | None = None) -> list[str]:
    """What the zip installs; with ``student=True``, what the student bundle asks for as well.

    Versions come from ``pins`` (by default those of the course repository the manifest is in,
    see :mod:`autograder.pins`).
    """
    if pins is None:
        pins = pins_mod.load(manifest.path.resolve().parents[2])  # <root>/assignments/<id>/assignment.toml
    preload = [name for name in manifest.preload if pins_mod.installable(name)]
    wanted = list(pins_mod.GRADER_NEEDS) + preload + list(manifest.requirements)
    if student:
        wanted += list(REPORT_NEEDS) + list(manifest.student_requirements)
    return pins_mod.requirement_lines(wanted, pins, source=str(manifest.path))


def _tree(base: Path, prefix: str) -> dict[str, bytes]:
    out = {}
    if base.is_dir():
        for path in sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"):
                out[f"{prefix}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
    return out


def framework_files(prefix: str) -> dict[str, bytes]:
    """The framework as a zip or bundle carries it (without the templates of `autograder new`)."""
    skip = f"{prefix}/templates/new/"
    return {name: data for name, data in _tree(PACKAGE, prefix).items() if not name.startswith(skip)}


def write_zip(path: Path, files: dict[str, bytes], executable=()) -> None:
    """Write a byte-for-byte reproducible zip: sorted names, fixed times and modes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            mode = 0o755 if name in executable else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            zf.writestr(info, files[name], compresslevel=9)
    os.replace(tmp, path)


def heldout_seed(repo: Repo, aid: str) -> int:
    """The seed of an assignment's held-out data, known to the staff and to the zip only.

    ``AUTOGRADER_HELDOUT_SEED`` wins when set; otherwise the seed is drawn once and kept in
    ``.heldout/<id>.seed`` beside the course repository's ``assignments/`` (git-ignored, so
    it never lands in a repository students can read), which keeps rebuilds reproducible.
    """
    raw = os.environ.get("AUTOGRADER_HELDOUT_SEED")
    source = "AUTOGRADER_HELDOUT_SEED"
    path = repo.root / ".heldout" / f"{aid}.seed"
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


def build_fixtures(repo: Repo, aid: str, release: bool = False) -> dict[str, bytes]:
    """Run ``tests/build_fixtures.py`` of the assignment with the solution on ``sys.path``.

    It is called as ``build(out_dir, solution_dir, heldout_seed=..., release=...)`` (the keyword
    arguments only when its signature takes them). What it writes under ``out_dir/public/``
    ships to students as well (recorded expected values for public tests); everything else
    ships in the autograder zip only.
    """
    script = repo.assignment(aid) / "tests" / "build_fixtures.py"
    if not script.is_file():
        return {}
    options = {"heldout_seed": heldout_seed(repo, aid), "release": release}
    with tempfile.TemporaryDirectory(prefix="fixtures-") as out:
        code = ("import inspect, sys; from pathlib import Path; "
                f"sys.path[:0] = [{str(repo.solution(aid))!r}, {str(script.parent)!r}]; "
                "import build_fixtures; "
                f"options = {options!r}; "
                "wanted = inspect.signature(build_fixtures.build).parameters; "
                "options = {k: v for k, v in options.items() if k in wanted}; "
                f"build_fixtures.build(Path({out!r}), Path({str(repo.solution(aid))!r}), **options)")
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
        subprocess.run([sys.executable, "-c", code], check=True, cwd=out, env=env)
        return _tree(Path(out), "fixtures")


def release_problems(manifest: Manifest) -> list[str]:
    """What ``build --release`` lacks: each variable of ``[data] release`` must name a folder."""
    out = []
    for var in manifest.release_data:
        value = os.environ.get(var)
        if not value:
            out.append(f"{var} is not set (the release build grades on the real data set it names)")
        elif not Path(value).is_dir():
            out.append(f"{var}={value!r} is not a folder")
    return out


def autograder_files(repo: Repo, aid: str, fixtures: dict[str, bytes] | None = None) -> dict[str, bytes]:
    manifest = repo.manifest(aid)
    generated = starter.generate(repo.solution(aid), manifest.solution_only)
    files: dict[str, bytes] = {
        "setup.sh": (TEMPLATES / "setup.sh").read_bytes(),
        "run_autograder": (TEMPLATES / "run_autograder").read_bytes(),
        "grade.py": (TEMPLATES / "grade.py").read_bytes(),
        "requirements.txt": ("\n".join(requirements(manifest)) + "\n").encode(),
        "assignment.toml": manifest.path.read_bytes(),
    }
    files.update(framework_files("lib/autograder"))
    tests = repo.assignment(aid) / "tests"
    for part in ("public", "hidden", "probes", "staff"):
        files.update(_tree(tests / part, f"tests/{part}"))
    for rel, data in generated.items():
        if not manifest.is_student_file(rel) and not rel.endswith(".ipynb"):
            files[f"support/{rel}"] = data
    files.update(build_fixtures(repo, aid) if fixtures is None else fixtures)
    return files


def student_files(repo: Repo, aid: str, fixtures: dict[str, bytes] | None = None) -> dict[str, bytes]:
    manifest = repo.manifest(aid)
    generated = starter.generate(repo.solution(aid), manifest.solution_only)
    top = aid
    files: dict[str, bytes] = {f"{top}/{rel}": data for rel, data in generated.items()}
    adir = repo.assignment(aid)
    for part in ("public", "probes"):
        files.update(_tree(adir / "tests" / part, f"{top}/tests/{part}"))
    if fixtures is None:
        fixtures = build_fixtures(repo, aid)
    for name, data in fixtures.items():
        if name.startswith("fixtures/public/"):
            files[f"{top}/tests/{name}"] = data
    files.update(framework_files(f"{top}/autograder"))
    files[f"{top}/assignment.toml"] = manifest.path.read_bytes()
    if (adir / "handout.md").is_file():
        files[f"{top}/handout.md"] = (adir / "handout.md").read_bytes()
    notebooks = adir / "notebooks"
    if notebooks.is_dir():
        for nb in sorted(notebooks.glob("*.ipynb")):
            files[f"{top}/notebooks/{nb.name}"] = starter.strip_notebook(nb.read_text("utf-8"), nb.name).encode()
    files.update(written.bundle_files(adir, manifest.title, aid, top))  # report.md, the questions PDF
    files[f"{top}/requirements.txt"] = ("\n".join(requirements(manifest, student=True)) + "\n").encode()
    support = sorted(rel for rel in generated if not manifest.is_student_file(rel))
    files[f"{top}/.autograder-bundle.json"] = (json.dumps({"id": aid, "support_files": support}, indent=1) + "\n").encode()
    return files


def build(repo: Repo, aid: str, release: bool = False) -> tuple[Path, Path]:
    """Write both zips; refuse a student bundle that would carry staff material."""
    if release:
        missing = release_problems(repo.manifest(aid))
        if missing:
            raise ValueError(f"{aid}: a release build needs its real data sets: " + "; ".join(missing))
    dist = repo.dist()
    grader_zip = dist / f"{aid}_autograder.zip"
    bundle_zip = dist / f"{aid}_student.zip"
    fixtures = build_fixtures(repo, aid, release=release)
    bundle = student_files(repo, aid, fixtures)
    leaks = staff_leaks(repo.assignment(aid), bundle, aid)
    if leaks:
        raise ValueError(f"{aid}: the student bundle would carry staff material:\n  " + "\n  ".join(leaks))
    write_zip(grader_zip, autograder_files(repo, aid, fixtures), executable={"setup.sh", "run_autograder"})
    write_zip(bundle_zip, bundle)
    written.build_documents(repo.assignment(aid), repo.manifest(aid).title, aid, dist)  # questions and key PDFs
    return grader_zip, bundle_zip
