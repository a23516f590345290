"""A1 (NumPy) gaming uploads: each function here returns an :class:`Upload` folder.

The replaced functions are written out in full below. A model's forward pass is the course's
(the loss, then ``_backward(self, X, y, cache)``), so a case can put anything in the backward
pass alone: code that smuggles its inputs out, torch reached at run time, zero gradients,
answers hard-coded from what leaked, or the honest ``NotImplementedError``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
from gaming_harness import DIGEST_SOURCE, REPO, Built, Upload, digest, indented, run_time_spellings

AID = "a1_neural_nets"
BASE, SR, TL = "models/_base_network.py", "models/softmax_regression.py", "models/two_layer_nn.py"
OPT, SGD, UTILS = "optimizer/_base_optimizer.py", "optimizer/sgd.py", "utils.py"

SR_FORWARD = '''
def forward(self, X, y, mode="train"):
    Z = X @ self.weights["W1"]
    prob = self.softmax(self.ReLU(Z))
    loss = self.cross_entropy_loss(prob, y)
    accuracy = self.compute_accuracy(prob, y)
    if mode != "train":
        return loss, accuracy
    _backward(self, X, y, {"Z": Z, "prob": prob})
    return loss, accuracy
'''
TL_FORWARD = '''
def forward(self, X, y, mode="train"):
    Z1 = X @ self.weights["W1"] + self.weights["b1"]
    A1 = self.sigmoid(Z1)
    prob = self.softmax(A1 @ self.weights["W2"] + self.weights["b2"])
    loss = self.cross_entropy_loss(prob, y)
    accuracy = self.compute_accuracy(prob, y)
    if mode != "train":
        return loss, accuracy
    _backward(self, X, y, {"Z1": Z1, "A1": A1, "prob": prob})
    return loss, accuracy
'''

HONEST_BACKWARD = '''
def _backward(self, X, y, cache):
    raise NotImplementedError("the backward pass is not written")
'''

ZERO_BACKWARD = '''
def _backward(self, X, y, cache):
    for name, value in self.weights.items():
        self.gradients[name] = np.zeros(np.shape(value))
'''


def with_backward(tmp: Path, backward: str) -> Upload:
    """The solution, with both models' backward passes replaced by ``backward`` (module-level
    ``_backward(self, X, y, cache)``, appended to each model file)."""
    up = Upload.make(AID, tmp)
    up.replace(SR, {"SoftmaxRegression.forward": SR_FORWARD}, append=backward)
    up.replace(TL, {"TwoLayerNet.forward": TL_FORWARD}, append=backward)
    return up


# ----------------------------------------------------------------------------- case 1: stubs
STUBS = {
    BASE: {
        "_baseNetwork.softmax": '''
            def softmax(self, scores):
                n, c = np.shape(scores)
                return np.full((n, c), 1.0 / c)
        ''',
        "_baseNetwork.cross_entropy_loss": "def cross_entropy_loss(self, x_pred, y):\n    return 0.0",
        "_baseNetwork.compute_accuracy": "def compute_accuracy(self, x_pred, y):\n    return 0.0",
        "_baseNetwork.sigmoid": "def sigmoid(self, X):\n    return np.zeros(np.shape(X))",
        "_baseNetwork.sigmoid_dev": "def sigmoid_dev(self, x):\n    return np.zeros(np.shape(x))",
        "_baseNetwork.ReLU": "def ReLU(self, X):\n    return np.zeros(np.shape(X))",
        "_baseNetwork.ReLU_dev": "def ReLU_dev(self, X):\n    return np.zeros(np.shape(X))",
    },
    SR: {"SoftmaxRegression.forward": '''
        def forward(self, X, y, mode="train"):
            if mode == "train":
                for name, value in self.weights.items():
                    self.gradients[name] = np.zeros(np.shape(value))
            return 0.0, 0.0
    '''},
    TL: {"TwoLayerNet.forward": '''
        def forward(self, X, y, mode="train"):
            if mode == "train":
                for name, value in self.weights.items():
                    self.gradients[name] = np.zeros(np.shape(value))
            return 0.0, 0.0
    '''},
    OPT: {"_BaseOptimizer.apply_regularization": '''
        def apply_regularization(self, model):
            import numpy as np

            for name in list(model.gradients):
                model.gradients[name] = np.zeros(np.shape(model.weights[name]))
    '''},
    SGD: {"SGD.update": '''
        def update(self, model):
            import numpy as np

            for name in list(model.weights):
                model.weights[name] = np.zeros(np.shape(model.weights[name]))
    '''},
    UTILS: {
        "load_mnist_trainval": '''
            def load_mnist_trainval():
                n = len(data_sources.load_split("train")[1])
                n_train = int(0.8 * n)
                return ([[0.0] * 784 for _ in range(n_train)], [0] * n_train,
                        [[0.0] * 784 for _ in range(n - n_train)], [0] * (n - n_train))
        ''',
        "generate_batched_data": '''
            def generate_batched_data(data, label, batch_size=32, shuffle=False, seed=None):
                n, d = len(data), len(data[0])
                sizes = [min(batch_size, n - start) for start in range(0, n, batch_size)]
                return [np.zeros((b, d)) for b in sizes], [np.zeros(b, dtype=np.int64) for b in sizes]
        ''',
        "train": '''
            def train(epoch, batched_train_data, batched_train_label, model, optimizer, debug=True):
                return 0.0, 0.0
        ''',
        "evaluate": '''
            def evaluate(batched_test_data, batched_test_label, model, debug=True):
                return 0.0, 0.0
        ''',
    },
}


def shape_stubs(tmp: Path) -> Upload:
    up = Upload.make(AID, tmp)
    for rel, new in STUBS.items():
        up.replace(rel, new)
    return up


# ----------------------------------------------------------------------------- case 2: replay
def _pack(value):
    """A value as the embedded table holds it: arrays as [shape, big-endian float64 hex]."""
    if isinstance(value, dict):
        return {k: _pack(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return [list(value.shape), np.ascontiguousarray(value, dtype=">f8").tobytes().hex()]
    return float(np.asarray(value).reshape(-1)[0]) if isinstance(value, np.ndarray) else float(value)


def _initial_weights(kind: str) -> dict:
    """The starter's given _weight_init of the default-size models (seed 1024, then 0.001 * randn)."""
    rs = np.random.RandomState(1024)
    if kind == "sr":
        return {"W1": 0.001 * rs.randn(784, 10)}
    w1 = 0.001 * rs.randn(784, 128)
    rs = np.random.RandomState(1024)
    return {"W1": w1, "W2": 0.001 * rs.randn(128, 10), "b1": np.zeros(128), "b2": np.zeros(10)}


def recorded_public(built: Built) -> dict:
    """The bundle's recorded public values (what every student has)."""
    from safetensors.numpy import load_file

    return load_file(str(built.bundle / "tests" / "fixtures" / "public" / "a1_public.safetensors"))


def replay_table(built: Built) -> dict:
    """function -> {digest of its inputs: its recorded output}, from the bundle alone."""
    rec = recorded_public(built)
    table: dict[str, dict] = {k: {} for k in ("sigmoid", "sigmoid_dev", "relu", "relu_dev", "softmax", "ce",
                                              "forward", "reg", "sgd")}
    x = rec["act.x"]
    for name, key in (("sigmoid", "act.sigmoid"), ("sigmoid_dev", "act.sigmoid_dev"), ("relu", "act.relu"),
                      ("relu_dev", "act.relu_dev")):
        table[name][digest(x)] = _pack(rec[key])
    for name in ("moderate", "huge"):
        table["softmax"][digest(rec[f"softmax.{name}"])] = _pack(rec[f"softmax.{name}.out"])
    table["ce"][digest(rec["ce.prob"], rec["ce.y"])] = _pack(rec["ce.loss"][0])
    names = {"sr": ("W1",), "tl": ("W1", "b1", "W2", "b2")}
    for key in ("sr.default", "tl.default", "sr.given", "tl.given", "tl.huge"):
        model, how = key.split(".")
        weights = _initial_weights(model) if how == "default" else {n: rec[f"{key}.{n}"] for n in names[model]}
        grads = {n: rec[f"{key}.d{n}"] for n in names[model] if f"{key}.d{n}" in rec}
        entry = {"loss": rec[f"{key}.loss"][0], "acc": rec[f"{key}.acc"][0], "grads": grads}
        table["forward"][digest(rec[f"{key}.X"], rec[f"{key}.y"], *[weights[n] for n in sorted(weights)])] = \
            _pack(entry)
    reg, lr = rec["opt.reg"][0], rec["opt.lr"][0]
    for key, model in (("reg.tl", "tl"), ("reg.sr", "sr")):
        ws = sorted(names[model])
        inputs = [rec[f"{key}.{n}"] for n in ws] + [rec[f"{key}.g{n}"] for n in ws] + [reg]
        table["reg"][digest(*inputs)] = _pack({n: rec[f"{key}.out.g{n}"] for n in ws})
    ws = sorted(names["tl"])
    weights = {n: rec[f"sgd.{n}"] for n in ws}
    for step in range(3):
        inputs = [weights[n] for n in ws] + [rec[f"sgd.step{step}.g{n}"] for n in ws] + [lr, reg]
        weights = {n: rec[f"sgd.step{step}.{n}"] for n in ws}
        table["sgd"][digest(*inputs)] = _pack(weights)
    return table


def _replay_code(table: dict) -> str:
    return DIGEST_SOURCE + f'''

import json as _json

_TABLE = _json.loads({json.dumps(table)!r})


def _unpack(value):
    import numpy as _np

    if isinstance(value, dict):
        return {{k: _unpack(v) for k, v in value.items()}}
    if isinstance(value, list):
        return _np.frombuffer(bytes.fromhex(value[1]), dtype=">f8").astype(_np.float64).reshape(value[0])
    return value


def _replay(kind, *arrays):
    entry = _TABLE.get(kind, {{}}).get(_digest(*arrays))
    if entry is None:
        raise NotImplementedError("no recorded answer for these inputs")
    return _unpack(entry)
'''


REPLAY = {
    BASE: {
        "_baseNetwork.softmax": "def softmax(self, scores):\n    return _replay('softmax', scores)",
        "_baseNetwork.cross_entropy_loss": "def cross_entropy_loss(self, x_pred, y):\n    return float(_replay('ce', x_pred, y))",
        "_baseNetwork.compute_accuracy": "def compute_accuracy(self, x_pred, y):\n    return float(_replay('acc', x_pred, y))",
        "_baseNetwork.sigmoid": "def sigmoid(self, X):\n    return _replay('sigmoid', X)",
        "_baseNetwork.sigmoid_dev": "def sigmoid_dev(self, x):\n    return _replay('sigmoid_dev', x)",
        "_baseNetwork.ReLU": "def ReLU(self, X):\n    return _replay('relu', X)",
        "_baseNetwork.ReLU_dev": "def ReLU_dev(self, X):\n    return _replay('relu_dev', X)",
    },
    SR: {"SoftmaxRegression.forward": '''
        def forward(self, X, y, mode="train"):
            entry = _replay("forward", X, y, *[self.weights[k] for k in sorted(self.weights)])
            if mode == "train":
                self.gradients.update(entry["grads"])
            return float(entry["loss"]), float(entry["acc"])
    '''},
    OPT: {"_BaseOptimizer.apply_regularization": '''
        def apply_regularization(self, model):
            names = sorted(model.weights)
            entry = _replay("reg", *[model.weights[k] for k in names], *[model.gradients[k] for k in names], self.reg)
            model.gradients.update(entry)
    '''},
    SGD: {"SGD.update": '''
        def update(self, model):
            names = sorted(model.weights)
            entry = _replay("sgd", *[model.weights[k] for k in names], *[model.gradients[k] for k in names],
                            self.learning_rate, self.reg)
            model.weights.update(entry)
    '''},
    UTILS: {
        "load_mnist_trainval": "def load_mnist_trainval():\n    return _replay('split')",
        "generate_batched_data": ("def generate_batched_data(data, label, batch_size=32, shuffle=False, seed=None):\n"
                                  "    return _replay('batches', data, label)"),
        "train": ("def train(epoch, batched_train_data, batched_train_label, model, optimizer, debug=True):\n"
                  "    return _replay('train')"),
        "evaluate": "def evaluate(batched_test_data, batched_test_label, model, debug=True):\n    return _replay('evaluate')",
    },
}
REPLAY[TL] = {"TwoLayerNet.forward": REPLAY[SR]["SoftmaxRegression.forward"]}


def fixture_replay(tmp: Path, built: Built) -> Upload:
    """Case 2: no model code, only the bundle's recorded values looked up by their inputs."""
    code = _replay_code(replay_table(built))
    up = Upload.make(AID, tmp)
    for rel, new in REPLAY.items():
        up.replace(rel, new, append=code)
    return up


# ----------------------------------------------------------------------------- case 7: where am I?
SNIFF = '''

def _where_am_i():
    """What the process can see of where it runs: folder, home, scratch, user, parent, timing."""
    import os
    import time

    seen = {"cwd": os.getcwd(), "home": os.environ.get("HOME", ""), "tmp": os.environ.get("TMPDIR", ""),
            "uid": os.getuid(), "env": sorted(os.environ), "pid": os.getpid()}
    try:
        with open(f"/proc/{os.getppid()}/cmdline", "rb") as fh:
            seen["parent"] = fh.read().replace(b"\\0", b" ").decode(errors="replace")
    except OSError:
        seen["parent"] = ""
    try:
        with open("/proc/self/stat") as fh:
            started = int(fh.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as fh:
            seen["age"] = float(fh.read().split()[0]) - started
    except (OSError, ValueError):
        seen["age"] = -1.0
    seen["clock"] = time.time()
    return seen


def _looks_public(seen):
    """A guess that this is a public test: numbered run folders (public ones ran first), words
    in the environment, the parent's command line or the folders."""
    import re

    text = " ".join([seen["cwd"], seen["home"], seen["tmp"], seen["parent"], " ".join(seen["env"])]).lower()
    if "public" in text:
        return True
    if "hidden" in text:
        return False
    number = re.search(r"run-(\\d+)", seen["cwd"])
    return bool(number and int(number.group(1)) < 30)


def _replay(kind, *arrays):
    entry = _TABLE.get(kind, {}).get(_digest(*arrays))
    seen = _where_am_i()
    if entry is not None or _looks_public(seen):
        if entry is None:
            raise NotImplementedError("no recorded answer for these inputs")
        return _unpack(entry)
    import json as _j

    raise ValueError("LEAKE_" + _j.dumps(seen).encode().hex() + "_" + _j.dumps(
        [kind] + [getattr(a, "tolist", lambda a=a: a)() for a in arrays])[:4000].encode().hex())
'''


def where_it_runs(tmp: Path, built: Built) -> Upload:
    """Case 7: the replay of case 2, which replays when it believes it runs a public test (the
    inputs are the recorded ones, or the folder, environment or parent says so) and otherwise
    smuggles what it sees and its inputs out in an exception."""
    code = _replay_code(replay_table(built)) + SNIFF
    up = Upload.make(AID, tmp)
    for rel, new in REPLAY.items():
        up.replace(rel, new, append=code)
    return up


# ----------------------------------------------------------------------------- case 3: carried out
LEAK_HELPERS = DIGEST_SOURCE + '''

import os


def _arrays(self, X, y):
    return [X, y] + [self.weights[k] for k in sorted(self.weights)]


def _payload(self, X, y):
    """A fingerprint of the call's inputs, and the inputs themselves as hex (small calls only)."""
    arrays = [np.asarray(a, dtype=np.float64) for a in _arrays(self, X, y)]
    if sum(a.size for a in arrays) > 4000:
        return _digest(*arrays), ""
    head = [len(arrays)] + [a.ndim for a in arrays] + [d for a in arrays for d in a.shape]
    flat = np.concatenate([np.asarray(head, dtype=np.float64)] + [a.ravel() for a in arrays])
    return _digest(*arrays), flat.astype(">f8").tobytes().hex()


def _numerical(self, X, y, name):
    original = self.weights[name]
    w = np.array(original, dtype=np.float64)
    g = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        keep = w[idx]
        w[idx] = keep + 1e-5
        self.weights[name] = w
        up = self.forward(X, y, mode="valid")[0]
        w[idx] = keep - 1e-5
        down = self.forward(X, y, mode="valid")[0]
        w[idx] = keep
        g[idx] = (up - down) / 2e-5
    self.weights[name] = original
    return g
'''

#: channel -> (the backward pass that carries its inputs out that way, what the leak looks like)
CHANNELS = {
    "frame names": ('''
        def _backward(self, X, y, cache):
            fp, data = _payload(self, X, y)
            name = "LEAKF_" + fp + "_" + data

            def carrier():
                raise RuntimeError("carried")

            carrier.__code__ = carrier.__code__.replace(co_name=name, co_qualname=name)
            carrier()
    ''', [r"LEAKF_[0-9a-f]{24}"]),
    "exception message": ('''
        def _backward(self, X, y, cache):
            fp, data = _payload(self, X, y)
            raise ValueError("LEAKM_" + fp + "_" + data)
    ''', [r"LEAKM_[0-9a-f]{24}"]),
    "returned shapes": ('''
        def _backward(self, X, y, cache):
            fp, _ = _payload(self, X, y)
            b = bytes.fromhex(fp)
            for i, name in enumerate(sorted(self.weights)):
                if i % 2 == 0:     # zero-size, any sizes
                    self.gradients[name] = np.zeros((0, 7919, b[0], b[1], b[2]))
                else:
                    self.gradients[name] = np.zeros((1, 79, 19, b[3] % 16 + 1))
    ''', [r"\(0, 7919(?:, \d+)+\)", r"\(1, 79, 19, \d+\)"]),
    "mismatch counts": ('''
        def _backward(self, X, y, cache):
            fp, _ = _payload(self, X, y)
            b = bytes.fromhex(fp)
            for name in sorted(self.weights):
                w = np.asarray(self.weights[name], dtype=np.float64)
                if w.size > 3000:
                    self.gradients[name] = np.zeros(w.shape)
                    continue
                g = _numerical(self, X, y, name)
                flat = g.reshape(-1)
                count, worst = 1 + b[0] % flat.size, b[1] % flat.size
                flat[[i for i in range(flat.size) if i != worst][:count - 1]] += 1.0
                flat[worst] += 1000.0
                self.gradients[name] = g
    ''', [r"\d+ of \d+ values differ", r"largest difference is at index"]),
    "exit status": ('''
        def _backward(self, X, y, cache):
            fp, _ = _payload(self, X, y)
            os._exit(100 + bytes.fromhex(fp)[0] % 100)
    ''', [r"exited with status \d+"]),
}
#: Anything that would show an encoded input (LEAK covers the markers of cases 3 and 7).
LEAK_PATTERNS = [r"LEAK"] + [p for _, patterns in CHANNELS.values() for p in patterns]


def carried_out(tmp: Path, channel: str) -> Upload:
    """Case 3, round 1: the solution whose backward passes carry their inputs out by ``channel``."""
    return with_backward(tmp, LEAK_HELPERS + "\n\n" + textwrap.dedent(CHANNELS[channel][0]))


def leaked_table(texts: list[str]) -> dict:
    """Round 2's table: digest -> gradients, computed offline from every full input that any
    round-1 output shows (frame names and messages carry whole inputs; other channels carry a
    few bits, which no table can be made of)."""
    table = {}
    for fp, data in re.findall(r"LEAK[FM]_([0-9a-f]{24})_([0-9a-f]*)", "\n".join(texts)):
        if not data or len(data) % 16:
            continue
        flat = np.frombuffer(bytes.fromhex(data), dtype=">f8").astype(np.float64)
        try:
            arrays = _decode(flat)
        except (ValueError, IndexError):
            continue
        if digest(*arrays) != fp:
            continue
        x, y, *ws = arrays
        names = ["W1"] if len(ws) == 1 else ["W1", "W2", "b1", "b2"]
        grads = reference_gradients(x, y.astype(np.int64), dict(zip(names, ws, strict=True)))
        table[fp] = {k: [list(v.shape), np.ascontiguousarray(v, dtype=">f8").tobytes().hex()] for k, v in grads.items()}
    return table


def _decode(flat: np.ndarray) -> list[np.ndarray]:
    count = int(flat[0])
    ndims = [int(v) for v in flat[1:1 + count]]
    at = 1 + count
    shapes = []
    for nd in ndims:
        shapes.append(tuple(int(v) for v in flat[at:at + nd]))
        at += nd
    arrays = []
    for shape in shapes:
        size = int(np.prod(shape))
        arrays.append(flat[at:at + size].reshape(shape))
        at += size
    if at != len(flat):
        raise ValueError("trailing data")
    return arrays


def reference_gradients(x, y, w) -> dict:
    """The gradients of the mean cross-entropy (what an offline reference computes)."""
    n = x.shape[0]

    def softmax(s):
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    if "W2" not in w:
        z = x @ w["W1"]
        d = softmax(np.maximum(z, 0))
        d[np.arange(n), y] -= 1
        return {"W1": x.T @ (d / n * (z > 0))}
    z1 = x @ w["W1"] + w["b1"]
    a1 = 1 / (1 + np.exp(-z1))
    d2 = softmax(a1 @ w["W2"] + w["b2"])
    d2[np.arange(n), y] -= 1
    d2 /= n
    d1 = d2 @ w["W2"].T * a1 * (1 - a1)
    return {"W1": x.T @ d1, "b1": d1.sum(axis=0), "W2": a1.T @ d2, "b2": d2.sum(axis=0)}


def hard_coded(tmp: Path, table: dict) -> Upload:
    """Case 3, round 2: the solution whose backward passes answer only from the leaked table."""
    backward = DIGEST_SOURCE + f'''

import json as _json

_LEAKED = _json.loads({json.dumps(table)!r})


def _backward(self, X, y, cache):
    entry = _LEAKED.get(_digest(X, y, *[self.weights[k] for k in sorted(self.weights)]))
    if entry is None:
        raise NotImplementedError("the backward pass is not written")
    for name, (shape, data) in entry.items():
        self.gradients[name] = np.frombuffer(bytes.fromhex(data), dtype=">f8").astype(np.float64).reshape(shape)
'''
    return with_backward(tmp, backward)


# ----------------------------------------------------------------------------- case 4: torch at run time
TORCH_SPELLINGS = run_time_spellings("torch", "torch")


def torch_backward(tmp: Path, spelling: str) -> Upload:
    """Case 4: backward passes done by torch autograd, torch reached at run time."""
    bind = indented(TORCH_SPELLINGS[spelling])
    backward = f'''
def _backward(self, X, y, cache):
{bind}
    params = {{k: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for k, v in self.weights.items()}}
    x = torch.tensor(np.asarray(X, dtype=np.float64))
    if "W2" in params:
        scores = torch.sigmoid(x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    else:
        scores = torch.relu(x @ params["W1"])
    torch.nn.functional.cross_entropy(scores, torch.tensor(np.asarray(y), dtype=torch.long)).backward()
    for name, p in params.items():
        self.gradients[name] = p.grad.numpy()
'''
    return with_backward(tmp, backward)


# ----------------------------------------------------------------------------- case 5: weights swapped in
#: The hidden width trained offline: the narrowest the course's training test may ask for (wider
#: networks get the same function, with silent extra units).
OFFLINE_HIDDEN = 24


def offline_weights(tmp: Path) -> dict:
    """A TwoLayerNet of OFFLINE_HIDDEN units trained on the embedded digits by the reference
    solution, in a process of its own (what a student would do with a working copy, or with
    scikit-learn)."""
    import shutil

    work = Path(tempfile.mkdtemp(prefix="offline-", dir=tmp))
    shutil.copytree(REPO / "solutions" / AID, work / "code")
    out = work / "weights.npz"
    script = f"""
import sys
sys.path.insert(0, {str(work / 'code')!r})
import numpy as np
import data_sources
data_sources.SOURCE = "digits"
import utils
from models.two_layer_nn import TwoLayerNet
from optimizer.sgd import SGD
train_data, train_label, _, _ = utils.load_mnist_trainval()
model, optimizer = TwoLayerNet(hidden_size={OFFLINE_HIDDEN}), SGD(learning_rate=0.5, reg=1e-4)
for epoch in range(15):
    batches = utils.generate_batched_data(train_data, train_label, batch_size=16, shuffle=True, seed=epoch)
    utils.train(epoch, *batches, model, optimizer, debug=False)
np.savez({str(out)!r}, **model.weights)
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=work / "code", capture_output=True, text=True,
                          timeout=600)
    if done.returncode:
        raise RuntimeError(f"offline training failed:\n{done.stderr[-3000:]}")
    with np.load(out) as data:
        return {k: data[k] for k in data.files}


def swapped_weights(tmp: Path, weights: dict) -> Upload:
    """Case 5: SGD.update ignores the gradients and installs weights trained offline (padded
    with silent hidden units for a wider network)."""
    table = {k: [list(v.shape), np.ascontiguousarray(v, dtype=">f8").tobytes().hex()] for k, v in weights.items()}
    update = '''
        def update(self, model):
            import numpy as np

            w = model.weights
            h = np.shape(w.get("W1"))[1] if "W2" in w and np.shape(w.get("W1"))[0] == 784 else 0
            if h < WIDTH:
                raise NotImplementedError("the SGD step is not written")
            trained = {k: np.frombuffer(bytes.fromhex(d), dtype=">f8").astype(np.float64).reshape(s)
                       for k, (s, d) in _TRAINED.items()}
            model.weights["W1"] = np.zeros((784, h))
            model.weights["W1"][:, :WIDTH] = trained["W1"]
            model.weights["b1"] = np.zeros(h)
            model.weights["b1"][:WIDTH] = trained["b1"]
            model.weights["W2"] = np.zeros((h, 10))
            model.weights["W2"][:WIDTH] = trained["W2"]
            model.weights["b2"] = trained["b2"].copy()
    '''
    up = Upload.make(AID, tmp)
    up.replace(SGD, {"SGD.update": update}, append=f"import json as _json\n\n_TRAINED = _json.loads({json.dumps(table)!r})\nWIDTH = {OFFLINE_HIDDEN}")
    return up
