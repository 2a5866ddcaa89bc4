"""Stores a float ONNX model's weights as int8 with one scale per output channel.

Each Conv and Gemm weight W (float32, output channels first) becomes three
initializers, W_quantized (int8), W_scale (float32, one per output channel) and a
DequantizeLinear node (axis 0) that gives W back as float32. Standard ONNX (opset 13):
the app's engine dequantizes once when it prepares the model, ONNX Runtime does the
same, and both then compute in float32 as before. Biases stay float32: they are few,
and rounding them would shift every activation of their channel.

Symmetric, zero point 0: scale = max|W[c]| / 127, q = round(W / scale).

    weights = quantized_weights(model)                  # {name: float32 array after rounding}
    quantize(model)                                     # the onnx.ModelProto, in place
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

SUFFIX_Q, SUFFIX_SCALE = "_quantized", "_scale"


def quantize_array(weights):
    """float32 [C, ...] -> (int8 [C, ...], float32 scales [C])."""
    flat = weights.reshape(weights.shape[0], -1).astype(np.float32)
    largest = np.abs(flat).max(axis=1)
    scale = np.where(largest > 0, largest / 127, 1.0).astype(np.float32)
    q = np.clip(np.rint(flat / scale[:, None]), -127, 127).astype(np.int8)
    return q.reshape(weights.shape), scale


def dequantize_array(q, scale):
    """What DequantizeLinear gives: float32 (q - 0) * scale, per output channel."""
    shape = (-1,) + (1,) * (q.ndim - 1)
    return q.astype(np.float32) * scale.reshape(shape)


def weight_names(model):
    """The second input of every Conv and Gemm: the weights worth storing as int8."""
    return {node.input[1] for node in model.graph.node if node.op_type in ("Conv", "Gemm")}


def quantize(model):
    """Replaces every Conv and Gemm weight initializer with int8 + scale + DequantizeLinear."""
    names = weight_names(model)
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
        q, scale = quantize_array(numpy_helper.to_array(tensor))
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
