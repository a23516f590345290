"""Part 4: class visualization, compared with the reference solution's images (recorded at
build time) on the same seeded SqueezeNet."""

import a3_cases as cases
import a3_probes as probes
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array

WHERE = "visualizers/class_visualization.py, ClassVisualization.create_class_visualization"


@weight(4)
@number("4.1")
def test_class_visualization_two_plain_steps(student, fixtures_dir):
    case = cases.load(fixtures_dir, "class_vis")
    got = student.run(probes.class_visualization, case["img"], case["target"], case["seed"],
                      l2_reg=case["l2_reg"], learning_rate=case["learning_rate"], num_iterations=case["steps"],
                      blur_every=0, max_jitter=0)
    assert_array(got, case["expected"], rtol=1e-4, atol=2e-4,
                 name=f"the image after {case['steps']} steps (l2_reg={case['l2_reg']:g}, "
                      f"learning_rate={case['learning_rate']:g}, no jitter, no blur, from an image partly "
                      "outside the pixel range)",
                 where=WHERE + " (g is the gradient of S_y(I) - l2_reg * ||I||^2, so it includes "
                               "-2 * l2_reg * I; step I + learning_rate * g / ||g||_2; zero img.grad after "
                               "each step)")


@weight(4)
@number("4.1")
def test_class_visualization_steps_with_jitter_and_blur(student, fixtures_dir):
    case = cases.load(fixtures_dir, "class_vis_jitter")
    got = student.run(probes.class_visualization, case["img"], case["target"], case["seed"],
                      random_seed=case["random_seed"], num_iterations=case["steps"],
                      max_jitter=case["max_jitter"], blur_every=case["blur_every"])
    assert_array(got, case["expected"], rtol=1e-4, atol=2e-4,
                 name=f"the image after {case['steps']} steps with the default l2_reg and learning_rate, "
                      f"max_jitter={case['max_jitter']}, blur_every={case['blur_every']} (random seeded "
                      f"with {case['random_seed']})",
                 where=WHERE + " (the step works on the jittered image, in place; use no randomness of "
                               "your own)")
