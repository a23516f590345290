"""A large MyModel, as course students sometimes submit: about 19 million parameters (a 75 MB
checkpoint), within the grader's cap of 25 million.

It is the reference design with a wide fully connected branch added beside its classifier.
The test that uses it copies the reference checkpoint's trained weights into the shared layers
and sets the branch's last layer to zero, so the model predicts what the reference predicts:
what is exercised is the size (loading, memory, time), not the accuracy.
"""

import torch.nn as nn

WIDTH = 3840  # hidden units of the wide branch: 1024 * W + W * W + 10 * W weights, about 18.7M


class MyModel(nn.Module):
    def __init__(self):
        super().__init__()

        def block(c_in, c_out):
            return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]

        self.features = nn.Sequential(
            *block(3, 16), nn.MaxPool2d(2),
            *block(16, 32), *block(32, 32), nn.MaxPool2d(2),
            *block(32, 64), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, 10))
        self.wide = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 4, WIDTH), nn.ReLU(), nn.Linear(WIDTH, WIDTH),
                                  nn.ReLU(), nn.Linear(WIDTH, 10))

    def forward(self, x):
        f = self.features(x)  # (N, 64, 4, 4)
        return self.classifier(f) + self.wide(f)
