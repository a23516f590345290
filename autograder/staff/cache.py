"""What ``autograder verify`` remembers between runs, so that it repeats only what changed.

Each result (a build, the grading of the solution or of the starter, the mutation proof, the
reference report) is stored in ``.cache/verify/<id>.json`` (git-ignored) under a key: a SHA-256
of everything the result depends on. A key names its parts, so that ``verify`` can say what
changed; a result whose key differs in any part is made again, never patched.

What a key holds, by result:

- every result: the framework (all of ``autograder/``), and the versions of Python, NumPy and
  torch that ran it;
- the build: the assignment's folder, its solution, the course's ``pyproject.toml`` (the pins),
  the held-out seed and whether it was a release build; the files it wrote must still be in
  ``dist/`` byte for byte;
- a grading: the autograder zip's bytes and the graded tree (solution or starter), and the
  interpreter it ran with (the CPU-only torch venv has its own figures);
- the mutation proof: the zip, the solution and ``mutants.toml``;
- the reference report: ``written/`` (its questions and ``reference_runs.toml``) and the solution.

Only results without a problem are stored (``verify`` decides): the solution's full marks, the
starter's zero, every declared mutant killed, a reference report made. These are verdicts that
must hold whatever inputs a grading draws, so where gradings draw inputs per submission id, a
stored verdict is kept for every id, and the figures shown beside it (seconds, memory) are those
of the id it was graded with. A result that depends on the id itself would add it to its key
(``Key.part("submission id", ...)``). ``--fresh`` grades everything again, with new draws.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..grading import files

PACKAGE = Path(__file__).resolve().parents[1]   # autograder/


def _version(dist: str) -> str:
    import importlib.metadata as md

    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return "none"


@functools.cache
def environment() -> str:
    """Python, NumPy and torch as installed for the interpreter running verify."""
    return f"python {platform.python_version()}, numpy {_version('numpy')}, torch {_version('torch')}"


@functools.cache
def framework_digest() -> str:
    return files.tree_digest([PACKAGE])


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else "absent"


@dataclass
class Key:
    """The named parts a result depends on; ``digest`` is the cache key."""

    parts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_result(cls) -> Key:
        return cls({"framework": framework_digest(), "environment": environment()})

    def part(self, name: str, value: Any) -> Key:
        self.parts[name] = str(value)
        return self

    def tree(self, name: str, *paths: Path) -> Key:
        return self.part(name, files.tree_digest(paths))

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.parts, sort_keys=True).encode()).hexdigest()

    def changed(self, old: dict[str, str] | None) -> list[str]:
        """The names of the parts that differ from ``old`` (all of them when there is none)."""
        old = old or {}
        return sorted(name for name in set(self.parts) | set(old) if self.parts.get(name) != old.get(name))


class Cache:
    """The stored results of one assignment; ``fresh`` ignores (and then overwrites) what is stored."""

    def __init__(self, folder: Path, aid: str, fresh: bool = False):
        self.path = Path(folder) / f"{aid}.json"
        self.fresh = fresh
        self.reused: list[str] = []     # what this run took from the cache, for the summary
        self.why: dict[str, list[str]] = {}   # result -> parts that changed since it was stored
        try:
            self.entries: dict[str, Any] = {} if fresh else json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.entries = {}

    def get(self, name: str, key: Key, folder: Path | None = None) -> Any:
        """The stored value of ``name`` if its key is ``key`` and the files it wrote in ``folder`` are
        unchanged, else None (and ``why[name]`` says what changed)."""
        entry = self.entries.get(name)
        if self.fresh or not isinstance(entry, dict):
            self.why[name] = ["--fresh"] if self.fresh else ["not cached"]
            return None
        if entry.get("key") != key.digest:
            self.why[name] = [f"{part} changed" for part in key.changed(entry.get("parts"))]
            return None
        for output, digest in entry.get("outputs", {}).items():
            if folder is None or file_digest(folder / output) != digest:
                self.why[name] = [f"{output} changed or missing"]
                return None
        self.reused.append(name)
        return entry.get("value")

    def put(self, name: str, key: Key, value: Any, outputs: list[Path] | None = None) -> None:
        """Store ``value`` for ``key``, with the digests of the files the result wrote (by name)."""
        self.entries[name] = {"key": key.digest, "parts": key.parts, "value": value,
                              "outputs": {p.name: file_digest(p) for p in outputs or []}}
        self._save()

    def drop(self, name: str) -> None:
        if self.entries.pop(name, None) is not None:
            self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".verify-", dir=self.path.parent)
        with os.fdopen(fd, "w") as fh:
            json.dump(self.entries, fh, indent=1, sort_keys=True)
        os.replace(tmp, self.path)
