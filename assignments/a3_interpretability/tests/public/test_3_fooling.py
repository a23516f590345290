"""Part 3: fooling images, checked with the same seeded SqueezeNet in the grader."""

import a3_oracles as oracles
import a3_probes as probes
from gradescope_utils.autograder_utils.decorators import number, weight

WHERE = "visualizers/fooling_image.py, FoolingImage.make_fooling_image"


@weight(8)
@number("3.1")
def test_fooling_image_is_classified_as_target(student, rng):
    X, target, steps = oracles.pick_fooling_case(seed=0, size=64, rng=rng)
    got = student.run(probes.fooling_image, X, target, 0)
    oracles.check_fooling_image(got, X, target, steps, seed=0, where=WHERE)

