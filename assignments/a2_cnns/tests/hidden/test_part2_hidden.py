"""Part 2 (PyTorch), hidden: other sizes, random class counts, gradients, other settings."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_scalar, assert_tensor, assert_true

import a2_probes as probes


def named_params(student, class_path, args, x):
    return student.run(probes.model_parameters_and_output, class_path, args, x)


@weight(2)
@number("2.1")
def test_twolayer_other_sizes(student, rng):
    """TwoLayerNet(20, 9, 4) on (7, 20) inputs"""
    x = torch.tensor(rng.standard_normal((7, 20)), dtype=torch.float32)
    params, out = named_params(student, "models.twolayer.TwoLayerNet", [20, 9, 4], x)
    where = "models/twolayer.py"
    shapes = [tuple(p.shape) for _, p in params]
    assert_true(shapes == [(9, 20), (9,), (4, 9), (4,)],
                f"TwoLayerNet(20, 9, 4) parameter shapes: expected [(9, 20), (9,), (4, 9), (4,)], got {shapes}."
                f"\nWhere to look: {where}")
    w1, b1, w2, b2 = (p.double() for _, p in params)
    expected = torch.sigmoid(x.double() @ w1.T + b1) @ w2.T + b2
    assert_tensor(out, expected, rtol=1e-4, atol=1e-5, name="TwoLayerNet(20, 9, 4) scores", where=where + " forward")


@weight(2)
@number("2.2")
def test_vanilla_cnn_single_image(student, rng):
    """VanillaCNN on a batch of one image"""
    x = torch.tensor(rng.standard_normal((1, 3, 32, 32)) * 2, dtype=torch.float32)
    params, out = named_params(student, "models.cnn.VanillaCNN", [], x)
    where = "models/cnn.py forward (flatten with x.shape[0], not a fixed batch size)"
    assert_true(len(params) == 4,
                f"VanillaCNN: expected 4 parameter tensors, got {len(params)}.\nWhere to look: {where}")
    cw, cb, fw, fb = (p.double() for _, p in params)
    h = F.max_pool2d(F.relu(F.conv2d(x.double(), cw, cb)), 2, 2)
    assert_tensor(out, h.reshape(1, -1) @ fw.T + fb, rtol=1e-4, atol=1e-5, name="VanillaCNN scores, batch of 1",
                  where=where)


@weight(2)
@number("2.4")
def test_reweight_random_counts(student, rng):
    """reweight on random class counts and beta 0.999"""
    counts = [int(c) for c in rng.integers(5, 3000, size=7)]
    got = student.call("losses.focal_loss.reweight", counts, beta=0.999)
    c = np.asarray(counts, dtype=np.float64)
    w = (1 - 0.999) / (1 - 0.999 ** c)
    assert_tensor(got, torch.tensor(w * len(c) / w.sum()), rtol=1e-4, atol=1e-6,
                  name=f"reweight({counts}, beta=0.999)", where="losses/focal_loss.py reweight")


def focal_oracle(scores, target, weight_, gamma):
    logp = torch.log_softmax(scores, dim=1).gather(1, target[:, None])[:, 0]
    w = torch.ones_like(logp) if weight_ is None else weight_[target]
    return (w * (1 - logp.exp()) ** gamma * (-logp)).sum() / w.sum()


@weight(2)
@number("2.5")
def test_focal_loss_gradient(student, rng):
    """FocalLoss gradient (gamma 0.5, class weights) against autograd of the closed form"""
    scores = torch.tensor(rng.standard_normal((10, 5)) * 2, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 5, size=10))
    weight_ = torch.tensor(rng.uniform(0.2, 3.0, size=5), dtype=torch.float32)
    loss, shape, grad = student.run(probes.focal_loss_and_grad, weight_, 0.5, scores, target)
    s64 = scores.double().requires_grad_(True)
    expected = focal_oracle(s64, target, weight_.double(), 0.5)
    expected.backward()
    where = "losses/focal_loss.py forward (build the loss from differentiable torch operations)"
    assert_true(shape == [], f"expected a scalar loss, got shape {tuple(shape)}.\nWhere to look: {where}")
    assert_scalar(loss, float(expected), rtol=1e-4, atol=1e-6, name="FocalLoss(weight, gamma=0.5)", where=where)
    assert_tensor(grad, s64.grad, rtol=1e-3, atol=1e-5, name="d loss / d scores", where=where)


@weight(1)
@number("2.5")
def test_focal_loss_without_weights(student, rng):
    """FocalLoss(weight=None, gamma=1) against its closed form"""
    scores = torch.tensor(rng.standard_normal((9, 3)) * 3, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 3, size=9))
    loss, shape, _ = student.run(probes.focal_loss_and_grad, None, 1.0, scores, target)
    where = "losses/focal_loss.py forward (weight=None means all ones)"
    assert_true(shape == [], f"expected a scalar loss, got shape {tuple(shape)}.\nWhere to look: {where}")
    assert_scalar(loss, float(focal_oracle(scores.double(), target, None, 1.0)), rtol=1e-4, atol=1e-6,
                  name="FocalLoss(None, gamma=1)", where=where)


@weight(2)
@number("2.6")
def test_train_step_three_steps_other_settings(student, rng):
    """train_step: three steps, no momentum, no weight decay"""
    sizes = (4, 6, 5)
    state = {"0.weight": torch.tensor(rng.standard_normal((6, 4)), dtype=torch.float32),
             "0.bias": torch.tensor(rng.standard_normal(6), dtype=torch.float32),
             "2.weight": torch.tensor(rng.standard_normal((5, 6)), dtype=torch.float32),
             "2.bias": torch.tensor(rng.standard_normal(5), dtype=torch.float32)}
    batches = [(torch.tensor(rng.standard_normal((8, 4)), dtype=torch.float32),
                torch.tensor(rng.integers(0, 5, size=8))) for _ in range(3)]
    got_state, got_losses, got_shapes, _ = student.run(probes.train_steps, sizes, state, batches, 0.3, 0.0, 0.0)
    net = nn.Sequential(nn.Linear(4, 6), nn.Sigmoid(), nn.Linear(6, 5))
    net.load_state_dict(state)
    opt = torch.optim.SGD(net.parameters(), lr=0.3)
    where = "solver.py train_step (3 steps, lr=0.3, momentum=0, weight_decay=0)"
    for k, (data, target) in enumerate(batches):
        opt.zero_grad()
        loss = F.cross_entropy(net(data), target)
        loss.backward()
        opt.step()
        assert_scalar(got_losses[k], float(loss), rtol=1e-4, atol=1e-6, name=f"loss of step {k + 1}", where=where)
    for key, value in net.state_dict().items():
        assert_tensor(got_state[key], value, rtol=1e-4, atol=1e-6, name=f"parameter {key} after 3 steps", where=where)
