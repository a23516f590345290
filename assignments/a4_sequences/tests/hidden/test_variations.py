"""Hidden tests: other batch sizes, lengths and layer sizes, and edge cases."""

import a4_oracles as oracle
import a4_probes as probes
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_tensor, assert_true

TOL = dict(rtol=1e-4, atol=1e-5)


def floats(rng, *shape):
    return torch.as_tensor(rng.standard_normal(shape), dtype=torch.float32)


def ids(rng, low, high, *shape):
    return torch.as_tensor(rng.integers(low, high, size=shape), dtype=torch.long)


@weight(2)
@number("1.3")
def test_lstm_other_sizes_batch_one_and_long_sequence(student, rng):
    where = "models/naive/LSTM.py, LSTM.forward"
    for n, t, d, h, seed in ((1, 12, 2, 9, 101), (6, 2, 7, 3, 102)):
        x = floats(rng, n, t, d)
        got = student.run(probes.lstm_forward, d, h, x, seed=seed)
        expected_h, expected_c = oracle.lstm_via_nn_lstm(x, got["weights"])
        assert_tensor(got["h"], expected_h, **TOL, name=f"h_t for N={n}, T={t}, D={d}, H={h}", where=where)
        assert_tensor(got["c"], expected_c, **TOL, name=f"c_t for N={n}, T={t}, D={d}, H={h}", where=where)


@weight(1)
@number("2.3")
def test_attention_batch_one_and_single_step(student, rng):
    where = "models/seq2seq/Decoder.py, Decoder.compute_attention"
    kwargs = dict(emb_size=4, encoder_hidden_size=6, decoder_hidden_size=6, output_size=9,
                  dropout=0.0, model_type="LSTM")
    for n, t in ((1, 7), (4, 1)):
        hidden, enc_out = floats(rng, 1, n, 6), floats(rng, n, t, 6)
        got = student.run(probes.decoder_attention, kwargs, hidden, enc_out, seed=103)
        assert_tensor(got, oracle.cosine_attention(hidden, enc_out), rtol=1e-5, atol=1e-6,
                      name=f"attention for N={n}, T={t}", where=where)


@weight(2)
@number("2.5")
def test_seq2seq_other_shapes(student, rng):
    where = "models/seq2seq/Seq2Seq.py, Seq2Seq.forward"
    cases = (("LSTM", False, 1, 6, 9), ("RNN", True, 5, 3, 4))
    for kind, attention, n, t, out_len in cases:
        ek = dict(input_size=10, emb_size=7, encoder_hidden_size=6, decoder_hidden_size=6,
                  dropout=0.3, model_type=kind)
        dk = dict(emb_size=5, encoder_hidden_size=6, decoder_hidden_size=6, output_size=8,
                  dropout=0.3, model_type=kind)
        enc, dec, model = student.run(probes.seq2seq_models, ek, dk, attention, 104)
        src = ids(rng, 4, 10, n, t)
        src[:, 0] = 2
        got = model(src, out_seq_len=out_len)
        enc_out, hidden = enc(src)
        word, steps = src[:, 0:1], []
        for _ in range(out_len):
            out, hidden = dec(word, hidden, enc_out, attention)
            steps.append(out)
            word = out.argmax(dim=1, keepdim=True)
        assert_tensor(got, torch.stack(steps, dim=1), rtol=1e-5, atol=1e-6,
                      name=f"{kind} Seq2Seq(attention={attention}) for N={n}, T={t}, out_seq_len={out_len}",
                      where=where)


@weight(2)
@number("3.5")
def test_transformer_default_sizes_full_length(student, rng):
    kwargs = dict(input_size=21, output_size=19, device="cpu", max_length=8)
    inputs = ids(rng, 0, 21, 2, 8)
    got = student.run(probes.transformer_piece, kwargs, "forward", inputs, seed=105)
    w = got["weights"]
    k1, ff1 = tuple(oracle._get(w, "k1.weight").shape), tuple(oracle._get(w, "ff1.weight").shape)
    assert_true(k1 == (96, 128) and ff1 == (2048, 128),
                "With the default arguments, k1 should map 128 -> 96 and ff1 128 -> 2048; got "
                f"{k1} and {ff1} (as (out, in)). "
                "Where to look: models/Transformer.py, TransformerTranslator.__init__")
    assert_tensor(got["output"], oracle.tt_forward(inputs, w), rtol=1e-4, atol=1e-4,
                  name="forward with default sizes (H=128, F=2048, d_k=d_v=d_q=96), T = max_length = 8",
                  where="models/Transformer.py, TransformerTranslator.forward")


@weight(1)
@number("4.3")
def test_generate_translation_max_len_and_padding(student, rng):
    config = dict(input_size=9, output_size=10, device="cpu", hidden_dim=8, num_heads=2,
                  dim_feedforward=16, num_layers_enc=1, num_layers_dec=2, dropout=0.1, max_length=10)
    src = ids(rng, 4, 9, 4, 5)
    src[1, 2:] = 1
    src[3, 4:] = 1
    got = student.run(probes.full_transformer_generate, config, src, 8, seed=106)
    scores = got["output"]
    if type(scores) is torch.Tensor and scores.shape == (4, 8, 10):
        feed = torch.cat([torch.full((4, 1), 2, dtype=torch.long), scores.argmax(dim=2)[:, :-1]], dim=1)
        expected = oracle.full_forward(src, feed, got["weights"], config, pad_idx=1)
    else:
        expected = torch.zeros(4, 8, 10)
    assert_tensor(scores, expected, rtol=1e-4, atol=2e-5,
                  name="generate_translation(src (4, 5) with padding, max_len=8)",
                  where="models/FullTransformer.py, FullTransformerTranslator.generate_translation")
