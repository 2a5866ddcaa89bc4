"""Drawings rendered on the fly for training, in DataLoader worker processes.

Every item is a fresh stroke-space augmentation of one training drawing, drawn and
preprocessed exactly as the app would (render.py, preprocess.py). The random numbers
of item i in epoch e come from the seed (seed, e, i), so the stream is the same
whichever worker renders which item and however many workers there are.

    stream = DrawingStream(train_drawings, per_epoch=12000, seed=1)
    for images, labels in stream.epoch(3, batch=64, workers=1): ...   # uint8 [B,28,28]
"""
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from drawings import NothingDrawn, canvas_image
from stroke_augment import augment_strokes


class _EpochItems(Dataset):
    def __init__(self, drawings, order, seed, epoch, narrowed_digits):
        self.drawings, self.order, self.seed, self.epoch = drawings, order, seed, epoch
        self.narrowed_digits = narrowed_digits

    def __len__(self):
        return len(self.order)

    def __getitem__(self, i):
        drawing = self.drawings[self.order[i]]
        rng = np.random.default_rng([self.seed, self.epoch, i])
        narrow = drawing["label"] in self.narrowed_digits
        for _ in range(4):
            try:
                image = canvas_image(augment_strokes(drawing["strokes"], rng, narrow=narrow))
                return torch.from_numpy(image), drawing["label"]
            except NothingDrawn:  # a dot shrunk to nothing; draw it again otherwise
                continue
        raise RuntimeError(f"drawing {self.order[i]} (writer {drawing['writer']}) cannot be rendered")


class DrawingStream:
    def __init__(self, drawings, per_epoch, seed, narrowed_digits=()):
        self.drawings, self.per_epoch, self.seed = drawings, per_epoch, seed
        self.narrowed_digits = frozenset(narrowed_digits)

    def epoch(self, epoch, batch, workers):
        """Batches of (uint8 images [B,28,28], int64 labels [B]) for one epoch, in a fixed order."""
        rng = np.random.default_rng([self.seed, epoch])
        repeats = -(-self.per_epoch // len(self.drawings))
        order = np.concatenate([rng.permutation(len(self.drawings)) for _ in range(repeats)])[:self.per_epoch]
        items = _EpochItems(self.drawings, order, self.seed, epoch, self.narrowed_digits)
        parallel = {"num_workers": workers, "prefetch_factor": 4} if workers else {}
        return DataLoader(items, batch_size=batch, shuffle=False, **parallel)
