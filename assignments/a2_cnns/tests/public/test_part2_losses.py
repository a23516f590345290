"""Part 2 (PyTorch): class-balanced weights and the focal loss, against values the reference
solution gave when the autograder was built, PyTorch's cross-entropy and properties."""

import json

import a2_probes as probes
import torch
import torch.nn.functional as F
from gradescope_utils.autograder_utils.decorators import number, weight
from safetensors.torch import load_file

from autograder.grading.checks import assert_scalar, assert_tensor, assert_true


def recorded(fixtures_dir):
    folder = fixtures_dir / "public"
    return load_file(str(folder / "a2_recorded.safetensors")), json.loads((folder / "a2_recorded.json").read_text())


@weight(3)
@number("2.4")
def test_reweight_recorded_cases(student, fixtures_dir):
    """reweight on three class profiles (the handout's example among them)"""
    tensors, meta = recorded(fixtures_dir)
    where = "losses/focal_loss.py reweight"
    for i, case in enumerate(meta["reweight"]):
        counts, beta = case["counts"], case["beta"]
        got = student.call("losses.focal_loss.reweight", counts, beta=beta)
        name = f"reweight({counts}, beta={beta})"
        assert_true(type(got) is torch.Tensor and got.is_floating_point() and tuple(got.shape) == (len(counts),),
                    f"{name}: expected a float tensor of shape ({len(counts)},), got {type(got).__name__} "
                    f"{tuple(getattr(got, 'shape', ()))}.\nWhere to look: {where}")
        assert_scalar(float(got.double().sum()), float(len(counts)), rtol=1e-5, atol=1e-5,
                      name=f"{name}.sum() (the weights add up to the number of classes)", where=where)
        assert_tensor(got.double(), tensors[f"reweight.{i}"].double(), rtol=1e-4, atol=1e-6, name=name, where=where)


def check_loss(student, scores, target, weight_, gamma, expected, expected_grad=None):
    loss, shape, grad = student.run(probes.focal_loss_and_grad, weight_, gamma, scores, target)
    where = "losses/focal_loss.py forward"
    name = f"FocalLoss({'weight' if weight_ is not None else 'None'}, gamma={gamma:g})(scores, target)"
    assert_true(shape == [], f"{name}: expected a scalar tensor (shape ()), got shape {tuple(shape)}.\n"
                             f"Where to look: {where}")
    assert_scalar(loss, float(expected), rtol=1e-4, atol=1e-6, name=name, where=where)
    if expected_grad is not None:
        assert_tensor(grad.double(), expected_grad.double(), rtol=1e-3, atol=1e-5, name=f"d {name} / d scores",
                      where=where + " (build the loss from differentiable torch operations)")


@weight(3)
@number("2.5")
def test_focal_loss_gamma_zero_is_weighted_cross_entropy(student, rng):
    """FocalLoss with gamma 0 equals weighted cross-entropy (value and gradient)"""
    scores = torch.tensor(rng.standard_normal((8, 4)) * 2, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 4, size=8))
    weight_ = torch.tensor(rng.uniform(0.2, 2.0, size=4), dtype=torch.float32)
    s64 = scores.double().requires_grad_(True)
    expected = F.cross_entropy(s64, target, weight=weight_.double())
    expected.backward()
    check_loss(student, scores, target, weight_, 0.0, expected.detach(), s64.grad)


@weight(3)
@number("2.5")
def test_focal_loss_recorded_cases(student, fixtures_dir):
    """FocalLoss with gamma 2 and 1, with and without class weights (value and gradient)"""
    tensors, meta = recorded(fixtures_dir)
    for i, case in enumerate(meta["focal"]):
        key = f"focal.{i}"
        weight_ = tensors[f"{key}.weight"] if case["weighted"] else None
        check_loss(student, tensors[f"{key}.scores"], tensors[f"{key}.target"], weight_, case["gamma"],
                   tensors[f"{key}.loss"][0], tensors[f"{key}.grad"])
