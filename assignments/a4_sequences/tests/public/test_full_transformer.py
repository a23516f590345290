"""Task 4: the encoder-decoder translator on nn.Transformer: masks and greedy decoding (public)."""

import a4_oracles as oracle
import a4_probes as probes
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_tensor

WHERE = "models/FullTransformer.py, FullTransformerTranslator."
PAD, SOS = 1, 2
SMALL = dict(input_size=15, output_size=12, device="cpu", hidden_dim=16, num_heads=2,
             dim_feedforward=24, num_layers_enc=2, num_layers_dec=2, dropout=0.2, max_length=12)
TOL = dict(rtol=1e-4, atol=2e-5)


def words(rng, high, *shape):
    """Token ids that are never <unk>, <pad>, <sos> or <eos>."""
    return torch.as_tensor(rng.integers(4, high, size=shape), dtype=torch.long)


def padded_batch(rng):
    """A source batch with trailing <pad> in some rows and a target batch starting with <sos>."""
    src = words(rng, 15, 3, 7)
    src[0, 5:] = PAD
    src[2, 3:] = PAD
    tgt = words(rng, 12, 3, 6)
    tgt[:, 0] = SOS
    tgt[1, 4:] = PAD
    return src, tgt


@weight(5)
@number("4.2")
def test_full_forward_matches_nn_transformer_oracle(student, rng):
    src, tgt = padded_batch(rng)
    got = student.run(probes.full_transformer_forward, SMALL, src, tgt, seed=41)
    expected = oracle.full_forward(src, tgt, got["weights"], SMALL, pad_idx=PAD)
    assert_tensor(got["output"], expected, **TOL,
                  name="forward(src (3, 7), tgt (3, 6)) against nn.Transformer loaded with your weights, "
                       "fed word + position embeddings, a causal target mask and <pad> key masks",
                  where=WHERE + "__init__ (layer names) and forward (embeddings, masks, fc_final)")


@weight(3)
@number("4.2")
def test_full_forward_is_causal(student, rng):
    src, tgt = padded_batch(rng)
    tgt[1, 4:] = 5                               # no padding here: only the causal mask is tested
    model = student.run(probes.full_transformer, SMALL, seed=42)
    changed = tgt.clone()
    changed[:, 3:] = (tgt[:, 3:] - 3) % 8 + 4      # another word (4..11) at every position >= 3
    before, after = model(src, tgt), model(src, changed)
    assert_tensor(after[:, :3], before[:, :3], rtol=1e-5, atol=1e-5,
                  name="outputs at target positions 0..2 after changing the target words at positions 3..5 "
                       "(they must not see the future)",
                  where=WHERE + "forward (tgt_mask: True/-inf above the diagonal)")


@weight(2)
@number("4.2")
def test_full_forward_ignores_source_padding(student, rng):
    src, tgt = padded_batch(rng)
    model = student.run(probes.full_transformer, SMALL, seed=43)
    longer = torch.cat([src, torch.full((3, 3), PAD, dtype=torch.long)], dim=1)
    assert_tensor(model(src, tgt), model(longer, tgt),
                  rtol=1e-4, atol=1e-5,
                  name="forward(src, tgt) with three extra <pad> columns appended to src "
                       "(padded source positions must be masked out)",
                  where=WHERE + "forward (src_key_padding_mask and memory_key_padding_mask)")


@weight(4)
@number("4.3")
def test_generate_translation_is_greedy(student, rng):
    src, _ = padded_batch(rng)
    model = student.run(probes.full_transformer, SMALL, seed=44)
    scores = model.generate_translation(src)
    if type(scores) is torch.Tensor and scores.shape == (3, 7, 12):
        # step t must be what YOUR forward gives at position t for the words chosen before it
        feed = torch.cat([torch.full((3, 1), SOS, dtype=torch.long), scores.argmax(dim=2)[:, :-1]], dim=1)
        expected = model(src, feed)
    else:
        expected = torch.zeros(3, 7, 12)
    assert_tensor(scores, expected, **TOL,
                  name="generate_translation(src (3, 7)) scores of steps 0..6: step t must equal your "
                       "forward(src, [<sos>, argmax of steps 0..t-1]) at position t",
                  where=WHERE + "generate_translation")
