"""Draws pen strokes the way the app's drawing pad does (www/js/pad.js).

The pad keeps a drawing as strokes of points in the unit square and paints them on a
canvas the classifier reads (MODEL_CANVAS pixels square): round caps and joins, a line
LINE_WIDTH of the side wide, quadratic curves through the midpoints of consecutive
points, a filled disc for a single-point stroke, anti-aliased, one colour over
transparency. This module paints the same with cairo (Skia's counterpart in C, with
analytic anti-aliasing too), so training sees what the app's preprocessing sees;
tests/model/render.test.mjs checks the two pixel by pixel in Chromium.

    pad = pad_strokes(drawing["strokes"], fill=0.4)     # as drawn on the pad
    canvas = render(model_strokes(pad), model_line_width())   # 280x280x4 uint8 RGBA, for the model
    image = preprocess(canvas)                          # 28x28, as the app

The model reads every drawing at one size, as if drawn across MODEL_SIZE of the pad
(model_strokes, as pad.js's strokesForModel; painted with model_line_width()).
"""
import math

import cairo
import numpy as np

from preprocess import joined_to_largest

# ref: www/js/pad.js LINE_WIDTH, MODEL_CANVAS, MIN_STEP, INK, MODEL_SIZE, MODEL_FILL, MAX_ZOOM
LINE_WIDTH = 0.075
MODEL_CANVAS = 280
MIN_STEP = 0.004
INK = (0x1a, 0x1a, 0x2e)
MODEL_SIZE = 0.9
MODEL_FILL = 0.6
MAX_ZOOM = 10.0


def pad_strokes(strokes, fill=0.7, centre=(0.5, 0.5)):
    """Tablet strokes ([[x, y], ...] per stroke, y down) -> pad strokes in the unit square.

    The points' bounding box is scaled, keeping its aspect, so that its longer side is
    `fill` of the pad's side, and centred on `centre`. Points then go through what the
    pad does with pointer events: clamped to the pad, and a point closer than MIN_STEP
    to the last one kept is dropped.
    """
    points = np.concatenate([np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes])
    low, high = points.min(axis=0), points.max(axis=0)
    scale = fill / max(float((high - low).max()), 1e-9)
    middle = (low + high) / 2
    out = []
    for stroke in strokes:
        placed = (np.asarray(stroke, dtype=np.float64).reshape(-1, 2) - middle) * scale + centre
        out.append(keep_pad_points(placed))
    return out


def model_line_width():
    """The line on the model's canvas: the pad's, on a digit drawn across MODEL_SIZE of it."""
    return LINE_WIDTH * MODEL_FILL / MODEL_SIZE


def model_strokes(strokes):
    """Pad strokes -> the strokes the model's canvas is painted with: stray taps left out
    (without_stray_taps), the bounding box centred, its longer side MODEL_FILL of the side
    (zoomed at most MAX_ZOOM times).

    ref: www/js/pad.js strokesForModel()
    """
    return place_for_model(without_stray_taps(strokes))


def place_for_model(strokes):
    """ref: www/js/pad.js placeForModel(): every stroke, the box centred and zoomed."""
    if not strokes:
        return strokes
    arrays = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    points = np.concatenate(arrays)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = float((high - low).max())
    zoom = MODEL_FILL / extent if extent * MAX_ZOOM > MODEL_FILL else MAX_ZOOM
    middle = (low + high) / 2
    return [(a - middle) * zoom + 0.5 for a in arrays]


def without_stray_taps(strokes):
    """The strokes without the small ones far from the digit: a finger resting on a phone's
    pad, a tap in a corner. Kept, such a mark would widen the bounding box the drawing is
    zoomed by, and the digit would reach the model shrunk to a corner of its picture.

    The digit grows from its longest stroke by preprocess.joined_to_largest (a stroke joins
    it when it is more than STRAY_SIZE of that one long, or lies within STRAY_GAP of what
    has joined so far). No stroke people drew
    in the 7,494 training drawings is left out but one mark a writer made far from a 0
    (MODEL.md, "Stray taps"); a drawing of dots alone is kept whole.

    preprocess.digit_box applies the same rule to the marks of any canvas; the pad applies
    it to strokes first because its zoom needs the digit's box before it paints, and the
    digit is then painted at the size the model expects with the line that goes with it.

    ref: www/js/pad.js withoutStrayTaps()
    """
    points = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    boxes = [(float(p[:, 1].min()), float(p[:, 1].max()), float(p[:, 0].min()), float(p[:, 0].max())) for p in points]
    return [s for s, keep in zip(strokes, joined_to_largest(boxes)) if keep]


def keep_pad_points(points):
    """ref: www/js/pad.js point() clamps, extend() drops points within MIN_STEP."""
    points = np.clip(points, 0.0, 1.0).tolist()
    kept = [points[0]]
    for x, y in points[1:]:
        if math.hypot(x - kept[-1][0], y - kept[-1][1]) >= MIN_STEP:
            kept.append([x, y])
    return np.array(kept)


def render_alpha(strokes, side=MODEL_CANVAS, line_width=LINE_WIDTH):
    """The ink's coverage, side x side uint8: what the canvas's alpha channel holds."""
    surface = cairo.ImageSurface(cairo.FORMAT_A8, side, side)
    context = cairo.Context(surface)
    # ref: www/js/pad.js paint()
    context.set_line_cap(cairo.LINE_CAP_ROUND)
    context.set_line_join(cairo.LINE_JOIN_ROUND)
    context.set_line_width(side * line_width)
    for stroke in strokes:
        points = (np.asarray(stroke, dtype=np.float64) * side).tolist()  # plain floats: a fast loop
        if len(points) == 1:  # a dot
            context.arc(points[0][0], points[0][1], side * line_width / 2, 0, 2 * math.pi)
            context.fill()
            continue
        x, y = points[0]
        context.move_to(x, y)
        for (cx, cy), (nx, ny) in zip(points[1:-1], points[2:]):
            ex, ey = (cx + nx) / 2, (cy + ny) / 2
            # A quadratic curve is the cubic with control points 2/3 of the way to its own.
            context.curve_to(x + (cx - x) * 2 / 3, y + (cy - y) * 2 / 3, ex + (cx - ex) * 2 / 3,
                             ey + (cy - ey) * 2 / 3, ex, ey)
            x, y = ex, ey
        context.line_to(*points[-1])
        context.stroke()
    surface.flush()
    stride = surface.get_stride()
    return np.frombuffer(surface.get_data(), dtype=np.uint8).reshape(side, stride)[:, :side].copy()


def render(strokes, line_width=LINE_WIDTH, side=MODEL_CANVAS):
    """The canvas as getImageData returns it: side x side x 4 uint8, unpremultiplied RGBA."""
    alpha = render_alpha(strokes, side, line_width)
    canvas = np.zeros((side, side, 4), dtype=np.uint8)
    canvas[..., :3] = INK
    canvas[..., 3] = alpha
    canvas[alpha == 0, :3] = 0  # a fully transparent pixel reads as transparent black
    return canvas
