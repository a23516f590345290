"""Who student code runs as, decided once per run, and what that user may leave behind.

When the grader runs as root, workers drop to an unprivileged user: ``AUTOGRADER_SANDBOX_UID``
if set, else the user ``autograder-student`` that setup.sh creates, else a random unused uid of
this run's own. The choice is made once per process, so every part of one grading run (the
runner hardening the tree, the fork server, the final clean-up) agrees on the uid. Dropping
needs a Python installation that user can read; where it cannot, the worker keeps the grader's
user and the run says so (or refuses, when the run requires the drop, as on Gradescope).
"""

from __future__ import annotations

import functools
import os
import pwd
import secrets
import signal
import sys
import sysconfig
import time
from pathlib import Path

from .. import procfs
from .errors import SandboxError

#: Random run uids come from this range (far above the ids distributions give to people).
RUN_UIDS = range(200000, 250000)


@functools.cache
def sandbox_user() -> tuple[int, int] | None:
    """The (uid, gid) workers drop to when the grader runs as root, else None (same every call)."""
    if os.geteuid() != 0:
        return None
    forced = os.environ.get("AUTOGRADER_SANDBOX_UID", "")
    if forced.isdigit() and int(forced) > 0:
        return int(forced), int(forced)
    try:
        entry = pwd.getpwnam(os.environ.get("AUTOGRADER_SANDBOX_USER", "autograder-student"))
    except KeyError:
        # No dedicated user: an unused id of this run's own (never a shared one such as
        # nobody, whose other processes the final clean-up would otherwise kill).
        uid = RUN_UIDS.start + secrets.randbelow(len(RUN_UIDS))
        return uid, uid
    if entry.pw_uid == 0 or entry.pw_gid == 0:
        raise SandboxError(f"the sandbox user {entry.pw_name!r} is root; student code never runs as root")
    return entry.pw_uid, entry.pw_gid


# ------------------------------------------------------------------ install check


def interpreter_paths() -> list[str]:
    """The folders of this Python's standard library and installed packages."""
    paths = sysconfig.get_paths()
    return [paths[n] for n in ("stdlib", "platstdlib", "purelib", "platlib") if n in paths]


def unreadable_for_others(paths) -> list[str]:
    """Folders on the way to ``paths`` that a user other than the owner cannot enter."""
    bad = []
    for path in paths:
        p = Path(path).resolve()
        for folder in [p, *p.parents]:
            try:
                mode = folder.stat().st_mode
            except OSError:
                continue
            if folder.is_dir() and not mode & 0o001:
                bad.append(str(folder))
                break
    return sorted(set(bad))


def worker_user(require_drop: bool = False) -> tuple[tuple[int, int] | None, str | None]:
    """The user workers run as (None: the grader's own) and a warning for staff, if any.

    ``require_drop`` (Gradescope) refuses to fall back to the grader's own user.
    """
    user = sandbox_user()
    blocked = unreadable_for_others(interpreter_paths()) if user else []
    if not blocked:
        return user, None
    message = (f"The sandbox user cannot read the Python installation ({', '.join(blocked)} is closed to "
               "other users), so student code runs as the grader's own user here. Install the "
               "requirements into a Python that every user can read to get the unprivileged worker.")
    if require_drop:
        raise SandboxError(message)
    return None, message


def workers_drop_privileges() -> bool:
    """Whether workers started here would run as an unprivileged user."""
    return os.geteuid() == 0 and not unreadable_for_others(interpreter_paths())


# ------------------------------------------------------------------ ownership and clean-up


def give_to(folder: Path, user: tuple[int, int]) -> None:
    """Make ``folder`` and everything in it ``user``'s, bottom up and never following a link.

    A folder becomes the worker user's only after everything in it, so a process the previous
    worker left behind (it lives until the next fork) cannot swap a file for a link to a grader
    file before root changes its owner.
    """
    uid, gid = user
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files + dirs:
            os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)
    os.chown(folder, uid, gid, follow_symlinks=False)


def kill_all_of_user(uid: int) -> None:
    """As root, kill every live process of ``uid`` (daemons that left the process group)."""
    if uid == 0:
        raise ValueError("kill_all_of_user(0): refusing to kill root's processes")
    for _ in range(5):
        pids = [p for p in procfs.pids() if procfs.owner(p) == uid and procfs.state(p) not in ("Z", None)]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)


def announce(user: tuple[int, int] | None, warning: str | None, show_user: bool = True) -> None:
    """One line for the staff log: who student code runs as in this run (``show_user``: on
    Gradescope always; in a student's ``check`` only with ``-v``). A warning is always shown."""
    if warning:
        print(f"[autograder] warning: {warning}", file=sys.stderr)
    if user and show_user:
        print(f"[autograder] student code runs as uid {user[0]}", file=sys.stderr)
