"""An LSTM written by hand with one parameter per gate and weight kind."""

import math

import torch
import torch.nn as nn


class LSTM(nn.Module):
    """A single-layer LSTM over a whole batch of sequences (batch first).

    References: Hochreiter and Schmidhuber (1997), "Long short-term memory", Neural Computation
    9(8), with the forget gate of Gers, Schmidhuber and Cummins (2000), "Learning to forget";
    Goodfellow, Bengio and Courville, Deep Learning (2016), section 10.10.1; the gate
    conventions are those of the documentation of PyTorch's nn.LSTM.

    Conventions the tests rely on:
    - The variant is the one whose equations the nn.LSTM documentation gives: input gate i,
      forget gate f, g the candidate update of the cell (PyTorch calls it the "cell gate") and
      output gate o; no peephole connections, no projection of h.
    - Weights multiply from the right: W_i* of shape (D, H) maps a row x_t of shape (N, D) to
      (N, H), and W_h* of shape (H, H) maps h_{t-1} of shape (N, H). (nn.Linear and nn.LSTM
      store the transposes.)
    - Each gate has two biases, b_i* and b_h*, and both take part, as in nn.LSTM.
    - The state starts at h_0 = c_0 = 0 for every sequence of the batch.
    - The tests load your sixteen parameters into nn.LSTM (stacked in its order i, f, g, o)
      and compare the final (h_T, c_T).
    nn.RNN, nn.LSTM, nn.GRU and their cells are not allowed in this file.
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
        # The letter after W_ or b_ says what the parameter reads (i: the input x_t, h: the previous
        # hidden state h_{t-1}); the last letter names the gate (i, f, g, o), as in nn.LSTM.
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
        # The conventions are in the class docstring.
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
