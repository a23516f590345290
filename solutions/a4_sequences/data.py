"""Data for the sequence models (support file, nothing to implement here).

Two sources give the same thing: token-id tensors of source and target sentences, each
wrapped in <sos> ... <eos>, and one vocabulary per language.

- ``load_toy``: the default. A generated toy translation task that needs no download: an
  English-like source grammar (subject, verb, object, optional adverb) is translated into
  an invented target language with its own words and a different word order (adjectives
  after the noun, verb at the end, adverb first and spelled with two words).
- ``load_multi30k``: Multi30k German -> English for course machines; downloads the raw
  corpus once into ``root``.

Vocabulary indices are fixed: 0 <unk>, 1 <pad>, 2 <sos>, 3 <eos>.
"""

import gzip
import os
import re
import urllib.request
from collections import Counter

import numpy as np
import torch
from torch.utils.data import DataLoader

SPECIALS = ["<unk>", "<pad>", "<sos>", "<eos>"]
UNK_IDX, PAD_IDX, SOS_IDX, EOS_IDX = 0, 1, 2, 3


class Vocab:
    """Token <-> index table; tokens seen fewer than ``min_freq`` times map to <unk>."""

    def __init__(self, counter, min_freq=2):
        words = [w for w, c in counter.items() if c >= min_freq and w not in SPECIALS]
        words.sort(key=lambda w: (-counter[w], w))  # frequent first, ties alphabetical
        self.itos = SPECIALS + words
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def __len__(self):
        return len(self.itos)

    def __getitem__(self, token):
        return self.stoi.get(token, UNK_IDX)

    def encode(self, tokens):
        """Token list -> list of ids with <sos> in front and <eos> at the end."""
        return [SOS_IDX] + [self[t] for t in tokens] + [EOS_IDX]

    def decode(self, ids):
        """Ids -> tokens, stopping at the first <eos> and leaving out <sos>/<pad>."""
        out = []
        for i in ids:
            i = int(i)
            if i == EOS_IDX:
                break
            if i not in (SOS_IDX, PAD_IDX):
                out.append(self.itos[i])
        return out


def tokenize(text):
    """Lower-case words and punctuation marks: 'Ein Hund, rennt.' -> ['ein', 'hund', ',', 'rennt', '.']."""
    return re.findall(r"\w+|[^\w\s]", text.lower())


def collate(pairs):
    """Pad a list of (src_ids, tgt_ids) to one common length L (the longest sentence of
    either language in the batch), so encoder-only models can read them position by
    position. Returns (source (N, L), target (N, L)) LongTensors."""
    length = max(max(len(s), len(t)) for s, t in pairs)
    src = torch.full((len(pairs), length), PAD_IDX, dtype=torch.long)
    tgt = torch.full((len(pairs), length), PAD_IDX, dtype=torch.long)
    for n, (s, t) in enumerate(pairs):
        src[n, : len(s)] = torch.tensor(s)
        tgt[n, : len(t)] = torch.tensor(t)
    return src, tgt


def _loaders(splits, src_vocab, tgt_vocab, batch_size, seed):
    """Encode each split and wrap it in a DataLoader (training split shuffled, seeded)."""
    loaders = []
    for name in ("train", "valid", "test"):
        data = [(src_vocab.encode(s), tgt_vocab.encode(t)) for s, t in splits[name]]
        gen = torch.Generator().manual_seed(seed)
        loaders.append(DataLoader(data, batch_size=batch_size, shuffle=name == "train",
                                  collate_fn=collate, generator=gen))
    return loaders


# ---------------------------------------------------------------- toy translation task
# source word -> target word, per part of speech
_DET = {"the": "lo", "a": "un", "every": "cada"}
_ADJ = {"big": "grano", "small": "piko", "red": "rosso", "old": "vecho", "happy": "felo",
        "quiet": "silo", "green": "verdo", "tired": "fatiko"}
_NOUN = {"cat": "gato", "dog": "hundo", "bird": "avo", "man": "viro", "woman": "fema",
         "child": "kido", "teacher": "magistro", "farmer": "agro", "horse": "chevo",
         "fish": "pisko", "king": "rego", "queen": "regina"}
_VERB = {"sees": "vidas", "likes": "amas", "follows": "sekvas", "helps": "helpas",
         "finds": "trovas", "calls": "vokas", "feeds": "nutras", "hears": "audas"}
_ADV = {"today": "hodie", "quickly": "rapide", "often": "ofte", "quietly": "kviete",
        "again": "denove"}
_ADV_PARTICLE = "ze"  # every adverb becomes two target words: "ze <adverb>"


def _noun_phrase(rng):
    """One noun phrase: det adj{0,2} noun -> (source tokens, target tokens).
    The target puts the adjectives after the noun, in reverse order."""
    det = rng.choice(list(_DET))
    adjs = list(rng.choice(list(_ADJ), size=rng.integers(0, 3), replace=False))
    noun = rng.choice(list(_NOUN))
    src = [det] + adjs + [noun]
    tgt = [_DET[det], _NOUN[noun]] + [_ADJ[a] for a in reversed(adjs)]
    return src, tgt


def toy_sentence(rng):
    """One toy sentence pair. Source order: S V O [adv]. Target order: [ze adv] S O V."""
    subj_s, subj_t = _noun_phrase(rng)
    obj_s, obj_t = _noun_phrase(rng)
    verb = rng.choice(list(_VERB))
    src = subj_s + [verb] + obj_s
    tgt = subj_t + obj_t + [_VERB[verb]]
    if rng.random() < 0.5:
        adv = rng.choice(list(_ADV))
        src = src + [adv]
        tgt = [_ADV_PARTICLE, _ADV[adv]] + tgt
    return [str(w) for w in src], [str(w) for w in tgt]


def toy_pairs(n, seed=0):
    """A list of ``n`` (source tokens, target tokens) pairs drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    return [toy_sentence(rng) for _ in range(n)]


def load_toy(batch_size=128, n_train=4000, n_valid=500, n_test=500, seed=0, min_freq=2):
    """The offline default. Returns (train_loader, valid_loader, test_loader, src_vocab,
    tgt_vocab); each loader yields (source (N, L), target (N, L)) LongTensors."""
    pairs = toy_pairs(n_train + n_valid + n_test, seed)
    splits = {"train": pairs[:n_train], "valid": pairs[n_train:n_train + n_valid],
              "test": pairs[n_train + n_valid:]}
    src_vocab = Vocab(Counter(w for s, _ in splits["train"] for w in s), min_freq)
    tgt_vocab = Vocab(Counter(w for _, t in splits["train"] for w in t), min_freq)
    return (*_loaders(splits, src_vocab, tgt_vocab, batch_size, seed), src_vocab, tgt_vocab)


# ---------------------------------------------------------------- Multi30k (course machines)
MULTI30K_URL = "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/"
MULTI30K_FILES = {"train": "train", "valid": "val", "test": "test_2016_flickr"}


def _read_lines(root, stem, lang, download):
    path = os.path.join(root, f"{stem}.{lang}.gz")
    if not os.path.exists(path):
        if not download:
            raise FileNotFoundError(f"{path} is missing; call with download=True on a machine "
                                    "with internet access")
        os.makedirs(root, exist_ok=True)
        urllib.request.urlretrieve(MULTI30K_URL + f"{stem}.{lang}.gz", path)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [line.strip() for line in f]


def load_multi30k(root="data/multi30k", batch_size=128, max_length=20, min_freq=2,
                  download=True, seed=0):
    """Multi30k German (source) -> English (target). Sentences longer than ``max_length``
    tokens including <sos>/<eos> are dropped. Returns the same five things as load_toy."""
    splits = {}
    for name, stem in MULTI30K_FILES.items():
        de = _read_lines(root, stem, "de", download)
        en = _read_lines(root, stem, "en", download)
        pairs = [(tokenize(d), tokenize(e)) for d, e in zip(de, en, strict=True)]
        splits[name] = [(d, e) for d, e in pairs if max(len(d), len(e)) + 2 <= max_length]
    src_vocab = Vocab(Counter(w for s, _ in splits["train"] for w in s), min_freq)
    tgt_vocab = Vocab(Counter(w for _, t in splits["train"] for w in t), min_freq)
    return (*_loaders(splits, src_vocab, tgt_vocab, batch_size, seed), src_vocab, tgt_vocab)
