#!/usr/bin/env python3
"""Writes the model card, model/MODEL.md, and its training-curve plot from what
export.py recorded (fixtures/model_card.json, fixtures/train_log.csv).

    python3 model/card.py
"""
import csv
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def plot(log, path):
    epochs = [int(row["epoch"]) for row in log]
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=110)
    loss_axis.plot(epochs, [float(r["train_loss"]) for r in log], label="training (augmented, dropout)")
    loss_axis.plot(epochs, [float(r["test_loss"]) for r in log], label="MNIST test")
    loss_axis.set_xlabel("epoch")
    loss_axis.set_ylabel("cross-entropy loss")
    loss_axis.set_yscale("log")
    loss_axis.legend()
    accuracy_axis.plot(epochs, [100 * float(r["train_accuracy"]) for r in log], label="training (augmented)")
    accuracy_axis.plot(epochs, [100 * float(r["test_accuracy"]) for r in log], label="MNIST test")
    accuracy_axis.set_xlabel("epoch")
    accuracy_axis.set_ylabel("accuracy (%)")
    accuracy_axis.set_ylim(97, 100)
    accuracy_axis.legend(loc="lower right")
    for axis in (loss_axis, accuracy_axis):
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)


def main():
    with open(os.path.join(HERE, "fixtures", "model_card.json")) as f:
        card = json.load(f)
    with open(os.path.join(HERE, "fixtures", "train_log.csv")) as f:
        log = list(csv.DictReader(f))
    plot(log, os.path.join(HERE, "training_curve.png"))

    layers = "\n".join(
        f"| {layer['layer']} | {' x '.join(str(d) for d in layer['output'])} | {layer['parameters']:,} | {layer['macs']:,} |"
        for layer in card["layers"])
    per_digit = " | ".join(f"{100 * card['per_digit_accuracy'][str(d)]:.2f}%" for d in range(10))
    confusion = "\n".join(f"| **{d}** | " + " | ".join(str(v) for v in row) + " |"
                          for d, row in enumerate(card["confusion"]))
    best = max(float(r["test_accuracy"]) for r in log)
    text = f"""# Model card: digitnet

The digit classifier the app ships: `model/mnist.onnx`, version `{card['model_version']}`.

## What it is

A small convolutional network for 28x28 grey-scale digits (0 background, 255 ink, as
in MNIST), trained with PyTorch on the 60,000 MNIST training images, with augmentation
for digits drawn on a screen. Input `input`: float32 `[N,1,28,28]`, normalised as
`(pixel/255 - {card['norm_mean']}) / {card['norm_std']}`. Output `probabilities`: float32
`[N,10]`, softmax applied. ONNX opset {card['opset']}, {card['onnx_bytes']:,} bytes, operators
Conv, Relu, MaxPool, Flatten, Gemm and Softmax only (batch normalisation is folded into the
weights at export).

## Architecture and cost

| layer | output | parameters | multiply-accumulates |
| --- | --- | ---: | ---: |
{layers}
| **total** | | **{card['parameters']:,}** | **{card['macs']:,}** |

Within the budget of 3 M multiply-accumulates and 300 k parameters per image (the classic
MNIST CNN of two 3x3 convolutions and a 9216x128 dense layer costs 12 M and 1.2 M).
Unpadded convolutions with a pool after each keep the expensive second convolution at
11x11 outputs. Training adds batch normalisation after each hidden layer and dropout
(0.25, 0.4) before the dense layers.

## Accuracy

**MNIST test set: {100 * card['mnist_test_accuracy']:.2f}%** ({round((1 - card['mnist_test_accuracy']) * 10000)} errors in 10,000),
measured on the exported ONNX model; the project's tests measure it again through the C++
engine (`ctest -R model_accuracy`) and check that the engine's probabilities match
PyTorch's within 1e-4 on all 10,000 images and ONNX Runtime's within 1e-4.

Per digit:

| 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| {per_digit} |

Confusion matrix on the test set (rows: true digit, columns: predicted):

| | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
{confusion}

## Training

![Loss and accuracy per epoch](training_curve.png)

- {card['epochs']} epochs, AdamW with a one-cycle learning rate (peak 4e-3), batch 128, seed {card['seed']},
  {card['train_samples']:,} training images.
- Augmentation, fresh for every batch: rotation up to 15 degrees, scale 0.85-1.12, aspect
  +-12%, shear +-0.18, shift up to 2 px, and in 45% of images a thicker (max filter) or
  thinner (min filter) stroke: people draw with a finger or a mouse, and a small drawing
  made with a fixed-width brush becomes thick once scaled to 20 px.
- The test accuracy of the last epoch is the model's (the best epoch reached
  {100 * best:.2f}%; choosing it would be choosing on the test set).
- Training time: {card['train_minutes']:.1f} minutes on 2 CPU cores (no GPU), about 24 s per epoch.

To reproduce on Debian 12 (PyTorch {card.get('torch_version', '1.13')} from Debian):

    scripts/install-deps.sh --train
    python3 model/train.py --data ../shared/mnist --epochs {card['epochs']}
    python3 model/card.py

`train.py` downloads MNIST into `data/mnist` when `--data` is not given, and runs
`export.py` and this card's script at the end. Training is deterministic: a second run
of the command above on the same machine gave bit-identical weights, the same loss and
accuracy at every epoch, and the same {100 * card['mnist_test_accuracy']:.2f}% (other CPUs or PyTorch versions
may round differently; expect the accuracy within 0.1%).

## Retraining from feedback

    build/native/server/digits-server export-feedback --out data/feedback
    python3 model/train.py --data ../shared/mnist --extra data/feedback

`--extra` adds the images people labelled in the app (each seen five times per epoch by
default, `--extra-repeat`) to the training set.

## Limits

- Trained on MNIST's scanned pen strokes plus augmentation, not on screen drawings: the
  app's feedback is the way to measure and close that gap.
- One digit per drawing; letters and scribbles still get a digit (with lower confidence).
  A blank or nearly blank canvas gets no answer at all.
"""
    with open(os.path.join(HERE, "MODEL.md"), "w") as f:
        f.write(text)
    print("wrote model/MODEL.md and model/training_curve.png")


if __name__ == "__main__":
    main()
