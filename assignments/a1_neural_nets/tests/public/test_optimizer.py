"""Task 4: L2 regularization and the SGD step (public)."""

from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_array

TWO_LAYER = "models.two_layer_nn.TwoLayerNet"


def _model_with_gradients(student, rng, D=5, H=4, C=3):
    net = student.new(TWO_LAYER, input_size=D, num_classes=C, hidden_size=H)
    weights = {"W1": rng.standard_normal((D, H)), "b1": rng.standard_normal(H),
               "W2": rng.standard_normal((H, C)), "b2": rng.standard_normal(C)}
    grads = {name: rng.standard_normal(value.shape) for name, value in weights.items()}
    net.weights = {k: v.copy() for k, v in weights.items()}
    net.gradients = {k: v.copy() for k, v in grads.items()}
    return net, weights, grads


@weight(3)
@number("4.1")
def test_regularization_adds_reg_times_weight(student, rng):
    net, weights, grads = _model_with_gradients(student, rng)
    reg = 0.05
    opt = student.new("optimizer._base_optimizer._BaseOptimizer", learning_rate=0.1, reg=reg)
    opt.apply_regularization(net)
    got = net.gradients
    where = "optimizer/_base_optimizer.py, apply_regularization"
    for name in ("W1", "W2"):
        assert_array(got[name], grads[name] + reg * weights[name], rtol=1e-10, atol=1e-12,
                     name=f"gradients['{name}'] after apply_regularization (reg={reg})",
                     where=where + " (add reg * W to the gradient of each weight matrix)")
    for name in ("b1", "b2"):
        assert_array(got[name], grads[name], rtol=0, atol=0,
                     name=f"gradients['{name}'] after apply_regularization (biases are not regularized)",
                     where=where)


@weight(3)
@number("4.2")
def test_sgd_step_updates_all_parameters(student, rng):
    net, weights, grads = _model_with_gradients(student, rng)
    lr, reg = 0.1, 0.01
    opt = student.new("optimizer.sgd.SGD", learning_rate=lr, reg=reg)
    opt.update(net)
    got = net.weights
    where = "optimizer/sgd.py, SGD.update"
    for name in ("W1", "W2"):
        expected = weights[name] - lr * (grads[name] + reg * weights[name])
        assert_array(got[name], expected, rtol=1e-10, atol=1e-12,
                     name=f"weights['{name}'] after one SGD step (lr={lr}, reg={reg})",
                     where=where + " (regularize first, then w -= lr * grad)")
    for name in ("b1", "b2"):
        assert_array(got[name], weights[name] - lr * grads[name], rtol=1e-10, atol=1e-12,
                     name=f"weights['{name}'] after one SGD step (no regularization on biases)",
                     where=where)
