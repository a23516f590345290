"""The sandbox: remote calls, handles, limits, and workers that misbehave."""

import os

import numpy as np
import pytest

from autograder.sandbox import Limits, Sandbox, StudentError, WorkerCrashed, WorkerTimeout

STUDENT = '''
import os, sys, time
import numpy as np

def double(x):
    return 2 * x

class Box:
    def __init__(self, items):
        self.items = dict(items)
    def get(self, key):
        return self.items[key]

def spin():
    while True:
        pass

def dodge():
    while True:
        try:
            time.sleep(10)
        except BaseException:
            pass

def hard_exit():
    os._exit(0)

def soft_exit():
    sys.exit(0)

def fail():
    raise ValueError("shapes (2,) and (3,) do not match")

def chatter():
    print("x" * 100000)
    return 1

def hog():
    return bytearray(4 << 30)

def recurse(n=0):
    sys.setrecursionlimit(10**8)
    return recurse(n + 1)

def whoami():
    return os.getuid()
'''


@pytest.fixture(scope="module")
def sandbox():
    import shutil
    import tempfile
    from pathlib import Path

    root = Path(tempfile.mkdtemp(prefix="sbx-"))  # reachable by the sandbox user when we run as root
    os.chmod(root, 0o711)
    sub = root / "sub"
    (sub / "pkg").mkdir(parents=True)
    (sub / "pkg" / "__init__.py").write_text("")
    (sub / "pkg" / "mod.py").write_text(STUDENT)
    probes = root / "probes"
    probes.mkdir()
    (probes / "sb_probes.py").write_text("def box_sum(items):\n    from pkg.mod import Box\n"
                                         "    return sum(Box(items).items.values())\n")
    sb = Sandbox(sub, probes, root / "area", preload=["numpy"],
                 limits=Limits(call_seconds=2, test_seconds=4, memory_mb=256))
    yield sb
    sb.close()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def worker(sandbox):
    w = sandbox.worker()
    yield w
    w.close()


def test_calls_return_genuine_values(worker):
    x = np.arange(4.0)
    out = worker.call("pkg.mod.double", x)
    assert type(out) is np.ndarray and np.array_equal(out, 2 * x)


def test_handles_reach_methods_and_attributes(worker):
    box = worker.new("pkg.mod.Box", {"a": 1})
    assert box.get("a") == 1 and box.items == {"a": 1}
    worker.ref(box, "items")["b"] = 2
    box.extra = np.ones(2)
    assert box.items == {"a": 1, "b": 2} and np.array_equal(box.extra, np.ones(2))


def test_probes_run_in_the_worker(worker):
    assert worker.run("sb_probes.box_sum", {"a": 1, "b": 5}) == 6


def test_student_exceptions_carry_their_frames(worker):
    with pytest.raises(StudentError) as err:
        worker.call("pkg.mod.fail")
    assert err.value.type_name == "ValueError" and 'File "pkg/mod.py"' in err.value.traceback_text
    assert worker.call("pkg.mod.double", 1) == 2  # the worker survives an exception


def test_sys_exit_is_an_error_not_a_death(worker):
    with pytest.raises(StudentError, match="exit"):
        worker.call("pkg.mod.soft_exit")


@pytest.mark.parametrize("func, error, words", [
    ("spin", WorkerTimeout, "did not finish"),
    ("dodge", WorkerTimeout, "did not finish"),
    ("hard_exit", WorkerCrashed, "exited with status 0"),
    ("recurse", (WorkerCrashed, StudentError, WorkerTimeout), ""),
])
def test_misbehaving_workers_end_in_clear_errors(sandbox, func, error, words):
    w = sandbox.worker()
    try:
        with pytest.raises(error) as err:
            w.call(f"pkg.mod.{func}")
        assert words in str(err.value)
    finally:
        w.close()
    fresh = sandbox.worker()
    assert fresh.call("pkg.mod.double", 3) == 6
    fresh.close()


def test_memory_limit_stops_huge_allocations(worker):
    with pytest.raises((StudentError, WorkerCrashed)) as err:
        worker.call("pkg.mod.hog")
    assert "MemoryError" in str(err.value) or "stopped" in str(err.value)


def test_output_is_captured_and_capped(worker):
    assert worker.call("pkg.mod.chatter") == 1
    text = worker.output()
    assert "earlier bytes of output cut" in text and len(text) < 5000


def test_worker_drops_root_when_it_can(sandbox, worker):
    if sandbox.user is None:  # not root, or a Python the sandbox user could not read (a warning says so)
        assert os.geteuid() != 0 or sandbox.warnings, "ran as root without dropping and without a warning"
        return
    assert worker.call("pkg.mod.whoami") == sandbox.user[0] != 0


def test_output_file_swapped_for_a_link_is_not_followed(sandbox, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("HIDDEN-EXPECTED-VALUE")
    w = sandbox.worker()
    try:
        w.call("os.remove", ".output")
        w.call("os.symlink", str(secret), ".output")
        assert "HIDDEN-EXPECTED-VALUE" not in w.output()
    finally:
        w.close()
