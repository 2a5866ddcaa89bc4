// The classification worker: a table of actions, each answering its caller by request id.
// Recognition runs here so that drawing never stutters.
import { loadEngine } from './engines.js';

let engine = null;  // { classifier, description }
let memoryOn = true;  // the person's switch, applied once the memory is whole
let restoring = null;  // the classifier whose memory is being restored
let restores = 0;      // restores and forgets so far: a later one ends a restore under way

// The restore gives way to other messages this often, so that an answer asked while it
// runs (2,000 drawings take about 0.6 s on a desktop, seconds on a phone) does not wait for it.
const RESTORE_SLICE_MS = 8;

// The next turn of the event loop, without the clamp nested timers get.
function nextTurn() {
  const channel = new MessageChannel();
  const turn = new Promise((resolve) => { channel.port1.onmessage = resolve; });
  channel.port2.postMessage(null);
  return turn.finally(() => channel.port1.close());
}

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
  // Answers asked meanwhile are the model's alone: a part of the memory could let one
  // wrong correction decide where the rest of the person's drawings would outvote it.
  async restore({ examples, enabled }) {
    const classifier = loaded();
    const run = ++restores;
    restoring = classifier;
    memoryOn = enabled;
    classifier.forget();
    classifier.memoryEnabled = false;
    let dropped = 0;
    let slice = performance.now();
    try {
      for (const { image, digit } of examples) {
        if (engine?.classifier !== classifier || run !== restores) {
          throw new Error('the engine or the memory changed while the memory was restored');
        }
        try {
          await classifier.learn(image, digit);
        } catch {
          dropped += 1;  // checked when stored; a model that cannot use it says so below
        }
        if (performance.now() - slice < RESTORE_SLICE_MS) continue;
        await nextTurn();
        slice = performance.now();
      }
      classifier.memoryEnabled = memoryOn;
      return { learned: classifier.learnedCount, dropped };
    } finally {
      if (run === restores) restoring = null;
    }
  },
  async learn({ image, digit }) {
    return { learned: await loaded().learn(image, digit) };
  },
  async unlearn({ image, digit }) {
    return { learned: await loaded().unlearn(image, digit) };
  },
  async forget() {
    restores += 1;
    restoring = null;
    loaded().forget();
    loaded().memoryEnabled = memoryOn;
    return { learned: 0 };
  },
  async switchMemory({ enabled }) {
    memoryOn = enabled;
    if (restoring !== loaded()) loaded().memoryEnabled = enabled;
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
