"""Part 2: the submitted checkpoints can be graded (no points: the leaderboard tests 2.7-2.9
grade them on the held-out set, and, being hidden, they only say what kind of failure stopped
them; this test says why, since it concerns only your own files)."""

import a2_checkpoints as checkpoints
import pytest
from gradescope_utils.autograder_utils.decorators import number, visibility, weight


@weight(0)
@number("2.9")
@visibility("visible")
def test_checkpoints_can_be_graded(student):
    """Checkpoints: one file per model (.pt or .pth), each loads within the caps and fits its architecture

    TwoLayerNet's and VanillaCNN's must fit the specified architectures (the handout's layer inventories);
    MyModel's must load into your MyModel."""
    problems = []
    for name in checkpoints.MODELS:
        try:
            rel, note, info = checkpoints.load(student, name)
            if name in checkpoints.FIXED:
                checkpoints.fixed_weights(student, name, rel, info["args"])
        except pytest.fail.Exception as e:
            problems.append(f"{name}: {e.msg}")
        else:
            if note:
                problems.append(f"{name}: {note}")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
