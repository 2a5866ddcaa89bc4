"""model/render.py's zoom for the model: one size, whatever size the digit was drawn at.

    python3 -m unittest discover -s tests/model
"""
import os
import sys
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "model"))
from drawings import _INK_DARKNESS, as_written, canvas_image, load_drawings, pad_strokes  # noqa: E402
from preprocess import preprocess_darkness  # noqa: E402
from render import MAX_ZOOM, MODEL_FILL, model_strokes, render_alpha, without_stray_taps  # noqa: E402

# A 2 in tablet units, as a writer's box holds it (500 units square).
TWO = [[[180, 150], [220, 120], [280, 125], [300, 170], [270, 230], [190, 320], [310, 320]]]


def bounds(strokes):
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    return float((high - low).max()), (low + high) / 2


class ModelStrokesTest(unittest.TestCase):
    def test_any_size_and_place_becomes_one_size_in_the_middle(self):
        for fill, centre in ((0.15, (0.2, 0.8)), (0.4, (0.5, 0.5)), (0.95, (0.5, 0.5))):
            extent, middle = bounds(model_strokes(pad_strokes(TWO, fill, centre)))
            self.assertAlmostEqual(extent, MODEL_FILL, places=12)
            np.testing.assert_allclose(middle, [0.5, 0.5], atol=1e-12)

    def test_a_speck_is_zoomed_at_most_max_zoom_times(self):
        speck = [np.array([[0.9, 0.1], [0.9, 0.11]])]
        extent, middle = bounds(model_strokes(speck))
        self.assertAlmostEqual(extent, 0.01 * MAX_ZOOM, places=12)
        np.testing.assert_allclose(middle, [0.5, 0.5], atol=1e-12)
        dot = model_strokes([np.array([[0.3, 0.3]])])
        np.testing.assert_allclose(dot[0], [[0.5, 0.5]])
        self.assertEqual(model_strokes([]), [])

    def test_a_small_drawing_reaches_the_model_as_a_large_one_does(self):
        small, large = canvas_image(pad_strokes(TWO, 0.2)), canvas_image(pad_strokes(TWO, 0.9))
        self.assertLess(np.abs(small.astype(int) - large).mean(), 3.0)
        # Painted at the pad's scale instead, the small one's line is 4.5 times as thick.
        unzoomed = preprocess_darkness(_INK_DARKNESS[render_alpha(pad_strokes(TWO, 0.2))])
        self.assertGreater(np.abs(unzoomed.astype(int) - large).mean(), 20.0)

    def test_as_written_keeps_the_writers_size_and_place(self):
        extent, middle = bounds(as_written(TWO))
        self.assertAlmostEqual(extent, 200 / 500)
        np.testing.assert_allclose(middle, [245 / 500, 220 / 500])


class StrayTapsTest(unittest.TestCase):
    ONE = np.array([[0.45, 0.4], [0.47, 0.6]])  # a 1 drawn at a fifth of the pad

    def kept(self, strokes):
        kept = without_stray_taps(strokes)
        return [next(i for i, s in enumerate(strokes) if s is k) for k in kept]

    def test_a_tap_far_from_the_digit_is_not_read(self):
        tap = np.array([[0.95, 0.95]])
        self.assertEqual(self.kept([self.ONE, tap]), [0])
        self.assertEqual(self.kept([tap, self.ONE]), [1])
        smear = np.array([[0.05, 0.9], [0.08, 0.91]])
        self.assertEqual(self.kept([np.array([[0.03, 0.03]]), self.ONE, smear]), [1])
        # The digit reaches the model as if the taps were never made.
        np.testing.assert_array_equal(canvas_image([self.ONE, tap]), canvas_image([self.ONE]))

    def test_small_strokes_near_the_digit_and_long_ones_anywhere_are_read(self):
        dot_above = np.array([[0.46, 0.35]])        # 0.05 away: an i-like 1
        self.assertEqual(self.kept([self.ONE, dot_above]), [0, 1])
        bar = np.array([[0.1, 0.1], [0.16, 0.1]])    # far, but longer than STRAY_SIZE of the 1
        self.assertEqual(self.kept([self.ONE, bar]), [0, 1])
        # A chain: each tap within reach of what joined before it.
        chain = [self.ONE, np.array([[0.46, 0.66]]), np.array([[0.46, 0.72]])]
        self.assertEqual(self.kept(chain), [0, 1, 2])

    def test_dots_alone_and_single_strokes_are_kept(self):
        dots = [np.array([[0.2, 0.2]]), np.array([[0.8, 0.8]])]
        self.assertEqual(self.kept(dots), [0, 1])
        self.assertEqual(self.kept([self.ONE]), [0])
        self.assertEqual(without_stray_taps([]), [])

    def test_of_the_training_drawings_only_a_mark_far_from_a_0_is_left_out(self):
        changed = [(d["writer"], d["sample"], len(d["strokes"]) - len(without_stray_taps(d["strokes"])))
                   for d in load_drawings() if len(without_stray_taps(d["strokes"])) != len(d["strokes"])]
        self.assertEqual(changed, [(29, 30, 1)])


if __name__ == "__main__":
    unittest.main()
