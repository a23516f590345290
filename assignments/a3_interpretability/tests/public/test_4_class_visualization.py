"""Part 4: class visualization, compared with the reference solution's images (recorded at build
time) on the same seeded SqueezeNet."""

import a3_cases as cases
import a3_probes as probes
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array

WHERE = cases.CLASSVIS


@weight(4)
@number("4.1")
def test_class_visualization_two_plain_steps(student, fixtures_dir, figures):
    case = cases.load(fixtures_dir, "class_vis")
    settings = {"l2_reg": case["l2_reg"], "learning_rate": case["learning_rate"], "blur_every": 0, "max_jitter": 0}

    def steps(k):
        return student.run(probes.class_visualization, case["img"], case["target"], case["seed"], num_iterations=k,
                           **settings)

    got = steps(case["steps"])
    cases.show_images(figures, f"The image after {case['steps']} steps", case["expected"], got)
    described = (f"l2_reg={case['l2_reg']:g}, learning_rate={case['learning_rate']:g}, target class "
                 f"{case['target']}, no jitter, no blur, from a random image partly outside the pixel range")
    assert_array(steps(1), case["after1"], rtol=1e-4, atol=2e-4, name=f"the image after one step ({described})",
                 where=WHERE + " (concept to check: the gradient of the regularised objective of the docstring, "
                               "its penalty included, and the step normalisation)")
    assert_array(got, case["expected"], rtol=1e-4, atol=2e-4,
                 name=f"the image after {case['steps']} steps ({described}); your first step is right",
                 where=WHERE + " (concept to check: each backward pass adds its gradient to what img.grad "
                               "already holds, and img stays the same leaf tensor from one iteration to the "
                               "next)")


@weight(4)
@number("4.1")
def test_class_visualization_steps_with_jitter_and_blur(student, fixtures_dir, figures):
    case = cases.load(fixtures_dir, "class_vis_jitter")
    got = student.run(probes.class_visualization, case["img"], case["target"], case["seed"],
                      random_seed=case["random_seed"], num_iterations=case["steps"],
                      max_jitter=case["max_jitter"], blur_every=case["blur_every"])
    cases.show_images(figures, "The image after a step with jitter and blur", case["expected"], got)
    assert_array(got, case["expected"], rtol=1e-4, atol=2e-4,
                 name=f"the image after {case['steps']} step(s) with the default l2_reg and learning_rate, "
                      f"max_jitter={case['max_jitter']}, blur_every={case['blur_every']} (random seeded "
                      f"with {case['random_seed']}), target class {case['target']}",
                 where=WHERE + " (concept to check: the docstring's conventions on the jittered image: the step "
                               "works on img as the loop holds it, in place, and the loop's jitter is the only "
                               "randomness)")
