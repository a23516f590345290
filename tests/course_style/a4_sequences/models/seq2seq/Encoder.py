"""Course-style Encoder: free names (emb, rnn, fc1, fc2, drop), declared in another order,
functional activations."""

import torch.nn as nn
import torch.nn.functional as F


class Encoder(nn.Module):
    def __init__(self, input_size, emb_size, encoder_hidden_size, decoder_hidden_size, dropout=0.2,
                 model_type="RNN"):
        super().__init__()
        self.input_size = input_size
        self.emb_size = emb_size
        self.encoder_hidden_size = encoder_hidden_size
        self.decoder_hidden_size = decoder_hidden_size
        self.model_type = model_type
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(encoder_hidden_size, decoder_hidden_size)
        self.fc1 = nn.Linear(encoder_hidden_size, encoder_hidden_size)
        rnn = nn.LSTM if model_type == "LSTM" else nn.RNN
        self.rnn = rnn(emb_size, encoder_hidden_size, batch_first=True)
        self.emb = nn.Embedding(input_size, emb_size)

    def forward(self, input):
        output, hidden = self.rnn(self.drop(self.emb(input)))
        if self.model_type == "LSTM":
            h, c = hidden
            return output, (F.tanh(self.fc2(F.relu(self.fc1(h)))), c)
        return output, F.tanh(self.fc2(F.relu(self.fc1(hidden))))
