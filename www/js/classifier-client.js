// The page's side of the classification worker: every call carries an id and always gets
// a reply, a result or an error, so a promise never hangs.

// The smallest module that uses WebAssembly's 128-bit vectors (one function returning a
// v128.const of zeros). Both engines are built for them; a browser without them (Safari
// before 16.4) would fail to compile either with a message no one can act on.
const VECTOR_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,        // types: () -> v128
  0x03, 0x02, 0x01, 0x00,                          // one function of that type
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c,        // its code: v128.const ...
  ...new Array(16).fill(0), 0x0b,                  // ... 16 zero bytes, end
]);

function lasting(message) {
  return Promise.reject(Object.assign(new Error(message), { lasting: true }));
}

export class ClassifierClient {
  // onStopped(error): the worker stopped after it had started (its engine and memory are
  // gone with it); the next call starts a new one.
  constructor({ onStopped = null } = {}) {
    this.onStopped = onStopped;
    this.nextId = 1;
    this.pending = new Map();
    this.worker = null;
  }

  // A worker whose scripts could not be fetched (a network blip on a first visit) never
  // answers: it is dropped, and the next call, Try again's, starts another.
  start() {
    const worker = new Worker(new URL('./classifier.worker.js', import.meta.url), { type: 'module' });
    this.worker = worker;
    worker.addEventListener('message', ({ data }) => {
      const call = this.pending.get(data.id);
      if (!call) return;
      if ('progress' in data) {  // on the way: the call goes on
        call.onProgress?.(data.progress);
        return;
      }
      this.pending.delete(data.id);
      if ('error' in data) call.reject(new Error(data.error));
      else call.resolve(data.result);
    });
    worker.addEventListener('error', (event) => {
      if (worker === this.worker) this.stopped(event);
    });
  }

  stopped(event) {
    const error = Object.assign(new Error(`the recognition engine stopped: ${event.message || 'it could not start'}`),
      { stopped: true });
    const loading = [...this.pending.values()].some((call) => call.action === 'load');
    this.worker.terminate();
    this.worker = null;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
    if (!loading) this.onStopped?.(error);  // a load says so itself, by failing
  }

  call(action, payload = {}, transfer = [], onProgress = null) {
    if (!this.worker) this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { action, resolve, reject, onProgress });
      this.worker.postMessage({ id, action, payload }, transfer);
    });
  }

  // Loads the model with 'auto', 'native' or 'ort'; resolves to what was loaded.
  // onProgress(fraction) while the engine and the model download. Both engines are
  // WebAssembly with vector instructions: where the browser lacks either, trying again
  // cannot help (the error is marked lasting).
  load(choice, onProgress) {
    if (typeof WebAssembly !== 'object') {
      return lasting('this browser runs no WebAssembly, which it needs. A security setting turns it off (such as ' +
        'Lockdown Mode on an iPhone or iPad, or the enhanced security of Microsoft Edge): allow it for this site, ' +
        'or use another browser');
    }
    if (!WebAssembly.validate(VECTOR_PROBE)) {
      return lasting('this browser\'s WebAssembly is older than the recogniser needs (it lacks the vector ' +
        'instructions of Safari 16.4, Chrome 91 and Firefox 89 and later): update the browser, or use another');
    }
    return this.call('load', { choice }, [], onProgress);
  }

  classify(imageData) {
    return this.call('classify', { imageData }, [imageData.data.buffer]);
  }

  // The personal memory: each resolves to { learned } (drawings remembered).
  restoreMemory(examples, enabled) {
    return this.call('restore', { examples, enabled });
  }

  learn(image, digit) {
    return this.call('learn', { image, digit });
  }

  // Rejects when the memory has no drawing of that digit with this image's features.
  unlearn(image, digit) {
    return this.call('unlearn', { image, digit });
  }

  forget() {
    return this.call('forget');
  }

  switchMemory(enabled) {
    return this.call('switchMemory', { enabled });
  }
}
