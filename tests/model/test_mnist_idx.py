"""model/mnist_idx.py: the IDX files MNIST comes in and the server's feedback export uses.

    python3 -m unittest discover -s tests/model
"""
import gzip
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "model"))
import mnist_idx  # noqa: E402


class IdxTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.folder)

    def path(self, name):
        return os.path.join(self.folder, name)

    def test_round_trip_plain_and_gzip(self):
        images = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
        for name in ("a-images-idx3-ubyte", "b-images-idx3-ubyte.gz"):
            mnist_idx.write_idx(self.path(name), images)
            np.testing.assert_array_equal(mnist_idx.read_idx(self.path(name)), images)

    def test_the_committed_test_set_reads_as_mnist(self):
        folder = os.path.join(HERE, "..", "fixtures", "mnist")
        images = mnist_idx.read_idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz"))
        labels = mnist_idx.read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"))
        self.assertEqual(images.shape, (10000, 28, 28))
        self.assertEqual(np.bincount(labels).tolist(), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])

    def test_feedback_export_is_added_to_training(self):
        # The names and layout digits-server export-feedback writes.
        images = np.full((4, 28, 28), 200, dtype=np.uint8)
        images[3, 5, 5] = 255  # logged before drawings were stored at INK_PEAK
        mnist_idx.write_idx(self.path("feedback-images-idx3-ubyte.gz"), images)
        mnist_idx.write_idx(self.path("feedback-labels-idx1-ubyte.gz"), np.array([1, 2, 3, 9], dtype=np.uint8))
        x, y = mnist_idx.load_extra(self.folder)
        self.assertEqual(x.shape, (4, 28, 28))
        self.assertEqual(y.tolist(), [1, 2, 3, 9])
        np.testing.assert_array_equal(x[:3], images[:3])
        self.assertEqual((x[3, 5, 5], x[3, 0, 0]), (204, 160))

    def test_malformed_files_are_refused_with_a_reason(self):
        with gzip.open(self.path("short.gz"), "wb") as f:
            f.write(b"\x00\x00\x08\x01\x00\x00\x00\x09abc")
        with self.assertRaisesRegex(ValueError, "header promises 9 values, file holds 3"):
            mnist_idx.read_idx(self.path("short.gz"))
        with open(self.path("float"), "wb") as f:
            f.write(b"\x00\x00\x0d\x01\x00\x00\x00\x01\x00\x00\x00\x00")
        with self.assertRaisesRegex(ValueError, "not an unsigned-byte IDX file"):
            mnist_idx.read_idx(self.path("float"))
        mnist_idx.write_idx(self.path("bad-images-idx3-ubyte"), np.zeros((2, 28, 28), dtype=np.uint8))
        mnist_idx.write_idx(self.path("bad-labels-idx1-ubyte"), np.array([1, 12], dtype=np.uint8))
        with self.assertRaisesRegex(ValueError, "labels 0-9"):
            mnist_idx.load_extra(self.folder)


if __name__ == "__main__":
    unittest.main()
