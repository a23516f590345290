"""Task 2: seq2seq encoder, decoder with cosine attention, greedy decoding (public).

Values recorded from the reference solution, with weights given to your layers by role
(type, shapes, order of use: the names are yours). Train-mode cases apply dropout with
masks drawn reproducibly (the same on every machine) from nn.Dropout or F.dropout calls.
Each task is graded on its own piece: a step with attention (2.4) gets the correct attention
weights when it asks your compute_attention for them, and Seq2Seq (2.5) runs on stand-in
encoder and decoder modules, so a bug in one piece costs points in its own task only.
"""

import a4_cases as cases
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

ENC = "models/seq2seq/Encoder.py, Encoder.forward"
DEC = "models/seq2seq/Decoder.py, Decoder.forward"
S2S = "models/seq2seq/Seq2Seq.py, Seq2Seq.forward"
LSTM_PAIR = " (for an LSTM, the hidden state is the pair (h, c))"
TRAIN = " In train mode, dropout applies to the embeddings (nn.Dropout or F.dropout) and nowhere else."
GIVEN = (" In this test, when forward asks compute_attention for the weights of the h handed in, the test answers "
         "with the correct weights for these inputs: the step alone is graded here (compute_attention in 2.3).")
STAND_INS = (" The encoder and decoder here are the tests' stand-ins, with the interface and attributes of the "
             "course's Encoder and Decoder: only your Seq2Seq is graded.")


def labels(kind_out="outputs"):
    return {"out.0": kind_out, "out.1": "hidden state", "out.1.0": "hidden h", "out.1.1": "hidden c"}


@weight(4)
@number("2.1")
def test_encoder_rnn_eval(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "encoder_rnn_eval",
                          "RNN Encoder (H_enc=9, H_dec=7) in eval mode on a (3, 5) source",
                          ENC + " (the outputs of the recurrent layer, and the map from its final hidden state to "
                                "the decoder's first one: see the layer inventory in the class docstring)",
                          labels=labels("outputs (N, T, H_enc)"))


@weight(4)
@number("2.1")
def test_encoder_lstm_train_mode(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "encoder_lstm_train",
                          "LSTM Encoder in train mode (dropout 0.3 applied) on a (4, 6) source",
                          ENC + " (for an LSTM the map acts on h only; c is handed on unchanged)." + TRAIN,
                          pair_hint=LSTM_PAIR, labels=labels("outputs (N, T, H_enc)"))


@weight(6)
@number("2.2")
def test_decoder_step_without_attention(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "decoder_rnn_eval",
                          "RNN Decoder step, attention=False, eval mode, N=3",
                          DEC + " with attention=False (one recurrent step from the hidden state handed in, read out "
                                "as log-probabilities over the target words)",
                          labels=labels("log-probabilities (N, V)"))
    cases.run_and_compare(student, fixtures_dir, "decoder_lstm_train",
                          "LSTM Decoder step, attention=False, train mode (dropout 0.25 applied), N=2",
                          DEC + " with attention=False." + TRAIN, pair_hint=LSTM_PAIR,
                          labels=labels("log-probabilities (N, V)"))


@weight(6)
@number("2.3")
def test_attention_is_cosine_softmax(student, fixtures_dir):
    where = "models/seq2seq/Decoder.py, Decoder.compute_attention (cosine similarity, softmax over time)"
    c = cases.case(fixtures_dir, "attention_norms")
    cases.compare(cases.run(student, c), c, "attention weights for N=3, T=5 (encoder outputs of norms ~0.5x, 1x, 3x)",
                  where, tol=dict(rtol=1e-5, atol=1e-6))
    # Cosine similarity ignores lengths: stretching the query and every encoder output by a
    # positive factor of its own must leave the weights as they were.
    stretched = dict(c, spec=dict(c["spec"]))
    x = c["spec"]["inputs"]
    stretched["spec"]["inputs"] = {
        "hidden": x["hidden"] * torch.tensor([4.0, 0.25, 2.0]).reshape(1, 3, 1),
        "encoder_outputs": x["encoder_outputs"] * torch.linspace(0.2, 5.0, 15).reshape(3, 5, 1)}
    cases.compare(cases.run(student, stretched), c,
                  "attention weights after stretching h and each encoder output by its own positive factor "
                  "(cosine similarity does not change)", where, tol=dict(rtol=1e-5, atol=1e-6))


@weight(6)
@number("2.4")
def test_decoder_step_with_attention(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "decoder_rnn_attention_train",
                          "RNN Decoder step, attention=True, train mode (dropout 0.25 applied), N=3, T=5",
                          DEC + " with attention=True (what the context is, and which state it takes the place of "
                                "before the recurrent step)." + TRAIN + GIVEN,
                          labels=labels("log-probabilities (N, V)"))
    cases.run_and_compare(student, fixtures_dir, "decoder_lstm_attention_eval",
                          "LSTM Decoder step, attention=True, eval mode, N=2, T=3",
                          DEC + " with attention=True (an LSTM keeps its c; the weights come from the h handed in)."
                          + GIVEN, pair_hint=LSTM_PAIR, labels=labels("log-probabilities (N, V)"))


@weight(5)
@number("2.5")
def test_seq2seq_greedy_decoding_on_stand_ins(student, fixtures_dir):
    where = S2S + " (greedy decoding without teacher forcing: see the conventions in the docstring)."
    cases.run_and_compare(student, fixtures_dir, "s2s_rnn_longer",
                          "Seq2Seq(attention=False) outputs over stand-in RNN-style modules, source (3, 5), "
                          "out_seq_len=6", where + STAND_INS)
    cases.run_and_compare(student, fixtures_dir, "s2s_lstm_attention_shorter",
                          "Seq2Seq(attention=True) outputs over stand-in LSTM-style modules (hidden (h, c)), "
                          "source (2, 4), out_seq_len=3",
                          where + " Every decoder step receives the encoder outputs and the model's attention flag."
                          + STAND_INS)


@weight(2)
@number("2.5")
def test_seq2seq_default_length_is_source_length(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "s2s_default_length",
                          "Seq2Seq outputs with out_seq_len=None (decode T=7 steps) over stand-ins",
                          S2S + " (how many steps when out_seq_len is not given)." + STAND_INS)


@weight(3)
@number("2.5")
def test_seq2seq_in_train_mode_on_stand_ins(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "s2s_lstm_attention_train",
                          "Seq2Seq(attention=True) in train mode over stand-in LSTM-style modules that apply "
                          "dropout (once per encoder call, once per decoder step), source (3, 5), out_seq_len=6",
                          S2S + " (train mode stays as the caller set it; the encoder runs once per call and the "
                                "decoder once per step, so every dropout mask lands where the reference's did)."
                          + STAND_INS)
