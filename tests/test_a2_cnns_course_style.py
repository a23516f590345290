"""A2 code and checkpoints written to the course's earlier templates keep their points (issue 12).

Graded through the real autograder zip, the reference solution with these swapped in:
- optimizer/sgd.py from tests/course_style/a2_cnns/: SGD with momentum keeping its velocities in
  the grad_tracker that _BaseOptimizer.__init__ creates;
- the course's checkpoint names, checkpoints/*.pth, and for VanillaCNN both a .pt and a newer
  .pth (the .pt is unreadable, so grading it would fail: the newer one must be graded, and a
  zero-point test says so);
- a TwoLayerNet checkpoint with the course's 256 hidden units (made here from the reference's
  128: every hidden unit twice, its outgoing weights halved, so it computes the same scores);
- models/my_model.py from the fixture folder, about 19 million parameters, with a 75 MB
  checkpoint made here from the reference's trained weights.
A MyModel over the cap of 25 million parameters (100 MB) loses 2.3 and 2.9, with the figure and
the cap in the messages of 2.3 and of the public checkpoint notice of 2.9. Large checkpoints are written to tmp, never to git.
"""

import importlib.util
import os
import shutil
import time
from pathlib import Path

import pytest
import torch

from autograder.grading.results import Results, TestResult
from autograder.staff.emulate import emulate

pytestmark = pytest.mark.slow   # grades a real assignment's zip: `make test`, not `make check`

REPO = Path(__file__).resolve().parents[1]
AID = "a2_cnns"
FIXTURE = REPO / "tests" / "course_style" / AID
SOLUTION = REPO / "solutions" / AID
CODE = ["modules/convolution.py", "modules/max_pool.py", "modules/relu.py", "modules/linear.py",
        "modules/softmax_ce.py", "modules/conv_classifier.py", "optimizer/sgd.py", "models/twolayer.py",
        "models/cnn.py", "models/my_model.py", "losses/focal_loss.py", "solver.py"]


@pytest.fixture(scope="module")
def grader_zip(built_zips):
    return built_zips(AID)[0]


def _code(target: Path, swapped: dict[str, Path]) -> None:
    for rel in CODE:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(swapped.get(rel, SOLUTION / rel), target / rel)
    (target / "checkpoints").mkdir()


def _reference_state(name: str) -> dict:
    return torch.load(SOLUTION / "checkpoints" / f"{name}.pt", map_location="cpu", weights_only=True)


def _twolayer_256() -> dict:
    """The reference TwoLayerNet widened to 256 hidden units, computing the same scores."""
    ref = _reference_state("twolayernet")
    (w1, b1), (w2, b2) = [(ref[k], ref[k.replace("weight", "bias")]) for k in ref if k.endswith("weight")]
    assert w1.shape[0] == 128, w1.shape
    state = {"fc1.weight": torch.cat([w1, w1]), "fc1.bias": torch.cat([b1, b1]),
             "fc2.weight": torch.cat([w2, w2], dim=1) / 2, "fc2.bias": b2}
    return state


def _large_my_model(width: int | None = None, trained: bool = True) -> tuple[dict, int]:
    """The fixture's large MyModel (state_dict, number of parameters), made by its helper."""
    helper = _load(FIXTURE / "large_checkpoint.py", "course_style_large_checkpoint")
    return helper.large_my_model_state(SOLUTION / "checkpoints" / "mymodel.pt", width, trained)


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _by_number(results: Results) -> dict[str | None, list[TestResult]]:
    out: dict[str | None, list[TestResult]] = {}
    for test in results.tests:
        out.setdefault(test.number, []).append(test)
    return out


def test_course_names_sizes_and_optimizer_keep_full_marks(grader_zip, tmp_path):
    sub = tmp_path / "submission"
    _code(sub, {"optimizer/sgd.py": FIXTURE / "optimizer" / "sgd.py",
                "models/my_model.py": FIXTURE / "models" / "my_model.py"})
    torch.save(_twolayer_256(), sub / "checkpoints" / "twolayernet.pth")
    state, count = _large_my_model()
    assert 18e6 < count < 20e6, count
    torch.save(state, sub / "checkpoints" / "mymodel.pth")
    assert (sub / "checkpoints" / "mymodel.pth").stat().st_size > 70e6
    (sub / "checkpoints" / "vanillacnn.pt").write_bytes(b"not a checkpoint")
    older = time.time() - 3600
    os.utime(sub / "checkpoints" / "vanillacnn.pt", (older, older))
    shutil.copyfile(SOLUTION / "checkpoints" / "vanillacnn.pt", sub / "checkpoints" / "vanillacnn.pth")

    result = emulate(grader_zip, sub, warm=True)
    assert not result.problems, result.problems
    tests = _by_number(result.results)
    for number in ("1.8", "2.3", "2.7", "2.8", "2.9"):
        for test in tests[number]:
            if test.max_score > 0:
                assert test.score == test.max_score, f"{number} {test.name}: {test.output}"
    assert result.results.score == 100, result.results.score
    notice = [t for t in tests["2.9"] if t.max_score == 0]
    assert len(notice) == 1 and notice[0].status == "failed", notice
    assert "checkpoints/vanillacnn.pth" in notice[0].output and "newer" in notice[0].output, notice[0]
    columns = {e.name for e in result.results.leaderboard}
    assert columns == {f"{m} accuracy (shapes-heldout)" for m in ("MyModel", "VanillaCNN", "TwoLayerNet")}, columns


def test_my_model_over_the_cap_is_told_the_figure_and_the_cap(grader_zip, tmp_path):
    sub = tmp_path / "submission"
    large = tmp_path / "large_my_model.py"
    large.write_text((FIXTURE / "models" / "my_model.py").read_text().replace("WIDTH = 3840", "WIDTH = 4600"))
    _code(sub, {"models/my_model.py": large})
    for name in ("twolayernet", "vanillacnn"):
        shutil.copyfile(SOLUTION / "checkpoints" / f"{name}.pt", sub / "checkpoints" / f"{name}.pt")
    state, count = _large_my_model(width=4600, trained=False)
    assert count > 25_000_000, count
    torch.save(state, sub / "checkpoints" / "mymodel.pt")

    result = emulate(grader_zip, sub, warm=True)
    tests = _by_number(result.results)
    shape_test = next(t for t in tests["2.3"] if "25M" in t.name)
    assert shape_test.score == 0 and "25,000,000" in shape_test.output, shape_test
    assert f"{count:,}" in shape_test.output, shape_test.output
    graded = next(t for t in tests["2.9"] if t.max_score == 6)
    notice = next(t for t in tests["2.9"] if t.max_score == 0)   # public: the leaderboard tests are sealed
    assert graded.score == 0 and "over the cap of 100 MB" in notice.output, notice
    assert result.results.score == 100 - 2 - 6, result.results.score  # only those two tests lose points
