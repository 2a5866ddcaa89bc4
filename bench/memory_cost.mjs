#!/usr/bin/env node
// What the personal memory costs in WebAssembly, one thread: a classification with 2,000
// remembered drawings against none, rebuilding a full memory (what every engine start
// does, learning each stored drawing again), and withdrawing one lesson with unlearn()
// (what a changed answer or a removed drawing costs). Alternating blocks, medians.
//   scripts/build.sh && node bench/memory_cost.mjs [--model model/mnist.onnx]
// bench/personal.mjs reports the same after its accuracy figures, on a split's model.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { median } from './figures.mjs';

// classifier: a loaded classifier with an embedding; image(i): a 784-byte image for any i
// (learned as digit i % 10, which is all the cost depends on). Leaves the memory empty.
export async function memoryCost(classifier, image, blocks = 10) {
  const timeBlock = async (count) => {
    const start = performance.now();
    for (let i = 0; i < count; i++) await classifier.classifyImage(image(i));
    return (performance.now() - start) / count;
  };
  await timeBlock(500);
  const empty = [], full = [], rebuild = [], withdraw = [];
  for (let block = 0; block < blocks; block++) {
    classifier.forget();
    empty.push(await timeBlock(200));
    const start = performance.now();
    let i = 0;
    for (; classifier.learnedCount < 2000; i++) await classifier.learn(image(i), i % 10);
    rebuild.push(performance.now() - start);
    full.push(await timeBlock(200));
    const last = i - 1;
    const before = performance.now();
    await classifier.unlearn(image(last), last % 10);
    withdraw.push(performance.now() - before);
  }
  classifier.forget();
  return { empty: median(empty), full: median(full), rebuild: median(rebuild), unlearn: median(withdraw) };
}

export function describeCost({ empty, full, rebuild, unlearn }) {
  return `Classification (WebAssembly, one thread): ${empty.toFixed(4)} ms with an empty memory, ` +
    `${full.toFixed(4)} ms with 2,000 drawings remembered (+${(full - empty).toFixed(4)} ms). ` +
    `Rebuilding those 2,000: ${rebuild.toFixed(0)} ms; unlearn() of one: ${unlearn.toFixed(3)} ms.`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = new URL('../', import.meta.url).pathname;
  const at = process.argv.indexOf('--model');
  const modelPath = at > 0 ? process.argv[at + 1] : join(root, 'model/mnist.onnx');
  const wasmDir = join(root, 'build/wasm/wasm/js');
  const { createEngine } = await import(join(wasmDir, 'digits.mjs'));
  const engine = await createEngine({ wasmBinary: readFileSync(join(wasmDir, 'digits_engine.wasm')) });
  const classifier = await engine.loadModel(readFileSync(modelPath));
  // The MNIST test set's images, drawn in turn (the cost does not depend on what they show).
  const raw = gunzipSync(readFileSync(join(root, 'tests/fixtures/mnist/t10k-images-idx3-ubyte.gz'))).subarray(16);
  const image = (i) => raw.subarray((i % 10000) * 784, (i % 10000 + 1) * 784);
  console.log(`${modelPath}, Node ${process.version}`);
  console.log(describeCost(await memoryCost(classifier, image)));
  classifier.dispose();
  engine.dispose();
}
