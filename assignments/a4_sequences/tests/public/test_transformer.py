"""Task 3: the Transformer translator written from scratch (public)."""

import a4_oracles as oracle
import a4_probes as probes
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.testing import assert_tensor, assert_true

WHERE = "models/Transformer.py, TransformerTranslator."
SMALL = dict(input_size=17, output_size=13, device="cpu", hidden_dim=16, num_heads=2,
             dim_feedforward=24, dim_k=6, dim_v=5, dim_q=6, max_length=10)
BUILTIN_ATTENTION = {"MultiheadAttention", "Transformer", "TransformerEncoder", "TransformerDecoder",
                     "TransformerEncoderLayer", "TransformerDecoderLayer"}
TOL = dict(rtol=1e-4, atol=1e-5)


def floats(rng, *shape):
    return torch.as_tensor(rng.standard_normal(shape), dtype=torch.float32)


def ids(rng, high, *shape):
    return torch.as_tensor(rng.integers(0, high, size=shape), dtype=torch.long)


def check_names(got, names, where):
    w = got["weights"]
    missing = [n for n in names if n + ".weight" not in w]
    assert_true(not missing, f"TransformerTranslator should have the layers {missing} (named exactly so); "
                             f"its state_dict has {sorted(w)}. Where to look: {where}")


@weight(4)
@number("3.1")
def test_embed_adds_word_and_position(student, rng):
    inputs = ids(rng, 17, 3, 7)
    got = student.run(probes.transformer_piece, SMALL, "embed", inputs, seed=31)
    check_names(got, ["embeddingL", "posembeddingL"], WHERE + "__init__")
    assert_tensor(got["output"], oracle.tt_embed(inputs, got["weights"]), **TOL,
                  name="embed(inputs) = embeddingL(inputs) + posembeddingL(0..T-1) for inputs (3, 7)",
                  where=WHERE + "embed")


@weight(8)
@number("3.2")
def test_multi_head_attention_matches_formula(student, rng):
    x = floats(rng, 2, 6, 16)
    got = student.run(probes.transformer_piece, SMALL, "multi_head_attention", x, seed=32)
    check_names(got, ["k1", "v1", "q1", "k2", "v2", "q2", "attention_head_projection", "norm_mh"],
                WHERE + "__init__")
    assert_tensor(got["output"], oracle.tt_attention(x, got["weights"]), **TOL,
                  name="multi_head_attention(X) = norm_mh(X + projection([head_1, head_2])), "
                       "head_j = softmax(Q_j K_j^T / sqrt(dim_k)) V_j, for X (2, 6, 16)",
                  where=WHERE + "multi_head_attention")


@weight(4)
@number("3.3")
def test_feedforward_matches_formula(student, rng):
    x = floats(rng, 3, 4, 16)
    got = student.run(probes.transformer_piece, SMALL, "feedforward_layer", x, seed=33)
    check_names(got, ["ff1", "ff2", "norm"], WHERE + "__init__")
    assert_tensor(got["output"], oracle.tt_feedforward(x, got["weights"]), **TOL,
                  name="feedforward_layer(X) = norm(X + ff2(relu(ff1(X)))) for X (3, 4, 16)",
                  where=WHERE + "feedforward_layer")


@weight(2)
@number("3.4")
def test_final_layer_matches_formula(student, rng):
    x = floats(rng, 2, 5, 16)
    got = student.run(probes.transformer_piece, SMALL, "final_layer", x, seed=34)
    check_names(got, ["out_layer"], WHERE + "__init__")
    assert_tensor(got["output"], oracle.tt_final(x, got["weights"]), **TOL,
                  name="final_layer(X) = out_layer(X) (no softmax) for X (2, 5, 16)",
                  where=WHERE + "final_layer")


@weight(4)
@number("3.5")
def test_forward_chains_the_pieces(student, rng):
    inputs = ids(rng, 17, 4, 10)   # T = max_length
    got = student.run(probes.transformer_piece, SMALL, "forward", inputs, seed=35)
    used = sorted(BUILTIN_ATTENTION & set(got["types"]))
    assert_true(not used, f"TransformerTranslator contains built-in modules {used}; attention must be "
                          f"written by hand. Where to look: {WHERE}__init__")
    assert_tensor(got["output"], oracle.tt_forward(inputs, got["weights"]), **TOL,
                  name="forward(inputs) = final_layer(feedforward_layer(multi_head_attention(embed(inputs)))) "
                       "for inputs (4, 10)",
                  where=WHERE + "forward")
