"""The encoder of the seq2seq translator."""

import torch
import torch.nn as nn


class Encoder(nn.Module):
    """Embeds a source sentence, runs a recurrent layer over it, and maps the final hidden
    state to the decoder's size with Linear -> ReLU -> Linear -> tanh.
    """

    def __init__(self, input_size, emb_size, encoder_hidden_size, decoder_hidden_size,
                 dropout=0.2, model_type="RNN"):
        """
        Inputs:
        - input_size: V_src, the size of the source vocabulary
        - emb_size: E, the size of a word embedding
        - encoder_hidden_size: H_enc, the hidden size of the recurrent layer
        - decoder_hidden_size: H_dec, the hidden size the decoder expects
        - dropout: the dropout probability applied to the embeddings
        - model_type: "RNN" or "LSTM"
        """
        super().__init__()
        self.input_size = input_size
        self.emb_size = emb_size
        self.encoder_hidden_size = encoder_hidden_size
        self.decoder_hidden_size = decoder_hidden_size
        self.model_type = model_type

        # TODO: task 2.1 - create the encoder's layers (the names are yours; the tests find
        # each layer by its type, shapes and order of use):
        #   an nn.Embedding(V_src, E)
        #   an nn.RNN(E, H_enc, batch_first=True), or nn.LSTM with the same arguments, by model_type
        #   an nn.Linear(H_enc, H_enc) followed by ReLU, then an nn.Linear(H_enc, H_dec) followed by tanh
        #   an nn.Dropout(dropout)
        # BEGIN SOLUTION
        self.embedding = nn.Embedding(input_size, emb_size)
        if model_type == "RNN":
            self.recurrent = nn.RNN(emb_size, encoder_hidden_size, batch_first=True)
        elif model_type == "LSTM":
            self.recurrent = nn.LSTM(emb_size, encoder_hidden_size, batch_first=True)
        else:
            raise ValueError(f"model_type must be 'RNN' or 'LSTM', got {model_type!r}")
        self.linear1 = nn.Linear(encoder_hidden_size, encoder_hidden_size)
        self.linear2 = nn.Linear(encoder_hidden_size, decoder_hidden_size)
        self.dropout = nn.Dropout(dropout)
        # END SOLUTION

    def forward(self, input):
        """
        Inputs:
        - input: source token ids of shape (N, T)

        Returns a tuple of:
        - output: the recurrent layer's outputs at every step, shape (N, T, H_enc)
        - hidden: the recurrent layer's final hidden state h_T after Linear -> ReLU ->
          Linear -> tanh, shape (1, N, H_dec). For an LSTM, hidden is the tuple
          (that transformed h_T, c_T) with the final cell state c_T passed through
          unchanged (so an LSTM encoder needs H_enc == H_dec).
        """
        # TODO: task 2.1 - encode the source sentence.
        # Embed, apply dropout (to the embeddings only), run the recurrent layer, then transform
        # the final hidden state (only h, never c).
        # BEGIN SOLUTION
        embedded = self.dropout(self.embedding(input))  # (N, T, E)
        output, hidden = self.recurrent(embedded)
        if self.model_type == "LSTM":
            h, c = hidden
        else:
            h = hidden
        h = torch.tanh(self.linear2(torch.relu(self.linear1(h))))  # (1, N, H_dec)
        hidden = (h, c) if self.model_type == "LSTM" else h
        # END SOLUTION
        return output, hidden
