"""An encoder-decoder translator on PyTorch's nn.Transformer."""

import torch
import torch.nn as nn


class FullTransformerTranslator(nn.Module):
    """Source and target embeddings (word + learned position) -> nn.Transformer with a
    causal target mask and padding masks -> linear scores over the target words."""

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
        - ignore_index: the <pad> token id (masked out as a key)
        - sos_idx: the <sos> token id that starts every translation
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
        # The four embeddings need exactly these names (the two position tables have the same
        # shape, so the tests tell them apart by name):
        #   self.srcembeddingL, self.tgtembeddingL: nn.Embedding(V_src, H), nn.Embedding(V_tgt, H)
        #   self.srcposembeddingL, self.tgtposembeddingL: nn.Embedding(max_length, H)
        # The other two are found by type and shape (the names below are the course's):
        #   self.transformer = nn.Transformer(d_model=H, nhead=num_heads,
        #       num_encoder_layers=num_layers_enc, num_decoder_layers=num_layers_dec,
        #       dim_feedforward=dim_feedforward, dropout=dropout, batch_first=True)
        #   self.fc_final = nn.Linear(H, V_tgt)
        raise NotImplementedError('task 4.1 - create the embeddings, the nn.Transformer and the output layer. (models/FullTransformer.py)')

    def forward(self, src, tgt):
        """Teacher-forced scores.

        Inputs:
        - src: source token ids of shape (N, S)
        - tgt: decoder input ids of shape (N, T), starting with <sos>

        Returns:
        - outputs: shape (N, T, V_tgt); outputs[:, t] scores the word that follows tgt[:, t]
          and depends only on src and tgt[:, :t+1]. Source and target positions holding
          <pad> are masked out as keys (src_key_padding_mask, memory_key_padding_mask,
          tgt_key_padding_mask).
        """
        # TODO: task 4.2 - compute the teacher-forced scores.
        # Embed both sides (word + position), build the causal target mask and the padding masks,
        # run self.transformer and self.fc_final.
        raise NotImplementedError('task 4.2 - compute the teacher-forced scores. (models/FullTransformer.py)')
        return outputs

    def generate_translation(self, src, max_len=None):
        """Greedy decoding.

        Inputs:
        - src: source token ids of shape (N, S)
        - max_len: the number of words L to generate; defaults to S

        Returns:
        - outputs: shape (N, L, V_tgt); outputs[:, t] are the scores of step t. Step 0
          feeds tgt = [<sos>]; each later step appends the argmax word of the step before
          and takes the scores at the last position of forward(src, tgt).
        """
        length = src.shape[1] if max_len is None else max_len
        # TODO: task 4.3 - generate the translation greedily, as described above.
        raise NotImplementedError('task 4.3 - generate the translation greedily, as described above. (models/FullTransformer.py)')
        return outputs
