"""Part 4: class visualization, one step with jitter and blur off against the closed form."""

import a3_oracles as oracles
import a3_probes as probes
import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array

WHERE = "visualizers/class_visualization.py, ClassVisualization.create_class_visualization"


@weight(8)
@number("4.1")
def test_class_visualization_step_matches_closed_form(student, rng):
    seed = 0
    img = (0.5 * rng.standard_normal((1, 3, 64, 64))).astype(np.float32)
    target = int(oracles.positive_score_labels(img, seed, rng)[0])
    l2_reg, lr = 1e-3, 25.0
    expected = oracles.class_visualization_step(img, target, seed, l2_reg, lr)
    got = student.run(probes.class_visualization_plain_steps, img, target, seed, l2_reg, lr, 1)
    assert_array(got, expected, rtol=1e-4, atol=1e-4,
                 name="the image after one step (l2_reg=1e-3, learning_rate=25, no jitter, no blur): "
                      "clamp(I + lr * g / ||g||_2) with g the gradient of S_y(I) - l2_reg * ||I||^2",
                 where=WHERE + " (task 4.1)")
