"""Task 3: the Transformer translator written from scratch (public).

Values recorded from the reference solution. Your layers receive the recorded weights by
role (type, shapes, order of use), so the names of the embeddings, the feed-forward layers,
the LayerNorms and the output layer are yours to choose. The six attention maps k1, v1, q1,
k2, v2, q2 are found by the names the stub declares: a key map and a query map of one head
have the same type and shape, and no order of use tells them apart.
"""

import a4_cases as cases
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_true

WHERE = "models/Transformer.py, TransformerTranslator."
SIZES = "V_src=17, V_tgt=13, H=16, F=24, dim_k=dim_q=6, dim_v=5, max_length=10"


@weight(4)
@number("3.1")
def test_embed_adds_word_and_position(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "tt_embed", f"embed(inputs) for inputs (3, 7), {SIZES}",
                          WHERE + "embed (learned word and position embeddings; positions are counted from 0)")


@weight(8)
@number("3.2")
def test_multi_head_attention(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "tt_attention", f"multi_head_attention(X) for X (2, 6, 16), {SIZES}",
                          WHERE + "multi_head_attention (scaled dot-product attention in each head, and the block "
                                  "around the heads: the conventions are in the docstring)")


@weight(4)
@number("3.3")
def test_feedforward_layer(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "tt_feedforward", f"feedforward_layer(X) for X (3, 4, 16), {SIZES}",
                          WHERE + "feedforward_layer (the position-wise feed-forward network with its residual "
                                  "connection and its own LayerNorm, post-norm)")


@weight(2)
@number("3.4")
def test_final_layer(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "tt_final", f"final_layer(X) for X (2, 5, 16), {SIZES}",
                          WHERE + "final_layer (unnormalised scores over the target words)")


@weight(4)
@number("3.5")
def test_forward_chains_the_pieces(student, fixtures_dir):
    where = (WHERE + "forward (one encoder block, from token ids to scores). It uses your pieces: when the "
             "tests of 3.1-3.4 fail, fix those first")
    got = cases.run_and_compare(student, fixtures_dir, "tt_forward_full_length",
                                f"forward(inputs) for inputs (4, 10) (T = max_length), {SIZES}", where)
    assert_true(not got["types"], f"TransformerTranslator contains built-in modules {got['types']}; attention must "
                                  f"be written by hand. Where to look: {WHERE}__init__")
    cases.run_and_compare(student, fixtures_dir, "tt_forward_short", f"forward(inputs) for inputs (2, 3), {SIZES}",
                          where)
