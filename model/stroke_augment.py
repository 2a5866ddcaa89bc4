"""Stroke-space augmentation: one drawing becomes many plausible drawings on the pad.

Working on the pen's path rather than on pixels keeps what the app really varies:
the line stays the pad's width whatever the digit's size, corners stay round, and a
sparse or dense path is smoothed exactly as pad.js smooths it. Each call draws its
parameters from the generator it is given, so a (seed, epoch, index) triple always
gives the same drawing, whichever worker makes it.

    pad = augment_strokes(drawing["strokes"], np.random.default_rng(seed))
    image = canvas_image(pad)
"""
import math

import numpy as np

from render import keep_pad_points

# Ranges, each chosen on held-out writers (see MODEL.md); sizes are of the digit's longer side.
FILL = (0.30, 0.95)          # how much of the pad's side the digit spans
ROTATION_DEGREES = 12.0
SHEAR = 0.25                 # x += shear * y: slant
ASPECT = 0.25                # log of the x/y stretch
WARP = 0.035                 # amplitude of a smooth random displacement field
JITTER = 0.006               # per-point noise
P_SPARSER = 0.3              # keep every 2nd or 3rd point (a fast pen, a slow device)
P_DENSER = 0.3               # points in between (a fast device, coalesced events)


def _normalised(strokes):
    """Tablet strokes -> float arrays with the bounding box centred on 0, longer side 1."""
    arrays = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    points = np.concatenate(arrays)
    low, high = points.min(axis=0), points.max(axis=0)
    middle, size = (low + high) / 2, max(float((high - low).max()), 1e-9)
    return [(a - middle) / size for a in arrays]


def _affine(rng, narrow):
    angle = math.radians(rng.uniform(-ROTATION_DEGREES, ROTATION_DEGREES))
    stretch = math.exp(rng.uniform(-ASPECT, 0.0 if narrow else ASPECT))
    shear = rng.uniform(-SHEAR, SHEAR) * (0.5 if narrow else 1.0)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    return rotation @ np.array([[stretch, shear], [0.0, 1.0 / stretch]])


def _warp(rng):
    """A smooth displacement field: a few random low-frequency waves per axis."""
    waves = [(rng.normal(size=2) * 2.5, rng.uniform(0, 2 * math.pi), rng.normal(size=2) * WARP / 2)
             for _ in range(2)]

    def displace(points):
        out = points.copy()
        for frequency, phase, amplitude in waves:
            out += np.sin(points @ frequency + phase)[:, None] * amplitude
        return out
    return displace


def _resample(points, rng, mode):
    if len(points) < 3 or mode == "same":
        return points
    if mode == "sparser":
        step = int(rng.integers(2, 4))
        kept = points[::step]
        return kept if np.array_equal(kept[-1], points[-1]) else np.vstack([kept, points[-1:]])
    middles = (points[:-1] + points[1:]) / 2
    out = np.empty((len(points) * 2 - 1, 2))
    out[0::2], out[1::2] = points, middles
    return out


def augment_strokes(strokes, rng, fill=None, narrow=False):
    """Tablet strokes -> pad strokes (unit square), randomly reshaped, resized and placed.

    narrow: never widened and slanted half as much. A pen 1's flag stretched sideways on
    a slanted stem is an MNIST 7 (train.py --narrowed-digits, MODEL.md)."""
    matrix, warp = _affine(rng, narrow), _warp(rng)
    choice = rng.random()
    mode = "sparser" if choice < P_SPARSER else "denser" if choice < P_SPARSER + P_DENSER else "same"
    shaped = []
    for points in _normalised(strokes):
        points = warp(points @ matrix.T)
        points = points + rng.normal(scale=JITTER, size=points.shape)
        shaped.append(_resample(points, rng, mode))
    # Renormalise after the shape changes so that fill is the digit's real size.
    shaped = _normalised(shaped)
    fill = rng.uniform(*FILL) if fill is None else fill
    extent = np.concatenate(shaped).max(axis=0) * 2 * fill   # each side's share of the pad
    centre = [rng.uniform(min(0.5, e / 2 + 0.03), max(0.5, 1 - e / 2 - 0.03)) for e in extent]
    return [keep_pad_points(s * fill + centre) for s in shaped]
