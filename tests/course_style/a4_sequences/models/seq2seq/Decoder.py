"""Course-style Decoder: free names (emb, rnn, out, drop), output layer declared first,
functional dropout that follows the mode, attention written with F.cosine_similarity."""

import torch.nn as nn
import torch.nn.functional as F


class Decoder(nn.Module):
    def __init__(self, emb_size, encoder_hidden_size, decoder_hidden_size, output_size, dropout=0.2,
                 model_type="RNN"):
        super().__init__()
        self.emb_size = emb_size
        self.encoder_hidden_size = encoder_hidden_size
        self.decoder_hidden_size = decoder_hidden_size
        self.output_size = output_size
        self.model_type = model_type
        self.p = dropout
        self.out = nn.Linear(decoder_hidden_size, output_size)
        rnn = nn.LSTM if model_type == "LSTM" else nn.RNN
        self.rnn = rnn(emb_size, decoder_hidden_size, batch_first=True)
        self.emb = nn.Embedding(output_size, emb_size)

    def compute_attention(self, hidden, encoder_outputs):
        query = hidden.permute(1, 0, 2).expand_as(encoder_outputs)
        sims = F.cosine_similarity(query, encoder_outputs, dim=2, eps=1e-12)  # (N, T)
        return F.softmax(sims, dim=1).unsqueeze(1)

    def forward(self, input, hidden, encoder_outputs=None, attention=False):
        x = F.dropout(self.emb(input), p=self.p, training=self.training)
        if attention:
            h = hidden[0] if self.model_type == "LSTM" else hidden
            context = (self.compute_attention(h, encoder_outputs) @ encoder_outputs).permute(1, 0, 2)
            hidden = (context, hidden[1]) if self.model_type == "LSTM" else context
        output, hidden = self.rnn(x, hidden)
        return F.log_softmax(self.out(output.squeeze(1)), dim=1), hidden
