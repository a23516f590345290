"""``autograder regrade`` with 1 and with 2 workers on the same export: the speed-up.

Usage: .venv/bin/python bench/bench_regrade.py [--assignment a1_neural_nets|toy] [--submissions N]
                                               [--workers 1 2 ...] [--repeat R]
The export holds N copies of the reference solution (every grading does the same work), graded
with ``--force`` at each worker count into its own folder, the counts interleaved R times. Prints
the best wall time per count and the speed-up against the first count; close to linear means
about 2.0x for 2 workers on 2 idle cores (the machine's other load shows here).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def grader_zip(assignment: str) -> tuple[Path, Path]:
    """(the autograder zip, the reference solution), built if the zip is missing."""
    from autograder.staff.build import build
    from autograder.staff.repo import Repo

    repo = Repo(REPO / "tests" / "toy") if assignment == "toy" else Repo(REPO)
    zip_path = repo.dist() / f"{assignment}_autograder.zip"
    if not zip_path.is_file():
        zip_path, _ = build(repo, assignment)
    return zip_path, repo.solution(assignment)


def make_export(root: Path, solution: Path, count: int) -> Path:
    export = root / "export"
    lines = []
    for i in range(1, count + 1):
        shutil.copytree(solution, export / f"submission_{i}", ignore=shutil.ignore_patterns("__pycache__"))
        lines += [f"submission_{i}:", "  :submitters:", f"  - :name: Student {i}", f"    :sid: '{i:05d}'",
                  f"    :email: s{i}@example.edu", "  :score: 100.0"]
    (export / "submission_metadata.yml").write_text("\n".join(lines) + "\n")
    return export


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="a1_neural_nets")
    parser.add_argument("--submissions", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds; the best time counts")
    args = parser.parse_args()
    from autograder.staff.classtools.regrade import regrade

    zip_path, solution = grader_zip(args.assignment)
    root = Path(tempfile.mkdtemp(prefix="bench-regrade-"))
    try:
        export = make_export(root, solution, args.submissions)
        times: dict[int, float] = {}
        for _ in range(args.repeat):
            for workers in args.workers:
                started = time.perf_counter()
                done = regrade(zip_path, export, root / f"out-{workers}", workers=workers, force=True,
                               progress=False)
                times[workers] = min(times.get(workers, float("inf")), time.perf_counter() - started)
                if done.graded != args.submissions or done.failed:
                    raise SystemExit(f"only {done.graded} of {args.submissions} graded with {workers} worker(s)")
        load = os.getloadavg()[0]
        base = times[args.workers[0]]
        print(f"{args.assignment}, {args.submissions} submissions, {os.cpu_count()} cores, best of {args.repeat}, "
              f"load average {load:.1f} at the end:")
        for workers, seconds in times.items():
            print(f"  {workers} worker(s): {seconds:6.1f} s  ({seconds / args.submissions:.2f} s a submission), "
                  f"speed-up {base / seconds:.2f}x against {args.workers[0]}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
