"""Task 4: the encoder-decoder translator on nn.Transformer: masks and greedy decoding (public).

Values recorded from the reference solution, and two properties of the masks. The four
embeddings are found by the names the stub declares (the two position tables have the same
shape); the nn.Transformer and the output layer are found by role.
"""

import a4_cases as cases
import a4_probes as probes
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

from autograder.grading.checks import assert_tensor, assert_true

WHERE = "models/FullTransformer.py, FullTransformerTranslator."
PAD = 1


@weight(1)
@number("4.1")
def test_dropout_reaches_nn_transformer(student, fixtures_dir):
    spec = dict(cases.case(fixtures_dir, "full_forward_padded")["spec"], inputs={})
    spec["kwargs"] = dict(spec["kwargs"], dropout=0.35)
    found = student.run(probes.transformer_dropouts, spec)
    assert_true(found == [0.35], f"FullTransformerTranslator(..., dropout=0.35): every dropout inside its "
                                 f"nn.Transformer should be 0.35, found {found or 'no nn.Transformer'}. "
                                 f"Where to look: {WHERE}__init__ (pass dropout=dropout to nn.Transformer)")


@weight(4)
@number("4.2")
def test_forward_with_padding_masks(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "full_forward_padded",
                          "forward(src (3, 7), tgt (3, 6)) with <pad> at the end of two sources and one target",
                          WHERE + "forward (word + position embeddings on both sides, a causal target mask, <pad> "
                                  "masked as a key in the source, the memory and the target, then fc_final)",
                          tol=dict(rtol=1e-4, atol=2e-5))


def bound(student, fixtures_dir):
    c = cases.case(fixtures_dir, "full_forward_padded")
    model = student.run(probes.bound_model, "full_forward", c["spec"], c["roles"], c["tensors"])
    return model, c["spec"]["inputs"]["src"], c["spec"]["inputs"]["tgt"]


@weight(3)
@number("4.2")
def test_forward_is_causal(student, fixtures_dir):
    model, src, tgt = bound(student, fixtures_dir)
    tgt = tgt.clone()
    tgt[1, 4:] = 5                                  # no padding here: only the causal mask is tested
    changed = tgt.clone()
    changed[:, 3:] = (tgt[:, 3:] - 3) % 8 + 4       # another word (4..11) at every position >= 3
    before, after = model(src, tgt), model(src, changed)
    assert_tensor(after[:, :3], before[:, :3], rtol=1e-5, atol=1e-5,
                  name="outputs at target positions 0..2 after changing the target words at positions 3..5 "
                       "(they must not see the future)",
                  where=WHERE + "forward (tgt_mask: blocked above the diagonal)")


@weight(2)
@number("4.2")
def test_forward_ignores_source_padding(student, fixtures_dir):
    model, src, tgt = bound(student, fixtures_dir)
    longer = torch.cat([src, torch.full((3, 3), PAD, dtype=torch.long)], dim=1)
    assert_tensor(model(longer, tgt), model(src, tgt), rtol=1e-4, atol=1e-5,
                  name="forward(src, tgt) with three extra <pad> columns appended to src "
                       "(padded source positions must be masked out)",
                  where=WHERE + "forward (src_key_padding_mask and memory_key_padding_mask)")


@weight(4)
@number("4.3")
def test_generate_translation_is_greedy(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "full_generate",
                          "generate_translation(src (3, 7)) scores of the 7 steps",
                          WHERE + "generate_translation (start from <sos>; each step appends the argmax word and "
                                  "takes the scores of the last position). It calls your forward: when the tests of "
                                  "4.2 fail, fix those first", tol=dict(rtol=1e-4, atol=2e-5))
