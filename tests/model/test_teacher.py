"""model/teacher.py: a model file run in PyTorch answers as the exporter's PyTorch model did,
and the distillation loss measures the distance between two answers.

    python3 -m unittest discover -s tests/model

Needs PyTorch and ONNX (scripts/install-deps.sh --train); skipped where they are missing,
as on a machine that only builds and tests the app.
"""
import gzip
import os
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "model"))
from mnist_idx import read_idx  # noqa: E402

try:
    import torch
    from teacher import Teacher, distillation_loss
except ImportError:  # the app's tests run without the training packages
    torch = None

SHIPPED = os.path.join(ROOT, "model", "mnist.onnx")
IMAGES = os.path.join(ROOT, "tests", "fixtures", "mnist", "t10k-images-idx3-ubyte.gz")
# export.py's PyTorch probabilities for the same file, on the 10,000 test images.
REFERENCE = os.path.join(ROOT, "model", "fixtures", "torch_probabilities.f32.gz")


@unittest.skipIf(torch is None, "needs python3-torch and python3-onnx (scripts/install-deps.sh --train)")
class TeacherTest(unittest.TestCase):
    def test_the_shipped_file_answers_as_pytorch_did_at_export(self):
        count = 500
        images = torch.from_numpy(read_idx(IMAGES)[:count].astype(np.float32) / 255).unsqueeze(1)
        with gzip.open(REFERENCE) as f:
            reference = np.frombuffer(f.read(), dtype=np.float32).reshape(-1, 10)[:count]
        probabilities = torch.softmax(Teacher(SHIPPED).logits(images), dim=1).numpy()
        # Float32 sums in another order than the exporter's: a few ulps of a probability.
        np.testing.assert_allclose(probabilities, reference, atol=1e-5)
        self.assertTrue((probabilities.argmax(1) == reference.argmax(1)).all())

    def test_an_operator_it_cannot_run_is_named(self):
        import onnx
        from onnx import TensorProto, helper
        graph = helper.make_graph([helper.make_node("Tanh", ["input"], ["output"])], "g",
                                  [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 28, 28])],
                                  [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, 28, 28])])
        model = helper.make_model(graph)
        for key, value in (("norm_mean", "0.13"), ("norm_std", "0.31")):
            entry = model.metadata_props.add()
            entry.key, entry.value = key, value
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "tanh.onnx")
            onnx.save(model, path)
            with self.assertRaisesRegex(ValueError, "cannot run Tanh"):
                Teacher(path)


@unittest.skipIf(torch is None, "needs python3-torch (scripts/install-deps.sh --train)")
class DistillationLossTest(unittest.TestCase):
    def test_zero_when_the_answers_agree_and_positive_when_not(self):
        logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 3.0, 1.0]])
        self.assertAlmostEqual(distillation_loss(logits, logits, 2.0).item(), 0.0, places=6)
        self.assertGreater(distillation_loss(logits, logits.flip(1), 2.0).item(), 0.1)

    def test_equals_the_kl_divergence_of_the_softened_answers_times_t_squared(self):
        student, teacher, t = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]]), 4.0
        p = torch.softmax(teacher / t, dim=1)[0]
        q = torch.softmax(student / t, dim=1)[0]
        expected = float((p * (p / q).log()).sum()) * t * t
        self.assertAlmostEqual(distillation_loss(student, teacher, t).item(), expected, places=5)


if __name__ == "__main__":
    unittest.main()
