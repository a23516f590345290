"""What belongs to the staff side, and the check that none of it reaches a student bundle.

Staff material of an assignment:

- ``tests/hidden/``: the hidden tests;
- ``tests/staff/``: hand-written references (float64 re-implementations, closed forms) that
  hidden tests compare against. The grader imports them by module name; the sandbox worker
  never sees them, and no student bundle does;
- build-time fixtures outside ``fixtures/public/`` (held-out data, hidden expected values);
- any file whose first line is ``# STAFF ONLY``;
- the keys: the course's staff key and the assignment's key (which only the zip holds), as a
  file named ``key`` or under ``.heldout/``, or their hex digits or bytes inside any file.

``staff_leaks`` looks at the files of a student bundle and names every piece of that material
it finds, including public tests or probes that import a staff module or define a function or
class under a name a staff module defines (a copied reference).
"""

from __future__ import annotations

import ast
from pathlib import Path

STAFF_MARKER = "# STAFF ONLY"
STAFF_DIRS = ("tests/hidden/", "tests/staff/")


def staff_names(staff_dir: Path) -> dict[str, set[str]]:
    """Module name -> top-level function and class names defined in ``tests/staff/*.py``."""
    out: dict[str, set[str]] = {}
    if not staff_dir.is_dir():
        return out
    for path in sorted(staff_dir.glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            raise ValueError(f"{path}: does not parse: {exc}") from None
        names = {node.name for node in tree.body
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        out[path.stem] = names
    return out


def _imported_modules(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def _defined_names(tree: ast.AST) -> set[str]:
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _python_leaks(name: str, text: str, modules: dict[str, set[str]], top: str) -> list[str]:
    try:
        tree = ast.parse(text, filename=name)
    except SyntaxError:
        return []  # student code with a syntax error is the starter's business, not a leak
    out = []
    for module in sorted(_imported_modules(tree) & set(modules)):
        out.append(f"{name} imports the staff module {module!r} (tests/staff/{module}.py)")
    is_test_side = name.startswith(f"{top}/tests/")
    if is_test_side:
        staff_defs = set().union(*modules.values()) if modules else set()
        for clash in sorted(_defined_names(tree) & staff_defs):
            owner = next(m for m, names in modules.items() if clash in names)
            out.append(f"{name} defines {clash!r}, a reference of tests/staff/{owner}.py")
    return out


def _key_leaks(name: str, rel: str, data: bytes, keys: tuple[bytes, ...]) -> list[str]:
    parts = rel.split("/")
    if parts[-1] == "key" or ".heldout" in parts:
        return [f"{name} looks like a key file (keys stay with the staff and in the autograder zip)"]
    for key in keys:
        if key and (key in data or key.hex().encode() in data.lower()):
            return [f"{name} holds a staff key"]
    return []


def staff_leaks(assignment_dir: Path, bundle: dict[str, bytes], top: str,
                keys: tuple[bytes, ...] = ()) -> list[str]:
    """Every piece of staff material in ``bundle`` (archive name -> bytes), as sentences.

    ``keys``: the key bytes no file of the bundle may hold (the staff key, the assignment's key).
    """
    modules = staff_names(Path(assignment_dir) / "tests" / "staff")
    leaks = []
    for name, data in sorted(bundle.items()):
        rel = name[len(top) + 1:] if name.startswith(top + "/") else name
        found = _key_leaks(name, rel, data, keys)
        if found:
            leaks.extend(found)
            continue
        if rel.startswith(STAFF_DIRS):
            leaks.append(f"{name} is staff material ({rel.split('/')[1]} tests and references stay in the zip)")
            continue
        if rel.startswith("tests/fixtures/") and not rel.startswith("tests/fixtures/public/"):
            leaks.append(f"{name} is a build-time fixture outside fixtures/public/")
            continue
        if not name.endswith((".py", ".ipynb", ".md", ".txt", ".toml", ".yaml", ".yml", ".json")):
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if text.lstrip().startswith(STAFF_MARKER):
            leaks.append(f"{name} is marked {STAFF_MARKER!r}")
        elif name.endswith(".py"):
            leaks.extend(_python_leaks(name, text, modules, top))
    return leaks
