"""Part 2 (PyTorch): the models. TwoLayerNet and VanillaCNN get known weights, layer by layer in
the order their forward pass uses the layers (attribute names are yours to choose), and must
give the scores the reference solution gave with those weights (recorded when the autograder
was built). MyModel is your design: its shape, size and training mode are checked."""

import json

import a2_probes as probes
import a2_torch_checks as torch_checks
import torch
from gradescope_utils.autograder_utils.decorators import number, weight
from safetensors.torch import load_file

from autograder.grading.checks import assert_tensor, assert_true

# Grading a MyModel checkpoint of this many parameters (float32, 100 MB) fits Gradescope's
# default container (768 MB, half a CPU) with room to spare: see bench/bench_a2_large_model.py.
MY_MODEL_MAX_PARAMS = 25_000_000


def recorded(fixtures_dir):
    folder = fixtures_dir / "public"
    return load_file(str(folder / "a2_recorded.safetensors")), json.loads((folder / "a2_recorded.json").read_text())


def describe_signature(signature):
    return "; ".join(f"{kind} ({', '.join(f'{n} {tuple(s)}' for n, s in params)})" for kind, params in signature)


def model_case(fixtures_dir, key):
    """(case, input, weights by role, the reference's scores) of a recorded model case: the tensors
    themselves in the students' set, drawn again from the recorded seed on Gradescope."""
    tensors, meta = recorded(fixtures_dir)
    case = meta[key]
    if f"{key}.x" in tensors:
        x, weights = tensors[f"{key}.x"], [tensors[f"{key}.w{i}"] for i in range(case["weights"])]
    else:
        x, weights = torch_checks.draw_model_case(case["signature"], case["x_shape"], case["seed"])
        assert_true(torch_checks.digest([x, *weights]) == case["digest"],
                    f"internal: the case {key} could not be drawn again from its seed (this torch draws other "
                    f"numbers than the one the autograder was built with); the course staff must rebuild it")
    return case, x, weights, tensors[f"{key}.out"]


def check_by_role(student, fixtures_dir, key, class_path, where):
    case, x, weights, expected = model_case(fixtures_dir, key)
    name = f"{class_path.rsplit('.', 1)[1]}({', '.join(map(str, case['args']))})"
    got = student.run(probes.output_with_weights_by_role, class_path, case["args"], case["signature"], weights, x)
    assert_true(not got["problem"],
                f"{name}: its layers with parameters, in the order forward uses them, should be "
                f"{describe_signature(case['signature'])}. {got['problem']}.\nWhere to look: {where} __init__ and "
                f"forward")
    assert_tensor(got["out"], expected, rtol=1e-4, atol=1e-5,
                  name=f"{name} scores for x of shape {tuple(x.shape)}, with the weights the reference was given",
                  where=where + " forward")


@weight(3)
@number("2.1")
def test_twolayer_architecture_and_forward(student, fixtures_dir):
    """TwoLayerNet: layer shapes and scores with known weights"""
    check_by_role(student, fixtures_dir, "twolayer", "models.twolayer.TwoLayerNet", "models/twolayer.py")


@weight(4)
@number("2.2")
def test_vanilla_cnn_architecture_and_forward(student, fixtures_dir):
    """VanillaCNN: layer shapes and scores with known weights"""
    check_by_role(student, fixtures_dir, "vanilla", "models.cnn.VanillaCNN", "models/cnn.py")


def my_model_report(student, rng, n=6):
    x = torch.tensor(rng.standard_normal((n, 3, 32, 32)), dtype=torch.float32)
    return student.run(probes.my_model_modes, x)


@weight(2)
@number("2.3")
def test_my_model_forward_shape_and_size(student, rng):
    """MyModel: (N, 3, 32, 32) -> (N, 10), finite, at most 25M parameters"""
    report = my_model_report(student, rng)
    where = "models/my_model.py"
    out = report["outs"]["eval_a"]
    assert_true(type(out) is torch.Tensor and tuple(out.shape) == (6, 10) and out.is_floating_point(),
                f"MyModel(x) for x of shape (6, 3, 32, 32): expected a float tensor of shape (6, 10), got "
                f"{type(out).__name__} {tuple(getattr(out, 'shape', ()))}.\nWhere to look: {where}")
    for key, mode in (("eval_a", "evaluation"), ("train_a", "training")):
        assert_true(bool(torch.isfinite(report["outs"][key]).all()),
                    f"MyModel(x) in {mode} mode has NaN or infinite scores.\nWhere to look: {where}")
    count = report["parameters"]
    assert_true(0 < count <= MY_MODEL_MAX_PARAMS,
                f"MyModel has {count:,} parameters; the cap is {MY_MODEL_MAX_PARAMS:,} (a checkpoint of about "
                f"{MY_MODEL_MAX_PARAMS * 4 / 1e6:.0f} MB, what the grader can evaluate within its memory and time). "
                f"Make it smaller.\nWhere to look: {where}")


@weight(2)
@number("2.3")
def test_my_model_training_mode(student, rng):
    """MyModel in training mode: declared dropout is applied, seeded passes repeat, eval is deterministic"""
    report = my_model_report(student, rng)
    outs, where = report["outs"], "models/my_model.py forward"
    assert_true(report["applied"] == report["dropouts"],
                f"MyModel declares {report['dropouts']} dropout layer(s) but a forward pass in training mode "
                f"applies only {report['applied']}: a layer declared in __init__ does nothing unless forward "
                f"calls it.\nWhere to look: {where}")
    same = torch.allclose(outs["train_a"], outs["train_b"], rtol=1e-5, atol=1e-6)
    assert_true(same, "MyModel in training mode gives different scores for the same input after the same "
                      f"torch.manual_seed: its randomness must come from torch's generator.\nWhere to look: {where}")
    if report["dropouts"]:
        assert_true(not torch.allclose(outs["train_a"], outs["train_c"]),
                    "MyModel has dropout, yet in training mode two different seeds give the same scores: the "
                    f"dropout is not active while training (model.train()).\nWhere to look: {where}")
    assert_true(torch.allclose(outs["eval_a"], outs["eval_c"], rtol=1e-5, atol=1e-6),
                "MyModel in evaluation mode (model.eval()) gives different scores for the same input under "
                "different seeds: randomness such as dropout acts in training mode only, and a module's mode is "
                "what model.train() and model.eval() set (self.training), in every layer that draws at random."
                f"\nWhere to look: {where}")
