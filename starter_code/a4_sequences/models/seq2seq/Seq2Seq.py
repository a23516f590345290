"""Greedy autoregressive translation with an encoder and a decoder."""

import torch
import torch.nn as nn


class Seq2Seq(nn.Module):
    """Greedy translation with an Encoder and a Decoder.

    References: Sutskever, Vinyals and Le (2014), "Sequence to sequence learning with neural
    networks", NeurIPS, sections 2 and 3.2 (greedy decoding is their left-to-right beam
    search with a beam of one); Goodfellow, Bengio and Courville, Deep Learning (2016),
    sections 10.2.1 (teacher forcing, which this model does not use) and 10.4.
    """

    def __init__(self, encoder, decoder, device, attention=False):
        """
        Inputs:
        - encoder: an Encoder
        - decoder: a Decoder
        - device: where the model runs ("cpu", "cuda", or a torch.device)
        - attention: whether the decoder uses attention
        """
        super().__init__()
        self.device = device
        self.encoder = encoder.to(device)
        self.decoder = decoder.to(device)
        self.attention = attention

    def forward(self, source, out_seq_len=None):
        """
        Inputs:
        - source: source token ids of shape (N, T); every sentence starts with <sos>
        - out_seq_len: the number of words L to decode; defaults to T

        Returns:
        - outputs: shape (N, L, V_tgt); outputs[:, t] is what the decoder returned at step t
          (log-probabilities).

        Conventions the tests rely on:
        - Greedy decoding, with no teacher forcing: the decoder never sees a reference
          translation. Where two words tie for the most likely, the lower id wins (as with
          torch.argmax).
        - The first step is fed the source's first column, source[:, 0:1] (<sos>, id 2 in
          both vocabularies), and the hidden state the encoder returned.
        - Exactly L steps, whatever words come out (no stop at <eos>).
        - The encoder runs once per call. Every decoder step receives the encoder outputs and
          this model's attention flag; word ids go to the decoder as an (N, 1) tensor.
        """
        batch_size, seq_len = source.shape
        if out_seq_len is None:
            out_seq_len = seq_len

        # TODO: task 2.5 - decode greedily, following the conventions of the docstring.
        raise NotImplementedError('task 2.5 - decode greedily, following the conventions of the docstring. (models/seq2seq/Seq2Seq.py)')
        return outputs
