#!/usr/bin/env python3
"""Cross-validates the training recipe by writer: every one of the 30 writers is read by
a model that never saw them.

    python3 model/crossval.py --data ../shared/mnist      # after scripts/build.sh; 5 trainings

The shipped file learns from all 30 writers, so its accuracy on people it never saw is
measured here, on its recipe: the writers are divided into five splits of six
(drawings.VALIDATION_WRITERS is split 0), and for each, train.py trains with its defaults
(the shipped recipe and seed) on the other 24 writers. Each split's model file is
measured as the shipped one is: through the C++ engine at 40, 70 and 90% of the pad
(evaluate.py), and with the personal memory through the WebAssembly module
(bench/personal.mjs). The figures are pooled over the 30 writers into
model/fixtures/crossval.json, which card.py puts into MODEL.md. Run it again when the
recipe changes, before the shipped file is trained (about 2.5 hours on 2 cores).

Work goes to build/crossval/split-K/; a split whose checkpoint or figures are there is not
trained or measured again, so an interrupted run resumes where it stopped; --measured
pools the splits measured so far without training the others.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from drawings import DEFAULT_PATH, FILLS, VALIDATION_WRITERS  # noqa: E402
from render import MODEL_SIZE  # noqa: E402

# random.Random(20261125).shuffle of the writers not in VALIDATION_WRITERS, in sixes.
SPLITS = (VALIDATION_WRITERS, (4, 5, 12, 16, 21, 27), (6, 9, 13, 19, 24, 30), (7, 17, 22, 25, 26, 29),
          (2, 3, 10, 14, 20, 23))
WORK = os.path.join(ROOT, "build", "crossval")
OUT = os.path.join(HERE, "fixtures", "crossval.json")


def split_model(writers, args, folder):
    """The split's model file, trained and exported here."""
    checkpoint, onnx_path = os.path.join(folder, "digitnet.pt"), os.path.join(folder, "model.onnx")
    if not os.path.exists(checkpoint):
        subprocess.run([sys.executable, os.path.join(HERE, "train.py"), "--data", args.data, "--drawings",
                        args.drawings, "--validation-writers", ",".join(map(str, writers)), "--out", folder,
                        "--no-export"], check=True)
    if not os.path.exists(onnx_path):
        import export
        export.export(checkpoint, args.data, folder, onnx_path=onnx_path, fixtures=False)
    return onnx_path


def split_figures(index):
    return os.path.join(WORK, f"split-{index}", "figures.json")


def measure_split(index, writers, args):
    import evaluate
    figures = split_figures(index)
    folder = os.path.dirname(figures)
    os.makedirs(folder, exist_ok=True)
    model = split_model(writers, args, folder)
    if os.path.exists(figures):
        with open(figures) as f:
            return json.load(f)
    drawings = os.path.join(folder, "drawings")
    result = {"writers": list(writers), "evaluation": evaluate.evaluate(evaluate.DIGITS_CLI, model, args.drawings,
                                                                        drawings, writers), "memory": {}}
    for fill in FILLS:
        percent = str(round(fill * 100))
        out = os.path.join(folder, f"memory-{percent}.json")
        subprocess.run(["node", os.path.join(ROOT, "bench", "personal.mjs"), "--model", model, "--drawings", drawings,
                        "--fill", percent, "--json", out], check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            result["memory"][percent] = json.load(f)["results"]
    with open(figures, "w") as f:
        json.dump(result, f)
    return result


def pool(splits):
    """The splits' figures as one set of 30 writers."""
    pooled = {"splits": [s["writers"] for s in splits],
              "mnist": [s["evaluation"]["mnist"]["accuracy"] for s in splits], "held_out": {}, "memory": {}}
    for fill in next(iter(splits))["evaluation"]["held_out"]:
        parts = [s["evaluation"]["held_out"][fill] for s in splits]
        confusion = np.sum([p["confusion"] for p in parts], axis=0)
        per_writer = {w: a for p in parts for w, a in p["per_writer"].items()}
        pooled["held_out"][fill] = {
            "images": int(confusion.sum()), "errors": int(confusion.sum() - np.trace(confusion)),
            "accuracy": float(np.trace(confusion) / confusion.sum()),
            "per_digit": [float(confusion[d, d] / confusion[d].sum()) for d in range(10)],
            "per_split": [p["accuracy"] for p in parts], "per_writer": per_writer, "confusion": confusion.tolist()}
        pooled["memory"][fill] = {}
        # bench/personal.mjs's ways of teaching, where every split measured them (splits
        # measured before "half" and "as_read" existed have only the first two).
        policies = [p for p in splits[0]["memory"][fill] if all(p in s["memory"][fill] for s in splits)]
        for policy in policies:
            writers = [w for s in splits for w in s["memory"][fill][policy].values()]
            alone = sum((1 - w["alone"]) * w["drawings"] for w in writers)
            learning = sum((1 - w["learning"]) * w["drawings"] for w in writers)
            # Errors before any correction of their digit: out of reach of corrections.
            unseen = sum(w["unseen"] * w["drawings"] for w in writers)
            changes = [w["learning"] - w["alone"] for w in writers]
            pooled["memory"][fill][policy] = {
                "model_errors": alone, "errors": learning, "left": learning / alone if alone else 0.0,
                "unseen": unseen / alone if alone else 0.0,
                "worst_change": min(changes), "writers_worse": sum(c < 0 for c in changes)}
    return pooled


def print_summary(pooled):
    mnist = pooled["mnist"]
    print(f"MNIST test set, the {len(mnist)} splits' models: {100 * min(mnist):.2f}-{100 * max(mnist):.2f}%")
    for fill, r in pooled["held_out"].items():
        worst = min(r["per_writer"], key=r["per_writer"].get)
        memory = pooled["memory"][fill]
        print(f"{fill}%: {100 * r['accuracy']:.2f}% of {r['images']} ({r['errors']} errors; splits "
              + ", ".join(f"{100 * a:.2f}" for a in r["per_split"])
              + f"); lowest digit {100 * min(r['per_digit']):.2f}%, worst writer {worst} "
              f"{100 * r['per_writer'][worst]:.2f}%; memory leaves {100 * memory['corrections']['left']:.0f}% "
              f"of the errors taught by corrections ({100 * memory['corrections']['unseen']:.0f}% come before any "
              f"correction of their digit), {100 * memory['all']['left']:.0f}% taught every answer"
              + (f", {100 * memory['as_read']['left']:.0f}% taught every drawing as read" if "as_read" in memory else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(ROOT, "data", "mnist"))
    parser.add_argument("--drawings", default=DEFAULT_PATH)
    parser.add_argument("--measured", action="store_true",
                        help="pool the splits measured so far (a run still training the others)")
    parser.add_argument("--out", default=OUT, help="where to write the pooled figures ('-' for nowhere)")
    args = parser.parse_args()
    indices = [i for i in range(len(SPLITS)) if not args.measured or os.path.exists(split_figures(i))]
    if not indices:
        raise SystemExit("no split has been measured yet: run without --measured")
    pooled = pool([measure_split(i, SPLITS[i], args) for i in indices])
    pooled["split_indices"] = indices
    pooled["model_size"] = MODEL_SIZE  # the drawings as the app gives them to the model
    with open(os.path.join(HERE, "fixtures", "model_card.json")) as f:
        pooled["model_version"] = json.load(f)["model_version"]  # the shipped file, trained by this recipe
    print_summary(pooled)
    if args.out != "-":
        with open(args.out, "w") as f:
            json.dump(pooled, f, indent=1)


if __name__ == "__main__":
    main()
