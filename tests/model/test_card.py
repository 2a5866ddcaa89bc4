"""model/card.py: the model card says whose drawings its figures are of.

    python3 -m unittest discover -s tests/model
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "model"))
try:
    import card
except ImportError:  # matplotlib comes with the training packages
    card = None


def reading(errors, writers):
    """Figures at 40/70/90% of the pad: `errors` 3s read as 8 among 100 of each digit."""
    confusion = [[100 if i == j else 0 for j in range(10)] for i in range(10)]
    confusion[3][3], confusion[3][8] = 100 - errors, errors
    figures = {"images": 1000, "errors": errors, "accuracy": (1000 - errors) / 1000, "confusion": confusion,
               "per_digit": [1.0] * 3 + [(100 - errors) / 100] + [1.0] * 6,
               "per_writer": {str(w): 1.0 - 0.01 * (w == writers[0]) for w in writers}}
    return {fill: dict(figures) for fill in ("40", "70", "90")}


def pooled(version):
    taught = {"errors": 1.0, "left": 0.5, "unseen": 0.5, "writers_worse": 0, "worst_change": 0.0}
    held = reading(2, [1, 2])
    for figures in held.values():
        figures["per_split"] = [0.998]
    return {"model_version": version, "splits": [[1, 2]], "mnist": [0.995], "held_out": held,
            "memory": {fill: {"corrections": taught, "all": taught} for fill in held}}


EVALUATION = {"held_out_writers": [1, 2], "held_out": reading(1, [1, 2])}


@unittest.skipIf(card is None, "needs matplotlib")
class DrawingsSectionTest(unittest.TestCase):
    def test_a_file_trained_on_every_writer_is_measured_by_its_recipe(self):
        text = card.drawings_section(EVALUATION, {"model_version": "v2", "held_out_writers": []}, pooled("v2"))
        self.assertIn("learned from all 30 writers", text)
        self.assertIn("**99.80%** (2 errors in 1,000)", text)
        self.assertIn("which it learned from, so this checks the file and the pipeline, not new people", text)
        self.assertNotIn("earlier recipe", text)

    def test_a_file_that_held_split_0_out_says_it_never_saw_them(self):
        text = card.drawings_section(EVALUATION, {"model_version": "v2", "held_out_writers": [2, 1]}, pooled("v2"))
        self.assertIn("learned from 28 writers", text)
        self.assertIn("(1, 2), which it never saw", text)

    def test_figures_of_another_recipe_are_labelled_so(self):
        text = card.drawings_section(EVALUATION, {"model_version": "v3", "held_out_writers": []}, pooled("v2"))
        self.assertIn("**These figures are of an earlier recipe**, the one that trained v2", text)

    def test_without_cross_validation_the_card_says_so(self):
        text = card.drawings_section(EVALUATION, {"model_version": "v2", "held_out_writers": []}, None)
        self.assertIn("has not been cross-validated by writer yet", text)
        self.assertIn("99.90% (1 error in 1,000)", text)

    def test_figures_say_whether_the_drawings_were_zoomed_for_the_model(self):
        zoomed = dict(pooled("v2"), model_size=0.9)
        self.assertIn("zoomed for the model as the pad does (as if drawn across 90% of the pad)",
                      card.drawings_section(EVALUATION, {"model_version": "v2"}, zoomed))
        self.assertIn("painted at the pad's own scale and preprocessed, as the app gave drawings to the model before",
                      card.drawings_section(EVALUATION, {"model_version": "v2"}, pooled("v2")))


@unittest.skipIf(card is None, "needs matplotlib")
class SizesSectionTest(unittest.TestCase):
    def test_zoomed_and_unzoomed_errors_side_by_side(self):
        sizes = {"model_size": 0.9, "splits": [0, 1], "drawings": 3000,
                 "errors": {"zoomed": {"written": 12, "20": 15}, "as_drawn": {"written": 30, "20": 300}}}
        text = card.sizes_section(sizes)
        self.assertIn("| as written | **99.60% (12 errors)** | 99.00% (30 errors) |", text)
        self.assertIn("| 20% of the pad, centred | **99.50% (15 errors)** | 90.00% (300 errors) |", text)
        self.assertIn("3,000 drawings by the writers of splits 0 and 1,", text)

    def test_not_measured_says_how_to_measure(self):
        self.assertIn("python3 model/sizes.py", card.sizes_section(None))


@unittest.skipIf(card is None, "needs matplotlib")
class PageSectionTest(unittest.TestCase):
    SIZES = {"per_split": {"1": {"zoomed": {"written": 4, "70": 3}}}}

    def run_of(self, writers, fill=None, errors=()):
        return {"model": "m.onnx", "writers": writers, "input": "touch", "engine": "ort", "fill": fill,
                "drawings": 1499, "seconds": 60, "errors": list(errors)}

    def test_each_run_beside_the_same_split_through_the_renderer(self):
        wrong = [{"writer": 4, "sample": 9, "label": 2, "read": 7}, {"writer": 5, "sample": 3, "label": 1, "read": None}]
        text = card.page_section([self.run_of([27, 21, 16, 12, 5, 4], errors=wrong),
                                  self.run_of([4, 5, 12, 16, 21, 27], fill="0.7")], self.SIZES)
        self.assertIn("| 1 | touch | ort | as written | 1,499 | **2** | 4 | writer 4's 2 as 7; writer 5's 1 as nothing |",
                      text)
        self.assertIn("| 1 | touch | ort | 70% of the pad | 1,499 | **0** | 3 | none |", text)

    def test_writers_of_no_split_and_splits_not_measured_say_so(self):
        text = card.page_section([self.run_of([1, 2]), self.run_of([1, 8, 11, 15, 18, 28])], self.SIZES)
        self.assertIn("| other writers | touch | ort | as written | 1,499 | **0** | not measured | none |", text)
        self.assertIn("| 0 | touch | ort | as written | 1,499 | **0** | not measured | none |", text)

    def test_rows_by_split_and_every_writer_pooled_once_all_splits_are_drawn(self):
        mouse = lambda writers, wrong=0: dict(self.run_of(writers, errors=[{"writer": writers[0], "sample": 1,
                                                                           "label": 3, "read": 5}] * wrong),
                                              input="mouse", engine="native")
        sizes = {"per_split": {str(k): {"zoomed": {"written": k}} for k in range(5)}}
        runs = [mouse(list(card.SPLITS[k]), wrong=k % 2) for k in (4, 2, 0, 3)]
        text = card.page_section(runs, sizes)
        self.assertLess(text.index("| 0 | mouse"), text.index("| 2 | mouse"))
        self.assertLess(text.index("| 3 | mouse"), text.index("| 4 | mouse"))
        self.assertNotIn("All 5 splits", text)
        text = card.page_section(runs + [mouse(list(card.SPLITS[1]))], sizes)
        self.assertIn("**1 error in 7,495 drawings (99.99%)** on the page, against 10 through render.py.", text)

    def test_not_measured_says_how_to_measure(self):
        self.assertIn("node bench/page_drawings.mjs --record", card.page_section(None, None))


if __name__ == "__main__":
    unittest.main()
