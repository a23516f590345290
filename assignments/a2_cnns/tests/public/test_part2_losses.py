"""Part 2 (PyTorch): class-balanced weights and the focal loss."""

import numpy as np
import torch
import torch.nn.functional as F
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_scalar, assert_tensor, assert_true

import a2_probes as probes


def reweight_oracle(counts, beta):
    counts = np.asarray(counts, dtype=np.float64)
    w = (1.0 - beta) / (1.0 - beta ** counts)
    return torch.tensor(w * len(counts) / w.sum())


def check_loss(student, scores, target, weight_, gamma, expected, grad=False):
    loss, shape, got_grad = student.run(probes.focal_loss_and_grad, weight_, gamma, scores, target)
    where = "losses/focal_loss.py forward"
    name = f"FocalLoss({'weight' if weight_ is not None else 'None'}, gamma={gamma:g})(scores, target)"
    assert_true(shape == [], f"{name}: expected a scalar tensor (shape ()), got shape {tuple(shape)}.\n"
                             f"Where to look: {where}")
    assert_scalar(loss, float(expected), rtol=1e-4, atol=1e-6, name=name, where=where)
    return got_grad


def focal_oracle(scores, target, weight, gamma):
    """Closed form in float64: sum_i w[y_i] (1 - p_i)^gamma (-log p_i) / sum_i w[y_i]."""
    logp = torch.log_softmax(scores.double(), dim=1).gather(1, target[:, None])[:, 0]
    w = torch.ones_like(logp) if weight is None else weight.double()[target]
    return (w * (1 - logp.exp()) ** gamma * (-logp)).sum() / w.sum()


@weight(3)
@number("2.4")
def test_reweight_course_example(student):
    """reweight([645, 387, 232, 139], beta=0.9999)"""
    counts = [645, 387, 232, 139]
    got = student.call("losses.focal_loss.reweight", counts, beta=0.9999)
    assert_tensor(got, reweight_oracle(counts, 0.9999), rtol=1e-4, atol=1e-6,
                  name=f"reweight({counts}, beta=0.9999)", where="losses/focal_loss.py reweight")


@weight(3)
@number("2.5")
def test_focal_loss_gamma_zero_is_weighted_cross_entropy(student, rng):
    """FocalLoss with gamma 0 equals weighted cross-entropy"""
    scores = torch.tensor(rng.standard_normal((8, 4)) * 2, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 4, size=8))
    weight_ = torch.tensor(rng.uniform(0.2, 2.0, size=4), dtype=torch.float32)
    check_loss(student, scores, target, weight_, 0.0, F.cross_entropy(scores.double(), target, weight=weight_.double()))


@weight(3)
@number("2.5")
def test_focal_loss_gamma_two_closed_form(student, rng):
    """FocalLoss with gamma 2 against its closed form"""
    scores = torch.tensor(rng.standard_normal((8, 4)) * 2, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 4, size=8))
    weight_ = torch.tensor(rng.uniform(0.2, 2.0, size=4), dtype=torch.float32)
    check_loss(student, scores, target, weight_, 2.0, focal_oracle(scores, target, weight_, 2.0))
