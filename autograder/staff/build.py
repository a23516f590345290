"""``autograder build``: the Gradescope autograder zip and the student bundle of an assignment."""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..grading import draws, files
from ..grading.manifest import Manifest
from . import fixtures as fixtures_mod
from . import keys as keys_mod
from . import pins as pins_mod
from . import starter, written
from .leaks import staff_leaks
from .repo import Repo

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent   # autograder/
TEMPLATES = HERE / "templates"
EPOCH = (1980, 1, 1, 0, 0, 0)

#: What ``python -m autograder report`` needs in a student bundle (the written part): pandoc
#: (inside the wheel) and Typst, pinned together in pyproject.toml (pandoc's Typst output must
#: suit the compiler).
REPORT_NEEDS = ("typst", "pypandoc_binary")


def requirements(manifest: Manifest, student: bool = False, pins: pins_mod.Pins | None = None) -> list[str]:
    """What the zip installs; with ``student=True``, what the student bundle asks for as well.

    Versions come from ``pins`` (by default those of the course repository the manifest is in,
    see :mod:`autograder.staff.pins`).
    """
    if pins is None:
        pins = pins_mod.load(manifest.path.resolve().parents[2])  # <root>/assignments/<id>/assignment.toml
    preload = [name for name in manifest.preload if pins_mod.installable(name)]
    wanted = list(pins_mod.GRADER_NEEDS) + preload + list(manifest.requirements)
    if student:
        wanted += list(REPORT_NEEDS) + list(manifest.student_requirements)
    return pins_mod.requirement_lines(wanted, pins, source=str(manifest.path))


def _tree(base: Path, prefix: str) -> dict[str, bytes]:
    return {f"{prefix}/{rel}": (base / rel).read_bytes() for rel in files.relative_files(base)}


#: What of the framework each built artefact carries, as paths inside the package. The zip holds
#: the grading runtime (plus ``runs``, which student code may import); the bundle holds the
#: runtime and the student's side, which ``check``, ``submit`` and ``report`` need. The staff's
#: verbs ship in neither (``tests/test_layering.py`` reads the built files).
SHIPPED = {
    "zip": ("__init__.py", "runs.py", "grading/", "student/__init__.py", "student/runs.py"),
    "bundle": ("__init__.py", "__main__.py", "cli.py", "runs.py", "grading/", "student/"),
}


def framework_files(prefix: str, artefact: str) -> dict[str, bytes]:
    """The framework as ``artefact`` ("zip" or "bundle") carries it, under ``prefix``."""
    wanted = SHIPPED[artefact]
    return {f"{prefix}/{rel}": (PACKAGE / rel).read_bytes() for rel in files.relative_files(PACKAGE)
            if any(rel == w or (w.endswith("/") and rel.startswith(w)) for w in wanted)}


def write_zip(path: Path, files: dict[str, bytes], executable=(), private=()) -> None:
    """Write a byte-for-byte reproducible zip: sorted names, fixed times and modes.

    Names in ``executable`` get mode 0755, names in ``private`` 0600, the others 0644.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            mode = 0o755 if name in executable else 0o600 if name in private else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            zf.writestr(info, files[name], compresslevel=9)
    os.replace(tmp, path)


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


@dataclass
class Sources:
    """What one build reads once: the manifest, the generated starter code and the pins."""

    repo: Repo
    aid: str
    manifest: Manifest
    starter: dict[str, bytes]
    pins: pins_mod.Pins

    @classmethod
    def read(cls, repo: Repo, aid: str) -> Sources:
        manifest = repo.manifest(aid)
        generated = starter.generate(repo.solution(aid), manifest.solution_only)
        return cls(repo, aid, manifest, generated, pins_mod.load(repo.root))

    @property
    def tests(self) -> Path:
        return self.repo.assignment(self.aid) / "tests"

    def support_files(self) -> list[str]:
        """Starter files students do not submit (``__init__.py``, data loaders, ``main.py``...)."""
        return sorted(rel for rel in self.starter if not self.manifest.is_student_file(rel))

    @property
    def staff_key(self) -> bytes:
        """The course's key (made on the first build; see :mod:`autograder.staff.keys`)."""
        return keys_mod.staff_key(self.repo.root)

    @property
    def assignment_key(self) -> bytes:
        """The key this assignment's zip holds: its draws derive from it."""
        return draws.assignment_key(self.staff_key, self.aid)

    def fixtures(self, release: bool = False, pool_size: int | None = None) -> fixtures_mod.Recorded:
        """Record the fixed part, the students' set and the pool of draws from the reference solution.

        ``pool_size`` overrides the manifest's ``[fixtures] draws`` (quick trial builds).
        """
        seed = fixtures_mod.heldout_seed(self.repo.root, self.aid)
        akey = self.assignment_key
        size = self.manifest.pool_size(release) if pool_size is None else pool_size
        pool = [draws.pool_seed(akey, k) for k in range(size)]
        return fixtures_mod.record(self.tests / "build_fixtures.py", self.repo.solution(self.aid), seed, release,
                                   pool_seeds=pool)


#: Where the autograder zip keeps the assignment's key (read by the grader after the fork).
KEY_FILE = "key"


def autograder_files(src: Sources, fixtures: fixtures_mod.Recorded) -> dict[str, bytes]:
    """Everything the Gradescope zip holds: scripts, runtime, tests (with staff references), fixtures."""
    files: dict[str, bytes] = {
        "setup.sh": (TEMPLATES / "setup.sh").read_bytes(),
        "run_autograder": (TEMPLATES / "run_autograder").read_bytes(),
        "grade.py": (TEMPLATES / "grade.py").read_bytes(),
        "requirements.txt": ("\n".join(requirements(src.manifest, pins=src.pins)) + "\n").encode(),
        "assignment.toml": src.manifest.path.read_bytes(),
    }
    files.update(framework_files("lib/autograder", "zip"))
    for part in ("public", "hidden", "probes", "staff"):
        files.update(_tree(src.tests / part, f"tests/{part}"))
    for rel in src.support_files():
        if not rel.endswith(".ipynb"):
            files[f"support/{rel}"] = src.starter[rel]
    files.update(fixtures.zip_files())
    files[KEY_FILE] = (src.assignment_key.hex() + "\n").encode()
    return files


def student_files(src: Sources, fixtures: fixtures_mod.Recorded) -> dict[str, bytes]:
    """Everything the student bundle holds: starter code, public tests, recorded public values, runtime."""
    top, manifest, aid = src.aid, src.manifest, src.aid
    files: dict[str, bytes] = {f"{top}/{rel}": data for rel, data in src.starter.items()}
    for part in ("public", "probes"):
        files.update(_tree(src.tests / part, f"{top}/tests/{part}"))
    for name, data in fixtures.bundle_files().items():
        files[f"{top}/tests/{name}"] = data
    files.update(framework_files(f"{top}/autograder", "bundle"))
    files[f"{top}/assignment.toml"] = manifest.path.read_bytes()
    adir = src.repo.assignment(aid)
    if (adir / "handout.md").is_file():
        files[f"{top}/handout.md"] = (adir / "handout.md").read_bytes()
    for nb in sorted((adir / "notebooks").glob("*.ipynb")) if (adir / "notebooks").is_dir() else []:
        files[f"{top}/notebooks/{nb.name}"] = starter.strip_notebook(nb.read_text("utf-8"), nb.name).encode()
    files.update(written.bundle_files(adir, manifest.title, aid, top))  # report.md, the questions PDF
    files[f"{top}/requirements.txt"] = ("\n".join(requirements(manifest, student=True, pins=src.pins)) + "\n").encode()
    info = {"id": aid, "support_files": src.support_files()}
    files[f"{top}/.autograder-bundle.json"] = (json.dumps(info, indent=1) + "\n").encode()
    return files


def build(repo: Repo, aid: str, release: bool = False, log=print, pool_size: int | None = None) -> tuple[Path, Path]:
    """Write both zips and the written part's PDFs; refuse a bundle that would carry staff material.

    ``log`` receives the fixtures' summary lines (sets recorded, draws redrawn, fallbacks used).
    """
    src = Sources.read(repo, aid)
    if release:
        missing = release_problems(src.manifest)
        if missing:
            raise ValueError(f"{aid}: a release build needs its real data sets: " + "; ".join(missing))
    dist = repo.dist()
    grader_zip = dist / f"{aid}_autograder.zip"
    bundle_zip = dist / f"{aid}_student.zip"
    if pool_size is not None and pool_size < 1:
        raise ValueError(f"{aid}: a build records at least one draw, not {pool_size}")
    fixtures = src.fixtures(release, pool_size)
    for line in fixtures.log.splitlines():
        if line.startswith("[fixtures]"):
            log(f"{aid}: {line[len('[fixtures] '):]}")
    log(f"{aid}: {len(fixtures.draws)} fixture draw(s) recorded in {fixtures.seconds:.1f} s "
        f"({fixtures.processes} process(es))")
    bundle = student_files(src, fixtures)
    leaks = staff_leaks(repo.assignment(aid), bundle, aid, keys=(src.staff_key, src.assignment_key))
    if leaks:
        raise ValueError(f"{aid}: the student bundle would carry staff material:\n  " + "\n  ".join(leaks))
    write_zip(grader_zip, autograder_files(src, fixtures), executable={"setup.sh", "run_autograder"},
              private={KEY_FILE})
    write_zip(bundle_zip, bundle)
    written.build_documents(repo.assignment(aid), src.manifest.title, aid, dist)  # questions and key PDFs
    return grader_zip, bundle_zip
