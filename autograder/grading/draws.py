"""Draws: which inputs one submission is graded on, derived from a secret key (HMAC-SHA256).

A course keeps one staff key (``.heldout/key``, see :mod:`autograder.staff.keys`). An
assignment's autograder zip holds only that assignment's key, ``assignment_key(key, id)``, as
``source/key``; everything below derives from it:

- ``pool_seed(akey, k)``: the seed the build recorded fixture set ``k`` of the pool with;
- ``submission_draw(akey, submission_id)``: the 64-bit draw of one Gradescope submission.
  The grader uses fixture set ``draw % pool size`` and seeds each test's ``rng`` (and NumPy,
  ``random`` and torch) with ``test_seed(draw, nodeid)``.

The same key and the same submission id give the same draw, so a regrade reproduces a score;
another submission gets other inputs. Without a key (a student's local ``check``) nothing is
drawn. Plain Python only: no NumPy needed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path

#: Bytes of a freshly made staff key (written as 64 hex digits).
KEY_BYTES = 32
#: The shortest key accepted (16 bytes, 32 hex digits).
MIN_KEY_BYTES = 16
#: The submission id used when Gradescope's metadata gives none.
FALLBACK_SUBMISSION_ID = 0


class BadKey(ValueError):
    """A key that is not hex, or too short."""


def parse_key(text: str, source: str = "the key") -> bytes:
    """The key bytes of a hex string (whitespace around it ignored)."""
    raw = text.strip()
    if not re.fullmatch(r"[0-9a-fA-F]+", raw or "x") or len(raw) % 2:
        raise BadKey(f"{source} is not a key: expected hexadecimal digits (an even number of them)")
    key = bytes.fromhex(raw)
    if len(key) < MIN_KEY_BYTES:
        raise BadKey(f"{source} is too short: {len(key)} bytes, at least {MIN_KEY_BYTES} needed")
    return key


def read_key(path: Path | None) -> bytes | None:
    """The key in ``path``, or None when there is no such file."""
    if path is None or not Path(path).is_file():
        return None
    return parse_key(Path(path).read_text(encoding="ascii", errors="replace"), str(path))


def derive(key: bytes, *parts: str | int) -> int:
    """A 64-bit number from HMAC-SHA256 of ``key`` over ``parts`` (joined unambiguously)."""
    message = json.dumps([str(p) for p in parts], separators=(",", ":")).encode()
    return int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:8], "big")


def assignment_key(key: bytes, assignment: str) -> bytes:
    """The key an assignment's zip holds: a leaked zip reveals nothing of another assignment."""
    return hmac.new(key, json.dumps(["assignment", assignment]).encode(), hashlib.sha256).digest()


def heldout_seed(key: bytes, assignment: str) -> int:
    """The seed of an assignment's held-out data (leaderboard sets), a non-negative 62-bit int."""
    return derive(key, "heldout", assignment) >> 2


def pool_seed(akey: bytes, index: int) -> int:
    """The seed fixture set ``index`` of the pool is recorded with (62 bits: fits any seeding API)."""
    return derive(akey, "pool", index) >> 2


def submission_draw(akey: bytes, submission_id: int) -> int:
    """The draw of one submission: the same for its regrades, another for the next submission."""
    return derive(akey, "submission", int(submission_id))


def pool_index(draw: int, pool_size: int) -> int:
    """Which recorded fixture set a draw uses."""
    return draw % pool_size if pool_size > 0 else 0


def test_seed(draw: int, nodeid: str) -> int:
    """The seed of one test's ``rng`` under a draw, below 2**32 (what ``np.random.seed`` takes)."""
    digest = hashlib.sha256(f"{draw}:{nodeid}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def read_submission_id(metadata: Path) -> tuple[int, str | None]:
    """Gradescope's submission id from ``submission_metadata.json`` (its top-level ``id``).

    Returns ``(id, None)``, or ``(FALLBACK_SUBMISSION_ID, why)`` when the file is missing or the
    id is not a non-negative integer: grading goes on with the fixed id and the staff log says why.
    """
    try:
        doc = json.loads(Path(metadata).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return FALLBACK_SUBMISSION_ID, f"{metadata} could not be read ({type(exc).__name__})"
    value = doc.get("id") if isinstance(doc, dict) else None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return FALLBACK_SUBMISSION_ID, f"{metadata} has no usable top-level id (found {type(value).__name__})"
    return value, None
