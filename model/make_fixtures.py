#!/usr/bin/env python3
"""Writes the preprocessing fixtures the C++ tests compare against.

    python3 model/make_fixtures.py --data ../shared/mnist

For each case: fixtures/preprocess/NAME.png (an RGBA canvas) and, unless the canvas
must read as "nothing drawn", NAME.u8 (the 784 bytes preprocess.py makes of it).
cases.json lists them, with the pairs that show the same digit at different sizes.
"""
import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import read_idx  # noqa: E402
from preprocess import NothingDrawn, preprocess  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def canvas(width, height, background):
    return np.tile(np.array(background, dtype=np.uint8), (height, width, 1))


def stamp(target, digit, size, left, top, ink):
    """Draws an MNIST digit scaled to size x size at (left, top) in opaque colour ink."""
    scaled = np.asarray(Image.fromarray(digit).resize((size, size), Image.BILINEAR), dtype=np.float64) / 255
    region = target[top:top + size, left:left + size].astype(np.float64)
    colour = np.array(ink, dtype=np.float64)
    alpha = scaled[..., None]
    # Opaque ink over a possibly transparent canvas: "over" compositing.
    out_alpha = alpha[..., 0] * 255 + region[..., 3] * (1 - alpha[..., 0])
    region[..., :3] = colour[:3] * alpha + region[..., :3] * (1 - alpha)
    region[..., 3] = out_alpha
    target[top:top + size, left:left + size] = np.clip(np.round(region), 0, 255).astype(np.uint8)
    return target


def cases(images):
    white, black = (255, 255, 255, 255), (0, 0, 0, 255)
    clear = (0, 0, 0, 0)
    seven, two, one, zero = images[0], images[1], images[2], images[3]
    yield "seven_large_middle", stamp(canvas(400, 400, white), seven, 300, 50, 50, black)
    yield "seven_small_corner", stamp(canvas(400, 400, white), seven, 60, 8, 12, black)
    yield "two_blue_on_grey", stamp(canvas(640, 480, (230, 230, 230, 255)), two, 280, 200, 120, (30, 60, 200, 255))
    yield "one_on_transparent", stamp(canvas(300, 300, clear), one, 200, 40, 70, black)
    yield "zero_red_on_transparent", stamp(canvas(256, 512, clear), zero, 180, 30, 300, (220, 20, 20, 255))
    yield "seven_at_mnist_scale", stamp(canvas(28, 28, white), seven, 28, 0, 0, black)
    # A tap far from the digit is left out (the image is seven_large_middle's); one near it
    # is read as part of it.
    far_tap = stamp(canvas(600, 600, white), seven, 300, 50, 50, black)
    far_tap[560:570, 565:575] = black
    yield "seven_far_tap", far_tap
    near_mark = stamp(canvas(600, 600, white), seven, 300, 50, 50, black)
    near_mark[200:210, 320:330] = black
    yield "seven_near_mark", near_mark
    # Specks all over: some near enough to join the digit (and then others near them), the
    # rest left out; the two implementations must sort them alike.
    specks = stamp(canvas(600, 600, white), seven, 300, 50, 50, black)
    for y, x, size in zip(*np.random.default_rng(20261208).integers((0, 0, 1), (598, 598, 4), (20, 3)).T):
        specks[y:y + size, x:x + size] = black
    yield "seven_among_specks", specks
    bar = canvas(300, 300, white)
    bar[40:260, 140:152] = black
    yield "vertical_bar", bar
    dash = canvas(1000, 30, white)
    dash[10:20, 100:900] = black
    yield "wide_dash", dash
    yield "blank_1x1", canvas(1, 1, white)
    yield "blank_white", canvas(500, 500, white)
    yield "blank_transparent", canvas(320, 320, clear)
    yield "faint_ink", stamp(canvas(400, 400, white), seven, 300, 50, 50, (235, 235, 235, 255))
    speck = canvas(200, 200, white)
    speck[100, 100] = black
    yield "single_speck", speck


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="folder with t10k-images-idx3-ubyte.gz")
    parser.add_argument("--out", default=os.path.join(HERE, "fixtures", "preprocess"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    images = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
    manifest = {"cases": [], "same_digit": [["seven_large_middle", "seven_small_corner"],
                                           ["seven_large_middle", "seven_at_mnist_scale"]],
                "identical": [["seven_large_middle", "seven_far_tap"]]}
    for name, rgba in cases(images):
        Image.fromarray(rgba, "RGBA").save(os.path.join(args.out, name + ".png"), optimize=True)
        try:
            image = preprocess(rgba)
            image.tofile(os.path.join(args.out, name + ".u8"))
            manifest["cases"].append({"name": name, "nothing_drawn": False})
        except NothingDrawn as reason:
            manifest["cases"].append({"name": name, "nothing_drawn": True, "why": str(reason)})
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"wrote {len(manifest['cases'])} cases to {args.out}")


if __name__ == "__main__":
    main()
