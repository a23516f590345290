"""Run every benchmark in bench/ in turn (make bench).

    .venv/bin/python bench/run_all.py [--quick]

Every ``bench_*.py`` runs with its defaults. bench_integrity.py (issue 18's figures) takes hours
on two cores with its defaults; ``--quick`` runs it as a smoke run instead (a few minutes).
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="bench_integrity.py --quick instead of its full run")
args = parser.parse_args()

for script in sorted(HERE.glob("bench_*.py")):
    extra = ["--quick"] if args.quick and script.name == "bench_integrity.py" else []
    print(f"== {script.name} {' '.join(extra)}".rstrip(), flush=True)
    subprocess.run([sys.executable, str(script), *extra], check=False)
