"""Course-style LSTM: the sixteen names the template gives, declared kind by kind (all input
weights, then all hidden weights, then the biases) rather than gate by gate."""

import math

import torch
import torch.nn as nn


class LSTM(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        for g in "ifgo":
            setattr(self, "W_i" + g, nn.Parameter(torch.Tensor(input_size, hidden_size)))
        for g in "ifgo":
            setattr(self, "W_h" + g, nn.Parameter(torch.Tensor(hidden_size, hidden_size)))
        for g in "ifgo":
            setattr(self, "b_i" + g, nn.Parameter(torch.Tensor(hidden_size)))
            setattr(self, "b_h" + g, nn.Parameter(torch.Tensor(hidden_size)))
        self.init_hidden()

    def init_hidden(self):
        for p in self.parameters():
            nn.init.uniform_(p, -1 / math.sqrt(self.hidden_size), 1 / math.sqrt(self.hidden_size))

    def forward(self, x):
        n, t, _ = x.size()
        h_t = torch.zeros(n, self.hidden_size, dtype=x.dtype)
        c_t = torch.zeros(n, self.hidden_size, dtype=x.dtype)
        for step in range(t):
            x_t = x[:, step, :]
            o_t = torch.sigmoid(x_t @ self.W_io + self.b_io + h_t @ self.W_ho + self.b_ho)
            g_t = torch.tanh(x_t @ self.W_ig + self.b_ig + h_t @ self.W_hg + self.b_hg)
            f_t = torch.sigmoid(x_t @ self.W_if + self.b_if + h_t @ self.W_hf + self.b_hf)
            i_t = torch.sigmoid(x_t @ self.W_ii + self.b_ii + h_t @ self.W_hi + self.b_hi)
            c_t = f_t * c_t + i_t * g_t
            h_t = o_t * torch.tanh(c_t)
        return (h_t, c_t)
