"""Where things are in a course repository: assignments, solutions, starter code, dist/."""

from __future__ import annotations

from pathlib import Path

from ..grading.manifest import Manifest, load_manifest


class Repo:
    """Paths of the course repository; ``dist``, when given, is where builds go instead of ``<root>/dist``."""

    def __init__(self, root: Path | str = ".", dist: Path | str | None = None):
        self.root = Path(root).resolve()
        self._dist = Path(dist).resolve() if dist is not None else None

    def assignment_ids(self) -> list[str]:
        base = self.root / "assignments"
        return sorted(p.name for p in base.iterdir() if (p / "assignment.toml").is_file()) if base.is_dir() else []

    def assignment(self, aid: str) -> Path:
        path = self.root / "assignments" / aid
        if not (path / "assignment.toml").is_file():
            known = ", ".join(self.assignment_ids()) or "none"
            raise ValueError(f"unknown assignment {aid!r} (no {path / 'assignment.toml'}; known: {known})")
        return path

    def solution(self, aid: str) -> Path:
        return self.root / "solutions" / aid

    def starter(self, aid: str) -> Path:
        return self.root / "starter_code" / aid

    def manifest(self, aid: str) -> Manifest:
        return load_manifest(self.assignment(aid) / "assignment.toml", self.solution(aid))

    def dist(self) -> Path:
        return self._dist or self.root / "dist"
