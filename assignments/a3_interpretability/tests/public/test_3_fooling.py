"""Part 3: fooling images, compared with the reference solution's images (recorded at build time) on
the same seeded SqueezeNet."""

import a3_cases as cases
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, fail

WHERE = cases.FOOLING
STEP = (" (concept to check: normalised gradient ascent on the target's unnormalised score, the step "
        "normalisation of the docstring)")
ACCUMULATES = (" (concept to check: each backward pass adds its gradient to what .grad already holds, so a "
               "step follows the gradient at the current image only if nothing is left over from the step "
               "before)")


def _steps(student, case):
    """The student's images after one and after two steps (max_iter 1 and 2)."""
    return [student.run(probes.fooling_image, case["X"], case["target"], case["seed"], max_iter=k) for k in (1, 2)]


@weight(4)
@number("3.1")
def test_fooling_first_two_steps(student, fixtures_dir, figures):
    case = cases.load(fixtures_dir, "fooling")
    one, two = _steps(student, case)
    cases.show_perturbation(figures, "What two steps add to the image (grey: no change)", case["X"],
                            case["after2"], two)
    settings = f"target class {case['target']}, learning_rate 10, a random image of height 56 and width 48"
    assert_array(one, case["after1"], rtol=1e-4, atol=1e-4, name=f"the image after one step (max_iter=1, {settings})",
                 where=WHERE + STEP)
    if not cases.close(two, case["after2"], 1e-4, 1e-4) and cases.close(two, case["after1"], 1e-4, 1e-4):
        fail("With max_iter=2 your image is the one after a single step: the loop should take up to "
             f"max_iter steps.\nWhere to look: {WHERE}")
    assert_array(two, case["after2"], rtol=1e-4, atol=1e-4,
                 name=f"the image after two steps (max_iter=2, {settings}); your first step is right",
                 where=WHERE + ACCUMULATES)


@weight(4)
@number("3.1")
def test_fooling_image_is_the_iteration_to_the_target(student, fixtures_dir, figures):
    case = cases.load(fixtures_dir, "fooling")
    got = student.run(probes.fooling_image, case["X"], case["target"], case["seed"])
    expected, steps, target = case["expected"], case["steps"], case["target"]
    cases.show_perturbation(figures, "What the whole run adds to the image (grey: no change)", case["X"], expected, got)
    if cases.close(got, expected, 1e-4, 1e-3):
        return
    one, two = _steps(student, case)
    if not (cases.close(one, case["after1"], 1e-4, 1e-4) and cases.close(two, case["after2"], 1e-4, 1e-4)):
        fail(f"Your steps differ from the reference's within the first two (the other test of 3.1 shows how), "
             f"so the run to the target cannot match: fix those steps first; this test then checks when the run "
             f"stops.\nWhere to look: {WHERE}")
    if type(got) is np.ndarray and got.shape == expected.shape and np.all(np.isfinite(got)):
        distance = float(np.linalg.norm(got.astype(np.float64) - case["X"]))
        predicted = int(cases.scores(got, case["seed"]).argmax())
        fact = (f"The reference reaches class {target} after {steps} steps of L2 length 10 (the model predicts "
                f"another class before each of them). Your first two steps are right; your image is "
                f"{distance:.4g} away from the input (the reference's {np.linalg.norm(expected - case['X']):.4g}) "
                f"and the model predicts class {predicted} for it.")
        fail(fact + f"\nWhere to look: {WHERE} (concept to check: the stopping rule of the docstring: when the "
                    "prediction is checked, and what is returned when it is the target)")
    assert_array(got, expected, rtol=1e-4, atol=1e-3, name=f"the fooling image for target class {target}",
                 where=WHERE)
