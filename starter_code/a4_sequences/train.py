"""Train the sequence models and compare them: perplexity, BLEU of greedy translations, samples.

    python train.py                                   # all six models on the embedded toy task
    python train.py --models rnn lstm rnn_attention transformer   # the four runs the report compares
    python train.py --models transformer --epochs 3   # one model, fewer epochs
    python train.py --data multi30k                   # course machines: Multi30k, course settings

Every model writes runs/<model>/ (config.yaml, metrics.csv per epoch, curves.png,
summary.json, samples.txt with ten test translations). The settings follow the data the
run really uses: the toy task has its own (small, fast) ones; Multi30k uses the course's
(embedding and hidden size 128, dropout 0.2, Adam lr 1e-3, clipping 0.5, batch 128). When
Multi30k cannot be read or downloaded, the run says so in a banner and falls back to the
toy task with the toy settings.
"""

import argparse
import socket

import torch
from data import load_multi30k, load_toy
from models.FullTransformer import FullTransformerTranslator
from models.seq2seq.Decoder import Decoder
from models.seq2seq.Encoder import Encoder
from models.seq2seq.Seq2Seq import Seq2Seq
from models.Transformer import TransformerTranslator
from utils import corpus_bleu, default_device, evaluate, fit, translate_all

from autograder.runs import Run  # the bundle's autograder/ package (or the installed one)

MODELS = ["rnn", "rnn_attention", "lstm", "lstm_attention", "transformer", "full_transformer"]
# Settings per data set. The toy task is small (4,000 pairs, 40/41 words): small models and a
# larger learning rate train in seconds there. Multi30k gets the course's settings.
SETTINGS = {
    "toy": {"emb": 64, "hidden": 64, "dropout": 0.1, "lr": 3e-3, "clip": 0.5, "batch_size": 128,
            "dim_feedforward": 256, "dim_kqv": 32,
            "epochs": {"rnn": 30, "rnn_attention": 30, "lstm": 30, "lstm_attention": 30, "transformer": 10,
                       "full_transformer": 4}},
    "multi30k": {"emb": 128, "hidden": 128, "dropout": 0.2, "lr": 1e-3, "clip": 0.5, "batch_size": 128,
                 "dim_feedforward": 2048, "dim_kqv": 96,
                 "epochs": {"rnn": 30, "rnn_attention": 30, "lstm": 30, "lstm_attention": 30, "transformer": 10,
                            "full_transformer": 6}},
}
MAX_LENGTH = 43


def build(name, src_vocab_size, tgt_vocab_size, device, settings):
    """One of MODELS with the sizes of `settings`."""
    emb, hidden, dropout = settings["emb"], settings["hidden"], settings["dropout"]
    if name.startswith(("rnn", "lstm")):
        kind = "LSTM" if name.startswith("lstm") else "RNN"
        encoder = Encoder(src_vocab_size, emb, hidden, hidden, dropout, kind)
        decoder = Decoder(emb, hidden, hidden, tgt_vocab_size, dropout, kind)
        return Seq2Seq(encoder, decoder, device, attention=name.endswith("attention"))
    if name == "transformer":
        d = settings["dim_kqv"]
        return TransformerTranslator(src_vocab_size, tgt_vocab_size, device, hidden_dim=hidden,
                                     dim_feedforward=settings["dim_feedforward"], dim_k=d, dim_v=d, dim_q=d,
                                     max_length=MAX_LENGTH)
    if name == "full_transformer":
        return FullTransformerTranslator(src_vocab_size, tgt_vocab_size, device, hidden_dim=hidden,
                                         dim_feedforward=min(512, settings["dim_feedforward"]),
                                         dropout=dropout, max_length=MAX_LENGTH)
    raise ValueError(f"unknown model {name!r}; choose from {MODELS}")


def banner(text):
    line = "=" * 78
    print(f"\n{line}\n{text}\n{line}\n", flush=True)


def load_data(requested, batch_size):
    """(loaders, the data actually used, why it fell back or None)."""
    if requested == "multi30k":
        socket.setdefaulttimeout(20)  # an unreachable server fails in seconds, not minutes
        try:
            return load_multi30k(batch_size=batch_size), "multi30k", None
        except (OSError, ValueError) as exc:  # no copy in data/multi30k and no internet
            return load_toy(batch_size=SETTINGS["toy"]["batch_size"]), "toy", f"{type(exc).__name__}: {exc}"
    return load_toy(batch_size=batch_size), "toy", None


def samples_text(sources, references, hypotheses, n=10):
    triples = list(zip(sources, references, hypotheses, strict=True))[:n]
    blocks = [f"source:    {s}\nreference: {r}\nmodel:     {h}" for s, r, h in triples]
    return "\n\n".join(blocks)


def run_model(name, data, settings, args, loaders, device):
    """Train one model, record runs/<name>/; returns its summary dict."""
    train_loader, valid_loader, test_loader, src_vocab, tgt_vocab = loaders
    torch.manual_seed(args.seed)
    train_loader.generator.manual_seed(args.seed)  # the same batches whichever models ran before
    model = build(name, len(src_vocab), len(tgt_vocab), device, settings)
    epochs = args.epochs or settings["epochs"][name]
    config = {"model": name, "data": data, "epochs": epochs, "seed": args.seed, "device": str(device),
              **{k: v for k, v in settings.items() if k != "epochs"}}
    with Run(name, config=config, root=args.runs) as run:
        def record(epoch, train_ppl, valid_ppl, history):
            _, refs, hyps = translate_all(model, valid_loader, src_vocab, tgt_vocab, device)
            valid_bleu = corpus_bleu(hyps, refs)
            run.log(epoch=epoch, train_ppl=train_ppl, valid_ppl=valid_ppl, valid_bleu=valid_bleu)
            if valid_bleu is not None:
                print(f"{name:>22} epoch {epoch:3d}  valid BLEU {valid_bleu:6.2f}", flush=True)

        history = fit(model, train_loader, valid_loader, epochs, lr=settings["lr"], clip=settings["clip"],
                      device=device, name=name, on_epoch=record)
        _, test_ppl = evaluate(model, test_loader, device)
        sources, refs, hyps = translate_all(model, test_loader, src_vocab, tgt_vocab, device)
        summary = {"model": name, "data": data, "epochs": epochs, "test_ppl": test_ppl,
                   "test_bleu": corpus_bleu(hyps, refs), "train_seconds": round(history["seconds"], 1),
                   "train_cpu_seconds": round(history["cpu_seconds"], 1),
                   "parameters": sum(p.numel() for p in model.parameters())}
        run.save_json("summary.json", summary)
        run.save_text("samples.txt", samples_text(sources, refs, hyps))
    print(f"{name}: test perplexity {test_ppl:.3f}, test BLEU {_fmt(summary['test_bleu'])}; "
          f"recorded in {run.path}", flush=True)
    return summary


def _fmt(value):
    return "n/a" if value is None else f"{value:.2f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=MODELS, choices=MODELS)
    parser.add_argument("--epochs", type=int, default=None, help="epochs for every model (default: per model)")
    parser.add_argument("--data", choices=["toy", "multi30k"], default="toy")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the data set's setting")
    parser.add_argument("--runs", default="runs", help="folder of the run records (default: runs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads for torch (default 1: these small models gain nothing from more; 0 = torch's choice)")
    args = parser.parse_args(argv)

    device = default_device()
    if args.threads:
        torch.set_num_threads(args.threads)
    batch_size = args.batch_size or SETTINGS[args.data]["batch_size"]
    loaders, data, fallback = load_data(args.data, batch_size)
    if fallback:
        banner(f"Multi30k is not available here ({fallback[:200]}).\nFALLING BACK to the embedded toy "
               f"translation task, with the toy settings. Results below are NOT Multi30k results.")
    settings = dict(SETTINGS[data])
    if args.batch_size and not fallback:
        settings["batch_size"] = args.batch_size
    src_vocab, tgt_vocab = loaders[3], loaders[4]
    print(f"data: {data}, source vocabulary {len(src_vocab)}, target vocabulary {len(tgt_vocab)}, device {device}")

    results = [run_model(name, data, settings, args, loaders, device) for name in args.models]

    print(f"\n{'model':<18} {'epochs':>6} {'test perplexity':>16} {'test BLEU':>10} {'training CPU s':>15}")
    for r in results:
        print(f"{r['model']:<18} {r['epochs']:>6} {r['test_ppl']:16.3f} {_fmt(r['test_bleu']):>10} "
              f"{r['train_cpu_seconds']:15.1f}")
    if fallback:
        banner("These runs used the embedded toy task, NOT Multi30k (see the banner at the start).")
    return results


if __name__ == "__main__":
    main()
