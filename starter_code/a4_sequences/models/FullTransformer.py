"""An encoder-decoder translator on PyTorch's nn.Transformer."""

import torch
import torch.nn as nn


class FullTransformerTranslator(nn.Module):
    """An encoder-decoder Transformer translator built on PyTorch's nn.Transformer.

    References: Vaswani et al. (2017), "Attention is all you need", NeurIPS, sections 3
    (the encoder-decoder model and its masked decoder self-attention) and 3.4-3.5
    (embeddings and positions); the PyTorch documentation of torch.nn.Transformer, which
    describes its constructor and the masks its forward accepts.

    Conventions the tests rely on:
    - Layers: four embeddings with these exact names (the two position tables have the same
      shape, so the tests find all four by name):
        srcembeddingL (V_src rows of size H), tgtembeddingL (V_tgt rows of size H),
        srcposembeddingL and tgtposembeddingL (max_length rows of size H, learned);
      then, found by type and shapes whatever their names: one nn.Transformer (PyTorch's own
      module, loaded whole by the tests) and one nn.Linear with bias, H -> V_tgt, after it.
      No other layer has parameters.
    - The nn.Transformer is configured by this class's arguments (see __init__), and
      `dropout` is the probability of every dropout inside it; whatever those arguments do
      not set keeps nn.Transformer's default (among them its ReLU activation and post-norm
      layers). There is no dropout outside it.
    - Tensors are batch first at this class's interface: (N, S) and (N, T) ids in, (N, T,
      V_tgt) scores out.
    """

    def __init__(self, input_size, output_size, device, hidden_dim=128, num_heads=2,
                 dim_feedforward=2048, num_layers_enc=2, num_layers_dec=2, dropout=0.2,
                 max_length=43, ignore_index=1, sos_idx=2):
        """
        Inputs:
        - input_size: V_src, the size of the source vocabulary
        - output_size: V_tgt, the size of the target vocabulary
        - device: where the model runs ("cpu", "cuda", or a torch.device)
        - hidden_dim: H, the model size (d_model)
        - num_heads, dim_feedforward, num_layers_enc, num_layers_dec, dropout: passed to
          nn.Transformer
        - max_length: the longest sentence the positional embeddings cover
        - ignore_index: the <pad> token id, the same in both vocabularies (1)
        - sos_idx: the <sos> token id that starts every translation (2)
        """
        super().__init__()
        self.input_size = input_size
        self.output_size = output_size
        self.device = device
        self.hidden_dim = hidden_dim
        self.max_length = max_length
        self.pad_idx = ignore_index
        self.sos_idx = sos_idx

        # TODO: task 4.1 - create the embeddings, the nn.Transformer and the output layer.
        # The four embeddings need the exact names of the class docstring; the nn.Transformer
        # and the output layer may have any names (the course's are transformer and fc_final).
        raise NotImplementedError('task 4.1 - create the embeddings, the nn.Transformer and the output layer. (models/FullTransformer.py)')

    def forward(self, src, tgt):
        """Teacher-forced scores.

        Inputs:
        - src: source token ids of shape (N, S)
        - tgt: decoder input ids of shape (N, T), starting with <sos>

        Returns:
        - outputs: unnormalised scores of shape (N, T, V_tgt), no softmax or log-softmax;
          outputs[:, t] scores the word that follows tgt[:, t]

        Conventions the tests rely on:
        - Each side's tokens are represented as in TransformerTranslator.embed: word
          embedding plus learned position embedding, positions counted from 0, summed, not
          rescaled; the source uses the src* tables, the target the tgt* tables.
        - Causal: outputs[:, t] depends on src and tgt[:, :t+1] only.
        - <pad> (id ignore_index) is never attended to: not in the encoder's self-attention,
          not in the decoder's self-attention, and not in the decoder's attention over the
          encoder's output. So appending <pad> columns to src changes nothing.
        """
        # TODO: task 4.2 - compute the teacher-forced scores, with the masks described above.
        raise NotImplementedError('task 4.2 - compute the teacher-forced scores, with the masks described above. (models/FullTransformer.py)')
        return outputs

    def generate_translation(self, src, max_len=None):
        """Greedy decoding.

        Inputs:
        - src: source token ids of shape (N, S)
        - max_len: the number of words L to generate; defaults to S

        Returns:
        - outputs: shape (N, L, V_tgt); outputs[:, t] are the unnormalised scores (as forward
          gives them) from which step t picks its word

        Conventions the tests rely on (Vaswani et al. 2017, section 3: the decoder is
        auto-regressive):
        - Greedy decoding from a target that holds only <sos> (the id sos_idx, for every
          sentence, whatever the source starts with). Where two words tie for the most
          likely, the lower id wins (as with torch.argmax).
        - Exactly L steps, whatever words come out (no stop at <eos>).
        """
        length = src.shape[1] if max_len is None else max_len
        # TODO: task 4.3 - generate the translation greedily, following the conventions above.
        raise NotImplementedError('task 4.3 - generate the translation greedily, following the conventions above. (models/FullTransformer.py)')
        return outputs
