"""Part 3: fooling images, compared with the reference solution's images (recorded at build
time) on the same seeded SqueezeNet."""

import a3_cases as cases
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, fail

WHERE = "visualizers/fooling_image.py, FoolingImage.make_fooling_image"


@weight(4)
@number("3.1")
def test_fooling_first_two_steps(student, fixtures_dir):
    case = cases.load(fixtures_dir, "fooling")
    one = student.run(probes.fooling_image, case["X"], case["target"], case["seed"], max_iter=1)
    assert_array(one, case["after1"], rtol=1e-4, atol=1e-4,
                 name=f"the image after one step (max_iter=1, target class {case['target']}): "
                      "X + learning_rate * g / ||g||_2, g the gradient of the target score",
                 where=WHERE + " (the unnormalised score of target_y, not a softmax or a loss; step along +g; "
                               "divide by the L2 norm of the whole gradient)")
    two = student.run(probes.fooling_image, case["X"], case["target"], case["seed"], max_iter=2)
    if not cases.close(two, case["after2"], 1e-4, 1e-4) and cases.close(two, case["after1"], 1e-4, 1e-4):
        fail("With max_iter=2 your image is the one after a single step: the loop should take up to "
             f"max_iter steps.\nWhere to look: {WHERE}")
    assert_array(two, case["after2"], rtol=1e-4, atol=1e-4,
                 name="the image after two steps (max_iter=2); your first step is right",
                 where=WHERE + " (set X_fooling.grad to zero after each step: backward() adds to it)")


@weight(4)
@number("3.1")
def test_fooling_image_is_the_iteration_to_the_target(student, fixtures_dir):
    case = cases.load(fixtures_dir, "fooling")
    got = student.run(probes.fooling_image, case["X"], case["target"], case["seed"])
    expected, steps = case["expected"], case["steps"]
    if type(got) is np.ndarray and got.shape == expected.shape and np.all(np.isfinite(got)):
        distance = float(np.linalg.norm(got.astype(np.float64) - case["X"]))
        if distance > 10.0 * steps + 1e-3:
            fail(f"The handout's iteration reaches class {case['target']} after {steps} steps of L2 length 10, "
                 f"so the fooling image lies within {10 * steps} of the input; yours is {distance:.4g} away."
                 f"\nWhere to look: {WHERE} (stop as soon as the model predicts target_y)")
    assert_array(got, expected, rtol=1e-4, atol=1e-3,
                 name=f"the fooling image for target class {case['target']} (the model predicts it after "
                      f"{steps} steps of the handout's iteration)",
                 where=WHERE + " (check the prediction before each step and stop when it is the target)")
