"""The toy suite in-process with plain pytest versus through the sandbox, in one run.

Usage: .venv/bin/python bench/bench_sandbox.py [--repeat N]
Prints the median wall time of each mode and their ratio (target: sandbox at most 1.3x).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "toy"
TESTS = TOY / "assignments" / "toy" / "tests"
SOLUTION = TOY / "solutions" / "toy"


def run_inprocess() -> float:
    env = {**os.environ, "BENCH_SUBMISSION": str(SOLUTION), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
           "PYTHONPATH": f"{REPO / 'bench'}:{TESTS / 'probes'}:{REPO}"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "inprocess_plugin", "-p", "no:cacheprovider",
                    "--import-mode=importlib", str(TESTS / "public"), str(TESTS / "hidden")],
                   env=env, check=True, capture_output=True, cwd=tempfile.gettempdir())
    return time.perf_counter() - started


def run_sandboxed() -> float:
    code = ("import sys; from pathlib import Path; from autograder.runner import Layout, grade; "
            "from autograder.manifest import load_manifest; import tempfile, os; "
            f"t = Path(tempfile.mkdtemp()); os.chmod(t, 0o711); tests = Path({str(TESTS)!r}); "
            f"m = load_manifest(Path({str(TOY / 'assignments' / 'toy' / 'assignment.toml')!r})); "
            "layout = Layout(m, [tests / 'public', tests / 'hidden'], tests / 'probes'); "
            f"doc = grade(layout, Path({str(SOLUTION)!r}), t / 'r.json', t / 'area', quiet=True); "
            "assert doc['score'] == 10, doc")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=tempfile.gettempdir())
    return time.perf_counter() - started


def run_build() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "build", "all"], check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plain, sandboxed = [], []
    for _ in range(args.repeat):  # interleaved, so drift in machine load hits both alike
        plain.append(run_inprocess())
        sandboxed.append(run_sandboxed())
    p, s = statistics.median(plain), statistics.median(sandboxed)
    print(f"toy suite, plain pytest in-process : {p:.3f} s (median of {args.repeat})")
    print(f"toy suite, through the sandbox     : {s:.3f} s (median of {args.repeat})")
    print(f"sandbox / plain ratio              : {s / p:.2f}x (target <= 1.3x)")
    print(f"build all zips                     : {run_build():.2f} s")


if __name__ == "__main__":
    main()
