"""Part 2 (PyTorch), hidden: other sizes, a batch of one, random class counts and settings, large
scores, more training steps with other settings, all drawn for each submission. References:
tests/staff/a2_refs.py."""

import a2_probes as probes
import a2_refs as refs
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading import roles
from autograder.grading.checks import assert_scalar, assert_tensor, assert_true


def random_weights(model, x, rng, scale=1.0):
    """The signature of the staff model's layers (by role) and random weights for them."""
    layers = roles.layers_in_use_order(model, x)
    weights = [torch.tensor(rng.standard_normal(tuple(p.shape)) * scale / max(1, p[0].numel()) ** 0.5,
                            dtype=torch.float32) for p in roles.state_by_role(layers)]
    return roles.signature(layers), weights


def scores_by_role(student, class_path, args, signature, weights, x, where):
    got = student.run(probes.output_with_weights_by_role, class_path, args, signature, weights, x)
    assert_true(not got["problem"], "the model's layers with parameters do not have the specified types and shapes",
                where=where)
    return got["out"]


@weight(2)
@number("2.1")
def test_twolayer_other_sizes(student, rng):
    """TwoLayerNet with other input, hidden and output sizes"""
    d, h, c = int(rng.integers(12, 30)), int(rng.integers(5, 14)), int(rng.integers(3, 7))
    x = torch.tensor(rng.standard_normal((int(rng.integers(3, 9)), d)), dtype=torch.float32)
    signature, w = random_weights(refs.StaffTwoLayerNet(d, h, c), x, rng, scale=2.0)
    out = scores_by_role(student, "models.twolayer.TwoLayerNet", [d, h, c], signature, w, x,
                         "models/twolayer.py TwoLayerNet.__init__")
    with torch.no_grad():
        expected = refs.staff_model("TwoLayerNet", (d, h, c), w)(x)
    assert_tensor(out, expected, rtol=1e-4, atol=1e-5, name="TwoLayerNet scores", where="models/twolayer.py forward")


@weight(2)
@number("2.2")
def test_vanilla_cnn_single_image(student, rng):
    """VanillaCNN on a batch of one image"""
    x = torch.tensor(rng.standard_normal((1, 3, 32, 32)) * 2, dtype=torch.float32)
    signature, w = random_weights(refs.StaffVanillaCNN(), x, rng, scale=2.0)
    out = scores_by_role(student, "models.cnn.VanillaCNN", [], signature, w, x, "models/cnn.py VanillaCNN.__init__")
    assert_tensor(out, refs.vanilla_cnn_scores(x, *w).float(), rtol=1e-4, atol=1e-5, name="VanillaCNN scores",
                  where="models/cnn.py forward")


@weight(1)
@number("2.3")
def test_my_model_single_image(student, rng):
    """MyModel on a batch of one image, in evaluation mode"""
    x = torch.tensor(rng.standard_normal((1, 3, 32, 32)), dtype=torch.float32)
    _, out = student.run(probes.model_output, "models.my_model.MyModel", [], x)
    assert_true(type(out) is torch.Tensor and tuple(out.shape) == (1, 10) and bool(torch.isfinite(out).all()),
                "MyModel on a batch of one image: expected finite scores of shape (1, 10)",
                where="models/my_model.py forward")


@weight(1)
@number("2.4")
def test_reweight_random_counts(student, rng):
    """reweight on other class counts and another beta"""
    counts = [int(c) for c in rng.integers(5, 3000, size=int(rng.integers(5, 9)))]
    beta = float(rng.choice([0.99, 0.995, 0.999]))
    got = student.call("losses.focal_loss.reweight", counts, beta=beta)
    assert_tensor(got.double(), refs.class_balanced_weights(counts, beta), rtol=1e-4, atol=1e-6,
                  name="reweight", where="losses/focal_loss.py reweight")


@weight(2)
@number("2.5")
def test_focal_loss_gradient(student, rng):
    """FocalLoss value and gradient with another gamma and class weights"""
    c = int(rng.integers(4, 7))
    scores = torch.tensor(rng.standard_normal((10, c)) * 2, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, c, size=10))
    weight_ = torch.tensor(rng.uniform(0.2, 3.0, size=c), dtype=torch.float32)
    gamma = float(rng.uniform(0.3, 2.5))
    loss, shape, grad = student.run(probes.focal_loss_and_grad, weight_, gamma, scores, target)
    s64 = scores.double().requires_grad_(True)
    expected = refs.focal_loss(s64, target, weight_.double(), gamma)
    expected.backward()
    where = "losses/focal_loss.py forward"
    assert_true(shape == [], "expected a scalar loss", where=where)
    assert_scalar(loss, float(expected), rtol=1e-4, atol=1e-6, name="FocalLoss", where=where)
    assert_tensor(grad.double(), s64.grad, rtol=1e-3, atol=1e-5, name="d loss / d scores", where=where)


@weight(1)
@number("2.5")
def test_focal_loss_large_scores(student, rng):
    """FocalLoss without class weights on scores of large magnitude"""
    scores = torch.tensor(rng.standard_normal((9, 3)) * 50, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 3, size=9))
    gamma = float(rng.uniform(2.0, 4.0))
    loss, shape, _ = student.run(probes.focal_loss_and_grad, None, gamma, scores, target)
    where = "losses/focal_loss.py forward"
    assert_true(shape == [], "expected a scalar loss", where=where)
    assert_scalar(loss, float(refs.focal_loss(scores.double(), target, None, gamma)), rtol=1e-4, atol=1e-6,
                  name="FocalLoss", where=where)


@weight(1)
@number("2.6")
def test_train_step_three_steps_other_settings(student, rng):
    """train_step over more steps, with other settings"""
    sizes = (4, 6, 5)
    state = {"0.weight": torch.tensor(rng.standard_normal((6, 4)), dtype=torch.float32),
             "0.bias": torch.tensor(rng.standard_normal(6), dtype=torch.float32),
             "2.weight": torch.tensor(rng.standard_normal((5, 6)), dtype=torch.float32),
             "2.bias": torch.tensor(rng.standard_normal(5), dtype=torch.float32)}
    batches = [(torch.tensor(rng.standard_normal((8, 4)), dtype=torch.float32),
                torch.tensor(rng.integers(0, 5, size=8))) for _ in range(3)]
    lr = float(rng.uniform(0.1, 0.5))
    states, losses, _, _ = student.run(probes.train_steps, sizes, state, batches, lr, 0.0, 0.0)
    want_states, want_losses = refs.mlp_sgd_steps(sizes, state, batches, lr)
    where = "solver.py train_step"
    for k in range(3):
        assert_scalar(losses[k], want_losses[k], rtol=1e-4, atol=1e-6, name="loss", where=where)
    for key, value in want_states[-1].items():
        assert_tensor(states[-1][key], value, rtol=1e-4, atol=1e-6, name="parameters after the steps", where=where)
