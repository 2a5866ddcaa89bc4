#!/usr/bin/env python3
"""Trains the digit CNN on MNIST (plus optional feedback samples) and exports it.

    python3 model/train.py --data ../shared/mnist --out build/model

Writes build/model/{digitnet.pt,train_log.csv}, then runs export.py (model/mnist.onnx,
the test fixtures) and card.py (model/MODEL.md).
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
from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from augment import augment  # noqa: E402
from mnist_idx import load_extra, load_mnist  # noqa: E402
from net import DigitNet  # noqa: E402


def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(here, "..", "data", "mnist"),
                        help="folder with the four MNIST .gz files (downloaded there if missing)")
    parser.add_argument("--extra", action="append", default=[],
                        help="folder of feedback IDX files from `digits-server export-feedback` (repeatable)")
    parser.add_argument("--extra-repeat", type=int, default=5,
                        help="how many times each feedback sample is seen per epoch (they are few and precious)")
    parser.add_argument("--out", default=os.path.join(here, "..", "build", "model"))
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=4e-3, help="peak learning rate of the one-cycle schedule")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--no-export", action="store_true", help="stop after training")
    return parser.parse_args()


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def to_tensor(images, mean, std):
    # ref: the normalisation every client applies, (pixel/255 - mean) / std
    return ((torch.from_numpy(images.astype(np.float32)) / 255.0 - mean) / std).unsqueeze(1)


@torch.no_grad()
def evaluate(model, x, y):
    model.eval()
    loss, correct = 0.0, 0
    for start in range(0, len(x), 1000):
        logits = model(x[start:start + 1000])
        loss += F.cross_entropy(logits, y[start:start + 1000], reduction="sum").item()
        correct += (logits.argmax(1) == y[start:start + 1000]).sum().item()
    return loss / len(x), correct / len(x)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    os.makedirs(args.out, exist_ok=True)

    train_x, train_y, test_x, test_y = load_mnist(args.data)
    mean = float(train_x.mean() / 255.0)
    std = float(train_x.std() / 255.0)
    for folder in args.extra:
        extra_x, extra_y = load_extra(folder)
        print(f"adding {len(extra_x)} feedback samples from {folder} x{args.extra_repeat}", file=sys.stderr)
        train_x = np.concatenate([train_x] + [extra_x] * args.extra_repeat)
        train_y = np.concatenate([train_y] + [extra_y] * args.extra_repeat)

    # Augmentation works on [0,1] images; normalisation follows it, as in the app.
    train_unit = torch.from_numpy(train_x.astype(np.float32) / 255.0).unsqueeze(1)
    train_labels = torch.from_numpy(train_y.astype(np.int64))
    test_in = to_tensor(test_x, mean, std)
    test_labels = torch.from_numpy(test_y.astype(np.int64))

    model = DigitNet()
    steps = (len(train_unit) + args.batch - 1) // args.batch
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                   steps_per_epoch=steps)
    generator = torch.Generator().manual_seed(args.seed)

    log_path = os.path.join(args.out, "train_log.csv")
    started = time.time()
    with open(log_path, "w", newline="") as log_file:
        log = csv.writer(log_file)
        log.writerow(["epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds"])
        for epoch in range(1, args.epochs + 1):
            model.train()
            epoch_start = time.time()
            order = torch.randperm(len(train_unit), generator=generator)
            total_loss, total_correct = 0.0, 0
            bar = tqdm(range(steps), desc=f"epoch {epoch}/{args.epochs}", unit="batch", file=sys.stderr)
            for step in bar:
                index = order[step * args.batch:(step + 1) * args.batch]
                images = (augment(train_unit[index], generator) - mean) / std
                labels = train_labels[index]
                logits = model(images)
                loss = F.cross_entropy(logits, labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
                total_loss += loss.item() * len(index)
                total_correct += (logits.argmax(1) == labels).sum().item()
                if step % 50 == 0:
                    bar.set_postfix(loss=f"{loss.item():.4f}")
            test_loss, test_accuracy = evaluate(model, test_in, test_labels)
            seconds = time.time() - epoch_start
            row = [epoch, total_loss / len(train_unit), total_correct / len(train_unit), test_loss, test_accuracy,
                   round(seconds, 1)]
            log.writerow(row)
            log_file.flush()
            print(f"epoch {epoch}: train loss {row[1]:.4f} acc {row[2]:.4f} | test loss {test_loss:.4f} "
                  f"acc {test_accuracy:.4f} | {seconds:.0f} s", file=sys.stderr)

    minutes = (time.time() - started) / 60
    checkpoint = os.path.join(args.out, "digitnet.pt")
    torch.save({"state_dict": model.state_dict(), "norm_mean": mean, "norm_std": std,
                "epochs": args.epochs, "seed": args.seed, "train_minutes": minutes,
                "train_samples": len(train_unit), "command": " ".join(sys.argv)}, checkpoint)
    print(f"trained in {minutes:.1f} min; wrote {checkpoint} and {log_path}", file=sys.stderr)

    if not args.no_export:
        import card
        import export
        export.export(checkpoint, args.data, args.out)
        card.main()


if __name__ == "__main__":
    main()
