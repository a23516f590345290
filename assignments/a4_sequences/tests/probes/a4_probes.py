"""Probes for a4_sequences: small helpers that run INSIDE the sandbox worker.

They build the student's modules, overwrite every parameter with seeded random values
(so that no initialisation, zero or otherwise, can hide a wrong formula), run one piece
and return the weights they used and what came back. They hold no expected values: the
tests recompute everything from the returned weights in the grader.
"""


def _torch():
    import torch

    return torch


def randomize(model, seed, scale=0.3):
    """Overwrite every parameter of `model` (in declaration order) with seeded
    N(0, scale^2) values and put it in eval mode (no dropout). Returns nothing."""
    torch = _torch()
    gen = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64).to(p.dtype) * scale)
    model.eval()


def weights(model):
    """The model's state as a plain {name: tensor} dict."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def module_types(model):
    """Sorted class names of the PyTorch built-in sub-modules (torch.nn.*) of `model`, to
    spot built-in recurrent or attention layers; the student's own classes are left out."""
    return sorted({type(m).__name__ for m in model.modules()
                   if type(m).__module__.startswith("torch.")})


def _detach(value):
    torch = _torch()
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)):
        return tuple(_detach(v) for v in value)
    return value


def rnn_step(sizes, x, h, seed):
    """VanillaRNN(*sizes) forward on one step. Returns weights, output, hidden, types."""
    from models.naive.RNN import VanillaRNN

    rnn = VanillaRNN(*sizes)
    randomize(rnn, seed)
    output, hidden = rnn(x, h)
    return {"weights": weights(rnn), "output": _detach(output), "hidden": _detach(hidden),
            "types": module_types(rnn)}


def lstm_parameters(input_size, hidden_size):
    """Names (in declaration order), shapes and kinds of the LSTM's parameters."""
    from models.naive.LSTM import LSTM

    torch = _torch()
    lstm = LSTM(input_size, hidden_size)
    return {"names": [n for n, _ in lstm.named_parameters()],
            "shapes": {n: list(p.shape) for n, p in lstm.named_parameters()},
            "is_parameter": all(type(p) is torch.nn.Parameter for p in lstm.parameters()),
            "types": module_types(lstm)}


def lstm_forward(input_size, hidden_size, x, seed):
    """LSTM forward over a batch of sequences. Returns weights, h_t, c_t, types."""
    from models.naive.LSTM import LSTM

    lstm = LSTM(input_size, hidden_size)
    randomize(lstm, seed)
    h_t, c_t = lstm(x)
    return {"weights": weights(lstm), "h": _detach(h_t), "c": _detach(c_t),
            "types": module_types(lstm)}


def encoder_forward(kwargs, source, seed):
    """Encoder(**kwargs) in eval mode on `source`. Returns weights, output, hidden."""
    from models.seq2seq.Encoder import Encoder

    enc = Encoder(**kwargs)
    randomize(enc, seed)
    output, hidden = enc(source)
    return {"weights": weights(enc), "output": _detach(output), "hidden": _detach(hidden)}


def decoder_attention(kwargs, hidden, encoder_outputs, seed):
    """Decoder(**kwargs).compute_attention(hidden, encoder_outputs)."""
    from models.seq2seq.Decoder import Decoder

    dec = Decoder(**kwargs)
    randomize(dec, seed)
    return _detach(dec.compute_attention(hidden, encoder_outputs))


def decoder_forward(kwargs, word, hidden, encoder_outputs, attention, seed):
    """One Decoder(**kwargs) step in eval mode. Returns weights, output, hidden."""
    from models.seq2seq.Decoder import Decoder

    dec = Decoder(**kwargs)
    randomize(dec, seed)
    output, new_hidden = dec(word, hidden, encoder_outputs=encoder_outputs, attention=attention)
    return {"weights": weights(dec), "output": _detach(output), "hidden": _detach(new_hidden)}


def seq2seq_models(enc_kwargs, dec_kwargs, attention, seed):
    """Build Encoder, Decoder and Seq2Seq on the CPU, randomise the encoder and decoder
    (seeds `seed` and `seed + 1`), eval mode. Returns the three objects (as handles)."""
    from models.seq2seq.Decoder import Decoder
    from models.seq2seq.Encoder import Encoder
    from models.seq2seq.Seq2Seq import Seq2Seq

    enc = Encoder(**enc_kwargs)
    dec = Decoder(**dec_kwargs)
    randomize(enc, seed)
    randomize(dec, seed + 1)
    model = Seq2Seq(enc, dec, "cpu", attention=attention)
    model.eval()
    return enc, dec, model


def transformer_piece(kwargs, piece, inputs, seed):
    """TransformerTranslator(**kwargs) in eval mode; calls the method `piece` on `inputs`.
    Returns weights, output, types."""
    from models.Transformer import TransformerTranslator

    model = TransformerTranslator(**kwargs)
    randomize(model, seed)
    output = getattr(model, piece)(inputs)
    return {"weights": weights(model), "output": _detach(output), "types": module_types(model)}


def full_transformer(kwargs, seed):
    """A FullTransformerTranslator(**kwargs), randomised, eval mode (returned as a handle)."""
    from models.FullTransformer import FullTransformerTranslator

    model = FullTransformerTranslator(**kwargs)
    randomize(model, seed)
    return model


def full_transformer_forward(kwargs, src, tgt, seed):
    """FullTransformerTranslator(**kwargs) in eval mode, forward(src, tgt)."""
    model = full_transformer(kwargs, seed)
    return {"weights": weights(model), "output": _detach(model(src, tgt))}


def full_transformer_generate(kwargs, src, max_len, seed):
    """FullTransformerTranslator(**kwargs) in eval mode, generate_translation(src[, max_len])."""
    model = full_transformer(kwargs, seed)
    if max_len is None:
        out = model.generate_translation(src)
    else:
        out = model.generate_translation(src, max_len=max_len)
    return {"weights": weights(model), "output": _detach(out)}
