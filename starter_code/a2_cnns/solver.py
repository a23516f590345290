"""Training and evaluation of the PyTorch models of Part 2.

``train_step`` and ``eval_step`` are yours to complete; ``Solver`` builds the model, the
loss, the optimizer and the data from a config (see configs/) and runs the epochs.
"""

import copy
import os
import time

import numpy as np
import torch
import torch.nn as nn

from data_utils import get_loaders
from losses import FocalLoss, reweight
from models import MyModel, TwoLayerNet, VanillaCNN


def train_step(model, criterion, optimizer, data, target):
    """
    One optimization step on one batch.

    Inputs:
    - model: an nn.Module in training mode
    - criterion: the loss, called as criterion(scores, target)
    - optimizer: a torch.optim optimizer over model.parameters()
    - data: tensor of shape (N, 3, 32, 32)
    - target: int64 tensor of shape (N,)

    Returns a tuple of:
    - out: the scores of the batch, tensor of shape (N, C)
    - loss: the loss of the batch, a scalar tensor
    """
    # TODO: task 2.6 - one training step.
    # Forward pass, loss, clear the old gradients, backward pass, optimizer step.
    raise NotImplementedError('task 2.6 - one training step. (solver.py)')
    return out, loss


def eval_step(model, criterion, data, target):
    """
    Scores and loss of one batch, without building a graph and without touching any
    gradient.

    Inputs: as train_step (the model in eval mode)

    Returns a tuple of:
    - out: tensor of shape (N, C), not requiring gradients
    - loss: a scalar tensor, not requiring gradients
    """
    # TODO: task 2.6 - one evaluation step.
    # The forward pass and the loss under torch.no_grad().
    raise NotImplementedError('task 2.6 - one evaluation step. (solver.py)')
    return out, loss


MODELS = {"TwoLayerNet": TwoLayerNet, "VanillaCNN": VanillaCNN, "MyModel": MyModel}


class Solver:
    def __init__(self, **kwargs):
        """
        Inputs (keyword arguments, as in configs/*.yaml):
        - model: "TwoLayerNet", "VanillaCNN" or "MyModel"; hidden_size for TwoLayerNet
        - data: "shapes" (embedded, default), "cifar10" or "imbalanced-cifar10"
        - batch_size, learning_rate, momentum, reg (weight decay), epochs
        - steps: epochs after which the learning rate is divided by 10, e.g. [6, 8]
        - warmup: epochs of linear learning-rate warm-up (0: none)
        - loss_type: "CE" or "Focal"; beta (for reweight), gamma (for FocalLoss)
        - save_best: write the state_dict of the best epoch to `checkpoint`
          (default checkpoints/<model>.pt)
        - seed: torch seed of the initialization and the shuffling (default 0)
        - train_size: optionally train on the first train_size images only
        """
        self.config = dict(kwargs)
        self.batch_size = kwargs.get("batch_size", 128)
        self.lr = kwargs.get("learning_rate", 0.01)
        self.momentum = kwargs.get("momentum", 0.9)
        self.reg = kwargs.get("reg", 5e-4)
        self.epochs = kwargs.get("epochs", 10)
        self.steps = kwargs.get("steps", [6, 8])
        self.warmup = kwargs.get("warmup", 0)
        self.save_best = kwargs.get("save_best", True)
        self.checkpoint = kwargs.get("checkpoint", f"checkpoints/{kwargs.get('model', 'model').lower()}.pt")
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        torch.manual_seed(kwargs.get("seed", 0))

        self.train_loader, self.test_loader, cls_num_list = get_loaders(
            kwargs.get("data", "shapes"), self.batch_size, kwargs.get("train_size"))
        name = kwargs.get("model", "TwoLayerNet")
        if name == "TwoLayerNet":
            self.model = TwoLayerNet(3 * 32 * 32, kwargs.get("hidden_size", 128), 10)
        elif name in MODELS:
            self.model = MODELS[name]()
        else:
            raise ValueError(f"unknown model {name!r}; choose one of {sorted(MODELS)}")
        self.model = self.model.to(self.device)

        if kwargs.get("loss_type", "CE") == "Focal":
            weights = reweight(cls_num_list, beta=kwargs.get("beta", 0.9999)).to(self.device)
            self.criterion = FocalLoss(weight=weights, gamma=kwargs.get("gamma", 1.0))
        else:
            self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=self.lr,
                                         momentum=self.momentum, weight_decay=self.reg)
        self.best_acc = 0.0
        self.best_state = None
        self.history = []

    def _adjust_learning_rate(self, epoch):
        """Warm-up for the first `warmup` epochs, then divide by 10 after each of `steps`."""
        if epoch < self.warmup:
            lr = self.lr * (epoch + 1) / self.warmup
        else:
            lr = self.lr * 0.1 ** sum(epoch >= s for s in self.steps)
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def train(self):
        """Run every epoch; keep (and save) the weights of the best test accuracy."""
        for epoch in range(self.epochs):
            self._adjust_learning_rate(epoch)
            start = time.time()
            train_loss, train_acc = self._run_epoch(self.train_loader, train=True)
            test_loss, test_acc, per_class = self._evaluate()
            self.history.append(dict(epoch=epoch, train_loss=train_loss, train_acc=train_acc,
                                     test_loss=test_loss, test_acc=test_acc))
            print(f"epoch {epoch + 1:2d}/{self.epochs}  train loss {train_loss:.4f} acc {train_acc:.4f}  "
                  f"test loss {test_loss:.4f} acc {test_acc:.4f}  ({time.time() - start:.1f} s)")
            if test_acc >= self.best_acc:
                self.best_acc = test_acc
                self.best_state = copy.deepcopy(self.model.state_dict())
                self.best_per_class = per_class
        print("best test accuracy", round(self.best_acc, 4))
        print("per-class accuracy of the best epoch:", np.round(self.best_per_class, 4).tolist())
        if self.save_best and self.best_state is not None:
            os.makedirs(os.path.dirname(self.checkpoint) or ".", exist_ok=True)
            torch.save({k: v.cpu() for k, v in self.best_state.items()}, self.checkpoint)
            print("saved", self.checkpoint)
        return self.best_acc

    def _run_epoch(self, loader, train):
        self.model.train(train)
        total_loss, correct, seen = 0.0, 0, 0
        for data, target in loader:
            data, target = data.to(self.device), target.to(self.device)
            out, loss = train_step(self.model, self.criterion, self.optimizer, data, target)
            total_loss += loss.item() * len(target)
            correct += int((out.argmax(dim=1) == target).sum())
            seen += len(target)
        return total_loss / seen, correct / seen

    def _evaluate(self):
        self.model.eval()
        total_loss, seen = 0.0, 0
        preds, targets = [], []
        for data, target in self.test_loader:
            data, target = data.to(self.device), target.to(self.device)
            out, loss = eval_step(self.model, self.criterion, data, target)
            total_loss += loss.item() * len(target)
            seen += len(target)
            preds.append(out.argmax(dim=1).cpu())
            targets.append(target.cpu())
        preds, targets = torch.cat(preds), torch.cat(targets)
        per_class = [float((preds[targets == c] == c).float().mean()) if (targets == c).any() else 0.0
                     for c in range(10)]
        return total_loss / seen, float((preds == targets).float().mean()), per_class
