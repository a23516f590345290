"""Grader-side helpers of the A2 checkpoints: which file to grade, the caps, loading, and whether
a checkpoint of a fixed architecture fits it.

Used by the public notice test (tests/public/test_part2_checkpoints.py), which tells the
student in full why a checkpoint cannot be graded (it concerns only their own files), and by
the leaderboard tests (tests/hidden/test_leaderboard.py), which evaluate it on the held-out
set and, like every hidden test, say only what kind of failure it was. Nothing here holds
held-out data or an expected value.

TwoLayerNet and VanillaCNN have a specified architecture (the handout's layer inventories, given
here as the layers with parameters in the order of use): their checkpoints are loaded into the
student's class in the worker, read back by role, and evaluated by the grader with a model of its
own, so that what the student's forward does with the weights does not count. MyModel is the
student's design and is evaluated in the worker.
"""

import re
import time

import a2_probes as probes
import pytest

from autograder.grading.sandbox import StudentError

CHECKPOINT_MAX_MB = 100.0  # per checkpoint; see bench/bench_a2_large_model.py for what grading it costs
MAX_PARAMS = 25_000_000    # float32 parameters in that size

# name -> (class, constructor arguments, checkpoint stem, input size from which to read TwoLayerNet's hidden size)
MODELS = {
    "TwoLayerNet": ("models.twolayer.TwoLayerNet", [3 * 32 * 32, 128, 10], "twolayernet", 3 * 32 * 32),
    "VanillaCNN": ("models.cnn.VanillaCNN", [], "vanillacnn", None),
    "MyModel": ("models.my_model.MyModel", [], "mymodel", None),
}
FIXED = ("TwoLayerNet", "VanillaCNN")   # specified architectures, evaluated with the grader's own model


def choose_checkpoint(student, stem):
    """(the file to grade, a note when both .pt and .pth were submitted) or pytest.fail."""
    found = student.run(probes.checkpoint_files, stem)
    if not found:
        pytest.fail(f"checkpoints/{stem}.pt (or .pth) was not submitted. Train the model (python main.py --config "
                    f"...) and upload the checkpoint it saves together with your code.", pytrace=False)
    if len(found) == 1:
        return next(iter(found)), ""
    newer = max(found, key=lambda rel: (found[rel][1], rel.endswith(".pth")))
    older = next(rel for rel in found if rel != newer)
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(found[newer][1]))
    return newer, (f"Both {older} and {newer} were submitted; the newer one, {newer} (modified {when} UTC), was "
                   f"graded. Submit only one to be sure which.")


def load(student, name):
    """Load the checkpoint of ``name`` into the student's class in the worker, within the caps:
    (file graded, note) or pytest.fail saying why it cannot be graded."""
    class_path, args, stem, input_dim = MODELS[name]
    rel, note = choose_checkpoint(student, stem)
    size = student.run(probes.checkpoint_files, stem)[rel][0]
    if size > CHECKPOINT_MAX_MB * 1e6:
        pytest.fail(f"{rel} is {size / 1e6:.1f} MB, over the cap of {CHECKPOINT_MAX_MB:g} MB per checkpoint (what the "
                    f"grader can load and evaluate within its memory and time). Save only the state_dict "
                    f"(torch.save(model.state_dict(), path)) of a smaller model. {note}", pytrace=False)
    try:
        info = student.run(probes.load_checkpoint, class_path, args, rel, input_dim)
    except StudentError as e:   # only the student's own files are involved here
        why = re.sub(r"\x1b\[[0-9;]*m", "", str(e.message)).strip()
        why = why if len(why) <= 500 else why[:500] + " ..."
        pytest.fail(f"Could not load {rel} into {name}. The file must be a state_dict saved with "
                    f"torch.save(model.state_dict(), '{rel}') from the {name} of your submitted code; it is "
                    f"loaded with torch.load(..., weights_only=True) and load_state_dict(strict=True), "
                    f"so a pickled model object or a state_dict of another architecture fails.\n"
                    f"The error was: {e.type_name}: {why} {note}", pytrace=False)
    if info["parameters"] > MAX_PARAMS:
        pytest.fail(f"{name} loaded from {rel} has {info['parameters']:,} parameters, over the cap of "
                    f"{MAX_PARAMS:,}. {note}", pytrace=False)
    return rel, note, info


def expected_signature(name, args):
    """The layers with parameters of a fixed architecture, in the order of use (a roles.signature),
    for the constructor arguments ``args``: the handout's inventory."""
    if name == "TwoLayerNet":
        d, h, c = args
        return [["Linear", [["weight", [h, d]], ["bias", [h]]]], ["Linear", [["weight", [c, h]], ["bias", [c]]]]]
    if name == "VanillaCNN":
        return [["Conv2d", [["weight", [32, 3, 7, 7]], ["bias", [32]]]],
                ["Linear", [["weight", [10, 32 * 13 * 13]], ["bias", [10]]]]]
    raise ValueError(f"{name} has no fixed architecture")


def _layer(entry):
    kind, params = entry
    return f"{kind} ({', '.join(f'{n} {tuple(shape)}' for n, shape in params)})"


def architecture_difference(name, args, found):
    """What differs between a checkpoint read by role (``found``: probes.checkpoint_tensors_by_role)
    and the architecture of ``name``: one sentence per difference, none when it fits."""
    want = expected_signature(name, args)
    got = found.get("signature") or []
    problems = []
    for i in range(max(len(want), len(got))):
        if i >= len(got):
            problems.append(f"layer {i + 1} in the order of use should be {_layer(want[i])}; there is none")
        elif i >= len(want):
            problems.append(f"layer {i + 1} in the order of use, {_layer(got[i])}, is not part of {name}")
        elif (got[i][0], sorted(map(str, got[i][1]))) != (want[i][0], sorted(map(str, want[i][1]))):
            problems.append(f"layer {i + 1} in the order of use should be {_layer(want[i])}, found {_layer(got[i])}")
    for key, shape in found.get("others") or []:
        problems.append(f"the tensor {key} {tuple(shape)} belongs to no layer of {name}")
    return problems


def fixed_weights(student, name, rel, args):
    """The weights by role of the checkpoint ``rel`` (loaded by ``load``) when it fits the
    architecture of ``name``, as float32 tensors checked here, in the grader; otherwise
    pytest.fail naming each difference."""
    import torch

    if name == "TwoLayerNet" and not (isinstance(args, list) and len(args) == 3 and all(type(a) is int for a in args)
                                      and args[0] == MODELS[name][1][0] and args[2] == MODELS[name][1][2]
                                      and 0 < args[1] <= MAX_PARAMS // args[0]):
        pytest.fail(f"internal: {rel} gave TwoLayerNet the arguments {args!r}", pytrace=False)
    found = student.run(probes.checkpoint_tensors_by_role, rel)
    if not isinstance(found, dict):
        pytest.fail(f"internal: {rel} could not be read by role", pytrace=False)
    problems = architecture_difference(name, args, found)
    tensors = found.get("tensors")
    want = [shape for _, params in expected_signature(name, args) for _, shape in params]
    if not problems and not (isinstance(tensors, list) and len(tensors) == len(want)
                             and all(type(t) is torch.Tensor and t.is_floating_point() and list(t.shape) == shape
                                     and bool(torch.isfinite(t).all()) for t, shape in zip(tensors, want, strict=True))):
        problems.append("its parameters are not finite floating-point tensors of the shapes of its layers")
    if problems:
        pytest.fail(f"{rel} does not fit the architecture of {name} ({describe(expected_signature(name, args))}), so "
                    f"this column scores 0: the leaderboard evaluates these weights with the grader's own {name}. "
                    + "; ".join(problems) + ".", pytrace=False)
    return [t.to(torch.float32) for t in tensors]


def describe(signature):
    """A signature as the handout words it: layer by layer in the order of use."""
    return ", then ".join(_layer(entry) for entry in signature)
