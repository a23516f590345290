"""Probes for a4_sequences: they run INSIDE the sandbox worker on the student's code, and at
build time on the reference solution, which is how the expected values are recorded.

Every case builds the module under test, puts known weights into it by role (see
a4_binding), sets train or eval mode, runs one call with reproducible dropout and returns
what came back as a flat {name: tensor} dict. The probes hold no expected values and
compute nothing the student has to write: the grader compares their outputs with values
recorded from the reference solution.
"""

import a4_binding as binding
import numpy as np

TRANSFORMER_PINNED = ("k1", "v1", "q1", "k2", "v2", "q2")   # given by the stub, same shapes
FULL_PINNED = ("srcembeddingL", "tgtembeddingL", "srcposembeddingL", "tgtposembeddingL")
WHERE = {
    "rnn": "models/naive/RNN.py, VanillaRNN",
    "lstm": "models/naive/LSTM.py, LSTM",
    "encoder": "models/seq2seq/Encoder.py, Encoder",
    "decoder": "models/seq2seq/Decoder.py, Decoder",
    "transformer": "models/Transformer.py, TransformerTranslator.__init__",
    "full": "models/FullTransformer.py, FullTransformerTranslator.__init__",
}
BUILTIN = {"RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "MultiheadAttention", "Transformer",
           "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer", "TransformerDecoderLayer"}


def _torch():
    import torch

    return torch


def flatten(name, value, out):
    """Tensors under their name; tuples and lists as name.0, name.1, ...; anything else as None."""
    torch = _torch()
    if type(value) is torch.Tensor:
        out[name] = value.detach().cpu()
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            flatten(f"{name}.{i}", item, out)
    else:
        out[name] = None
    return out


def builtin_types(model):
    """Names of the built-in recurrent/attention modules inside ``model``."""
    return sorted({type(m).__name__ for m in model.modules()
                   if type(m).__module__.startswith("torch.") and type(m).__name__ in BUILTIN})


# ---------------------------------------------------------------- building the module under test
def _build(kind, spec):
    """(model, call) for one case; ``call()`` runs the graded piece on the case's inputs."""
    x = spec["inputs"]
    kw = spec.get("kwargs", {})
    if kind == "rnn":
        from models.naive.RNN import VanillaRNN

        model = VanillaRNN(*spec["sizes"])
        return model, lambda: model(x["input"], x["hidden"])
    if kind == "encoder":
        from models.seq2seq.Encoder import Encoder

        model = Encoder(**kw)
        return model, lambda: model(x["source"])
    if kind == "attention":
        from models.seq2seq.Decoder import Decoder

        model = Decoder(**kw)
        return model, lambda: model.compute_attention(x["hidden"], x["encoder_outputs"])
    if kind == "decoder":
        from models.seq2seq.Decoder import Decoder

        model = Decoder(**kw)
        hidden = _hidden(x, "hidden")
        if "given_attention" in x:
            _hand_over_attention(model, x["given_attention"], hidden, x["encoder_outputs"])
        return model, lambda: model(x["input"], hidden, encoder_outputs=x.get("encoder_outputs"),
                                    attention=spec["attention"])
    if kind == "transformer":
        from models.Transformer import TransformerTranslator

        model = TransformerTranslator(**kw)
        return model, lambda: getattr(model, spec["piece"])(x["inputs"])
    if kind in ("full_forward", "full_generate"):
        from models.FullTransformer import FullTransformerTranslator

        model = FullTransformerTranslator(**kw)
        if kind == "full_forward":
            return model, lambda: model(x["src"], x["tgt"])
        if spec.get("max_len") is None:
            return model, lambda: model.generate_translation(x["src"])
        return model, lambda: model.generate_translation(x["src"], max_len=spec["max_len"])
    raise ValueError(f"unknown case kind {kind!r}")


def _hand_over_attention(model, weights, hidden, encoder_outputs):
    """Make the decoder's compute_attention answer ``weights`` when it is asked for the weights of
    the hidden state handed in (h of the pair for an LSTM) over these encoder outputs, and run the
    student's own method for any other question. So a step with attention is graded on the step
    alone: a mistake in compute_attention costs points in 2.3 only."""
    torch = _torch()
    h = hidden[0] if isinstance(hidden, tuple) else hidden
    own = model.compute_attention

    def compute_attention(asked_hidden, asked_outputs):
        if (type(asked_hidden) is torch.Tensor and type(asked_outputs) is torch.Tensor
                and asked_hidden.shape == h.shape and asked_outputs.shape == encoder_outputs.shape
                and torch.equal(asked_hidden, h) and torch.equal(asked_outputs, encoder_outputs)):
            return weights.clone()
        return own(asked_hidden, asked_outputs)

    model.compute_attention = compute_attention


def _seq2seq_call(model, source, out_seq_len):
    if out_seq_len is None:
        return lambda: model(source)
    return lambda: model(source, out_seq_len=out_seq_len)


def _hidden(inputs, name):
    """inputs[name], or the pair (inputs[name.0], inputs[name.1]) for an LSTM's (h, c)."""
    if name in inputs:
        return inputs[name]
    return (inputs[name + ".0"], inputs[name + ".1"])


def _pinned(kind):
    return TRANSFORMER_PINNED if kind == "transformer" else FULL_PINNED if kind.startswith("full") else ()


def _where(kind):
    return WHERE["full" if kind.startswith("full") else kind]


def run_case(kind, spec, recorded=None, tensors=None, seed=0):
    """Run one case. With ``recorded`` roles and ``tensors`` (the grader's), load them by role;
    without (build time), draw weights with ``seed`` and return them too.

    Returns {"outputs": {name: tensor or None}, "types": [...], and at build time "roles",
    "tensors"}.
    """
    torch = _torch()
    torch.manual_seed(0)  # whatever the student's code draws at construction, the same each time
    model, call = _build(kind, spec)
    model.eval()
    result = {"types": builtin_types(model)}
    if kind == "attention":  # no parameter takes part
        result["roles"], result["tensors"] = [], []
    elif recorded is None:
        result["roles"], result["tensors"] = binding.draw(model, call, _pinned(kind), seed)
    else:
        binding.bind(model, call, recorded, tensors, _where(kind))
    model.train(spec.get("mode", "eval") == "train")
    with binding.ReproducibleDropout(spec.get("dropout_seed", 0)):
        with torch.no_grad():
            value = call()
    result["outputs"] = flatten("out", value, {})
    return result


def bound_model(kind, spec, recorded, tensors):
    """The student's model of a case with the recorded weights, in eval mode (a handle for
    property tests that call it several times)."""
    model, call = _build(kind, spec)
    model.eval()
    binding.bind(model, call, recorded, tensors, _where(kind))
    return model


def transformer_dropouts(spec):
    """The dropout probabilities inside a FullTransformerTranslator's nn.Transformer."""
    model, _ = _build("full_forward", spec)
    inner = [m for m in model.modules() if type(m).__name__ == "Transformer"]
    if not inner:
        return []
    found = {float(m.p) for m in inner[0].modules() if type(m).__name__ == "Dropout"}
    found |= {float(m.dropout) for m in inner[0].modules() if type(m).__name__ == "MultiheadAttention"}
    return sorted(found)


# ---------------------------------------------------------------- the hand-written LSTM (names are the contract)
def lstm_parameters(input_size, hidden_size):
    """Names (in declaration order), shapes and kinds of the LSTM's parameters."""
    from models.naive.LSTM import LSTM

    torch = _torch()
    lstm = LSTM(input_size, hidden_size)
    return {"names": [n for n, _ in lstm.named_parameters()],
            "shapes": {n: list(p.shape) for n, p in lstm.named_parameters()},
            "is_parameter": all(type(p) is torch.nn.Parameter for p in lstm.parameters()),
            "types": builtin_types(lstm)}


def lstm_forward(input_size, hidden_size, x, named):
    """LSTM(input_size, hidden_size) with the given {parameter name: tensor}, forward on x."""
    from models.naive.LSTM import LSTM

    torch = _torch()
    lstm = LSTM(input_size, hidden_size)
    own = dict(lstm.named_parameters())
    missing = sorted(set(named) - set(own))
    if missing:
        raise binding.roles.RoleMismatch(
            f"LSTM has no parameter named {missing[0]!r}; the stub declares the sixteen names W_i*, W_h*, "
            f"b_i*, b_h* (gates i, f, g, o). Where to look: {WHERE['lstm']}.__init__")
    with torch.no_grad():
        for name, value in named.items():
            own[name].copy_(torch.as_tensor(value).to(own[name].dtype))
        value = lstm(x)
    return {"outputs": flatten("out", value, {}), "types": builtin_types(lstm)}


# ---------------------------------------------------------------- Seq2Seq alone, on stand-ins
class _StandIn:
    """Shared maker of the stand-ins' fixed tables (NumPy, so the same on every machine)."""

    @staticmethod
    def table(seed, *shape):
        torch = _torch()
        return torch.as_tensor(np.random.default_rng(seed).standard_normal(shape), dtype=torch.float32)


def standin_encoder(vocab, hidden, kind, seed, dropout=0.0):
    """Not the task: a fixed module with the Encoder's interface and the attributes the course's
    Encoder sets (input_size, emb_size, encoder_hidden_size, decoder_hidden_size, model_type), so
    that Seq2Seq is graded on its own. Its outputs depend on every source word; in train mode it
    applies dropout to its word vectors, once per call."""
    torch = _torch()

    class StandInEncoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.input_size = vocab
            self.emb_size = hidden
            self.encoder_hidden_size = hidden
            self.decoder_hidden_size = hidden
            self.model_type = kind
            self.register_buffer("words", _StandIn.table(seed, vocab, hidden))

        def forward(self, input):
            x = torch.nn.functional.dropout(self.words[input], dropout, training=self.training)
            outputs = torch.tanh(0.5 * x.cumsum(dim=1))  # (N, T, H)
            h = outputs[:, -1][None]
            return outputs, ((h, -h) if kind == "LSTM" else h)

    return StandInEncoder()


def standin_decoder(vocab, hidden, kind, seed, dropout=0.0):
    """Not the task: a fixed module with the Decoder's interface and the attributes the course's
    Decoder sets (emb_size, encoder_hidden_size, decoder_hidden_size, output_size, model_type). Its
    scores depend on the word fed in, the hidden state, and (with attention only) the encoder
    outputs; in train mode it applies dropout to the word's vector, once per step."""
    torch = _torch()

    class StandInDecoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb_size = hidden
            self.encoder_hidden_size = hidden
            self.decoder_hidden_size = hidden
            self.output_size = vocab
            self.model_type = kind
            self.register_buffer("words", _StandIn.table(seed + 1, vocab, hidden))
            self.register_buffer("read", _StandIn.table(seed + 2, hidden, vocab))

        def forward(self, input, hidden, encoder_outputs=None, attention=False):
            if type(input) is not torch.Tensor or input.dim() != 2 or input.shape[1] != 1:
                raise ValueError("Seq2Seq must feed the decoder the previous word ids as an (N, 1) tensor, got "
                                 f"{getattr(input, 'shape', type(input).__name__)}")
            h = hidden[0] if kind == "LSTM" else hidden
            x = torch.nn.functional.dropout(self.words[input[:, 0]], dropout, training=self.training)
            if attention:
                x = x + encoder_outputs.mean(dim=1)
            new_h = torch.tanh(0.8 * h + x[None])
            scores = torch.log_softmax(2.0 * new_h[0] @ self.read, dim=1)
            return scores, ((new_h, 0.9 * hidden[1]) if kind == "LSTM" else new_h)

    return StandInDecoder()


def seq2seq_standins(spec, source):
    """The student's Seq2Seq over the stand-ins, in the case's mode (train: the stand-ins' dropout
    draws reproducible masks in the order of the calls); returns its outputs."""
    from models.seq2seq.Seq2Seq import Seq2Seq

    torch = _torch()
    kind, seed, p = spec["model_type"], spec["seed"], spec.get("dropout", 0.0)
    model = Seq2Seq(standin_encoder(spec["src_vocab"], spec["hidden"], kind, seed, p),
                    standin_decoder(spec["tgt_vocab"], spec["hidden"], kind, seed, p), "cpu",
                    attention=spec["attention"])
    model.train(spec.get("mode", "eval") == "train")
    with binding.ReproducibleDropout(spec.get("dropout_seed", 0)):
        with torch.no_grad():
            value = _seq2seq_call(model, source, spec.get("out_seq_len"))()
    return {"outputs": flatten("out", value, {})}
