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
        The network's class probabilities and loss: self.modules in the order of the list
        given to __init__, then self.criterion. Each module keeps its own cache for the
        backward call that follows.

        Inputs:
        - x: array of shape (N, C, H, W)
        - y: int array of shape (N,)

        Returns a tuple of:
        - probs: array of shape (N, num_classes), as the criterion returns them
        - loss: a float, as the criterion returns it
        """
        # TODO: task 1.7 - ConvNet forward.
        # BEGIN SOLUTION
        out = x
        for module in self.modules:
            out = module.forward(out)
        probs, loss = self.criterion.forward(out, y)
        # END SOLUTION
        return probs, loss

    def backward(self):
        """
        Back-propagate the loss of the last forward call through the criterion and every
        module (the chain rule on a chain of layers: Goodfellow, Bengio and Courville, Deep
        Learning, 2016, section 6.5).

        Afterwards every module's dx is set, the first module's included (the gradient of the
        loss with respect to the network's input x), and so are dw and db of every module with
        parameters. The parameters themselves are left unchanged (the optimizer updates them).
        """
        # TODO: task 1.7 - ConvNet backward.
        # BEGIN SOLUTION
        self.criterion.backward()
        dout = self.criterion.dx
        for module in reversed(self.modules):
            module.backward(dout)
            dout = module.dx
        # END SOLUTION
