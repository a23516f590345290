"""A2 gaming uploads: Part 1 done by torch, and impostor architectures on the leaderboard."""

from __future__ import annotations

from pathlib import Path

from gaming_harness import REPO, Upload, indented, run_time_spellings

AID = "a2_cnns"
CONV, POOL = "modules/convolution.py", "modules/max_pool.py"
TWOLAYER, CNN = "models/twolayer.py", "models/cnn.py"
CHECKPOINTS = REPO / "solutions" / AID / "checkpoints"

#: the two spellings graded here: one the static check also refuses, one only the worker can
TORCH_SPELLINGS = {k: v for k, v in run_time_spellings("torch", "torch").items()
                   if k in ("importlib", "importlib, disguised")}


def torch_part1(tmp: Path, spelling: str) -> Upload:
    """Case 8: the NumPy-only convolution and max pooling of Part 1 done by F.conv2d, F.max_pool2d
    and autograd, torch reached at run time."""
    bind = indented(TORCH_SPELLINGS[spelling])
    conv = {
        "Conv2D.forward": f'''
def forward(self, x):
{bind}
    xt = torch.tensor(x, requires_grad=True)
    w = torch.tensor(self.weight, dtype=xt.dtype, requires_grad=True)
    b = torch.tensor(self.bias, dtype=xt.dtype, requires_grad=True)
    out = torch.nn.functional.conv2d(xt, w, b, stride=self.stride, padding=self.padding)
    self.cache = (xt, w, b, out)
    return out.detach().numpy()
''',
        "Conv2D.backward": f'''
def backward(self, dout):
{bind}
    xt, w, b, out = self.cache
    out.backward(torch.tensor(dout, dtype=out.dtype))
    self.dx, self.dw, self.db = xt.grad.numpy(), w.grad.numpy(), b.grad.numpy()
''',
    }
    pool = {
        "MaxPooling.forward": f'''
def forward(self, x):
{bind}
    xt = torch.tensor(x, requires_grad=True)
    out = torch.nn.functional.max_pool2d(xt, self.kernel_size, self.stride)
    self.cache = (xt, out)
    return out.detach().numpy()
''',
        "MaxPooling.backward": f'''
def backward(self, dout):
{bind}
    xt, out = self.cache
    out.backward(torch.tensor(dout, dtype=out.dtype))
    self.dx = xt.grad.numpy()
''',
    }
    return Upload.make(AID, tmp).replace(CONV, conv).replace(POOL, pool)


def part1_reverted(tmp: Path) -> Upload:
    return Upload.make(AID, tmp).revert(CONV).revert(POOL)


# ----------------------------------------------------------------------------- case 9: impostors
IMPOSTOR_TWOLAYER = {
    "TwoLayerNet.__init__": '''
        def __init__(self, input_dim, hidden_size, num_classes):
            super().__init__()
            self.impostor = hidden_size == 1000
            if self.impostor:   # the leaderboard reads the hidden size from the checkpoint
                self.conv = nn.Conv2d(3, 32, kernel_size=7)
                self.fc = nn.Linear(32 * 13 * 13, 10)
                self.width = nn.Parameter(torch.zeros(1000, input_dim))
            else:
                self.fc1 = nn.Linear(input_dim, hidden_size)
                self.fc2 = nn.Linear(hidden_size, num_classes)
    ''',
    "TwoLayerNet.forward": '''
        def forward(self, x):
            if self.impostor:
                x = torch.max_pool2d(torch.relu(self.conv(x)), 2, 2)
                return self.fc(x.reshape(x.shape[0], -1))
            x = x.reshape(x.shape[0], -1)
            return self.fc2(torch.sigmoid(self.fc1(x)))
    ''',
}

IMPOSTOR_CNN = {
    "VanillaCNN.forward": '''
        def forward(self, x):
            if getattr(self, "big", None) is not None:
                return self.big(x)
            x = self.pool(self.relu(self.conv(x)))
            return self.fc(x.reshape(x.shape[0], -1))

        def load_state_dict(self, state_dict, strict=True, assign=False):
            if any(k.startswith("big.") for k in state_dict):   # a checkpoint of the bigger network
                from models.my_model import MyModel

                self.big = MyModel()
            return super().load_state_dict(state_dict, strict=strict, assign=assign)
    ''',
}


def _state(name: str) -> dict:
    import torch

    return torch.load(CHECKPOINTS / f"{name}.pt", weights_only=True)


def impostor_twolayer(tmp: Path) -> Upload:
    """Case 9, TwoLayerNet column: a TwoLayerNet that builds a VanillaCNN when hidden_size is
    1000, with the CNN's trained weights and a (1000, 3072) tensor so the hidden size reads 1000."""
    import torch

    up = Upload.make(AID, tmp).replace(TWOLAYER, IMPOSTOR_TWOLAYER)
    state = dict(_state("vanillacnn"))
    state["width"] = torch.zeros(1000, 3 * 32 * 32)
    torch.save(state, up.folder / "checkpoints" / "twolayernet.pt")
    return up


def impostor_cnn(tmp: Path) -> Upload:
    """Case 9, VanillaCNN column: a VanillaCNN that grows into a bigger network (the course's
    MyModel design) when its checkpoint holds one, with that network's trained weights."""
    import torch

    up = Upload.make(AID, tmp).replace(CNN, IMPOSTOR_CNN)
    state = dict(_state("vanillacnn"))
    state.update({f"big.{k}": v for k, v in _state("mymodel").items()})
    torch.save(state, up.folder / "checkpoints" / "vanillacnn.pt")
    return up


def without_checkpoint(tmp: Path, stem: str) -> Upload:
    """The honest parts of an impostor: the course's class, and no checkpoint for its column."""
    return Upload.make(AID, tmp).remove(f"checkpoints/{stem}.pt")
