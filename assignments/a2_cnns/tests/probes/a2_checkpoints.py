"""Grader-side helpers of the A2 checkpoints: which file to grade, the caps, loading.

Used by the public notice test (tests/public/test_part2_checkpoints.py), which tells the
student in full why a checkpoint cannot be graded (it concerns only their own files), and by
the leaderboard tests (tests/hidden/test_leaderboard.py), which evaluate it on the held-out
set and, like every hidden test, say only what kind of failure it was. Nothing here holds
held-out data or an expected value.
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
    return rel, note
