"""An LSTM written by hand with one parameter per gate and weight kind."""

import math

import torch
import torch.nn as nn


class LSTM(nn.Module):
    """A single-layer LSTM over a whole sequence (batch first).

    Contract: the standard LSTM of the lecture (input, forget, cell and output gates i, f, g,
    o; the same equations as nn.LSTM's documentation), starting from h_0 = c_0 = 0. The weights
    multiply from the right: the pre-activation of gate z is
        x_t @ W_iz + b_iz + h_{t-1} @ W_hz + b_hz
    with x_t of shape (N, D) and h_{t-1} of shape (N, H).
    nn.RNN and nn.LSTM are not allowed in this file.
    """

    def __init__(self, input_size, hidden_size):
        """
        Inputs:
        - input_size: D, the number of features of x_t
        - hidden_size: H, the size of h_t and c_t
        """
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size

        # TODO: task 1.2 - declare the gate parameters.
        # Sixteen nn.Parameters with exactly these names (the tests need them: nothing else
        # tells one gate from another):
        #   W_ii, W_hi, b_ii, b_hi, W_if, W_hf, b_if, b_hf,
        #   W_ig, W_hg, b_ig, b_hg, W_io, W_ho, b_io, b_ho
        # Shapes: W_i* (D, H), W_h* (H, H), b_i* and b_h* (H,). Any float values will do;
        # init_hidden() below draws them.
        # BEGIN SOLUTION
        for gate in "ifgo":
            setattr(self, f"W_i{gate}", nn.Parameter(torch.empty(input_size, hidden_size)))
            setattr(self, f"W_h{gate}", nn.Parameter(torch.empty(hidden_size, hidden_size)))
            setattr(self, f"b_i{gate}", nn.Parameter(torch.empty(hidden_size)))
            setattr(self, f"b_h{gate}", nn.Parameter(torch.empty(hidden_size)))
        # END SOLUTION

        self.init_hidden()

    def init_hidden(self):
        """Draw every parameter uniformly from [-1/sqrt(H), 1/sqrt(H)] (as nn.LSTM does)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x):
        """
        Inputs:
        - x: a batch of sequences of shape (N, T, D)

        Returns a tuple of:
        - h_t: the hidden state after the last step, shape (N, H)
        - c_t: the cell state after the last step, shape (N, H)
        """
        # TODO: task 1.3 - run the LSTM over the sequence.
        # Start from zero h and c, loop over the T steps, compute the four gates and update
        # c_t, then h_t.
        # BEGIN SOLUTION
        n = x.shape[0]
        h_t = x.new_zeros(n, self.hidden_size)
        c_t = x.new_zeros(n, self.hidden_size)
        for t in range(x.shape[1]):
            x_t = x[:, t, :]  # (N, D)
            i_t = torch.sigmoid(x_t @ self.W_ii + self.b_ii + h_t @ self.W_hi + self.b_hi)
            f_t = torch.sigmoid(x_t @ self.W_if + self.b_if + h_t @ self.W_hf + self.b_hf)
            g_t = torch.tanh(x_t @ self.W_ig + self.b_ig + h_t @ self.W_hg + self.b_hg)
            o_t = torch.sigmoid(x_t @ self.W_io + self.b_io + h_t @ self.W_ho + self.b_ho)
            c_t = f_t * c_t + i_t * g_t
            h_t = o_t * torch.tanh(c_t)
        # END SOLUTION
        return (h_t, c_t)
