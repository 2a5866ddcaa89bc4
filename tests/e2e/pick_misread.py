#!/usr/bin/env python3
"""Picks the drawings tests/e2e/memory.test.mjs teaches the app with: pairs of drawings by
one held-out writer of one digit, both misread by the shipped model, as pad strokes.
Run after a new model ships (and after `python3 model/evaluate.py`, which leaves the
model's probabilities for the held-out writers in build/drawings):

    /usr/bin/python3 tests/e2e/pick_misread.py     # writes tests/e2e/fixtures/misread.json
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "model"))
from drawings import load_drawings, split_by_writer  # noqa: E402
from render import pad_strokes  # noqa: E402

_, held_out = split_by_writer(load_drawings())
probabilities = np.fromfile(os.path.join(ROOT, "build", "drawings", "held-out-70.f32"), np.float32).reshape(-1, 10)
if len(probabilities) != len(held_out):
    raise SystemExit("build/drawings is from another split: run python3 model/evaluate.py first")
misread = {}
for drawing, p in zip(held_out, probabilities):
    if p.argmax() != drawing["label"]:
        misread.setdefault((drawing["writer"], drawing["label"]), []).append((drawing, int(p.argmax())))
pairs = []
for (writer, digit), found in sorted(misread.items(), key=lambda item: -len(item[1])):
    for first, second in zip(found[::2], found[1::2]):
        pairs.append({"writer": writer, "digit": digit, "read_as": [first[1], second[1]],
                      "strokes": [[[[round(x, 4), round(y, 4)] for x, y in s] for s in pad_strokes(d["strokes"], 0.7)]
                                  for d, _ in (first, second)]})
with open(os.path.join(ROOT, "tests", "e2e", "fixtures", "misread.json"), "w") as f:
    json.dump(pairs, f)
print(f"{len(pairs)} pairs: " + ", ".join(f"writer {p['writer']}'s {p['digit']}s" for p in pairs))
