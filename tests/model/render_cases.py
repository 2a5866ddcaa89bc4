#!/usr/bin/env python3
"""The Python side of render.test.mjs: drawings to paint, and how Chromium's paint compares.

    render_cases.py make OUT.json                       pad strokes, the strokes the model's
                                                        canvas is painted with (model_strokes)
                                                        and model/render.py's alpha of those
    render_cases.py compare CASES.json SAME.u8 MOVED.u8 figures per case as JSON, and IDX files
                                                        of the 28x28 images for `digits eval`

SAME.u8 and MOVED.u8 are Chromium's alpha channels (cases x 280 x 280) of the strokes as
they are and moved by a quarter pixel: the second is the yardstick for the first.
"""
import base64
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "model"))
from drawings import _INK_DARKNESS, load_drawings, split_by_writer  # noqa: E402
from mnist_idx import write_idx  # noqa: E402
from preprocess import preprocess_darkness  # noqa: E402
from render import MODEL_CANVAS, model_line_width, model_strokes, pad_strokes, render_alpha  # noqa: E402
from stroke_augment import augment_strokes  # noqa: E402


def make(out_path):
    """Held-out writers' drawings, every digit, small to large, as drawn and augmented."""
    _, validation = split_by_writer(load_drawings())
    rng = np.random.default_rng(20261125)
    cases = []
    for n, index in enumerate(rng.choice(len(validation), 60, replace=False)):
        drawing = validation[int(index)]
        if n % 2:
            pad = augment_strokes(drawing["strokes"], rng)
        else:
            pad = pad_strokes(drawing["strokes"], fill=(0.15, 0.3, 0.5, 0.7, 0.95)[n // 2 % 5],
                              centre=(0.5, 0.5) if n % 3 else (0.2, 0.8))
        cases.append({"label": drawing["label"], "strokes": [s.tolist() for s in pad]})
    cases.append({"label": 1, "strokes": [[[0.5, 0.2]], [[0.5, 0.3], [0.52, 0.8]]]})  # a dot and a line
    cases.append({"label": 1, "strokes": [[[0.9, 0.1], [0.9, 0.12]]]})  # a speck: zoomed MAX_ZOOM times only
    # Stray taps (render.without_stray_taps): far ones in corners, left out; near ones, read.
    one = [[0.45, 0.4], [0.46, 0.5], [0.47, 0.6]]
    cases.append({"label": 1, "strokes": [[[0.95, 0.95]], one, [[0.05, 0.9], [0.08, 0.91]], [[0.03, 0.03]]]})
    cases.append({"label": 1, "strokes": [one, [[0.46, 0.66]], [[0.46, 0.72]], [[0.1, 0.1], [0.16, 0.1]]]})
    for case in cases:
        placed = model_strokes([np.array(s) for s in case["strokes"]])
        case["model"] = [s.tolist() for s in placed]
        case["alpha"] = base64.b64encode(render_alpha(placed, line_width=model_line_width()).tobytes()).decode()
    with open(out_path, "w") as f:
        json.dump(cases, f)


def moments(alpha):
    ys, xs = np.indices(alpha.shape)
    total = alpha.sum()
    return total / 255, (ys * alpha).sum() / total, (xs * alpha).sum() / total


def compare(cases_path, chromium_path, moved_path):
    with open(cases_path) as f:
        cases = json.load(f)
    side = MODEL_CANVAS
    ours = [np.frombuffer(base64.b64decode(c["alpha"]), np.uint8).reshape(side, side) for c in cases]
    chromium = np.fromfile(chromium_path, np.uint8).reshape(len(cases), side, side)
    moved = np.fromfile(moved_path, np.uint8).reshape(len(cases), side, side)
    image = lambda alpha: preprocess_darkness(_INK_DARKNESS[alpha]).astype(int)  # noqa: E731
    folder = os.path.dirname(chromium_path)
    write_idx(os.path.join(folder, "labels.idx"), np.array([c["label"] for c in cases], dtype=np.uint8))
    write_idx(os.path.join(folder, "python.idx"), np.stack([image(a) for a in ours]))
    write_idx(os.path.join(folder, "chromium.idx"), np.stack([image(a) for a in chromium]))
    per_case = []
    for a, b, c in zip(ours, chromium, moved):
        (ink_a, y_a, x_a), (ink_b, y_b, x_b) = moments(a.astype(np.float64)), moments(b.astype(np.float64))
        per_case.append({
            "ink_ratio": ink_a / ink_b,
            "centroid_distance": float(np.hypot(y_a - y_b, x_a - x_b)),
            "canvas_mean_difference": float(np.abs(a.astype(int) - b.astype(int)).mean()),
            "image_mean_difference": float(np.abs(image(a) - image(b)).mean()),
            "moved_image_mean_difference": float(np.abs(image(c) - image(b)).mean()),
        })
    json.dump(per_case, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"] and len(sys.argv) == 3:
        make(sys.argv[2])
    elif sys.argv[1:2] == ["compare"] and len(sys.argv) == 5:
        compare(*sys.argv[2:])
    else:
        raise SystemExit(__doc__)
