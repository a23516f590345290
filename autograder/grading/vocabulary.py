"""The words a hidden test may use to say where to look: files and starter functions.

A hidden test's feedback names a place only from a vocabulary the grader knows before any
student code runs: the files the manifest asks for and the qualified names of the functions
and classes defined in the STARTER version of those files (``Class``, ``Class.method``,
``function``). ``autograder build`` records it in the zip as ``vocabulary.json``, next to
``assignment.toml``. Nothing the student writes can add a word to it: a helper of their own, a
renamed code object or a line number only ever selects one of these words.

Three readings use it:

- :meth:`Vocabulary.match` keeps of an author's ``where`` ("models/x.py, Net.forward (the
  backward part)") only the file and the starter name it mentions;
- :meth:`Vocabulary.locate` maps a (file, line) that the worker reported to the starter name
  enclosing that line, reading the grader's pristine copy of the submission with ``ast``;
- :meth:`Vocabulary.from_path` maps a dotted path a test called (``models.x.Net.forward``).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FILE_NAME = "vocabulary.json"

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def definitions(source: str) -> list[str]:
    """Qualified names of the classes and functions of ``source`` that a student completes:
    module-level functions and classes, and the methods and classes inside those classes
    (not functions nested inside functions)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.append(prefix + node.name)
            elif isinstance(node, ast.ClassDef):
                names.append(prefix + node.name)
                visit(node.body, prefix + node.name + ".")

    visit(tree.body, "")
    return names


def enclosing(source: str, line: int) -> list[str]:
    """Qualified names of the definitions around ``line``, innermost first ([] when none)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    chain: list[str] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if first <= line <= (node.end_lineno or node.lineno):
                    chain.append(prefix + node.name)
                    visit(node.body, prefix + node.name + ".")
                    return

    visit(tree.body, "")
    return list(reversed(chain))


@dataclass
class Vocabulary:
    """Files (relative paths) and, for each, the starter's qualified names."""

    files: dict[str, list[str]] = field(default_factory=dict)
    pythonpath: tuple[str, ...] = ()           # folders the worker puts on sys.path (manifest)
    _sources: dict[str, str | None] = field(default_factory=dict, repr=False)

    # ---- building and storing
    @classmethod
    def from_starter(cls, starter: dict[str, bytes], student_files: list[str]) -> Vocabulary:
        """From the generated starter files (path -> bytes) of the manifest's ``files``."""
        files = {}
        for rel in student_files:
            data = starter.get(rel, b"")
            files[rel] = definitions(data.decode("utf-8", "replace")) if rel.endswith(".py") else []
        return cls(files)

    def to_json(self) -> bytes:
        return (json.dumps({"files": self.files}, indent=1, sort_keys=True) + "\n").encode()

    @classmethod
    def load(cls, path: Path | None, student_files: list[str], pythonpath=()) -> Vocabulary:
        """The recorded vocabulary at ``path``; without one, the file names alone."""
        files: dict[str, list[str]] = {rel: [] for rel in student_files}
        if path is not None and Path(path).is_file():
            recorded = json.loads(Path(path).read_text(encoding="utf-8")).get("files", {})
            for rel in student_files:
                names = recorded.get(rel, [])
                files[rel] = [str(n) for n in names if isinstance(n, str)]
        return cls(files, tuple(pythonpath))

    # ---- reading
    def place(self, rel: str | None, name: str | None = None) -> str:
        """"file, name" (or "file", or ""), only from words of the vocabulary."""
        if not rel or rel not in self.files:
            return ""
        if name and name in self.files[rel]:
            return f"{rel}, {name}"
        return rel

    def _name_in(self, rel: str, token: str) -> str | None:
        """The longest dotted prefix of ``token`` that is a starter name of ``rel``, or the one
        starter name it ends (``ReLU`` for ``_baseNetwork.ReLU``) when only one does."""
        names = self.files.get(rel, ())
        parts = token.strip(".").split(".")
        for cut in range(len(parts), 0, -1):
            candidate = ".".join(parts[:cut])
            if candidate in names:
                return candidate
            ending = [n for n in names if n.endswith("." + candidate)]
            if len(ending) == 1:
                return ending[0]
        return None

    def match(self, where: str) -> str:
        """What of an author's ``where`` text is in the vocabulary: a file and a starter name."""
        if not where:
            return ""
        rel = max((f for f in self.files if f in where), key=len, default=None)
        tokens = [t for t in _TOKEN.findall(where) if not (rel and t in rel)]
        if rel is not None:
            names = [n for n in (self._name_in(rel, t) for t in tokens) if n]
            return self.place(rel, max(names, key=len) if names else None)
        found = {(f, n) for t in tokens for f in self.files for n in [self._name_in(f, t)] if n}
        best = max((len(n) for _, n in found), default=0)
        found = {(f, n) for f, n in found if len(n) == best}
        if len(found) == 1:
            (rel, name), = found
            return self.place(rel, name)
        return ""

    def _module_files(self, module: str) -> list[str]:
        rel = module.replace(".", "/")
        bases = [""] + [b.strip("/") + "/" for b in self.pythonpath if b.strip("/")]
        return [base + rel + suffix for base in bases for suffix in (".py", "/__init__.py")]

    def from_path(self, dotted: str) -> str:
        """The place a dotted path names (``models.x.Net.forward`` -> "models/x.py, Net.forward")."""
        parts = [p for p in (dotted or "").split(".") if p]
        for cut in range(len(parts), 0, -1):
            for rel in self._module_files(".".join(parts[:cut])):
                if rel in self.files:
                    rest = ".".join(parts[cut:])
                    return self.place(rel, self._name_in(rel, rest) if rest else None)
        return ""

    def locate(self, frames: list, pristine: Path | None) -> str:
        """Where an exception arose, from ``frames`` ((file, line) pairs as the worker reported
        them, outermost first): the innermost frame whose line lies inside a starter function
        of a vocabulary file, as "file, name", read from the grader's own copy of the submission;
        failing that, the file of the innermost frame in a vocabulary file."""
        first_file = ""
        for frame in reversed(frames or []):
            if not (isinstance(frame, (list, tuple)) and len(frame) == 2):
                continue
            rel, line = frame
            if not isinstance(rel, str) or rel not in self.files or type(line) is not int:
                continue
            first_file = first_file or rel
            source = self._source(rel, pristine)
            names = [n for n in (enclosing(source, line) if source is not None else []) if n in self.files[rel]]
            if names:
                return self.place(rel, names[0])
        return self.place(first_file)

    def _source(self, rel: str, pristine: Path | None) -> str | None:
        if rel not in self._sources:
            text = None
            if pristine is not None:
                path = Path(pristine) / rel
                try:
                    if path.is_file() and not path.is_symlink():
                        text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    text = None
            self._sources[rel] = text
        return self._sources[rel]
