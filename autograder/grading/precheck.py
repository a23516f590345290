"""Checks on a submission before any of it runs: files present, parseable, allowed imports."""

from __future__ import annotations

import ast
from pathlib import Path

from .manifest import Manifest
from .upload import plain_file_inside, student_files


def _problem(name: str, message: str) -> dict:
    return {"name": name, "score": 0.0, "max_score": 0.0, "status": "failed", "output": message,
            "output_format": "text", "visibility": "visible", "number": "0"}


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


_DYNAMIC_IMPORTS = {"__import__", "importlib.import_module", "importlib.__import__", "builtins.__import__"}


def _dynamic_import_names(tree: ast.AST) -> tuple[set[str], dict[str, str]]:
    """The names under which this file can call an import function, and its module aliases.

    ``from importlib import import_module as load``, ``import importlib as il`` (then
    ``il.import_module``), ``imp = importlib.import_module`` and ``imp2 = imp`` all count.
    """
    modules: dict[str, str] = {}
    callables = set(_DYNAMIC_IMPORTS)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name in ("importlib", "builtins"):
                    modules[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module in ("importlib", "builtins") and node.level == 0:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in _DYNAMIC_IMPORTS:
                    callables.add(alias.asname or alias.name)
    assignments = [n for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.NamedExpr))]
    for _ in range(3):   # aliases of aliases
        for node in assignments:
            value = node.value
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if value is not None and _resolve(_dotted(value), modules) in callables:
                callables.update(t.id for t in targets if isinstance(t, ast.Name))
    return callables, modules


def _resolve(dotted: str | None, modules: dict[str, str]) -> str | None:
    if not dotted:
        return dotted
    head, _, rest = dotted.partition(".")
    head = modules.get(head, head)
    return f"{head}.{rest}" if rest else head


def _banned_module(mod: str, modules: list[str], names: list[str]) -> str | None:
    for bad in modules + names:
        if mod == bad or mod.startswith(bad + "."):
            return bad
    return None


def _import_uses(node: ast.Import | ast.ImportFrom, modules: list[str], names: list[str]) -> list[tuple[int, str]]:
    found = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if _banned_module(alias.name, modules, names):
                found.append((node.lineno, f"import {alias.name}"))
    elif node.module and node.level == 0:
        if _banned_module(node.module, modules, names):
            found.append((node.lineno, f"from {node.module} import ..."))
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            if any(full == n or full.endswith("." + n) or alias.name == n for n in names):
                found.append((node.lineno, f"from {node.module} import {alias.name}"))
    return found


def _call_uses(node: ast.Call, modules: list[str], names: list[str],
               dynamic: set[str], aliases: dict[str, str]) -> list[tuple[int, str]]:
    func = _dotted(node.func)
    if _resolve(func, aliases) in dynamic:
        arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return [(node.lineno, f"{func}({arg.value!r})")] if _banned_module(arg.value, modules, names) else []
        return [(node.lineno, f"{func}(...) with a computed module name")] if modules or names else []
    if func in ("exec", "eval") and modules:
        return [(node.lineno, f"{func}(...), which could import anything")]
    return []


def forbidden_uses(tree: ast.AST, modules: list[str], names: list[str]) -> list[tuple[int, str]]:
    """(line, what) for each import of a forbidden module and each use of a forbidden dotted name.

    A call of an import function (``importlib.import_module``, ``__import__``, or any alias
    of them) with a forbidden constant, or with a module name computed at run time, counts
    too: the static check is the early, friendly warning, and the worker refuses the module
    at run time whatever the spelling.
    """
    found = []
    dynamic, aliases = _dynamic_import_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found += _import_uses(node, modules, names)
        elif isinstance(node, ast.Call):
            found += _call_uses(node, modules, names, dynamic, aliases)
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted and any(dotted == n or dotted.endswith("." + n) for n in names if "." in n):
                found.append((node.lineno, dotted))
    return sorted(set(found))


def check(root: Path, manifest: Manifest, rejected: list[str] | None = None) -> list[dict]:
    """Static problems of the submission at ``root``, each as a failed result entry.

    Files that use a forbidden import or name are appended to ``rejected``: they are not graded.
    """
    problems = []
    if rejected is None:
        rejected = []
    for rel in manifest.files:
        path = root / rel
        if path.is_symlink() or (path.exists() and not plain_file_inside(root, path)):
            problems.append(_problem(f"Not a plain file: {rel}",
                                     f"{rel} is a link (or lies behind one); upload the file itself."))
            continue
        if not path.is_file():
            problems.append(_problem(f"Missing file: {rel}",
                                     f"The required file {rel} is not in your submission. Upload it at exactly this "
                                     "path (the tests that use it fail until you do)."))
            continue
        size_mb = path.stat().st_size / 1e6
        if size_mb > manifest.max_file_mb:
            problems.append(_problem(f"File too large: {rel}",
                                     f"{rel} is {size_mb:.1f} MB; the limit is {manifest.max_file_mb:g} MB. "
                                     "It was not graded."))
            continue
        if path.suffix != ".py":
            continue
        raw = path.read_bytes()
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(_problem(f"Cannot read: {rel}",
                                     f"{rel} is not valid UTF-8 text (byte {exc.start}). Save it as UTF-8."))
            continue
        try:
            tree = ast.parse(source, filename=rel)
        except SyntaxError as exc:
            problems.append(_problem(f"Syntax error: {rel}",
                                     f"{rel}, line {exc.lineno}: {exc.msg}. Python cannot run this file, so every "
                                     "test that uses it fails."))
            continue
        names = manifest.forbidden_per_file.get(rel, [])
        uses = forbidden_uses(tree, manifest.forbidden, names)
        if uses:
            rejected.append(rel)
            listed = "\n".join(f"  line {line}: {what}" for line, what in uses[:20])
            allowed = ", ".join(manifest.forbidden + names)
            problems.append(_problem(f"Forbidden import or name: {rel}",
                                     f"{rel} uses what this assignment does not allow ({allowed}):\n{listed}\n"
                                     "This file was not graded: the tests that use it fail. Write this part "
                                     "yourself with the allowed libraries."))
    for rel in student_files(root, manifest):
        size = (root / rel).stat().st_size
        if rel not in manifest.files and size > manifest.max_file_mb * 1e6:
            problems.append(_problem(f"File too large: {rel}",
                                     f"{rel} is {size / 1e6:.0f} MB; the limit is "
                                     f"{manifest.max_file_mb:g} MB. It was left out."))
    return problems


def reject(target: Path, rel: str) -> None:
    """Replace a file that broke the import rules with a module that says so when imported."""
    message = (f"{rel} was not graded because it uses an import or a name this assignment forbids "
               "(see the 'Forbidden import or name' entry at the top of your results).")
    (target / rel).write_text(f"raise ImportError({message!r})\n", encoding="utf-8")
