// The digit engine as an ES module, for a page, a Web Worker or Node.
//
//   import { createEngine } from './digits.mjs';
//   const engine = await createEngine({ wasmUrl: 'digits_engine.wasm' });  // Node: { wasmBinary: bytes }
//   const classifier = await engine.loadModel(modelBytes);   // rejects with the engine's message
//   const answer = await classifier.classify(imageData);     // a canvas ImageData or {data, width, height}
//   // { digit, confidence, probabilities[10], image: Uint8Array(784), ms } or { nothingDrawn: true, reason, ms }
//
// For another runtime (ONNX Runtime Web) the same module preprocesses alone:
//   const info = await engine.readModelInfo(modelBytes);          // norm values, version
//   const prepared = await engine.preprocess(imageData, info);    // { image, input: Float32Array(784) }
//
// Every failure is a rejected promise whose Error carries the engine's own message.
import createDigitsModule from './digits_engine.mjs';

const MESSAGE_BYTES = 1024;
const DIGITS = 10;
const PIXELS = 784;
const NOTHING_DRAWN = -1;

export async function createEngine({ wasmUrl, wasmBinary } = {}) {
  const options = {};
  if (wasmBinary) options.wasmBinary = wasmBinary;
  if (wasmUrl) options.locateFile = () => wasmUrl;
  return new Engine(await createDigitsModule(options));
}

function readString(module, pointer) {
  const bytes = module.HEAPU8;
  let end = pointer;
  while (bytes[end] !== 0) end += 1;
  return new TextDecoder().decode(bytes.subarray(pointer, end));
}

class Engine {
  constructor(module) {
    this.module = module;
    this.scratch = new Scratch(module);
  }

  async readModelInfo(bytes) {
    const m = this.module;
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const model = this.scratch.stage(data);
    const message = this.scratch.message;
    const norm = this.scratch.floats;
    if (m._digits_model_info(model, data.length, message, MESSAGE_BYTES, norm) !== 0) {
      throw new Error(readString(m, message));
    }
    const [version, accuracy] = readString(m, message).split('\n');
    const [normMean, normStd] = new Float32Array(m.HEAPU8.buffer, norm, 2);
    return { version, normMean, normStd, mnistTestAccuracy: accuracy };
  }

  async preprocess(imageData, { normMean, normStd }) {
    const { data, width, height } = imageData ?? {};
    if (!data || typeof data.length !== 'number') throw new Error('preprocess needs image data: { data, width, height }');
    const m = this.module;
    const started = performance.now();
    const input = this.scratch.stage(data);
    const { message, image, floats } = this.scratch;
    const code = m._digits_preprocess(input, data.length, width | 0, height | 0, normMean, normStd, image, floats,
      message, MESSAGE_BYTES);
    if (code === NOTHING_DRAWN) return { nothingDrawn: true, reason: readString(m, message), ms: performance.now() - started };
    if (code < 0) throw new Error(readString(m, message));
    return {
      image: m.HEAPU8.slice(image, image + PIXELS),
      input: new Float32Array(m.HEAPU8.buffer, floats, PIXELS).slice(),
      ms: performance.now() - started,
    };
  }

  async loadModel(bytes) {
    const m = this.module;
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const model = m._malloc(Math.max(1, data.length));
    const message = m._malloc(MESSAGE_BYTES);
    try {
      m.HEAPU8.set(data, model);
      const handle = m._digits_classifier_create(model, data.length, message, MESSAGE_BYTES);
      if (!handle) throw new Error(readString(m, message));
      return new Classifier(m, handle);
    } finally {
      m._free(model);
      m._free(message);
    }
  }
}

// Buffers in wasm memory for one call at a time, reused: an input that grows as needed,
// the 28x28 image, 784 floats and a message.
class Scratch {
  constructor(module) {
    this.module = module;
    this.image = module._malloc(PIXELS);
    this.floats = module._malloc(PIXELS * 4);
    this.message = module._malloc(MESSAGE_BYTES);
    this.input = 0;
    this.capacity = 0;
  }

  stage(bytes) {
    const m = this.module;
    if (bytes.length > this.capacity || !this.input) {
      if (this.input) m._free(this.input);
      this.capacity = Math.max(1, bytes.length);
      this.input = m._malloc(this.capacity);
    }
    m.HEAPU8.set(bytes, this.input);
    return this.input;
  }

  free() {
    for (const pointer of [this.image, this.floats, this.message, this.input]) if (pointer) this.module._free(pointer);
  }
}

class Classifier {
  constructor(module, handle) {
    this.module = module;
    this.handle = handle;
    this.scratch = new Scratch(module);
    const { message, floats } = this.scratch;
    module._digits_classifier_info(handle, message, MESSAGE_BYTES, floats);
    const [version, accuracy] = readString(module, message).split('\n');
    const [normMean, normStd] = new Float32Array(module.HEAPU8.buffer, floats, 2);
    this.info = { version, normMean, normStd, mnistTestAccuracy: accuracy };
  }

  // A canvas: ImageData, or any { data: RGBA bytes, width, height }.
  async classify(imageData) {
    const { data, width, height } = imageData ?? {};
    if (!data || typeof data.length !== 'number') throw new Error('classify needs image data: { data, width, height }');
    const started = performance.now();
    const input = this.stage(data);
    const { floats, image, message } = this.scratch;
    const code = this.module._digits_classify_canvas(
      this.handle, input, data.length, width | 0, height | 0, floats, image, message, MESSAGE_BYTES);
    return this.answer(code, performance.now() - started);
  }

  // An already preprocessed 28x28 image (784 bytes, 0 background, 255 ink).
  async classifyImage(pixels) {
    if (!pixels || pixels.length !== PIXELS) throw new Error(`classifyImage needs ${PIXELS} pixels`);
    const started = performance.now();
    const input = this.stage(pixels);
    const { floats, image, message } = this.scratch;
    const code = this.module._digits_classify_image(this.handle, input, floats, image, message, MESSAGE_BYTES);
    return this.answer(code, performance.now() - started);
  }

  dispose() {
    this.module._digits_classifier_destroy(this.handle);
    this.scratch.free();
    this.handle = 0;
  }

  stage(bytes) {
    if (!this.handle) throw new Error('this classifier has been disposed');
    return this.scratch.stage(bytes);
  }

  answer(code, ms) {
    const m = this.module;
    const { floats, image, message } = this.scratch;
    if (code === NOTHING_DRAWN) return { nothingDrawn: true, reason: readString(m, message), ms };
    if (code < 0) throw new Error(readString(m, message));
    const probabilities = Array.from(new Float32Array(m.HEAPU8.buffer, floats, DIGITS));
    return { digit: code, confidence: probabilities[code], probabilities, image: m.HEAPU8.slice(image, image + PIXELS), ms };
  }
}
