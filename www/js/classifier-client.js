// The page's side of the classification worker: every call carries an id and always gets
// a reply, a result or an error, so a promise never hangs.
export class ClassifierClient {
  constructor() {
    this.worker = new Worker(new URL('./classifier.worker.js', import.meta.url), { type: 'module' });
    this.nextId = 1;
    this.pending = new Map();
    this.worker.addEventListener('message', ({ data }) => {
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
    this.worker.addEventListener('error', (event) => {
      const error = new Error(`the recognition engine stopped: ${event.message || 'it could not start'}`);
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    });
  }

  call(action, payload = {}, transfer = [], onProgress = null) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, action, payload }, transfer);
    });
  }

  // Loads the model with 'auto', 'native' or 'ort'; resolves to what was loaded.
  // onProgress(fraction) while the engine and the model download. Both engines are
  // WebAssembly, which some security settings turn off; trying again cannot help there
  // (the error is marked lasting).
  load(choice, onProgress) {
    if (typeof WebAssembly !== 'object') {
      return Promise.reject(Object.assign(new Error('this browser runs no WebAssembly, which it needs. A security ' +
        'setting turns it off (such as Lockdown Mode on an iPhone or iPad, or the enhanced security of Microsoft ' +
        'Edge): allow it for this site, or use another browser'), { lasting: true }));
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

  forget() {
    return this.call('forget');
  }

  switchMemory(enabled) {
    return this.call('switchMemory', { enabled });
  }
}
