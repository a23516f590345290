"""A vanilla RNN cell written by hand: one time step at a time."""

import torch
import torch.nn as nn


class VanillaRNN(nn.Module):
    """One time step of an Elman recurrent network with a log-softmax read-out.

    Reference: Elman (1990), "Finding structure in time", Cognitive Science 14(2); Goodfellow,
    Bengio and Courville, Deep Learning (2016), section 10.2.

    Conventions the tests rely on:
    - Both layers read the same vector, the concatenation [x_t, h_{t-1}] with x_t first and
      h_{t-1} second (D + H features). The output is read from that concatenation, not from
      the new hidden state h_t.
    - The new hidden state uses tanh. The output is log-probabilities: a log-softmax over the
      C classes.
    - Layers (the tests give them weights by type and parameter shape; names are yours):
      two nn.Linear layers with bias, both of input size D + H, one of output size H (the
      hidden state) and one of output size C (the output). No other layer has parameters.
    nn.RNN, nn.LSTM, nn.GRU and their cells are not allowed in this file.
    """

    def __init__(self, input_size, hidden_size, output_size):
        """
        Inputs:
        - input_size: D, the number of features of x_t
        - hidden_size: H, the size of the hidden state
        - output_size: C, the number of output classes
        """
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.output_size = output_size

        # TODO: task 1.1 - create the two layers and the activations.
        # The layers are listed in the class docstring; the names are yours.
        # BEGIN SOLUTION
        self.layer_1 = nn.Linear(input_size + hidden_size, hidden_size)  # to the hidden state
        self.layer_2 = nn.Linear(input_size + hidden_size, output_size)  # to the output
        self.tanh = nn.Tanh()
        self.log_softmax = nn.LogSoftmax(dim=1)
        # END SOLUTION

    def forward(self, input, hidden):
        """
        Inputs:
        - input: x_t of shape (N, D)
        - hidden: h_{t-1} of shape (N, H)

        Returns a tuple of:
        - output: log-probabilities y_t of shape (N, C)
        - hidden: the new hidden state h_t of shape (N, H)
        """
        # TODO: task 1.1 - compute one RNN step.
        # Follow the conventions of the class docstring (the order of the concatenation matters).
        # BEGIN SOLUTION
        combined = torch.cat([input, hidden], dim=1)  # (N, D + H)
        output = self.log_softmax(self.layer_2(combined))
        hidden = self.tanh(self.layer_1(combined))
        # END SOLUTION
        return output, hidden
