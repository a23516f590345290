"""A2's fixed-architecture leaderboard columns evaluate the weights with the grader's own model
(issue 18, item 6): a checkpoint that does not fit TwoLayerNet or VanillaCNN scores 0 in its column,
points and leaderboard entry, and the public notice 2.9 names the difference.

Graded through the real autograder zip, the reference solution with two impostors swapped in:
- a TwoLayerNet that builds a VanillaCNN when hidden_size == 1000 (and the reference network
  otherwise, so that its own tests pass), with a checkpoint holding the reference VanillaCNN's
  weights and an unused (1000, 3072) layer: graded with the student's class it scored the
  VanillaCNN's accuracy in the TwoLayerNet column;
- a VanillaCNN whose checkpoint carries a tensor that belongs to no layer of the architecture
  (a buffer its forward multiplies the input with).
"""

import shutil
from pathlib import Path

import pytest
import torch

from autograder.staff.emulate import emulate

REPO = Path(__file__).resolve().parents[1]
AID = "a2_cnns"
SOLUTION = REPO / "solutions" / AID
CODE = ["modules/convolution.py", "modules/max_pool.py", "modules/relu.py", "modules/linear.py",
        "modules/softmax_ce.py", "modules/conv_classifier.py", "optimizer/sgd.py", "models/twolayer.py",
        "models/cnn.py", "models/my_model.py", "losses/focal_loss.py", "solver.py"]

IMPOSTOR_TWOLAYER = '''
import torch
import torch.nn as nn
import torch.nn.functional as F


class TwoLayerNet(nn.Module):
    def __init__(self, input_dim, hidden_size, num_classes):
        super().__init__()
        self.cnn = hidden_size == 1000
        if self.cnn:
            self.conv = nn.Conv2d(3, 32, 7)
            self.fc = nn.Linear(32 * 13 * 13, num_classes)
            self.unused = nn.Linear(input_dim, hidden_size)
        else:
            self.fc1 = nn.Linear(input_dim, hidden_size)
            self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        if self.cnn:
            h = F.max_pool2d(F.relu(self.conv(x)), 2, 2)
            return self.fc(h.reshape(x.shape[0], -1))
        return self.fc2(torch.sigmoid(self.fc1(x.reshape(x.shape[0], -1))))
'''

BUFFERED_VANILLA = '''
import torch
import torch.nn as nn


class VanillaCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("gain", torch.ones(3, 1, 1))
        self.conv = nn.Conv2d(3, 32, kernel_size=7)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc = nn.Linear(32 * 13 * 13, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x * self.gain)))
        return self.fc(x.reshape(x.shape[0], -1))
'''


@pytest.fixture(scope="module")
def grader_zip(built_zips):
    return built_zips(AID, pool_size=3)[0]


def _by_number(results: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for test in results["tests"]:
        out.setdefault(test.get("number"), []).append(test)
    return out


@pytest.mark.slow
def test_impostor_architectures_score_zero_in_their_columns(grader_zip, tmp_path):
    sub = tmp_path / "submission"
    for rel in CODE:
        (sub / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOLUTION / rel, sub / rel)
    (sub / "models" / "twolayer.py").write_text(IMPOSTOR_TWOLAYER)
    (sub / "models" / "cnn.py").write_text(BUFFERED_VANILLA)
    (sub / "checkpoints").mkdir()
    cnn = torch.load(SOLUTION / "checkpoints" / "vanillacnn.pt", map_location="cpu", weights_only=True)
    conv_w, conv_b, fc_w, fc_b = (cnn[k] for k in ("conv.weight", "conv.bias", "fc.weight", "fc.bias"))
    torch.save({"conv.weight": conv_w, "conv.bias": conv_b, "fc.weight": fc_w, "fc.bias": fc_b,
                "unused.weight": torch.zeros(1000, 3 * 32 * 32), "unused.bias": torch.zeros(1000)},
               sub / "checkpoints" / "twolayernet.pt")
    torch.save({"gain": torch.full((3, 1, 1), 1.0), "conv.weight": conv_w, "conv.bias": conv_b,
                "fc.weight": fc_w, "fc.bias": fc_b}, sub / "checkpoints" / "vanillacnn.pt")
    shutil.copyfile(SOLUTION / "checkpoints" / "mymodel.pt", sub / "checkpoints" / "mymodel.pt")

    result = emulate(grader_zip, sub, warm=True)
    assert not result.problems, result.problems
    tests = _by_number(result.results.to_json())
    for number in ("2.1", "2.2"):   # the classes themselves do what the tests of 2.1 and 2.2 ask
        assert all(t["score"] == t["max_score"] for t in tests[number]), tests[number]
    two = next(t for t in tests["2.7"] if t["max_score"] == 3)
    cnn_test = next(t for t in tests["2.8"] if t["max_score"] == 4)
    assert two["score"] == 0 and cnn_test["score"] == 0, (two, cnn_test)
    assert "shapes-heldout" in two["name"] and "shapes-heldout" in cnn_test["name"], (two["name"], cnn_test["name"])
    board = {e["name"]: e["value"] for e in result.results.to_json()["leaderboard"]}
    assert board["TwoLayerNet accuracy (shapes-heldout)"] == 0, board
    assert board["VanillaCNN accuracy (shapes-heldout)"] == 0, board
    assert board["MyModel accuracy (shapes-heldout)"] > 0.9, board
    notice = next(t for t in tests["2.9"] if t["max_score"] == 0)["output"]
    assert "does not fit the architecture of TwoLayerNet" in notice, notice
    assert "layer 1 in the order of use should be Linear (weight (1000, 3072), bias (1000,)), found Conv2d" in notice
    assert "does not fit the architecture of VanillaCNN" in notice and "the tensor gain (3, 1, 1)" in notice, notice
    assert result.results.to_json()["score"] == 100 - 3 - 4, result.results.to_json()["score"]
