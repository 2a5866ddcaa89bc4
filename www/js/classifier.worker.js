// The classification worker: a table of actions, each answering its caller by request id.
// Recognition runs here so that drawing never stutters.
import { loadEngine } from './engines.js';

let engine = null;

const actions = {
  async load({ choice }) {
    const loaded = await loadEngine(choice);
    engine?.dispose();
    engine = loaded;
    return engine.description;
  },
  async classify({ imageData }) {
    if (!engine) throw new Error('the recognition engine is not loaded yet');
    return engine.classify(imageData);
  },
};

self.addEventListener('message', async ({ data: { id, action, payload } }) => {
  try {
    const run = actions[action];
    if (!run) throw new Error(`unknown action ${action}`);
    const result = await run(payload);
    self.postMessage({ id, result }, result?.image ? [result.image.buffer] : []);
  } catch (error) {
    self.postMessage({ id, error: error?.message ?? String(error) });
  }
});
