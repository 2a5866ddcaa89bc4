"""The digit CNN and its inference form.

Budget: at most 6 M multiply-accumulates and 500 k parameters per image. Two unpadded
3x3 convolutions with 2x2 max pools (28 -> 26 -> 13 -> 11 -> 5) and a padded one that
keeps the 5x5 map: the last map keeps where each part of the stroke is (a 9's tail, a
1's flag, a 7's bar), which a third pool to 2x2 or 3x3 threw away, and measured on
held-out writers that is what separates the pen styles MNIST rarely has. The 128
features before the last layer are the model's second output, the embedding the
personal memory compares drawings by.
"""
import torch
from torch import nn
import torch.nn.functional as F

EMBEDDING_SIZE = 128

# (name, output shape, parameters, MACs) of the inference graph, for the model card;
# export.py checks the parameter total against the network.
LAYERS = [
    ("conv1 3x3, 1->32, +BN+ReLU", (32, 26, 26), 32 * 9 + 32, 26 * 26 * 32 * 9),
    ("maxpool 2x2", (32, 13, 13), 0, 0),
    ("conv2 3x3, 32->64, +BN+ReLU", (64, 11, 11), 64 * 32 * 9 + 64, 11 * 11 * 64 * 32 * 9),
    ("maxpool 2x2", (64, 5, 5), 0, 0),
    ("conv3 3x3 padded, 64->64, +BN+ReLU", (64, 5, 5), 64 * 64 * 9 + 64, 5 * 5 * 64 * 64 * 9),
    ("fc1 1600->128, +BN+ReLU: the embedding", (128,), 1600 * 128 + 128, 1600 * 128),
    ("fc2 128->10, softmax", (10,), 128 * 10 + 10, 128 * 10),
]

# (input channels, output channels, padding, followed by a 2x2 max pool)
CONVOLUTIONS = [(1, 32, 0, True), (32, 64, 0, True), (64, 64, 1, False)]
FLAT = 64 * 5 * 5


class DigitNet(nn.Module):
    """Training form: batch norm after every hidden layer, dropout before each dense layer."""

    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(i, o, 3, padding=p, bias=False) for i, o, p, _ in CONVOLUTIONS)
        self.norms = nn.ModuleList(nn.BatchNorm2d(o) for _, o, _, _ in CONVOLUTIONS)
        self.drop1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(FLAT, EMBEDDING_SIZE, bias=False)
        self.bn_fc1 = nn.BatchNorm1d(EMBEDDING_SIZE)
        self.drop2 = nn.Dropout(0.4)
        self.fc2 = nn.Linear(EMBEDDING_SIZE, 10)

    def features(self, x):
        """x: [N,1,28,28] normalised images; returns the embedding [N,128]."""
        for conv, norm, (_, _, _, pooled) in zip(self.convs, self.norms, CONVOLUTIONS):
            x = F.relu(norm(conv(x)))
            x = F.max_pool2d(x, 2) if pooled else x
        x = torch.flatten(self.drop1(x), 1)
        return F.relu(self.bn_fc1(self.fc1(x)))

    def forward(self, x):
        """Returns logits [N,10]."""
        return self.fc2(self.drop2(self.features(x)))


class InferenceNet(nn.Module):
    """Export form: batch norm folded into the weights, no dropout; outputs the
    probabilities (softmax) and the embedding."""

    def __init__(self, trained):
        super().__init__()
        self.convs = nn.ModuleList(_fold_conv(c, n) for c, n in zip(trained.convs, trained.norms))
        self.fc1 = _fold_linear(trained.fc1, trained.bn_fc1)
        self.fc2 = nn.Linear(EMBEDDING_SIZE, 10)
        self.fc2.load_state_dict(trained.fc2.state_dict())

    def forward(self, x):
        for conv, (_, _, _, pooled) in zip(self.convs, CONVOLUTIONS):
            x = F.relu(conv(x))
            x = F.max_pool2d(x, 2) if pooled else x
        embedding = F.relu(self.fc1(torch.flatten(x, 1)))
        return F.softmax(self.fc2(embedding), dim=1), embedding


def _bn_scale_shift(bn):
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


@torch.no_grad()
def _fold_conv(conv, bn):
    scale, shift = _bn_scale_shift(bn)
    folded = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, padding=conv.padding, bias=True)
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
