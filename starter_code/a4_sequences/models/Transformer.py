"""A one-layer Transformer encoder translator written from scratch.

The model reads the source sentence and predicts one target word per source position.
nn.MultiheadAttention and the nn.Transformer* modules are not allowed in this file.
(FullTransformerTranslator, built on nn.Transformer, lives in models/FullTransformer.py
and is re-exported here at the bottom.)
"""

import numpy as np
import torch
import torch.nn as nn


class TransformerTranslator(nn.Module):
    """One Transformer encoder block over the source, read out as scores over the target words
    at every source position.

    Reference: Vaswani et al. (2017), "Attention is all you need", NeurIPS: section 3.1 (the
    encoder block, its residual connections and layer normalisation), 3.2.1 and 3.2.2
    (scaled dot-product and multi-head attention), 3.3 (the position-wise feed-forward
    network), 3.4 and 3.5 (embeddings, and learned positional embeddings as the alternative
    to sinusoids); Ba, Kiros and Hinton (2016), "Layer normalization".

    Conventions the tests rely on:
    - Layers, in the order forward first uses them (the tests give them weights by module
      type, parameter shapes and this order, so the attention block's LayerNorm is the first
      of the two; names and declaration order are yours, except the six attention maps):
        - word embedding: nn.Embedding with V_src rows of size H;
        - position embedding: nn.Embedding with max_length rows of size H (learned);
        - head 1: nn.Linear maps named exactly k1, q1 (H -> dim_k, H -> dim_q) and v1
          (H -> dim_v); head 2: k2, q2, v2 likewise;
        - head projection: nn.Linear, 2 * dim_v -> H;
        - the attention block's nn.LayerNorm over H (the course names it norm_mh);
        - feed-forward: nn.Linear H -> F, then nn.Linear F -> H;
        - the feed-forward block's nn.LayerNorm over H;
        - output layer: nn.Linear H -> V_tgt.
      Every nn.Linear has a bias, every nn.LayerNorm a learned scale and shift (nn.LayerNorm's
      defaults). No other layer has parameters.
    - No dropout and no mask anywhere in this model.
    - Both blocks are post-norm: the block's LayerNorm comes after the residual sum, as in
      Vaswani et al., not before the sub-layer.
    nn.MultiheadAttention, nn.Transformer and its Encoder/Decoder(Layer) modules,
    F.scaled_dot_product_attention and F.multi_head_attention_forward are not allowed in
    this file.
    """

    def __init__(self, input_size, output_size, device, hidden_dim=128, num_heads=2,
                 dim_feedforward=2048, dim_k=96, dim_v=96, dim_q=96, max_length=43):
        """
        Inputs:
        - input_size: V_src, the size of the source vocabulary
        - output_size: V_tgt, the size of the target vocabulary
        - device: where the model runs ("cpu", "cuda", or a torch.device)
        - hidden_dim: H, the size of every token's representation
        - num_heads: the number of attention heads (this model has exactly 2)
        - dim_feedforward: F, the hidden size of the feed-forward block
        - dim_k, dim_v, dim_q: the sizes of one head's keys, values and queries
        - max_length: the longest sentence the positional embedding covers
        """
        super().__init__()
        assert num_heads == 2, "this model has exactly two attention heads (k1..q2)"
        self.num_heads = num_heads
        self.word_embedding_dim = hidden_dim
        self.hidden_dim = hidden_dim
        self.dim_feedforward = dim_feedforward
        self.max_length = max_length
        self.input_size = input_size
        self.output_size = output_size
        self.device = device
        self.dim_k = dim_k
        self.dim_v = dim_v
        self.dim_q = dim_q

        # TODO: task 3.1 - create the word and position embeddings (see the class docstring).
        # The course calls them self.embeddingL and self.posembeddingL; any names will do.
        raise NotImplementedError('task 3.1 - create the word and position embeddings (see the class docstring). (models/Transformer.py)')

        # TODO: task 3.2 - create the layers of the two attention heads and their projection.
        # The six maps must be named self.k1, self.v1, self.q1, self.k2, self.v2, self.q2: a key
        # map and a query map have the same type and shape, so the tests find them by name.
        # The other layers are in the class docstring.
        raise NotImplementedError('task 3.2 - create the layers of the two attention heads and their projection. (models/Transformer.py)')

        # TODO: task 3.3 - create the layers of the feed-forward block (see the class docstring).
        raise NotImplementedError('task 3.3 - create the layers of the feed-forward block (see the class docstring). (models/Transformer.py)')

        # TODO: task 3.4 - create the output layer (see the class docstring).
        raise NotImplementedError('task 3.4 - create the output layer (see the class docstring). (models/Transformer.py)')

    def forward(self, inputs):
        """
        Inputs:
        - inputs: source token ids of shape (N, T), T <= max_length

        Returns:
        - outputs: unnormalised scores of shape (N, T, V_tgt), one row of scores over the
          target words per source position

        The whole model: one encoder block (Vaswani et al. 2017, section 3.1) built from the
        four methods below, and nothing else.
        """
        # TODO: task 3.5 - compute the scores with the methods below.
        raise NotImplementedError('task 3.5 - compute the scores with the methods below. (models/Transformer.py)')
        return outputs

    def embed(self, inputs):
        """
        Inputs:
        - inputs: token ids of shape (N, T)

        Returns:
        - embeddings: shape (N, T, H)

        Conventions: a token's representation combines its word embedding with the learned
        embedding of its position, positions counted from 0 at the first token; the two are
        summed (not concatenated) and not rescaled (no factor sqrt(H)).
        """
        # TODO: task 3.1 - embed the tokens as described above.
        raise NotImplementedError('task 3.1 - embed the tokens as described above. (models/Transformer.py)')
        return embeddings

    def multi_head_attention(self, inputs):
        """The self-attention block: two heads of scaled dot-product self-attention, the
        residual connection and the block's LayerNorm (Vaswani et al. 2017, sections 3.1,
        3.2.1 and 3.2.2).

        Conventions: head j uses only its own maps q_j, k_j, v_j; the scores are scaled with
        d_k = dim_k (the size of one head's keys, not H); each query's weights are a softmax
        over all T keys (no mask); a head's result has shape (N, T, dim_v). The two results
        are concatenated along the features, head 1 first, before the head projection.
        Post-norm: the LayerNorm comes after the residual sum.

        Inputs:
        - inputs: X of shape (N, T, H)

        Returns:
        - outputs: shape (N, T, H)
        """
        # TODO: task 3.2 - compute the two-head self-attention block described above.
        raise NotImplementedError('task 3.2 - compute the two-head self-attention block described above. (models/Transformer.py)')
        return outputs

    def feedforward_layer(self, inputs):
        """The position-wise feed-forward block with its residual connection and LayerNorm
        (Vaswani et al. 2017, sections 3.1 and 3.3).

        Conventions: the activation between the two linear layers is ReLU (as in the paper,
        not GELU); post-norm: the block's own LayerNorm (not the attention block's) comes
        after the residual sum.

        Inputs:
        - inputs: X of shape (N, T, H)

        Returns:
        - outputs: shape (N, T, H)
        """
        # TODO: task 3.3 - compute the feed-forward block described above.
        raise NotImplementedError('task 3.3 - compute the feed-forward block described above. (models/Transformer.py)')
        return outputs

    def final_layer(self, inputs):
        """
        Inputs:
        - inputs: shape (N, T, H)

        Returns:
        - outputs: the output layer's unnormalised scores, shape (N, T, V_tgt): no softmax
          or log-softmax
        """
        # TODO: task 3.4 - compute the scores.
        raise NotImplementedError('task 3.4 - compute the scores. (models/Transformer.py)')
        return outputs


# Re-exported so that models.Transformer.FullTransformerTranslator also works.
from .FullTransformer import FullTransformerTranslator  # noqa: E402,F401
