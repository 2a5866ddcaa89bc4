"""A trained model file as a frozen PyTorch function, for distillation (train.py --teacher).

The MNIST-only model this app shipped first (git show 30f6c41:model/mnist.onnx, 99.60%
of MNIST) reads MNIST better than any model that also learns the pen writers' styles;
its answers on the MNIST half of a batch tell the new model where MNIST's boundaries
lie. Runs the plain operators of this project's model files: Conv, Relu, MaxPool,
Flatten, Gemm, DequantizeLinear, and takes the input of the final Softmax as logits.
"""
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _dequantize(values, attrs):
    q, scale = values[0].float(), values[1]
    zero = values[2].float() if len(values) > 2 else torch.zeros_like(scale)
    if scale.dim() == 0:
        return (q - zero) * scale
    shape = [1] * q.dim()
    shape[attrs.get("axis", 1)] = -1
    return (q - zero.view(shape)) * scale.view(shape)


def _conv(values, attrs):
    pads = attrs.get("pads", [0, 0, 0, 0])
    if pads[0] != pads[2] or pads[1] != pads[3]:
        raise ValueError("teacher: asymmetric Conv padding is not supported")
    return F.conv2d(values[0], values[1], values[2] if len(values) > 2 else None,
                    stride=attrs.get("strides", [1, 1]), padding=pads[:2])


def _gemm(values, attrs):
    a, b = values[0], values[1]
    a = a.t() if attrs.get("transA", 0) else a
    b = b.t() if attrs.get("transB", 0) else b
    out = attrs.get("alpha", 1.0) * (a @ b)
    return out + attrs.get("beta", 1.0) * values[2] if len(values) > 2 else out


OPERATORS = {
    "Conv": _conv,
    "Relu": lambda v, a: F.relu(v[0]),
    "MaxPool": lambda v, a: F.max_pool2d(v[0], a["kernel_shape"], a.get("strides", a["kernel_shape"])),
    "Flatten": lambda v, a: torch.flatten(v[0], a.get("axis", 1)),
    "Gemm": _gemm,
    "DequantizeLinear": _dequantize,
}


def distillation_loss(student_logits, teacher_logits, temperature):
    """Hinton et al. (2015): the KL divergence between the two softened answers, times T^2
    so that its gradients keep the cross-entropy's size whatever the temperature."""
    log_student = F.log_softmax(student_logits / temperature, dim=1)
    teacher = F.softmax(teacher_logits / temperature, dim=1)
    return F.kl_div(log_student, teacher, reduction="batchmean") * temperature ** 2


class Teacher:
    def __init__(self, path):
        model = onnx.load(path)
        self.constants = {t.name: torch.from_numpy(np.array(numpy_helper.to_array(t))) for t in model.graph.initializer}
        self.nodes = list(model.graph.node)
        self.input = model.graph.input[0].name
        meta = {p.key: p.value for p in model.metadata_props}
        self.mean, self.std = float(meta["norm_mean"]), float(meta["norm_std"])
        self.version = meta.get("model_version", path)
        unknown = {n.op_type for n in self.nodes} - set(OPERATORS) - {"Softmax"}
        if unknown:
            raise ValueError(f"{path}: the teacher cannot run {', '.join(sorted(unknown))}")

    @torch.no_grad()
    def logits(self, unit_images):
        """unit_images: [N,1,28,28] in [0,1], normalised here with the teacher's own statistics."""
        values = dict(self.constants)
        values[self.input] = (unit_images - self.mean) / self.std
        for node in self.nodes:
            if node.op_type == "Softmax":
                return values[node.input[0]]
            inputs = [values[name] for name in node.input if name]
            values[node.output[0]] = OPERATORS[node.op_type](inputs, _attributes(node))
        raise ValueError("teacher: the graph ends without a Softmax")
