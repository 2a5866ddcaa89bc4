"""model/preprocess.py: the marks a canvas's ink makes, and which of them are the digit.

    python3 -m unittest discover -s tests/model
"""
import os
import sys
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "model"))
import preprocess  # noqa: E402


def flood_fill_boxes(mask):
    """The boxes of the mask's 8-connected regions, found the slow, obvious way."""
    height, width = mask.shape
    seen = np.zeros_like(mask, dtype=bool)
    boxes = []
    for y in range(height):
        for x in range(width):
            if not mask[y, x] or seen[y, x]:
                continue
            seen[y, x] = True
            stack, box = [(y, x)], [y, y + 1, x, x + 1]
            while stack:
                cy, cx = stack.pop()
                box = [min(box[0], cy), max(box[1], cy + 1), min(box[2], cx), max(box[3], cx + 1)]
                for ny in range(max(0, cy - 1), min(height, cy + 2)):
                    for nx in range(max(0, cx - 1), min(width, cx + 2)):
                        if mask[ny, nx] and not seen[ny, nx]:
                            seen[ny, nx] = True
                            stack.append((ny, nx))
            boxes.append(tuple(box))
    return sorted(boxes)


class MarkBoxes(unittest.TestCase):
    def test_runs_joined_row_by_row_find_what_a_flood_fill_finds(self):
        rng = np.random.default_rng(20261208)
        for _ in range(300):
            shape = rng.integers(1, 40, 2)
            mask = rng.random(shape) < rng.uniform(0.05, 0.6)
            ink = mask.astype(np.int64) * 200
            self.assertEqual(sorted(preprocess.mark_boxes(ink, 200)), flood_fill_boxes(mask))

    def test_faint_ink_is_not_a_mark(self):
        ink = np.zeros((5, 5), dtype=np.int64)
        ink[1, 1], ink[3, 3] = 200, 39  # 39 is under a fifth of the strongest
        self.assertEqual(preprocess.mark_boxes(ink, 200), [(1, 2, 1, 2)])

    def test_too_many_marks_are_read_whole(self):
        ink = np.zeros((40, 40), dtype=np.int64)
        ink[::2, ::2] = 200  # 400 separate dots
        self.assertIsNone(preprocess.mark_boxes(ink, 200))
        self.assertEqual(preprocess.digit_box(ink, 200), preprocess.bounding_box(ink, 200))


class DigitBox(unittest.TestCase):
    def test_a_small_mark_far_away_is_left_out_and_one_near_is_kept(self):
        ink = np.zeros((100, 100), dtype=np.int64)
        ink[10:50, 20:24] = 200   # the digit: a bar 40 tall
        ink[90:92, 90:92] = 200   # a tap far from it
        self.assertEqual(preprocess.digit_box(ink, 200), (10, 50, 20, 24))
        ink[30:32, 30:32] = 200   # a dot 6 pixels from the bar (under 35% of 40): read
        self.assertEqual(preprocess.digit_box(ink, 200), (10, 50, 20, 32))

    def test_a_mark_more_than_a_quarter_of_the_largest_is_kept_however_far(self):
        ink = np.zeros((100, 100), dtype=np.int64)
        ink[10:50, 20:24] = 200
        ink[80:91, 90:92] = 200   # 11 tall: more than a quarter of 40
        self.assertEqual(preprocess.digit_box(ink, 200), (10, 91, 20, 92))


if __name__ == "__main__":
    unittest.main()
