"""Gradescope's ``submission_metadata.yml``: who submitted each folder, when, and the score it got.

Gradescope writes the file from Ruby, so its keys are symbols (``:submitters:``, ``:name:``, ...)
and a value may carry a Ruby tag (a score as ``!ruby/object:BigDecimal 18:0.85e2``). The file is
read as a YAML node graph and every scalar kept as the text it was written as: a sid such as
``01234`` stays ``01234`` instead of becoming an octal number, and an unknown tag is no error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

METADATA_NAME = "submission_metadata.yml"
_MAX_NODES = 2_000_000   # aliases can make a small file expand without end
_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass(frozen=True)
class Submitter:
    name: str
    sid: str
    email: str


@dataclass
class Entry:
    """One submission of the export, as its folder and its metadata describe it."""

    name: str
    submitters: list[Submitter] = field(default_factory=list)
    created_at: str = ""
    gradescope_score: float | None = None
    notes: list[str] = field(default_factory=list)
    present: bool = True          # the export holds a folder of this name


class _TooBig(Exception):
    pass


def _plain(node: Any, budget: list[int], depth: int = 0) -> Any:
    """The node graph as dicts, lists and strings (None for a YAML null)."""
    import yaml

    budget[0] -= 1
    if budget[0] < 0 or depth > 50:
        raise _TooBig()
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and (node.value in _NULLS or node.tag.endswith(":null")):
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n, budget, depth + 1) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(_plain(k, budget, depth + 1)): _plain(v, budget, depth + 1) for k, v in node.value}
    return None


def _field(mapping: dict, key: str) -> Any:
    """The value of a Ruby-symbol key (``:name``), or of the plain key when a tool wrote that instead."""
    for candidate in (f":{key}", key):
        if candidate in mapping:
            return mapping[candidate]
    return None


def _score(value: Any) -> float | None:
    if value is None:
        return None
    text = str(value).strip()
    if ":" in text:  # Ruby BigDecimal dumps as "18:0.85e2" (precision, then the value)
        text = text.rsplit(":", 1)[1]
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"a score of {str(value)[:40]!r} is not a number") from None


def _submitters(name: str, value: Any, notes: list[str]) -> list[Submitter]:
    if value is None:
        notes.append(f"{name}: its metadata entry has no :submitters:, so its submitters are unknown")
        return []
    if not isinstance(value, list):
        notes.append(f"{name}: its :submitters: is not a list (found {type(value).__name__}), "
                     "so its submitters are unknown")
        return []
    people = []
    for i, person in enumerate(value, start=1):
        if not isinstance(person, dict):
            notes.append(f"{name}: submitter {i} of its metadata entry is not a mapping; left out")
            continue
        fields = [_field(person, k) for k in ("name", "sid", "email")]
        if all(f is None for f in fields):
            notes.append(f"{name}: submitter {i} has no :name:, :sid: or :email:; left out")
            continue
        people.append(Submitter(*("" if f is None or isinstance(f, (dict, list)) else str(f) for f in fields)))
    return people


def _entry(name: str, value: Any) -> Entry:
    entry = Entry(name)
    if not isinstance(value, dict):
        entry.notes.append(f"{name}: its metadata entry is not a mapping (found "
                           f"{'nothing' if value is None else type(value).__name__}), so its submitters are unknown")
        return entry
    entry.submitters = _submitters(name, _field(value, "submitters"), entry.notes)
    created = _field(value, "created_at")
    entry.created_at = "" if created is None or isinstance(created, (dict, list)) else str(created)
    try:
        entry.gradescope_score = _score(_field(value, "score"))
    except ValueError as exc:
        entry.notes.append(f"{name}: {exc}, so Gradescope's score is unknown")
    return entry


def read_metadata(text: bytes | None, where: str) -> tuple[dict[str, Entry] | None, list[str]]:
    """Entries by folder name, and problems; the entries are None when the file is missing or unusable."""
    import yaml

    unknown = "names, sids, emails and Gradescope's scores are unknown; every submission folder is still graded"
    if text is None:
        return None, [f"{where}: not found, so {unknown}"]
    try:
        root = yaml.compose(text.decode("utf-8", "replace"), Loader=yaml.SafeLoader)
        data = _plain(root, [_MAX_NODES]) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [f"{where}: not valid YAML ({problem}{at}), so {unknown}"]
    except (_TooBig, RecursionError):
        return None, [f"{where}: nested too deeply or expands too far to be a Gradescope export, so {unknown}"]
    if not isinstance(data, dict):
        found = "nothing" if data is None else type(data).__name__
        return None, [f"{where}: expected a mapping from submission folder names to their details, found "
                      f"{found}, so {unknown}"]
    return {name: _entry(name, value) for name, value in data.items()}, []

