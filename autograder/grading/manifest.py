"""Load and validate an assignment's ``assignment.toml``."""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .settings import Limits, WorkerFamily

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 on Gradescope's image
    import tomli as tomllib

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


class ManifestError(ValueError):
    """The manifest is malformed; the message names the file and the key."""


_TOP_KEYS = {"id", "title", "points", "files", "optional_files", "max_file_mb", "solution_only",
             "limits", "imports", "worker", "visibility", "data", "leaderboard",
             "requirements", "student_requirements", "thresholds", "fixtures"}
_SECTION_KEYS = {
    "limits": set(Limits.MANIFEST_KEYS),
    "imports": {"forbidden", "per_file"},
    "worker": {"preload", "pythonpath", "without"},
    "visibility": {"public", "hidden"},
    "data": {"sets", "release"},
    "fixtures": {"draws", "release_draws"},
}

#: Fixture sets a build records per assignment (``[fixtures] draws``), and a release build
#: (``[fixtures] release_draws``): the pool each submission's draw picks one from.
DRAWS = 50
RELEASE_DRAWS = 200


@dataclass
class Leaderboard:
    name: str
    order: str = "desc"


@dataclass
class Manifest:
    path: Path
    id: str
    title: str
    points: float
    files: list[str]
    optional_files: list[str] = field(default_factory=list)
    max_file_mb: float = 20
    solution_only: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    forbidden: list[str] = field(default_factory=list)
    forbidden_per_file: dict[str, list[str]] = field(default_factory=dict)
    preload: list[str] = field(default_factory=lambda: ["numpy"])
    pythonpath: list[str] = field(default_factory=list)
    # task-number prefix -> modules its tests run without: a worker family whose fork server
    # never loaded them, whose workers refuse them at run time ([worker.without])
    worker_without: dict[str, list[str]] = field(default_factory=dict)
    public_visibility: str = "visible"
    hidden_visibility: str = "after_published"
    data_sets: list[str] = field(default_factory=list)
    release_data: list[str] = field(default_factory=list)   # env variables a release build needs
    leaderboard: list[Leaderboard] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    student_requirements: list[str] = field(default_factory=list)
    # name -> cut-offs, or name -> {data set -> cut-offs} (one band per set it was calibrated on)
    thresholds: dict[str, Any] = field(default_factory=dict)
    draws: int = DRAWS                  # fixture sets recorded by a build
    release_draws: int = RELEASE_DRAWS  # ... and by ``build --release``

    def pool_size(self, release: bool = False) -> int:
        """How many fixture sets a build records (``release``: the build to upload)."""
        return self.release_draws if release else self.draws

    @property
    def root(self) -> Path:
        return self.path.parent

    def is_student_file(self, rel: str) -> bool:
        return rel in self.files or any(fnmatch.fnmatch(rel, pat) for pat in self.optional_files)

    def families(self) -> tuple[WorkerFamily, ...]:
        """The worker families of a grading run: the main one (preloads ``[worker] preload``,
        refuses ``[imports] forbidden``), and one per ``[worker.without]`` prefix, which preloads
        the same minus the modules listed there and refuses those too."""
        out = [WorkerFamily(WorkerFamily.MAIN, tuple(self.preload), tuple(self.forbidden))]
        for prefix, modules in self.worker_without.items():
            preload = tuple(p for p in self.preload if not _within(p, modules))
            refused = tuple(dict.fromkeys([*self.forbidden, *modules]))
            out.append(WorkerFamily(f"without-{prefix}", preload, refused, (prefix,)))
        return tuple(out)


def _within(module: str, modules) -> bool:
    """Whether ``module`` is one of ``modules`` or a submodule of one."""
    return any(module == m or module.startswith(m + ".") for m in modules)


_TASK_PREFIX = re.compile(r"^[0-9]+(\.[0-9]+)*$")


def _err(path: Path, key: str, why: str) -> ManifestError:
    return ManifestError(f"{path}: key '{key}': {why}")


def _expect(path: Path, key: str, value: Any, kind: type | tuple, what: str) -> Any:
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise _err(path, key, f"expected {what}, got {value!r}")
    if not isinstance(value, kind):
        raise _err(path, key, f"expected {what}, got {value!r}")
    return value


def _str_list(path: Path, key: str, value: Any) -> list[str]:
    _expect(path, key, value, list, "a list of strings")
    for item in value:
        _expect(path, key, item, str, "a list of strings")
    return list(value)


def _numbers(path: Path, key: str, value: Any) -> list[float]:
    _expect(path, key, value, list, "a list of numbers (or a table of them, one per data set)")
    for v in value:
        _expect(path, key, v, (int, float), "a list of numbers")
    return [float(v) for v in value]


def _read_toml(path: Path) -> dict[str, Any]:
    """The manifest's TOML, with every table's keys checked against the known ones."""
    if not path.is_file():
        raise ManifestError(f"{path}: manifest file not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not valid TOML: {exc}") from None
    for key in raw:
        if key not in _TOP_KEYS:
            raise _err(path, key, f"unknown key (known keys: {', '.join(sorted(_TOP_KEYS))})")
    for section, keys in _SECTION_KEYS.items():
        if section in raw:
            _expect(path, section, raw[section], dict, "a table")
            for key in raw[section]:
                if key not in keys:
                    raise _err(path, f"{section}.{key}", f"unknown key (known keys: {', '.join(sorted(keys))})")
    for required in ("id", "title", "points", "files"):
        if required not in raw:
            raise _err(path, required, "missing")
    return raw


def _thresholds(path: Path, raw: dict[str, Any]) -> dict[str, Any]:
    table = _expect(path, "thresholds", raw["thresholds"], dict, "a table of number lists")
    out: dict[str, Any] = {}
    for name, values in table.items():
        if isinstance(values, dict):
            out[name] = {band: _numbers(path, f"thresholds.{name}.{band}", v) for band, v in values.items()}
        else:
            out[name] = _numbers(path, f"thresholds.{name}", values)
    return out


def _limits(path: Path, raw: dict[str, Any]) -> Limits:
    limits = raw.get("limits", {})
    given = {}
    for key in _SECTION_KEYS["limits"]:
        if key in limits:
            value = _expect(path, f"limits.{key}", limits[key], (int, float), "a positive number")
            if value <= 0:
                raise _err(path, f"limits.{key}", f"expected a positive number, got {value!r}")
            given[key] = value
    return replace(Limits(), **given)


def _imports_and_worker(path: Path, raw: dict[str, Any], m: Manifest) -> None:
    _imports(path, raw.get("imports", {}), m)
    worker = raw.get("worker", {})
    if "preload" in worker:
        m.preload = _str_list(path, "worker.preload", worker["preload"])
    if "pythonpath" in worker:
        m.pythonpath = _str_list(path, "worker.pythonpath", worker["pythonpath"])
    clash = [p for p in m.preload if _within(p, m.forbidden)]
    if clash:
        raise _err(path, "worker.preload", f"preloads {', '.join(clash)}, which [imports] forbidden refuses in every "
                                           "worker (a preloaded module cannot be refused at run time)")
    if "without" in worker:
        _worker_without(path, worker["without"], m)
    vis = raw.get("visibility", {})
    for key in ("public", "hidden"):
        if key in vis:
            if vis[key] not in VISIBILITIES:
                raise _err(path, f"visibility.{key}", f"expected one of {', '.join(VISIBILITIES)}, got {vis[key]!r}")
            setattr(m, f"{key}_visibility", vis[key])


def _imports(path: Path, imports: dict[str, Any], m: Manifest) -> None:
    if "forbidden" in imports:
        m.forbidden = _str_list(path, "imports.forbidden", imports["forbidden"])
    if "per_file" in imports:
        per = _expect(path, "imports.per_file", imports["per_file"], dict, "a table")
        for rel, names in per.items():
            m.forbidden_per_file[rel] = _str_list(path, f"imports.per_file.{rel}", names)
            if rel not in m.files:
                raise _err(path, f"imports.per_file.{rel}", "names a file that is not in 'files'")


def _worker_without(path: Path, raw: Any, m: Manifest) -> None:
    table = _expect(path, "worker.without", raw, dict, "a table of task-number prefixes")
    for prefix, modules in table.items():
        key = f"worker.without.{prefix}"
        if not _TASK_PREFIX.match(prefix):
            raise _err(path, key, "expected a task-number prefix such as \"1\" or \"2.3\"")
        m.worker_without[prefix] = _str_list(path, key, modules)
        if not m.worker_without[prefix]:
            raise _err(path, key, "lists no module")
    for prefix in m.worker_without:
        for other in m.worker_without:
            if other != prefix and other.startswith(prefix + "."):
                raise _err(path, f"worker.without.{other}", f"overlaps worker.without.{prefix}: a test "
                                                           "belongs to one worker family")


def _fixture_pools(path: Path, raw: dict[str, Any], m: Manifest) -> None:
    for key in _SECTION_KEYS["fixtures"]:
        if key in raw.get("fixtures", {}):
            value = _expect(path, f"fixtures.{key}", raw["fixtures"][key], int, "a positive integer")
            if value < 1:
                raise _err(path, f"fixtures.{key}", f"expected a positive integer, got {value!r}")
            setattr(m, key, value)


def _leaderboard(path: Path, raw: dict[str, Any]) -> list[Leaderboard]:
    out = []
    for i, col in enumerate(_expect(path, "leaderboard", raw.get("leaderboard", []), list, "an array of tables")):
        _expect(path, f"leaderboard[{i}]", col, dict, "a table")
        unknown = set(col) - {"name", "order"}
        if unknown:
            raise _err(path, f"leaderboard[{i}].{sorted(unknown)[0]}", "unknown key (known keys: name, order)")
        name = _expect(path, f"leaderboard[{i}].name", col.get("name"), str, "a string")
        order = col.get("order", "desc")
        if order not in ("asc", "desc"):
            raise _err(path, f"leaderboard[{i}].order", f"expected 'asc' or 'desc', got {order!r}")
        out.append(Leaderboard(name, order))
    return out


def load_manifest(path: Path | str, solution_dir: Path | str | None = None) -> Manifest:
    """Read ``path``; when ``solution_dir`` is given, check that every listed file exists there."""
    path = Path(path)
    raw = _read_toml(path)
    m = Manifest(
        path=path,
        id=_expect(path, "id", raw["id"], str, "a string"),
        title=_expect(path, "title", raw["title"], str, "a string"),
        points=_expect(path, "points", raw["points"], (int, float), "a number"),
        files=_str_list(path, "files", raw["files"]),
    )
    for key in ("optional_files", "solution_only", "requirements", "student_requirements"):
        if key in raw:
            setattr(m, key, _str_list(path, key, raw[key]))
    if "thresholds" in raw:
        m.thresholds.update(_thresholds(path, raw))
    if "max_file_mb" in raw:
        m.max_file_mb = _expect(path, "max_file_mb", raw["max_file_mb"], (int, float), "a number")
    m.limits = _limits(path, raw)
    _imports_and_worker(path, raw, m)
    _fixture_pools(path, raw, m)
    if "data" in raw and "sets" in raw["data"]:
        m.data_sets = _str_list(path, "data.sets", raw["data"]["sets"])
    if "data" in raw and "release" in raw["data"]:
        m.release_data = _str_list(path, "data.release", raw["data"]["release"])
    m.leaderboard.extend(_leaderboard(path, raw))
    if not m.files:
        raise _err(path, "files", "must list at least one file")
    if solution_dir is not None:
        solution_dir = Path(solution_dir)
        for rel in m.files:
            if not (solution_dir / rel).is_file():
                raise _err(path, "files", f"lists {rel!r}, which does not exist in {solution_dir}")
    return m
