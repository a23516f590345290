"""What a worker may take beyond its rlimits, and what it may leave behind.

``RLIMIT_DATA`` does not count shared mappings (``mmap.mmap(-1, n)`` is a shared anonymous
mapping), so the worker's address space is capped too, at the fork server's size plus the
data limit plus some headroom for thread stacks and libraries. And a worker's user can create
files in the machine's world-writable folders, outside its working copy; when workers run as
their own user (the grader is root), the fork server removes what that user left there after
each worker, and the grader once more at the end.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import stat

#: Address space a worker may add beyond its data limit (thread stacks, libraries, shared maps).
ADDRESS_HEADROOM_MB = 2048
_M_ARENA_MAX = -8

#: World-writable folders where a worker's user can leave files behind.
SHARED_SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")  # noqa: S108 (searched for leftovers; nothing is written there)


def cap_address_space(base_vm: int, memory_mb: int, headroom_mb: int = ADDRESS_HEADROOM_MB) -> None:
    """In the worker: cap RLIMIT_AS, and let threads share malloc arenas instead of reserving
    64 MB of address space each."""
    if base_vm:
        value = base_vm + ((memory_mb + headroom_mb) << 20)
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(resource.RLIMIT_AS, (value, value))
    try:
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 2)
    except (OSError, AttributeError):
        pass


def remove_files_of(uid: int | None, folders=SHARED_SCRATCH) -> list[str]:
    """As root: delete the top-level entries of ``folders`` owned by ``uid``; return their paths.

    In a sticky world-writable folder a user can only create entries at the top level or inside
    entries it owns, so deleting those (never following links) removes everything it left.
    """
    removed: list[str] = []
    if uid is None or uid == 0 or os.geteuid() != 0:
        return removed
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
                if info.st_uid != uid:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)
                removed.append(path)
            except OSError:
                pass
    return removed
