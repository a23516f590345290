"""A2's checkpoint loader (the leaderboard probe) builds the model on torch's meta device to
avoid holding a large checkpoint twice; a model whose tensors that path cannot fill must still
load and predict."""

import sys
import types
from pathlib import Path

import pytest
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assignments" / "a2_cnns" / "tests" / "probes"))
import a2_probes  # noqa: E402


class Scaled(nn.Module):
    """A course-style model keeping a constant tensor as a plain attribute, not a buffer."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.scale = torch.full((4,), 2.0)

    def forward(self, x):
        return self.fc(x * self.scale)


@pytest.fixture
def module_path(monkeypatch):
    module = types.ModuleType("course_style_scaled")
    module.Scaled = Scaled
    monkeypatch.setitem(sys.modules, "course_style_scaled", module)
    return "course_style_scaled.Scaled"


def test_a_plain_tensor_attribute_is_not_left_on_the_meta_device(module_path):
    reference = Scaled()
    model = a2_probes._model_from_state(module_path, [], reference.state_dict())
    assert not model.scale.is_meta
    x = torch.randn(5, 4)
    assert torch.equal(model(x), reference(x))


def test_a_mismatched_state_dict_still_says_what_is_wrong(module_path):
    with pytest.raises(RuntimeError, match="Missing key"):
        a2_probes._model_from_state(module_path, [], {"fc.weight": torch.zeros(3, 4)})
