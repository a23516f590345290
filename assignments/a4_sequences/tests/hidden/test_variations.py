"""Hidden tests: other batch sizes, lengths and layer sizes (inputs drawn from the held-out seed)."""

import a4_cases as cases
from gradescope_utils.autograder_utils.decorators import number, weight


@weight(2)
@number("1.3")
def test_lstm_batch_one_long_sequence_and_wide_short(student, fixtures_dir):
    where = "models/naive/LSTM.py, LSTM.forward"
    cases.run_and_compare(student, fixtures_dir, "h_lstm_batch_one_long", "LSTM (h_t, c_t), N=1, T=12, D=2, H=9",
                          where, hidden=True)
    cases.run_and_compare(student, fixtures_dir, "h_lstm_wide_short", "LSTM (h_t, c_t), N=6, T=2, D=7, H=3",
                          where, hidden=True)


@weight(1)
@number("2.3")
def test_attention_batch_one_and_single_step(student, fixtures_dir):
    where = "models/seq2seq/Decoder.py, Decoder.compute_attention"
    tol = dict(rtol=1e-5, atol=1e-6)
    cases.run_and_compare(student, fixtures_dir, "h_attention_batch_one", "attention, N=1, T=7", where,
                          hidden=True, tol=tol)
    cases.run_and_compare(student, fixtures_dir, "h_attention_single_step", "attention, N=4, T=1", where,
                          hidden=True, tol=tol)


@weight(2)
@number("2.5")
def test_seq2seq_other_shapes(student, fixtures_dir):
    where = "models/seq2seq/Seq2Seq.py, Seq2Seq.forward"
    cases.run_and_compare(student, fixtures_dir, "h_s2s_lstm_batch_one",
                          "Seq2Seq(attention=False) over stand-ins, N=1, T=6, out_seq_len=9", where, hidden=True)
    cases.run_and_compare(student, fixtures_dir, "h_s2s_rnn_attention_eval",
                          "Seq2Seq(attention=True) with your RNN Encoder and Decoder, N=5, T=3, out_seq_len=4",
                          where, hidden=True)


@weight(2)
@number("3.5")
def test_transformer_default_sizes_full_length(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "h_tt_default_sizes",
                          "TransformerTranslator forward with the default sizes (H=128, F=2048, "
                          "dim_k=dim_v=dim_q=96), T = max_length = 8",
                          "models/Transformer.py, TransformerTranslator", hidden=True, tol=dict(rtol=1e-4, atol=1e-4))


@weight(1)
@number("4.3")
def test_generate_translation_max_len_and_padding(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "h_full_generate_max_len",
                          "generate_translation(src (4, 5) with padding, max_len=8)",
                          "models/FullTransformer.py, FullTransformerTranslator.generate_translation",
                          hidden=True, tol=dict(rtol=1e-4, atol=2e-5))
