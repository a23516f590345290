"""Training utilities (support file): train, evaluate with perplexity, learning curves.

All three model families are trained on the same batches (source (N, L), target (N, L),
both starting with <sos>); `scores_and_targets` lines their outputs up with the words
they predict, always target[:, 1:], so their perplexities are comparable.
"""

import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from data import PAD_IDX


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
        verbose=True, name="model"):
    """Adam + cross-entropy (ignoring <pad>) for `epochs` epochs.
    Returns a dict with the per-epoch 'train_ppl' and 'valid_ppl' lists and 'seconds'."""
    device = device or default_device()
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss(ignore_index=PAD_IDX)
    history = {"train_ppl": [], "valid_ppl": []}
    start = time.time()
    for epoch in range(epochs):
        train_loss = train(model, train_loader, optimizer, criterion, device, clip)
        _, valid_ppl = evaluate(model, valid_loader, device)
        history["train_ppl"].append(math.exp(train_loss))
        history["valid_ppl"].append(valid_ppl)
        if verbose:
            print(f"{name:>22} epoch {epoch + 1:3d}  train ppl {math.exp(train_loss):8.3f}  "
                  f"valid ppl {valid_ppl:8.3f}", flush=True)
    history["seconds"] = time.time() - start
    return history


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
