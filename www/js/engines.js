// The two engines behind one interface, inside the worker. Preprocessing is always the
// project's C++ (WebAssembly), so both engines see exactly the same 28x28 input.
//   'native'  the project's own engine runs the model
//   'ort'     ONNX Runtime Web runs it (loaded from this site, only when chosen)
//   'auto'    native where it can run the model, else ONNX Runtime Web
const ASSETS = new URL('../assets.json', import.meta.url);

let assetsPromise = null;
let digitsPromise = null;
const modelCache = new Map();

function assets() {
  assetsPromise ??= fetch(ASSETS).then((response) => {
    if (!response.ok) throw new Error(`the app's file list is missing (HTTP ${response.status}); reload the page`);
    return response.json();
  });
  return assetsPromise;
}

function url(path) {
  return new URL(path, ASSETS).href;
}

async function fetchBytes(path, what) {
  let response;
  try {
    response = await fetch(url(path));
  } catch {
    throw new Error(`${what} could not be downloaded; check the connection and reload`);
  }
  if (!response.ok) throw new Error(`${what} is missing (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

async function digitsModule() {
  digitsPromise ??= (async () => {
    const list = await assets();
    const { createEngine } = await import(url(list.engine.module));
    return createEngine({ wasmUrl: url(list.engine.wasm) });
  })();
  return digitsPromise;
}

async function model() {
  const list = await assets();
  if (!modelCache.has(list.model.file)) modelCache.set(list.model.file, fetchBytes(list.model.file, 'the model'));
  return modelCache.get(list.model.file);
}

export async function loadEngine(choice) {
  const started = performance.now();
  const [digits, bytes] = await Promise.all([digitsModule(), model()]);
  let fallback = null;
  if (choice !== 'ort') {
    try {
      const classifier = await digits.loadModel(bytes);
      return nativeEngine(classifier, performance.now() - started);
    } catch (error) {
      if (choice === 'native') throw new Error(`the built-in engine cannot run this model: ${error.message}`);
      fallback = error.message;
    }
  }
  return ortEngine(digits, bytes, started, fallback);
}

function nativeEngine(classifier, loadMs) {
  return {
    description: { engine: 'native', modelVersion: classifier.info.version, loadMs },
    async classify(imageData) {
      const answer = await classifier.classify(imageData);
      return { ...answer, engine: 'native' };
    },
    dispose() {
      classifier.dispose();
    },
  };
}

async function ortEngine(digits, bytes, started, fallback) {
  const info = await digits.readModelInfo(bytes);
  const list = await assets();
  const ort = await import(url(list.ort.module));
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = url(list.ort.dir);
  let session;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  } catch (error) {
    throw new Error(`ONNX Runtime Web could not load the model: ${error.message}`);
  }
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  return {
    description: { engine: 'ort', modelVersion: info.version, loadMs: performance.now() - started, fallback },
    async classify(imageData) {
      const begun = performance.now();
      const prepared = await digits.preprocess(imageData, info);
      if (prepared.nothingDrawn) return { ...prepared, engine: 'ort', ms: performance.now() - begun };
      const output = await session.run({ [inputName]: new ort.Tensor('float32', prepared.input, [1, 1, 28, 28]) });
      const probabilities = asProbabilities(Array.from(output[outputName].data));
      let digit = 0;
      for (let d = 1; d < probabilities.length; d++) if (probabilities[d] > probabilities[digit]) digit = d;
      return {
        digit, confidence: probabilities[digit], probabilities, image: prepared.image, engine: 'ort',
        ms: performance.now() - begun,
      };
    },
    dispose() {
      session.release();
    },
  };
}

// The shipped model ends in Softmax; a model that gives scores gets one here.
function asProbabilities(values) {
  const sum = values.reduce((a, b) => a + b, 0);
  if (values.every((v) => v >= 0) && Math.abs(sum - 1) < 1e-3) return values;
  const top = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}
