"""Part 1: saliency maps, compared with Captum's Saliency on the same seeded SqueezeNet (computed by
the grader on inputs drawn for this grading)."""

import a3_cases as cases
import a3_probes as probes
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, fail


@weight(8)
@number("1.1")
def test_saliency_matches_captum(student, rng, figures):
    case = cases.saliency_case(rng, 0, 3, 56, 72)
    expected = case["expected"]
    got = student.run(probes.saliency_maps, case["X"], case["y"], case["seed"])
    cases.show_batch(figures, "Saliency map", expected, got, kind="map")
    rtol, atol = 1e-4, 1e-5 * float(expected.max())
    labels, predicted = case["y"].tolist(), case["predicted"].tolist()
    if not cases.close(got, expected, rtol, atol) and cases.close(
            got, cases.saliency_of(case["X"], case["predicted"], case["seed"]), rtol, atol):
        fail(f"Your maps are those of the predicted classes {predicted}, not of the given labels {labels}.\n"
             "Concept to check: a saliency map explains the score of the class it is asked about, whatever "
             f"the model predicts.\nWhere to look: {cases.SALIENCY}")
    assert_array(got, expected, rtol=rtol, atol=atol,
                 name=f"saliency maps (N, H, W) of 3 random images of height 56 and width 72 for the labels "
                      f"{labels} (the model predicts {predicted}), compared with captum.attr.Saliency "
                      "(absolute values, then the channel reduction of the docstring)",
                 where=cases.SALIENCY + " (concept to check: the derivative of each image's own unnormalised "
                                        "score for its given label, reduced over the colour channels as the "
                                        "docstring states)")
