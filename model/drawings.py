#!/usr/bin/env python3
"""People's drawings (pen strokes by 30 writers) as the app's preprocessing sees them.

    drawings = load_drawings("../shared/drawings/pendigits_train_strokes.json")
    train, validation = split_by_writer(drawings)
    image = drawing_image(drawings[0]["strokes"], fill=0.7)     # 28x28 uint8

As a command, writes the held-out writers' drawings for the C++ tools, as IDX files:

    python3 model/drawings.py --out build/drawings
    # held-out-{40,70,90}-images.gz: centred on the pad at 40/70/90% of its side, as the
    #   model reads them (zoomed to one size, render.model_strokes)
    # held-out-labels.gz, held-out-writers.gz: the digit and the writer of each

Accuracy on drawings is only meaningful for people the model never saw, so the split is
by writer: VALIDATION_WRITERS are never trained on (drawn once with a fixed seed).
"""
import argparse
import json
import os

import numpy as np

from preprocess import NothingDrawn, darkness, preprocess_darkness
from render import INK, keep_pad_points, model_line_width, model_strokes, pad_strokes, render_alpha

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PATH = os.path.join(HERE, "..", "..", "shared", "drawings", "pendigits_train_strokes.json")

# random.Random(20261125).sample(range(1, 31), 6), sorted
VALIDATION_WRITERS = (1, 8, 11, 15, 18, 28)

# The pad's sizes the model card reports: a small, a usual and a large drawing.
FILLS = (0.4, 0.7, 0.9)

# The side of the box each writer wrote in, in tablet units (../shared/drawings/README.md).
TABLET_BOX = 500

# Darkness of the pad's ink at each coverage: render() gives INK with alpha, so the
# preprocessing's darkness step is a function of alpha alone (bit-identical, faster).
_INK_DARKNESS = darkness(np.array([[*INK, alpha] for alpha in range(256)], dtype=np.uint8))


def load_drawings(path=DEFAULT_PATH):
    with open(path) as f:
        drawings = json.load(f)
    if not drawings or not {"label", "writer", "strokes"} <= drawings[0].keys():
        raise ValueError(f"{path}: not a list of drawings with label, writer and strokes")
    return drawings


def split_by_writer(drawings, validation_writers=VALIDATION_WRITERS):
    train = [d for d in drawings if d["writer"] not in validation_writers]
    validation = [d for d in drawings if d["writer"] in validation_writers]
    return train, validation


def canvas_image(pad):
    """Pad strokes (unit square) -> the 28x28 image the app's preprocessing makes of them."""
    return preprocess_darkness(_INK_DARKNESS[render_alpha(model_strokes(pad), line_width=model_line_width())])


def drawing_image(strokes, fill=0.7, centre=(0.5, 0.5)):
    """Tablet strokes drawn on the pad at `fill` of its side -> 28x28 uint8 image."""
    return canvas_image(pad_strokes(strokes, fill, centre))


def as_written(strokes):
    """Tablet strokes -> pad strokes with the writer's box as the pad: each drawing at the
    size and in the place its writer drew it (a median of 34% of the side, one in ten
    under 25%)."""
    return [keep_pad_points(np.asarray(s, dtype=np.float64).reshape(-1, 2) / TABLET_BOX) for s in strokes]


def images_and_labels(drawings, fill):
    """Every drawing centred on the pad at `fill`: (N x 28 x 28 uint8, N labels)."""
    images = np.stack([drawing_image(d["strokes"], fill) for d in drawings])
    return images, np.array([d["label"] for d in drawings], dtype=np.uint8)


def write_held_out(out, path=DEFAULT_PATH, writers=VALIDATION_WRITERS):
    from mnist_idx import write_idx
    os.makedirs(out, exist_ok=True)
    _, validation = split_by_writer(load_drawings(path), writers)
    for fill in FILLS:
        images, labels = images_and_labels(validation, fill)
        write_idx(os.path.join(out, f"held-out-{round(fill * 100)}-images.gz"), images)
    write_idx(os.path.join(out, "held-out-labels.gz"), labels)
    write_idx(os.path.join(out, "held-out-writers.gz"), np.array([d["writer"] for d in validation], dtype=np.uint8))
    return len(validation)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drawings", default=DEFAULT_PATH)
    parser.add_argument("--out", required=True)
    parser.add_argument("--writers", default=",".join(map(str, VALIDATION_WRITERS)),
                        help="whose drawings, comma-separated (another split's held-out writers)")
    args = parser.parse_args()
    writers = tuple(int(w) for w in args.writers.split(","))
    count = write_held_out(args.out, args.drawings, writers)
    print(f"wrote {count} drawings of writers {', '.join(map(str, writers))} to {args.out}")


__all__ = ["FILLS", "NothingDrawn", "TABLET_BOX", "VALIDATION_WRITERS", "as_written", "canvas_image", "drawing_image",
           "images_and_labels", "load_drawings", "split_by_writer"]


if __name__ == "__main__":
    main()
