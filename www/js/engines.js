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
      return describe(await digits.loadModel(bytes), 'native', started);
    } catch (error) {
      if (choice === 'native') throw new Error(`the built-in engine cannot run this model: ${error.message}`);
      fallback = error.message;
    }
  }
  return describe(await ortClassifier(digits, bytes), 'ort', started, fallback);
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
  const ort = await import(url(list.ort.module));
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
