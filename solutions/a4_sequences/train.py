"""Train the sequence models on the toy translation task (offline) and compare perplexities.

    python train.py                       # all models, course defaults
    python train.py --models transformer --epochs 10
    python train.py --data multi30k       # course machines with internet access

Course defaults: embedding and hidden size 128, dropout 0.2, Adam lr 1e-3, gradient
clipping 0.5, cross-entropy ignoring <pad>, batch 128.
"""

import argparse

import torch
from data import load_multi30k, load_toy
from models.FullTransformer import FullTransformerTranslator
from models.seq2seq.Decoder import Decoder
from models.seq2seq.Encoder import Encoder
from models.seq2seq.Seq2Seq import Seq2Seq
from models.Transformer import TransformerTranslator
from utils import default_device, evaluate, fit, plot_curves

MODELS = ["rnn", "rnn_attention", "lstm", "lstm_attention", "transformer", "full_transformer"]
EPOCHS = {"rnn": 30, "rnn_attention": 30, "lstm": 30, "lstm_attention": 30, "transformer": 10,
          "full_transformer": 6}


def build(name, src_vocab_size, tgt_vocab_size, device, emb=128, hidden=128, dropout=0.2,
          max_length=43):
    """One of MODELS, with the course's default sizes."""
    if name.startswith(("rnn", "lstm")):
        kind = "LSTM" if name.startswith("lstm") else "RNN"
        encoder = Encoder(src_vocab_size, emb, hidden, hidden, dropout, kind)
        decoder = Decoder(emb, hidden, hidden, tgt_vocab_size, dropout, kind)
        return Seq2Seq(encoder, decoder, device, attention=name.endswith("attention"))
    if name == "transformer":
        return TransformerTranslator(src_vocab_size, tgt_vocab_size, device, hidden_dim=hidden,
                                     max_length=max_length)
    if name == "full_transformer":
        return FullTransformerTranslator(src_vocab_size, tgt_vocab_size, device,
                                         hidden_dim=hidden, dim_feedforward=512,
                                         dropout=dropout, max_length=max_length)
    raise ValueError(f"unknown model {name!r}; choose from {MODELS}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=MODELS, choices=MODELS)
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"epochs for every model (default: per model, {EPOCHS})")
    parser.add_argument("--data", choices=["toy", "multi30k"], default="toy")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--plot", action="store_true", help="save learning curves as PNG")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    device = default_device()
    loader = load_toy if args.data == "toy" else load_multi30k
    loaders = loader(batch_size=args.batch_size)
    train_loader, valid_loader, test_loader, src_vocab, tgt_vocab = loaders
    print(f"data: {args.data}, source vocabulary {len(src_vocab)}, target vocabulary "
          f"{len(tgt_vocab)}, device {device}")

    results = {}
    for name in args.models:
        torch.manual_seed(args.seed)
        model = build(name, len(src_vocab), len(tgt_vocab), device)
        epochs = args.epochs or EPOCHS[name]
        history = fit(model, train_loader, valid_loader, epochs, device=device, name=name)
        _, test_ppl = evaluate(model, test_loader, device)
        results[name] = (test_ppl, history["seconds"])
        if args.plot:
            plot_curves(history["train_ppl"], history["valid_ppl"], name, f"curves_{name}.png")

    print("\nmodel                  test perplexity   training seconds")
    for name, (ppl, seconds) in results.items():
        print(f"{name:<22} {ppl:15.3f}   {seconds:16.1f}")


if __name__ == "__main__":
    main()
