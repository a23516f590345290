"""Task 1: a vanilla RNN step and an LSTM written by hand (public).

1.1 compares with values recorded from the reference solution (layers matched by role, so
their names are yours to choose); 1.3 compares with PyTorch's nn.LSTM loaded with your gate
weights. The LSTM's sixteen parameter names are declared by the stub: the tests need them,
because nothing else tells one gate from another.
"""

import a4_cases as cases
import a4_probes as probes
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_tensor, assert_true

RNN_WHERE = "models/naive/RNN.py, VanillaRNN"
LSTM_WHERE = "models/naive/LSTM.py, LSTM"
GATE_ORDER = [f"{kind}{gate}" for gate in "ifgo" for kind in ("W_i", "W_h", "b_i", "b_h")]


def no_builtin_recurrent(types, where):
    assert_true(not types, f"The model contains built-in recurrent layers {types}; this part must be written with "
                           f"tensor operations only. Where to look: {where}.__init__")


@weight(6)
@number("1.1")
def test_rnn_step_matches_recorded(student, fixtures_dir):
    got = cases.run_and_compare(
        student, fixtures_dir, "rnn_step", "VanillaRNN(5, 7, 3) on a batch of 4",
        RNN_WHERE + ".forward (the conventions of the Elman step in the docstring: the order of x_t and h_{t-1} "
                    "in what both layers read, what the output is read from, and the activations)",
        labels={"out.0": "output (log-probabilities, (4, 3))", "out.1": "new hidden state (4, 7)"})
    no_builtin_recurrent(got["types"], RNN_WHERE)


@weight(4)
@number("1.2")
def test_lstm_parameters_named_and_shaped(student, rng):
    d = int(rng.integers(3, 8))
    h = d + int(rng.integers(1, 4))                 # D != H, so that a transposed layout shows
    got = student.run(probes.lstm_parameters, d, h)
    missing = [name for name in GATE_ORDER if name not in got["shapes"]]
    assert_true(not missing, f"LSTM({d}, {h}) should have the sixteen parameters {GATE_ORDER} (the stub declares "
                             f"these names; the tests need them to tell the gates apart); missing {missing}, found "
                             f"{got['names']}. Where to look: {LSTM_WHERE}.__init__")
    for name in GATE_ORDER:
        shape = [d, h] if name.startswith("W_i") else [h, h] if name.startswith("W_h") else [h]
        assert_true(got["shapes"][name] == shape,
                    f"{name} of LSTM(input_size={d}, hidden_size={h}) should have shape {tuple(shape)}, got "
                    f"{tuple(got['shapes'][name])}. Where to look: {LSTM_WHERE}.__init__")
    assert_true(got["is_parameter"] is True,
                f"Every gate weight and bias should be an nn.Parameter. Where to look: {LSTM_WHERE}.__init__")
    no_builtin_recurrent(got["types"], LSTM_WHERE)


def gate_weights(rng, d, h):
    """Seeded values for the sixteen parameters, by the names the stub declares."""
    shapes = {"W_i": (d, h), "W_h": (h, h), "b_i": (h,), "b_h": (h,)}
    return {name: torch.as_tensor(rng.standard_normal(shapes[name[:3]]) * 0.4, dtype=torch.float32)
            for name in GATE_ORDER}


def packed_nn_lstm(x, named):
    """PyTorch's nn.LSTM (float64) holding the same weights: it stacks the gates i, f, g, o
    row-wise and multiplies from the left, so each of ours enters transposed."""
    d, h = named["W_ii"].shape
    lib = torch.nn.LSTM(d, h, batch_first=True).double()
    with torch.no_grad():
        lib.weight_ih_l0.copy_(torch.cat([named[f"W_i{g}"].double().T for g in "ifgo"]))
        lib.weight_hh_l0.copy_(torch.cat([named[f"W_h{g}"].double().T for g in "ifgo"]))
        lib.bias_ih_l0.copy_(torch.cat([named[f"b_i{g}"].double() for g in "ifgo"]))
        lib.bias_hh_l0.copy_(torch.cat([named[f"b_h{g}"].double() for g in "ifgo"]))
        _, (h_n, c_n) = lib(x.double())
    return h_n[0], c_n[0]


@weight(10)
@number("1.3")
def test_lstm_matches_nn_lstm(student, rng):
    where = LSTM_WHERE + (".forward (the state starts at zero; the gates i, f, g, o of nn.LSTM's documentation, "
                          "with weights that multiply from the right)")
    for n, t, d, h in ((3, 6, 5, 7), (2, 1, 3, 5)):
        x = torch.as_tensor(rng.standard_normal((n, t, d)), dtype=torch.float32)
        named = gate_weights(rng, d, h)
        got = student.run(probes.lstm_forward, d, h, x, named)["outputs"]
        expected_h, expected_c = packed_nn_lstm(x, named)
        assert_true("out.0" in got and "out.1" in got,
                    f"LSTM.forward should return the pair (h_t, c_t). Where to look: {where}")
        assert_tensor(got["out.0"], expected_h, rtol=1e-4, atol=1e-5,
                      name=f"h_t after {t} step(s) for N={n}, D={d}, H={h} (nn.LSTM with your weights)", where=where)
        assert_tensor(got["out.1"], expected_c, rtol=1e-4, atol=1e-5,
                      name=f"c_t after {t} step(s) for N={n}, D={d}, H={h}", where=where)
