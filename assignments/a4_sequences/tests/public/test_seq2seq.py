"""Task 2: seq2seq encoder, decoder with cosine attention, greedy decoding (public)."""

import a4_oracles as oracle
import a4_probes as probes
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_shape, assert_tensor, assert_true

ENC = "models/seq2seq/Encoder.py, Encoder."
DEC = "models/seq2seq/Decoder.py, Decoder."
S2S = "models/seq2seq/Seq2Seq.py, Seq2Seq.forward"
TOL = dict(rtol=1e-4, atol=1e-5)


def floats(rng, *shape):
    return torch.as_tensor(rng.standard_normal(shape), dtype=torch.float32)


def ids(rng, high, *shape):
    return torch.as_tensor(rng.integers(0, high, size=shape), dtype=torch.long)


def enc_kwargs(kind, v=13, e=6, h_enc=8, h_dec=8):
    return dict(input_size=v, emb_size=e, encoder_hidden_size=h_enc, decoder_hidden_size=h_dec,
                dropout=0.2, model_type=kind)


def dec_kwargs(kind, v=11, e=5, h=8):
    return dict(emb_size=e, encoder_hidden_size=h, decoder_hidden_size=h, output_size=v,
                dropout=0.2, model_type=kind)


def check_hidden(got, expected, kind, name, where):
    if kind == "LSTM":
        assert_true(type(got) in (tuple, list) and len(got) == 2,
                    f"{name}: an LSTM's hidden state should be the pair (h, c), got {type(got).__name__}. "
                    f"Where to look: {where}")
        assert_tensor(got[0], expected[0], **TOL, name=name + " h", where=where)
        assert_tensor(got[1], expected[1], **TOL, name=name + " c", where=where)
    else:
        assert_tensor(got, expected, **TOL, name=name, where=where)


def check_encoder(student, rng, kind, h_enc, h_dec, n, t, seed):
    src = ids(rng, 13, n, t)
    got = student.run(probes.encoder_forward, enc_kwargs(kind, h_enc=h_enc, h_dec=h_dec), src, seed=seed)
    out, hidden = oracle.encoder(src, got["weights"], kind)
    where = ENC + "forward (embedding -> dropout -> recurrent; hidden = tanh(linear2(relu(linear1(h_T)))))"
    assert_tensor(got["output"], out, **TOL, name=f"{kind} encoder output for a ({n}, {t}) source", where=where)
    check_hidden(got["hidden"], hidden, kind, f"{kind} encoder hidden state", where)


@weight(4)
@number("2.1")
def test_encoder_rnn_matches_oracle(student, rng):
    check_encoder(student, rng, "RNN", h_enc=9, h_dec=7, n=3, t=5, seed=21)


@weight(4)
@number("2.1")
def test_encoder_lstm_matches_oracle(student, rng):
    check_encoder(student, rng, "LSTM", h_enc=8, h_dec=8, n=4, t=6, seed=22)


def check_decoder_step(student, rng, kind, attention, n, t, seed):
    word = ids(rng, 11, n, 1)
    h = floats(rng, 1, n, 8)
    hidden = (h, floats(rng, 1, n, 8)) if kind == "LSTM" else h
    enc_out = floats(rng, n, t, 8)
    got = student.run(probes.decoder_forward, dec_kwargs(kind), word, hidden, enc_out, attention, seed=seed)
    out, new_hidden = oracle.decoder_step(word, hidden, enc_out, got["weights"], kind, attention)
    where = DEC + ("forward with attention=True (replace h by the context, keep c)" if attention
                   else "forward with attention=False")
    assert_tensor(got["output"], out, **TOL,
                  name=f"{kind} decoder log-probabilities (N={n}, V=11)", where=where)
    check_hidden(got["hidden"], new_hidden, kind, f"{kind} decoder new hidden state", where)


@weight(6)
@number("2.2")
def test_decoder_step_without_attention(student, rng):
    check_decoder_step(student, rng, "RNN", False, n=3, t=4, seed=23)
    check_decoder_step(student, rng, "LSTM", False, n=2, t=4, seed=24)


@weight(6)
@number("2.3")
def test_attention_is_cosine_softmax(student, rng):
    hidden = floats(rng, 1, 3, 8)
    enc_out = floats(rng, 3, 5, 8) * torch.tensor([0.5, 1.0, 3.0]).reshape(3, 1, 1)  # norms matter
    got = student.run(probes.decoder_attention, dec_kwargs("RNN"), hidden, enc_out, seed=25)
    where = DEC + "compute_attention (cosine similarity, then softmax over time)"
    assert_shape(got, (3, 1, 5), name="attention for N=3, T=5", where=where)
    assert_tensor(got, oracle.cosine_attention(hidden, enc_out), rtol=1e-5, atol=1e-6,
                  name="attention weights softmax_t(cos(h, e_t))", where=where)


@weight(6)
@number("2.4")
def test_decoder_step_with_attention(student, rng):
    check_decoder_step(student, rng, "RNN", True, n=3, t=5, seed=26)
    check_decoder_step(student, rng, "LSTM", True, n=2, t=3, seed=27)


def loop_reference(student, kind, attention, src, out_len, seed):
    """Seq2Seq's output next to a step-by-step loop over the student's own encoder/decoder."""
    enc, dec, model = student.run(probes.seq2seq_models, enc_kwargs(kind), dec_kwargs(kind), attention, seed)
    got = model(src) if out_len is None else model(src, out_seq_len=out_len)
    enc_out, hidden = enc(src)
    word = src[:, 0:1]
    steps = []
    for _ in range(src.shape[1] if out_len is None else out_len):
        out, hidden = dec(word, hidden, enc_out, attention)
        assert_true(type(out) is torch.Tensor, f"Decoder.forward should return a tensor, got {type(out).__name__}. "
                                               f"Where to look: {DEC}forward")
        steps.append(out)
        word = out.argmax(dim=1, keepdim=True)
    return got, torch.stack(steps, dim=1)


@weight(8)
@number("2.5")
def test_seq2seq_greedy_decoding_matches_step_loop(student, rng):
    for kind, attention, n, t, out_len in (("RNN", False, 3, 5, 6), ("LSTM", True, 2, 4, 3)):
        src = ids(rng, 13, n, t)
        src[:, 0] = 2
        got, expected = loop_reference(student, kind, attention, src, out_len, seed=28)
        assert_tensor(got, expected, rtol=1e-5, atol=1e-6,
                      name=f"{kind} Seq2Seq(attention={attention}) outputs for a ({n}, {t}) source and "
                           f"out_seq_len={out_len}, against a step-by-step loop over your Encoder/Decoder",
                      where=S2S + " (feed source[:, 0:1] first, then the argmax of each step)")


@weight(2)
@number("2.5")
def test_seq2seq_default_length_is_source_length(student, rng):
    src = ids(rng, 13, 2, 7)
    src[:, 0] = 2
    got, expected = loop_reference(student, "RNN", True, src, None, seed=29)
    assert_tensor(got, expected, rtol=1e-5, atol=1e-6,
                  name="Seq2Seq outputs with out_seq_len=None (decode T=7 steps)", where=S2S)
