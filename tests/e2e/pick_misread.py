#!/usr/bin/env python3
"""Picks the drawings tests/e2e/memory.test.mjs teaches the app with: pairs of drawings by
one writer of one digit at one size on the pad, both misread by the shipped model, as pad
strokes. The shipped file learned from every writer, so its misreadings are few: every
drawing is read at each size the model card reports and at the smallest size training
draws (30% of the pad), through the C++ engine. Run after a new model ships (after
`scripts/build.sh`):

    /usr/bin/python3 tests/e2e/pick_misread.py     # writes tests/e2e/fixtures/misread.json
"""
import json
import os
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "model"))
from drawings import FILLS, images_and_labels, load_drawings  # noqa: E402
from evaluate import DIGITS_CLI, run_eval  # noqa: E402
from mnist_idx import write_idx  # noqa: E402
from render import pad_strokes  # noqa: E402

SIZES = (0.3,) + FILLS
MODEL = os.path.join(ROOT, "model", "mnist.onnx")


def misreadings(drawings, fill, work):
    """(drawing index, digit read) for every drawing the shipped file misreads at fill."""
    images, labels = images_and_labels(drawings, fill)
    write_idx(os.path.join(work, "images.gz"), images)
    write_idx(os.path.join(work, "labels.gz"), labels)
    probabilities = os.path.join(work, "probabilities.f32")
    run_eval(DIGITS_CLI, MODEL, os.path.join(work, "images.gz"), os.path.join(work, "labels.gz"), probabilities)
    read = np.fromfile(probabilities, np.float32).reshape(-1, 10).argmax(1)
    return [(i, int(read[i])) for i in np.flatnonzero(read != labels)]


def main():
    drawings = load_drawings()
    groups = {}
    with tempfile.TemporaryDirectory() as work:
        for fill in SIZES:
            for i, read_as in misreadings(drawings, fill, work):
                drawing = drawings[i]
                groups.setdefault((drawing["writer"], drawing["label"], fill), []).append((drawing, read_as))
    pairs = []
    for (writer, digit, fill), found in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        for first, second in zip(found[::2], found[1::2]):
            pairs.append({"writer": writer, "digit": digit, "fill": fill, "read_as": [first[1], second[1]],
                          "strokes": [[[[round(x, 4), round(y, 4)] for x, y in s] for s in pad_strokes(d["strokes"], fill)]
                                      for d, _ in (first, second)]})
    if not pairs:
        raise SystemExit("the shipped file misreads no two drawings of one digit by one writer at one size")
    with open(os.path.join(ROOT, "tests", "e2e", "fixtures", "misread.json"), "w") as f:
        json.dump(pairs, f)
    print(f"{len(pairs)} pairs: " + ", ".join(f"writer {p['writer']}'s {p['digit']}s at {round(p['fill'] * 100)}%"
                                             for p in pairs))


if __name__ == "__main__":
    main()
