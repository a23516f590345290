"""A classifier made of a list of layers and a loss, built from plain dictionaries."""

from .convolution import Conv2D
from .linear import Linear
from .max_pool import MaxPooling
from .relu import ReLU
from .softmax_ce import SoftmaxCrossEntropy


class ConvNet:
    def __init__(self, modules, criterion):
        """
        Inputs:
        - modules: list of dicts, one per layer, in order, e.g.
            [{'type': 'Conv2D', 'in_channels': 3, 'out_channels': 32, 'kernel_size': 5,
              'stride': 1, 'padding': 1},
             {'type': 'ReLU'},
             {'type': 'MaxPooling', 'kernel_size': 2, 'stride': 2},
             {'type': 'Linear', 'in_dim': 7200, 'out_dim': 10}]
        - criterion: dict, e.g. {'type': 'SoftmaxCrossEntropy'}
        """
        self.modules = []
        for m in modules:
            if m['type'] == 'Conv2D':
                self.modules.append(Conv2D(m['in_channels'], m['out_channels'], m['kernel_size'],
                                           m.get('stride', 1), m.get('padding', 0)))
            elif m['type'] == 'ReLU':
                self.modules.append(ReLU())
            elif m['type'] == 'MaxPooling':
                self.modules.append(MaxPooling(m['kernel_size'], m['stride']))
            elif m['type'] == 'Linear':
                self.modules.append(Linear(m['in_dim'], m['out_dim']))
            else:
                raise ValueError(f"unknown module type {m['type']!r}")
        if criterion['type'] == 'SoftmaxCrossEntropy':
            self.criterion = SoftmaxCrossEntropy()
        else:
            raise ValueError(f"unknown criterion type {criterion['type']!r}")

    def forward(self, x, y):
        """
        Run the layers in order, then the criterion.

        Inputs:
        - x: array of shape (N, C, H, W)
        - y: int array of shape (N,)

        Returns a tuple of:
        - probs: array of shape (N, num_classes)
        - loss: a float
        """
        # TODO: task 1.7 - ConvNet forward.
        # Feed the output of each module into the next one, then into self.criterion.
        # BEGIN SOLUTION
        out = x
        for module in self.modules:
            out = module.forward(out)
        probs, loss = self.criterion.forward(out, y)
        # END SOLUTION
        return probs, loss

    def backward(self):
        """
        Backpropagate the loss of the last forward call through every module, so that each
        module's dx (and dw, db where it has parameters) is set.
        """
        # TODO: task 1.7 - ConvNet backward.
        # Start from the criterion and hand each module's dx to the module before it.
        # BEGIN SOLUTION
        self.criterion.backward()
        dout = self.criterion.dx
        for module in reversed(self.modules):
            module.backward(dout)
            dout = module.dx
        # END SOLUTION
