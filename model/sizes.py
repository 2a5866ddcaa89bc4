#!/usr/bin/env python3
"""Measures how drawing size affects accuracy, on writers the model never saw: each
cross-validation split's model reads its own split's writers, drawn small to large and
as written (the writer's box as the pad). Each drawing is read twice: as the app shows it
to the model (pad.js strokesForModel: zoomed to one size, as if drawn across
render.MODEL_SIZE of the pad), and painted at the pad's own scale, as the app read it
before.

    python3 model/sizes.py                     # the splits crossval.py has trained so far
    python3 model/sizes.py --model-size 0.7    # how MODEL_SIZE was chosen

Writes model/fixtures/sizes.json, which card.py puts into MODEL.md.
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import render  # noqa: E402
from crossval import SPLITS, WORK  # noqa: E402
from drawings import (_INK_DARKNESS, DEFAULT_PATH, as_written, canvas_image, load_drawings, pad_strokes,  # noqa: E402
                      split_by_writer)
from evaluate import read_digits  # noqa: E402
from preprocess import preprocess_darkness  # noqa: E402

# Where on the pad: "written" as the writer placed it, or centred at a share of the side.
PLACEMENTS = ("written", 0.2, 0.3, 0.4, 0.7, 0.9)
OUT = os.path.join(HERE, "fixtures", "sizes.json")


def placed(drawing, placement):
    return as_written(drawing["strokes"]) if placement == "written" else pad_strokes(drawing["strokes"], placement)


def image(pad, zoomed):
    return canvas_image(pad) if zoomed else preprocess_darkness(_INK_DARKNESS[render.render_alpha(pad)])


def errors(model, drawings, images, work):
    """How many of the drawings the model misreads."""
    labels = np.array([d["label"] for d in drawings], dtype=np.uint8)
    return int((read_digits(model, np.stack(images), labels, work) != labels).sum())


def measure(split, drawings_path, work):
    model = os.path.join(WORK, f"split-{split}", "model.onnx")
    _, drawings = split_by_writer(load_drawings(drawings_path), SPLITS[split])
    result = {"drawings": len(drawings), "zoomed": {}, "as_drawn": {}}
    for placement in PLACEMENTS:
        pads = [placed(d, placement) for d in drawings]
        key = str(placement if placement == "written" else round(placement * 100))
        for zoomed, name in ((True, "zoomed"), (False, "as_drawn")):
            result[name][key] = errors(model, drawings, [image(p, zoomed) for p in pads], work)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drawings", default=DEFAULT_PATH)
    parser.add_argument("--model-size", type=float, default=render.MODEL_SIZE,
                        help="the zoomed drawing reads as if drawn across this share of the pad")
    parser.add_argument("--out", default=OUT, help="where to write the figures ('-' for nowhere)")
    args = parser.parse_args()
    render.MODEL_SIZE = args.model_size
    splits = [i for i in range(len(SPLITS)) if os.path.exists(os.path.join(WORK, f"split-{i}", "model.onnx"))]
    if not splits:
        raise SystemExit(f"no split's model in {WORK}: run model/crossval.py first")
    with tempfile.TemporaryDirectory() as work:
        per_split = {str(i): measure(i, args.drawings, work) for i in splits}
    drawings = sum(r["drawings"] for r in per_split.values())
    pooled = {name: {key: sum(r[name][key] for r in per_split.values()) for key in next(iter(per_split.values()))[name]}
              for name in ("zoomed", "as_drawn")}
    print(f"splits {', '.join(map(str, splits))}: {drawings} drawings by writers their models never saw; "
          f"errors zoomed as if drawn across {args.model_size:.0%} of the pad / painted as drawn")
    for key in pooled["zoomed"]:
        where = "as written" if key == "written" else f"{key}% of the pad"
        print(f"  {where:>16}: {pooled['zoomed'][key]:4d} / {pooled['as_drawn'][key]:4d}")
    if args.out != "-":
        with open(args.out, "w") as f:
            json.dump({"model_size": args.model_size, "splits": splits, "drawings": drawings,
                       "errors": pooled, "per_split": per_split}, f, indent=1)


if __name__ == "__main__":
    main()
