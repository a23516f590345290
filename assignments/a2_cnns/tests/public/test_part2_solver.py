"""Part 2 (PyTorch): the training and evaluation steps of the solver, on a small network with
known weights, against what the reference solution's steps gave when the autograder was built,
and properties (no graph and no gradients in evaluation)."""

import json

import a2_probes as probes
from gradescope_utils.autograder_utils.decorators import number, weight
from safetensors.torch import load_file

from autograder.grading.checks import assert_scalar, assert_tensor, assert_true

KEYS = ("0.weight", "0.bias", "2.weight", "2.bias")


def recorded(fixtures_dir):
    folder = fixtures_dir / "public"
    return load_file(str(folder / "a2_recorded.safetensors")), json.loads((folder / "a2_recorded.json").read_text())


@weight(5)
@number("2.6")
def test_train_step_two_steps(student, fixtures_dir):
    """train_step: two steps of SGD with momentum give the reference's losses, scores and weights"""
    tensors, meta = recorded(fixtures_dir)
    case = meta["steps"]
    state = {k: tensors[f"steps.init.{k}"] for k in KEYS}
    batches = [(tensors[f"steps.{k}.data"], tensors[f"steps.{k}.target"]) for k in range(case["steps"])]
    states, losses, shapes, outs = student.run(probes.train_steps, case["sizes"], state, batches, case["lr"],
                                               case["momentum"], case["weight_decay"])
    where = (f"solver.py train_step ({case['steps']} steps of torch.optim.SGD, lr={case['lr']}, "
             f"momentum={case['momentum']}, weight_decay={case['weight_decay']}, nn.CrossEntropyLoss): each call "
             f"makes one update from the gradient of its own batch alone (PyTorch adds gradients up until they are "
             f"cleared), and returns the scores computed before that update")
    for k in range(case["steps"]):
        assert_true(shapes[k] == [], f"train_step must return the loss as a scalar tensor, got shape "
                                     f"{tuple(shapes[k])}.\nWhere to look: {where}")
        assert_tensor(outs[k], tensors[f"steps.{k}.out"], rtol=1e-4, atol=1e-6,
                      name=f"out returned by step {k + 1} (the scores before that step's update)", where=where)
        assert_scalar(losses[k], float(tensors[f"steps.{k}.loss"][0]), rtol=1e-4, atol=1e-6,
                      name=f"loss returned by step {k + 1}", where=where)
        for key in KEYS:
            assert_tensor(states[k][key], tensors[f"steps.{k}.{key}"], rtol=1e-4, atol=1e-6,
                          name=f"parameter {key} after step {k + 1}", where=where)


@weight(2)
@number("2.6")
def test_eval_step_no_grad(student, fixtures_dir):
    """eval_step: scores and loss under torch.no_grad, weights and gradients untouched"""
    tensors, meta = recorded(fixtures_dir)
    state = {k: tensors[f"steps.init.{k}"] for k in KEYS}
    report = student.run(probes.eval_step_report, meta["steps"]["sizes"], state, tensors["eval.data"],
                         tensors["eval.target"])
    where = "solver.py eval_step"
    for key, what in (("out_requires_grad", "out requires grad"), ("loss_requires_grad", "loss requires grad"),
                      ("grads_set", "parameters received gradients"), ("weights_changed", "weights changed")):
        assert_true(report[key] is False, f"eval_step: {what}. An evaluation step records no autograd graph (neither "
                                          f"returned tensor requires grad) and leaves the parameters and their "
                                          f".grad as they were.\nWhere to look: {where}")
    assert_true(report["loss_shape"] == [], f"eval_step must return the loss as a scalar tensor, got shape "
                                            f"{tuple(report['loss_shape'])}.\nWhere to look: {where}")
    assert_tensor(report["out"], tensors["eval.out"], rtol=1e-5, atol=1e-6, name="out", where=where)
    assert_scalar(report["loss"], float(tensors["eval.loss"][0]), rtol=1e-5, atol=1e-6, name="loss", where=where)
