"""One package per audience: the runtime never reaches the staff's code, and no artefact ships it.

``autograder.grading`` (the runtime in every zip and bundle) may import only itself; the student
side (``autograder.student``, in every bundle) the runtime and itself. Imports inside function
bodies count too: they run as soon as the function does. The built toy zip and bundle are then
read file by file.
"""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "autograder"

#: What each side may import from the framework (besides itself).
ALLOWED = {
    "autograder.grading": ("autograder.grading",),
    "autograder.student": ("autograder.grading", "autograder.student", "autograder.runs"),
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every framework module ``path`` imports, anywhere in the file, resolved to an absolute name."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{a.name}") for a in node.names]  # `from . import x`
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            found.append((node.lineno, str(node.args[0].value)))
    return [(line, mod) for line, mod in found if mod == "autograder" or mod.startswith("autograder.")]


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split("."))
    return (REPO / rel).with_suffix(".py").is_file() or (REPO / rel / "__init__.py").is_file()


@pytest.mark.parametrize("side", sorted(ALLOWED))
def test_runtime_and_student_side_import_no_staff_module(side):
    folder = REPO / Path(*side.split("."))
    bad = []
    for path in sorted(folder.rglob("*.py")):
        for line, mod in _imports(path):
            if not _is_module(mod) and not _is_module(mod.rsplit(".", 1)[0]):
                continue
            if not any(mod == ok or mod.startswith(ok + ".") for ok in ALLOWED[side]) and mod != "autograder":
                bad.append(f"{path.relative_to(REPO)}:{line} imports {mod}")
    assert not bad, f"{side} must import only {', '.join(ALLOWED[side])}:\n  " + "\n  ".join(bad)


def test_a_layering_violation_inside_a_function_is_found(tmp_path, monkeypatch):
    """The check reads function bodies: a lazy import of a staff module is still an import."""
    probe = PACKAGE / "grading" / "_layering_probe.py"
    probe.write_text("def f():\n    from ..staff import build\n    return build\n")
    try:
        assert (2, "autograder.staff.build") in _imports(probe)
    finally:
        probe.unlink()


def _built_names(toy_zips) -> dict[str, list[str]]:
    grader_zip, bundle_zip = toy_zips
    out = {}
    for label, path, prefix in (("zip", grader_zip, "lib/autograder/"), ("bundle", bundle_zip, "toy/autograder/")):
        with zipfile.ZipFile(path) as zf:
            out[label] = [n[len(prefix):] for n in zf.namelist() if n.startswith(prefix)]
    return out


def test_built_zip_and_bundle_carry_no_staff_module(toy_zips):
    names = _built_names(toy_zips)
    for label, inside in names.items():
        staff = [n for n in inside if n.startswith("staff/")]
        assert not staff, f"the {label} ships staff modules: {staff[:5]}"
        assert any(n.startswith("grading/sandbox/") for n in inside), f"the {label} lacks the runtime"
    assert not [n for n in names["zip"] if n.startswith("student/") and n not in ("student/__init__.py",
                                                                                 "student/runs.py")]
    assert {"student/check.py", "student/submit.py", "student/written/report.py", "cli.py",
            "__main__.py"} <= set(names["bundle"])


def test_bundle_cli_offers_only_the_student_verbs(toy_zips, tmp_path):
    import subprocess
    import sys

    with zipfile.ZipFile(toy_zips[1]) as zf:
        zf.extractall(tmp_path)
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}   # the bundle's own package, first on the path
    out = subprocess.run([sys.executable, "-m", "autograder", "--help"], cwd=tmp_path / "toy", env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    import re

    verbs = re.search(r"\{([a-z,]+)\}", out.stdout).group(1).split(",")
    assert sorted(verbs) == ["check", "report", "submit"], out.stdout
