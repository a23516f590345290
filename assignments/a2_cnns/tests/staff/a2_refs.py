# STAFF ONLY
"""Hand-written references of graded a2_cnns work, for the hidden tests only.

This file ships in the autograder zip (tests/staff/) and never in a student bundle. Public tests
compare with library oracles (torch), numerical gradients of the student's own code, properties,
or values recorded from the reference solution at build time.
"""

import numpy as np
import torch
import torch.nn.functional as F


def class_balanced_weights(counts, beta):
    """Weights (1 - beta) / (1 - beta ** n) per class, scaled to sum to the number of classes."""
    counts = np.asarray(counts, dtype=np.float64)
    w = (1.0 - beta) / (1.0 - beta ** counts)
    return torch.tensor(w * len(counts) / w.sum())


def focal_loss(scores, target, weight, gamma):
    """sum_i w[y_i] (1 - p_i)^gamma (-log p_i) / sum_i w[y_i], in the dtype of scores."""
    log_p = torch.log_softmax(scores, dim=1)[torch.arange(len(target)), target]
    w = torch.ones_like(log_p) if weight is None else weight.to(scores.dtype)[target]
    return (w * (1 - log_p.exp()) ** gamma * (-log_p)).sum() / w.sum()


def twolayer_scores(x, w1, b1, w2, b2):
    """fc2(sigmoid(fc1(x flattened))) with nn.Linear's (out, in) weight layout, float64."""
    h = torch.sigmoid(x.double().reshape(x.shape[0], -1) @ w1.double().T + b1.double())
    return h @ w2.double().T + b2.double()


def vanilla_cnn_scores(x, conv_w, conv_b, fc_w, fc_b):
    """conv 7x7 (no padding) -> ReLU -> 2x2 max pooling -> flatten -> fully connected, float64."""
    h = F.max_pool2d(F.relu(F.conv2d(x.double(), conv_w.double(), conv_b.double())), 2, 2)
    return h.reshape(x.shape[0], -1) @ fc_w.double().T + fc_b.double()


def mlp_sgd_steps(sizes, state, batches, lr):
    """Training steps (forward, cross-entropy, zero_grad, backward, plain SGD step) on the small
    MLP Linear -> Sigmoid -> Linear; returns the state_dict after each step and the losses."""
    net = torch.nn.Sequential(torch.nn.Linear(sizes[0], sizes[1]), torch.nn.Sigmoid(),
                              torch.nn.Linear(sizes[1], sizes[2]))
    net.load_state_dict(state)
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    states, losses = [], []
    for data, target in batches:
        loss = F.cross_entropy(net(data), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        states.append({k: v.detach().clone() for k, v in net.state_dict().items()})
    return states, losses


class StaffTwoLayerNet(torch.nn.Module):
    """The specified TwoLayerNet: flatten -> Linear(D, H) -> logistic sigmoid -> Linear(H, C)."""

    def __init__(self, input_dim, hidden_size, num_classes):
        super().__init__()
        self.hidden = torch.nn.Linear(input_dim, hidden_size)
        self.out = torch.nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        return self.out(torch.sigmoid(self.hidden(x.reshape(x.shape[0], -1))))


class StaffVanillaCNN(torch.nn.Module):
    """The specified VanillaCNN: Conv2d(3, 32, 7) -> ReLU -> max pooling 2x2, stride 2 -> flatten ->
    Linear(32 * 13 * 13, 10)."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 32, kernel_size=7)
        self.fc = torch.nn.Linear(32 * 13 * 13, 10)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.conv(x)), 2, 2)
        return self.fc(h.reshape(x.shape[0], -1))


STAFF_MODELS = {"TwoLayerNet": StaffTwoLayerNet, "VanillaCNN": StaffVanillaCNN}


def staff_model(name, args, tensors=None):
    """The staff's model of a fixed architecture (``args`` as the student's class is built with),
    in evaluation mode; with ``tensors`` (weights by role: layer by layer in the order of use) loaded
    by role. Raises roles.RoleMismatch when they do not fit."""
    from autograder.grading import roles

    torch.manual_seed(0)
    model = STAFF_MODELS[name](*args)
    model.eval()
    if tensors is not None:
        example = torch.zeros(1, args[0]) if name == "TwoLayerNet" else torch.zeros(1, 3, 32, 32)
        layers = roles.layers_in_use_order(model, example)
        roles.load_by_role(layers, [torch.as_tensor(t, dtype=torch.float32) for t in tensors], roles.signature(layers))
    return model


def staff_predictions(model, images, chunk=250):
    """The predicted class (int64 array) of each of the float32 images (N, 3, 32, 32), in the grader."""
    with torch.no_grad():
        x = torch.as_tensor(images, dtype=torch.float32)
        preds = [model(x[i:i + chunk]).argmax(dim=1) for i in range(0, len(x), chunk)]
    return torch.cat(preds).to(torch.int64).numpy()
