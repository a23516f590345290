"""The decoder of the seq2seq translator, with optional cosine-similarity attention."""

import torch
import torch.nn as nn


class Decoder(nn.Module):
    """Predicts one target word per call from the previous word and the hidden state.

    With attention, the hidden state handed to the recurrent layer is replaced by the
    context vector: the attention-weighted average of the encoder outputs, where the
    weights are softmax_t(cosine(h, encoder_output_t)). This needs H_enc == H_dec.
    """

    def __init__(self, emb_size, encoder_hidden_size, decoder_hidden_size, output_size,
                 dropout=0.2, model_type="RNN"):
        """
        Inputs:
        - emb_size: E, the size of a word embedding
        - encoder_hidden_size: H_enc, the size of one encoder output
        - decoder_hidden_size: H_dec, the hidden size of the recurrent layer
        - output_size: V_tgt, the size of the target vocabulary
        - dropout: the dropout probability applied to the embeddings
        - model_type: "RNN" or "LSTM"
        """
        super().__init__()
        self.emb_size = emb_size
        self.encoder_hidden_size = encoder_hidden_size
        self.decoder_hidden_size = decoder_hidden_size
        self.output_size = output_size
        self.model_type = model_type

        # TODO: task 2.2 - create the decoder's layers (the names are yours; the tests find
        # each layer by its type, shapes and order of use):
        #   an nn.Embedding(V_tgt, E)
        #   an nn.RNN(E, H_dec, batch_first=True), or nn.LSTM with the same arguments, by model_type
        #   an nn.Linear(H_dec, V_tgt) followed by LogSoftmax over the words
        #   an nn.Dropout(dropout)
        # BEGIN SOLUTION
        self.embedding = nn.Embedding(output_size, emb_size)
        if model_type == "RNN":
            self.recurrent = nn.RNN(emb_size, decoder_hidden_size, batch_first=True)
        elif model_type == "LSTM":
            self.recurrent = nn.LSTM(emb_size, decoder_hidden_size, batch_first=True)
        else:
            raise ValueError(f"model_type must be 'RNN' or 'LSTM', got {model_type!r}")
        self.linear = nn.Linear(decoder_hidden_size, output_size)
        self.log_softmax = nn.LogSoftmax(dim=1)
        self.dropout = nn.Dropout(dropout)
        # END SOLUTION

    def compute_attention(self, hidden, encoder_outputs):
        """Attention weights from cosine similarity, normalised over time.

        Inputs:
        - hidden: the decoder's previous hidden state h, shape (1, N, H)
        - encoder_outputs: shape (N, T, H)

        Returns:
        - attention: shape (N, 1, T), where attention[n, 0, t] is the softmax over t of
          cos(h[0, n], encoder_outputs[n, t]) = <h, e_t> / (|h| |e_t|)
        """
        # TODO: task 2.3 - compute the attention weights described above.
        # BEGIN SOLUTION
        query = hidden.transpose(0, 1)  # (N, 1, H)
        dots = torch.bmm(query, encoder_outputs.transpose(1, 2))  # (N, 1, T)
        norms = query.norm(dim=2, keepdim=True) * encoder_outputs.norm(dim=2).unsqueeze(1)
        attention = torch.softmax(dots / norms, dim=2)
        # END SOLUTION
        return attention

    def forward(self, input, hidden, encoder_outputs=None, attention=False):
        """One decoding step.

        Inputs:
        - input: the previous target word ids, shape (N, 1)
        - hidden: the previous hidden state, shape (1, N, H_dec); for an LSTM the tuple
          (h, c) of two such tensors
        - encoder_outputs: the encoder's outputs of shape (N, T, H_enc); used only when
          attention is True
        - attention: whether to replace h by the attention context before the step

        Returns a tuple of:
        - output: log-probabilities over the target words, shape (N, V_tgt)
        - hidden: the new hidden state, same structure and shapes as the input hidden
        """
        # TODO: task 2.4 - run one decoding step (the step without attention is graded in 2.2).
        # Embed and apply dropout (to the embeddings only). With attention only: compute the
        # weights from h and replace h by the context attention @ encoder_outputs (an LSTM keeps
        # its c). Then one recurrent step, and the output layer with LogSoftmax.
        # BEGIN SOLUTION
        embedded = self.dropout(self.embedding(input))  # (N, 1, E)
        if attention:
            h = hidden[0] if self.model_type == "LSTM" else hidden
            weights = self.compute_attention(h, encoder_outputs)  # (N, 1, T)
            context = torch.bmm(weights, encoder_outputs).transpose(0, 1)  # (1, N, H)
            hidden = (context, hidden[1]) if self.model_type == "LSTM" else context
        output, hidden = self.recurrent(embedded, hidden)  # output (N, 1, H_dec)
        output = self.log_softmax(self.linear(output[:, 0, :]))  # (N, V_tgt)
        # END SOLUTION
        return output, hidden
