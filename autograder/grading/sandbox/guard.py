"""Library rules at run time, inside a worker: an audit hook that refuses forbidden modules.

The manifest forbids some modules (``[imports] forbidden`` everywhere, ``[worker.without]``
for some tasks). The static check reads the source; this hook holds however the import is
spelled, because CPython raises an audit event for every way of loading a module or a file
(``sys.addaudithook``; a hook cannot be removed):

- ``import``: an ``import`` statement, ``__import__``, ``exec`` of an import, and the loading
  of an extension module by hand (which reports its file);
- ``open``: ``open``, ``os.open``, ``io.open_code``, so the package's ``.py`` and ``.so`` files
  cannot be read, copied or executed by hand, and ``importlib.import_module`` (which runs the
  import machinery in Python and raises no ``import`` event) fails on its first file;
- ``ctypes.dlopen``: ``ctypes.CDLL`` and friends;
- ``os.symlink`` / ``os.link``: a link whose target lies in such a package;
- starting another program (``subprocess``, ``os.exec*``, ``os.system``, ``os.posix_spawn``),
  when a refused module is installed on the machine: a fresh interpreter would not have this hook.

A module is refused with its submodules (``torch`` refuses ``torch.nn``). Nothing is added to
``sys.meta_path``: libraries ask ``importlib.util.find_spec`` whether a module is installed
(torch does, for scipy and sklearn) and must get an answer, not an exception. A module that the
worker's fork server preloaded cannot be refused this way (it is already in ``sys.modules``),
which is why tests that refuse a preloaded module run in a worker family whose fork server
never loaded it (see :mod:`autograder.grading.sandbox.lifecycle`).

What the hook cannot stop is code that makes system calls without Python (``ctypes`` calling
libc's ``open`` directly); ``tests/adversarial/SECURITY.md`` says so.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

PROGRAM_EVENTS = frozenset({"os.exec", "os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen",
                            "os.startfile", "pty.spawn"})


WATCHED = PROGRAM_EVENTS | {"import", "open", "ctypes.dlopen", "os.symlink", "os.link"}


class ForbiddenModule(ModuleNotFoundError):
    """The worker refused to load ``module`` (code that tries optional imports sees it as missing)."""

    def __init__(self, module: str):
        super().__init__(f"the module {module} is not allowed in this part of the assignment", name=module)
        self.module = module


def package_folders(modules: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The folders (or single files) where ``modules`` are installed, each with its module,
    found without importing them (the fork server asks, before any worker exists).

    ``torch`` gives ``.../site-packages/torch``; a dotted name gives the sub-folder (and the
    ``.py`` file) inside its top-level package. Modules that are not installed give nothing.
    """
    found: dict[str, str] = {}
    for module in modules:
        top, _, rest = module.partition(".")
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            continue
        if spec.submodule_search_locations:
            for base in spec.submodule_search_locations:
                base = os.path.realpath(base)
                if rest:
                    sub = os.path.join(base, *rest.split("."))
                    found[sub] = found[sub + ".py"] = module
                else:
                    found[base] = module
        elif spec.origin and not rest:
            found[os.path.realpath(spec.origin)] = module
    return found


class Guard:
    """The rules of one worker: refused module names and the folders they live in."""

    def __init__(self, modules: list[str] | tuple[str, ...], folders: dict[str, str]):
        self.modules = tuple(sorted(set(modules)))
        self.folders = dict(folders)
        # a path that names one of these (a folder "torch", a file "six.py") is refused anywhere
        self.names = frozenset({m.split(".")[0] for m in self.modules} | {os.path.basename(f) for f in self.folders})
        self.refuse_programs = bool(self.folders)

    def refused_module(self, name: Any) -> str | None:
        if not isinstance(name, str):
            return None
        for module in self.modules:
            if name == module or name.startswith(module + "."):
                return module
        return None

    def refused_path(self, path: Any, base: str | None = None) -> bool:
        """Whether ``path`` (relative to ``base``, default the working folder) reaches a refused package."""
        try:
            text = os.fsdecode(os.fspath(path))
        except TypeError:
            return False   # a file descriptor: it was opened through this hook already
        if not text:
            return False
        if self.names & set(text.split("/")):
            return True    # by name: holds for paths relative to a dir_fd and for links swapped in later
        if base is not None and not os.path.isabs(text):
            text = os.path.join(base, text)
        real = os.path.realpath(text)
        return any(real == f or real.startswith(f + os.sep) for f in self.folders)

    def module_of_path(self, path: Any) -> str:
        """The refused module a path belongs to (by folder, else by a name in the path)."""
        try:
            text = os.fsdecode(os.fspath(path))
        except TypeError:
            text = ""
        real = os.path.realpath(text) if text else ""
        for folder, module in self.folders.items():
            if real and (real == folder or real.startswith(folder + os.sep)):
                return module
        parts = set(text.split("/"))
        for module in self.modules:
            if module.split(".")[0] in parts:
                return module
        for folder, module in self.folders.items():
            if os.path.basename(folder) in parts:
                return module
        return self.modules[0] if self.modules else ""

    def __call__(self, event: str, args: tuple) -> None:
        if event not in WATCHED:
            return
        if event == "import":
            module = self.refused_module(args[0] if args else None)
            if module:
                raise ForbiddenModule(module)
            if len(args) > 1 and args[1] is not None and self.refused_path(args[1]):
                raise ForbiddenModule(self.module_of_path(args[1]))
        elif event == "open" or event == "ctypes.dlopen":
            if args and args[0] is not None and self.refused_path(args[0]):
                raise ForbiddenModule(self.module_of_path(args[0]))
        elif event == "os.symlink":
            if len(args) >= 2 and self._link_target_refused(args[0], args[1]):
                raise ForbiddenModule(self.module_of_path(args[0]))
        elif event == "os.link":
            if args and self.refused_path(args[0]):
                raise ForbiddenModule(self.module_of_path(args[0]))
        elif event in PROGRAM_EVENTS and self.refuse_programs:
            raise PermissionError("starting another program is not allowed while grading this part of the "
                                  "assignment (it would not follow the assignment's library rules)")

    def _link_target_refused(self, target: Any, link: Any) -> bool:
        try:
            where = os.path.dirname(os.path.abspath(os.fsdecode(os.fspath(link))))
        except TypeError:
            where = None
        return self.refused_path(target, base=where)


def install(modules: list[str] | tuple[str, ...], folders: dict[str, str]) -> Guard | None:
    """Add the hook for this process (for good: audit hooks cannot be removed); None if nothing is refused."""
    if not modules:
        return None
    guard = Guard(modules, folders)
    sys.addaudithook(guard)
    return guard
