"""Course-style TransformerTranslator: the attention layers the template gives (k1 ... q2,
attention_head_projection, norm_mh), free names elsewhere (ff_layer1, ff_layer2, norm_ff,
output_layer), declared in another order; positions embedded before words."""

import math

import torch
import torch.nn as nn


class TransformerTranslator(nn.Module):
    def __init__(self, input_size, output_size, device, hidden_dim=128, num_heads=2, dim_feedforward=2048,
                 dim_k=96, dim_v=96, dim_q=96, max_length=43):
        super().__init__()
        assert num_heads == 2
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

        self.output_layer = nn.Linear(hidden_dim, output_size)
        self.ff_layer2 = nn.Linear(dim_feedforward, hidden_dim)
        self.norm_ff = nn.LayerNorm(hidden_dim)
        self.ff_layer1 = nn.Linear(hidden_dim, dim_feedforward)
        self.posembeddingL = nn.Embedding(max_length, hidden_dim)
        self.embeddingL = nn.Embedding(input_size, hidden_dim)

        # Head #1
        self.k1 = nn.Linear(hidden_dim, dim_k)
        self.v1 = nn.Linear(hidden_dim, dim_v)
        self.q1 = nn.Linear(hidden_dim, dim_q)
        # Head #2
        self.k2 = nn.Linear(hidden_dim, dim_k)
        self.v2 = nn.Linear(hidden_dim, dim_v)
        self.q2 = nn.Linear(hidden_dim, dim_q)
        self.softmax = nn.Softmax(dim=2)
        self.attention_head_projection = nn.Linear(dim_v * num_heads, hidden_dim)
        self.norm_mh = nn.LayerNorm(hidden_dim)

    def forward(self, inputs):
        return self.final_layer(self.feedforward_layer(self.multi_head_attention(self.embed(inputs))))

    def embed(self, inputs):
        positions = torch.arange(inputs.shape[1], device=inputs.device).unsqueeze(0).expand_as(inputs)
        return self.posembeddingL(positions) + self.embeddingL(inputs)

    def multi_head_attention(self, inputs):
        heads = []
        for q, k, v in ((self.q1, self.k1, self.v1), (self.q2, self.k2, self.v2)):
            query, key = q(inputs), k(inputs)
            weights = self.softmax(torch.bmm(query, key.transpose(1, 2)) / math.sqrt(self.dim_k))
            heads.append(torch.bmm(weights, v(inputs)))
        return self.norm_mh(inputs + self.attention_head_projection(torch.cat(heads, dim=2)))

    def feedforward_layer(self, inputs):
        return self.norm_ff(inputs + self.ff_layer2(torch.relu(self.ff_layer1(inputs))))

    def final_layer(self, inputs):
        return self.output_layer(inputs)


from .FullTransformer import FullTransformerTranslator  # noqa: E402,F401
