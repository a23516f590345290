"""Course-style VanillaRNN: the course's template leaves the layer names free; these follow an
earlier offering (i2h, i2o), declared output layer first, hidden state computed first."""

import torch
import torch.nn as nn


class VanillaRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.output_size = output_size
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.act = nn.Tanh()

    def forward(self, input, hidden):
        both = torch.cat((input, hidden), 1)
        hidden = self.act(self.i2h(both))
        output = self.softmax(self.i2o(both))
        return output, hidden
