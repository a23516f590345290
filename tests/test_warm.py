"""Warm emulated gradings (``emulate(..., warm=True)``) give what cold ones give.

A warm grading forks the zip's ``grade.py`` from a server that has imported the grader's libraries
(autograder/staff/warm.py); ``make test`` and ``mutants`` grade that way. What must not change: the
results, the grader's environment, folder, arguments and path, the fallback document of a grader
that dies, and the end of one that runs past its time.
"""

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.grading.upload import safe_extract
from autograder.staff import warm
from autograder.staff.emulate import emulate

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"

#: A grade.py that cleans its environment as the real one does, then writes what it was given.
PROBE_GRADER = """
import json, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
from autograder.grading.settings import CLEAN_ENV, grader_environment
if os.environ.get(CLEAN_ENV) != "1":
    os.execve(sys.executable, [sys.executable, "-I", os.path.abspath(__file__)], grader_environment(os.environ))
root = os.environ["AUTOGRADER_ROOT"]
state = {"env": dict(os.environ), "cwd": os.getcwd(), "argv": sys.argv, "path": sys.path,
         "isolated": sys.flags.isolated, "executable": sys.executable, "stdin": sys.stdin.read(),
         "autograder": "autograder" in sys.modules and sys.modules["autograder"].__file__}
print("the grader's log")
text = json.dumps(state).replace(root, "<root>")
with open(os.path.join(root, "results", "results.json"), "w") as f:
    json.dump({"score": 0, "output": text, "tests": []}, f)
"""


def _source_with(toy_zip: Path, folder: Path, grader: str | None) -> Path:
    source = folder / "source"
    source.mkdir(parents=True)
    safe_extract(toy_zip, source)
    if grader is not None:
        (source / "grade.py").write_text(grader)
    return source


def _both(toy_zip, grader=None, submission=TOY / "solutions" / "toy", **kw):
    with tempfile.TemporaryDirectory() as tmp:
        source = _source_with(toy_zip, Path(tmp), grader)
        return [emulate(toy_zip, submission, unpacked=source, measure_memory=False, submission_id=77, warm=w, **kw)
                for w in (False, True)]


def _tests(em):
    return [(t.number, t.name, t.score, t.status, t.output) for t in em.results.tests]


@pytest.mark.parametrize("which", ["solutions", "starter_code"])
def test_a_warm_grading_gives_what_a_cold_one_gives(toy_zips, which):
    cold, hot = _both(toy_zips[0], submission=TOY / which / "toy")
    assert cold.problems == hot.problems == []
    assert (hot.results.score, _tests(hot)) == (cold.results.score, _tests(cold))
    assert hot.results.score == (10 if which == "solutions" else 0)


def test_the_grader_gets_the_environment_folder_and_path_of_a_cold_start(toy_zips):
    cold, hot = _both(toy_zips[0], PROBE_GRADER)
    given, expected = json.loads(hot.results.output), json.loads(cold.results.output)
    for state in (given, expected):   # a uid of its own for each grading run as root
        state["env"].pop("AUTOGRADER_SANDBOX_UID", None)
    assert given == expected
    assert given["env"]["AUTOGRADER_CLEAN_ENV"] == "1" and given["cwd"] == "<root>" and given["isolated"] == 1
    assert given["argv"] == ["<root>/source/grade.py"]
    assert given["autograder"] == "<root>/source/lib/autograder/__init__.py" and given["stdin"] == ""


def test_a_grader_that_dies_leaves_the_fallback_document(toy_zips):
    cold, hot = _both(toy_zips[0], "import os\nos._exit(3)\n")
    assert hot.results.to_json() == cold.results.to_json()
    assert hot.results.score == 0 and "could not start" in hot.results.output


def test_a_grader_past_its_time_is_ended_and_leaves_the_fallback(toy_zips):
    with tempfile.TemporaryDirectory() as tmp:
        source = _source_with(toy_zips[0], Path(tmp), "import time\ntime.sleep(120)\n")
        started = time.time()
        em = emulate(toy_zips[0], TOY / "solutions" / "toy", unpacked=source, warm=True,
                     timeout=3)
    assert time.time() - started < 30
    assert em.results.score == 0 and "could not start" in em.results.output


def test_a_warm_grading_keeps_its_log_and_measures_no_memory(toy_zips):
    with pytest.raises(ValueError, match="cannot measure it"):
        emulate(toy_zips[0], TOY / "solutions" / "toy", warm=True, measure_memory=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = _source_with(toy_zips[0], Path(tmp), PROBE_GRADER)
        em = emulate(toy_zips[0], TOY / "solutions" / "toy", unpacked=source, warm=True,
                     keep=True)
    try:
        assert (em.root / "stdout.txt").read_text() == "the grader's log\n"
        assert em.peak_pss_mb == 0 and em.cpu_seconds > 0
    finally:
        shutil.rmtree(em.root)


def test_one_server_per_python_and_preloads_started_again_when_gone(toy_zips, tmp_path):
    source = _source_with(toy_zips[0], tmp_path, None)
    assert warm.preloads(source) == ("pytest", "numpy")   # the toy's preloads, the framework left out
    server = warm.server(sys.executable, warm.preloads(source))
    assert warm.server(sys.executable, warm.preloads(source)) is server
    server.proc.kill()
    server.proc.wait()
    again = warm.server(sys.executable, warm.preloads(source))
    assert again is not server
    em = emulate(toy_zips[0], TOY / "solutions" / "toy", unpacked=source, warm=True)
    assert em.results.score == 10


def test_what_goes_along_a_preload_is_imported_where_installed(tmp_path):
    """A module marked ``?`` (``warm.ALONG``: what a warm server imports beside a preload, such as
    the plotting libraries Captum imports) may be missing; a module the grader preloads may not."""
    wanted = warm.preloads(REPO / "assignments" / "a3_interpretability")   # preloads numpy and torch
    assert [m for m in wanted if not m.startswith("?")] == ["pytest", "numpy", "torch"]
    assert [m for m in wanted if m.startswith("?")] == [f"?{m}" for m in warm.ALONG["torch"]]
    script = tmp_path / "grade.py"
    script.write_text("print('graded')\n")
    log = tmp_path / "log.txt"
    server = warm.WarmServer(sys.executable, ("pytest", "?no_such_module_anywhere"))
    try:
        with open(log, "w") as out:
            server.run(script, tmp_path, {}, out.fileno(), 60)
        assert log.read_text() == "graded\n"
    finally:
        server.close()
    broken = warm.WarmServer(sys.executable, ("no_such_module_anywhere",))
    try:
        with pytest.raises(RuntimeError, match="did not start"), open(log, "w") as out:
            broken.run(script, tmp_path, {}, out.fileno(), 60)
    finally:
        broken.close()


def test_a_grading_told_to_stop_at_its_first_failure_lists_only_the_tests_that_ran(toy_zips):
    """What ``mutants`` asks of a public-only grading: one failing test is enough."""
    starter = TOY / "starter_code" / "toy"
    full = emulate(toy_zips[0], starter, warm=True)
    short = emulate(toy_zips[0], starter, warm=True, stop_at_first_failure=True)
    assert short.problems == []
    failed = [t for t in short.results.tests if t.status == "failed"]
    assert len(failed) == 1 and short.results.tests[-1] == failed[0]
    assert len(short.results.tests) < len([t for t in full.results.tests if t.status == "failed"])
    assert not any("could not run" in t.name for t in short.results.tests)


def test_a_stopping_grading_runs_the_test_files_it_is_told_first(toy_zips):
    """``mutants`` names the test files a mutant most likely fails: they run first (here a hidden
    file, which would otherwise run after every public test), and the grading stops in them."""
    starter = TOY / "starter_code" / "toy"
    hidden = sorted(p.name for p in (TOY / "assignments" / "toy" / "tests" / "hidden").glob("test_*.py"))
    short = emulate(toy_zips[0], starter, warm=True, stop_at_first_failure=True, first_test_files=(hidden[-1],))
    assert short.problems == []
    assert [t.suite for t in short.results.tests] == ["hidden"], [t.name for t in short.results.tests]


#: A grade.py whose end shows what the interpreter's exit does: a thread still running, an exit
#: handler, output left in the buffer, and a SystemExit with a message.
ENDING_GRADER = """
import atexit, os, sys, threading, time
root = os.environ["AUTOGRADER_ROOT"]
def later():
    time.sleep(0.3)
    with open(os.path.join(root, "results", "thread.txt"), "w") as f:
        f.write("the thread ended")
threading.Thread(target=later).start()
atexit.register(lambda: print("the exit handler ran"))
sys.stdout.write("left in the buffer")
raise SystemExit("the exit message")
"""


def test_a_warm_grader_ends_as_an_interpreter_ends(toy_zips):
    """The warm grader skips only the interpreter's freeing of every object (warm_server says why): its
    threads are joined, its exit handlers run and its output is flushed, as in a cold grading."""
    for warm_start in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            source = _source_with(toy_zips[0], Path(tmp), ENDING_GRADER)
            em = emulate(toy_zips[0], TOY / "solutions" / "toy", unpacked=source, measure_memory=False,
                         warm=warm_start, keep=True)
        try:
            which = "warm" if warm_start else "cold"
            log = (em.root / "stdout.txt").read_text()
            for said in ("left in the buffer", "the exit handler ran", "the exit message"):
                assert said in log, f"{said!r} is not in the {which} grader's log: {log!r}"
            assert (em.root / "results" / "thread.txt").read_text() == "the thread ended", which
        finally:
            shutil.rmtree(em.root)
