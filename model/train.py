#!/usr/bin/env python3
"""Trains the digit CNN on MNIST and on people's drawings (plus optional feedback) and exports it.

    python3 model/train.py --data ../shared/mnist --drawings ../shared/drawings/pendigits_train_strokes.json

Every batch mixes MNIST images (pixel augmentation, augment.py) with drawings rendered
on the fly as the pad draws them (stroke augmentation, stroke_augment.py). The shipped
file learns from all 30 writers: the recipe is measured on writers it never saw by
crossval.py, which trains it five times with --validation-writers, each time holding
six writers out and measuring them after every epoch. Writes
build/model/{digitnet.pt,train_log.csv}, then runs export.py (model/mnist.onnx, the
fixtures), evaluate.py (the shipped file through the C++ engine: build it first with
scripts/build.sh) and card.py (model/MODEL.md).
"""
import argparse
import csv
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from augment import augment  # noqa: E402
from drawing_data import DrawingStream  # noqa: E402
from drawings import DEFAULT_PATH, images_and_labels, load_drawings, split_by_writer  # noqa: E402
from mnist_idx import load_extra, load_mnist  # noqa: E402
from net import DigitNet  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(HERE, "..", "data", "mnist"),
                        help="folder with the four MNIST .gz files (downloaded there if missing)")
    parser.add_argument("--drawings", default=DEFAULT_PATH, help="pen-stroke drawings (JSON, see drawings.py)")
    parser.add_argument("--extra", action="append", default=[],
                        help="folder of feedback IDX files from `digits-server export-feedback` (repeatable)")
    parser.add_argument("--extra-repeat", type=int, default=5,
                        help="how many times each feedback sample is seen per epoch (they are few and precious)")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "build", "model"))
    parser.add_argument("--epochs", type=int, default=22)
    parser.add_argument("--mnist-batch", type=int, default=96, help="MNIST images in each batch")
    parser.add_argument("--drawing-batch", type=int, default=32, help="rendered drawings in each batch")
    parser.add_argument("--narrowed-digits", type=digit_list, default=(),
                        help="digits whose drawings are never widened and slanted half as much, e.g. 1 (MODEL.md)")
    parser.add_argument("--clean-share", type=share, default=0.0,
                        help="fraction of each MNIST batch left unaugmented, as the MNIST test set is")
    parser.add_argument("--lr", type=float, default=4e-3, help="peak learning rate of the one-cycle schedule")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--workers", type=int, default=1, help="processes rendering drawings")
    parser.add_argument("--validation-writers", type=writer_list, default=(),
                        help="writers never trained on, comma-separated, or none (crossval.py holds out six)")
    parser.add_argument("--no-export", action="store_true", help="stop after training")
    return parser.parse_args()


def writer_list(text):
    return () if text == "none" else tuple(sorted(int(w) for w in text.split(",")))


def digit_list(text):
    digits = tuple(sorted(int(d) for d in text.split(",")))
    if not all(0 <= d <= 9 for d in digits):
        raise argparse.ArgumentTypeError(f"{text}: digits are 0 to 9")
    return digits


def share(text):
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text}: a share is between 0 and 1")
    return value


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def to_tensor(images, mean, std):
    # ref: the normalisation every client applies, (pixel/255 - mean) / std
    return ((torch.from_numpy(np.array(images)).float() / 255.0 - mean) / std).unsqueeze(1)


@torch.no_grad()
def score(model, x, y):
    model.eval()
    loss, correct = 0.0, 0
    for start in range(0, len(x), 1000):
        logits = model(x[start:start + 1000])
        loss += F.cross_entropy(logits, y[start:start + 1000], reduction="sum").item()
        correct += (logits.argmax(1) == y[start:start + 1000]).sum().item()
    return loss / len(x), correct / len(x)


def mnist_batch(train_unit, index, clean_share, generator):
    """The batch's MNIST images, augmented but for the first clean_share of them (the
    order is already random); with no clean share it is exactly augment(batch)."""
    clean = round(len(index) * clean_share)
    return torch.cat([train_unit[index[:clean]], augment(train_unit[index[clean:]], generator)])


def load_training_images(args):
    train_x, train_y, test_x, test_y = load_mnist(args.data)
    mean = float(train_x.mean() / 255.0)
    std = float(train_x.std() / 255.0)
    for folder in args.extra:
        extra_x, extra_y = load_extra(folder)
        print(f"adding {len(extra_x)} feedback samples from {folder} x{args.extra_repeat}", file=sys.stderr)
        train_x = np.concatenate([train_x] + [extra_x] * args.extra_repeat)
        train_y = np.concatenate([train_y] + [extra_y] * args.extra_repeat)
    return train_x, train_y, test_x, test_y, mean, std


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    os.makedirs(args.out, exist_ok=True)

    train_x, train_y, test_x, test_y, mean, std = load_training_images(args)
    train_drawings, validation_drawings = split_by_writer(load_drawings(args.drawings), args.validation_writers)
    # Augmentation works on [0,1] images; normalisation follows it, as in the app.
    train_unit = torch.from_numpy(train_x.astype(np.float32) / 255.0).unsqueeze(1)
    train_labels = torch.from_numpy(train_y.astype(np.int64))
    test_in, test_labels = to_tensor(test_x, mean, std), torch.from_numpy(test_y.astype(np.int64))
    held_out = None
    if validation_drawings:
        held_x, held_y = images_and_labels(validation_drawings, 0.7)
        held_out = to_tensor(held_x, mean, std), torch.from_numpy(held_y.astype(np.int64))

    steps = (len(train_unit) + args.mnist_batch - 1) // args.mnist_batch
    stream = DrawingStream(train_drawings, per_epoch=steps * args.drawing_batch, seed=args.seed,
                           narrowed_digits=args.narrowed_digits)
    print(f"{len(train_unit)} MNIST images and {steps * args.drawing_batch} renderings of {len(train_drawings)} "
          f"drawings per epoch; {len(validation_drawings)} drawings of held-out writers", file=sys.stderr)

    model = DigitNet()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                   steps_per_epoch=steps)
    generator = torch.Generator().manual_seed(args.seed)

    log_path = os.path.join(args.out, "train_log.csv")
    started = time.time()
    with open(log_path, "w", newline="") as log_file:
        log = csv.writer(log_file)
        log.writerow(["epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "drawings_loss",
                      "drawings_accuracy", "seconds"])
        for epoch in range(1, args.epochs + 1):
            model.train()
            epoch_start = time.time()
            order = torch.randperm(len(train_unit), generator=generator)
            total_loss, total_correct, seen = 0.0, 0, 0
            drawn = iter(stream.epoch(epoch, args.drawing_batch, args.workers))
            for step in range(steps):
                index = order[step * args.mnist_batch:(step + 1) * args.mnist_batch]
                drawing_images, drawing_labels = next(drawn)
                images = torch.cat([mnist_batch(train_unit, index, args.clean_share, generator),
                                    drawing_images.float().unsqueeze(1) / 255])
                labels = torch.cat([train_labels[index], drawing_labels])
                logits = model((images - mean) / std)
                loss = F.cross_entropy(logits, labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
                total_loss += loss.item() * len(labels)
                total_correct += (logits.argmax(1) == labels).sum().item()
                seen += len(labels)
            test_loss, test_accuracy = score(model, test_in, test_labels)
            held_loss, held_accuracy = score(model, *held_out) if held_out else (float("nan"), float("nan"))
            seconds = time.time() - epoch_start
            row = [epoch, total_loss / seen, total_correct / seen, test_loss, test_accuracy, held_loss, held_accuracy,
                   round(seconds, 1)]
            log.writerow(row)
            log_file.flush()
            print(f"epoch {epoch}: train loss {row[1]:.4f} acc {row[2]:.4f} | MNIST test {test_accuracy:.4f} | "
                  f"held-out writers {held_accuracy:.4f} (loss {held_loss:.4f}) | {seconds:.0f} s", file=sys.stderr)

    minutes = (time.time() - started) / 60
    checkpoint = os.path.join(args.out, "digitnet.pt")
    torch.save({"state_dict": model.state_dict(), "norm_mean": mean, "norm_std": std,
                "epochs": args.epochs, "seed": args.seed, "train_minutes": minutes,
                "train_samples": len(train_unit), "train_drawings": len(train_drawings),
                "validation_writers": list(args.validation_writers),
                "command": " ".join(sys.argv)}, checkpoint)
    print(f"trained in {minutes:.1f} min; wrote {checkpoint} and {log_path}", file=sys.stderr)

    if not args.no_export:
        import card
        import evaluate
        import export
        export.export(checkpoint, args.data, args.out)
        evaluate.measure(drawings=args.drawings)
        card.main()


if __name__ == "__main__":
    main()
