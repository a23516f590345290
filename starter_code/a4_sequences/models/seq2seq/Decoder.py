"""The decoder of the seq2seq translator, with optional cosine-similarity attention."""

import torch
import torch.nn as nn


class Decoder(nn.Module):
    """The decoder of a recurrent sequence-to-sequence translator: one target word per call.

    References: Sutskever, Vinyals and Le (2014), "Sequence to sequence learning with neural
    networks", NeurIPS, section 2; for attention, Bahdanau, Cho and Bengio (2015), "Neural
    machine translation by jointly learning to align and translate", ICLR, section 3.1, and
    Luong, Pham and Manning (2015), "Effective approaches to attention-based neural machine
    translation", EMNLP, section 3.1, whose score functions are alternatives to the cosine
    similarity used here (softmax-normalised cosine similarity is the content-based
    addressing of Graves, Wayne and Danihelka (2014), "Neural Turing Machines", section 3.3.1,
    with key strength 1).

    Conventions the tests rely on:
    - Layers, in the order forward first uses them (the tests give them weights by module
      type, parameter shapes and this order; names and declaration order are yours):
        1. nn.Embedding with V_tgt rows of size E;
        2. nn.RNN or nn.LSTM by model_type: input size E, hidden size H_dec, one layer, one
           direction, with biases;
        3. nn.Linear with bias, H_dec -> V_tgt, read out as log-probabilities (a log-softmax
           over the V_tgt words).
      No other layer has parameters; attention has none.
    - Dropout with probability `dropout` acts on the word embedding and nowhere else: one
      nn.Dropout or F.dropout call per step, on the whole (N, 1, E) tensor, active in train
      mode only.
    - Attention (when asked for) changes only the state the recurrent step starts from: the
      context vector, the attention-weighted average of the encoder outputs, takes the place
      of h (an LSTM keeps its c). The recurrent layer's input is the embedded word alone, and
      the output layer reads the recurrent layer's output alone; the context is concatenated
      to neither. So attention needs H_enc == H_dec.
    - The attention weights come from the hidden state handed in (h of the pair (h, c) for an
      LSTM), before the step. No encoder position is masked, <pad> included.
    - Layouts: word ids and encoder outputs are batch first; hidden states keep PyTorch's
      layer-first layout, (1, N, H).
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

        # TODO: task 2.2 - create the decoder's layers (the inventory is in the class docstring).
        raise NotImplementedError("task 2.2 - create the decoder's layers (the inventory is in the class docstring). (models/seq2seq/Decoder.py)")

    def compute_attention(self, hidden, encoder_outputs):
        """Attention weights of one decoding step.

        Conventions: the score of source position t is the cosine similarity between the
        decoder's hidden state and the encoder output at t (no learned parameters, no
        temperature); the scores of one sentence are normalised with a softmax over its T
        source positions, none of them masked. The weights therefore do not change when h or
        any encoder output is stretched by a positive factor.

        Inputs:
        - hidden: the decoder's previous hidden state h, shape (1, N, H)
        - encoder_outputs: shape (N, T, H)

        Returns:
        - attention: shape (N, 1, T); attention[n, 0, :] sums to 1 over the T positions
        """
        # TODO: task 2.3 - compute the attention weights described above.
        raise NotImplementedError('task 2.3 - compute the attention weights described above. (models/seq2seq/Decoder.py)')
        return attention

    def forward(self, input, hidden, encoder_outputs=None, attention=False):
        """One decoding step.

        Inputs:
        - input: the previous target word ids, shape (N, 1)
        - hidden: the previous hidden state, shape (1, N, H_dec); for an LSTM the tuple
          (h, c) of two such tensors
        - encoder_outputs: the encoder's outputs of shape (N, T, H_enc); used only when
          attention is True
        - attention: whether the step uses attention (see the class docstring)

        Returns a tuple of:
        - output: log-probabilities over the target words, shape (N, V_tgt)
        - hidden: the new hidden state, same structure and shapes as the input hidden
        """
        # TODO: task 2.4 - run one decoding step (the step without attention is graded in 2.2).
        # The conventions, with attention and without, are in the class docstring.
        raise NotImplementedError('task 2.4 - run one decoding step (the step without attention is graded in 2.2). (models/seq2seq/Decoder.py)')
        return output, hidden
