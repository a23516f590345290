"""Part 2 (PyTorch), hidden: other sizes, a batch of one, random class counts, large scores,
three training steps with other settings. References: tests/staff/a2_refs.py."""

import a2_probes as probes
import a2_refs as refs
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading import roles
from autograder.grading.checks import assert_scalar, assert_tensor, assert_true


def random_weights(model_cls, args, x, rng, scale=1.0):
    """A signature and random weights for the reference architecture of model_cls, by role."""
    torch.manual_seed(0)
    model = model_cls(*args)
    layers = roles.layers_in_use_order(model, x)
    weights = [torch.tensor(rng.standard_normal(tuple(p.shape)) * scale / max(1, p[0].numel()) ** 0.5,
                            dtype=torch.float32) for p in roles.state_by_role(layers)]
    return roles.signature(layers), weights


class _TwoLayer(torch.nn.Module):
    """The shapes of the reference TwoLayerNet (for the signature of its layers)."""

    def __init__(self, d, h, c):
        super().__init__()
        self.a, self.b = torch.nn.Linear(d, h), torch.nn.Linear(h, c)

    def forward(self, x):
        return self.b(self.a(x.reshape(len(x), -1)))


class _Vanilla(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = torch.nn.Conv2d(3, 32, 7), torch.nn.Linear(32 * 13 * 13, 10)

    def forward(self, x):
        return self.b(torch.nn.functional.max_pool2d(self.a(x), 2).reshape(len(x), -1))


def scores_by_role(student, class_path, args, signature, weights, x, where):
    got = student.run(probes.output_with_weights_by_role, class_path, args, signature, weights, x)
    assert_true(not got["problem"], f"the layers of the model do not have the expected types and shapes.\n"
                                    f"Where to look: {where}")
    return got["out"]


@weight(2)
@number("2.1")
def test_twolayer_other_sizes(student, rng):
    """TwoLayerNet(20, 9, 4) on (7, 20) inputs"""
    x = torch.tensor(rng.standard_normal((7, 20)), dtype=torch.float32)
    signature, w = random_weights(_TwoLayer, (20, 9, 4), x, rng, scale=2.0)
    out = scores_by_role(student, "models.twolayer.TwoLayerNet", [20, 9, 4], signature, w, x, "models/twolayer.py")
    assert_tensor(out, refs.twolayer_scores(x, *w).float(), rtol=1e-4, atol=1e-5, name="TwoLayerNet(20, 9, 4) scores",
                  where="models/twolayer.py forward")


@weight(2)
@number("2.2")
def test_vanilla_cnn_single_image(student, rng):
    """VanillaCNN on a batch of one image"""
    x = torch.tensor(rng.standard_normal((1, 3, 32, 32)) * 2, dtype=torch.float32)
    signature, w = random_weights(_Vanilla, (), x, rng, scale=2.0)
    out = scores_by_role(student, "models.cnn.VanillaCNN", [], signature, w, x, "models/cnn.py")
    assert_tensor(out, refs.vanilla_cnn_scores(x, *w).float(), rtol=1e-4, atol=1e-5, name="VanillaCNN scores, batch of 1",
                  where="models/cnn.py forward (flatten with x.shape[0], not a fixed batch size)")


@weight(1)
@number("2.3")
def test_my_model_single_image(student, rng):
    """MyModel on a batch of one image, in evaluation mode"""
    x = torch.tensor(rng.standard_normal((1, 3, 32, 32)), dtype=torch.float32)
    _, out = student.run(probes.model_output, "models.my_model.MyModel", [], x)
    assert_true(type(out) is torch.Tensor and tuple(out.shape) == (1, 10) and bool(torch.isfinite(out).all()),
                "MyModel on a batch of one image: expected finite scores of shape (1, 10).\n"
                "Where to look: models/my_model.py forward (flatten with x.shape[0], not a fixed batch size)")


@weight(1)
@number("2.4")
def test_reweight_random_counts(student, rng):
    """reweight on random class counts and beta 0.999"""
    counts = [int(c) for c in rng.integers(5, 3000, size=7)]
    got = student.call("losses.focal_loss.reweight", counts, beta=0.999)
    assert_tensor(got.double(), refs.class_balanced_weights(counts, 0.999), rtol=1e-4, atol=1e-6,
                  name="reweight(random counts, beta=0.999)", where="losses/focal_loss.py reweight")


@weight(2)
@number("2.5")
def test_focal_loss_gradient(student, rng):
    """FocalLoss gradient (gamma 0.5, class weights)"""
    scores = torch.tensor(rng.standard_normal((10, 5)) * 2, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 5, size=10))
    weight_ = torch.tensor(rng.uniform(0.2, 3.0, size=5), dtype=torch.float32)
    loss, shape, grad = student.run(probes.focal_loss_and_grad, weight_, 0.5, scores, target)
    s64 = scores.double().requires_grad_(True)
    expected = refs.focal_loss(s64, target, weight_.double(), 0.5)
    expected.backward()
    where = "losses/focal_loss.py forward (build the loss from differentiable torch operations)"
    assert_true(shape == [], f"expected a scalar loss.\nWhere to look: {where}")
    assert_scalar(loss, float(expected), rtol=1e-4, atol=1e-6, name="FocalLoss(weight, gamma=0.5)", where=where)
    assert_tensor(grad.double(), s64.grad, rtol=1e-3, atol=1e-5, name="d loss / d scores", where=where)


@weight(1)
@number("2.5")
def test_focal_loss_large_scores(student, rng):
    """FocalLoss(weight=None, gamma=3) on scores of magnitude 50"""
    scores = torch.tensor(rng.standard_normal((9, 3)) * 50, dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 3, size=9))
    loss, shape, _ = student.run(probes.focal_loss_and_grad, None, 3.0, scores, target)
    where = "losses/focal_loss.py forward (stable for large scores: use log_softmax)"
    assert_true(shape == [], f"expected a scalar loss.\nWhere to look: {where}")
    assert_scalar(loss, float(refs.focal_loss(scores.double(), target, None, 3.0)), rtol=1e-4, atol=1e-6,
                  name="FocalLoss(None, gamma=3), large scores", where=where)


@weight(1)
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
    states, losses, _, _ = student.run(probes.train_steps, sizes, state, batches, 0.3, 0.0, 0.0)
    want_states, want_losses = refs.mlp_sgd_steps(sizes, state, batches, 0.3)
    where = "solver.py train_step (3 steps, lr=0.3, momentum=0, weight_decay=0)"
    for k in range(3):
        assert_scalar(losses[k], want_losses[k], rtol=1e-4, atol=1e-6, name=f"loss of step {k + 1}", where=where)
    for key, value in want_states[-1].items():
        assert_tensor(states[-1][key], value, rtol=1e-4, atol=1e-6, name=f"parameter {key} after 3 steps", where=where)
