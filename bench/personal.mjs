#!/usr/bin/env node
// The personal memory on writers the model never saw, through the WebAssembly module the
// page runs. The shipped file learned from all 30 writers, so the model is one of
// model/crossval.py's, trained without the writers it is measured on: by default split
// 0's, which never saw the writers model/evaluate.py leaves in build/drawings. For each
// writer, their drawings (centred at 70% of the pad, or --fill) in a random order: each
// is classified, then taught with learn() as one of four people would teach it:
//   corrections  only when the answer was wrong, with the right digit
//   all          after every answer, with the right digit: corrections and confirmations.
//                Also what the page learns from a person who corrects every mistake and
//                says nothing otherwise, since it learns a drawing cleared without a word
//                as it was read, and every such answer is then right.
//   half         the page, with a person who corrects every second mistake: the rest as read
//   as_read      the page, with a person who never says anything: every drawing as read
// Reported against the model alone, overall and per writer, averaged over several
// orders; then what one wrong correction does, and the cost of a full memory.
//   python3 model/crossval.py && python3 model/evaluate.py   # split models; split 0's images
//   node bench/personal.mjs [--orders 5] [--fill 40|70|90] [--model build/crossval/split-0/model.onnx]
//                           [--drawings build/drawings] [--json results.json]
// --json also writes the per-writer figures (model/crossval.py pools them over splits).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describeCost, memoryCost } from './memory_cost.mjs';

const root = new URL('../', import.meta.url).pathname;
const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const orders = Number(argument('--orders', 5));
const fill = argument('--fill', '70');
const modelPath = argument('--model', join(root, 'build/crossval/split-0/model.onnx'));
if (!existsSync(modelPath)) throw new Error(`${modelPath} is missing: python3 model/crossval.py trains the split models`);
const drawings = argument('--drawings', join(root, 'build/drawings'));
const wasmDir = join(root, 'build/wasm/wasm/js');

function idx(name) {
  const bytes = gunzipSync(readFileSync(join(drawings, name)));
  return bytes.subarray(4 + 4 * bytes[3]);
}

const images = idx(`held-out-${fill}-images.gz`);
const labels = idx('held-out-labels.gz');
const writers = idx('held-out-writers.gz');
const image = (i) => images.subarray(i * 784, (i + 1) * 784);
const { createEngine } = await import(join(wasmDir, 'digits.mjs'));
const engine = await createEngine({ wasmBinary: readFileSync(join(wasmDir, 'digits_engine.wasm')) });
const classifier = await engine.loadModel(readFileSync(modelPath));
if (!classifier.info.embeddingSize) throw new Error(`${modelPath} has no embedding output: nothing to learn with`);

// A reproducible shuffle (mulberry32), so every run orders the drawings alike.
function shuffled(items, seed) {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const byWriter = new Map();
for (let i = 0; i < labels.length; i++) byWriter.set(writers[i], [...(byWriter.get(writers[i]) ?? []), i]);

// One person's session: answers as they come, learning per `policy`; first lessons
// (given before any drawing) simulate a mistaken correction. An answer is `unseen` when
// the model alone is wrong and no drawing of that digit has been corrected yet in the
// session: corrections cannot have taught anything about it.
async function session(indices, policy, firstLessons = []) {
  classifier.forget();
  for (const [i, digit] of firstLessons) await classifier.learn(image(i), digit);
  const answers = [];
  const corrected = new Set();
  let mistakes = 0;
  for (const i of indices) {
    const answer = await classifier.classifyImage(image(i));
    const unseen = answer.modelDigit !== labels[i] && !corrected.has(labels[i]);
    answers.push({ i, digit: answer.digit, modelDigit: answer.modelDigit, unseen });
    const wrong = answer.digit !== labels[i];
    if (wrong) corrected.add(labels[i]);
    const lesson = teach[policy](wrong, wrong && mistakes++ % 2 === 0);
    if (lesson !== null) await classifier.learn(image(i), lesson === 'told' ? labels[i] : answer.digit);
  }
  return answers;
}

// Per policy: given whether the answer was wrong (and, for half, whether this mistake is
// one the person corrects), whether the drawing is taught as the person tells it, as it
// was read, or not at all.
const teach = {
  corrections: (wrong) => (wrong ? 'told' : null),
  all: () => 'told',
  half: (wrong, corrects) => (corrects ? 'told' : 'read'),
  as_read: () => 'read',
};
const taughtAs = {
  corrections: 'corrections only',
  all: 'every answer (corrections and confirmations)',
  half: 'half the mistakes corrected, the rest as read',
  as_read: 'nothing said: every drawing as read',
};

const accuracy = (answers, key = 'digit') => answers.filter((a) => a[key] === labels[a.i]).length / answers.length;
const percent = (x) => `${(100 * x).toFixed(2)}%`;

const results = {};
for (const policy of Object.keys(teach)) {
  const perWriter = {};
  for (const [writer, indices] of byWriter) {
    let alone = 0, learning = 0, unseen = 0;
    for (let order = 0; order < orders; order++) {
      const answers = await session(shuffled(indices, writer * 1000 + order), policy);
      alone += accuracy(answers, 'modelDigit') / orders;
      learning += accuracy(answers) / orders;
      unseen += answers.filter((a) => a.unseen).length / indices.length / orders;
    }
    perWriter[writer] = { alone, learning, unseen, drawings: indices.length };
  }
  results[policy] = perWriter;
}

const jsonPath = argument('--json', null);
if (jsonPath) {
  writeFileSync(jsonPath, JSON.stringify({ model: classifier.info.version, fill: Number(fill), orders, results }, null, 1));
}

const total = (perWriter, key) => Object.values(perWriter).reduce((s, w) => s + w[key] * w.drawings, 0) / labels.length;
console.log(`model ${classifier.info.version}; ${labels.length} drawings by ${byWriter.size} held-out writers at ${fill}% ` +
  `of the pad; online answers averaged over ${orders} orders per writer\n`);
console.log('| taught | model alone | with the memory | errors | worst change for a writer |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [policy, perWriter] of Object.entries(results)) {
  const alone = total(perWriter, 'alone'), learning = total(perWriter, 'learning');
  const worst = Math.min(...Object.values(perWriter).map((w) => w.learning - w.alone));
  console.log(`| ${taughtAs[policy]} | ${percent(alone)} | ${percent(learning)} | ` +
    `${((1 - learning) / (1 - alone) * 100).toFixed(0)}% of the model's | ${(100 * worst).toFixed(2)} points |`);
}
{
  const corrections = results.corrections;
  const share = total(corrections, 'unseen') / (1 - total(corrections, 'alone'));
  console.log(`\n${(100 * share).toFixed(0)}% of the model's errors come before any drawing of their digit was ` +
    'corrected in the session: a memory taught only by corrections cannot mend those.');
}
console.log('\n| writer | ' + [...byWriter.keys()].join(' | ') + ' |');
console.log('| --- |' + ' ---: |'.repeat(byWriter.size));
console.log('| model alone | ' + [...byWriter.keys()].map((w) => percent(results.all[w].alone)).join(' | ') + ' |');
for (const [policy, perWriter] of Object.entries(results)) {
  console.log(`| ${taughtAs[policy]} | ` +
    [...byWriter.keys()].map((w) => percent(perWriter[w].learning)).join(' | ') + ' |');
}

// One wrong correction: a writer's 3 taught as an 8 before anything else; how many of
// their other 3s are then read as 8 (with corrections, as a person would go on).
let misled = 0, threes = 0;
for (const [writer, indices] of byWriter) {
  const three = indices.find((i) => labels[i] === 3);
  const rest = shuffled(indices.filter((i) => i !== three), writer);
  const answers = await session(rest, 'corrections', [[three, 8]]);
  for (const a of answers) if (labels[a.i] === 3) { threes += 1; misled += a.digit === 8; }
}
console.log(`\nOne wrong correction (a 3 taught as 8): ${misled} of ${threes} of the writers' other 3s read as 8 ` +
  'before their own corrections outvoted it.');

// Cost: classification with 2,000 remembered drawings against none, a rebuild, unlearn().
console.log(describeCost(await memoryCost(classifier, (i) => image(i % labels.length))));
classifier.dispose();
engine.dispose();
