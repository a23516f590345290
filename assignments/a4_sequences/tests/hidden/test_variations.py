"""Hidden tests: the public checks again on other batch sizes, lengths and layer sizes, drawn for
each submission. Names, docstrings and messages say which property failed, never a case's sizes."""

import a4_cases as cases
from gradescope_utils.autograder_utils.decorators import number, weight


@weight(2)
@number("1.3")
def test_lstm_batch_one_long_sequence_and_wide_short(student, fixtures_dir):
    """LSTM on a batch of one over a long sequence, and on a wide input over a short one"""
    where = "models/naive/LSTM.py, LSTM.forward"
    cases.run_and_compare(student, fixtures_dir, "h_lstm_batch_one_long", "LSTM (h_t, c_t), a batch of one, a long "
                          "sequence", where, hidden=True)
    cases.run_and_compare(student, fixtures_dir, "h_lstm_wide_short", "LSTM (h_t, c_t), a wide input, a short "
                          "sequence", where, hidden=True)


@weight(1)
@number("2.3")
def test_attention_batch_one_and_single_step(student, fixtures_dir):
    """Attention weights for a batch of one, and for a source of one position"""
    where = "models/seq2seq/Decoder.py, Decoder.compute_attention"
    tol = dict(rtol=1e-5, atol=1e-6)
    cases.run_and_compare(student, fixtures_dir, "h_attention_batch_one", "attention, a batch of one", where,
                          hidden=True, tol=tol)
    cases.run_and_compare(student, fixtures_dir, "h_attention_single_step", "attention, one source position", where,
                          hidden=True, tol=tol)


@weight(2)
@number("2.5")
def test_seq2seq_other_shapes(student, fixtures_dir):
    """Seq2Seq on stand-ins, decoding past the source length: a batch of one, and attention in train mode"""
    where = "models/seq2seq/Seq2Seq.py, Seq2Seq.forward"
    cases.run_and_compare(student, fixtures_dir, "h_s2s_lstm_batch_one",
                          "Seq2Seq(attention=False) over stand-ins, a batch of one, more steps than source words",
                          where, hidden=True)
    cases.run_and_compare(student, fixtures_dir, "h_s2s_rnn_attention_train",
                          "Seq2Seq(attention=True) over stand-ins in train mode, a larger batch",
                          where, hidden=True)


@weight(2)
@number("3.5")
def test_transformer_default_sizes_full_length(student, fixtures_dir):
    """TransformerTranslator forward with its default layer sizes, at full length"""
    cases.run_and_compare(student, fixtures_dir, "h_tt_default_sizes",
                          "TransformerTranslator forward with the default layer sizes, inputs as long as max_length",
                          "models/Transformer.py, TransformerTranslator.forward", hidden=True,
                          tol=dict(rtol=1e-4, atol=1e-4))


@weight(1)
@number("4.3")
def test_generate_translation_max_len_and_padding(student, fixtures_dir):
    """generate_translation with max_len given and <pad> in the sources"""
    cases.run_and_compare(student, fixtures_dir, "h_full_generate_max_len",
                          "generate_translation with max_len given, <pad> in the sources",
                          "models/FullTransformer.py, FullTransformerTranslator.generate_translation",
                          hidden=True, tol=dict(rtol=1e-4, atol=2e-5))
