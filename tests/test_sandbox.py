"""The sandbox: remote calls, handles, limits, and workers that misbehave.

The fork server is forked inline from this process, as grading does (``Sandbox(inline=True)``);
one test also starts it the other way, as a fresh interpreter.
"""

import os
import socket
import struct

import numpy as np
import pytest

from autograder.grading import feedback
from autograder.grading.sandbox import Sandbox, SandboxError, StudentError, WorkerCrashed, WorkerTimeout, sandbox_user
from autograder.grading.sandbox.privileges import interpreter_paths, unreadable_for_others
from autograder.grading.sandbox.wire import recv_json, send_json
from autograder.grading.settings import Limits

STUDENT = '''
import os, struct, sys, time
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

class Secret_5_1_7(Exception):
    pass

def leak(values):
    raise Secret_5_1_7(f"inputs were {values}")

def _reply_socket():
    import stat
    for name in os.listdir("/proc/self/fd"):
        try:
            if stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                return int(name)
        except OSError:
            pass

def forge(header):
    """Write a reply of our own on the grader's socket, then wait for the real one to be read."""
    body = header.encode()
    message = struct.pack("<Q", len(body)) + body
    os.write(_reply_socket(), struct.pack("<Q", len(message)) + message)
    time.sleep(30)

def huge_length():
    os.write(_reply_socket(), struct.pack("<Q", 1 << 40))
    time.sleep(30)
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
    sb = Sandbox(sub, probes, root / "area", preload=["numpy"], inline=True,
                 limits=Limits(call_seconds=2, test_seconds=4, memory_mb=256))
    yield sb
    sb.close()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def worker(sandbox):
    w = sandbox.worker(hidden=False)
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
    with pytest.raises(StudentError, match="exit\\(\\) was called with status 0"):
        worker.call("pkg.mod.soft_exit")
    assert worker.call("pkg.mod.double", 2) == 4


def test_public_feedback_quotes_the_exception_and_the_source(worker):
    with pytest.raises(StudentError) as err:
        worker.call("pkg.mod.leak", [5, 1, 7])
    text = feedback.student_error(err.value)
    assert "Secret_5_1_7: inputs were [5, 1, 7]" in text and "raise Secret_5_1_7" in text


def test_hidden_feedback_quotes_nothing_the_student_chose(sandbox):
    w = sandbox.worker()  # hidden unless the plugin says otherwise
    try:
        with pytest.raises(StudentError) as err:
            w.call("pkg.mod.leak", [5, 1, 7])
        box = w.call("pkg.mod.Box", {"a": 1})
        with pytest.raises(StudentError) as missing:
            box.get("zzz")
    finally:
        w.close()
    for text in (str(err.value), feedback.student_error(err.value), str(missing.value)):
        assert "5, 1, 7" not in text and "Secret" not in text and "raise " not in text and "Box" not in text
    assert "an exception of your own class" in str(err.value) and "never their inputs" in str(err.value)
    assert "KeyError" in str(missing.value)
    # the frames travel as (file, line) for the grader's own reading, the class name of a handle not at all
    assert err.value.frames and err.value.frames[-1][0] == "pkg/mod.py" and type(err.value.frames[-1][1]) is int
    assert missing.value.call == "(an object from your code).get(...)"


@pytest.mark.parametrize(("func", "error", "words"), [
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


@pytest.mark.skipif(os.geteuid() != 0, reason="workers drop privileges only when the grader runs as root")
def test_worker_drops_root(sandbox, worker):
    blocked = unreadable_for_others(interpreter_paths())
    if blocked:
        # The documented fallback where the sandbox user could not start this Python: workers keep
        # the grader's uid, and the warning names the folder that is closed to other users.
        assert sandbox.user is None and worker.call("pkg.mod.whoami") == 0
        assert sandbox.warnings and blocked[0] in sandbox.warnings[0]
        return
    assert sandbox.user is not None, f"this Python is readable by every user, yet workers kept root: {sandbox.warnings}"
    assert worker.call("pkg.mod.whoami") == sandbox.user[0] != 0
    assert sandbox_user() == sandbox_user() == sandbox.user, "the uid is chosen once per run"


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


@pytest.mark.parametrize("header", ['{"$t":"dict","v":[1]}', '{"$t":"tuple","v":5}',
                                    '{"$t":"np","dtype":"int8","v":1000}', "not json"])
def test_a_forged_reply_kills_the_worker(sandbox, header):
    w = sandbox.worker(hidden=False)
    try:
        with pytest.raises(SandboxError, match="could not be read") as err:
            w.call("pkg.mod.forge", header)
        assert not isinstance(err.value, StudentError)
        assert w.dead_reason == "sent a malformed reply"
        with pytest.raises(ProcessLookupError):
            os.kill(w.pid, 0)  # killed, and reaped by the fork server
        with pytest.raises(WorkerCrashed, match="already stopped"):
            w.call("pkg.mod.double", 1)
    finally:
        w.close()


def test_a_reply_over_the_size_limit_kills_the_worker(sandbox):
    w = sandbox.worker(hidden=False)
    try:
        with pytest.raises(SandboxError, match="larger than the limit"):
            w.call("pkg.mod.huge_length")
        assert w.dead_reason == "sent a malformed reply"
    finally:
        w.close()


def test_a_fresh_interpreter_server_works_too():
    """The fork server started as ``python -I`` (sessions the runner did not start inline)."""
    import shutil
    import tempfile
    from pathlib import Path

    root = Path(tempfile.mkdtemp(prefix="sbx-"))  # reachable by the sandbox user when we run as root
    os.chmod(root, 0o711)
    (root / "sub").mkdir()
    (root / "sub" / "m.py").write_text("def f(x):\n    print('seen')\n    return x + 1\n")
    sb = Sandbox(root / "sub", root / "no-probes", root / "area", limits=Limits(call_seconds=5, test_seconds=10))
    try:
        w = sb.worker(hidden=False)
        assert w.call("m.f", 1) == 2 and w.output() == "seen\n"
        w.close()
    finally:
        sb.close()
        shutil.rmtree(root, ignore_errors=True)


def test_control_messages_carry_descriptors():
    ours, theirs = socket.socketpair()
    a, b = socket.socketpair()
    try:
        send_json(ours, {"op": "fork", "n": 1}, fds=[a.fileno()])
        request, fds = recv_json(theirs, max_fds=1)
        assert request == {"op": "fork", "n": 1} and len(fds) == 1
        with socket.socket(fileno=fds[0]) as copy:
            copy.sendall(b"x")
            assert b.recv(1) == b"x"
        send_json(ours, {"no": "fds"})
        assert recv_json(theirs, max_fds=1) == ({"no": "fds"}, [])
        ours.sendall(struct.pack("<Q", 1 << 40))
        with pytest.raises(ValueError, match="larger than the limit"):
            recv_json(theirs)
    finally:
        for s in (ours, theirs, a, b):
            s.close()
