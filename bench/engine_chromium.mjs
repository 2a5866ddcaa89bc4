#!/usr/bin/env node
// The engines' cold start where the app runs them: Chromium, each start in a new browser
// context (no HTTP cache or compiled code carried over from the one before), this engine
// and ONNX Runtime Web (wasm backend, one thread) in turn, on the same model and MNIST test
// image. Times the import and instantiation, the model's load, the first inference, and
// the median of the inferences after it. The files come from a local server, so download
// time is near zero: the figures are the browser's work.
//   scripts/build.sh && node bench/engine_chromium.mjs [--starts 9]
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { launch } from '../tests/e2e/harness.mjs';
import { median, range, spread } from './figures.mjs';

const root = new URL('../', import.meta.url).pathname;
const starts = Number(process.argv[process.argv.indexOf('--starts') + 1]) || 9;
const ortDist = join(root, 'node_modules/onnxruntime-web/dist');
const folders = { '/ours/': join(root, 'build/wasm/wasm/js'), '/ort/': ortDist };
const types = { mjs: 'text/javascript', wasm: 'application/wasm', onnx: 'application/octet-stream', bin: 'application/octet-stream' };

// The model, and the first MNIST test image as bytes and as ONNX Runtime's normalised input.
const model = readFileSync(join(root, 'model/mnist.onnx'));
const image = gunzipSync(readFileSync(join(root, 'tests/fixtures/mnist/t10k-images-idx3-ubyte.gz'))).subarray(16, 16 + 784);
const { createEngine } = await import(join(folders['/ours/'], 'digits.mjs'));
const contract = await (await createEngine({ wasmBinary: readFileSync(join(folders['/ours/'], 'digits_engine.wasm')) }))
  .readModelContract(model);
const files = {
  '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>engine start</title>'],
  '/model.onnx': [types.onnx, model],
  '/image.bin': [types.bin, Buffer.from(image)],
  '/input.bin': [types.bin, Buffer.from(Float32Array.from(image, (p) => (p / 255 - contract.normMean) / contract.normStd).buffer)],
};

const server = createServer((request, response) => {
  const path = new URL(request.url, 'http://localhost').pathname;
  const folder = Object.keys(folders).find((prefix) => path.startsWith(prefix));
  try {
    const [type, body] = files[path] ??
      [types[path.split('.').pop()], readFileSync(join(folders[folder], path.slice(folder.length).replace(/\.\./g, '')))];
    // Cross-origin isolated, so that performance.now() counts microseconds, not tenths of a ms.
    response.writeHead(200, {
      'content-type': type ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
    });
    response.end(body);
  } catch {
    response.writeHead(404);
    response.end();
  }
}).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

// In the page: inputs fetched first, then each step timed; 200 inferences after the first.
async function ours() {
  const bytes = (path) => fetch(path).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b));
  const [modelBytes, image] = await Promise.all([bytes('/model.onnx'), bytes('/image.bin')]);
  const t0 = performance.now();
  const { createEngine } = await import('/ours/digits.mjs');
  const engine = await createEngine({ wasmUrl: '/ours/digits_engine.wasm' });
  const t1 = performance.now();
  const classifier = await engine.loadModel(modelBytes);
  const t2 = performance.now();
  await classifier.classifyImage(image);
  const t3 = performance.now();
  const after = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    await classifier.classifyImage(image);
    after.push(performance.now() - start);
  }
  return { start: t1 - t0, load: t2 - t1, first: t3 - t2, after };
}

async function onnxRuntime() {
  const bytes = (path) => fetch(path).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b));
  const [modelBytes, input] = await Promise.all([bytes('/model.onnx'), bytes('/input.bin')]);
  const t0 = performance.now();
  const ort = await import('/ort/ort.wasm.min.mjs');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = '/ort/';
  const t1 = performance.now();
  // ONNX Runtime instantiates its WebAssembly with the first session.
  const session = await ort.InferenceSession.create(modelBytes, { executionProviders: ['wasm'] });
  const t2 = performance.now();
  const tensor = new ort.Tensor('float32', new Float32Array(input.buffer), [1, 1, 28, 28]);
  await session.run({ input: tensor });
  const t3 = performance.now();
  const after = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    await session.run({ input: tensor });
    after.push(performance.now() - start);
  }
  return { start: t1 - t0, load: t2 - t1, first: t3 - t2, after };
}

const browser = await launch();
const runs = { ours: [], ort: [] };
for (let i = 0; i < starts; i++) {
  for (const [which, run] of [['ours', ours], ['ort', onnxRuntime]]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    const result = await page.evaluate(run);
    runs[which].push({ ...result, after: median(result.after) });
    await context.close();
  }
}
await browser.close();
server.close();

const figures = Object.fromEntries(Object.entries(runs).map(([which, list]) => [which, {
  start: spread(list.map((r) => r.start)), load: spread(list.map((r) => r.load)), first: spread(list.map((r) => r.first)),
  total: spread(list.map((r) => r.start + r.load + r.first)), after: spread(list.map((r) => r.after)),
}]));
console.log(`Engine start in Chromium ${browser.version()}, headless: ${starts} new browser contexts per engine, alternating;`);
console.log('model/mnist.onnx, batch 1, one thread; median (lowest-highest), ms\n');
console.log('| engine | import (and instantiate) | load the model | first inference | together | inference after (median of 200) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [which, name] of [['ours', 'this engine'], ['ort', 'ONNX Runtime Web (instantiated by its first session)']]) {
  const f = figures[which];
  console.log(`| ${name} | ${range(f.start)} | ${range(f.load)} | ${range(f.first)} | ${range(f.total)} | ${range(f.after, 3)} |`);
}
console.log(`\nThis engine / ONNX Runtime Web: start to first answer ${(figures.ours.total.median / figures.ort.total.median).toFixed(2)}, ` +
  `inference after ${(figures.ours.after.median / figures.ort.after.median).toFixed(2)} (medians)`);
