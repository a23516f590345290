"""The cases build_fixtures.py records (build time only; this file ships in no bundle or zip).

A case: id, task number, kind (what a4_probes builds), spec (constructor arguments, inputs,
mode, dropout seed) and the seed its weights are drawn with. Public cases exercise the
general case of every parameter: batches > 1, lengths that differ between source, target
and output, H_enc != H_dec, train mode with dropout applied, <pad> on the source and target
sides, several decoding steps. Hidden cases draw new inputs and sizes from the held-out seed.
"""

import numpy as np
import torch

PAD, SOS = 1, 2
GATES = [f"{kind}{gate}" for gate in "ifgo" for kind in ("W_i", "W_h", "b_i", "b_h")]


def _floats(rng, *shape):
    return torch.as_tensor(rng.standard_normal(shape), dtype=torch.float32)


def _ids(rng, low, high, *shape):
    return torch.as_tensor(rng.integers(low, high, size=shape), dtype=torch.long)


def _case(cid, task, kind, spec, seed):
    return {"id": cid, "task": task, "kind": kind, "spec": spec, "seed": seed}


def rnn(cid, rng, n, d, h, c, seed):
    return _case(cid, "1.1", "rnn", {"sizes": [d, h, c], "inputs": {"input": _floats(rng, n, d),
                                                                    "hidden": _floats(rng, n, h)}}, seed)


def lstm(cid, rng, n, t, d, h, seed):
    case = _case(cid, "1.3", "lstm", {"sizes": [d, h], "inputs": {"x": _floats(rng, n, t, d)}}, seed)
    case["names"] = [(g, (d, h) if g.startswith("W_i") else (h, h) if g.startswith("W_h") else (h,))
                     for g in GATES]
    return case


def enc_kwargs(kind, v, e, h_enc, h_dec, p):
    return dict(input_size=v, emb_size=e, encoder_hidden_size=h_enc, decoder_hidden_size=h_dec,
                dropout=p, model_type=kind)


def dec_kwargs(kind, v, e, h, p):
    return dict(emb_size=e, encoder_hidden_size=h, decoder_hidden_size=h, output_size=v, dropout=p,
                model_type=kind)


def encoder(cid, rng, kind, n, t, h_enc, h_dec, mode, seed, v=13, e=6):
    spec = {"kwargs": enc_kwargs(kind, v, e, h_enc, h_dec, 0.3), "inputs": {"source": _ids(rng, 0, v, n, t)},
            "mode": mode, "dropout_seed": seed}
    return _case(cid, "2.1", "encoder", spec, seed)


def decoder(cid, task, rng, kind, attention, n, t, mode, seed, v=11, e=5, h=8):
    hid = _floats(rng, 1, n, h)
    inputs = {"input": _ids(rng, 0, v, n, 1), "encoder_outputs": _floats(rng, n, t, h)}
    if kind == "LSTM":
        inputs.update({"hidden.0": hid, "hidden.1": _floats(rng, 1, n, h)})
    else:
        inputs["hidden"] = hid
    if attention:
        # 2.4 is graded on the step alone: the probe hands the student's forward these weights
        # (the staff's float64 cosine attention) when it asks compute_attention for them.
        import a4_refs

        inputs["given_attention"] = a4_refs.cosine_attention(hid, inputs["encoder_outputs"]).float()
    spec = {"kwargs": dec_kwargs(kind, v, e, h, 0.25), "inputs": inputs, "attention": attention,
            "mode": mode, "dropout_seed": seed}
    return _case(cid, task, "decoder", spec, seed)


def attention(cid, rng, n, t, h, seed, scales=None):
    enc = _floats(rng, n, t, h)
    if scales is not None:  # rows of very different norms: cosine, not dot product
        enc = enc * torch.tensor(scales, dtype=torch.float32).reshape(n, 1, 1)
    spec = {"kwargs": dec_kwargs("RNN", 9, 4, h, 0.2), "inputs": {"hidden": _floats(rng, 1, n, h),
                                                                  "encoder_outputs": enc}}
    return _case(cid, "2.3", "attention", spec, seed)


def _source(rng, v, n, t, pads=()):
    src = _ids(rng, 4, v, n, t)
    src[:, 0] = SOS
    for row, start in pads:
        src[row, start:] = PAD
    return src


def standins(cid, rng, kind, attention_on, n, t, out_len, seed, mode="eval"):
    """Seq2Seq over the stand-in encoder and decoder of a4_probes (2.5 is graded on these alone,
    so that a bug in the student's Encoder or Decoder costs points in 2.1-2.4 only). In train
    mode the stand-ins apply dropout (probability ``dropout``) to their word vectors."""
    spec = {"model_type": kind, "attention": attention_on, "src_vocab": 13, "tgt_vocab": 11, "hidden": 8,
            "seed": seed, "out_seq_len": out_len, "mode": mode, "dropout": 0.3, "dropout_seed": seed,
            "inputs": {"source": _source(rng, 13, n, t)}}
    return _case(cid, "2.5", "standins", spec, seed)


SMALL_TT = dict(input_size=17, output_size=13, device="cpu", hidden_dim=16, num_heads=2,
                dim_feedforward=24, dim_k=6, dim_v=5, dim_q=6, max_length=10)
SMALL_FULL = dict(input_size=15, output_size=12, device="cpu", hidden_dim=16, num_heads=2,
                  dim_feedforward=24, num_layers_enc=2, num_layers_dec=2, dropout=0.2, max_length=12)


def transformer(cid, task, piece, inputs, seed, kwargs=SMALL_TT):
    return _case(cid, task, "transformer", {"kwargs": dict(kwargs), "piece": piece, "inputs": {"inputs": inputs}},
                 seed)


def padded_pair(rng, n=3, s=7, t=6):
    src = _ids(rng, 4, 15, n, s)
    src[0, 5:] = PAD
    src[2, 3:] = PAD
    tgt = _ids(rng, 4, 12, n, t)
    tgt[:, 0] = SOS
    tgt[1, 4:] = PAD
    return src, tgt


#: The public cases: (id, maker(rng, seed), the seed of the students' set). The students' set
#: (and the fallback of a rejected draw) draws every input from one generator seeded 2024, in
#: this order, with these weight seeds; a draw gives each case a generator and a seed of its own.
PUBLIC = [
    ("rnn_step", lambda rng, s: rnn("rnn_step", rng, n=4, d=5, h=7, c=3, seed=s), 11),
    ("encoder_rnn_eval", lambda rng, s: encoder("encoder_rnn_eval", rng, "RNN", n=3, t=5, h_enc=9, h_dec=7,
                                                mode="eval", seed=s), 21),
    ("encoder_lstm_train", lambda rng, s: encoder("encoder_lstm_train", rng, "LSTM", n=4, t=6, h_enc=8, h_dec=8,
                                                  mode="train", seed=s), 22),
    ("decoder_rnn_eval", lambda rng, s: decoder("decoder_rnn_eval", "2.2", rng, "RNN", False, n=3, t=4,
                                                mode="eval", seed=s), 23),
    ("decoder_lstm_train", lambda rng, s: decoder("decoder_lstm_train", "2.2", rng, "LSTM", False, n=2, t=4,
                                                  mode="train", seed=s), 24),
    ("attention_norms", lambda rng, s: attention("attention_norms", rng, n=3, t=5, h=8, seed=s,
                                                 scales=[0.5, 1.0, 3.0]), 25),
    ("decoder_rnn_attention_train", lambda rng, s: decoder("decoder_rnn_attention_train", "2.4", rng, "RNN", True,
                                                           n=3, t=5, mode="train", seed=s), 26),
    ("decoder_lstm_attention_eval", lambda rng, s: decoder("decoder_lstm_attention_eval", "2.4", rng, "LSTM", True,
                                                           n=2, t=3, mode="eval", seed=s), 27),
    ("s2s_rnn_longer", lambda rng, s: standins("s2s_rnn_longer", rng, "RNN", False, n=3, t=5, out_len=6, seed=s),
     28),
    ("s2s_lstm_attention_shorter", lambda rng, s: standins("s2s_lstm_attention_shorter", rng, "LSTM", True, n=2,
                                                           t=4, out_len=3, seed=s), 29),
    ("s2s_default_length", lambda rng, s: standins("s2s_default_length", rng, "RNN", True, n=2, t=7, out_len=None,
                                                   seed=s), 30),
    ("s2s_lstm_attention_train", lambda rng, s: standins("s2s_lstm_attention_train", rng, "LSTM", True, n=3, t=5,
                                                         out_len=6, seed=s, mode="train"), 31),
    ("tt_embed", lambda rng, s: transformer("tt_embed", "3.1", "embed", _ids(rng, 0, 17, 3, 7), seed=s), 32),
    ("tt_attention", lambda rng, s: transformer("tt_attention", "3.2", "multi_head_attention",
                                                _floats(rng, 2, 6, 16), seed=s), 33),
    ("tt_feedforward", lambda rng, s: transformer("tt_feedforward", "3.3", "feedforward_layer",
                                                  _floats(rng, 3, 4, 16), seed=s), 34),
    ("tt_final", lambda rng, s: transformer("tt_final", "3.4", "final_layer", _floats(rng, 2, 5, 16), seed=s), 35),
    ("tt_forward_full_length", lambda rng, s: transformer("tt_forward_full_length", "3.5", "forward",
                                                          _ids(rng, 0, 17, 4, 10), seed=s), 36),
    ("tt_forward_short", lambda rng, s: transformer("tt_forward_short", "3.5", "forward", _ids(rng, 0, 17, 2, 3),
                                                    seed=s), 37),
    ("full_forward_padded", lambda rng, s: _full_forward(rng, s), 41),
    ("full_generate", lambda rng, s: _full_generate(rng, s), 44),
]


def _full_forward(rng, seed):
    src, tgt = padded_pair(rng)
    return _case("full_forward_padded", "4.2", "full_forward",
                 {"kwargs": dict(SMALL_FULL), "inputs": {"src": src, "tgt": tgt}}, seed)


def _full_generate(rng, seed):
    src, _ = padded_pair(rng)
    return _case("full_generate", "4.3", "full_generate", {"kwargs": dict(SMALL_FULL), "inputs": {"src": src},
                                                           "max_len": None}, seed)


def public_cases():
    """The students' set: one generator seeded 2024 for every input, the listed weight seeds."""
    rng = np.random.default_rng(2024)
    return [make(rng, seed) for _, make, seed in PUBLIC]


def public_case(cid, seed):
    """Public case ``cid`` with the inputs and weights of ``seed`` (one draw of it)."""
    make = next(m for c, m, _ in PUBLIC if c == cid)
    return make(np.random.default_rng([seed, 1]), _weight_seed(seed))


def _weight_seed(seed):
    return int(np.random.default_rng([seed, 2]).integers(1, 2**31 - 1))


DEFAULT_TT = dict(input_size=21, output_size=19, device="cpu", max_length=8)
SMALL_FULL_HIDDEN = dict(input_size=9, output_size=10, device="cpu", hidden_dim=8, num_heads=2, dim_feedforward=16,
                         num_layers_enc=1, num_layers_dec=2, dropout=0.1, max_length=10)


def _generate_max_len(rng, seed):
    src = _ids(rng, 4, 9, 4, 5)
    src[1, 2:] = PAD
    src[3, 4:] = PAD
    return _case("h_full_generate_max_len", "4.3", "full_generate",
                 {"kwargs": dict(SMALL_FULL_HIDDEN), "inputs": {"src": src}, "max_len": 8}, seed)


#: The hidden cases: (id, maker(rng, seed)). Each draw gives each case a generator and a seed.
HIDDEN = [
    ("h_lstm_batch_one_long", lambda rng, s: lstm("h_lstm_batch_one_long", rng, n=1, t=12, d=2, h=9, seed=s)),
    ("h_lstm_wide_short", lambda rng, s: lstm("h_lstm_wide_short", rng, n=6, t=2, d=7, h=3, seed=s)),
    ("h_attention_batch_one", lambda rng, s: attention("h_attention_batch_one", rng, n=1, t=7, h=6, seed=s)),
    ("h_attention_single_step", lambda rng, s: attention("h_attention_single_step", rng, n=4, t=1, h=6, seed=s)),
    ("h_s2s_lstm_batch_one", lambda rng, s: standins("h_s2s_lstm_batch_one", rng, "LSTM", False, n=1, t=6, out_len=9,
                                                     seed=s)),
    ("h_s2s_rnn_attention_train", lambda rng, s: standins("h_s2s_rnn_attention_train", rng, "RNN", True, n=5, t=3,
                                                          out_len=4, seed=s, mode="train")),
    ("h_tt_default_sizes", lambda rng, s: transformer("h_tt_default_sizes", "3.5", "forward", _ids(rng, 0, 21, 2, 8),
                                                      seed=s, kwargs=DEFAULT_TT)),
    ("h_full_generate_max_len", _generate_max_len),
]

def hidden_case(cid, seed):
    """Hidden case ``cid`` with the inputs and weights of ``seed``."""
    make = next(m for c, m in HIDDEN if c == cid)
    return make(np.random.default_rng([seed, 4]), _weight_seed(seed) % 1_000_000 + 1000)


def kind_of(cid):
    """The kind of case ``cid`` (what a4_probes builds for it)."""
    makers = {c: m for c, m, _ in PUBLIC} | dict(HIDDEN)
    return makers[cid](np.random.default_rng(0), 1)["kind"]


#: Seeds whose case is well conditioned (no near-tie in its greedy decoding), for every case that
#: is screened: the fallbacks of a draw whose tries are all rejected (the draw picks one). They
#: are not the students' set, so that replaying the bundle's values earns nothing on Gradescope;
#: tests/test_a4_sequences_cases.py checks that each still passes the screen.
KNOWN_GOOD_PUBLIC = {
    "s2s_rnn_longer": [1000, 1001, 1002, 1003],
    "s2s_lstm_attention_shorter": [1001, 1002, 1003, 1004],
    "s2s_default_length": [1000, 1001, 1002, 1003],
    "s2s_lstm_attention_train": [1000, 1001, 1002, 1003],
    "full_generate": [1000, 1001, 1002, 1003],
}
KNOWN_GOOD_HIDDEN = {
    "h_s2s_lstm_batch_one": [1000, 1001, 1002, 1003],
    "h_s2s_rnn_attention_train": [1000, 1001, 1002, 1003],
    "h_full_generate_max_len": [1000, 1001, 1002, 1003],
}
