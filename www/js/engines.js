// The two engines behind one interface, inside the worker. Preprocessing is always the
// project's C++ (WebAssembly), so both engines see exactly the same 28x28 input.
//   'native'  the project's own engine runs the model
//   'ort'     ONNX Runtime Web runs it (loaded from this site, only when chosen)
//   'auto'    native where it can run the model, else ONNX Runtime Web
import { MODEL_CANVAS, MODEL_LINE_WIDTH } from './pad.js';

const ASSETS = new URL('../assets.json', import.meta.url);

let assetsPromise = null;

function assets() {
  assetsPromise ??= fetch(ASSETS).then((response) => {
    if (!response.ok) throw new Error(`the app's file list is missing (HTTP ${response.status}); reload the page`);
    return response.json();
  }).catch((error) => {
    assetsPromise = null;
    throw error;
  });
  return assetsPromise;
}

function url(path) {
  return new URL(path, ASSETS).href;
}

// Downloads an asset ({ path, bytes }), reporting each chunk's size to onBytes. A failure
// is forgotten, so that trying again downloads again.
async function fetchBytes({ path }, what, onBytes) {
  let response;
  try {
    response = await fetch(url(path));
    if (!response.ok) throw new Error(`${what} is missing (HTTP ${response.status})`);
    const chunks = [];
    let length = 0;
    for (const reader = response.body.getReader(); ;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
      onBytes(value.length);
    }
    const bytes = new Uint8Array(length);
    chunks.reduce((at, chunk) => (bytes.set(chunk, at), at + chunk.length), 0);
    return bytes;
  } catch (error) {
    throw new Error(error.message.includes('HTTP') ? error.message
      : `${what} could not be downloaded; check the connection and try again`);
  }
}

// A module of the app's, imported; a failed download said as fetchBytes says it (the
// browser's own message names only the URL).
async function importModule(path, what) {
  try {
    return await import(url(path));
  } catch (error) {
    console.warn(error);
    throw new Error(`${what} could not be downloaded; check the connection and try again`);
  }
}

function once(cache, key, start) {
  if (!cache.has(key)) cache.set(key, start().catch((error) => { cache.delete(key); throw error; }));
  return cache.get(key);
}

const downloads = new Map();

// The engine module and the model, downloaded once; onProgress(fraction) as they arrive.
async function engineAndModel(onProgress) {
  const list = await assets();
  const total = list.engine.wasm.bytes + list.model.bytes;
  let loaded = 0;
  const count = (bytes) => {
    loaded += bytes;
    onProgress(Math.min(1, loaded / total));
  };
  const digits = once(downloads, list.engine.wasm.path, async () => {
    const [{ createEngine }, wasmBinary] = await Promise.all([
      importModule(list.engine.module, 'the recognition engine'),
      fetchBytes(list.engine.wasm, 'the recognition engine', count)]);
    return createEngine({ wasmBinary });
  });
  const model = once(downloads, list.model.path, () => fetchBytes(list.model, 'the model', count));
  return Promise.all([digits, model]);
}

export async function loadEngine(choice, onProgress = () => {}) {
  const started = performance.now();
  const [digits, bytes] = await engineAndModel(onProgress);
  let fallback = null;
  if (choice !== 'ort') {
    try {
      return describe(await warmedUp(await digits.loadModel(bytes)), 'native', started);
    } catch (error) {
      if (choice === 'native') throw new Error(`the built-in engine cannot run this model: ${error.message}`);
      fallback = error.message;
    }
  }
  return describe(await warmedUp(await ortClassifier(digits, bytes)), 'ort', started, fallback);
}

// A classifier's first answer runs code the browser has only just compiled, with its
// quick baseline compiler, on memory touched for the first time. One answer at load, to
// a bar nobody sees on a canvas of the pad's size, pays for that while the person is
// still drawing: the first stroke's answer on a first visit came 23 ms after the stroke
// ended (30 with ONNX Runtime Web), now 14 (15), as the answers after it (bench/web.mjs;
// docs/BENCHMARKS.md).
export async function warmUp(classifier) {
  const side = MODEL_CANVAS;
  const data = new Uint8ClampedArray(side * side * 4);
  const ink = Math.round(MODEL_LINE_WIDTH * side);
  for (let y = side / 8; y < side - side / 8; y++) {
    for (let x = (side - ink) / 2; x < (side + ink) / 2; x++) data.set([0, 0, 0, 255], (y * side + x) * 4);
  }
  return classifier.classify({ data, width: side, height: side });
}

async function warmedUp(classifier) {
  try {
    await warmUp(classifier);
  } catch (error) {
    classifier.dispose();
    throw error;
  }
  return classifier;
}

// The classifier with what the page shows about it; both engines answer through the
// same C++ answer path, so they differ only in who runs the graph.
function describe(classifier, engine, started, fallback = null) {
  return {
    classifier,
    description: {
      engine, modelVersion: classifier.info.version, loadMs: performance.now() - started, fallback,
      canLearn: classifier.info.embeddingSize > 0,
    },
  };
}

// ONNX Runtime Web runs the graph; the input's name and shape and the outputs to read
// come from the model's contract.
async function ortClassifier(digits, bytes) {
  const list = await assets();
  const ort = await importModule(list.ort.module, 'ONNX Runtime Web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = url(list.ort.dir);
  let session;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  } catch (error) {
    throw new Error(`ONNX Runtime Web could not load the model: ${error.message}`);
  }
  const runGraph = async (input, contract) => {
    const outputs = await session.run({ [contract.inputName]: new ort.Tensor('float32', input, contract.inputShape) });
    return Object.fromEntries(Object.entries(outputs).map(([name, tensor]) => [name, tensor.data]));
  };
  try {
    return await digits.loadModel(bytes, { runGraph, release: () => session.release() });
  } catch (error) {
    await session.release();
    throw error;
  }
}
