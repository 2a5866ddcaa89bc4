"""model/train.py: which MNIST images of a batch are augmented (--clean-share), which
writers are held out.

    python3 -m unittest discover -s tests/model

Needs PyTorch (scripts/install-deps.sh --train); without it the tests are skipped, as
on a machine that only runs the app.
"""
import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "model"))
try:
    import torch
    import train
    from augment import augment
except ImportError:
    torch = None


@unittest.skipIf(torch is None, "needs PyTorch")
class MnistBatchTest(unittest.TestCase):
    def setUp(self):
        self.images = torch.rand(40, 1, 28, 28, generator=torch.Generator().manual_seed(1))
        self.index = torch.randperm(40, generator=torch.Generator().manual_seed(2))[:12]

    def test_without_a_clean_share_the_batch_is_augmented_as_before(self):
        batch = train.mnist_batch(self.images, self.index, 0.0, torch.Generator().manual_seed(3))
        expected = augment(self.images[self.index], torch.Generator().manual_seed(3))
        self.assertTrue(torch.equal(batch, expected))

    def test_the_clean_share_is_left_as_it_is_and_the_rest_augmented(self):
        batch = train.mnist_batch(self.images, self.index, 0.25, torch.Generator().manual_seed(3))
        self.assertEqual(batch.shape, (12, 1, 28, 28))
        self.assertTrue(torch.equal(batch[:3], self.images[self.index[:3]]))
        rest = self.images[self.index[3:]]
        self.assertTrue(torch.equal(batch[3:], augment(rest, torch.Generator().manual_seed(3))))
        self.assertFalse(torch.equal(batch[3:], rest))

    def test_a_share_outside_zero_to_one_is_refused(self):
        self.assertEqual(train.share("0.5"), 0.5)
        for text in ("-0.1", "1.5"):
            with self.assertRaises(argparse.ArgumentTypeError):
                train.share(text)

    def test_the_shipped_file_holds_no_writer_out_and_a_split_holds_its_six(self):
        self.assertEqual(train.writer_list("none"), ())
        self.assertEqual(train.writer_list("28,1,8"), (1, 8, 28))
        with self.assertRaises(ValueError):
            train.writer_list("1,x")


if __name__ == "__main__":
    unittest.main()
