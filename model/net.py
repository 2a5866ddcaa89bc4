"""The digit CNN and its inference form.

Budget: at most 3 M multiply-accumulates and 300 k parameters per image. Unpadded
3x3 convolutions with a 2x2 pool after each keep conv2 (the expensive layer) at
11x11 outputs, so the whole network costs 2.63 M MACs and 225 k parameters.
"""
import torch
from torch import nn
import torch.nn.functional as F

# (name, output shape, parameters, MACs) of the inference graph, for the model card.
LAYERS = [
    ("conv1 3x3, 1->32, +BN+ReLU", (32, 26, 26), 32 * 9 + 32, 26 * 26 * 32 * 9),
    ("maxpool 2x2", (32, 13, 13), 0, 0),
    ("conv2 3x3, 32->64, +BN+ReLU", (64, 11, 11), 64 * 32 * 9 + 64, 11 * 11 * 64 * 32 * 9),
    ("maxpool 2x2", (64, 5, 5), 0, 0),
    ("fc1 1600->128, +BN+ReLU", (128,), 1600 * 128 + 128, 1600 * 128),
    ("fc2 128->10, softmax", (10,), 128 * 10 + 10, 128 * 10),
]


class DigitNet(nn.Module):
    """Training form: batch norm after every hidden layer, dropout before each dense layer."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.drop1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(64 * 5 * 5, 128, bias=False)
        self.bn3 = nn.BatchNorm1d(128)
        self.drop2 = nn.Dropout(0.4)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        """x: [N,1,28,28] normalised images; returns logits [N,10]."""
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = torch.flatten(self.drop1(x), 1)
        x = self.drop2(F.relu(self.bn3(self.fc1(x))))
        return self.fc2(x)


class InferenceNet(nn.Module):
    """Export form: batch norm folded into the weights, no dropout, softmax on the output."""

    def __init__(self, trained):
        super().__init__()
        self.conv1 = _fold_conv(trained.conv1, trained.bn1)
        self.conv2 = _fold_conv(trained.conv2, trained.bn2)
        self.fc1 = _fold_linear(trained.fc1, trained.bn3)
        self.fc2 = nn.Linear(128, 10)
        self.fc2.load_state_dict(trained.fc2.state_dict())

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return F.softmax(self.fc2(x), dim=1)


def _bn_scale_shift(bn):
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


@torch.no_grad()
def _fold_conv(conv, bn):
    scale, shift = _bn_scale_shift(bn)
    folded = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, bias=True)
    folded.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1))
    folded.bias.copy_(shift)
    return folded


@torch.no_grad()
def _fold_linear(linear, bn):
    scale, shift = _bn_scale_shift(bn)
    folded = nn.Linear(linear.in_features, linear.out_features, bias=True)
    folded.weight.copy_(linear.weight * scale.view(-1, 1))
    folded.bias.copy_(shift)
    return folded
