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
    One optimization step on one batch: minibatch stochastic gradient descent (Goodfellow,
    Bengio and Courville, Deep Learning, 2016, section 8.3.1, algorithm 8.1) with a
    torch.optim optimizer (PyTorch documentation, "torch.optim", section "How to use an
    optimizer").

    Contract:
    - exactly one update of the parameters, by `optimizer`, from the gradient of this batch's
      loss alone: gradients that earlier calls left on the parameters must not add to it
      (PyTorch accumulates gradients until they are cleared);
    - the model's mode is the caller's (training mode here); leave it as it is;
    - out is the scores of this batch computed before the update.

    Inputs:
    - model: an nn.Module in training mode
    - criterion: the loss, called as criterion(scores, target)
    - optimizer: a torch.optim optimizer over model.parameters()
    - data: the model's input, a tensor of shape (N, ...) ((N, 3, 32, 32) images in the Solver)
    - target: int64 tensor of shape (N,)

    Returns a tuple of:
    - out: the scores of the batch, tensor of shape (N, C)
    - loss: the loss of the batch, a 0-dimensional tensor (shape ())
    """
    # TODO: task 2.6 - one training step.
    # BEGIN SOLUTION
    out = model(data)
    loss = criterion(out, target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    # END SOLUTION
    return out, loss


def eval_step(model, criterion, data, target):
    """
    Scores and loss of one batch for evaluation.

    Contract:
    - no autograd graph is recorded: neither returned tensor requires grad (PyTorch
      documentation, "Autograd mechanics", section "Locally disabling gradient computation");
    - the parameters, their .grad and any optimizer are left untouched;
    - the model's mode is the caller's (evaluation mode here); leave it as it is.

    Inputs: as train_step (the model in eval mode)

    Returns a tuple of:
    - out: tensor of shape (N, C), not requiring gradients
    - loss: a 0-dimensional tensor (shape ()), not requiring gradients
    """
    # TODO: task 2.6 - one evaluation step.
    # BEGIN SOLUTION
    with torch.no_grad():
        out = model(data)
        loss = criterion(out, target)
    # END SOLUTION
    return out, loss


MODELS = {"TwoLayerNet": TwoLayerNet, "VanillaCNN": VanillaCNN, "MyModel": MyModel}
EMBEDDED = ("shapes", "imbalanced-shapes")


def architecture(model, example):
    """One row per layer (module without children) that a forward pass of `example` reaches: its name, its
    output size and its parameters; then the total. What the report's architecture table shows."""
    rows, hooks = [], []
    for name, module in model.named_modules():
        if not list(module.children()):
            hooks.append(module.register_forward_hook(
                lambda mod, _inp, out, name=name: rows.append(
                    {"layer": f"{name} ({type(mod).__name__})",
                     "output": " x ".join(str(d) for d in out.shape[1:]) if torch.is_tensor(out) else "",
                     "parameters": sum(p.numel() for p in mod.parameters(recurse=False))})))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(example)
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    rows.append({"layer": "total", "output": "", "parameters": sum(p.numel() for p in model.parameters())})
    return rows


def banner(data, when):
    """Say loudly that a run uses the generated images, not CIFAR-10."""
    line = "=" * 78
    print(f"{line}\n{when}: data '{data}' is the EMBEDDED set of generated shapes, not CIFAR-10.\n"
          f"Its accuracies are not comparable with CIFAR-10 figures (use --data cifar10 on a course "
          f"machine).\n{line}", flush=True)


class Solver:
    def __init__(self, **kwargs):
        """
        Inputs (keyword arguments, as in configs/*.yaml):
        - model: "TwoLayerNet", "VanillaCNN" or "MyModel"; hidden_size for TwoLayerNet
        - data: "shapes" (embedded, default), "imbalanced-shapes", "cifar10" or
          "imbalanced-cifar10"
        - batch_size, learning_rate, momentum, reg (weight decay), epochs
        - steps: epochs after which the learning rate is divided by 10, e.g. [6, 8]
        - warmup: epochs over which the learning rate rises linearly, batch by batch, from
          learning_rate / (batches in the warm-up) to learning_rate (0: no warm-up)
        - loss_type: "CE" or "Focal"; for Focal, gamma (FocalLoss) and reweight (default
          true: class-balanced weights reweight(cls_num_list, beta))
        - save_best: write the state_dict of the epoch with the best validation accuracy to
          `checkpoint`
          (default checkpoints/<model>.pt)
        - seed: torch seed of the initialization and the shuffling (default 0)
        - train_size: optionally train on the first train_size images only
        - run_name: the run folder runs/<run_name>/ (default: the model's name in lower case)
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
        name = kwargs.get("model", "TwoLayerNet")
        self.checkpoint = kwargs.get("checkpoint", f"checkpoints/{name.lower()}.pt")
        self.run_name = kwargs.get("run_name", name.lower())
        self.data = kwargs.get("data", "shapes")
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        torch.manual_seed(kwargs.get("seed", 0))

        self.train_loader, self.valid_loader, self.test_loader, self.cls_num_list = get_loaders(
            self.data, self.batch_size, kwargs.get("train_size"))
        if name == "TwoLayerNet":
            self.model = TwoLayerNet(3 * 32 * 32, kwargs.get("hidden_size", 128), 10)
        elif name in MODELS:
            self.model = MODELS[name]()
        else:
            raise ValueError(f"unknown model {name!r}; choose one of {sorted(MODELS)}")
        self.model = self.model.to(self.device)
        self.criterion = self._criterion(kwargs)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=self.lr,
                                         momentum=self.momentum, weight_decay=self.reg)
        # the best epoch is chosen on the validation set; the test set is measured once, on its weights
        self.best_acc, self.best_epoch, self.best_state = 0.0, -1, None
        self.test_acc, self.test_loss, self.best_per_class = None, None, None
        self.history = []

    def _criterion(self, kwargs):
        loss_type = kwargs.get("loss_type", "CE")
        if loss_type == "CE":
            return nn.CrossEntropyLoss()
        if loss_type != "Focal":
            raise ValueError(f"unknown loss_type {loss_type!r}; use CE or Focal")
        weights = None
        if kwargs.get("reweight", True):
            weights = reweight(self.cls_num_list, beta=kwargs.get("beta", 0.9999)).to(self.device)
        return FocalLoss(weight=weights, gamma=kwargs.get("gamma", 1.0))

    def _learning_rate(self, epoch, batch):
        """Linear warm-up batch by batch over the first `warmup` epochs, then the rate divided by
        10 after each epoch listed in `steps`."""
        if epoch < self.warmup:
            done = epoch * len(self.train_loader) + batch + 1
            return self.lr * done / (self.warmup * len(self.train_loader))
        return self.lr * 0.1 ** sum(epoch >= s for s in self.steps)

    def train(self):
        """Run every epoch, record the run in runs/<run_name>/, keep (and save) the weights of the
        epoch with the best validation accuracy, and measure the test set once, with those weights.
        Returns the best validation accuracy."""
        from autograder.runs import Run

        if self.data in EMBEDDED:
            banner(self.data, "START")
        started = time.time()
        with Run(self.run_name, config=self.config) as run:
            layers = architecture(self.model, next(iter(self.valid_loader))[0][:1].to(self.device))
            with open(run.path / "architecture.csv", "w", encoding="utf-8") as f:
                f.write("layer,output,parameters\n" + "".join(f"{r['layer']},{r['output']},{r['parameters']}\n"
                                                              for r in layers))
            for epoch in range(self.epochs):
                start = time.time()
                train_loss, train_acc = self._run_epoch(epoch)
                valid_loss, valid_acc, _ = self._evaluate(self.valid_loader)
                lr = self.optimizer.param_groups[0]["lr"]
                self.history.append(dict(epoch=epoch + 1, lr=lr, train_loss=train_loss, train_acc=train_acc,
                                         valid_loss=valid_loss, valid_acc=valid_acc))
                run.log(**self.history[-1])
                print(f"epoch {epoch + 1:2d}/{self.epochs}  lr {lr:.4g}  train loss {train_loss:.4f} acc "
                      f"{train_acc:.4f}  validation loss {valid_loss:.4f} acc {valid_acc:.4f}  "
                      f"({time.time() - start:.1f} s)", flush=True)
                if valid_acc >= self.best_acc:
                    self.best_acc, self.best_epoch = valid_acc, epoch + 1
                    self.best_state = copy.deepcopy(self.model.state_dict())
            self.model.load_state_dict(self.best_state)
            self.test_loss, self.test_acc, self.best_per_class = self._evaluate(self.test_loader)
            summary = dict(best_valid_acc=self.best_acc, best_epoch=self.best_epoch, test_acc=self.test_acc,
                           test_loss=self.test_loss, per_class_test_acc=self.best_per_class,
                           parameters=layers[-1]["parameters"], train_images_per_class=self.cls_num_list,
                           data=self.data, device=str(self.device), seconds=round(time.time() - started, 1))
            run.save_json("summary.json", summary)
        print(f"best validation accuracy {self.best_acc:.4f} at epoch {self.best_epoch}; test accuracy of that "
              f"epoch's weights {self.test_acc:.4f}")
        print("per-class test accuracy of those weights:", np.round(self.best_per_class, 4).tolist())
        print(f"run recorded in {run.path} ({time.time() - started:.0f} s)")
        if self.save_best and self.best_state is not None:
            os.makedirs(os.path.dirname(self.checkpoint) or ".", exist_ok=True)
            torch.save({k: v.cpu() for k, v in self.best_state.items()}, self.checkpoint)
            print("saved", self.checkpoint)
        if self.data in EMBEDDED:
            banner(self.data, "END")
        return self.best_acc

    def _run_epoch(self, epoch):
        self.model.train()
        total_loss, correct, seen = 0.0, 0, 0
        for batch, (data, target) in enumerate(self.train_loader):
            for group in self.optimizer.param_groups:
                group["lr"] = self._learning_rate(epoch, batch)
            data, target = data.to(self.device), target.to(self.device)
            out, loss = train_step(self.model, self.criterion, self.optimizer, data, target)
            total_loss += loss.item() * len(target)
            correct += int((out.argmax(dim=1) == target).sum())
            seen += len(target)
        return total_loss / seen, correct / seen

    def _evaluate(self, loader):
        """(mean loss, accuracy, per-class accuracy) of the model on the images of `loader`."""
        self.model.eval()
        total_loss, seen = 0.0, 0
        preds, targets = [], []
        for data, target in loader:
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
