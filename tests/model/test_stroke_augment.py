"""model/stroke_augment.py: what a narrowed drawing's shape change may and may not do.

    python3 -m unittest discover -s tests/model
"""
import math
import os
import sys
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "model"))
from stroke_augment import ASPECT, SHEAR, _affine, augment_strokes  # noqa: E402


def stretch_and_shear(matrix):
    """The affine is a rotation of [[stretch, shear], [0, 1/stretch]]: a rotation keeps
    lengths, so the x axis's image is `stretch` long and the y axis's sqrt(shear^2 + 1/stretch^2)."""
    stretch = float(np.linalg.norm(matrix[:, 0]))
    shear = math.sqrt(max(float(np.linalg.norm(matrix[:, 1])) ** 2 - 1 / stretch ** 2, 0.0))
    return stretch, shear


class NarrowTest(unittest.TestCase):
    def test_narrow_never_widens_and_halves_the_slant(self):
        rng = np.random.default_rng(7)
        shapes = [stretch_and_shear(_affine(rng, narrow=True)) for _ in range(2000)]
        self.assertLessEqual(max(s for s, _ in shapes), 1.0 + 1e-12)
        self.assertGreater(min(s for s, _ in shapes), math.exp(-ASPECT) - 1e-12)
        self.assertLessEqual(max(h for _, h in shapes), SHEAR / 2 + 1e-9)
        self.assertGreater(max(h for _, h in shapes), SHEAR / 2 * 0.9)  # the range is still used

    def test_others_are_widened_and_slanted_in_full(self):
        rng = np.random.default_rng(7)
        shapes = [stretch_and_shear(_affine(rng, narrow=False)) for _ in range(2000)]
        self.assertGreater(max(s for s, _ in shapes), math.exp(ASPECT) * 0.95)
        self.assertGreater(max(h for _, h in shapes), SHEAR * 0.9)

    def test_the_same_generator_gives_the_same_drawing(self):
        # Training is reproducible only if a drawing depends on nothing but its generator.
        strokes = [[[0, 0], [10, 40], [20, 80]], [[0, 40], [25, 40]]]
        for narrow in (False, True):
            first = augment_strokes(strokes, np.random.default_rng([1, 2, 3]), narrow=narrow)
            again = augment_strokes(strokes, np.random.default_rng([1, 2, 3]), narrow=narrow)
            for a, b in zip(first, again):
                np.testing.assert_array_equal(a, b)


if __name__ == "__main__":
    unittest.main()
