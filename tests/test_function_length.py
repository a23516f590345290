"""The framework's functions stay short enough to read in one screen (issue 19: at most 60 lines)."""

from __future__ import annotations

import ast
from pathlib import Path

import autograder

LIMIT = 60


def test_no_function_in_the_framework_is_over_sixty_lines():
    root = Path(autograder.__file__).parent
    long = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > LIMIT:
                    long.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, f"functions over {LIMIT} lines (split them):\n" + "\n".join(long)
