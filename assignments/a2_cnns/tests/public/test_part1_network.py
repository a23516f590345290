"""Part 1 (NumPy): the ConvNet's forward and backward on stand-in layers (so that a bug in one of
your layers costs the points of that layer's task only), and SGD with momentum against
torch.optim.SGD, in float64."""

import a2_probes as probes
import a2_torch_checks as torch_checks
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array, assert_scalar, assert_true

SMALL_NET = [
    {"type": "Conv2D", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 1, "padding": 1},
    {"type": "ReLU"},
    {"type": "MaxPooling", "kernel_size": 2, "stride": 2},
    {"type": "Linear", "in_dim": 3 * 3 * 3, "out_dim": 4},
]
STANDINS = ("The test replaces your layers and your loss by stand-ins of the same contract (a2_probes.py: "
            "StandInScale, StandInFold, StandInCriterion), so only the chaining is graded here")


def check_convnet_chain(student, rng, x_shape, kinds, classes):
    chain, x, y = torch_checks.standin_chain(rng, x_shape, kinds, classes)
    probs, loss, grads, dxs = student.run(probes.convnet_with_standins, chain, x, y)
    e_probs, e_loss, e_grads, e_dxs = torch_checks.standin_chain_by_torch(chain, x, y)
    label = f"ConvNet over the layers {list(kinds)} on x of shape {x_shape}"
    fwd = f"modules/conv_classifier.py forward: each module takes the output of the one before it. {STANDINS}"
    bwd = (f"modules/conv_classifier.py backward: the criterion's backward comes first, then each module's, from "
           f"the last to the first, each given the dx of the module after it. {STANDINS}")
    assert_array(probs, e_probs, name=f"{label}: probs (as the criterion returns them)", where=fwd)
    assert_scalar(loss, e_loss, name=f"{label}: loss", where=fwd)
    for i in reversed(range(len(chain))):
        assert_array(dxs[i], e_dxs[i], name=f"{label}: dx of layer {i + 1} ({kinds[i]})", where=bwd)
        if e_grads[i] is not None:
            assert_true(isinstance(grads[i], (list, tuple)) and len(grads[i]) == 2,
                        f"internal: no gradients came back for layer {i + 1}")
            assert_array(grads[i][0], e_grads[i][0], name=f"{label}: dw of layer {i + 1}", where=bwd)
            assert_array(grads[i][1], e_grads[i][1], name=f"{label}: db of layer {i + 1}", where=bwd)


@weight(3)
@number("1.7")
def test_convnet_forward_backward(student, rng):
    """ConvNet forward and backward chain the layers and the loss (on stand-in layers)"""
    check_convnet_chain(student, rng, (3, 2, 4, 4), ("scale", "fold", "scale", "fold", "scale", "fold"), 4)


def check_sgd(student, rng, steps, lr, reg, momentum):
    params = [(rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)), None, None,
              (rng.standard_normal((27, 4)), rng.standard_normal(4))]
    grads = [[None if p is None else (rng.standard_normal(p[0].shape), rng.standard_normal(p[1].shape))
              for p in params] for _ in range(steps)]
    got = student.run(probes.sgd_steps, SMALL_NET, params, grads, lr, reg, momentum)
    expected = torch_checks.sgd_by_torch(params, grads, lr, reg, momentum)
    assert_true(isinstance(got, list) and len(got) == steps, f"internal: expected {steps} snapshots")
    for k in range(steps):
        for i, name in ((0, "Conv2D"), (3, "Linear")):
            where = (f"optimizer/sgd.py update (learning_rate={lr}, reg={reg}, momentum={momentum}), after step "
                     f"{k + 1} of {steps}: each module's weight and bias keep their own velocity from one call to "
                     f"the next, and the gradient of each step includes the L2 term (weights only)")
            assert_array(got[k][i][0], expected[k][i][0], name=f"{name}.weight", where=where)
            assert_array(got[k][i][1], expected[k][i][1], name=f"{name}.bias", where=where)


@weight(3)
@number("1.8")
def test_sgd_momentum_three_steps(student, rng):
    """SGD with momentum and L2 regularization, three steps, against torch.optim.SGD"""
    check_sgd(student, rng, steps=3, lr=0.1, reg=0.01, momentum=0.9)


@weight(1)
@number("1.8")
def test_sgd_without_momentum(student, rng):
    """SGD with momentum 0 is plain gradient descent on the regularized loss"""
    check_sgd(student, rng, steps=2, lr=0.05, reg=0.1, momentum=0.0)
