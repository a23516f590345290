"""Benchmark: what grading an a2_cnns submission costs with a large MyModel checkpoint.

The cap of the leaderboard tests (25M parameters, 100 MB per checkpoint) comes from this
measurement, not from taste. Grades, through the real autograder zip (autograder.staff.emulate):
  - the reference solution (MyModel of 33,626 parameters, 0.14 MB checkpoint);
  - the reference with the course-style large MyModel of tests/course_style/a2_cnns/ (18.8M
    parameters, mostly fully connected, 75 MB checkpoint made from the reference's weights);
  - the reference with a convolution-heavy MyModel of about 19M parameters (VGG-like, random
    weights): the slowest kind of model per parameter to evaluate.
Prints, for each, the grading's wall time, CPU seconds and peak memory (PSS of the grader and
its workers), and the ratios to the reference. Gradescope's default container has 768 MB and
half a CPU, so its wall time is about twice the CPU seconds measured here.

    .venv/bin/python bench/bench_a2_large_model.py [--no-conv] [--python .venv-cpu/bin/python]

--python grades with another interpreter: the CPU-only torch wheel that Gradescope installs
maps far less memory than the CUDA build, so its figures are the ones that predict Gradescope.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.staff.build import build  # noqa: E402
from autograder.staff.emulate import emulate  # noqa: E402
from autograder.staff.repo import Repo  # noqa: E402

SOLUTION = ROOT / "solutions" / "a2_cnns"
FIXTURE = ROOT / "tests" / "course_style" / "a2_cnns"

CONV_HEAVY = '''"""A VGG-like MyModel of about 19M parameters (benchmark only)."""
import torch.nn as nn


class MyModel(nn.Module):
    def __init__(self):
        super().__init__()
        layers, c = [], 3
        for width, pool in ((128, False), (128, True), (256, False), (256, True), (512, False), (512, True),
                            (896, False), (896, True)):
            layers += [nn.Conv2d(c, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU()]
            layers += [nn.MaxPool2d(2)] if pool else []
            c = width
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(896 * 2 * 2, 1024), nn.ReLU(), nn.Linear(1024, 10))

    def forward(self, x):
        return self.head(self.features(x))
'''


def copy_reference(target: Path) -> None:
    shutil.copytree(SOLUTION, target, ignore=shutil.ignore_patterns("__pycache__", "runs", "data", "outputs"))


def load_module(path: Path, name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def course_large(target: Path) -> None:
    """Swap in the fixture's large MyModel with the reference's weights and a silent branch."""
    shutil.copyfile(FIXTURE / "models" / "my_model.py", target / "models" / "my_model.py")
    helper = load_module(FIXTURE / "large_checkpoint.py", "course_style_large_checkpoint")
    state, _ = helper.large_my_model_state(SOLUTION / "checkpoints" / "mymodel.pt")
    (target / "checkpoints" / "mymodel.pt").unlink()
    torch.save(state, target / "checkpoints" / "mymodel.pth")


def conv_heavy(target: Path) -> None:
    (target / "models" / "my_model.py").write_text(CONV_HEAVY)
    model = load_module(target / "models" / "my_model.py", "conv_heavy_my_model").MyModel()
    torch.save(model.state_dict(), target / "checkpoints" / "mymodel.pt")


def grade(zip_path: Path, submission: Path, python: str | None) -> dict:
    start = time.time()
    em = emulate(zip_path, submission, python=python)
    lost = [f"{t.label}: {t.score}/{t.max_score}" for t in em.results.tests if t.score < t.max_score]
    return {"wall": time.time() - start, "cpu": em.cpu_seconds, "peak": em.peak_pss_mb,
            "score": em.results.score, "lost": lost}


def _parameters(checkpoint: Path) -> int:
    """The number of values a MyModel checkpoint holds (its parameters and buffers)."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    return sum(t.numel() for t in state.values() if torch.is_tensor(t))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-conv", action="store_true", help="skip the convolution-heavy model")
    parser.add_argument("--python", default=None, help="interpreter that grades (e.g. .venv-cpu/bin/python)")
    args = parser.parse_args()
    python = str(Path(args.python).absolute()) if args.python else None
    torch.manual_seed(0)
    zip_path, _ = build(Repo(ROOT), "a2_cnns")
    cases = [("reference", None), ("course-style large (FC)", course_large)]
    if not args.no_conv:
        cases.append(("conv-heavy (VGG-like)", conv_heavy))
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-a2-") as tmp:
        for i, (name, swap) in enumerate(cases):
            sub = Path(tmp) / f"s{i}"
            copy_reference(sub)
            if swap:
                swap(sub)
            ckpt = max((sub / "checkpoints").glob("mymodel.*"), key=lambda p: p.stat().st_size)
            params = _parameters(ckpt)
            result = grade(zip_path, sub, python)
            rows.append((name, params, ckpt.stat().st_size / 1e6, result))
            print(f"graded {name}: score {result['score']}", flush=True)
    base = rows[0][3]
    print(f"\n{'submission':26} {'ckpt values':>14} {'ckpt MB':>8} {'wall s':>7} {'CPU s':>6} {'peak MB':>8} "
          f"{'CPU x':>6} {'peak x':>6}")
    for name, params, mb, r in rows:
        print(f"{name:26} {params:>14,} {mb:>8.1f} {r['wall']:>7.1f} {r['cpu']:>6.1f} {r['peak']:>8.0f} "
              f"{r['cpu'] / base['cpu']:>6.2f} {r['peak'] / base['peak']:>6.2f}")
        for item in r["lost"]:
            print(f"{'':26} lost {item}")
    print(f"\ngraded with {args.python or sys.executable}; Gradescope's default container: 768 MB, half a CPU "
          "(wall there ~ 2 x the CPU seconds above).")


if __name__ == "__main__":
    main()
