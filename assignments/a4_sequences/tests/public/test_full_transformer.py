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
def test_dropout_reaches_nn_transformer(student, fixtures_dir, rng):
    p = round(float(rng.uniform(0.15, 0.45)), 3)    # never nn.Transformer's default 0.1
    spec = dict(cases.case(fixtures_dir, "full_forward_padded")["spec"], inputs={})
    spec["kwargs"] = dict(spec["kwargs"], dropout=p)
    found = student.run(probes.transformer_dropouts, spec)
    assert_true(found == [p], f"FullTransformerTranslator(..., dropout={p}): every dropout inside its "
                              f"nn.Transformer should be {p}, found {found or 'no nn.Transformer'}. "
                              f"Where to look: {WHERE}__init__ (the class's dropout argument is the probability of "
                              f"every dropout inside its nn.Transformer)")


@weight(4)
@number("4.2")
def test_forward_with_padding_masks(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "full_forward_padded",
                          "forward(src (3, 7), tgt (3, 6)) with <pad> at the end of two sources and one target",
                          WHERE + "forward (the embeddings of both sides, and the masks: a target position sees "
                                  "only itself and earlier ones, and <pad> is never attended to; the conventions "
                                  "are in the docstring)",
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
    # Outputs that ignore the target would pass the check below: the later ones must move.
    assert_true(not torch.allclose(after[:, 3:], before[:, 3:], rtol=1e-4, atol=1e-4),
                "forward(src, tgt): the outputs at target positions 3..5 stayed the same when the target words "
                "there changed; each position's scores must depend on its own target word. "
                f"Where to look: {WHERE}forward")
    assert_tensor(after[:, :3], before[:, :3], rtol=1e-5, atol=1e-5,
                  name="outputs at target positions 0..2 after changing the target words at positions 3..5 "
                       "(they must not see the future)",
                  where=WHERE + "forward (causal self-attention of the target: a position may attend only to "
                                "itself and earlier positions)")


@weight(2)
@number("4.2")
def test_forward_ignores_source_padding(student, fixtures_dir):
    model, src, tgt = bound(student, fixtures_dir)
    other = src.clone()
    other[:, 1] = (src[:, 1] - 3) % 11 + 4          # another word (4..14) at a position no source pads
    # Outputs that ignore the source would pass the check below: a real source word must count.
    assert_true(not torch.allclose(model(other, tgt), model(src, tgt), rtol=1e-4, atol=1e-4),
                "forward(src, tgt): the outputs stayed the same when the second word of every source changed; "
                f"the scores must depend on the source. Where to look: {WHERE}forward")
    longer = torch.cat([src, torch.full((3, 3), PAD, dtype=torch.long)], dim=1)
    assert_tensor(model(longer, tgt), model(src, tgt), rtol=1e-4, atol=1e-5,
                  name="forward(src, tgt) with three extra <pad> columns appended to src "
                       "(padded source positions must be masked out)",
                  where=WHERE + "forward (<pad> in the source is never attended to: neither in the encoder nor "
                                "in the decoder's attention over the encoder's output)")


@weight(4)
@number("4.3")
def test_generate_translation_is_greedy(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "full_generate",
                          "generate_translation(src (3, 7)) scores of the 7 steps",
                          WHERE + "generate_translation (greedy decoding from <sos>, exactly max_len steps; the "
                                  "result holds the scores from which each step picks its word). It calls your "
                                  "forward: when the tests of 4.2 fail, fix those first", tol=dict(rtol=1e-4, atol=2e-5))
