"""Part 1: saliency maps, compared with Captum's Saliency (recorded at build time) on the same
seeded SqueezeNet."""

import a3_cases as cases
import a3_probes as probes
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array

WHERE = "visualizers/saliency_map.py, SaliencyMap.compute_saliency_maps"


@weight(8)
@number("1.1")
def test_saliency_matches_captum(student, fixtures_dir):
    case = cases.load(fixtures_dir, "saliency")
    expected = case["expected"]
    got = student.run(probes.saliency_maps, case["X"], case["y"], case["seed"])
    assert_array(got, expected, rtol=1e-4, atol=1e-5 * float(expected.max()),
                 name="saliency maps of 3 images of height 56 and width 72, shape (N, H, W) (compared with "
                      "captum.attr.Saliency(model).attribute(X, target=y, abs=True), then the max over the "
                      "3 channels; the labels are not the predicted classes)",
                 where=WHERE + " (the gradient of scores[i, y[i]], not of a loss or of the predicted class; "
                               "abs, then max over dim 1)")
