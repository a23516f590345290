"""``autograder new``: a working assignment to start from, in any course repository.

``new(root, "demo")`` writes, under ``root`` (an empty folder is a valid course repository):

- ``assignments/demo/``: the manifest, a handout, a public and a hidden test (both use the
  ``student`` fixture), a probe module and a list of plausible mistakes (``mutants.toml``);
- ``solutions/demo/ops.py``: the reference solution, with solution markers;
- ``starter_code/demo/``: the starter generated from it.

``autograder build demo`` and ``autograder verify demo`` pass on the result as it is: the
solution earns full marks, the starter zero, and every listed mistake loses points. The files
come from the package's ``templates/new/`` (``${aid}`` and ``${title}`` filled in).
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from . import starter

TEMPLATES = Path(__file__).resolve().parent / "templates" / "new"
_ID = re.compile(r"[a-z][a-z0-9_]*")

#: template file -> where it goes, relative to the course repository (``{aid}`` filled in)
LAYOUT = {
    "assignment.toml.tmpl": "assignments/{aid}/assignment.toml",
    "handout.md.tmpl": "assignments/{aid}/handout.md",
    "mutants.toml.tmpl": "assignments/{aid}/mutants.toml",
    "test_public.py.tmpl": "assignments/{aid}/tests/public/test_{aid}.py",
    "test_hidden.py.tmpl": "assignments/{aid}/tests/hidden/test_{aid}_hidden.py",
    "probes.py.tmpl": "assignments/{aid}/tests/probes/{aid}_probes.py",
    "ops.py.tmpl": "solutions/{aid}/ops.py",
}


def _check_id(aid: str) -> None:
    if not isinstance(aid, str) or not _ID.fullmatch(aid):
        raise ValueError(f"assignment id {aid!r} must start with a lowercase letter and hold only lowercase "
                         "letters, digits and underscores (it names folders and the probe module)")


def new(root: Path | str, aid: str, title: str | None = None) -> list[Path]:
    """Write a new assignment ``aid`` into the course repository at ``root``; return the files written.

    Refuses (ValueError) an id that is not a lowercase identifier, or one whose folders exist.
    """
    _check_id(aid)
    root = Path(root).resolve()
    if root.exists() and not root.is_dir():
        raise ValueError(f"course repository {root} is a file, not a folder")
    taken = [root / part / aid for part in ("assignments", "solutions", "starter_code") if (root / part / aid).exists()]
    if taken:
        raise ValueError(f"assignment {aid!r} already exists in {root} ({', '.join(str(p) for p in taken)}); "
                         "choose another id or remove those folders")
    title = title or f"{aid.replace('_', ' ').capitalize()}: ReLU and softmax in NumPy"
    if any(c in title for c in '"\\\n') or not title.strip():
        raise ValueError(f"title {title!r} must be one line of text without quotes or backslashes")
    values = {"aid": aid, "title": title.strip()}
    written = []
    for name, target in LAYOUT.items():
        path = root / target.format(aid=aid)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(values), encoding="utf-8")
        written.append(path)
    generated = starter.generate(root / "solutions" / aid, [])
    starter.write(generated, root / "starter_code" / aid)
    written += [root / "starter_code" / aid / rel for rel in sorted(generated)]
    return written
