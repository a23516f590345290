"""Run every benchmark in bench/ in turn (make bench)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in sorted(HERE.glob("bench_*.py")):
    print(f"== {script.name}")
    subprocess.run([sys.executable, str(script)], check=False)
