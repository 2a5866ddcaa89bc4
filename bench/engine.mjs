#!/usr/bin/env node
// Engine benchmark, one run, same model and same inputs (MNIST test images):
// per-inference latency (median and p99, batch 1, one thread) of this engine in
// WebAssembly under Node, of ONNX Runtime Web (wasm backend, numThreads = 1), and of
// this engine natively (`digits bench`); model-load times; each .wasm's size; the
// preprocessing of a canvas the pad's size, which both engines share. The load
// and first inference are also timed in fresh processes (--starts of each engine,
// alternating), since one process's figure moves by half with V8's background work.
//   node bench/engine.mjs [--runs 2000] [--starts 9]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-web';
import { percentile, range, spread } from './figures.mjs';

const root = new URL('../', import.meta.url).pathname;
const option = (name) => Number(process.argv[process.argv.indexOf(name) + 1]);
const runs = option('--runs') || 2000;
const starts = option('--starts') || 9;
const wasmDir = join(root, 'build/wasm/wasm/js');
const modelPath = join(root, 'model/mnist.onnx');
const imagesPath = join(root, 'tests/fixtures/mnist/t10k-images-idx3-ubyte.gz');
const model = readFileSync(modelPath);
const images = gunzipSync(readFileSync(imagesPath)).subarray(16);
const image = (i) => images.subarray((i % 10000) * 784, (i % 10000 + 1) * 784);

// Times both engines in alternating blocks of 100 runs, so that whatever else the
// machine is doing weighs on both alike.
async function timeBoth(runOurs, runTheirs) {
  for (let i = 0; i < 1000; i++) {  // warm up: V8 tiers the wasm up to its optimising compiler
    await runOurs(i);
    await runTheirs(i);
  }
  const times = [[], []];
  for (let block = 0; block < runs / 100; block++) {
    for (const [which, run] of [[0, runOurs], [1, runTheirs]]) {
      for (let i = block * 100; i < (block + 1) * 100; i++) {
        const start = performance.now();
        await run(i);
        times[which].push(performance.now() - start);
      }
    }
  }
  return times.map((t) => ({ median: percentile(t, 0.5), p99: percentile(t, 0.99) }));
}

async function ours() {
  const started = performance.now();
  const { createEngine } = await import(join(wasmDir, 'digits.mjs'));
  const engine = await createEngine({ wasmBinary: readFileSync(join(wasmDir, 'digits_engine.wasm')) });
  const classifier = await engine.loadModel(model);
  const loadMs = performance.now() - started;
  const firstStart = performance.now();
  await classifier.classifyImage(image(0));
  const firstMs = performance.now() - firstStart;
  return { loadMs, firstMs, run: (i) => classifier.classifyImage(image(i)), info: classifier.info, engine,
    wasm: readFileSync(join(wasmDir, 'digits_engine.wasm')) };
}

async function onnxRuntime(normMean, normStd) {
  ort.env.wasm.numThreads = 1;
  const started = performance.now();
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  const loadMs = performance.now() - started;
  // Inputs are normalised outside the timed part: ONNX Runtime is timed on run() alone.
  const inputs = Array.from({ length: 10000 }, (_, i) =>
    new ort.Tensor('float32', Float32Array.from(image(i), (p) => (p / 255 - normMean) / normStd), [1, 1, 28, 28]));
  const firstStart = performance.now();
  await session.run({ input: inputs[0] });
  const firstMs = performance.now() - firstStart;
  const wasm = readFileSync(join(root, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'));
  return { loadMs, firstMs, run: (i) => session.run({ input: inputs[i % 10000] }), wasm };
}

// A child started with `--cold ours` or `--cold ort MEAN STD`: one load and first
// inference in a fresh process, printed as JSON.
const cold = process.argv.indexOf('--cold');
if (cold >= 0) {
  const which = process.argv[cold + 1];
  const { loadMs, firstMs } = which === 'ort'
    ? await onnxRuntime(Number(process.argv[cold + 2]), Number(process.argv[cold + 3])) : await ours();
  console.log(JSON.stringify({ loadMs, firstMs }));
  process.exit(0);
}

function coldStarts(info) {
  const times = { ours: [], ort: [] };
  for (let i = 0; i < starts; i++) {
    for (const [which, extra] of [['ours', []], ['ort', [String(info.normMean), String(info.normStd)]]]) {
      const output = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--cold', which, ...extra]);
      times[which].push(JSON.parse(output.toString()));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([which, list]) => [which, {
    load: spread(list.map((t) => t.loadMs)), first: spread(list.map((t) => t.firstMs)),
    total: spread(list.map((t) => t.loadMs + t.firstMs)),
  }]));
}

// The pad's canvas as the classifier gets it: 280x280 RGBA, dark ink on transparent, a
// digit (MNIST test image i, scaled up) across the middle 60% of it.
function padCanvas(i) {
  const side = 280, digit = 168, offset = (side - digit) / 2;
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < digit; y++) {
    for (let x = 0; x < digit; x++) {
      const at = ((y + offset) * side + x + offset) * 4;
      data.set([26, 26, 46, image(i)[Math.floor(y / 6) * 28 + Math.floor(x / 6)]], at);
    }
  }
  return { data, width: side, height: side };
}

// Preprocessing alone (both engines share it): the time an answer to the pad takes
// before the model runs.
async function preprocessing({ engine, info }) {
  const canvases = Array.from({ length: 100 }, (_, i) => padCanvas(i));
  const times = [];
  for (let i = 0; i < runs / 2; i++) {
    const start = performance.now();
    await engine.preprocess(canvases[i % 100], info);
    if (i >= 100) times.push(performance.now() - start);  // the first 100 warm V8 up
  }
  return { median: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

const native = JSON.parse(execFileSync(join(root, 'build/native/wasm/cli/digits'),
  ['bench', '--json', '--runs', String(runs), '--model', modelPath, '--images', imagesPath]).toString());
const wasm = await ours();
const reference = await onnxRuntime(wasm.info.normMean, wasm.info.normStd);
const [ourLatency, theirLatency] = await timeBoth(wasm.run, reference.run);
Object.assign(wasm, ourLatency);
Object.assign(reference, theirLatency);
const preprocessed = await preprocessing(wasm);
const starting = coldStarts(wasm.info);

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value) => value.toFixed(3);
console.log(`Engine benchmark: model/mnist.onnx, batch 1, one thread, ${runs} runs over MNIST test images`);
console.log(`Node ${process.version}, onnxruntime-web ${JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-web/package.json'))).version}\n`);
console.log('| engine | load (ms) | first inference (ms) | median (ms) | p99 (ms) | .wasm (raw / gzip) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
console.log(`| this engine, WebAssembly (Node) | ${wasm.loadMs.toFixed(1)} | ${ms(wasm.firstMs)} | ${ms(wasm.median)} | ${ms(wasm.p99)} | ${kb(wasm.wasm.length)} / ${kb(gzipSync(wasm.wasm).length)} |`);
console.log(`| ONNX Runtime Web, wasm (Node) | ${reference.loadMs.toFixed(1)} | ${ms(reference.firstMs)} | ${ms(reference.median)} | ${ms(reference.p99)} | ${kb(reference.wasm.length)} / ${kb(gzipSync(reference.wasm).length)} |`);
console.log(`| this engine, native | ${native.load_ms.toFixed(1)} | ${ms(native.first_inference_ms)} | ${ms(native.median_ms)} | ${ms(native.p99_ms)} | — |`);
console.log(`\nWebAssembly latency / ONNX Runtime Web latency (median): ${(wasm.median / reference.median).toFixed(2)} (target at most 0.5)`);
console.log(`\nPreprocessing the pad's 280x280 canvas (both engines), WebAssembly: median ${ms(preprocessed.median)} ms, ` +
  `p99 ${ms(preprocessed.p99)} ms`);
console.log(`\nLoad (import, instantiate, model) and first inference in ${starts} fresh processes each, alternating,`);
console.log('median (lowest-highest), ms:\n');
console.log('| engine | load | first inference | load plus first inference |');
console.log('| --- | ---: | ---: | ---: |');
for (const [which, name] of [['ours', 'this engine, WebAssembly (Node)'], ['ort', 'ONNX Runtime Web, wasm (Node)']]) {
  const t = starting[which];
  console.log(`| ${name} | ${range(t.load)} | ${range(t.first)} | ${range(t.total)} |`);
}
console.log(`\nLoad plus first inference, WebAssembly: ${starting.ours.total.median.toFixed(1)} ms, median of ${starts} ` +
  `fresh processes (target under 20 ms); ${(wasm.loadMs + wasm.firstMs).toFixed(1)} ms in this one`);
console.log(`Our .wasm: ${kb(wasm.wasm.length)} (target under 150 KB)`);
