// The person's handwriting, as the page keeps it: the drawings the app learns from, each
// with its 28x28 image and the digit the person gave, in IndexedDB. The classification
// worker's memory is rebuilt from these images at every start, so it survives reloads,
// works offline, and follows a new model (its features come from whichever model runs).
import { openStore } from './store.js';

// Format 1 held images from before the preprocessing put a drawing's ink at INK_PEAK.
const FORMAT = 2;
// ref: model/preprocess.py INK_PEAK
const INK_PEAK = 0.8;
// ref: wasm/include/digits/personal_memory.h kMaxPerDigit
const MAX_PER_DIGIT = 200;
const SWITCH = 'digits.memory';

function valid(example, format = FORMAT) {
  return example?.format === format && example.image instanceof Uint8Array && example.image.length === 784 &&
    Number.isInteger(example.digit) && example.digit >= 0 && example.digit <= 9 && typeof example.id === 'string';
}

// A drawing from before the ink peak as today's preprocessing would make it (to within
// one level of 255: the preprocessing scales before rounding, this after).
function scaledToInkPeak(image) {
  return Uint8Array.from(image, (value) => Math.floor(value * INK_PEAK + 0.5));
}

function upgraded(example) {
  return { ...example, format: FORMAT, image: scaledToInkPeak(example.image) };
}

// A drawing's image kept in the history, ready to be learned: one logged before the ink
// peak has ink above it (the rule of model/mnist_idx.py at_ink_peak).
export function learnableImage(image) {
  return Math.max(...image) > Math.round(INK_PEAK * 255) ? scaledToInkPeak(image) : image;
}

// Every usable drawing, oldest first. Format 1 drawings are upgraded in place; records
// this version cannot read (another format, damaged) are dropped with a warning instead
// of breaking the page.
export async function rememberedDrawings() {
  const db = await openStore();
  const stored = await db.getAllFromIndex('memory', 'learnedAt');
  const upgrades = new Map(stored.filter((example) => valid(example, 1)).map((example) => [example, upgraded(example)]));
  const bad = stored.filter((example) => !valid(example) && !upgrades.has(example));
  if (bad.length) console.warn(`Dropping ${bad.length} remembered drawing(s) in a format this version cannot read.`);
  if (bad.length || upgrades.size) {
    const tx = db.transaction('memory', 'readwrite');
    await Promise.all([...bad.map((example) => tx.store.delete(example?.id)),
      ...[...upgrades.values()].map((example) => tx.store.put(example)), tx.done]);
  }
  return stored.map((example) => upgrades.get(example) ?? example).filter((example) => valid(example));
}

// Keeps a drawing (by the id of its prediction: a changed answer replaces the earlier
// one) and drops the digit's oldest beyond what the memory holds. Every drawing cleared
// is kept, so the store is read whole only once it could hold a digit too many.
export async function rememberDrawing({ id, image, digit }) {
  const db = await openStore();
  const tx = db.transaction('memory', 'readwrite');
  await tx.store.put({ format: FORMAT, id, image: new Uint8Array(image), digit, learnedAt: Date.now() });
  if (await tx.store.count() > MAX_PER_DIGIT) {
    const same = (await tx.store.index('learnedAt').getAll()).filter((example) => example.digit === digit);
    for (const old of same.slice(0, Math.max(0, same.length - MAX_PER_DIGIT))) await tx.store.delete(old.id);
  }
  await tx.done;
}

// Whether a drawing is already remembered, and as which digit.
export async function rememberedDigit(id) {
  const example = await (await openStore()).get('memory', id);
  return valid(example) ? example.digit : null;
}

// Drops one drawing; resolves to whether it was remembered.
export async function forgetDrawing(id) {
  const tx = (await openStore()).transaction('memory', 'readwrite');
  const known = (await tx.store.count(id)) > 0;
  if (known) await tx.store.delete(id);
  await tx.done;
  return known;
}

export async function forgetDrawings() {
  await (await openStore()).clear('memory');
}

export function memorySwitchedOn() {
  return localStorage.getItem(SWITCH) !== 'off';
}

export function switchMemory(on) {
  localStorage.setItem(SWITCH, on ? 'on' : 'off');
}
