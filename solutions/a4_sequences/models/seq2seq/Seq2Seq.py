"""Greedy autoregressive translation with an encoder and a decoder."""

import torch
import torch.nn as nn


class Seq2Seq(nn.Module):
    """Wraps an Encoder and a Decoder: encode the source once, then decode word by word,
    each step fed the most likely word of the step before (no teacher forcing)."""

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
        - outputs: shape (N, L, V_tgt); outputs[:, t] is the decoder's output at step t.
          Step 0 is fed source[:, 0:1] (the <sos> token) and the encoder's hidden state;
          step t > 0 is fed the argmax word of step t - 1 and the hidden state of step
          t - 1. The encoder outputs go to every step (used with attention).
        """
        batch_size, seq_len = source.shape
        if out_seq_len is None:
            out_seq_len = seq_len

        # TODO: task 2.5 - decode greedily.
        # Run the encoder once, then loop out_seq_len times over the decoder as described above,
        # storing each step's output in `outputs`.
        # BEGIN SOLUTION
        encoder_outputs, hidden = self.encoder(source)
        word = source[:, 0:1]  # (N, 1), the <sos> token
        steps = []
        for _ in range(out_seq_len):
            output, hidden = self.decoder(word, hidden, encoder_outputs, self.attention)
            steps.append(output)
            word = output.argmax(dim=1, keepdim=True)  # (N, 1)
        outputs = torch.stack(steps, dim=1)  # (N, L, V_tgt)
        # END SOLUTION
        return outputs
