"""The toy suite in-process with plain pytest versus through the sandbox, in one run.

Usage: .venv/bin/python bench/bench_sandbox.py [--repeat N]
Prints the best wall time and CPU time of each mode over N interleaved runs, and their
ratios (target: sandbox at most 1.3x). The machine's other load shows in wall time more than
in CPU time.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"
SOLUTION = TOY / "solutions" / "toy"


def unpack_toy_zip() -> Path:
    """Build the toy's autograder zip and unpack it: both modes grade from the same material."""
    from autograder.staff.build import build
    from autograder.staff.repo import Repo

    grader_zip, _ = build(Repo(TOY), "toy")
    source = Path(tempfile.mkdtemp(prefix="bench-toy-"))
    with zipfile.ZipFile(grader_zip) as zf:
        zf.extractall(source)
    return source


def _timed(cmd: list[str], **kwargs) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the whole process tree) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=tempfile.gettempdir(), **kwargs)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_inprocess(source: Path) -> tuple[float, float]:
    tests = source / "tests"
    env = {**os.environ, "BENCH_SUBMISSION": str(SOLUTION), "BENCH_FIXTURES": str(source / "fixtures"),
           "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": f"{REPO / 'bench'}:{tests / 'probes'}:{REPO}"}
    return _timed([sys.executable, "-m", "pytest", "-q", "-p", "inprocess_plugin", "-p", "no:cacheprovider",
                   "--import-mode=importlib", str(tests / "public"), str(tests / "hidden")], env=env)


def run_sandboxed(source: Path) -> tuple[float, float]:
    code = ("import os, tempfile; from pathlib import Path; from autograder.grading.session import Layout, grade; "
            "t = Path(tempfile.mkdtemp()); os.chmod(t, 0o711); "
            f"layout = Layout.from_source(Path({str(source)!r})); "
            f"doc = grade(layout, Path({str(SOLUTION)!r}), t / 'r.json', t / 'area', quiet=True); "
            "assert doc['score'] == 10, doc")
    return _timed([sys.executable, "-c", code])


def run_build() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "build", "all"], check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    source = unpack_toy_zip()
    os.chmod(source, 0o711)
    plain, sandboxed = [], []
    for _ in range(args.repeat):  # interleaved, so drift in machine load hits both alike
        plain.append(run_inprocess(source))
        sandboxed.append(run_sandboxed(source))
    for i, what in ((0, "wall"), (1, "CPU")):
        p = min(run[i] for run in plain)
        s = min(run[i] for run in sandboxed)
        print(f"toy suite {what:>4} s, plain pytest in-process : {p:.3f} (best of {args.repeat})")
        print(f"toy suite {what:>4} s, through the sandbox     : {s:.3f} (best of {args.repeat})")
        print(f"sandbox / plain {what:>4} ratio              : {s / p:.2f}x (target <= 1.3x)")
    print(f"build all zips                     : {run_build():.2f} s")


if __name__ == "__main__":
    main()
