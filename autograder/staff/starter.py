"""Generate starter code from a solution with ``# BEGIN SOLUTION`` / ``# END SOLUTION`` markers."""

from __future__ import annotations

import re
from pathlib import Path

from ..grading import files as files_mod

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
STARTER = "# STARTER:"
SOLUTION_FILE = "# SOLUTION FILE"
SOLUTION_CELL = "# SOLUTION CELL"
_TODO = re.compile(r"#\s*TODO:?\s*(.*)")


class MarkerError(ValueError):
    """Markers are unbalanced or nested; the message names the file and line."""


def strip_solution(source: str, where: str) -> str:
    """Return ``source`` with every solution block replaced by its starter stub."""
    out: list[str] = []
    lines = source.splitlines(keepends=True)
    in_block = False
    in_starter = False
    block_start = 0
    indent = ""
    todo = ""
    starter_lines: list[str] = []
    last_todo = ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if in_block:
                raise MarkerError(f"{where}:{number}: '{BEGIN}' inside the block opened at line {block_start}")
            in_block, in_starter, block_start = True, False, number
            indent = line[: len(line) - len(line.lstrip())]
            todo, starter_lines = last_todo, []
            continue
        if stripped == END:
            if not in_block:
                raise MarkerError(f"{where}:{number}: '{END}' without a matching '{BEGIN}'")
            if in_starter:
                out.extend(starter_lines)
            else:
                message = f"{todo} ({where})" if todo else f"{where}: not implemented yet"
                out.append(f"{indent}raise NotImplementedError({message!r})\n")
            in_block = False
            continue
        if in_block:
            if stripped == STARTER:
                in_starter = True
            elif in_starter:
                body = line.lstrip()
                own_indent = line[: len(line) - len(body)]
                if body.startswith("# "):
                    body = body[2:]
                elif body.startswith("#"):
                    body = body[1:]
                starter_lines.append(own_indent + body if body.strip() else "\n")
            continue
        match = _TODO.match(stripped)
        if match:
            last_todo = match.group(1).strip()
        elif stripped and not stripped.startswith("#"):
            last_todo = ""
        out.append(line)
    if in_block:
        raise MarkerError(f"{where}:{block_start}: '{BEGIN}' is never closed by '{END}'")
    return "".join(out)


def is_solution_file(source: str) -> bool:
    first = source.lstrip().splitlines()[:1]
    return bool(first) and first[0].strip() == SOLUTION_FILE


def strip_notebook(text: str, where: str) -> str:
    """Strip markers in every code cell of a notebook, clear outputs, empty solution cells."""
    import nbformat

    nb = nbformat.reads(text, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source = cell.source
        if source.lstrip().startswith(SOLUTION_CELL):
            cell.source = "# Your code here\n"
        else:
            cell.source = strip_solution(source, f"{where} cell {index + 1}")
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
    return nbformat.writes(nb) + "\n"


def generate(solution_dir: Path, solution_only=()) -> dict[str, bytes]:
    """Map each starter file's relative path to its bytes."""
    import fnmatch

    files: dict[str, bytes] = {}
    for path in files_mod.walk(solution_dir):
        rel = path.relative_to(solution_dir).as_posix()
        if any(fnmatch.fnmatch(rel, pat) for pat in solution_only):
            continue
        if rel.startswith(("data/", "visualization/", "outputs/", "runs/")) and not rel.endswith((".sh", ".md", ".py")):
            continue
        data = path.read_bytes()
        if path.suffix == ".py":
            text = data.decode("utf-8")
            if is_solution_file(text):
                continue
            files[rel] = strip_solution(text, rel).encode("utf-8")
        elif path.suffix == ".ipynb":
            files[rel] = strip_notebook(data.decode("utf-8"), rel).encode("utf-8")
        else:
            files[rel] = data
    return files


def drift(generated: dict[str, bytes], starter_dir: Path) -> list[str]:
    """Describe how the committed starter differs from what the generator makes."""
    problems = []
    existing = {p.relative_to(starter_dir).as_posix(): p for p in files_mod.walk(starter_dir)}
    for rel, data in generated.items():
        if rel not in existing:
            problems.append(f"missing: {starter_dir / rel}")
        elif existing[rel].read_bytes() != data:
            problems.append(f"differs from the solution's markers: {starter_dir / rel}")
    for rel in existing:
        if rel not in generated:
            problems.append(f"not generated from the solution (remove it): {starter_dir / rel}")
    return problems


def write(generated: dict[str, bytes], starter_dir: Path) -> None:
    import shutil

    if starter_dir.exists():
        shutil.rmtree(starter_dir)
    for rel, data in generated.items():
        target = starter_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
