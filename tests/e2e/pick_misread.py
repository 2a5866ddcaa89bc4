#!/usr/bin/env python3
"""Picks the drawings tests/e2e/memory.test.mjs teaches the app with: pairs of drawings of
one digit by one writer, both misread by the shipped model, as pad strokes.

The shipped file learned from every writer, and the pad gives the model every drawing at
one size, so it reads nearly every drawing as drawn. People do not draw a digit the same
way twice, though: each drawing is also drawn again VARIANTS times as training varies it
(model/stroke_augment.py: size, place, slant, rotation, a little warp; a fixed seed), and
the misread variants of one writer's digit make the pairs. Run after a new model ships
(after `scripts/build.sh`), through the C++ engine:

    /usr/bin/python3 tests/e2e/pick_misread.py     # writes tests/e2e/fixtures/misread.json
"""
import json
import os
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "model"))
from drawings import NothingDrawn, canvas_image, load_drawings  # noqa: E402
from evaluate import read_digits  # noqa: E402
from stroke_augment import augment_strokes  # noqa: E402

MODEL = os.path.join(ROOT, "model", "mnist.onnx")
VARIANTS = 4
SEED = 20261206
MAX_PAIRS = 12


def variants(drawings):
    """(drawing, pad strokes) for VARIANTS augmentations of every drawing."""
    rng = np.random.default_rng(SEED)
    for drawing in drawings:
        for _ in range(VARIANTS):
            yield drawing, augment_strokes(drawing["strokes"], rng)


def misreadings(drawn, work):
    """(index into drawn, digit read) for every drawing the shipped file misreads."""
    kept, images = [], []
    for i, (drawing, pad) in enumerate(drawn):
        try:
            images.append(canvas_image(pad))
            kept.append(i)
        except NothingDrawn:
            continue
    labels = np.array([drawn[i][0]["label"] for i in kept], dtype=np.uint8)
    read = read_digits(MODEL, np.stack(images), labels, work)
    return [(kept[j], int(read[j])) for j in np.flatnonzero(read != labels)]


def main():
    drawn = list(variants(load_drawings()))
    groups = {}
    with tempfile.TemporaryDirectory() as work:
        for i, read_as in misreadings(drawn, work):
            drawing, pad = drawn[i]
            groups.setdefault((drawing["writer"], drawing["label"]), []).append((pad, read_as))
    pairs = []
    for (writer, digit), found in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        for first, second in zip(found[::2], found[1::2]):
            pairs.append({"writer": writer, "digit": digit, "read_as": [first[1], second[1]],
                          "strokes": [[[[round(x, 4), round(y, 4)] for x, y in s] for s in pad]
                                      for pad, _ in (first, second)]})
    if not pairs:
        raise SystemExit("the shipped file misreads no two drawings of one digit by one writer")
    pairs = pairs[:MAX_PAIRS]
    with open(os.path.join(ROOT, "tests", "e2e", "fixtures", "misread.json"), "w") as f:
        json.dump(pairs, f)
    misread = sum(len(found) for found in groups.values())
    print(f"{misread} of {len(drawn)} drawings misread; {len(pairs)} pairs: " +
          ", ".join(f"writer {p['writer']}'s {p['digit']}s" for p in pairs))


if __name__ == "__main__":
    main()
