"""Version pins for what a zip and a student bundle install: one source, read at build time.

A manifest names what an assignment needs (``requirements``, ``student_requirements``, the
modules its workers ``preload``) without versions. The versions come from, first to last:

1. the course repository's ``pyproject.toml``: ``[project] dependencies`` and every list under
   ``[project.optional-dependencies]`` (this course keeps torch and its kin in the ``course``
   extra, which ``make`` installs);
2. the installed framework's own requirements (the metadata of its wheel), for a course
   repository without a ``pyproject.toml``.

A name found in neither is installed unpinned; a manifest entry that carries its own version
(``"pandas>=2"``) is kept as written.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DISTRIBUTION = "course-autograder"

#: What the grader imports, whatever the assignment (versions come from the pins).
GRADER_NEEDS = ("numpy", "pytest", "gradescope-utils", "safetensors", "jsonschema", "fastjsonschema", "rich",
                "tomli; python_version < '3.11'")

#: Import names whose distribution is called something else.
DISTRIBUTIONS = {"sklearn": "scikit-learn", "yaml": "pyyaml", "PIL": "pillow", "cv2": "opencv-python",
                 "skimage": "scikit-image"}

#: Canonical distribution name -> the requirement as written where it was found.
Pins = dict[str, str]


def installable(module: str) -> bool:
    """Whether a module name the workers preload comes from a distribution to install (not the
    standard library, not the framework itself)."""
    top = module.strip().split(".")[0]
    return top != "autograder" and top not in sys.stdlib_module_names


def _parse(text: str, source: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        raise ValueError(f"{text!r} from {source} is not a requirement pip can read: {exc}") from None


def framework_pins() -> Pins:
    """The installed framework's unconditional requirements (none when it is not installed)."""
    try:
        declared = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        return {}
    pins: Pins = {}
    for text in declared:
        req = _parse(text, f"the metadata of {DISTRIBUTION}")
        if req.marker is None or "extra" not in str(req.marker):
            pins[canonicalize_name(req.name)] = text
    return pins


def repository_pins(root: Path) -> Pins:
    """Every requirement the course repository's ``pyproject.toml`` declares (none without one)."""
    path = Path(root) / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    lists = [project.get("dependencies", [])] + list(project.get("optional-dependencies", {}).values())
    own = canonicalize_name(project.get("name", ""))
    pins: Pins = {}
    for entries in lists:
        for text in entries:
            req = _parse(text, str(path))
            if canonicalize_name(req.name) != own:  # an extra that names another extra of the project
                pins[canonicalize_name(req.name)] = text
    return pins


def load(root: Path) -> Pins:
    """The pins a build in the course repository at ``root`` uses."""
    return {**framework_pins(), **repository_pins(root)}


def pin(wanted: str, pins: Pins, source: str = "the manifest") -> str:
    """``wanted`` (a distribution or import name, or a full requirement) as the line to install."""
    name = wanted.strip()
    if name and name.replace(".", "").replace("_", "").isalnum():
        name = DISTRIBUTIONS.get(name.split(".")[0], name.split(".")[0])  # an import name such as torch.nn
    req = _parse(name, source)
    found = pins.get(canonicalize_name(req.name))
    if req.specifier or req.url or found is None:
        return name
    if req.marker is not None and Requirement(found).marker is None:
        return f"{found}; {req.marker}"
    return found


def requirement_lines(wanted: list[str], pins: Pins, source: str = "the manifest") -> list[str]:
    """One line per distribution, in the order first named (later duplicates dropped)."""
    lines: dict[str, str] = {}
    for item in wanted:
        line = pin(item, pins, source)
        lines.setdefault(canonicalize_name(Requirement(line).name), line)
    return list(lines.values())
