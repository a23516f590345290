"""Library rules at run time, worker families, and workers that cannot tell one test from another.

A fake library (``fakelib``, with a submodule, a data file and a shared object) is installed
in a folder on this process's path; the fork servers are forked from here, as grading does.
Every way a student could load it by hand must fail with the module named, in a worker of a
family that refuses it, while a family that preloads it still has it.
"""

import os
import shutil
import sys
import sysconfig
import tempfile
import warnings
from pathlib import Path

import pytest

from autograder.grading.sandbox import Sandbox, StudentError
from autograder.grading.sandbox.guard import Guard, package_folders
from autograder.grading.settings import Limits, WorkerFamily, family_for

STUDENT = r'''
import ctypes, importlib, importlib.util, os, subprocess, sys, warnings

import numpy as np


def by_statement():
    import fakelib
    return fakelib.ANSWER


def by_import_module():
    from importlib import import_module
    return import_module("fake" + "lib").ANSWER


def by_dunder_import():
    return __import__("fakelib.sub").sub.VALUE


def by_exec():
    scope = {}
    exec("import fakelib.sub as s", scope)
    return scope["s"].VALUE


def asks_find_spec():
    return importlib.util.find_spec("fakelib") is not None


def in_sys_modules():
    return sorted(name for name in sys.modules if name.startswith("fakelib"))


def by_spec(folder):
    spec = importlib.util.spec_from_file_location("notfake", os.path.join(folder, "__init__.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ANSWER


def by_reading(folder):
    with open(os.path.join(folder, "weights.txt")) as fh:
        return fh.read()


def by_relative_reading(folder):
    fd = os.open(os.path.dirname(folder), os.O_RDONLY)
    try:
        inner = os.open(os.path.join(os.path.basename(folder), "weights.txt"), os.O_RDONLY, dir_fd=fd)
        return os.read(inner, 100).decode()
    finally:
        os.close(fd)


def by_link(folder):
    os.symlink(folder, "innocent")
    with open(os.path.join("innocent", "weights.txt")) as fh:
        return fh.read()


def by_ctypes(folder):
    return str(ctypes.CDLL(os.path.join(folder, "native.so")))


def by_extension_loader(folder):
    from importlib.machinery import ExtensionFileLoader
    path = os.path.join(folder, "native.so")
    spec = importlib.util.spec_from_loader("native", ExtensionFileLoader("native", path))
    return str(importlib.util.module_from_spec(spec))


def by_program():
    return subprocess.run([sys.executable, "-c", "import fakelib; print(fakelib.ANSWER)"],
                          capture_output=True, text=True).stdout


def allowed():
    import json
    return json.dumps([1]) + str(np.zeros(1).shape)


def caught_as_missing():
    try:
        import fakelib  # noqa: F401
    except ModuleNotFoundError:
        return "missing"
    return "found"


def own_warning():
    warnings.warn("MY OWN WARNING")
    return 1


def where_am_i():
    import tempfile
    return {"cwd": os.path.basename(os.getcwd()), "home": os.environ.get("HOME"),
            "tmp": os.environ.get("TMPDIR"), "gettempdir": tempfile.gettempdir(), "env": dict(os.environ),
            "home_files": sorted(os.listdir(os.environ["HOME"])), "listing": _listing()}


def _listing():
    try:
        return os.listdir("..")
    except OSError:
        return None


def leave_a_note():
    with open(os.path.join(os.environ["HOME"], "note.txt"), "w") as fh:
        fh.write("I was here")
    return 1
'''

PROBES = '''
import warnings


def library_warning():
    warnings.warn("LIBRARY NOTICE")
    from pkg.mod import own_warning
    return own_warning()
'''


@pytest.fixture(scope="module")
def root():
    root = Path(tempfile.mkdtemp(prefix="rules-"))   # reachable by the sandbox user when we run as root
    os.chmod(root, 0o711)
    lib = root / "site" / "fakelib"
    (lib / "sub").mkdir(parents=True)
    (lib / "__init__.py").write_text("ANSWER = 42\n")
    (lib / "sub" / "__init__.py").write_text("VALUE = 7\n")
    (lib / "weights.txt").write_text("SECRET WEIGHTS")
    native = next(Path(sysconfig.get_config_var("DESTSHARED") or "/nonexistent").glob("_bisect*.so"), None) \
        or Path(sys.modules["_json"].__file__)
    shutil.copy(native, lib / "native.so")
    for folder, _dirs, files in os.walk(root / "site"):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    sub = root / "sub"
    (sub / "pkg").mkdir(parents=True)
    (sub / "pkg" / "__init__.py").write_text("")
    (sub / "pkg" / "mod.py").write_text(STUDENT)
    probes = root / "probes"
    probes.mkdir()
    (probes / "rules_probes.py").write_text(PROBES)
    sys.path.insert(0, str(root / "site"))
    try:
        yield root
    finally:
        sys.path.remove(str(root / "site"))
        for name in [n for n in sys.modules if n.startswith("fakelib")]:
            del sys.modules[name]
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def sandbox(root):
    """Two families, forked from here: the lean one (never loaded fakelib, refuses it) first,
    then the main one, which preloads it."""
    assert "fakelib" not in sys.modules
    families = (WorkerFamily("main", ("numpy", "fakelib"), ()),
                WorkerFamily("without-1", ("numpy",), ("fakelib",), ("1",)))
    sb = Sandbox(root / "sub", root / "probes", root / "area", inline=True, families=families,
                 limits=Limits(call_seconds=10, test_seconds=30, memory_mb=512))
    yield sb
    sb.close()


@pytest.fixture
def lean(sandbox):
    w = sandbox.worker(hidden=False, family="without-1")
    yield w
    w.close()


FOLDER = "folder"   # stands for the fake library's folder in the parameters below


@pytest.mark.parametrize(("func", "with_folder"), [
    ("by_statement", False), ("by_import_module", False), ("by_dunder_import", False), ("by_exec", False),
    ("by_spec", True), ("by_reading", True), ("by_relative_reading", True), ("by_link", True),
    ("by_ctypes", True), ("by_extension_loader", True),
])
def test_every_spelling_of_the_import_is_refused(lean, root, func, with_folder):
    args = [str(root / "site" / "fakelib")] if with_folder else []
    with pytest.raises(StudentError) as err:
        lean.call(f"pkg.mod.{func}", *args)
    assert err.value.forbidden == "fakelib", (func, err.value.type_name, err.value.message)
    assert err.value.frames and err.value.frames[-1][0] == "pkg/mod.py"   # the file that asked, for the grader
    assert "SECRET WEIGHTS" not in str(err.value.message)


def test_the_module_is_not_even_in_sys_modules(lean):
    assert lean.call("pkg.mod.in_sys_modules") == []


def test_other_programs_are_refused_where_a_refused_library_is_installed(lean):
    with pytest.raises(StudentError) as err:
        lean.call("pkg.mod.by_program")
    assert err.value.type_name == "PermissionError" and "starting another program" in err.value.message


def test_code_that_tries_an_optional_import_sees_it_missing_and_the_rest_works(lean):
    """Libraries ask find_spec (torch does, for scipy and sklearn) and catch ImportError."""
    assert lean.call("pkg.mod.asks_find_spec") is True
    assert lean.call("pkg.mod.caught_as_missing") == "missing"
    assert lean.call("pkg.mod.allowed") == "[1](1,)"


def test_the_family_that_preloads_it_still_has_it(sandbox):
    w = sandbox.worker(hidden=False)   # the main family
    try:
        assert w.call("pkg.mod.by_statement") == 42 and w.call("pkg.mod.in_sys_modules") == ["fakelib"]
    finally:
        w.close()


def test_a_family_whose_module_the_grader_already_loaded_gets_a_fresh_interpreter(root):
    """The grader has fakelib loaded now: forking would hand it to the workers, so the lean
    family's server starts as a fresh interpreter, and its workers still refuse it."""
    import fakelib  # noqa: F401

    families = (WorkerFamily("main", ("numpy",), ()), WorkerFamily("without-1", ("numpy",), ("fakelib",), ("1",)))
    sb = Sandbox(root / "sub", root / "probes", root / "area2", inline=True, families=families,
                 limits=Limits(call_seconds=10, test_seconds=30, memory_mb=512))
    try:
        assert sb.servers["main"].inline and not sb.servers["without-1"].inline
        w = sb.worker(hidden=False, family="without-1")
        try:
            assert w.call("pkg.mod.in_sys_modules") == []
            with pytest.raises(StudentError) as err:
                w.call("pkg.mod.by_statement")
            assert err.value.forbidden == "fakelib"
        finally:
            w.close()
    finally:
        sb.close()


def test_a_family_is_closed_when_asked_and_the_others_go_on(root):
    families = (WorkerFamily("main", ("numpy",), ()), WorkerFamily("without-1", ("numpy",), ("fakelib",), ("1",)))
    sb = Sandbox(root / "sub", root / "probes", root / "area3", inline=True, families=families,
                 limits=Limits(call_seconds=10, test_seconds=30, memory_mb=512))
    try:
        w = sb.worker(family="without-1")
        w.close()
        server = sb.servers["without-1"]
        sb.close_family("without-1")
        assert server.proc.wait(timeout=10) == 0 and not sb.family_open("without-1")
        w = sb.worker(hidden=False)
        assert w.call("pkg.mod.allowed") == "[1](1,)"
        w.close()
    finally:
        sb.close()


def test_tests_go_to_their_family_by_task_number():
    families = (WorkerFamily("main", ("numpy", "torch")), WorkerFamily("without-1", ("numpy",), ("torch",), ("1",)))
    assert [family_for(families, n).name for n in ("1", "1.2", "1.10.3", "10", "2.1", None)] == \
        ["without-1", "without-1", "without-1", "main", "main", "main"]


def test_library_warnings_stay_out_of_the_output_the_students_own_stay(lean):
    assert lean.run("rules_probes.library_warning") == 1
    printed = lean.output()
    assert "MY OWN WARNING" in printed and "LIBRARY NOTICE" not in printed


def test_nothing_tells_one_test_from_another(sandbox):
    """Random folder names, one HOME and TMPDIR emptied between workers, the same environment
    in every family, hidden or public; the folder holding the workers cannot be listed."""
    assert tempfile.gettempdir()   # the grader has asked for its own temporary folder (Python keeps it)
    seen = []
    for family, hidden in (("without-1", False), ("main", True), ("without-1", True), ("main", False)):
        w = sandbox.worker(hidden=hidden, family=family)
        try:
            seen.append(w.call("pkg.mod.where_am_i"))
            w.call("pkg.mod.leave_a_note")
        finally:
            w.close()
    names = [s["cwd"] for s in seen]
    assert len(set(names)) == len(names) and all(len(n) == 16 and int(n, 16) >= 0 for n in names)
    assert all(s["home"] == s["tmp"] == s["gettempdir"] == seen[0]["home"] for s in seen)
    assert all(s["env"] == seen[0]["env"] for s in seen), "the environment differs between tests"
    assert all(s["home_files"] == [] for s in seen), "a test saw what the previous one left in HOME"
    if os.geteuid() == 0 and sandbox.user:
        assert all(s["listing"] is None for s in seen)


def test_guard_refuses_by_name_and_by_folder(tmp_path):
    folder = tmp_path / "fakelib"
    folder.mkdir()
    guard = Guard(["fakelib"], {str(folder.resolve()): "fakelib"})
    assert guard.refused_module("fakelib.sub") == "fakelib" and guard.refused_module("fakelibrary") is None
    assert guard.refused_path(folder / "x.so") and guard.refused_path("../../fakelib/x.py")
    assert not guard.refused_path(tmp_path / "other.txt") and not guard.refused_path(3)
    assert package_folders(["json"]) and package_folders(["no_such_module_here"]) == {}


def test_the_uid_line_shows_only_when_asked(capsys):
    from autograder.grading.sandbox.privileges import announce

    announce((212345, 212345), None, show_user=False)
    assert "212345" not in capsys.readouterr().err
    announce((212345, 212345), None)
    assert "student code runs as uid 212345" in capsys.readouterr().err
    with warnings.catch_warnings():
        announce(None, "a warning for staff", show_user=False)
    assert "a warning for staff" in capsys.readouterr().err
