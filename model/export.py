#!/usr/bin/env python3
"""Exports a trained checkpoint to model/mnist.onnx and writes what the tests check it with.

    python3 model/export.py --checkpoint build/model/digitnet.pt --data ../shared/mnist

Writes:
  model/mnist.onnx                          the shipped model (opset 13, BN folded, weights
                                            stored as int8 per output channel, outputs
                                            'probabilities' [N,10] and 'embedding' [N,D])
  model/fixtures/torch_probabilities.f32.gz PyTorch's probabilities on the 10,000 test images,
                                            which the engine must match within 1e-4
  model/fixtures/model_card.json            accuracy, per-digit accuracy, confusion matrix, costs
  tests/fixtures/mnist/t10k-*.gz            the MNIST test set, for the project's own tests
"""
import argparse
import datetime
import gzip
import hashlib
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import FILES, load_mnist  # noqa: E402
from net import EMBEDDING_SIZE, LAYERS, DigitNet, InferenceNet  # noqa: E402
from quantize import dequantize_array, levels_by_weight, quantize, quantize_array  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OPSET = 13
SUPPORTED = {"Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Relu", "Clip",
             "Sigmoid", "Add", "Gemm", "MatMul", "Flatten", "Reshape", "Softmax", "LogSoftmax", "Dropout",
             "Identity", "DequantizeLinear"}


@torch.no_grad()
def probabilities(model, images, mean, std):
    x = ((torch.from_numpy(images.astype(np.float32)) / 255.0 - mean) / std).unsqueeze(1)
    return torch.cat([model(x[i:i + 1000])[0] for i in range(0, len(x), 1000)]).numpy()


@torch.no_grad()
def round_weights_to_int8(model):
    """Every Conv and Linear weight becomes what its int8 form dequantizes to, so PyTorch
    computes with exactly the weights the shipped file holds (quantize.py)."""
    layers = {name + ".weight": module for name, module in model.named_modules()
              if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear))}
    for name, levels in levels_by_weight(layers).items():
        q, scale = quantize_array(layers[name].weight.numpy(), levels)
        layers[name].weight.copy_(torch.from_numpy(dequantize_array(q, scale)))


def export(checkpoint_path, data, work_dir, onnx_path=os.path.join(HERE, "mnist.onnx"), fixtures=True):
    """Writes the model file to onnx_path and, with fixtures, what the tests check it with."""
    checkpoint = torch.load(checkpoint_path)
    trained = DigitNet()
    trained.load_state_dict(checkpoint["state_dict"])
    trained.eval()
    model = InferenceNet(trained).eval()
    if sum(p.numel() for p in model.parameters()) != sum(layer[2] for layer in LAYERS):
        raise SystemExit("net.LAYERS no longer describes the network: update it for the model card")
    round_weights_to_int8(model)
    # Rounded as written into the metadata: the engines normalise with exactly these values.
    mean, std = round(checkpoint["norm_mean"], 6), round(checkpoint["norm_std"], 6)

    _, _, test_x, test_y = load_mnist(data)
    probs = probabilities(model, test_x, mean, std)
    predicted = probs.argmax(1)
    accuracy = float((predicted == test_y).mean())
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (test_y, predicted), 1)

    weights = b"".join(t.numpy().tobytes() for t in model.state_dict().values())
    version = f"digitnet-{datetime.date.today():%Y%m%d}-{hashlib.sha256(weights).hexdigest()[:8]}"

    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path, input_names=["input"],
                      output_names=["probabilities", "embedding"],
                      dynamic_axes={"input": {0: "N"}, "probabilities": {0: "N"}, "embedding": {0: "N"}},
                      opset_version=OPSET, do_constant_folding=True)
    exported = quantize(onnx.load(onnx_path))
    metadata = {"norm_mean": f"{mean:.6f}", "norm_std": f"{std:.6f}", "model_version": version,
                "mnist_test_accuracy": f"{accuracy:.4f}", "labels": ",".join(str(d) for d in range(10))}
    for key, value in metadata.items():
        entry = exported.metadata_props.add()
        entry.key, entry.value = key, value
    exported.producer_name = "digits model/export.py"
    onnx.checker.check_model(exported)
    unsupported = {node.op_type for node in exported.graph.node} - SUPPORTED
    if unsupported:
        raise SystemExit(f"the exported graph uses operators the engine lacks: {sorted(unsupported)}")
    onnx.save(exported, onnx_path)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes, {version}): test accuracy {accuracy:.4%}")
    if fixtures:
        write_fixtures(checkpoint, model, (mean, std), probs, confusion, version, onnx_path, data, work_dir)


def write_fixtures(checkpoint, model, norm, probs, confusion, version, onnx_path, data, work_dir):
    mean, std = norm
    accuracy = float(np.trace(confusion) / confusion.sum())
    fixtures = os.path.join(HERE, "fixtures")
    os.makedirs(fixtures, exist_ok=True)
    with open(os.path.join(fixtures, "torch_probabilities.f32.gz"), "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:  # mtime=0: same model, same bytes
            f.write(probs.astype(np.float32).tobytes())

    per_digit = {str(d): float(confusion[d, d] / confusion[d].sum()) for d in range(10)}
    card = {"model_version": version, "opset": OPSET, "norm_mean": mean, "norm_std": std,
            "mnist_test_accuracy": accuracy, "per_digit_accuracy": per_digit, "confusion": confusion.tolist(),
            "layers": [{"layer": name, "output": list(shape), "parameters": params, "macs": macs}
                       for name, shape, params, macs in LAYERS],
            "parameters": sum(p.numel() for p in model.parameters()), "embedding_size": EMBEDDING_SIZE,
            "macs": sum(layer[3] for layer in LAYERS),
            "train_minutes": checkpoint["train_minutes"], "epochs": checkpoint["epochs"],
            "seed": checkpoint["seed"], "train_samples": checkpoint["train_samples"],
            "train_drawings": checkpoint.get("train_drawings", 0),
            "held_out_writers": checkpoint.get("validation_writers", []), "torch_version": torch.__version__.split("a")[0],
            "train_command": checkpoint["command"], "onnx_bytes": os.path.getsize(onnx_path)}
    with open(os.path.join(fixtures, "model_card.json"), "w") as f:
        json.dump(card, f, indent=1)
    log = os.path.join(work_dir, "train_log.csv")
    if os.path.exists(log):
        shutil.copy(log, os.path.join(fixtures, "train_log.csv"))

    test_set = os.path.join(ROOT, "tests", "fixtures", "mnist")
    os.makedirs(test_set, exist_ok=True)
    for key in ("test_images", "test_labels"):
        shutil.copyfile(os.path.join(data, FILES[key] + ".gz"), os.path.join(test_set, FILES[key] + ".gz"))

    print(f"{card['parameters']} parameters, {card['macs']} MACs per image")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default=os.path.join(ROOT, "build", "model", "digitnet.pt"))
    parser.add_argument("--data", default=os.path.join(ROOT, "data", "mnist"))
    args = parser.parse_args()
    export(args.checkpoint, args.data, os.path.dirname(args.checkpoint))


if __name__ == "__main__":
    main()
