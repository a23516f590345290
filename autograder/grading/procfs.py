"""Small readers of Linux's /proc, shared by the sandbox and the emulator, and what a forked child
of the grader does first."""

from __future__ import annotations

import os


def pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state first); [] once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return []
    return stat[stat.rfind(")") + 2 :].split()


def parent(pid: int) -> int | None:
    """The parent pid of ``pid`` (None once it is gone)."""
    fields = _stat(pid)
    return int(fields[1]) if len(fields) > 1 else None


def state(pid: int) -> str | None:
    """The state letter of ``pid`` (``"Z"``: dead, not yet collected by its parent; None: gone)."""
    fields = _stat(pid)
    return fields[0] if fields else None


def children(pid: int) -> list[int]:
    """Direct children of ``pid``: the kernel's own list when it has one, else a scan."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return [p for p in pids() if parent(p) == pid]


def tree(root: int) -> list[int]:
    """``root`` and all its descendants, from one scan of /proc."""
    kids: dict[int, list[int]] = {}
    for p in pids():
        pp = parent(p)
        if pp is not None:
            kids.setdefault(pp, []).append(p)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _field(pid: int, name: str, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/{name}") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def owner(pid: int) -> int | None:
    """The real uid of ``pid``."""
    return _field(pid, "status", "Uid:")


def pss_kb(pid: int) -> int:
    """Proportional set size of ``pid`` in KiB (0 once it is gone)."""
    return _field(pid, "smaps_rollup", "Pss:") or 0


def vm_data_bytes(pid: int | str = "self") -> int:
    """The data segment of ``pid`` in bytes (what RLIMIT_DATA counts)."""
    return (_field(pid, "status", "VmData:") or 0) * 1024  # type: ignore[arg-type]


def vm_size_bytes(pid: int | str = "self") -> int:
    """The whole address space of ``pid`` in bytes (what RLIMIT_AS counts)."""
    return (_field(pid, "status", "VmSize:") or 0) * 1024  # type: ignore[arg-type]


def close_descriptors_except(keep: int) -> None:
    """In a child just forked from the grader: close every descriptor above standard error but
    ``keep``, so that it holds none of the grader's (a worker's socket would not see its end)."""
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
