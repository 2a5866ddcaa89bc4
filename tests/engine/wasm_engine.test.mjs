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

async function idx(name) {
  const bytes = gunzipSync(await readFile(join(root, 'tests/fixtures/mnist', name)));
  const dims = bytes[3];
  return bytes.subarray(4 + 4 * dims);
}
const images = await idx('t10k-images-idx3-ubyte.gz');
const labels = await idx('t10k-labels-idx1-ubyte.gz');
const count = labels.length;

test('model metadata reaches JavaScript', () => {
  assert.match(classifier.info.version, /^digitnet-/);
  assert.ok(Math.abs(classifier.info.normMean - 0.1307) < 0.01);
  assert.ok(Math.abs(classifier.info.normStd - 0.3081) < 0.01);
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

test('the 10,000 MNIST test images: accuracy, native agreement and ONNX Runtime agreement', async () => {
  const ours = new Float32Array(count * 10);
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const answer = await classifier.classifyImage(images.subarray(i * 784, (i + 1) * 784));
    ours.set(answer.probabilities, i * 10);
    correct += answer.digit === labels[i];
  }
  assert.ok(correct / count >= 0.994, `accuracy ${correct / count}`);

  if (process.env.NATIVE_PROBABILITIES) {
    const bytes = await readFile(process.env.NATIVE_PROBABILITIES);
    const native = new Float32Array(bytes.buffer, bytes.byteOffset, count * 10);
    let largest = 0;
    for (let i = 0; i < native.length; i++) largest = Math.max(largest, Math.abs(native[i] - ours[i]));
    assert.ok(largest <= 1e-5, `WebAssembly and native differ by ${largest}`);
  }

  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(modelBytes, { executionProviders: ['wasm'] });
  const mean = classifier.info.normMean, std = classifier.info.normStd;
  const input = new Float32Array(784);
  let sameDigit = 0, largest = 0;
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < 784; p++) input[p] = (images[i * 784 + p] / 255 - mean) / std;
    const { probabilities } = await session.run({ input: new ort.Tensor('float32', input, [1, 1, 28, 28]) });
    let best = 0;
    for (let d = 0; d < 10; d++) {
      largest = Math.max(largest, Math.abs(probabilities.data[d] - ours[i * 10 + d]));
      if (probabilities.data[d] > probabilities.data[best]) best = d;
    }
    let ourBest = 0;
    for (let d = 1; d < 10; d++) if (ours[i * 10 + d] > ours[i * 10 + ourBest]) ourBest = d;
    sameDigit += best === ourBest;
  }
  await session.release();
  assert.ok(sameDigit / count >= 0.9995, `same digit as ONNX Runtime for ${sameDigit} of ${count}`);
  assert.ok(largest <= 1e-4, `probabilities differ from ONNX Runtime by ${largest}`);
});
