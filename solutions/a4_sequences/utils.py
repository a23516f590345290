"""Training utilities (support file): train, evaluate with perplexity and BLEU, learning curves.

All three model families are trained on the same batches (source (N, L), target (N, L),
both starting with <sos>); `scores_and_targets` lines their outputs up with the words
they predict, always target[:, 1:], so their perplexities are comparable. `greedy_words`
decodes every model the same way, without looking at the reference: BLEU (sacrebleu) on
those decodes is the measure that treats all models alike.
"""

import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from data import EOS_IDX, PAD_IDX


def default_device():
    """CUDA when available, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def scores_and_targets(model, source, target):
    """Run `model` on a batch and return (scores (N, L-1, V), gold ids (N, L-1)).

    - Seq2Seq (has .encoder): greedy decoding of L-1 words; step t predicts target[:, t+1].
    - FullTransformerTranslator (has .generate_translation): teacher forcing with
      target[:, :-1] as decoder input.
    - TransformerTranslator: one prediction per source position; position t predicts
      target[:, t] and position 0 (<sos>) is skipped.
    """
    gold = target[:, 1:]
    if hasattr(model, "encoder"):
        scores = model(source, out_seq_len=gold.shape[1])
    elif hasattr(model, "generate_translation"):
        scores = model(source, target[:, :-1])
    else:
        scores = model(source)[:, 1:]
    return scores, gold


def train(model, loader, optimizer, criterion, device=None, clip=0.5):
    """One epoch of training with gradient-norm clipping. Returns the mean batch loss."""
    device = device or default_device()
    model.train()
    total = 0.0
    for source, target in loader:
        source, target = source.to(device), target.to(device)
        scores, gold = scores_and_targets(model, source, target)
        loss = criterion(scores.reshape(-1, scores.shape[-1]), gold.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        total += loss.item()
    return total / len(loader)


@torch.no_grad()
def evaluate(model, loader, device=None):
    """Returns (mean cross-entropy per target word, perplexity = exp of it); <pad> ignored."""
    device = device or default_device()
    model.eval()
    nll, words = 0.0, 0
    for source, target in loader:
        source, target = source.to(device), target.to(device)
        scores, gold = scores_and_targets(model, source, target)
        nll += F.cross_entropy(scores.reshape(-1, scores.shape[-1]), gold.reshape(-1),
                               ignore_index=PAD_IDX, reduction="sum").item()
        words += int((gold != PAD_IDX).sum())
    loss = nll / max(words, 1)
    return loss, math.exp(loss)


def fit(model, train_loader, valid_loader, epochs, lr=1e-3, clip=0.5, device=None,
        verbose=True, name="model", on_epoch=None):
    """Adam + cross-entropy (ignoring <pad>) for `epochs` epochs.
    Returns a dict with the per-epoch 'train_ppl' and 'valid_ppl' lists, 'seconds' (wall-clock
    training time, evaluation excluded) and 'cpu_seconds' (this process's CPU time for the same,
    which a busy machine does not inflate). `on_epoch(epoch, train_ppl, valid_ppl, history)`
    runs after every epoch (train.py records the run there)."""
    device = device or default_device()
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss(ignore_index=PAD_IDX)
    history = {"train_ppl": [], "valid_ppl": [], "seconds": 0.0, "cpu_seconds": 0.0}
    for epoch in range(epochs):
        start, cpu_start = time.time(), time.process_time()
        train_loss = train(model, train_loader, optimizer, criterion, device, clip)
        history["seconds"] += time.time() - start
        history["cpu_seconds"] += time.process_time() - cpu_start
        _, valid_ppl = evaluate(model, valid_loader, device)
        history["train_ppl"].append(math.exp(train_loss))
        history["valid_ppl"].append(valid_ppl)
        if verbose:
            print(f"{name:>22} epoch {epoch + 1:3d}  train ppl {math.exp(train_loss):8.3f}  "
                  f"valid ppl {valid_ppl:8.3f}", flush=True)
        if on_epoch is not None:
            on_epoch(epoch + 1, math.exp(train_loss), valid_ppl, history)
    return history


@torch.no_grad()
def greedy_words(model, source, length):
    """Greedy translations of a batch, as target ids (N, length), without the reference.

    Seq2Seq decodes word by word from <sos>; FullTransformerTranslator generates word by
    word; the encoder-only TransformerTranslator reads its prediction for positions
    1..length at once (position t predicts target word t).
    """
    if hasattr(model, "encoder"):
        scores = model(source, out_seq_len=length)
    elif hasattr(model, "generate_translation"):
        scores = model.generate_translation(source, max_len=length)
    else:
        scores = model(source)[:, 1:length + 1]
    return scores.argmax(dim=-1)


def _sentence(vocab, ids):
    return " ".join(vocab.decode(ids))


@torch.no_grad()
def translate_all(model, loader, src_vocab, tgt_vocab, device=None):
    """(sources, references, hypotheses) as lists of sentences, greedy decoding, eval mode."""
    device = device or default_device()
    model.eval()
    sources, references, hypotheses = [], [], []
    for source, target in loader:
        source = source.to(device)
        words = greedy_words(model, source, target.shape[1] - 1).cpu()
        for n in range(source.shape[0]):
            sources.append(_sentence(src_vocab, source[n].cpu()))
            references.append(_sentence(tgt_vocab, target[n, 1:]))
            hyp = [int(i) for i in words[n]]
            hypotheses.append(_sentence(tgt_vocab, hyp[: hyp.index(EOS_IDX)] if EOS_IDX in hyp else hyp))
    return sources, references, hypotheses


def corpus_bleu(hypotheses, references):
    """Corpus BLEU (0-100) with sacrebleu's defaults, or None when sacrebleu is missing."""
    try:
        import sacrebleu
    except ImportError:
        print("sacrebleu is not installed (pip install sacrebleu): BLEU is left out", flush=True)
        return None
    return float(sacrebleu.corpus_bleu(hypotheses, [references]).score)


def bleu(model, loader, src_vocab, tgt_vocab, device=None):
    """BLEU of greedy translations of a whole loader."""
    _, references, hypotheses = translate_all(model, loader, src_vocab, tgt_vocab, device)
    return corpus_bleu(hypotheses, references)


def plot_curves(train_ppl, valid_ppl, title, filename=None):
    """Plot train/validation perplexity per epoch; save to `filename` or show."""
    import matplotlib.pyplot as plt

    epochs = range(1, len(train_ppl) + 1)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(epochs, train_ppl, label="train")
    ax.plot(epochs, valid_ppl, label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("perplexity")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    if filename:
        fig.savefig(filename)
        plt.close(fig)
    else:
        plt.show()
