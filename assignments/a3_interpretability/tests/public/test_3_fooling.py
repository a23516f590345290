"""Part 3: fooling images, checked with the same seeded SqueezeNet in the grader."""

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, weight

import a3_oracles as oracles
import a3_probes as probes
from autograder.testing import assert_shape, assert_true

WHERE = "visualizers/fooling_image.py, FoolingImage.make_fooling_image"


@weight(8)
@number("3.1")
def test_fooling_image_is_classified_as_target(student, rng):
    X, target, steps = oracles.pick_fooling_case(seed=0, size=64, rng=rng)
    got = student.run(probes.fooling_image, X, target, 0)
    check_fooling_image(got, X, target, steps, seed=0)


def check_fooling_image(got, X, target, steps, seed):
    before = int(np.argmax(oracles.class_scores(X, seed)[0]))
    assert_shape(got, X.shape, name="the fooling image", where=WHERE)
    assert_true(bool(np.all(np.isfinite(got))), f"The fooling image has NaN or infinite values.\n"
                f"Where to look: {WHERE} (divide by the norm of the gradient, not by zero)")
    scores = oracles.class_scores(got.astype(np.float32), seed)[0]
    top = float(scores.max())
    assert_true(bool(scores[target] >= top - 1e-5 * abs(top)),
                f"The network should classify the fooling image as class {target} (it classified the "
                f"original image as {before}), but it predicts class {int(np.argmax(scores))} "
                f"(score {top:.6g} against {float(scores[target]):.6g} for the target).\n"
                f"Where to look: {WHERE} (step along +gradient of the target score, keep going until "
                "the prediction is the target, at most 100 steps)")
    distance = float(np.linalg.norm(got.astype(np.float64) - X))
    bound = 10.0 * (steps + 2)
    assert_true(distance <= bound,
                f"The fooling image should stay close to the input: the handout's iteration reaches "
                f"class {target} after {steps} steps of L2 length 10, so it lies within {10 * steps} "
                f"of the input; yours is {distance:.4g} away (allowed: {bound:.4g}).\n"
                f"Where to look: {WHERE} (step = learning_rate * g / ||g||_2, stop as soon as the "
                "prediction is the target)")
