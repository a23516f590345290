"""Task 4: L2 regularization and the SGD step (public).

Expected gradients and weights were recorded from the reference solution at build time
(tests/fixtures/public/a1_public.safetensors).
"""

import functools

from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_array

TWO_LAYER = "models.two_layer_nn.TwoLayerNet"
SOFTMAX_REG = "models.softmax_regression.SoftmaxRegression"
WHERE_REG = "optimizer/_base_optimizer.py, apply_regularization"
WHERE_SGD = "optimizer/sgd.py, SGD.update"


@functools.lru_cache(maxsize=2)
def _load(path):
    from safetensors.numpy import load_file

    return load_file(path)


def recorded(fixtures_dir):
    return _load(str(fixtures_dir / "public" / "a1_public.safetensors"))


def _get(mapping, name):
    return mapping.get(name) if isinstance(mapping, dict) else mapping


def _check_regularization(student, rec, key, path, names, sizes):
    net = student.new(path, **sizes)
    net.weights = {name: rec[f"{key}.{name}"] for name in names}
    net.gradients = {name: rec[f"{key}.g{name}"] for name in names}
    reg = float(rec["opt.reg"][0])
    opt = student.new("optimizer._base_optimizer._BaseOptimizer", learning_rate=float(rec["opt.lr"][0]), reg=reg)
    opt.apply_regularization(net)
    grads, weights = net.gradients, net.weights
    model = path.rsplit(".", 1)[1]
    for name in names:
        what = "a weight matrix" if name.startswith("W") else "a bias: biases are not penalized"
        assert_array(_get(grads, name), rec[f"{key}.out.g{name}"], rtol=1e-10, atol=1e-12,
                     name=f"gradients['{name}'] of a {model} after apply_regularization (reg={reg}; {what})",
                     where=WHERE_REG)
        assert_array(_get(weights, name), rec[f"{key}.{name}"], rtol=0, atol=0,
                     name=f"weights['{name}'] after apply_regularization (the weights must not change)",
                     where=WHERE_REG)


@weight(2)
@number("4.1")
def test_regularization_two_layer_net(student, fixtures_dir):
    _check_regularization(student, recorded(fixtures_dir), "reg.tl", TWO_LAYER, ("W1", "b1", "W2", "b2"),
                          {"input_size": 5, "num_classes": 3, "hidden_size": 4})


@weight(1)
@number("4.1")
def test_regularization_softmax_regression(student, fixtures_dir):
    _check_regularization(student, recorded(fixtures_dir), "reg.sr", SOFTMAX_REG, ("W1",),
                          {"input_size": 5, "num_classes": 3})


@weight(3)
@number("4.2")
def test_sgd_three_steps_with_regularization(student, fixtures_dir):
    rec = recorded(fixtures_dir)
    names = ("W1", "b1", "W2", "b2")
    net = student.new(TWO_LAYER, input_size=5, num_classes=3, hidden_size=4)
    net.weights = {name: rec[f"sgd.{name}"] for name in names}
    lr, reg = float(rec["opt.lr"][0]), float(rec["opt.reg"][0])
    opt = student.new("optimizer.sgd.SGD", learning_rate=lr, reg=reg)
    for step in range(3):
        net.gradients = {name: rec[f"sgd.step{step}.g{name}"] for name in names}
        opt.update(net)
        weights = net.weights
        for name in names:
            assert_array(_get(weights, name), rec[f"sgd.step{step}.{name}"], rtol=1e-9, atol=1e-12,
                         name=f"weights['{name}'] of a TwoLayerNet after SGD step {step + 1} of 3 "
                              f"(lr={lr}, reg={reg}, new gradients each step)",
                         where=WHERE_SGD + " (one step on the penalized loss, whose gradient is taken at the "
                               "weights before the step; biases step too, unpenalized)")
