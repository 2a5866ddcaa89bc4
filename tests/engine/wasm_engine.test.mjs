// The WebAssembly engine under Node: the same module the page's worker loads.
//   DIGITS_WASM_DIR=build/wasm/wasm/js NATIVE_PROBABILITIES=... node --test tests/engine/wasm_engine.test.mjs
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-web';
import { decodePng } from './png.mjs';

const root = new URL('../../', import.meta.url).pathname;
const wasmDir = process.env.DIGITS_WASM_DIR ?? join(root, 'build/wasm/wasm/js');
const { createEngine } = await import(join(wasmDir, 'digits.mjs'));
const engine = await createEngine({ wasmBinary: await readFile(join(wasmDir, 'digits_engine.wasm')) });
const modelBytes = await readFile(join(root, 'model/mnist.onnx'));
const classifier = await engine.loadModel(modelBytes);

async function idx(name, folder = join(root, 'tests/fixtures/mnist')) {
  const bytes = gunzipSync(await readFile(join(folder, name)));
  const dims = bytes[3];
  return bytes.subarray(4 + 4 * dims);
}
const images = await idx('t10k-images-idx3-ubyte.gz');
const labels = await idx('t10k-labels-idx1-ubyte.gz');
const count = labels.length;

ort.env.wasm.numThreads = 1;

// ONNX Runtime Web running a model's graph for the answer path, as the page's worker does.
async function ortRunner(bytes) {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  return {
    runGraph: async (input, contract) => {
      const outputs = await session.run({ [contract.inputName]: new ort.Tensor('float32', input, contract.inputShape) });
      return Object.fromEntries(Object.entries(outputs).map(([name, tensor]) => [name, tensor.data]));
    },
    release: () => session.release(),
  };
}

const fixtureModel = (name) => readFile(join(root, 'tests/fixtures/models', `${name}.onnx`));

function largestDifference(a, b) {
  let largest = 0;
  for (let d = 0; d < a.length; d++) largest = Math.max(largest, Math.abs(a[d] - b[d]));
  return largest;
}

// The page downloads the engine on a first visit: its size is a budget, and the link
// settings that hold it there (wasm/js/CMakeLists.txt) are easy to lose.
test('the engine\'s .wasm stays under 150 KB', async () => {
  const bytes = (await readFile(join(wasmDir, 'digits_engine.wasm'))).length;
  assert.ok(bytes < 150 * 1024, `digits_engine.wasm is ${bytes} bytes`);
});

test('model metadata reaches JavaScript', () => {
  assert.match(classifier.info.version, /^digitnet-/);
  assert.ok(Math.abs(classifier.info.normMean - 0.1307) < 0.01);
  assert.ok(Math.abs(classifier.info.normStd - 0.3081) < 0.01);
  assert.equal(classifier.info.inputName, 'input');
  assert.deepEqual(classifier.info.inputShape, [1, 1, 28, 28]);
  assert.equal(classifier.info.scoresName, 'probabilities');
});

test('both engines give the same answers for logits, Softmax, two-output and uint8-weight models', async () => {
  for (const name of ['logits', 'softmax', 'embedding', 'quantized']) {
    const bytes = await fixtureModel(name);
    const native = await engine.loadModel(bytes);
    const other = await engine.loadModel(bytes, await ortRunner(bytes));
    for (let i = 0; i < 200; i++) {
      const image = images.subarray(i * 784, (i + 1) * 784);
      const a = await native.classifyImage(image);
      const b = await other.classifyImage(image);
      assert.equal(a.digit, b.digit, `${name}, image ${i}`);
      assert.ok(largestDifference(a.probabilities, b.probabilities) <= 1e-5, `${name}, image ${i}`);
    }
    native.dispose();
    other.dispose();
  }
  const logits = await engine.loadModel(await fixtureModel('logits'));
  const softmax = await engine.loadModel(await fixtureModel('softmax'));
  const a = await logits.classifyImage(images.subarray(0, 784));
  const b = await softmax.classifyImage(images.subarray(0, 784));
  assert.ok(largestDifference(a.probabilities, b.probabilities) <= 1e-6, 'logits are turned into the same probabilities');
  logits.dispose();
  softmax.dispose();
});

test('a model whose outputs cannot be read is refused by both engines with the same message', async () => {
  const bytes = await fixtureModel('bad_second');
  const message = "the model's second output must be a float32 [N, D] embedding named 'embedding', D at most 1024";
  await assert.rejects(engine.loadModel(bytes), { message });
  await assert.rejects(engine.loadModel(bytes, await ortRunner(bytes)), { message });
});

test('learning, forgetting and switching the memory off, with either engine', async () => {
  const bytes = await fixtureModel('embedding');
  for (const runner of [undefined, await ortRunner(bytes)]) {
    const learner = await engine.loadModel(bytes, runner);
    const image = images.subarray(0, 784);
    const before = await learner.classifyImage(image);
    const other = (before.digit + 1) % 10;
    assert.equal(await learner.learn(image, other), 1);
    const after = await learner.classifyImage(image);
    assert.equal(after.digit, other);
    assert.equal(after.modelDigit, before.digit);
    assert.equal(after.modelConfidence, before.confidence);
    assert.equal(before.modelConfidence, before.confidence);
    assert.equal(after.personal, true);
    learner.memoryEnabled = false;
    assert.equal((await learner.classifyImage(image)).digit, before.digit);
    learner.memoryEnabled = true;
    assert.equal(learner.learnedCount, 1);

    await assert.rejects(learner.learn(image, 10), { message: 'a digit to learn must be 0 to 9' });
    await assert.rejects(learner.learn(image, 2.5), { message: 'a digit to learn must be 0 to 9' });
    await assert.rejects(learner.learn(image.subarray(0, 783), 1), { message: 'learn needs a 784-byte 28x28 image' });
    assert.equal(learner.learnedCount, 1, 'refused lessons change nothing');

    // Taken back: that drawing alone goes, with one inference.
    const second = images.subarray(784, 1568);
    assert.equal(await learner.learn(second, 4), 2);
    await assert.rejects(learner.unlearn(image, before.digit), { message: `no drawing remembered as ${before.digit} is this one` });
    await assert.rejects(learner.unlearn(image, -1), { message: 'a digit to unlearn must be 0 to 9' });
    await assert.rejects(learner.unlearn(image.subarray(1), other), { message: 'unlearn needs a 784-byte 28x28 image' });
    assert.equal(learner.learnedCount, 2, 'refused withdrawals change nothing');
    assert.equal(await learner.unlearn(image, other), 1);
    const withdrawn = await learner.classifyImage(image);
    assert.equal(withdrawn.digit, before.digit);
    assert.deepEqual(withdrawn.probabilities, before.probabilities);
    assert.equal(await learner.learn(image, other), 2);

    learner.forget();
    assert.equal(learner.learnedCount, 0);
    const forgotten = await learner.classifyImage(image);
    assert.equal(forgotten.digit, before.digit);
    assert.equal(forgotten.personal, undefined);
    learner.dispose();
    await assert.rejects(learner.learn(image, 1), { message: 'this classifier has been disposed' });
    await assert.rejects(learner.unlearn(image, other), { message: 'this classifier has been disposed' });
  }
  const plain = await engine.loadModel(await fixtureModel('logits'));
  await assert.rejects(plain.learn(images.subarray(0, 784), 3),
    { message: "this model has no embedding output, so it cannot learn a person's handwriting" });
  await assert.rejects(plain.unlearn(images.subarray(0, 784), 3),
    { message: "this model has no embedding output, so it cannot learn a person's handwriting" });
  plain.dispose();
});

test('loading and disposing 1,000 models leaves the WebAssembly heap where it started', async () => {
  const small = await fixtureModel('embedding');
  // The allocator's own growth is not a leak: warm it up with both models first.
  (await engine.loadModel(small)).dispose();
  (await engine.loadModel(modelBytes)).dispose();
  const start = engine.heapInUse;
  for (let i = 0; i < 1000; i++) {
    const loaded = await engine.loadModel(small);
    await loaded.learn(images.subarray(0, 784), i % 10);
    await loaded.classifyImage(images.subarray(784, 1568));
    loaded.dispose();
  }
  for (let i = 0; i < 20; i++) (await engine.loadModel(modelBytes)).dispose();
  assert.equal(engine.heapInUse, start);
});

test('bad models and canvases are rejected with the engine message', async () => {
  await assert.rejects(engine.loadModel(new Uint8Array(0)), { message: 'model file is empty' });
  await assert.rejects(engine.loadModel(modelBytes.subarray(0, 5000)), /not a valid ONNX model/);
  await assert.rejects(classifier.classify({ data: new Uint8ClampedArray(12), width: 2, height: 2 }),
    { message: 'canvas of 2x2 needs 16 bytes of RGBA, got 12' });
  await assert.rejects(classifier.classify({ data: new Uint8ClampedArray(0), width: 0, height: 0 }),
    { message: 'canvas of 0x0 pixels: each side must be 1 to 4096' });
  await assert.rejects(classifier.classify({ data: new Uint8ClampedArray(4), width: 5000, height: 1 }),
    /each side must be 1 to 4096/);
  await assert.rejects(classifier.classify(undefined), /needs image data/);
});

test('a blank canvas is "nothing drawn", not a guess', async () => {
  const answer = await classifier.classify({ data: new Uint8ClampedArray(300 * 300 * 4), width: 300, height: 300 });
  assert.equal(answer.nothingDrawn, true);
  assert.equal(answer.reason, 'the canvas is blank or the ink too faint');
  assert.equal(answer.digit, undefined);
});

test('the page\'s warm-up at load is a drawing both engines read, not a blank they skip', async () => {
  const { warmUp } = await import(join(root, 'www/js/engines.js'));
  const other = await engine.loadModel(modelBytes, await ortRunner(modelBytes));
  for (const [name, reader] of [['built-in', classifier], ['ONNX Runtime Web', other]]) {
    const answer = await warmUp(reader);
    assert.equal(answer.nothingDrawn, undefined, name);
    assert.equal(answer.digit, 1, `${name} reads the warm-up's bar as a 1`);
  }
  other.dispose();
});

test('preprocessing in WebAssembly matches the Python reference fixtures', async () => {
  const fixtures = join(root, 'model/fixtures/preprocess');
  const { cases } = JSON.parse(await readFile(join(fixtures, 'cases.json'), 'utf8'));
  for (const { name, nothing_drawn: nothingDrawn } of cases) {
    const canvas = decodePng(await readFile(join(fixtures, `${name}.png`)));
    const answer = await classifier.classify(canvas);
    assert.equal(Boolean(answer.nothingDrawn), nothingDrawn, name);
    if (nothingDrawn) continue;
    const expected = await readFile(join(fixtures, `${name}.u8`));
    let worst = 0;
    for (let i = 0; i < 784; i++) worst = Math.max(worst, Math.abs(answer.image[i] - expected[i]));
    assert.ok(worst <= 1, `${name}: differs from the reference by ${worst}`);
  }
});

test('classify() of any canvas leaves out a tap far from the digit, as the pad does', async () => {
  const fixtures = join(root, 'model/fixtures/preprocess');
  const read = async (name) => classifier.classify(decodePng(await readFile(join(fixtures, `${name}.png`))));
  const alone = await read('seven_large_middle');
  const tapped = await read('seven_far_tap');
  assert.equal(alone.digit, 7);
  assert.deepEqual(tapped.image, alone.image);
  assert.deepEqual(tapped.probabilities, alone.probabilities);
});

test('the 10,000 MNIST test images: accuracy, native agreement and ONNX Runtime agreement', async () => {
  const ours = new Float32Array(count * 10);
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const answer = await classifier.classifyImage(images.subarray(i * 784, (i + 1) * 784));
    ours.set(answer.probabilities, i * 10);
    correct += answer.digit === labels[i];
  }
  assert.ok(correct / count >= 0.988, `accuracy ${correct / count}`);  // the model card: 99.59%

  if (process.env.NATIVE_PROBABILITIES) {
    const bytes = await readFile(process.env.NATIVE_PROBABILITIES);
    const native = new Float32Array(bytes.buffer, bytes.byteOffset, count * 10);
    let largest = 0;
    for (let i = 0; i < native.length; i++) largest = Math.max(largest, Math.abs(native[i] - ours[i]));
    assert.ok(largest <= 1e-5, `WebAssembly and native differ by ${largest}`);
  }

  // ONNX Runtime Web runs the same graph; its outputs go through the same answer path.
  const viaOrt = await engine.loadModel(modelBytes, await ortRunner(modelBytes));
  let sameDigit = 0, largest = 0;
  for (let i = 0; i < count; i++) {
    const answer = await viaOrt.classifyImage(images.subarray(i * 784, (i + 1) * 784));
    largest = Math.max(largest, largestDifference(answer.probabilities, ours.subarray(i * 10, i * 10 + 10)));
    let ourBest = 0;
    for (let d = 1; d < 10; d++) if (ours[i * 10 + d] > ours[i * 10 + ourBest]) ourBest = d;
    sameDigit += answer.digit === ourBest;
  }
  viaOrt.dispose();
  assert.ok(sameDigit / count >= 0.9995, `same digit as ONNX Runtime for ${sameDigit} of ${count}`);
  assert.ok(largest <= 1e-4, `probabilities differ from ONNX Runtime by ${largest}`);
});

test('with 2,000 remembered images the WebAssembly build answers as the native build', async () => {
  // Written by ctest model_with_memory: the first 2,000 test images learned, the rest classified.
  const file = process.env.NATIVE_PERSONAL_PROBABILITIES;
  assert.ok(file, 'NATIVE_PERSONAL_PROBABILITIES names the native build\'s probabilities with a memory');
  const bytes = await readFile(file);
  const learned = 2000;
  const native = new Float32Array(bytes.buffer, bytes.byteOffset, (count - learned) * 10);
  const perDigit = new Array(10).fill(0);
  let largest = 0, personal = 0;
  try {
    for (let i = 0; i < learned; i++) {
      await classifier.learn(images.subarray(i * 784, (i + 1) * 784), labels[i]);
      perDigit[labels[i]] += 1;
    }
    // At most 200 drawings of a digit are kept, the oldest going first.
    assert.equal(classifier.learnedCount, perDigit.reduce((sum, n) => sum + Math.min(n, 200), 0));
    for (let i = learned; i < count; i++) {
      const answer = await classifier.classifyImage(images.subarray(i * 784, (i + 1) * 784));
      const at = (i - learned) * 10;
      largest = Math.max(largest, largestDifference(answer.probabilities, native.subarray(at, at + 10)));
      personal += answer.personal === true;
    }
  } finally {
    classifier.forget();
  }
  assert.ok(personal > 0, 'the memory changed no answer, so the comparison shows nothing');
  assert.ok(largest <= 1e-5, `WebAssembly and native differ by ${largest} with a memory`);
});

test('people\'s drawings (split 0\'s writers): ONNX Runtime and the built-in engine give the same answers', async () => {
  // Written by model/evaluate.py (ctest drawings_accuracy, which sets DRAWINGS_DIR up).
  const folder = process.env.DRAWINGS_DIR;
  assert.ok(folder, 'DRAWINGS_DIR names the folder model/evaluate.py writes the drawings to');
  const viaOrt = await engine.loadModel(modelBytes, await ortRunner(modelBytes));
  for (const fill of [40, 70, 90]) {
    const drawings = await idx(`held-out-${fill}-images.gz`, folder);
    const n = drawings.length / 784;
    assert.ok(n > 1000, `${n} drawings at ${fill}%`);
    let sameDigit = 0, largest = 0;
    for (let i = 0; i < n; i++) {
      const image = drawings.subarray(i * 784, (i + 1) * 784);
      const ours = await classifier.classifyImage(image);
      const theirs = await viaOrt.classifyImage(image);
      largest = Math.max(largest, largestDifference(ours.probabilities, theirs.probabilities));
      sameDigit += ours.digit === theirs.digit;
    }
    assert.ok(largest <= 1e-4, `${fill}%: probabilities differ from ONNX Runtime by ${largest}`);
    assert.equal(sameDigit, n, `${fill}%: same digit for ${sameDigit} of ${n}`);
  }
  viaOrt.dispose();
});
