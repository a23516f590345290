"""A1 code written to the course's earlier templates keeps its points (issue 12).

The fixture files in tests/course_style/a1_neural_nets/ replace the reference solution's
utils.py (a loader that reads ./data/mnist_train.csv itself) and _base_optimizer.py (the
penalty on W1 and W2 only, in place); the result is graded through the real autograder zip.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.grading.results import Results, TestResult
from autograder.staff.emulate import emulate

pytestmark = pytest.mark.slow   # grades a real assignment's zip: `make test`, not `make check`

REPO = Path(__file__).resolve().parents[1]
AID = "a1_neural_nets"
FIXTURE = REPO / "tests" / "course_style" / AID
SOLUTION = REPO / "solutions" / AID
SUBMITTED = ["models/_base_network.py", "models/softmax_regression.py", "models/two_layer_nn.py",
             "optimizer/_base_optimizer.py", "optimizer/sgd.py", "utils.py"]


@pytest.fixture(scope="module")
def grader_zip(built_zips):
    return built_zips(AID)[0]


def _submission(target: Path, swapped: list[str]) -> Path:
    for rel in SUBMITTED:
        source = FIXTURE / rel if rel in swapped else SOLUTION / rel
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target / rel)
    return target


def _by_number(results: Results) -> dict[str | None, list[TestResult]]:
    out: dict[str | None, list[TestResult]] = {}
    for test in results.tests:
        out.setdefault(test.number, []).append(test)
    return out


def _assert_full_marks(results: Results, numbers: list[str]) -> None:
    tests = _by_number(results)
    for number in numbers:
        assert tests.get(number), f"no test numbered {number} in the results"
        for test in tests[number]:
            assert test.score == test.max_score, f"{number} {test.name}: {test.score} of {test.max_score}\n{test.output}"


def test_course_style_csv_loader_and_regularization_keep_full_marks(grader_zip, tmp_path):
    sub = _submission(tmp_path / "submission", ["utils.py", "optimizer/_base_optimizer.py"])
    result = emulate(grader_zip, sub, warm=True)
    assert not result.problems, result.problems
    # 5.1 and 5.3 load the data through the CSV files; 4.1, 4.2 and 6.1 regularize (6.1 step by step).
    _assert_full_marks(result.results, ["4.1", "4.2", "5.1", "5.2", "5.3", "5.4", "6.1"])
    assert result.results.score == 100, result.results.score


def _run_loader(cwd: Path, write_csv: bool) -> subprocess.CompletedProcess:
    code = ("import sys, json; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
            "import data_sources, utils\n"
            "data_sources.SOURCE = 'digits'\n"
            + ("data_sources.write_embedded_csv('data')\n" if write_csv else "")
            + "train, train_label, val, val_label = utils.load_mnist_trainval()\n"
            "images, labels = data_sources.load_split('train')\n"
            "import numpy as np\n"
            "same = np.array_equal(np.array(train + val), images) and list(labels) == train_label + val_label\n"
            "print(json.dumps({'same': bool(same), 'n': len(train) + len(val)}))\n")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", code, str(FIXTURE), str(SOLUTION)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_course_style_loader_reads_exactly_the_embedded_digits(tmp_path):
    """The fixture needs the CSV files (so the grading test above is not vacuous), and the
    files hold exactly the images that data_sources serves."""
    missing = _run_loader(tmp_path, write_csv=False)
    assert missing.returncode != 0 and "FileNotFoundError" in missing.stderr
    found = _run_loader(tmp_path, write_csv=True)
    assert found.returncode == 0, found.stderr
    assert '"same": true' in found.stdout and '"n": 1438' in found.stdout, found.stdout
    first = (tmp_path / "data" / "mnist_train.csv").read_text().splitlines()[0].split(",")
    assert len(first) == 785 and all(0 <= int(v) <= 255 for v in first[1:])


def test_course_style_regularization_touches_only_w1_and_w2():
    sys.path.insert(0, str(FIXTURE))
    try:
        import importlib.util

        spec = importlib.util.spec_from_file_location("course_opt", FIXTURE / "optimizer" / "_base_optimizer.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(FIXTURE))

    class Model:
        weights = {"W1": np.ones((2, 2)), "b1": np.ones(2)}
        gradients = {"W1": np.zeros((2, 2)), "b1": np.zeros(2)}

    module._BaseOptimizer(reg=0.5).apply_regularization(Model)
    assert np.all(Model.gradients["W1"] == 0.5) and np.all(Model.gradients["b1"] == 0.0)
