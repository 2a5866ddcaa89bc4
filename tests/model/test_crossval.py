"""model/crossval.py: how the splits' figures become one set of 30 writers.

    python3 -m unittest discover -s tests/model
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "model"))
import crossval  # noqa: E402


def confusion(right, wrong):
    """10x10: `right` of every digit read right, `wrong` 3s read as 8."""
    matrix = [[right if i == j else 0 for j in range(10)] for i in range(10)]
    matrix[3][8] = wrong
    return matrix


def split(writers, right, wrong, per_writer, memory):
    held = {"accuracy": (10 * right) / (10 * right + wrong), "confusion": confusion(right, wrong),
            "per_writer": per_writer}
    return {"writers": writers, "evaluation": {"mnist": {"accuracy": 0.99}, "held_out": {"70": held}},
            "memory": {"70": memory}}


def memory(alone, corrections, every):
    """One writer of 100 drawings per entry: (model alone, learning) accuracies; half of
    the model's errors come before any correction of their digit."""
    return {"corrections": {str(w): {"alone": a, "learning": c, "unseen": (1 - a) / 2, "drawings": 100}
                            for w, (a, c) in enumerate(zip(alone, corrections))},
            "all": {str(w): {"alone": a, "learning": e, "unseen": 0.0, "drawings": 100} for w, (a, e) in
                    enumerate(zip(alone, every))}}


class PoolTest(unittest.TestCase):
    def test_pools_counts_not_averages_of_percentages(self):
        # 2 errors in 102 drawings and 8 in 108: pooled 10 in 210, not the mean of the two rates.
        pooled = crossval.pool([
            split([1], 10, 2, {"1": 0.98}, memory([0.98], [0.99], [1.0])),
            split([2], 10, 8, {"2": 0.926}, memory([0.92], [0.95], [0.93])),
        ])["held_out"]["70"]
        self.assertEqual(pooled["images"], 210)
        self.assertEqual(pooled["errors"], 10)
        self.assertAlmostEqual(pooled["accuracy"], 200 / 210)
        self.assertEqual(pooled["per_writer"], {"1": 0.98, "2": 0.926})
        self.assertAlmostEqual(pooled["per_digit"][3], 20 / 30)
        self.assertEqual(pooled["per_digit"][4], 1.0)

    def test_memory_errors_left_and_the_writers_it_made_worse(self):
        # Three writers of 100: the model alone makes 2 + 8 + 10 errors; corrections leave
        # 1 + 5 + 11 (the third writer 1 point worse); every answer leaves 0 + 7 + 10.
        pooled = crossval.pool([
            split([1], 10, 2, {"1": 0.98}, memory([0.98], [0.99], [1.0])),
            split([2, 3], 10, 8, {"2": 0.92, "3": 0.9}, memory([0.92, 0.9], [0.95, 0.89], [0.93, 0.9])),
        ])["memory"]["70"]
        self.assertAlmostEqual(pooled["corrections"]["model_errors"], 20)
        self.assertAlmostEqual(pooled["corrections"]["errors"], 1 + 5 + 11)
        self.assertAlmostEqual(pooled["corrections"]["left"], 17 / 20)
        self.assertAlmostEqual(pooled["corrections"]["unseen"], 0.5)
        self.assertEqual(pooled["corrections"]["writers_worse"], 1)
        self.assertAlmostEqual(pooled["corrections"]["worst_change"], -0.01)
        self.assertAlmostEqual(pooled["all"]["left"], (0 + 7 + 10) / 20)
        self.assertEqual(pooled["all"]["writers_worse"], 0)

    def test_every_writer_is_in_exactly_one_split(self):
        writers = [w for split_writers in crossval.SPLITS for w in split_writers]
        self.assertEqual(sorted(writers), list(range(1, 31)))


if __name__ == "__main__":
    unittest.main()
