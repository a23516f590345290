"""Course-style FullTransformerTranslator: the template's names, declared in another order
(output layer and nn.Transformer first), target embedded before source, float masks."""

import torch
import torch.nn as nn


class FullTransformerTranslator(nn.Module):
    def __init__(self, input_size, output_size, device, hidden_dim=128, num_heads=2, dim_feedforward=2048,
                 num_layers_enc=2, num_layers_dec=2, dropout=0.2, max_length=43, ignore_index=1, sos_idx=2):
        super().__init__()
        self.input_size = input_size
        self.output_size = output_size
        self.device = device
        self.hidden_dim = hidden_dim
        self.max_length = max_length
        self.pad = ignore_index
        self.sos = sos_idx
        self.fc_final = nn.Linear(hidden_dim, output_size)
        self.transformer = nn.Transformer(d_model=hidden_dim, nhead=num_heads, num_encoder_layers=num_layers_enc,
                                          num_decoder_layers=num_layers_dec, dim_feedforward=dim_feedforward,
                                          dropout=dropout, batch_first=True)
        self.tgtposembeddingL = nn.Embedding(max_length, hidden_dim)
        self.tgtembeddingL = nn.Embedding(output_size, hidden_dim)
        self.srcposembeddingL = nn.Embedding(max_length, hidden_dim)
        self.srcembeddingL = nn.Embedding(input_size, hidden_dim)

    def forward(self, src, tgt):
        t = tgt.shape[1]
        tgt_x = self.tgtembeddingL(tgt) + self.tgtposembeddingL(torch.arange(t, device=tgt.device))
        src_x = self.srcembeddingL(src) + self.srcposembeddingL(torch.arange(src.shape[1], device=src.device))
        mask = self.transformer.generate_square_subsequent_mask(t, device=tgt.device)
        out = self.transformer(src_x, tgt_x, tgt_mask=mask, src_key_padding_mask=src == self.pad,
                               tgt_key_padding_mask=tgt == self.pad, memory_key_padding_mask=src == self.pad)
        return self.fc_final(out)

    def generate_translation(self, src, max_len=None):
        steps = src.shape[1] if max_len is None else max_len
        tgt = torch.full((src.shape[0], 1), self.sos, dtype=torch.long, device=src.device)
        outs = []
        for _ in range(steps):
            last = self.forward(src, tgt)[:, -1]
            outs.append(last)
            tgt = torch.cat([tgt, last.argmax(-1, keepdim=True)], dim=1)
        return torch.stack(outs, dim=1)
