"""Part 1: saliency maps, compared with Captum's Saliency on the same seeded SqueezeNet."""

import a3_oracles as oracles
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array, assert_true

WHERE = "visualizers/saliency_map.py, SaliencyMap.compute_saliency_maps"


@weight(8)
@number("1.1")
def test_saliency_matches_captum(student, rng):
    seed = 0
    X = rng.standard_normal((3, 3, 64, 64)).astype(np.float32)
    y = oracles.positive_score_labels(X, seed, rng)
    expected = oracles.captum_saliency(X, y, seed)
    assert_true(bool(np.abs(expected).max() > 0), "grader: the oracle saliency is all zero (tell the staff)")
    got = student.run(probes.saliency_maps, X, y, seed)
    assert_array(got, expected, rtol=1e-4, atol=1e-5 * float(np.abs(expected).max()),
                 name="saliency maps of 3 images 64x64 (compared with captum.attr.Saliency, abs=True, "
                      "then the max over the 3 channels)",
                 where=WHERE + " (gradient of the correct-class score, not of the loss; abs, then max over dim 1)")
