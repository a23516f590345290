"""The encoder of the seq2seq translator."""

import torch
import torch.nn as nn


class Encoder(nn.Module):
    """The encoder of a recurrent sequence-to-sequence translator.

    Reference: Sutskever, Vinyals and Le (2014), "Sequence to sequence learning with neural
    networks", NeurIPS, section 2; Goodfellow, Bengio and Courville, Deep Learning (2016),
    section 10.4.

    Conventions the tests rely on:
    - Layers, in the order forward first uses them (the tests give them weights by module
      type, parameter shapes and this order; names and declaration order are yours):
        1. nn.Embedding with V_src rows of size E;
        2. nn.RNN or nn.LSTM by model_type: input size E, hidden size H_enc, one layer, one
           direction, with biases;
        3. nn.Linear with bias, H_enc -> H_enc, followed by ReLU;
        4. nn.Linear with bias, H_enc -> H_dec, followed by tanh.
      No other layer has parameters. Layers 3 and 4 turn the recurrent layer's final hidden
      state into the decoder's first hidden state; for an LSTM they act on h only and the
      final cell state c is handed on unchanged.
    - Dropout with probability `dropout` acts on the word embeddings and nowhere else: one
      nn.Dropout or F.dropout call per forward, on the whole (N, T, E) tensor, active in
      train mode only.
    - Every position of the source is read, <pad> included: no packing, no masking.
    - Layouts: the outputs are batch first, (N, T, H_enc); hidden states keep PyTorch's
      layer-first layout, (1, N, H).
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

        # TODO: task 2.1 - create the encoder's layers (the inventory is in the class docstring).
        raise NotImplementedError("task 2.1 - create the encoder's layers (the inventory is in the class docstring). (models/seq2seq/Encoder.py)")

    def forward(self, input):
        """
        Inputs:
        - input: source token ids of shape (N, T)

        Returns a tuple of:
        - output: the recurrent layer's outputs at every step, shape (N, T, H_enc)
        - hidden: the decoder's first hidden state, made from the recurrent layer's final
          hidden state h_T by layers 3 and 4, shape (1, N, H_dec). For an LSTM, the pair
          (that state, c_T) with the final cell state c_T of shape (1, N, H_enc) unchanged
          (so an LSTM encoder needs H_enc == H_dec).
        """
        # TODO: task 2.1 - encode the source sentence.
        raise NotImplementedError('task 2.1 - encode the source sentence. (models/seq2seq/Encoder.py)')
        return output, hidden
