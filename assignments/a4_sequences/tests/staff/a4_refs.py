# STAFF ONLY
"""Hand-written float64 references of a4_sequences (staff side: autograder zip only).

Each function recomputes one graded piece in float64 from a weights dict keyed by the
reference solution's parameter names, with explicit formulas or a PyTorch module loaded
with those weights. build_fixtures.py checks every recorded eval-mode case against them
(`expected`), and hidden tests import this module by name for grade-time inputs.
"""

import math

import torch


def _get(w, key):
    """w[key], or a failure that names the missing parameter and lists the ones present."""
    if key not in w:
        raise AssertionError(
            f"the reference weights have no parameter named {key!r}; they have: {sorted(w)}")
    return w[key]


def f64(x):
    """Any tensor/array -> a float64 CPU tensor."""
    return torch.as_tensor(x).detach().to(torch.float64)


def linear(x, w, prefix):
    """x @ W^T + b for the nn.Linear stored under `prefix` in the weights dict `w`."""
    return x @ f64(_get(w, prefix + ".weight")).T + f64(_get(w, prefix + ".bias"))


def layer_norm(x, w, prefix, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * gamma + beta over the last axis (biased variance)."""
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * f64(_get(w, prefix + ".weight")) + f64(_get(w, prefix + ".bias"))


# ---------------------------------------------------------------- naive RNN / LSTM
def vanilla_rnn_step(x, h, w):
    """Closed form: z = [x, h]; output = log_softmax(layer_2(z)); hidden = tanh(layer_1(z))."""
    z = torch.cat([f64(x), f64(h)], dim=1)
    return torch.log_softmax(linear(z, w, "layer_2"), dim=1), torch.tanh(linear(z, w, "layer_1"))


def lstm_via_nn_lstm(x, w):
    """nn.LSTM (float64) with its packed weights mapped from the student's per-gate
    parameters: weight_ih_l0 = [W_ii^T; W_if^T; W_ig^T; W_io^T], and so on.
    Returns (h_T, c_T), each (N, H)."""
    d, h = f64(_get(w, "W_ii")).shape
    ref = torch.nn.LSTM(d, h, batch_first=True).double()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(torch.cat([f64(_get(w, f"W_i{g}")).T for g in "ifgo"]))
        ref.weight_hh_l0.copy_(torch.cat([f64(_get(w, f"W_h{g}")).T for g in "ifgo"]))
        ref.bias_ih_l0.copy_(torch.cat([f64(_get(w, f"b_i{g}")) for g in "ifgo"]))
        ref.bias_hh_l0.copy_(torch.cat([f64(_get(w, f"b_h{g}")) for g in "ifgo"]))
        _, (h_n, c_n) = ref(f64(x))
    return h_n[0], c_n[0]


# ---------------------------------------------------------------- seq2seq
def recurrent(x, hidden, w, prefix, kind):
    """Explicit single-layer nn.RNN/nn.LSTM (PyTorch's packed layout and gate order
    i, f, g, o) over x (N, T, E) from `hidden` ((1, N, H), or (h, c) for LSTM; None = 0).
    Returns (outputs (N, T, H), final hidden in the same structure)."""
    w_ih, w_hh = f64(_get(w, prefix + ".weight_ih_l0")), f64(_get(w, prefix + ".weight_hh_l0"))
    b = f64(_get(w, prefix + ".bias_ih_l0")) + f64(_get(w, prefix + ".bias_hh_l0"))
    n, size = x.shape[0], w_hh.shape[1]
    if hidden is None:
        h = torch.zeros(n, size, dtype=torch.float64)
        c = torch.zeros(n, size, dtype=torch.float64)
    elif kind == "LSTM":
        h, c = f64(hidden[0])[0], f64(hidden[1])[0]
    else:
        h = f64(hidden)[0]
    outs = []
    for t in range(x.shape[1]):
        pre = x[:, t] @ w_ih.T + h @ w_hh.T + b
        if kind == "LSTM":
            i, f, g, o = pre.chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        else:
            h = torch.tanh(pre)
        outs.append(h)
    final = (h[None], c[None]) if kind == "LSTM" else h[None]
    return torch.stack(outs, dim=1), final


def encoder(source, w, kind):
    """Embedding -> recurrent -> hidden = tanh(linear2(relu(linear1(h_T)))) (c_T unchanged)."""
    emb = f64(_get(w, "embedding.weight"))[torch.as_tensor(source)]
    output, hidden = recurrent(emb, None, w, "recurrent", kind)
    h = hidden[0] if kind == "LSTM" else hidden
    h = torch.tanh(linear(torch.relu(linear(h, w, "linear1")), w, "linear2"))
    return output, ((h, hidden[1]) if kind == "LSTM" else h)


def cosine_attention(hidden, encoder_outputs):
    """softmax_t(<h_n, e_nt> / (|h_n| |e_nt|)), computed element by element; (N, 1, T)."""
    h, e = f64(hidden)[0], f64(encoder_outputs)
    n, t = e.shape[0], e.shape[1]
    sims = torch.empty(n, 1, t, dtype=torch.float64)
    for i in range(n):
        for j in range(t):
            sims[i, 0, j] = torch.dot(h[i], e[i, j]) / (torch.linalg.norm(h[i]) * torch.linalg.norm(e[i, j]))
    ex = torch.exp(sims - sims.max(dim=2, keepdim=True).values)
    return ex / ex.sum(dim=2, keepdim=True)


def decoder_step(word, hidden, encoder_outputs, w, kind, attention):
    """One decoder step: embed; with attention replace h by sum_t a_t e_t; recurrent step;
    log_softmax(linear(.)). Returns (log-probabilities (N, V), new hidden)."""
    emb = f64(_get(w, "embedding.weight"))[torch.as_tensor(word)]  # (N, 1, E)
    if kind == "LSTM":
        hidden = (f64(hidden[0]), f64(hidden[1]))
    else:
        hidden = f64(hidden)
    if attention:
        h = hidden[0] if kind == "LSTM" else hidden
        a = cosine_attention(h, encoder_outputs)  # (N, 1, T)
        context = torch.einsum("nt,nth->nh", a[:, 0], f64(encoder_outputs))[None]
        hidden = (context, hidden[1]) if kind == "LSTM" else context
    out, new_hidden = recurrent(emb, hidden, w, "recurrent", kind)
    return torch.log_softmax(linear(out[:, 0], w, "linear"), dim=1), new_hidden


# ---------------------------------------------------------------- Transformer from scratch
def tt_embed(ids, w):
    """embeddingL[ids] + posembeddingL[0..T-1]."""
    ids = torch.as_tensor(ids)
    return f64(_get(w, "embeddingL.weight"))[ids] + f64(_get(w, "posembeddingL.weight"))[: ids.shape[1]]


def tt_attention(x, w):
    """norm_mh(x + P([A_1, A_2])) with A_j = softmax(Q_j K_j^T / sqrt(d_k)) V_j."""
    x = f64(x)
    heads = []
    for j in (1, 2):
        q, k, v = linear(x, w, f"q{j}"), linear(x, w, f"k{j}"), linear(x, w, f"v{j}")
        scores = torch.einsum("ntd,nsd->nts", q, k) / math.sqrt(k.shape[-1])
        heads.append(torch.einsum("nts,nsd->ntd", torch.softmax(scores, dim=-1), v))
    projected = linear(torch.cat(heads, dim=-1), w, "attention_head_projection")
    return layer_norm(x + projected, w, "norm_mh")


def tt_feedforward(x, w):
    """norm(x + ff2(relu(ff1(x))))."""
    x = f64(x)
    return layer_norm(x + linear(torch.relu(linear(x, w, "ff1")), w, "ff2"), w, "norm")


def tt_final(x, w):
    return linear(f64(x), w, "out_layer")


def tt_forward(ids, w):
    return tt_final(tt_feedforward(tt_attention(tt_embed(ids, w), w), w), w)


# ---------------------------------------------------------------- FullTransformerTranslator
def full_forward(src, tgt, w, config, pad_idx=1):
    """A float64 nn.Transformer loaded with the student's `transformer.*` weights, fed
    word + position embeddings, a causal target mask and <pad> key masks; then fc_final."""
    src, tgt = torch.as_tensor(src), torch.as_tensor(tgt)
    ref = torch.nn.Transformer(d_model=config["hidden_dim"], nhead=config["num_heads"],
                               num_encoder_layers=config["num_layers_enc"],
                               num_decoder_layers=config["num_layers_dec"],
                               dim_feedforward=config["dim_feedforward"], dropout=0.0,
                               batch_first=True).double().eval()
    state = {k[len("transformer."):]: f64(v) for k, v in w.items() if k.startswith("transformer.")}
    try:
        ref.load_state_dict(state)
    except RuntimeError as exc:
        raise AssertionError(
            "self.transformer's parameters do not match nn.Transformer(d_model=hidden_dim, nhead=num_heads, "
            "num_encoder_layers=num_layers_enc, num_decoder_layers=num_layers_dec, "
            f"dim_feedforward=dim_feedforward, batch_first=True): {str(exc)[:400]}") from None
    s = f64(_get(w, "srcembeddingL.weight"))[src] + f64(_get(w, "srcposembeddingL.weight"))[: src.shape[1]]
    t = f64(_get(w, "tgtembeddingL.weight"))[tgt] + f64(_get(w, "tgtposembeddingL.weight"))[: tgt.shape[1]]
    causal = torch.triu(torch.full((tgt.shape[1], tgt.shape[1]), float("-inf"), dtype=torch.float64), 1)
    src_pad = torch.zeros(src.shape, dtype=torch.float64).masked_fill(src == pad_idx, float("-inf"))
    tgt_pad = torch.zeros(tgt.shape, dtype=torch.float64).masked_fill(tgt == pad_idx, float("-inf"))
    with torch.no_grad():
        out = ref(s, t, tgt_mask=causal, src_key_padding_mask=src_pad,
                  tgt_key_padding_mask=tgt_pad, memory_key_padding_mask=src_pad)
    return linear(out, w, "fc_final")


# ---------------------------------------------------------------- build-time cross-check
def _inputs(spec, name):
    x = spec["inputs"]
    return x[name] if name in x else (x[name + ".0"], x[name + ".1"])


def _flat(name, value, out):
    if isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            _flat(f"{name}.{i}", item, out)
    else:
        out[name] = value
    return out


def expected(case, w):
    """{output name: float64 tensor} for a recorded case, or None when no reference applies
    (train mode: dropout masks; Seq2Seq and generation: greedy loops over the pieces)."""
    kind, spec = case["kind"], case["spec"]
    if spec.get("mode") == "train":
        return None
    if kind == "rnn":
        out = vanilla_rnn_step(spec["inputs"]["input"], spec["inputs"]["hidden"], w)
    elif kind == "lstm":
        out = lstm_via_nn_lstm(spec["inputs"]["x"], w)
    elif kind == "encoder":
        out = encoder(spec["inputs"]["source"], w, spec["kwargs"]["model_type"])
    elif kind == "attention":
        out = cosine_attention(spec["inputs"]["hidden"], spec["inputs"]["encoder_outputs"])
    elif kind == "decoder":
        out = decoder_step(spec["inputs"]["input"], _inputs(spec, "hidden"), spec["inputs"]["encoder_outputs"],
                           w, spec["kwargs"]["model_type"], spec["attention"])
    elif kind == "transformer":
        pieces = {"embed": tt_embed, "multi_head_attention": tt_attention, "feedforward_layer": tt_feedforward,
                  "final_layer": tt_final, "forward": tt_forward}
        out = pieces[spec["piece"]](spec["inputs"]["inputs"], w)
    elif kind == "full_forward":
        out = full_forward(spec["inputs"]["src"], spec["inputs"]["tgt"], w, spec["kwargs"])
    else:
        return None
    return _flat("out", out, {})
