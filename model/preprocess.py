"""Reference implementation of the canvas preprocessing (the MNIST recipe).

This is the single source of truth for how a drawing becomes the model's input. The
C++ engine (wasm/src/preprocess.cpp) mirrors it step by step, each step marked with a
`// ref: model/preprocess.py <step>` comment, and tests/engine compares the two on the
fixtures that make_fixtures.py writes with this module.

MNIST (LeCun et al.) was made by fitting each digit's bounding box into 20x20 with an
anti-aliasing resize that keeps the aspect ratio, then placing it in a 28x28 field so
that its centre of mass sits at the centre. The steps below do the same to a canvas,
with the resize and the placement done as one area-exact resampling, and the drawing's
strongest ink becomes INK_PEAK rather than full strength.
"""
import numpy as np

FIELD = 28          # side of the model's input
BOX = 20            # side the ink's bounding box is scaled to
MIN_CONTRAST = 48   # weakest ink (0-255 above the background) that counts as a drawing
MIN_INK_PIXELS = 2  # less ink than this many fully inked pixels is a speck, not a digit
# A drawing's strongest ink, where a scanned digit's is 1.0. People draw some digits the
# way MNIST's writers never do (a 1 with a long flag, a 7 with a bar, an open 4), so one
# network serving both learns a compromise that reads neither as well as it could. Ink
# at 0.8 marks every drawing as a drawing: the network learns the pad's conventions for
# it and MNIST's for full-strength scans (MODEL.md, "Drawings and scans").
INK_PEAK = 0.8
# ref: www/js/pad.js STRAY_SIZE, STRAY_GAP: the pad's rule for stray taps
# (joined_to_largest), applied to its strokes (render.without_stray_taps) and to a canvas's
# marks (digit_box), so that a canvas from anywhere gets it too
STRAY_SIZE = 0.25
STRAY_GAP = 0.35
# More runs of ink or separate marks than this is speckle, read whole (mark_boxes)
MAX_RUNS = 1 << 16
MAX_MARKS = 256


class NothingDrawn(Exception):
    """The canvas is blank, or its ink is too faint or too little to be a digit."""


def darkness(rgba):
    """step darkness: RGBA (HxWx4 uint8) -> 0..255 int, composited over white, Rec. 601 luma.

    Integer arithmetic so that C++ gets bit-identical values.
    """
    rgba = rgba.astype(np.int64)
    r, g, b, a = rgba[..., 0], rgba[..., 1], rgba[..., 2], rgba[..., 3]
    luma = 299 * r + 587 * g + 114 * b                        # 0..255000
    over_white = (luma * a + 255000 * (255 - a) + 127) // 255  # transparent reads as white
    return (255000 - over_white + 500) // 1000


def background_level(dark):
    """step background: the median darkness; a digit covers less than half of a canvas."""
    histogram = np.bincount(dark.ravel(), minlength=256)
    half = (dark.size + 1) // 2
    return int(np.searchsorted(np.cumsum(histogram), half))


def ink_map(dark):
    """step ink: darkness above the background, scaled so the strongest ink is 1.0."""
    ink = np.maximum(dark - background_level(dark), 0)
    strongest = int(ink.max())
    if strongest < MIN_CONTRAST:
        raise NothingDrawn("the canvas is blank or the ink too faint")
    if ink.sum() < MIN_INK_PIXELS * strongest:
        raise NothingDrawn("too little ink to be a digit")
    return ink, strongest


def bounding_box(ink, strongest):
    """step bbox: rows and columns holding ink of at least a fifth of the strongest."""
    mask = ink * 5 >= strongest
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def mark_boxes(ink, strongest):
    """step marks: the (top, bottom, left, right) boxes of the separate marks of
    bounding_box()'s ink (its pixels touching, diagonals included), found row by row as
    runs joined to the runs they touch in the row above; None past MAX_RUNS runs or
    MAX_MARKS marks (speckle, read whole).
    """
    edges = np.diff(np.pad(ink * 5 >= strongest, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, lefts = np.nonzero(edges == 1)
    rights = np.nonzero(edges == -1)[1]  # row by row, as the starts: each run's end
    if len(rows) > MAX_RUNS:
        return None
    runs = list(zip(rows.tolist(), lefts.tolist(), rights.tolist()))  # (y, left, right), right exclusive
    parent = list(range(len(runs)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    above = row = first = 0  # where the row above and this row start in runs
    for i, (y, left, right) in enumerate(runs):
        if y != runs[row][0]:  # a new row: the last one is above it only if next to it
            above = row if y == runs[row][0] + 1 else i
            row, first = i, above
        while first < row and runs[first][2] < left:
            first += 1
        j = first
        while j < row and runs[j][1] <= right:
            parent[root(i)] = root(j)
            j += 1
    boxes = {}
    for i, (y, left, right) in enumerate(runs):
        top, bottom, low, high = boxes.get(root(i), (y, y + 1, left, right))
        boxes[root(i)] = (top, y + 1, min(low, left), max(high, right))
        if len(boxes) > MAX_MARKS:
            return None
    return list(boxes.values())


def joined_to_largest(boxes):
    """The stray-tap rule on (top, bottom, left, right) boxes, of strokes or of marks:
    which of them make the digit. The digit grows from the box with the longest side (the
    scale): a box joins it when its longer side is more than STRAY_SIZE of that, or it lies
    within STRAY_GAP of it from the box of what has joined so far, until none joins. With
    fewer than two boxes, or none with any size (dots alone), all are kept.

    ref: www/js/pad.js withoutStrayTaps(), wasm/src/preprocess.cpp digit_box()
    """
    sizes = [max(bottom - top, right - left) for top, bottom, left, right in boxes]
    if len(boxes) < 2 or max(sizes) == 0:
        return [True] * len(boxes)
    seed = sizes.index(max(sizes))
    scale = sizes[seed]
    joined = [i == seed for i in range(len(boxes))]
    top, bottom, left, right = boxes[seed]
    grew = True
    while grew:
        grew = False
        for i, (b_top, b_bottom, b_left, b_right) in enumerate(boxes):
            if joined[i]:
                continue
            gap = max(0, left - b_right, b_left - right, top - b_bottom, b_top - bottom)
            if sizes[i] > STRAY_SIZE * scale or gap < STRAY_GAP * scale:
                joined[i] = grew = True
                top, bottom = min(top, b_top), max(bottom, b_bottom)
                left, right = min(left, b_left), max(right, b_right)
    return joined


def digit_box(ink, strongest):
    """step digit: the box of the marks that make the digit (joined_to_largest), stray
    taps far from it left out. A mark left out lies outside the box, so the steps after it
    never see it.
    """
    marks = mark_boxes(ink, strongest)
    if marks is None:
        return bounding_box(ink, strongest)
    kept = [mark for mark, joined in zip(marks, joined_to_largest(marks)) if joined]
    return (min(m[0] for m in kept), max(m[1] for m in kept), min(m[2] for m in kept), max(m[3] for m in kept))


def box_scale(height, width):
    """step fit: field pixels per canvas pixel, so that the longer side becomes BOX."""
    return BOX / max(height, width)


def centre_of_mass(crop):
    """step centre: the ink's centre of mass in the crop, pixel i spanning [i, i+1)."""
    total = crop.sum()
    ys, xs = np.indices(crop.shape)
    return ((ys + 0.5) * crop).sum() / total, ((xs + 0.5) * crop).sum() / total


def placement(com, scale):
    """step place: where the crop's first pixel edge goes in the field.

    The centre of mass lands on field index FIELD/2 (the middle of pixel 14, at 14.5),
    where MNIST's own training digits have it on average. Sub-pixel: no rounding, so a
    drawing moved or scaled by a fraction of a pixel gives a nearly identical image.
    """
    return FIELD / 2 + 0.5 - com * scale


def area_weights(source, scale, start):
    """step area: weights[o, i] is how much of field pixel o canvas pixel i covers.

    Canvas pixel i spans [start + i*scale, start + (i+1)*scale) in field coordinates; a
    field pixel's value is the ink averaged over its area (anti-aliased, area-exact).
    """
    i = np.arange(source)
    low, high = start + i * scale, start + (i + 1) * scale
    o = np.arange(FIELD)[:, None]
    # The same min/max expression as one pixel pair at a time (the C++ loops), evaluated
    # for every pair at once and kept where the canvas pixel reaches the field pixel.
    overlap = np.minimum(high, o + 1) - np.maximum(low, o)
    inside = (o >= np.maximum(0, np.floor(low))) & (o < np.minimum(FIELD, np.ceil(high)))
    return np.where(inside, overlap, 0.0)


def preprocess(rgba):
    """RGBA canvas -> 28x28 uint8 image (0 background, 255 ink). Raises NothingDrawn."""
    return preprocess_darkness(darkness(rgba))


def preprocess_darkness(dark, leave_out_strays=True):
    """The steps after darkness: for a canvas already reduced to 0..255 darkness values.
    leave_out_strays=False reads every mark, as the app did before digit_box (for
    stray_taps.py's comparison).
    """
    ink, strongest = ink_map(dark)
    top, bottom, left, right = (digit_box if leave_out_strays else bounding_box)(ink, strongest)
    crop = ink[top:bottom, left:right].astype(np.float64)
    crop /= crop.max()  # the digit's own strongest ink, so that a darker tap left out does not dim it
    scale = box_scale(bottom - top, right - left)
    com_y, com_x = centre_of_mass(crop)
    rows = area_weights(bottom - top, scale, placement(com_y, scale))
    cols = area_weights(right - left, scale, placement(com_x, scale))
    field = INK_PEAK * (rows @ crop @ cols.T)
    return np.floor(np.clip(field, 0, 1) * 255 + 0.5).astype(np.uint8)


def normalise(image, mean, std):
    """step normalise: the model input, as in train.py's to_tensor."""
    return (image.astype(np.float32) / 255.0 - mean) / std
