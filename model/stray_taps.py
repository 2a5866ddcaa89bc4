#!/usr/bin/env python3
"""What a stray tap far from the digit costs, and what leaving it out gives back.

    python3 model/stray_taps.py              # after scripts/build.sh; about 20 seconds
    python3 model/stray_taps.py --record     # also into fixtures/stray_taps.json, for card.py

Each drawing of split 0's held-out writers (drawings.VALIDATION_WRITERS) is centred on the
pad at 40 and 70% of its side, and read by the shipped model through the C++ engine four
ways: as drawn; with a tap (a dot) near one of the pad's corners, read as the pad did
before render.without_stray_taps; the same canvas, the tap left out by the preprocessing
alone (preprocess.digit_box, what the module's classify() does with any canvas); and
with the tap left out by the pad, as the pad reads it now. The shipped file learned from
these writers too: the figures compare the placements of the same drawings, not the model
on new people (crossval.py does that).
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from drawings import _INK_DARKNESS, load_drawings, split_by_writer  # noqa: E402
from evaluate import DIGITS_CLI, read_digits  # noqa: E402
from preprocess import preprocess_darkness  # noqa: E402
from render import model_line_width, model_strokes, pad_strokes, place_for_model, render_alpha  # noqa: E402


def image(strokes, placement, leave_out_strays=True):
    return preprocess_darkness(_INK_DARKNESS[render_alpha(placement(strokes), line_width=model_line_width())],
                               leave_out_strays)


RECORD = os.path.join(HERE, "fixtures", "stray_taps.json")
WAYS = ("as drawn", "a tap, read", "a tap, left out by the preprocessing", "a tap, left out")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help=f"write the figures to {os.path.relpath(RECORD)}")
    args = parser.parse_args()
    if not os.access(DIGITS_CLI, os.X_OK):
        raise SystemExit(f"{DIGITS_CLI} is missing: build the engine first (scripts/build.sh)")
    _, drawings = split_by_writer(load_drawings())
    labels = np.array([d["label"] for d in drawings], dtype=np.uint8)
    rng = np.random.default_rng(20261207)
    corners = rng.integers(0, 4, len(drawings))
    offsets = rng.uniform(0.03, 0.08, (len(drawings), 2))
    model = os.path.join(HERE, "mnist.onnx")
    with open(os.path.join(HERE, "fixtures", "model_card.json")) as f:
        version = json.load(f)["model_version"]
    record = {"model_version": version, "drawings": len(drawings), "writers": sorted({d["writer"] for d in drawings}),
              "errors": {}}
    with tempfile.TemporaryDirectory() as work:
        for fill in (0.4, 0.7):
            ways = {way: [] for way in WAYS}
            for drawing, corner, offset in zip(drawings, corners, offsets):
                pad = pad_strokes(drawing["strokes"], fill)
                x = offset[0] if corner % 2 == 0 else 1 - offset[0]
                y = offset[1] if corner < 2 else 1 - offset[1]
                tapped = pad + [np.array([[x, y]])]
                ways["as drawn"].append(image(pad, model_strokes))
                ways["a tap, read"].append(image(tapped, place_for_model, leave_out_strays=False))
                ways["a tap, left out by the preprocessing"].append(image(tapped, place_for_model))
                ways["a tap, left out"].append(image(tapped, model_strokes))
            wrong = {way: int((read_digits(model, np.stack(images), labels, work) != labels).sum())
                     for way, images in ways.items()}
            record["errors"][str(round(fill * 100))] = wrong
            print(f"{len(drawings)} drawings at {round(fill * 100)}% of the pad: " + "; ".join(
                f"{way} {100 * (1 - n / len(drawings)):.2f}% ({n} wrong)" for way, n in wrong.items()))
    if args.record:
        with open(RECORD, "w") as f:
            json.dump(record, f, indent=1)
            f.write("\n")

if __name__ == "__main__":
    main()
