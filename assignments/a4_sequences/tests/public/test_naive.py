"""Task 1: a vanilla RNN step and an LSTM written by hand (public)."""

import a4_oracles as oracle
import a4_probes as probes
import numpy as np
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_shape, assert_tensor, assert_true

RNN_WHERE = "models/naive/RNN.py, VanillaRNN."
LSTM_WHERE = "models/naive/LSTM.py, LSTM."
GATE_ORDER = [f"{kind}{gate}" for gate in "ifgo" for kind in ("W_i", "W_h", "b_i", "b_h")]
BUILTIN_RECURRENT = {"RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"}


def floats(rng, *shape):
    return torch.as_tensor(rng.standard_normal(shape), dtype=torch.float32)


def no_builtin_recurrent(types, where):
    used = sorted(BUILTIN_RECURRENT & set(types))
    assert_true(not used, f"The model contains built-in recurrent layers {used}; this part must be "
                          f"written with tensor operations only. Where to look: {where}__init__")


@weight(6)
@number("1.1")
def test_rnn_step_matches_closed_form(student, rng):
    x, h = floats(rng, 4, 5), floats(rng, 4, 7)
    got = student.run(probes.rnn_step, [5, 7, 3], x, h, seed=11)
    w = got["weights"]
    for name, shape in (("layer_1.weight", (7, 12)), ("layer_2.weight", (3, 12))):
        assert_true(name in w, f"VanillaRNN(5, 7, 3) should have a parameter {name!r}; found "
                               f"{sorted(w)}. Where to look: {RNN_WHERE}__init__")
        assert_shape(w[name], shape, name=f"{name} of VanillaRNN(5, 7, 3) (Linear on [input, hidden])",
                     where=RNN_WHERE + "__init__")
    no_builtin_recurrent(got["types"], RNN_WHERE)
    expected_out, expected_h = oracle.vanilla_rnn_step(x, h, w)
    assert_tensor(got["output"], expected_out, rtol=1e-4, atol=1e-5,
                  name="output = log_softmax(layer_2([input, hidden])) for N=4, D=5, H=7, C=3",
                  where=RNN_WHERE + "forward (concatenate input THEN hidden; LogSoftmax over dim 1)")
    assert_tensor(got["hidden"], expected_h, rtol=1e-4, atol=1e-5,
                  name="new hidden = tanh(layer_1([input, hidden]))", where=RNN_WHERE + "forward")


@weight(4)
@number("1.2")
def test_lstm_parameters_named_in_order(student):
    got = student.run(probes.lstm_parameters, 6, 4)
    assert_true(got["names"] == GATE_ORDER,
                f"LSTM(6, 4).named_parameters() should list {GATE_ORDER} in that order (gate by gate "
                f"i, f, g, o), got {got['names']}. Where to look: {LSTM_WHERE}__init__")
    for name in GATE_ORDER:
        shape = [6, 4] if name.startswith("W_i") else [4, 4] if name.startswith("W_h") else [4]
        assert_true(got["shapes"][name] == shape,
                    f"{name} of LSTM(input_size=6, hidden_size=4) should have shape {tuple(shape)}, got "
                    f"{tuple(got['shapes'][name])}. Where to look: {LSTM_WHERE}__init__")
    assert_true(got["is_parameter"] is True,
                f"Every gate weight and bias should be an nn.Parameter. Where to look: {LSTM_WHERE}__init__")
    no_builtin_recurrent(got["types"], LSTM_WHERE)


@weight(8)
@number("1.3")
def test_lstm_matches_nn_lstm(student, rng):
    x = floats(rng, 3, 6, 5)
    got = student.run(probes.lstm_forward, 5, 7, x, seed=12)
    expected_h, expected_c = oracle.lstm_via_nn_lstm(x, got["weights"])
    where = LSTM_WHERE + "forward (gates i, f, g, o; c_t = f*c + i*g; h_t = o*tanh(c_t))"
    assert_tensor(got["h"], expected_h, rtol=1e-4, atol=1e-5,
                  name="h_t after 6 steps (nn.LSTM with your weights packed as [W_ii;W_if;W_ig;W_io]^T)",
                  where=where)
    assert_tensor(got["c"], expected_c, rtol=1e-4, atol=1e-5, name="c_t after 6 steps", where=where)


@weight(2)
@number("1.3")
def test_lstm_single_step_from_zero_state(student, rng):
    x = floats(rng, 2, 1, 3)
    got = student.run(probes.lstm_forward, 3, 5, x, seed=13)
    w = got["weights"]
    xt = oracle.f64(x)[:, 0]
    gate = {g: xt @ oracle.f64(w[f"W_i{g}"]) + oracle.f64(w[f"b_i{g}"]) + oracle.f64(w[f"b_h{g}"]) for g in "ifgo"}
    c = torch.sigmoid(gate["i"]) * torch.tanh(gate["g"])            # h_0 = c_0 = 0
    h = torch.sigmoid(gate["o"]) * torch.tanh(c)
    where = LSTM_WHERE + "forward (start from h_0 = c_0 = 0)"
    assert_tensor(got["h"], h, rtol=1e-4, atol=1e-5, name="h_1 of a one-step sequence", where=where)
    assert_tensor(got["c"], c, rtol=1e-4, atol=1e-5, name="c_1 of a one-step sequence", where=where)
    assert_true(bool(np.isfinite(got["h"].numpy()).all()), "h_1 should be finite. Where to look: " + where)
