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
    """embed -> multi-head self-attention (+ residual, LayerNorm)
    -> feed-forward (+ residual, LayerNorm) -> linear scores over the target words."""

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

        # TODO: task 3.1 - create the word and positional embeddings (both of size H):
        #   an nn.Embedding(V_src, H) and an nn.Embedding(max_length, H)
        # (the course calls them self.embeddingL and self.posembeddingL; the tests find them by shape)
        raise NotImplementedError('task 3.1 - create the word and positional embeddings (both of size H): (models/Transformer.py)')

        # TODO: task 3.2 - create the layers of the two attention heads.
        # Two heads of nn.Linear maps from H named exactly self.k1, self.v1, self.q1 and self.k2,
        # self.v2, self.q2 (to dim_k, dim_v, dim_q): the tests need these names, since a key map
        # and a query map have the same shape. Then a softmax over the last axis,
        # self.attention_head_projection = nn.Linear(2 * dim_v, H) and self.norm_mh = nn.LayerNorm(H).
        raise NotImplementedError('task 3.2 - create the layers of the two attention heads. (models/Transformer.py)')

        # TODO: task 3.3 - create the layers of the feed-forward block (names are yours):
        # an nn.Linear(H, F), ReLU, an nn.Linear(F, H) and an nn.LayerNorm(H)
        raise NotImplementedError('task 3.3 - create the layers of the feed-forward block (names are yours): (models/Transformer.py)')

        # TODO: task 3.4 - create the output layer, an nn.Linear(H, V_tgt) (name it as you like).
        raise NotImplementedError('task 3.4 - create the output layer, an nn.Linear(H, V_tgt) (name it as you like). (models/Transformer.py)')

    def forward(self, inputs):
        """
        Inputs:
        - inputs: source token ids of shape (N, T), T <= max_length

        Returns:
        - outputs: unnormalised scores of shape (N, T, V_tgt)
        """
        # TODO: task 3.5 - chain embed, multi_head_attention, feedforward_layer, final_layer.
        raise NotImplementedError('task 3.5 - chain embed, multi_head_attention, feedforward_layer, final_layer. (models/Transformer.py)')
        return outputs

    def embed(self, inputs):
        """
        Inputs:
        - inputs: token ids of shape (N, T)

        Returns:
        - embeddings: word embedding + positional embedding of position t, shape (N, T, H)
        """
        # TODO: task 3.1 - look up the words and the positions 0..T-1 and add them.
        raise NotImplementedError('task 3.1 - look up the words and the positions 0..T-1 and add them. (models/Transformer.py)')
        return embeddings

    def multi_head_attention(self, inputs):
        """Two-head scaled dot-product self-attention (lecture) with a residual connection.

        Head j uses the maps q_j, k_j, v_j and the scale sqrt(dim_k); its result has shape
        (N, T, dim_v). The heads are concatenated (head 1 first), projected by
        attention_head_projection, added to X and normalised by norm_mh.

        Inputs:
        - inputs: X of shape (N, T, H)

        Returns:
        - outputs: shape (N, T, H)
        """
        # TODO: task 3.2 - compute the two-head self-attention block.
        # Compute both heads, concatenate them along the features, project, add the input
        # and apply norm_mh.
        raise NotImplementedError('task 3.2 - compute the two-head self-attention block. (models/Transformer.py)')
        return outputs

    def feedforward_layer(self, inputs):
        """The position-wise feed-forward block: Linear(H, F), ReLU, Linear(F, H), then the
        residual X added and the block's LayerNorm.

        Inputs:
        - inputs: X of shape (N, T, H)

        Returns:
        - outputs: shape (N, T, H)
        """
        # TODO: task 3.3 - compute the feed-forward block with its residual and LayerNorm.
        raise NotImplementedError('task 3.3 - compute the feed-forward block with its residual and LayerNorm. (models/Transformer.py)')
        return outputs

    def final_layer(self, inputs):
        """
        Inputs:
        - inputs: shape (N, T, H)

        Returns:
        - outputs: the output layer's scores, shape (N, T, V_tgt) (no softmax)
        """
        # TODO: task 3.4 - apply the output layer to get the scores.
        raise NotImplementedError('task 3.4 - apply the output layer to get the scores. (models/Transformer.py)')
        return outputs


# Re-exported so that models.Transformer.FullTransformerTranslator also works.
from .FullTransformer import FullTransformerTranslator  # noqa: E402,F401
