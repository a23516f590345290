"""Walking and fingerprinting trees of files, the one way every part of the framework does it.

A walk yields regular files in a stable order and leaves out what Python and editors leave
behind (``__pycache__``, ``*.pyc``, ``.ipynb_checkpoints``); links are never followed into.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Folders that hold nothing anybody wrote.
LITTER = frozenset({"__pycache__", ".ipynb_checkpoints"})


def walk(base: Path) -> Iterator[Path]:
    """Every regular file under ``base`` (not a link), sorted, without Python's and editors' litter."""
    base = Path(base)
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.suffix == ".pyc":
            continue
        if LITTER.intersection(path.relative_to(base).parts):
            continue
        yield path


def relative_files(base: Path) -> list[str]:
    """The paths of :func:`walk`, relative to ``base``, with forward slashes."""
    return [p.relative_to(base).as_posix() for p in walk(base)]


def tree_digest(paths: Iterable[Path]) -> str:
    """A SHA-256 of the files under each of ``paths`` (a path may be a single file): names and bytes."""
    digest = hashlib.sha256()
    for base in paths:
        base = Path(base)
        files = list(walk(base)) if base.is_dir() else [base] if base.is_file() else []
        for path in files:
            name = path.relative_to(base).as_posix() if base.is_dir() else path.name
            digest.update(f"{base.name}/{name}".encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()
