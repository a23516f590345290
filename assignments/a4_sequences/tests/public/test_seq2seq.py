"""Task 2: seq2seq encoder, decoder with cosine attention, greedy decoding (public).

Values recorded from the reference solution, with weights given to your layers by role
(type, shapes, order of use: the names are yours). Train-mode cases apply dropout with
masks drawn reproducibly (the same on every machine) from nn.Dropout or F.dropout calls.
Seq2Seq (2.5) is graded first on stand-in encoder and decoder modules, so a bug in your
Encoder or Decoder does not cost its points twice; one more case runs all three of yours.
"""

import a4_cases as cases
import torch
from gradescope_utils.autograder_utils.decorators import number, weight

ENC = "models/seq2seq/Encoder.py, Encoder.forward"
DEC = "models/seq2seq/Decoder.py, Decoder.forward"
S2S = "models/seq2seq/Seq2Seq.py, Seq2Seq.forward"
LSTM_PAIR = " (for an LSTM, the hidden state is the pair (h, c))"
TRAIN = " In train mode, dropout applies to the embeddings (nn.Dropout or F.dropout) and nowhere else."


def labels(kind_out="outputs"):
    return {"out.0": kind_out, "out.1": "hidden state", "out.1.0": "hidden h", "out.1.1": "hidden c"}


@weight(4)
@number("2.1")
def test_encoder_rnn_eval(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "encoder_rnn_eval",
                          "RNN Encoder (H_enc=9, H_dec=7) in eval mode on a (3, 5) source",
                          ENC + " (embedding -> dropout -> recurrent layer; the final hidden state goes through "
                                "linear1 -> ReLU -> linear2 -> tanh)", labels=labels("outputs (N, T, H_enc)"))


@weight(4)
@number("2.1")
def test_encoder_lstm_train_mode(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "encoder_lstm_train",
                          "LSTM Encoder in train mode (dropout 0.3 applied) on a (4, 6) source",
                          ENC + " (transform h only; c passes through unchanged)." + TRAIN,
                          pair_hint=LSTM_PAIR, labels=labels("outputs (N, T, H_enc)"))


@weight(6)
@number("2.2")
def test_decoder_step_without_attention(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "decoder_rnn_eval",
                          "RNN Decoder step, attention=False, eval mode, N=3",
                          DEC + " with attention=False", labels=labels("log-probabilities (N, V)"))
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
                          DEC + " with attention=True (replace h by the context attention @ encoder_outputs "
                                "before the recurrent step)." + TRAIN, labels=labels("log-probabilities (N, V)"))
    cases.run_and_compare(student, fixtures_dir, "decoder_lstm_attention_eval",
                          "LSTM Decoder step, attention=True, eval mode, N=2, T=3",
                          DEC + " with attention=True (an LSTM replaces h by the context and keeps its c; "
                                "the weights come from h)", pair_hint=LSTM_PAIR,
                          labels=labels("log-probabilities (N, V)"))


@weight(5)
@number("2.5")
def test_seq2seq_greedy_decoding_on_stand_ins(student, fixtures_dir):
    where = S2S + " (encode once; feed source[:, 0:1] first, then each step's argmax word and hidden state)"
    cases.run_and_compare(student, fixtures_dir, "s2s_rnn_longer",
                          "Seq2Seq(attention=False) outputs over stand-in RNN-style modules, source (3, 5), "
                          "out_seq_len=6", where)
    cases.run_and_compare(student, fixtures_dir, "s2s_lstm_attention_shorter",
                          "Seq2Seq(attention=True) outputs over stand-in LSTM-style modules (hidden (h, c)), "
                          "source (2, 4), out_seq_len=3", where + "; pass the encoder outputs and the attention "
                                                                  "flag to every decoder step")


@weight(2)
@number("2.5")
def test_seq2seq_default_length_is_source_length(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "s2s_default_length",
                          "Seq2Seq outputs with out_seq_len=None (decode T=7 steps) over stand-ins", S2S)


@weight(3)
@number("2.5")
def test_seq2seq_with_your_encoder_and_decoder_in_train_mode(student, fixtures_dir):
    cases.run_and_compare(student, fixtures_dir, "s2s_lstm_attention_train",
                          "Seq2Seq(attention=True) with your LSTM Encoder and Decoder in train mode (dropout "
                          "applied at every step), source (3, 5), out_seq_len=6",
                          S2S + ". This test also runs your Encoder and Decoder: when the tests of 2.1-2.4 fail, "
                                "fix those first." + TRAIN)
