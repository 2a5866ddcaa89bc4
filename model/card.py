#!/usr/bin/env python3
"""Writes the model card, model/MODEL.md, and its training-curve plot from what
export.py and evaluate.py recorded (fixtures/model_card.json, fixtures/evaluation.json,
fixtures/train_log.csv).

    python3 model/card.py
"""
import csv
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from crossval import SPLITS  # noqa: E402


def plot(log, path):
    epochs = [int(row["epoch"]) for row in log]
    # A file trained on every writer has no held-out writers to score after each epoch.
    held_out = all(row["drawings_accuracy"] not in ("", "nan") for row in log)
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=110)
    loss_axis.plot(epochs, [float(r["train_loss"]) for r in log], label="training (augmented, dropout)")
    loss_axis.plot(epochs, [float(r["test_loss"]) for r in log], label="MNIST test")
    if held_out:
        loss_axis.plot(epochs, [float(r["drawings_loss"]) for r in log], label="held-out writers, 70%")
    loss_axis.set_xlabel("epoch")
    loss_axis.set_ylabel("cross-entropy loss")
    loss_axis.set_yscale("log")
    loss_axis.legend()
    accuracy_axis.plot(epochs, [100 * float(r["train_accuracy"]) for r in log], label="training (augmented)")
    accuracy_axis.plot(epochs, [100 * float(r["test_accuracy"]) for r in log], label="MNIST test")
    if held_out:
        accuracy_axis.plot(epochs, [100 * float(r["drawings_accuracy"]) for r in log], label="held-out writers, 70%")
    accuracy_axis.set_xlabel("epoch")
    accuracy_axis.set_ylabel("accuracy (%)")
    accuracy_axis.set_ylim(96, 100)
    accuracy_axis.legend(loc="lower right")
    for axis in (loss_axis, accuracy_axis):
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)


def percent(value):
    return f"{100 * value:.2f}%"


def errors(count):
    return f"{count:,} error{'' if count == 1 else 's'}"


def confusion_table(confusion):
    head = "| | " + " | ".join(str(d) for d in range(10)) + " |\n| --- |" + " ---: |" * 10
    rows = "\n".join(f"| **{d}** | " + " | ".join(str(v) for v in row) + " |" for d, row in enumerate(confusion))
    return f"{head}\n{rows}"


def lowest_digit_and_writer(r):
    """Two table cells: the digit and the writer read worst, with their accuracy."""
    digit = r["per_digit"].index(min(r["per_digit"]))
    writer = min(r["per_writer"], key=r["per_writer"].get)
    return f"{percent(r['per_digit'][digit])} (digit {digit}) | {percent(r['per_writer'][writer])} (writer {writer})"


def writers_learned_from(card):
    """How many of the 30 pen writers the shipped file was trained on."""
    return 30 - len(card.get("held_out_writers", []))


def load_crossval(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def per_fill_rows(held, cells):
    return "\n".join(f"| {fill}% | " + " | ".join(cells(r)) + " |" for fill, r in held.items())


def shipped_check(evaluation, card):
    """The shipped file on split 0's writers: new people to it only if it held them out."""
    held = evaluation["held_out"]
    writers = ", ".join(map(str, evaluation["held_out_writers"]))
    never_saw = sorted(card.get("held_out_writers", [])) == sorted(evaluation["held_out_writers"])
    relation = "which it never saw" if never_saw else "which it learned from, so this checks the file and the pipeline, not new people"
    rows = per_fill_rows(held, lambda r: (f"{percent(r['accuracy'])} ({errors(round((1 - r['accuracy']) * r['images']))} "
                                          f"in {r['images']:,})", lowest_digit_and_writer(r)))
    return f"""The shipped file itself on split 0's writers ({writers}), {relation}:

| size on the pad | accuracy | lowest digit | worst writer |
| --- | ---: | ---: | ---: |
{rows}

`python3 model/evaluate.py` measures it again (after `scripts/build.sh`), and the test
suite holds it above floors (`ctest -R drawings_accuracy`)."""


def taught_cells(policy):
    """Two table cells for one way of teaching the memory: errors left, writers made worse."""
    return (f"{policy['errors']:.1f} ({100 * policy['left']:.0f}%) | "
            f"{policy['writers_worse']} ({100 * policy['worst_change']:.2f} points)")


# How MODEL_SIZE was chosen (model/sizes.py --model-size S, on the splits trained then).
MODEL_FILL_CHOICE = """The size the model is given was chosen on the writers of splits 0, 1 and 2 (4,497
drawings, each split's model of the digitnet-20261206 recipe on its own writers; errors
as written and at 20% of the pad): given as if drawn across 70% of the pad 16 and 16,
80% 16 and 17, 90% 14 and 14; on splits 0 and 1 alone, 60% made the same errors as 70%
(`python3 model/sizes.py --model-size S`).
The sizes differ by two or three drawings, about what two runs of one recipe differ by:
what matters is that every drawing reaches the model at one size, more than which."""


# The zoom's effect when it came, before any model was trained on zoomed drawings.
ZOOM_BEFORE_TRAINING = """Since digitnet-20261206-9b654fac the models are trained on zoomed drawings, so the
right-hand column gives them pictures unlike any they learned from. When the zoom came,
the models were still trained on drawings painted at the pad's scale, and on the writers
of splits 0, 1 and 2 (4,497 drawings) the zoom took their errors as written from 28 to
14, and at a fifth of the pad from 374 (91.68%) to 14."""


def given_to_model(figures):
    """How the measured drawings reached the model: zoomed as the app does now, or not yet."""
    if "model_size" in figures:
        return (f"zoomed for the model as the pad does (as if drawn across {round(100 * figures['model_size'])}% of "
                "the pad) and preprocessed as in the app")
    return ("painted at the pad's own scale and preprocessed, as the app gave drawings to the model before it "
            "zoomed them (\"Small drawings and large\" below has the zoom's effect)")


def sizes_section(sizes):
    """The zoom to one size for the model, against painting drawings at the pad's scale
    (model/sizes.py): each split's model on its own split's writers."""
    if sizes is None:
        return """## Small drawings and large

Not measured yet: `python3 model/sizes.py` after `python3 model/crossval.py`."""
    zoomed, as_drawn = sizes["errors"]["zoomed"], sizes["errors"]["as_drawn"]
    count = sizes["drawings"]

    def cell(errors_made):
        return f"{percent(1 - errors_made / count)} ({errors(errors_made)})"
    rows = "\n".join(f"| {'as written' if key == 'written' else key + '% of the pad, centred'} | **{cell(zoomed[key])}** | "
                     f"{cell(as_drawn[key])} |" for key in zoomed)
    splits = sizes["splits"]
    names = [str(i) for i in splits]
    which = ("all five splits" if len(splits) == 5 else f"split {names[0]}" if len(splits) == 1
             else f"splits {', '.join(names[:-1])} and {names[-1]}")
    return f"""## Small drawings and large

The pad's line is one width whatever the size of the digit, so a digit drawn small used
to reach the model as a thick blob: the preprocessing scales every digit to 20 pixels,
and a line a fifth of a small digit's height became a fifth of those. The pad now gives
the model every drawing zoomed about its middle, as if it had been drawn across
{round(100 * sizes['model_size'])}% of the pad (at most ten times larger, so a speck stays a speck;
`strokesForModel` in `www/js/pad.js`, `model_strokes` in `model/render.py`;
`tests/model/render.test.mjs` checks that the two agree). It is painted across 60% of
the canvas the model reads, with the line scaled to match, so that even a drawing all
ink covers less than half of that canvas, which the preprocessing needs (it takes the
median as the background). What the person sees on the pad does not change.

On the {count:,} drawings by the writers of {which}, each read by its split's model, which
never saw them (`python3 model/sizes.py`). "As written" is each writer's own box on the
tablet (500 units square) as the pad: the digits at the size and in the place they were
drawn, a median of 34% of the side and one in ten under 25%:

| drawn | zoomed for the model (the app) | painted at the pad's scale (before) |
| --- | ---: | ---: |
{rows}

{ZOOM_BEFORE_TRAINING}

{MODEL_FILL_CHOICE}"""


def stray_taps_section(stray):
    """A tap far from the digit, read and left out (model/stray_taps.py)."""
    heading = "## Stray taps"
    if stray is None:
        return f"""{heading}

Not measured yet: `python3 model/stray_taps.py --record`."""
    count = stray["drawings"]

    def cell(errors_made):
        return f"{percent(1 - errors_made / count)} ({errors(errors_made)})"
    rows = "\n".join(f"| {fill}% | {cell(e['as drawn'])} | {cell(e['a tap, read'])} | "
                     f"{cell(e['a tap, left out by the preprocessing'])} | **{cell(e['a tap, left out'])}** |"
                     for fill, e in stray["errors"].items())
    return f"""{heading}

A finger resting on a phone's pad, or a tap in a corner, used to widen the box the
drawing is zoomed by, so the digit reached the model shrunk to a corner of its picture.
The pad now leaves out a stroke that is small beside the digit's longest (at most a
quarter of its length) and far from the rest (35% of that length away or more), and
paints it faded so the person sees it is not read (`withoutStrayTaps` in
`www/js/pad.js`, `without_stray_taps` in `model/render.py`; the test suite checks that
they agree, and `tests/e2e/app.test.mjs` that the page reads a small 7 with a tap in a
corner as it reads the 7 alone). Of the 7,494 training drawings, one loses a mark: a
stroke a writer made far below a 0.

The preprocessing applies the same rule to the marks of any canvas (ink that touches,
diagonals included, is one mark; `digit_box` in `model/preprocess.py` and
`wasm/src/preprocess.cpp`), so a canvas that did not come from the pad (the module's
`classify()`, the `digits` command) does not have a speck far from the digit shrink it
either; more than 256 marks are speckle and read whole. It changes no image the pad
makes of the 7,494 drawings (at 40% and 70% of the pad and as drawn), since the pad has
left out the same strokes already; it recovers most of what a tap costs, though not all:
the digit was painted small, with the line of the whole pad.

Split 0's writers ({count:,} drawings, {stray['model_version']}, which learned from them:
this compares placements, not new people), centred at 40% and 70% of the pad, a dot
added 3-8% of the side from one of its corners (`python3 model/stray_taps.py`):

| drawn at | as drawn | with the tap, read (before) | the same canvas, the tap left out by the preprocessing | with the tap, left out by the pad (the app) |
| --- | ---: | ---: | ---: | ---: |
{rows}

At 70% the tap is close enough to the digit to be read, and hardly moves its box."""


def page_section(runs, sizes):
    """The held-out writers' strokes drawn on the real page (bench/page_drawings.mjs), beside
    what model/sizes.py measured on the same drawings through render.py and the C++ engine."""
    if not runs:
        return """## Drawn on the page

Not measured yet: `node bench/page_drawings.mjs --record` after `python3 model/crossval.py`."""
    split_of = {tuple(sorted(writers)): index for index, writers in enumerate(SPLITS)}
    # What sizes.json has for a split through render.py and the C++ engine, by size.
    offline = lambda split: (sizes or {}).get("per_split", {}).get(str(split), {}).get("zoomed", {})
    measured = sorted(((split_of.get(tuple(sorted(run["writers"]))), run) for run in runs),
                      key=lambda m: (len(SPLITS) if m[0] is None else m[0], m[1]["input"], m[1]["engine"],
                                     m[1]["fill"] or ""))
    rows = []
    for split, run in measured:
        size = "written" if run["fill"] is None else str(round(100 * float(run["fill"])))  # sizes.json's keys
        placement = "as written" if size == "written" else f"{size}% of the pad"
        reference = offline(split).get(size)
        misread = "; ".join(f"writer {e['writer']}'s {e['label']} as {e['read'] if e['read'] is not None else 'nothing'}"
                            for e in run["errors"])
        rows.append(f"| {split if split is not None else 'other writers'} | {run['input']} | {run['engine']} | "
                    f"{placement} | {run['drawings']:,} | **{len(run['errors'])}** | "
                    f"{reference if reference is not None else 'not measured'} | {misread or 'none'} |")
    table = "\n".join(rows)
    # Every writer, once each split's writers were drawn with the mouse as written.
    pooled = {split: run for split, run in measured
              if run["input"] == "mouse" and run["engine"] == "native" and run["fill"] is None}
    references = [offline(k).get("written") for k in range(len(SPLITS))]
    if all(k in pooled for k in range(len(SPLITS))) and None not in references:
        errors = sum(len(pooled[k]["errors"]) for k in range(len(SPLITS)))
        drawn = sum(pooled[k]["drawings"] for k in range(len(SPLITS)))
        table += (f"\n\nAll {len(SPLITS)} splits with the mouse and the built-in engine, every writer read by a model "
                  f"that never saw them: **{errors} error{'' if errors == 1 else 's'} in {drawn:,} drawings "
                  f"({100 * (1 - errors / drawn):.2f}%)** on the page, against {sum(references)} through render.py.")
    return f"""## Drawn on the page

The figures above come from strokes painted by `model/render.py`. Here the held-out
writers' strokes are drawn on the real page in Chromium instead, as a person draws:
pointer events on the pad, its zoom, the worker and the engine, the answer read from the
page after the last stroke (`node bench/page_drawings.mjs`, with the split's model in
place of the shipped one, which learned from these writers). The mouse draws on a
desktop's window (1280 x 900), touch on a phone's (390 x 844, three device pixels to
the pixel), each with the built-in engine or ONNX Runtime Web. The last column but one is
the same model on the same drawings through `model/render.py` and the C++ engine
(`model/sizes.py`):

| split | input | engine | placed | drawings | errors on the page | errors through render.py | misread on the page |
| --- | --- | --- | --- | ---: | ---: | ---: | --- |
{table}

Two rasterisers never agree on every edge pixel, so a drawing the model finds a near tie
can go either way."""


def drawings_section(evaluation, card, pooled):
    """What a new person can expect: the recipe cross-validated by writer (crossval.py),
    said to be of an earlier recipe when it was measured on one; then the shipped file."""
    if pooled is None:
        return f"""## Accuracy on people's drawings

The recipe has not been cross-validated by writer yet (`python3 model/crossval.py`).

{shipped_check(evaluation, card)}"""
    measured = pooled.get("model_version", "an earlier model")
    earlier = "" if measured == card["model_version"] else f"""

**These figures are of an earlier recipe**, the one that trained {measured}; the
current one has not been cross-validated yet (`python3 model/crossval.py`)."""
    held, memory = pooled["held_out"], pooled["memory"]
    writers = sum(len(split) for split in pooled["splits"])
    by_fill = per_fill_rows(held, lambda r: (
        f"**{percent(r['accuracy'])}** ({errors(r['errors'])} in {r['images']:,})",
        f"{min(r['per_split']) * 100:.2f}-{max(r['per_split']) * 100:.2f}%", lowest_digit_and_writer(r)))
    indices = pooled.get("split_indices", range(len(pooled["splits"])))
    per_split = "\n".join(
        f"| {index} | {', '.join(map(str, split))} | " + " | ".join(percent(held[fill]["per_split"][i]) for fill in held)
        + f" | {percent(pooled['mnist'][i])} |" for i, (index, split) in enumerate(zip(indices, pooled["splits"])))
    partial = "" if writers == 30 else f""" Only {len(pooled['splits'])} of the five splits are
trained so far; `python3 model/crossval.py` trains the others (it resumes where it
stopped), and until then the other {30 - writers} writers are not in these figures."""
    per_digit = per_fill_rows(held, lambda r: [percent(p) for p in r["per_digit"]])
    learning = "\n".join(
        f"| {fill}% | {held[fill]['errors']} | {100 * m['corrections']['unseen']:.0f}% | "
        f"{taught_cells(m['corrections'])} | {taught_cells(m['all'])} |"
        for fill, m in memory.items())
    as_read = "\n".join(
        f"| {fill}% | {taught_cells(m['half'])} | {taught_cells(m['as_read'])} |"
        for fill, m in memory.items() if "as_read" in m)
    as_read_table = "" if not as_read else f"""

The page also learns a drawing the person clears without a word, as it was read. For a
person who corrects every mistake that teaches exactly what every answer teaches (each
answer left is right); for people who correct less:

| size | half the mistakes corrected, the rest as read: errors left | writers worse (most) | nothing said, every drawing as read: errors left | writers worse (most) |
| --- | ---: | ---: | ---: | ---: |
{as_read}"""
    small_fill = min(held, key=int)
    small = held[small_fill]
    worst = min(small["per_writer"], key=small["per_writer"].get)
    learned_from = writers_learned_from(card)
    trained_on = "all 30 writers" if learned_from == 30 else f"{learned_from} writers"
    return f"""## Accuracy on people's drawings{earlier}

The shipped file learned from {trained_on} of the pen-drawing collection, so what a
new person can expect is measured on its recipe, by cross-validation
(`model/crossval.py`): the writers are divided into splits of six, and for each split
the same recipe, seed and int8 rounding train a model on the other 24 writers, which
then reads the six it never saw through the app's own C++ engine. Each drawing is drawn
as the pad draws it and centred on the pad, its longer side at 40, 70 or 90% of the
pad's side, then
{given_to_model(pooled)}.{partial} Pooled over the {held['70']['images']:,} drawings of
{writers} writers:

| size on the pad | accuracy | the {len(pooled['splits'])} splits | lowest digit | worst writer |
| --- | ---: | ---: | ---: | ---: |
{by_fill}

| split | held-out writers | {' | '.join(f'{fill}%' for fill in held)} | MNIST |
| --- | --- |{' ---: |' * (len(held) + 1)}
{per_split}

Splits differ more than runs do: the hardest holds writer {worst} ({percent(small['per_writer'][worst])} when drawing at
{small_fill}%). Per digit:

| size | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |
| --- |{' ---: |' * 10}
{per_digit}

Confusion matrix at 70% (rows: true digit, columns: predicted):

{confusion_table(held['70']['confusion'])}

The personal memory on the same writers, each read by their split's model
(`bench/personal.mjs`, five orders per writer; errors averaged over the orders). An
error that comes before the writer has corrected any drawing of its digit is out of
reach of a memory taught only by corrections:

| size | the models' errors | of which before any correction of their digit | taught by corrections: errors left | writers worse (most) | taught every answer: errors left | writers worse (most) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
{learning}{as_read_table}

{shipped_check(evaluation, card)}"""


def main():
    with open(os.path.join(HERE, "fixtures", "model_card.json")) as f:
        card = json.load(f)
    with open(os.path.join(HERE, "fixtures", "evaluation.json")) as f:
        evaluation = json.load(f)
    with open(os.path.join(HERE, "fixtures", "train_log.csv")) as f:
        log = list(csv.DictReader(f))
    plot(log, os.path.join(HERE, "training_curve.png"))
    sizes = load_crossval(os.path.join(HERE, "fixtures", "sizes.json"))

    layers = "\n".join(
        f"| {layer['layer']} | {' x '.join(str(d) for d in layer['output'])} | {layer['parameters']:,} | {layer['macs']:,} |"
        for layer in card["layers"])
    mnist = evaluation["mnist"]
    writers = writers_learned_from(card)
    mnist_digits = " | ".join(percent(p) for p in mnist["per_digit"])
    text = f"""# Model card: digitnet

The digit classifier the app ships: `model/mnist.onnx`, version `{card['model_version']}`.

## What it is

A small convolutional network for 28x28 grey-scale digits (0 background), trained with
PyTorch on the 60,000 MNIST training images together with {card['train_drawings']:,} digits drawn
with a pen by {writers} people, drawn on the fly as the app's pad draws them. A drawing's
strongest ink reaches 204 (the preprocessing's `INK_PEAK`, 0.8), a scanned MNIST digit's
255: the network reads each by its own writers' conventions (see "Drawings and scans"). Input `input`: float32 `[N,1,28,28]`, normalised as
`(pixel/255 - {card['norm_mean']}) / {card['norm_std']}`. Outputs:

- `probabilities`: float32 `[N,10]`, softmax applied;
- `embedding`: float32 `[N,{card['embedding_size']}]`, the features before the last layer (after
  ReLU). The app's personal memory compares a person's drawings by them
  (`wasm/include/digits/personal_memory.h`).

ONNX opset {card['opset']}, **{evaluation['bytes']:,} bytes ({evaluation['gzip_bytes']:,} gzipped)**. The weights of every
convolution and dense layer are stored as int8 with one scale per output channel
(`DequantizeLinear`, standard ONNX), within +-127 in the first and last layer, +-31 in the
others, which makes the download a quarter smaller than +-127 throughout, for 3 MNIST
test images fewer and 3 held-out drawings more (`model/quantize.py` has the figures). The engines dequantize them once at load and
compute in float32. Biases stay float32. Operators: DequantizeLinear, Conv, Relu,
MaxPool, Flatten, Gemm, Softmax (batch normalisation is folded into the weights).

## Architecture and cost

| layer | output | parameters | multiply-accumulates |
| --- | --- | ---: | ---: |
{layers}
| **total** | | **{card['parameters']:,}** | **{card['macs']:,}** |

Within the budget of 6 M multiply-accumulates and 500 k parameters per image. The last
map stays 5x5, so the embedding still knows where each part of the stroke is (a 9's
tail, a 1's flag, a 7's bar). Measured on the held-out writers with the same training,
this shape beat a third pool down to 3x3 (99.33% at 70%) and the previous model's
shape (98.93%). Training adds batch normalisation after each hidden layer and dropout
(0.25, 0.4) before the dense layers.

{drawings_section(evaluation, card, load_crossval(os.path.join(HERE, "fixtures", "crossval.json")))}

{sizes_section(sizes)}

{stray_taps_section(load_crossval(os.path.join(HERE, "fixtures", "stray_taps.json")))}

{page_section(load_crossval(os.path.join(HERE, "fixtures", "page_drawings.json")), sizes)}

## Accuracy on MNIST

**MNIST test set: {percent(mnist['accuracy'])}** ({round((1 - mnist['accuracy']) * 10000)} errors in 10,000), on the shipped file
through the C++ engine (`ctest -R model_accuracy` checks it, and that the engine's
probabilities match PyTorch's within 1e-4 on all 10,000 images and ONNX Runtime's).

| 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| {mnist_digits} |

{confusion_table(mnist['confusion'])}

## Training

![Loss and accuracy per epoch](training_curve.png)

- {card['epochs']} epochs, AdamW with a one-cycle learning rate (peak 4e-3), seed {card['seed']}. Every
  batch holds 96 MNIST images and 32 drawings; an epoch is the 60,000 MNIST images and
  20,000 renderings of the {card['train_drawings']:,} training drawings.
- Drawings, augmented in stroke space and rendered fresh for every batch
  (`model/stroke_augment.py`, `model/render.py`): the digit's size on the pad (30-95% of
  its side) and its place, rotation up to 12 degrees, shear +-0.25, aspect +-25%, a
  smooth random warp, per-point jitter, and the pen's points made sparser or denser;
  then zoomed to one size as the app zooms it for the model (`model_strokes`; "Small
  drawings and large"). After the zoom the size on the pad is still in the picture
  through the pen's points: the pad keeps no point within `MIN_STEP` of the last, so a
  small drawing has fewer, straighter segments, as on a real pad.
  `tests/model/render.test.mjs` checks the renderer against the pad's own code in
  Chromium.
- MNIST, augmented as images: rotation up to 15 degrees, scale 0.85-1.12, aspect +-12%,
  shear +-0.18, shift up to 2 px, and in 45% of images a thicker or thinner stroke. The
  warp is bicubic and each image's strongest ink is kept where it was, so augmented
  MNIST stays as sharp and as dark as a scan (`model/augment.py`).
- The last epoch is the model (choosing the best epoch on the held-out writers would
  be choosing on them). The shipped file learns from all 30 writers: cross-validation
  measures the recipe on writers its models never saw, and a new person is better
  served by a model that has seen 30 ways of writing than by one that has seen 24.
- Training time: {card['train_minutes']:.1f} minutes on 2 CPU cores (no GPU), PyTorch {card.get('torch_version', '1.13')}.

To reproduce on Debian 12:

    scripts/install-deps.sh --train && scripts/build.sh
    python3 model/train.py --data ../shared/mnist --drawings ../shared/drawings/pendigits_train_strokes.json

`train.py` runs `export.py`, `evaluate.py` and this card's script at the end. Training
is deterministic on one machine: every random draw comes from the seed, the drawings
of item i in epoch e from (seed, e, i) whichever worker renders them.

## Retraining from feedback

    build/native/server/digits-server export-feedback --out data/feedback
    python3 model/train.py --data ../shared/mnist --extra data/feedback

`--extra` adds the images people labelled in the app (each seen five times per epoch by
default, `--extra-repeat`) to the MNIST side of every batch: they are already 28x28
images as the app made them. Images logged before drawings were stored at `INK_PEAK`
(models before digitnet-20261206) carry full-strength ink; `load_extra` scales them to
it, so that they teach the drawings' conventions.

## Data and licence

- MNIST (LeCun, Cortes, Burges).
- *Pen-Based Recognition of Handwritten Digits* (E. Alpaydin, F. Alimoglu, Boğaziçi
  University; UCI Machine Learning Repository, dataset 81), the writers' pen strokes
  (`pendigits-orig.tra`). Check the UCI page's licence terms before publishing a model
  trained on it.

## Limits

- One digit per drawing; letters and scribbles still get a digit (with lower confidence).
  A blank or nearly blank canvas gets no answer at all.
- Styles none of the training writers use are read worst: over the 30 writers the
  held-out errors are mostly 1s read as 7 or 9 and 9s with a small loop read as 3 or 7. The personal memory learns such a person's
  style from the digits they finish, corrected or left as read (`bench/personal.mjs`).
- A person's drawing is read by the conventions of the {writers} pen writers and MNIST's
  scans by MNIST's; a scanned digit given to `classifyImage()` with its ink at 204 would
  be read as a drawing.
- Training time depends on the machine: the same 22 epochs took 28.8 minutes alone on
  one 2-core machine (2026-12-03) and 38-43 minutes on another shared with other builds,
  with the same weights at every epoch.

## Drawings and scans

The pen writers draw closed 4s, flagged 1s and barred 7s; MNIST's writers open 9s and
plain 7s. One network taught both without telling them apart learns a compromise:
trained with bilinear-warped MNIST, earlier models read 99.0-99.4% of MNIST, under the
99.5% target, with the drawings at 99.6%, or (every way of training on sharper MNIST
below) 99.5-99.6% of MNIST with two to three times the drawing errors. The reason,
found by measurement (below): the network told the two apart by the blur of the
bilinear warp, which every augmented MNIST image had and MNIST's own test images do
not, so it read those sharp test images as drawings.

Since digitnet-20261206 the cue is meant, not accidental: the preprocessing puts a
drawing's strongest ink at 0.8 (`INK_PEAK` in `model/preprocess.py` and
`wasm/src/preprocess.cpp`), every MNIST image keeps its full-strength ink through a
bicubic warp (`model/augment.py`), and the network learns each population's
conventions under its own mark. The same recipe and seed, float weights at the last
epoch:

| MNIST warp | drawings | MNIST test | held-out errors at 40/70/90% |
| --- | --- | ---: | ---: |
| bilinear (digitnet-20261203-6b757a1a) | as drawn | 99.17% | 6/5/6 (the int8 file) |
| bicubic | as drawn | 99.56% | 13/10/9 |
| bicubic | softened by a 3x3 kernel (0.2, 0.6, 0.2) | 99.67% | 12/10/11 |
| bicubic, ink kept at its strength | ink at 0.8 (**digitnet-20261206-ff9472b0**) | 99.59% | 8/7/5 |

A second split checks that this is not one split's luck: holding out writers 4, 5, 12,
16, 21 and 27 instead (cross-validation's split 1, the int8 file through the C++
engine), the ink mark reads 99.58% of MNIST with 2/4/4 held-out errors, where the
previous recipe read 98.98% with 2/3/3. Over both splits' 2,998 drawings the mark costs
5 of 8,994 readings (0.06 points) and gains 0.4-0.6 points of MNIST. Over all five
splits (`crossval.py` on that recipe, before the zoom): 40/34/30 errors in 7,494 drawings
at 40/70/90% of the pad, against the previous recipe's 38/33/29, with every split's model
at 99.53-99.59% of MNIST against 98.72-99.16%. These experiments trained on 24 writers
and counted the errors on split 0's six; digitnet-20261206-930d9604 was that recipe
trained on all 30.

Since digitnet-20261206-9b654fac the drawings are also trained on as the app gives them to the model,
zoomed to one size ("Small drawings and large"); the model before it learned them
painted at the pad's scale and read the zoomed ones as drawings it had seen at about 90%
of the pad. The two recipes on the same splits, each split's int8 file through the C++
engine on its own six writers, drawn as written (`model/sizes.py`) and zoomed (the memory at 70%
of the pad, `bench/personal.mjs`):

| recipe (both read zoomed drawings) | errors, splits 0 / 1 / 2 | MNIST test, splits 0 / 1 / 2 | corrections leave (70%), splits 0 / 1 / 2 |
| --- | ---: | ---: | ---: |
| trained on drawings painted at the pad's scale (digitnet-20261206-930d9604) | 5 / 4 / 5 | 99.59% / 99.58% / 99.59% | 88% / 75% / 128% |
| trained on zoomed drawings (digitnet-20261206-9b654fac) | 5 / 4 / 4 | 99.62% / 99.58% / 99.60% | 80% / 75% / 90% |

Hardly a difference in what is read; the recipe changed so that training sees exactly what the
app shows the model, and so that the size on the pad no longer decides a drawing's line
width in training either. The new recipe leans on the zoom: given the same drawings
painted at the pad's scale, as the app no longer does, its models of splits 0 and 1 misread 89
as written and 574 drawn at a fifth of the pad, where the earlier recipe's misread 15 and
237. Whatever reaches the model from the pad is zoomed (`strokesForModel`, both engines);
an image given to `classifyImage()` is read as it is, and a picture whose line is a fifth
of the digit's height is the kind it reads less well.

Two ways of reading a drawing more than once were measured on these split models and
left out, since neither reads people's drawings better. Averaging the two recipes'
models (twice the file and the work per drawing) makes 12 errors on splits 0-2 as
written against 13 for the new recipe alone. Averaging the log-probabilities of
transformed copies of each zoomed 28x28 image (test-time augmentation; float weights
in PyTorch, all five splits, 70% of the pad; the image alone: 29 errors) makes 31 errors
with scales 0.9/1/1.1, 31 with rotations of -10/0/+10 degrees, 28 with the image and its
one-pixel shifts in the four directions and 33 with five copies mixing scale and
rotation: within the noise of a few drawings, at three to five times the work.

Softening the drawings marks them too, but less cleanly: a drawing's sharpness sits
inside the range of augmented MNIST's, while its strongest ink is always 255 before
the scaling (in every held-out drawing at every size) and MNIST's 254-255. The earlier
measurements (all with the bilinear warp and drawings at full-strength ink; `train.py`
and its seed, the last epoch, float weights before int8 rounding) show the trade-off the
mark removes:

| per batch | epochs | MNIST test | held-out writers, 70% |
| --- | ---: | ---: | ---: |
| 96 MNIST + 32 drawings (digitnet-20261201-eba0a474, and digitnet-20261203-6b757a1a, the same weights rounded differently) | 22 | 99.17% | 99.67% |
| 112 + 16 | 22 | 99.44% | 99.40% |
| 112 + 16 | 29 | 99.39% | 99.27% |
| 104 + 24, milder MNIST augmentation | 22 | 99.00% | 99.67% |
| 112 + 16, scored on a moving average of the weights | 22 | 99.44% | 99.27% |
| 112 + 16, a drawn 1 only narrowed and half as slanted | 22 | 99.50% | 99.07% |
| 96 + 32, a drawn 1 only narrowed and half as slanted | 22 | 99.32% | 99.60% |
| the same, seed 20261126 | 22 | 99.32% | 99.47% |
| 104 + 24, narrowed 1 | 22 | 99.29% | 99.60% |
| 104 + 24, the last convolution 96 channels wide (383 k parameters) | 22 | 99.00% | 99.53% |
| 96 + 32, half the MNIST images also distorted elastically | 22 | 98.68% | 99.53% |
| 96 + 32, narrowed 1, MNIST half also distilled from the MNIST-only model (weight 0.5, T = 2) | 22 | 99.15% | 99.53% |
| the same, weight 0.9, T = 4 | 22 | 99.07% | 99.33% |
| 104 + 24, narrowed 1, half of each MNIST batch unaugmented (`--clean-share 0.5`) | 22 | 99.60% | 99.07% |
| 96 + 32, narrowed 1, `--clean-share 0.5` | 22 | 99.58% | 99.07% |
| 96 + 32, narrowed 1, `--clean-share 0.25` | 22 | 99.62% | 99.13% |
| the same, `--clean-share 0.125` | 22 | 99.56% | 99.20% |
| 104 + 24, narrowed 1, `--threads 1` (the same recipe and seed; sums in another order) | 22 | 99.45% | 99.40% |
| 96 + 32, `--clean-share 0.5`, no batch normalisation (a bias per layer instead) | 22 | 99.45% | 99.00% |

Fewer drawings buy MNIST accuracy with drawing accuracy, and training longer does not
get both; milder MNIST augmentation (rotation 10 degrees, shear 0.12, thickness on
15% of images) costs MNIST too. A moving average of the weights (decay 0.999 per step)
reads 99.57% of MNIST at epoch 9, while the drawings are still at 98.87%, and ends
where the last step does: the one-cycle schedule already averages. Keeping the stroke
augmentation from widening a 1 (a flag stretched sideways on a slanted stem is an MNIST
7) does what it aims at, MNIST 7s read as 1 fall from 9 to 3, but the held-out writers
lose 5 drawings, mostly 9s read as 7 or 4: between runs that differ in one such detail
the held-out count moves by about 5 drawings (0.3 points) and MNIST by about 6 images,
so no run so far meets 99.5% on MNIST without giving up more on drawings than it gains.
Nor is the network too small for both: half as many channels again in the last
convolution (and so a fc1 half as large again) reads MNIST no better and the drawings
no better, at 46% more parameters and 15% more time per epoch. Nor does MNIST want more
augmentation: an elastic distortion (Simard et al., 2003: a random displacement field
smoothed over 4 px, scaled by 34 px) on half the MNIST images, before the affine warp,
costs 0.5 points of MNIST and a little of the drawings. Nor can the previous model's
decisions be moved afterwards: adding up to 1.5 to the log-probability of 7 and up to 2
to that of 9 (the digits MNIST loses) takes MNIST only from 99.16% to 99.30%, while the
held-out drawings lose up to 0.2 points. The model is confident in those MNIST errors.
With 96 + 32 the narrowed 1 costs the drawings less (at 40/70/90% of the pad, 8/6/6
and 5/8/9 held-out errors over two seeds, against 6/5/7 for the previous recipe) and
takes MNIST 7s read as 1 from 21 to 6 or 7, but MNIST stays at 99.32%; with 104 + 24
(6/6/6 held-out errors) at 99.29%.
Nor does the MNIST-only model (99.60%) teach its boundaries: distilling its softened
answers (Hinton et al., 2015) on the MNIST half of each batch, in place of half or
nine tenths of that half's cross-entropy, reads MNIST worse than the same run without
it (99.15% and 99.07% at the last epoch, 99.29% and 99.23% at best), and the drawings no
better. The option and its test are in commit 631ae4b (`--teacher`), removed after.
Where the trade-off lives: on the 104 + 24 model, one pass that only recomputes the
batch-norm statistics (learning rate 0) from batches of unaugmented MNIST images and
drawings reads 99.60-99.61% of MNIST, but the held-out writers make 15-18/22-25/18-19
errors instead of 6/6/6, whether a batch holds a quarter, half or three quarters MNIST; from
augmented MNIST images, as in training, 99.37% and 10/7/5. Fine-tuning every weight
for two epochs on unaugmented MNIST (with drawings, learning rate 2e-5) ends the same
way: 99.57% and 13/16/10. MNIST's test images want the statistics of MNIST as it is;
the drawings want those the training batches had.
Training on MNIST as it is, then: leaving half of each MNIST batch unaugmented
(`--clean-share 0.5`) is the only recipe here above 99.5% on MNIST (99.58-99.60%; its
MNIST 9s read as 4 fall from 19 to 7-8), but the held-out writers make 13/14/10-11
errors at 40/70/90% instead of 6/6/6, half of them drawn 1s and 9s read as 7. That
still clears 98.5%, yet doubles what a new person sees read wrong, so it is an option
and not the recipe. Two ways to the same balance without training again were measured
on the 104 + 24 model and are not in the code: batch-norm statistics moved part of
the way from the training batches' towards unaugmented MNIST's (a quarter of the way:
99.40% and 12/8/9 errors; the first convolution's alone: 99.38% and 11/8/6; the rest
alone change little), and refitting the last layer on unaugmented MNIST training
images and the training writers' drawings with the features fixed (its bias: 99.35-99.42%
and 7/5/5 to 10/8/6 errors; all its weights: 99.35-99.50% and 8/6/5 to 13/11/11). On the
`--clean-share 0.5` models the same refit wins none of the drawings back: their new
errors are writers' styles, not a shifted prior.
Nor does fine-tuning with the statistics held still: two epochs of every weight on
the 104 + 24 model, its batch-norm statistics frozen, half or all of each MNIST batch
unaugmented (learning rate 1e-4, cosine), read 99.52% and 99.55% of MNIST with 11/9/8
and 13/13/10 held-out errors.
Nor are the statistics the whole of the trade-off: without batch normalisation (each
hidden layer a bias instead, nothing computed across a batch, so no statistics to
disagree; 96 + 32, `--clean-share 0.5`, 64 s per epoch) the network reads 99.45% of MNIST
and makes 10/15/18 held-out errors (43 in all), where the clean-share runs with it read
99.58-99.60% with 37-38.
How far apart two runs of one recipe land: the 104 + 24 recipe with one thread
instead of two (the same seed and data; only the order of the sums differs) reads
99.45% of MNIST and makes 13/9/10 held-out errors, against 99.29% and 6/6/6. A
difference of a few drawings between two single runs says little; the clean share's
13/14/10-11 over three runs says more.
Two networks, one answer: averaging the log-probabilities of a 104 + 24 network and a
`--clean-share 0.5` one reads 99.57% of MNIST with 13/11/7 held-out errors, where the
first alone (the one-thread run above) reads 99.45% with 13/9/10 and the second 99.60%
with 13/14/10. Trained side by side on the same batches, the second one slimmer
(convolutions 24, 48 and 48 wide, 96 features: 5.59 M multiply-accumulates and 410 k
parameters for the pair, within the budget), the pair reads 99.54% with 12/12/8, its
members 99.43% with 9/14/8 and 99.60% with 15/11/9. So a pair meets 99.5% on MNIST
while the drawings stay where its drawing member's are, not where the clean share
alone puts them; in these runs that member made 31-32 held-out errors, which another run
of the same recipe kept to 18. Every operator such a graph needs (two branches of
Conv, MaxPool, Relu, Flatten and Gemm, then Add and Softmax) is one the engine has.
A second run of that pair (22 epochs, 41 minutes on 2 cores, over the budget): the
members read 99.13% with 7/7/6 and 99.57% with 13/12/8, the pair 99.47% with 11/9/6,
and weighted 0.6 towards the first member 99.43% with 8/8/7. So the pair does not hold
99.5% from run to run either. The pair is not the recipe: it rests on two runs, and
it adds half again to the file and to the work per drawing for MNIST's sake.
What the network tells the two apart by: every augmented MNIST training image is
resampled by the affine warp (bilinear), and so slightly blurred, while a drawing is
rendered afresh from its strokes and MNIST's test images are not resampled. On the
previous recipe's network from the pair run (99.13% of MNIST, 7/7/6 held-out errors),
MNIST's test images blurred by a 3x3 kernel (0.2, 0.6, 0.2 along each axis) read
99.69%, moved by a quarter of a pixel (bilinear) 99.61%, scaled by 0.9 or 1.1 99.57-99.59%;
the held-out drawings treated the same way make 34/43/45, 23/30/32 and 24/28/31 to
30/38/39 errors. The network has learnt both conventions (the pen writers' closed 4
and flagged 1, MNIST's open 9 and plain 7), answers sharp images with the drawings'
and blurred ones with MNIST's, and MNIST's sharp test images fall on the drawings'
side: the conflict the clean share settles the other way. Blurring what the app reads
would hand people's drawings to MNIST's side, so nothing of this is in the code. On
the same network, batch-norm statistics recomputed from unaugmented MNIST layer by
layer (all 16 subsets of the four layers, then fractions of the way) give the same
exchange: the first convolution's alone 99.53% and 13/13/13, all four 99.54% and
13/13/12, the best mixes 99.40% with 10/6/7 and 99.46% with 12/8/7. Nor does a sharper
warp escape it: bicubic instead of bilinear (ink-normalised mean absolute Laplacian 1.35
against 1.17; MNIST's test images 1.49, the drawings 1.66), `train.py`'s defaults
otherwise, reads 99.56% of MNIST with 13/10/9 held-out errors, the clean share's
exchange again.
The milder augmentation, the moving average, the wider convolution, the elastic
distortion, the distillation, the statistics pass, the fine-tunes, training without
batch normalisation, the pair and the softened drawings are not in the code; the rest are options: `--mnist-batch`, `--drawing-batch`, `--epochs`, `--narrowed-digits 1`, `--clean-share`.
"""
    with open(os.path.join(HERE, "MODEL.md"), "w") as f:
        f.write(text)
    print("wrote model/MODEL.md and model/training_curve.png")


if __name__ == "__main__":
    main()
