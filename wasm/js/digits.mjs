// The digit engine as an ES module, for a page, a Web Worker or Node.
//
//   import { createEngine } from './digits.mjs';
//   const engine = await createEngine({ wasmUrl: 'digits_engine.wasm' });  // Node: { wasmBinary: bytes }
//   const classifier = await engine.loadModel(modelBytes);   // rejects with the engine's message
//   const answer = await classifier.classify(imageData);     // a canvas ImageData or {data, width, height}
//   // { digit, confidence, probabilities[10], modelDigit, modelConfidence, image: Uint8Array(784), ms },
//   // and personal: true when the person's own drawings changed the digit; modelDigit and
//   // modelConfidence are the model's own answer, before the person's drawings had their
//   // say; or { nothingDrawn: true, reason, ms }
//   await classifier.learn(answer.image, 9);                 // they said it was a 9: resolves to the count kept
//   await classifier.unlearn(answer.image, 9);               // they took it back: that drawing alone goes
//   classifier.learnedCount;                                 // drawings remembered
//   classifier.memoryEnabled = false;                        // answers from the model alone
//   classifier.forget();                                     // the memory emptied
//   classifier.dispose();  engine.dispose();
//
// Another runtime (ONNX Runtime Web) can run the graph instead of the built-in engine:
// everything else (preprocessing, turning outputs into the answer, the personal memory)
// stays here, so both give the same answers.
//   const classifier = await engine.loadModel(modelBytes, {
//     runGraph: async (input, contract) => ({ [contract.scoresName]: Float32Array(10), ... }),
//     release: () => session.release(),   // optional: called by dispose()
//   });  // input: Float32Array(784) for contract.inputName, shape contract.inputShape
//
// Every failure is a rejected promise (or a thrown Error) carrying the engine's message.
import createDigitsModule from './digits_engine.mjs';

const MESSAGE_BYTES = 1024;
const DIGITS = 10;
const PIXELS = 784;
const NOTHING_DRAWN = -1;
const INPUT_SHAPE = [1, 1, 28, 28];
// binding.cpp's ContractView and AnswerView (its image, what the model saw, at IMAGE_AT).
const CONTRACT_BYTES = 56;
const IMAGE_AT = 56;
const ANSWER_BYTES = IMAGE_AT + PIXELS;

export async function createEngine({ wasmUrl, wasmBinary } = {}) {
  const options = {};
  if (wasmBinary) options.wasmBinary = wasmBinary;
  if (wasmUrl) options.locateFile = () => wasmUrl;
  return new Engine(await createDigitsModule(options));
}

function readString(module, pointer, length) {
  const bytes = module.HEAPU8;
  let end = pointer;
  if (length === undefined) while (bytes[end] !== 0) end += 1;
  else end = pointer + length;
  return new TextDecoder().decode(bytes.subarray(pointer, end));
}

function asBytes(bytes) {
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
}

function readContract(module, answerer, view) {
  module._digits_contract(answerer, view);
  const words = new Int32Array(module.HEAPU8.buffer, view, CONTRACT_BYTES / 4);
  const floats = new Float32Array(module.HEAPU8.buffer, view, 2);
  const text = (word) => readString(module, words[word] >>> 0, words[word + 1] >>> 0);
  return {
    normMean: floats[0], normStd: floats[1], scoresAreProbabilities: words[2] === 1, embeddingSize: words[3],
    version: text(4), mnistTestAccuracy: text(6), inputName: text(8), inputShape: INPUT_SHAPE,
    scoresName: text(10), embeddingName: text(12) || null,
  };
}

// Buffers in wasm memory for one call at a time, reused: staged bytes that grow as
// needed, the answer, the model input, the embedding and a message.
class Scratch {
  constructor(module) {
    this.module = module;
    this.answer = module._malloc(ANSWER_BYTES);
    this.input = module._malloc(PIXELS * 4);
    this.scores = module._malloc(DIGITS * 4);
    this.contract = module._malloc(CONTRACT_BYTES);
    this.message = module._malloc(MESSAGE_BYTES);
    this.staged = 0;
    this.capacity = 0;
  }

  stage(bytes) {
    const m = this.module;
    if (bytes.length > this.capacity || !this.staged) {
      if (this.staged) m._free(this.staged);
      this.capacity = Math.max(1, bytes.length);
      this.staged = m._malloc(this.capacity);
    }
    m.HEAPU8.set(bytes, this.staged);
    return this.staged;
  }

  // A float array into wasm memory; grows a buffer of its own, kept for the next call.
  stageFloats(values) {
    const m = this.module;
    if (!this.floats || values.length > this.floatCapacity) {
      if (this.floats) m._free(this.floats);
      this.floatCapacity = Math.max(1, values.length);
      this.floats = m._malloc(this.floatCapacity * 4);
    }
    new Float32Array(m.HEAPU8.buffer, this.floats, values.length).set(values);
    return this.floats;
  }

  get messageText() {
    return readString(this.module, this.message);
  }

  free() {
    for (const pointer of [this.answer, this.input, this.scores, this.contract, this.message, this.staged, this.floats]) {
      if (pointer) this.module._free(pointer);
    }
    this.staged = 0;
    this.floats = 0;
  }
}

class Engine {
  constructor(module) {
    this.module = module;
    this.scratch = new Scratch(module);
  }

  // The model's contract (normalisation, names, outputs, version) without loading it.
  async readModelContract(bytes) {
    const answerer = this.createAnswerer(asBytes(bytes));
    try {
      return readContract(this.module, answerer, this.scratch.contract);
    } finally {
      this.module._digits_answerer_destroy(answerer);
    }
  }

  // Preprocessing alone: { image, input: Float32Array(784) } or { nothingDrawn, reason }.
  async preprocess(imageData, { normMean, normStd }) {
    const { data, width, height } = checkedImageData(imageData, 'preprocess');
    const m = this.module;
    const started = performance.now();
    const { input, answer, message } = this.scratch;
    const image = answer + IMAGE_AT;
    const code = m._digits_preprocess(this.scratch.stage(data), data.length, width | 0, height | 0, normMean, normStd,
      image, input, message, MESSAGE_BYTES);
    if (code === NOTHING_DRAWN) return { nothingDrawn: true, reason: this.scratch.messageText, ms: performance.now() - started };
    if (code < 0) throw new Error(this.scratch.messageText);
    return {
      image: m.HEAPU8.slice(image, image + PIXELS),
      input: new Float32Array(m.HEAPU8.buffer, input, PIXELS).slice(),
      ms: performance.now() - started,
    };
  }

  // The built-in engine runs the model, or runGraph does (see the top of this file).
  async loadModel(bytes, { runGraph, release } = {}) {
    const data = asBytes(bytes);
    if (runGraph) return new Classifier(this.module, { answerer: this.createAnswerer(data), runGraph, release });
    const handle = this.module._digits_classifier_create(this.scratch.stage(data), data.length, this.scratch.message,
      MESSAGE_BYTES);
    if (!handle) throw new Error(this.scratch.messageText);
    return new Classifier(this.module, { handle });
  }

  createAnswerer(data) {
    const answerer = this.module._digits_answerer_create(this.scratch.stage(data), data.length, this.scratch.message,
      MESSAGE_BYTES);
    if (!answerer) throw new Error(this.scratch.messageText);
    return answerer;
  }

  // Bytes of the WebAssembly heap in use (for leak checks).
  get heapInUse() {
    return this.module._digits_heap_in_use();
  }

  dispose() {
    this.scratch.free();
  }
}

function checkedImageData(imageData, what) {
  const { data, width, height } = imageData ?? {};
  if (!data || typeof data.length !== 'number') throw new Error(`${what} needs image data: { data, width, height }`);
  return { data, width, height };
}

function checkedImage(pixels, what) {
  if (!pixels || pixels.length !== PIXELS) throw new Error(`${what} needs a ${PIXELS}-byte 28x28 image`);
  return pixels;
}

class Classifier {
  // handle: the built-in engine's classifier; or answerer, runGraph and release for another runtime.
  constructor(module, { handle = 0, answerer = 0, runGraph = null, release = null }) {
    this.module = module;
    this.handle = handle;
    this.runGraph = runGraph;
    this.release = release;
    this.answerer = handle ? module._digits_classifier_answerer(handle) : answerer;
    this.scratch = new Scratch(module);
    this.info = readContract(module, this.answerer, this.scratch.contract);
    this.enabled = true;
  }

  // A canvas: ImageData, or any { data: RGBA bytes, width, height }.
  async classify(imageData) {
    const { data, width, height } = checkedImageData(imageData, 'classify');
    const started = performance.now();
    const staged = this.stage(data);
    const { answer, message } = this.scratch;
    if (this.handle) {
      const code = this.module._digits_classify_canvas(this.handle, staged, data.length, width | 0, height | 0, answer,
        message, MESSAGE_BYTES);
      return this.readAnswer(code, started);
    }
    const code = this.module._digits_preprocess(staged, data.length, width | 0, height | 0, this.info.normMean,
      this.info.normStd, answer + IMAGE_AT, this.scratch.input, message, MESSAGE_BYTES);
    if (code !== 0) return this.readAnswer(code, started);
    return this.answerFromGraph(answer + IMAGE_AT, started);
  }

  // An already preprocessed 28x28 image (784 bytes, 0 background). A drawing's ink peaks
  // at 204, as classify() makes it; full-strength ink (255) is read as a scanned digit.
  async classifyImage(pixels) {
    const started = performance.now();
    const staged = this.stage(checkedImage(pixels, 'classifyImage'));
    if (this.handle) {
      const code = this.module._digits_classify_image(this.handle, staged, this.scratch.answer, this.scratch.message,
        MESSAGE_BYTES);
      return this.readAnswer(code, started);
    }
    this.module._digits_normalise(staged, this.info.normMean, this.info.normStd, this.scratch.input);
    return this.answerFromGraph(staged, started);
  }

  // Remembers a preprocessed image (an answer's image) as the digit the person gave.
  // Resolves to the number of drawings remembered; rejects, changing nothing, on a digit
  // outside 0-9, an image that is not 784 bytes, or after dispose().
  learn(image, digit) {
    return this.lesson('learn', image, digit);
  }

  // Withdraws an image learned as `digit` (an answer changed or taken back): one
  // inference, where forget() and learning the rest again would take one per drawing.
  // Resolves to the number of drawings remembered; rejects, changing nothing, on bad
  // input as learn() does, and when no remembered drawing of that digit is this image.
  unlearn(image, digit) {
    return this.lesson('unlearn', image, digit);
  }

  async lesson(verb, image, digit) {
    if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new Error(`a digit to ${verb} must be 0 to 9`);
    const staged = this.stage(checkedImage(image, verb));
    const m = this.module;
    const { message } = this.scratch;
    let count;
    if (this.handle) {
      count = m._digits_classifier_lesson(this.handle, staged, digit, verb === 'unlearn' ? 1 : 0, message, MESSAGE_BYTES);
    } else {
      m._digits_normalise(staged, this.info.normMean, this.info.normStd, this.scratch.input);
      const { embedding } = await this.runOutputs();
      const pointer = embedding ? this.scratch.stageFloats(embedding) : 0;
      count = m._digits_answerer_lesson(this.answerer, pointer, embedding?.length ?? 0, digit, verb === 'unlearn' ? 1 : 0,
        message, MESSAGE_BYTES);
    }
    if (count < 0) throw new Error(this.scratch.messageText);
    return count;
  }

  forget() {
    this.checkAlive();
    this.module._digits_answerer_forget(this.answerer);
  }

  get learnedCount() {
    this.checkAlive();
    return this.module._digits_answerer_learned_count(this.answerer);
  }

  get memoryEnabled() {
    return this.enabled;
  }

  set memoryEnabled(on) {
    this.checkAlive();
    this.enabled = Boolean(on);
    this.module._digits_answerer_enable_memory(this.answerer, this.enabled ? 1 : 0);
  }

  dispose() {
    if (!this.answerer) return;
    if (this.handle) this.module._digits_classifier_destroy(this.handle);
    else this.module._digits_answerer_destroy(this.answerer);
    this.scratch.free();
    this.handle = 0;
    this.answerer = 0;
    this.release?.();
  }

  checkAlive() {
    if (!this.answerer) throw new Error('this classifier has been disposed');
  }

  stage(bytes) {
    this.checkAlive();
    return this.scratch.stage(bytes);
  }

  // The other runtime's outputs for the input in scratch: { scores, embedding }.
  async runOutputs() {
    const input = new Float32Array(this.module.HEAPU8.buffer, this.scratch.input, PIXELS).slice();
    const outputs = await this.runGraph(input, this.info);
    this.checkAlive();  // disposed while the graph ran
    const scores = outputs?.[this.info.scoresName];
    const embedding = this.info.embeddingName ? outputs?.[this.info.embeddingName] : null;
    if (!scores) throw new Error(`the runtime gave no output '${this.info.scoresName}'`);
    return { scores, embedding };
  }

  async answerFromGraph(image, started) {
    // The image lives in scratch: keep a copy, the staged buffer may move during the run.
    const pixels = this.module.HEAPU8.slice(image, image + PIXELS);
    const { scores, embedding } = await this.runOutputs();
    const m = this.module;
    const scoresPointer = this.scratch.scores;
    new Float32Array(m.HEAPU8.buffer, scoresPointer, DIGITS).set(scores.subarray?.(0, DIGITS) ?? scores.slice(0, DIGITS));
    const embeddingPointer = embedding ? this.scratch.stageFloats(embedding) : 0;
    const imagePointer = this.scratch.stage(pixels);
    const code = m._digits_answer(this.answerer, scoresPointer, scores.length, embeddingPointer,
      embedding?.length ?? 0, imagePointer, this.scratch.answer, this.scratch.message, MESSAGE_BYTES);
    return this.readAnswer(code, started);
  }

  readAnswer(code, started) {
    const ms = performance.now() - started;
    if (code === NOTHING_DRAWN) return { nothingDrawn: true, reason: this.scratch.messageText, ms };
    if (code < 0) throw new Error(this.scratch.messageText);
    const m = this.module;
    const at = this.scratch.answer;
    const probabilities = Array.from(new Float32Array(m.HEAPU8.buffer, at, DIGITS));
    const [digit, modelDigit, personal] = new Int32Array(m.HEAPU8.buffer, at + 40, 3);
    const [modelConfidence] = new Float32Array(m.HEAPU8.buffer, at + 52, 1);
    const answer = {
      digit, confidence: probabilities[digit], probabilities, modelDigit, modelConfidence,
      image: m.HEAPU8.slice(at + IMAGE_AT, at + IMAGE_AT + PIXELS), ms,
    };
    if (personal) answer.personal = true;
    return answer;
  }
}
