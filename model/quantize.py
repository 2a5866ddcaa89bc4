"""Stores a float ONNX model's weights as int8 with one scale per output channel.

Each Conv and Gemm weight W (float32, output channels first) becomes three
initializers, W_quantized (int8), W_scale (float32, one per output channel) and a
DequantizeLinear node (axis 0) that gives W back as float32. Standard ONNX (opset 13):
the app's engine dequantizes once when it prepares the model, ONNX Runtime does the
same, and both then compute in float32 as before. Biases stay float32: they are few,
and rounding them would shift every activation of their channel.

Symmetric, zero point 0: scale = max|W[c]| / levels, q = round(W / scale), so q stays
within +-levels. The file is int8 either way, but fewer distinct values compress better
under gzip, and the download is the budget that limits the model's parameters. The first
layer (it sees the raw pixels) and the last (its rounding moves the logits directly) keep
+-127; the others, 99% of the weights, +-31. Measured on the weights of
digitnet-20261203-6b757a1a (the recipe before drawings were marked by their ink),
through the app's engine (held-out writers at 40/70/90% of the pad, MNIST test set, the
file gzipped):

    +-127 everywhere                99.60 / 99.67 / 99.40%   99.19%   241 KB
    +-31 everywhere                 99.73 / 99.67 / 99.60%   99.09%   184 KB
    +-31, first and last +-127      99.60 / 99.67 / 99.60%   99.16%   185 KB

The coarser middle layers cost nothing measurable; coarser first and last layers cost 7
more MNIST images for less than 1 KB.

    quantize_array(weights, levels)     # -> int8 array, float32 scales per output channel
    levels_by_weight(names)             # the weights' names in graph order -> their levels
    quantize(model)                     # the onnx.ModelProto, in place
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

SUFFIX_Q, SUFFIX_SCALE = "_quantized", "_scale"
FINE_LEVELS, COARSE_LEVELS = 127, 31


def levels_by_weight(names):
    """names: every quantized weight, first layer first -> {name: levels}."""
    names = list(names)
    return {name: FINE_LEVELS if i in (0, len(names) - 1) else COARSE_LEVELS for i, name in enumerate(names)}


def quantize_array(weights, levels):
    """float32 [C, ...] -> (int8 [C, ...] within +-levels, float32 scales [C])."""
    flat = weights.reshape(weights.shape[0], -1).astype(np.float32)
    largest = np.abs(flat).max(axis=1)
    scale = np.where(largest > 0, largest / levels, 1.0).astype(np.float32)
    q = np.clip(np.rint(flat / scale[:, None]), -levels, levels).astype(np.int8)
    return q.reshape(weights.shape), scale


def dequantize_array(q, scale):
    """What DequantizeLinear gives: float32 (q - 0) * scale, per output channel."""
    shape = (-1,) + (1,) * (q.ndim - 1)
    return q.astype(np.float32) * scale.reshape(shape)


def weight_names(model):
    """The second input of every Conv and Gemm, in graph order: the weights worth storing as int8."""
    return [node.input[1] for node in model.graph.node if node.op_type in ("Conv", "Gemm")]


def quantize(model):
    """Replaces every Conv and Gemm weight initializer with int8 + scale + DequantizeLinear."""
    levels = levels_by_weight(weight_names(model))
    names = set(levels)
    for node in model.graph.node:
        if node.op_type == "Gemm" and node.input[1] in names:
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            if trans_b != 1:  # axis 0 must be the output channel
                raise ValueError(f"Gemm {node.name}: weights must be [out, in] (transB=1) to quantize per channel")
    kept, dequantize_nodes = [], []
    for tensor in model.graph.initializer:
        if tensor.name not in names:
            kept.append(tensor)
            continue
        q, scale = quantize_array(numpy_helper.to_array(tensor), levels[tensor.name])
        kept.append(numpy_helper.from_array(q, tensor.name + SUFFIX_Q))
        kept.append(numpy_helper.from_array(scale, tensor.name + SUFFIX_SCALE))
        dequantize_nodes.append(helper.make_node("DequantizeLinear", [tensor.name + SUFFIX_Q, tensor.name + SUFFIX_SCALE],
                                                 [tensor.name], name=tensor.name + "_dequantize", axis=0))
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    nodes = dequantize_nodes + list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    # Initializers listed as graph inputs (old exporters) would now name removed tensors.
    inputs = [i for i in model.graph.input if i.name not in names]
    del model.graph.input[:]
    model.graph.input.extend(inputs)
    onnx.checker.check_model(model)
    return model
