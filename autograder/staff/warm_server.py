"""The server behind :mod:`autograder.staff.warm`: an interpreter that has imported the grader's
libraries once and forks one grader per request.

Run as ``python -I warm_server.py CONTROL_FD MODULE...``. It imports the modules (``?name``: where
installed), says ``ready`` on the control socket (a ``SOCK_SEQPACKET`` pair, one JSON request per
message), then for each request, which carries an answer socket and the grading's log, forks a waiter.
The waiter forks the grader, sends the grader's pid, waits for it and sends its CPU seconds. The
grader leaves this module's frames and runs the zip's ``grade.py`` as ``python -I grade.py`` would,
exit included (threads joined, exit handlers run, output flushed), but for the interpreter's
freeing of every object at the very end, which here only made the kernel copy the pages the grader
shares with this server (A2's starter, one public test: 0.70 CPU s a grading with it, 0.47 without).

It imports nothing of the framework: every grading takes ``autograder`` from its own zip.
"""

import atexit
import gc
import json
import os
import runpy
import socket
import sys
import threading
import traceback

MAX_REQUEST_BYTES = 1 << 20


def serve(control: socket.socket) -> dict:
    """Answer requests until the client goes; returns only in a forked grader, with its request.

    The server waits for its waiters (so that their CPU time, the graders' included, counts as
    its children's, and so as its client's)."""
    waiters: set[int] = set()
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(control, MAX_REQUEST_BYTES, 2)
        except OSError:
            data, fds = b"", []
        _reap(waiters, block=not data)
        if not data:
            raise SystemExit(0)   # the client closed its end: nothing more will come
        pid = os.fork()
        if pid == 0:
            control.close()
            return _wait_for_grader(json.loads(data), *fds)
        waiters.add(pid)
        for fd in fds:
            os.close(fd)


def _reap(waiters: set[int], block: bool) -> None:
    """Collect the waiters that ended (all of them when ``block``)."""
    for pid in list(waiters):
        if os.waitpid(pid, 0 if block else os.WNOHANG)[0]:
            waiters.discard(pid)


def _wait_for_grader(request: dict, answer_fd: int, log_fd: int) -> dict:
    """In the waiter: fork the grader (which returns), wait for it and answer, then exit."""
    answer = socket.socket(fileno=answer_fd)
    pid = os.fork()
    if pid == 0:
        answer.close()
        _become_grader(request, log_fd)
        return request
    os.close(log_fd)
    try:
        answer.send(json.dumps({"pid": pid}).encode())
        _, _status, usage = os.wait4(pid, 0)
        answer.send(json.dumps({"cpu": usage.ru_utime + usage.ru_stime}).encode())
    finally:
        os._exit(0)


def _become_grader(request: dict, log_fd: int) -> None:
    """Give this process what ``bash run_autograder`` gives the grader: its own session, the log
    on standard output and error, the tree as working folder, the grader's environment."""
    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))   # (procfs.close_descriptors_except: this imports no autograder)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    script = request["script"]
    sys.argv = [script]
    if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
        sys.path[0] = os.path.dirname(script)   # Python 3.10's ``-I`` puts the script's folder first; 3.11's does not


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    for name in sys.argv[2:]:
        try:
            __import__(name.removeprefix("?"))
        except ImportError:
            if not name.startswith("?"):   # ``?name``: imported where installed
                raise
    # What the imports made is shared with every grader: keep the collector from walking (and so
    # copying) those pages in each of them.
    gc.collect()
    gc.freeze()
    control.send(json.dumps({"ready": True, "pid": os.getpid()}).encode())
    request = serve(control)
    code = 0
    try:
        runpy.run_path(request["script"], run_name="__main__")
    except SystemExit as stop:
        code = _exit_status(stop.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    _exit_without_teardown(code)


def _exit_status(code) -> int:
    """The status ``raise SystemExit(code)`` gives a process (a message goes to stderr, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _exit_without_teardown(code: int) -> None:
    """End the grader as the interpreter ends: join its threads, run its exit handlers, flush its
    output, but skip freeing every object. That last step dirties every page the grader shares with
    this server, so the kernel copies each one just before the process goes."""
    join_threads = getattr(threading, "_shutdown", None)   # what the interpreter does first at exit
    if join_threads is not None:
        join_threads()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
