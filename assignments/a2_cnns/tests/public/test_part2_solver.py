"""Part 2 (PyTorch): the training and evaluation steps of the solver."""

import torch
import torch.nn as nn
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_scalar, assert_tensor, assert_true

import a2_probes as probes


def small_state(rng, sizes):
    d, h, c = sizes
    return {"0.weight": torch.tensor(rng.standard_normal((h, d)) * 0.5, dtype=torch.float32),
            "0.bias": torch.tensor(rng.standard_normal(h) * 0.1, dtype=torch.float32),
            "2.weight": torch.tensor(rng.standard_normal((c, h)) * 0.5, dtype=torch.float32),
            "2.bias": torch.tensor(rng.standard_normal(c) * 0.1, dtype=torch.float32)}


def oracle_steps(sizes, state, batches, lr, momentum, weight_decay):
    """The same steps with torch.optim.SGD here, in the grader."""
    net = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.Sigmoid(), nn.Linear(sizes[1], sizes[2]))
    net.load_state_dict(state)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    losses = []
    for data, target in batches:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(data), target)
        loss.backward()
        opt.step()
        losses.append(loss.detach())
    return net.state_dict(), losses


def check_train_steps(student, rng, sizes, steps, lr, momentum, weight_decay):
    state = small_state(rng, sizes)
    batches = [(torch.tensor(rng.standard_normal((6, sizes[0])), dtype=torch.float32),
                torch.tensor(rng.integers(0, sizes[2], size=6))) for _ in range(steps)]
    got_state, got_losses, got_shapes, _ = student.run(probes.train_steps, sizes, state, batches, lr, momentum,
                                                       weight_decay)
    want_state, want_losses = oracle_steps(sizes, state, batches, lr, momentum, weight_decay)
    where = (f"solver.py train_step ({steps} steps of torch.optim.SGD, lr={lr}, momentum={momentum}, "
             f"weight_decay={weight_decay}; forward, loss, zero_grad, backward, step)")
    for k in range(steps):
        assert_true(got_shapes[k] == [], f"train_step must return the loss as a scalar tensor, got shape "
                                         f"{tuple(got_shapes[k])}.\nWhere to look: {where}")
        assert_scalar(got_losses[k], float(want_losses[k]), rtol=1e-4, atol=1e-6,
                      name=f"loss returned by step {k + 1}", where=where)
    for key, value in want_state.items():
        assert_tensor(got_state[key], value, rtol=1e-4, atol=1e-6, name=f"parameter {key} after {steps} steps",
                      where=where)


@weight(5)
@number("2.6")
def test_train_step_matches_torch_sgd(student, rng):
    """train_step: two steps equal torch.optim.SGD on the same weights"""
    check_train_steps(student, rng, (5, 7, 3), steps=2, lr=0.5, momentum=0.9, weight_decay=5e-4)


@weight(2)
@number("2.6")
def test_eval_step_no_grad(student, rng):
    """eval_step: scores and loss under torch.no_grad, weights untouched"""
    sizes = (5, 7, 3)
    state = small_state(rng, sizes)
    data = torch.tensor(rng.standard_normal((6, 5)), dtype=torch.float32)
    target = torch.tensor(rng.integers(0, 3, size=6))
    report = student.run(probes.eval_step_report, sizes, state, data, target)
    net = nn.Sequential(nn.Linear(5, 7), nn.Sigmoid(), nn.Linear(7, 3))
    net.load_state_dict(state)
    with torch.no_grad():
        out = net(data)
    where = "solver.py eval_step"
    assert_tensor(report["out"], out, rtol=1e-5, atol=1e-6, name="out", where=where)
    assert_true(report["loss_shape"] == [], f"eval_step must return the loss as a scalar tensor, got shape "
                                            f"{tuple(report['loss_shape'])}.\nWhere to look: {where}")
    assert_scalar(report["loss"], float(nn.functional.cross_entropy(out, target)), rtol=1e-5, atol=1e-6,
                  name="loss", where=where)
    for key, what in (("out_requires_grad", "out requires grad"), ("loss_requires_grad", "loss requires grad"),
                      ("grads_set", "parameters received gradients"), ("weights_changed", "weights changed")):
        assert_true(report[key] is False, f"eval_step: {what}; evaluate under torch.no_grad() without backward "
                                          f"or optimizer steps.\nWhere to look: {where}")
