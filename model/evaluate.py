#!/usr/bin/env python3
"""Measures the model file the app ships, through the app's own C++ engine.

    python3 model/evaluate.py                       # after scripts/build.sh
    python3 model/evaluate.py --check               # also fail below the floors (the test suite)

On drawings by the six writers of cross-validation's split 0 (drawings.VALIDATION_WRITERS),
centred on the pad at 40, 70 and 90% of its side and zoomed for the model as the pad does
(render.MODEL_SIZE), and on the MNIST test set: accuracy,
per digit, confusion matrix, per writer; the file's size, plain and gzipped. Writes
model/fixtures/evaluation.json, which card.py puts into MODEL.md. The shipped file learns
from all 30 writers, so on it these drawings check the file and the pipeline (the suite
holds them above floors), not new people: crossval.py measures the recipe on writers its
models never saw, with evaluate() on each split.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from drawings import DEFAULT_PATH, FILLS, VALIDATION_WRITERS, write_held_out  # noqa: E402
from mnist_idx import read_idx, write_idx  # noqa: E402
from render import MODEL_SIZE  # noqa: E402

# What --check enforces: a floor under the targets, so that noise cannot fail a run but
# a broken model or pipeline does. The targets themselves are in MODEL.md.
FLOORS = {"held_out": 0.98, "held_out_digit": 0.94, "mnist": 0.988}


def run_eval(digits, model, images, labels, probabilities):
    out = subprocess.run([digits, "eval", "--json", "--model", model, "--images", images, "--labels", labels,
                          "--write-probabilities", probabilities], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def summary(report, predicted, labels, writers=None):
    confusion = np.array(report["confusion"])
    result = {
        "images": report["images"], "accuracy": report["accuracy"],
        "per_digit": [float(confusion[d, d] / max(1, confusion[d].sum())) for d in range(10)],
        "confusion": confusion.tolist(),
    }
    if writers is not None:
        result["per_writer"] = {str(w): float((predicted[writers == w] == labels[writers == w]).mean())
                                for w in np.unique(writers)}
    return result


def evaluate(digits, model, drawings, work, held_out_writers=VALIDATION_WRITERS):
    write_held_out(work, drawings, held_out_writers)
    labels = read_idx(os.path.join(work, "held-out-labels.gz"))
    writers = read_idx(os.path.join(work, "held-out-writers.gz"))
    with open(model, "rb") as f:
        model_bytes = f.read()
    results = {"model": os.path.relpath(model, ROOT), "bytes": len(model_bytes),
               "gzip_bytes": len(gzip.compress(model_bytes, 9)), "held_out_writers": list(held_out_writers),
               "model_size": MODEL_SIZE, "held_out": {}}
    for fill in FILLS:
        name = f"held-out-{round(fill * 100)}"
        probabilities = os.path.join(work, f"{name}.f32")
        report = run_eval(digits, model, os.path.join(work, f"{name}-images.gz"),
                          os.path.join(work, "held-out-labels.gz"), probabilities)
        predicted = np.fromfile(probabilities, np.float32).reshape(-1, 10).argmax(1)
        results["held_out"][str(round(fill * 100))] = summary(report, predicted, labels, writers)
    mnist = os.path.join(ROOT, "tests", "fixtures", "mnist")
    report = run_eval(digits, model, os.path.join(mnist, "t10k-images-idx3-ubyte.gz"),
                      os.path.join(mnist, "t10k-labels-idx1-ubyte.gz"), os.path.join(work, "mnist.f32"))
    results["mnist"] = summary(report, None, None)
    return results


def print_table(results):
    print(f"{results['model']}: {results['bytes']:,} bytes, {results['gzip_bytes']:,} gzipped")
    for fill, r in results["held_out"].items():
        worst = min(r["per_writer"].items(), key=lambda item: item[1])
        print(f"writers {', '.join(map(str, results['held_out_writers']))}, {fill}% of the pad: {100 * r['accuracy']:.2f}% of {r['images']}; "
              f"lowest digit {min(r['per_digit']) * 100:.2f}%, worst writer {worst[0]} {100 * worst[1]:.2f}%")
    print(f"MNIST test set: {100 * results['mnist']['accuracy']:.2f}%")


def failures(results):
    found = []
    for fill, r in results["held_out"].items():
        if r["accuracy"] < FLOORS["held_out"]:
            found.append(f"split 0's writers at {fill}%: {r['accuracy']:.4f} < {FLOORS['held_out']}")
        if min(r["per_digit"]) < FLOORS["held_out_digit"]:
            found.append(f"a digit at {fill}%: {min(r['per_digit']):.4f} < {FLOORS['held_out_digit']}")
    if results["mnist"]["accuracy"] < FLOORS["mnist"]:
        found.append(f"MNIST: {results['mnist']['accuracy']:.4f} < {FLOORS['mnist']}")
    return found


DIGITS_CLI = os.path.join(ROOT, "build", "native", "wasm", "cli", "digits")
EVALUATION = os.path.join(HERE, "fixtures", "evaluation.json")


def read_digits(model, images, labels, work, digits=DIGITS_CLI):
    """The digit the model reads in each image (N x 28 x 28 uint8), through the C++ engine."""
    write_idx(os.path.join(work, "images.gz"), images)
    write_idx(os.path.join(work, "labels.gz"), labels)
    probabilities = os.path.join(work, "probabilities.f32")
    run_eval(digits, model, os.path.join(work, "images.gz"), os.path.join(work, "labels.gz"), probabilities)
    return np.fromfile(probabilities, np.float32).reshape(-1, 10).argmax(1)


def measure(model=os.path.join(HERE, "mnist.onnx"), digits=DIGITS_CLI, drawings=DEFAULT_PATH,
            work=os.path.join(ROOT, "build", "drawings"), out=EVALUATION, writers=VALIDATION_WRITERS):
    """Measures, prints the table, writes out (unless '-'); returns the problems found."""
    if not os.access(digits, os.X_OK):
        raise SystemExit(f"{digits} is missing: build the engine first (scripts/build.sh)")
    results = evaluate(digits, model, drawings, work, writers)
    print_table(results)
    if out != "-":
        with open(out, "w") as f:
            json.dump(results, f, indent=1)
    problems = failures(results)
    for problem in problems:
        print(f"below the floor: {problem}", file=sys.stderr)
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.join(HERE, "mnist.onnx"))
    parser.add_argument("--digits", default=DIGITS_CLI, help="the engine's command line tool")
    parser.add_argument("--drawings", default=DEFAULT_PATH)
    parser.add_argument("--work", default=os.path.join(ROOT, "build", "drawings"))
    parser.add_argument("--out", default=EVALUATION, help="where to write the figures ('-' for nowhere)")
    parser.add_argument("--check", action="store_true", help="exit non-zero below the floors")
    args = parser.parse_args()
    problems = measure(args.model, args.digits, args.drawings, args.work, args.out)
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
