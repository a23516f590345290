"""A vanilla RNN cell written by hand: one time step at a time."""

import torch
import torch.nn as nn


class VanillaRNN(nn.Module):
    """One step of an Elman RNN with a log-softmax read-out.

    Contract: the input x_t and the previous hidden state h_{t-1} are concatenated IN THAT
    ORDER, [x_t, h_{t-1}]; both layers read that same concatenation. The new hidden state is
    the tanh of one layer, the output the log-softmax (over classes) of the other.
    nn.RNN and nn.LSTM are not allowed in this file.
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
        # Two nn.Linear layers on the concatenation (D + H features): one to the hidden state (H),
        # one to the output (C); plus the activations (tanh, LogSoftmax over the classes). The
        # names are yours: the tests find each layer by its type and shapes.
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
        # Concatenate [input, hidden] along the feature axis, then compute the output and the new
        # hidden state from it as the class docstring says.
        # BEGIN SOLUTION
        combined = torch.cat([input, hidden], dim=1)  # (N, D + H)
        output = self.log_softmax(self.layer_2(combined))
        hidden = self.tanh(self.layer_1(combined))
        # END SOLUTION
        return output, hidden
