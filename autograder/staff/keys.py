"""The course's staff key: the secret every held-out seed and every fixture draw derives from.

The key lives in ``.heldout/key`` beside the course repository's ``assignments/`` (git-ignored,
like the ``.heldout/<id>.seed`` files), as 64 hex digits, made on the first build.
``AUTOGRADER_KEY`` (hex) overrides it. Two TAs who share the key build byte-identical zips:
``autograder key export`` prints it (or writes it to a file) and ``autograder key import``
stores it in another checkout.

What derives from it (:mod:`autograder.grading.draws`): each assignment's key
(``assignment_key``), which its autograder zip holds as ``key``; the seeds of the fixture sets
a build records; the held-out seed of an assignment, unless ``AUTOGRADER_HELDOUT_SEED`` or an
existing ``.heldout/<id>.seed`` names one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..grading.draws import KEY_BYTES, parse_key

ENV = "AUTOGRADER_KEY"


def key_path(root: Path) -> Path:
    """Where a course repository keeps its staff key."""
    return Path(root) / ".heldout" / "key"


def _new_private_file(path: Path, text: str) -> Path:
    """``text`` in a new file beside ``path`` that only its owner can read; the caller moves it in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)
    return tmp


def _write_private(path: Path, text: str) -> None:
    os.replace(_new_private_file(path, text), path)


def _create_once(path: Path, text: str) -> None:
    """Write a new key unless another process made one meanwhile (two builds at once, say): the
    first one written stays, and every process reads that one."""
    tmp = _new_private_file(path, text)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def staff_key(root: Path, create: bool = True) -> bytes:
    """The course's key: ``AUTOGRADER_KEY``, else ``.heldout/key`` (made now when missing and ``create``)."""
    env = os.environ.get(ENV)
    if env is not None and env.strip():
        return parse_key(env, ENV)
    path = key_path(root)
    if not path.is_file():
        if not create:
            raise FileNotFoundError(f"no staff key: {path} does not exist and {ENV} is not set")
        _create_once(path, secrets.token_hex(KEY_BYTES) + "\n")
    return parse_key(path.read_text(encoding="ascii", errors="replace"), str(path))


def export_key(root: Path, target: Path | None = None) -> str:
    """The key as hex; written to ``target`` (mode 0600) when given."""
    text = staff_key(root).hex()
    if target is not None:
        _write_private(Path(target), text + "\n")
    return text


def import_key(root: Path, text: str, force: bool = False) -> Path:
    """Store ``text`` (a hex key) as the repository's key; refuse to replace another one unless ``force``."""
    key = parse_key(text, "the imported key")
    path = key_path(root)
    if path.is_file():
        current = path.read_text(encoding="ascii", errors="replace").strip()
        if current.lower() == key.hex():
            return path
        if not force:
            raise ValueError(f"{path} already holds another key; zips built with it would change. "
                             "Pass --force to replace it (keep a copy first: autograder key export FILE)")
    _write_private(path, key.hex() + "\n")
    return path
