// The digit engine as an ES module, for a page, a Web Worker or Node.
//
//   import { createEngine } from './digits.mjs';
//   const engine = await createEngine({ wasmUrl: 'digits_engine.wasm' });  // Node: { wasmBinary: bytes }
//   const classifier = await engine.loadModel(modelBytes);   // rejects with the engine's message
//   const answer = await classifier.classify(imageData);     // a canvas ImageData or {data, width, height}
//   // { digit, confidence, probabilities[10], image: Uint8Array(784), ms } or { nothingDrawn: true, reason, ms }
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

class Classifier {
  constructor(module, handle) {
    this.module = module;
    this.handle = handle;
    this.probabilities = module._malloc(DIGITS * 4);
    this.image = module._malloc(PIXELS);
    this.message = module._malloc(MESSAGE_BYTES);
    this.input = 0;
    this.inputCapacity = 0;
    module._digits_classifier_info(handle, this.message, MESSAGE_BYTES, this.probabilities);
    const [version, accuracy] = readString(module, this.message).split('\n');
    const [normMean, normStd] = new Float32Array(module.HEAPU8.buffer, this.probabilities, 2);
    this.info = { version, normMean, normStd, mnistTestAccuracy: accuracy };
  }

  // A canvas: ImageData, or any { data: RGBA bytes, width, height }.
  async classify(imageData) {
    const { data, width, height } = imageData ?? {};
    if (!data || typeof data.length !== 'number') throw new Error('classify needs image data: { data, width, height }');
    const started = performance.now();
    const input = this.stage(data);
    const code = this.module._digits_classify_canvas(
      this.handle, input, data.length, width | 0, height | 0, this.probabilities, this.image, this.message, MESSAGE_BYTES);
    return this.answer(code, performance.now() - started);
  }

  // An already preprocessed 28x28 image (784 bytes, 0 background, 255 ink).
  async classifyImage(pixels) {
    if (!pixels || pixels.length !== PIXELS) throw new Error(`classifyImage needs ${PIXELS} pixels`);
    const started = performance.now();
    const input = this.stage(pixels);
    const code = this.module._digits_classify_image(
      this.handle, input, this.probabilities, this.image, this.message, MESSAGE_BYTES);
    return this.answer(code, performance.now() - started);
  }

  dispose() {
    const m = this.module;
    m._digits_classifier_destroy(this.handle);
    for (const pointer of [this.probabilities, this.image, this.message, this.input]) if (pointer) m._free(pointer);
    this.handle = 0;
  }

  // Copies bytes into wasm memory, reusing one buffer that grows as needed.
  stage(bytes) {
    if (!this.handle) throw new Error('this classifier has been disposed');
    const m = this.module;
    if (bytes.length > this.inputCapacity) {
      if (this.input) m._free(this.input);
      this.input = m._malloc(bytes.length);
      this.inputCapacity = bytes.length;
    }
    m.HEAPU8.set(bytes, this.input);
    return this.input;
  }

  answer(code, ms) {
    const m = this.module;
    if (code === NOTHING_DRAWN) return { nothingDrawn: true, reason: readString(m, this.message), ms };
    if (code < 0) throw new Error(readString(m, this.message));
    const probabilities = Array.from(new Float32Array(m.HEAPU8.buffer, this.probabilities, DIGITS));
    const image = m.HEAPU8.slice(this.image, this.image + PIXELS);
    return { digit: code, confidence: probabilities[code], probabilities, image, ms };
  }
}
