// The classification worker: a table of actions, each answering its caller by request id.
// Recognition runs here so that drawing never stutters.
import { loadEngine } from './engines.js';

let engine = null;  // { classifier, description }

function loaded() {
  if (!engine) throw new Error('the recognition engine is not loaded yet');
  return engine.classifier;
}

const actions = {
  async load({ choice }, id) {
    const next = await loadEngine(choice, (fraction) => self.postMessage({ id, progress: fraction }));
    engine?.classifier.dispose();
    engine = next;
    return engine.description;
  },
  async classify({ imageData }) {
    const answer = await loaded().classify(imageData);
    return { ...answer, engine: engine.description.engine };
  },
  // The person's handwriting: examples [{ image, digit }] replace what is remembered.
  async restore({ examples, enabled }) {
    const classifier = loaded();
    classifier.forget();
    classifier.memoryEnabled = enabled;
    let dropped = 0;
    for (const { image, digit } of examples) {
      try {
        await classifier.learn(image, digit);
      } catch {
        dropped += 1;  // checked when stored; a model that cannot use it says so below
      }
    }
    return { learned: classifier.learnedCount, dropped };
  },
  async learn({ image, digit }) {
    return { learned: await loaded().learn(image, digit) };
  },
  async unlearn({ image, digit }) {
    return { learned: await loaded().unlearn(image, digit) };
  },
  async forget() {
    loaded().forget();
    return { learned: 0 };
  },
  async switchMemory({ enabled }) {
    loaded().memoryEnabled = enabled;
    return { learned: loaded().learnedCount };
  },
};

self.addEventListener('message', async ({ data: { id, action, payload } }) => {
  try {
    const run = actions[action];
    if (!run) throw new Error(`unknown action ${action}`);
    const result = await run(payload, id);
    self.postMessage({ id, result }, result?.image ? [result.image.buffer] : []);
  } catch (error) {
    self.postMessage({ id, error: error?.message ?? String(error) });
  }
});
