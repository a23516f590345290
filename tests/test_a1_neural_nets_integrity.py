"""A1's grades need the work (issue 18) and its feedback points without solving (issue 20).

Each case below is the reference solution with one part gamed or broken the way a student
could do it, graded through the real autograder zip under a fixed submission id:

- zero gradients, so that only weight decay moves the weights: the one-epoch smoke test (5.3)
  and the end-to-end test (6.1) must fail;
- a forward that returns a constant loss with zero gradients: every centred-difference check
  of the student's own forward must fail (each is paired with a value check of the loss);
- an optimizer that installs other weights than its SGD step on the digits-size network (as
  weights trained elsewhere would be): only 6.1 fails, and its feedback names the optimizer;
- a train loop that skips the update of a batch: 6.1 fails and names train(), not evaluate();
- gradients of random values written in train mode: the hidden side-effect tests of 2.2 and 3.2
  fail (they compare what train mode writes with the reference's gradient, not with zeros).

The last test keeps the phrases that once handed over a step out of A1's test messages.
"""

import re
import shutil
from pathlib import Path

import pytest

from autograder.staff.emulate import emulate

REPO = Path(__file__).resolve().parents[1]
AID = "a1_neural_nets"
SOLUTION = REPO / "solutions" / AID
TESTS = REPO / "assignments" / AID / "tests"
SUBMITTED = ["models/_base_network.py", "models/softmax_regression.py", "models/two_layer_nn.py",
             "optimizer/_base_optimizer.py", "optimizer/sgd.py", "utils.py"]
SUBMISSION_ID = 424242

ZERO_GRADIENTS = {
    "models/softmax_regression.py": [(
        'self.gradients["W1"] = X.T @ dZ',
        'self.gradients["W1"] = np.zeros_like(self.weights["W1"])')],
    "models/two_layer_nn.py": [(
        "        # END SOLUTION\n        return loss, accuracy\n",
        "        self.gradients = {k: np.zeros_like(v) for k, v in self.weights.items()}\n"
        "        # END SOLUTION\n        return loss, accuracy\n")],
}

CONSTANT_LOSS = {
    "models/softmax_regression.py": [
        ("loss = self.cross_entropy_loss(prob, y)", "loss = float(np.log(self.num_classes))"),
        ('self.gradients["W1"] = X.T @ dZ', 'self.gradients["W1"] = np.zeros_like(self.weights["W1"])')],
    "models/two_layer_nn.py": [
        ("loss = self.cross_entropy_loss(prob, y)", "loss = float(np.log(self.num_classes))"),
        ("        # END SOLUTION\n        return loss, accuracy\n",
         "        self.gradients = {k: np.zeros_like(v) for k, v in self.weights.items()}\n"
         "        # END SOLUTION\n        return loss, accuracy\n")],
}

OTHER_WEIGHTS = {
    "optimizer/sgd.py": [(
        "        for name in model.weights:\n",
        "        if \"W2\" in model.weights and model.weights[\"W1\"].shape[0] == 784:\n"
        "            for name in model.weights:   # an extra step: weights that are not this step's\n"
        "                model.weights[name] = model.weights[name] - self.learning_rate * model.gradients[name]\n"
        "        for name in model.weights:\n")],
}

RANDOM_GRADIENTS = {
    "models/softmax_regression.py": [(
        'self.gradients["W1"] = X.T @ dZ',
        'self.gradients["W1"] = np.random.default_rng().standard_normal(self.weights["W1"].shape)')],
    "models/two_layer_nn.py": [(
        "        # END SOLUTION\n        return loss, accuracy\n",
        "        if mode == 'train':   # only where train mode writes gradients\n"
        "            self.gradients = {k: np.random.default_rng().standard_normal(v.shape)\n"
        "                              for k, v in self.weights.items()}\n"
        "        # END SOLUTION\n        return loss, accuracy\n")],
}

SKIPPED_UPDATE = {
    "utils.py": [(
        "        optimizer.update(model)\n",
        "        if idx != len(batched_train_data) // 2:\n            optimizer.update(model)\n")],
}


pytestmark = pytest.mark.slow   # the real assignment's zip


@pytest.fixture(scope="module")
def grader_zip(built_zips):
    return built_zips(AID)[0]


def _submission(target: Path, edits: dict[str, list[tuple[str, str]]]) -> Path:
    for rel in SUBMITTED:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOLUTION / rel, target / rel)
    for rel, pairs in edits.items():
        text = (target / rel).read_text(encoding="utf-8")
        for old, new in pairs:
            assert text.count(old) == 1, f"{rel}: {old!r} is not found exactly once"
            text = text.replace(old, new)
        (target / rel).write_text(text, encoding="utf-8")
    return target


def _grade(grader_zip, tmp_path, edits):
    result = emulate(grader_zip, _submission(tmp_path / "submission", edits), submission_id=SUBMISSION_ID,
                     warm=True)
    assert not result.problems, result.problems
    return result.results.to_json()   # the document Gradescope reads


def _tests(results, number, name_part=""):
    found = [t for t in results["tests"] if t["number"] == number and name_part in t["name"].lower()]
    assert found, f"no test {number} matching {name_part!r}"
    return found


def _feedback(test):
    return f"{test.get('output', '')}\n{test.get('message', '')}"


def test_zero_gradients_fail_the_smoke_test_and_the_training_test(grader_zip, tmp_path):
    results = _grade(grader_zip, tmp_path, ZERO_GRADIENTS)
    smoke, = _tests(results, "5.3", "smoke")
    assert smoke["score"] == 0, _feedback(smoke)
    assert "lower the validation loss by at least" in _feedback(smoke)
    trained, = _tests(results, "6.1")
    assert trained["score"] == 0


def test_a_constant_loss_with_zero_gradients_fails_every_centred_difference_check(grader_zip, tmp_path):
    results = _grade(grader_zip, tmp_path, CONSTANT_LOSS)
    for number in ("2.2", "3.2"):
        numerical, = _tests(results, number, "numerical")
        assert numerical["score"] == 0, (number, _feedback(numerical))
        assert "the loss of your forward at the weights where the gradient is checked" in _feedback(numerical)


def test_weights_other_than_the_sgd_steps_score_nothing_in_the_training_test(grader_zip, tmp_path):
    results = _grade(grader_zip, tmp_path, OTHER_WEIGHTS)
    trained, = _tests(results, "6.1")
    assert trained["score"] == 0
    lost = [t["number"] for t in results["tests"] if t["score"] < t["max_score"]]
    assert lost == ["6.1"], lost           # every other test passes: only the training gives it away
    text = _feedback(trained)
    assert "optimizer/sgd.py" in text and "SGD.update" in text, text
    assert not re.search(r"learning.rate|hidden.size|epoch|batch|\d\.\d", text), text


def test_a_skipped_update_fails_the_training_test_and_names_train(grader_zip, tmp_path):
    results = _grade(grader_zip, tmp_path, SKIPPED_UPDATE)
    trained, = _tests(results, "6.1")
    assert trained["score"] == 0
    text = _feedback(trained)
    assert "utils.py, train" in text and "evaluate" not in text, text


# Phrases of earlier test messages that handed over a step, asked for more than the test
# checks, or listed a hidden test's settings (issue 20).
GIVEAWAYS = [
    "subtract each row's maximum",
    "index the true class of each row",
    "build the one-hot matrix",
    "call np.random.seed(seed)",
    "regularize, then step every parameter",
    "call optimizer.update(model) after each forward",
    '"epochs": 15',
    "hidden_size\": 32",
    "Where to look: utils.py, evaluate\")\n    assert_scalar(out[\"reported\"]",
]


def test_no_test_message_hands_over_a_step():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(REPO)}: {phrase!r}" for phrase in GIVEAWAYS if phrase in text]
    assert not found, "\n".join(found)


def test_random_gradients_fail_the_hidden_side_effect_tests(grader_zip, tmp_path):
    results = _grade(grader_zip, tmp_path, RANDOM_GRADIENTS)
    for number in ("2.2", "3.2"):
        side_effects, = _tests(results, number, "side effects")
        assert side_effects["score"] == 0, (number, side_effects)
