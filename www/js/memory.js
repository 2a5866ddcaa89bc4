// The person's handwriting, as the page keeps it: the drawings the app learns from, each
// with its 28x28 image and the digit the person gave, in IndexedDB. The classification
// worker's memory is rebuilt from these images at every start, so it survives reloads,
// works offline, and follows a new model (its features come from whichever model runs).
import { readSetting, writeSetting } from './settings.js';
import { openStore } from './store.js';

// Format 1 held images from before the preprocessing put a drawing's ink at INK_PEAK.
const FORMAT = 2;
// ref: model/preprocess.py INK_PEAK
const INK_PEAK = 0.8;
// ref: wasm/include/digits/personal_memory.h kMaxPerDigit
const MAX_PER_DIGIT = 200;
const SWITCH = 'digits.memory';

// The ids of the remembered drawings of each digit, oldest first, as this tab knows them:
// taken from the store whenever it is read whole (at every start of the engine) and kept
// by this tab's changes and the other tabs' lessons since, so that keeping a drawing finds
// its digit's oldest without reading 2,000 drawings (50 ms then, against 1 ms).
let idsByDigit = null;

function indexByDigit(examples) {
  idsByDigit = Array.from({ length: 10 }, () => []);
  for (const { id, digit } of examples) idsByDigit[digit].push(id);
}

function unlisted(id) {
  for (const ids of idsByDigit) {
    const at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
  }
}

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
  const usable = stored.map((example) => upgrades.get(example) ?? example).filter((example) => valid(example));
  indexByDigit(usable);
  return usable;
}

// Keeps a drawing (by the id of its prediction: a changed answer replaces the earlier
// one) and drops the digit's oldest beyond what the memory holds.
export async function rememberDrawing({ id, image, digit }) {
  const db = await openStore();
  try {
    const tx = db.transaction('memory', 'readwrite');
    if (!idsByDigit) indexByDigit((await tx.store.index('learnedAt').getAll()).filter((example) => valid(example)));
    await tx.store.put({ format: FORMAT, id, image: new Uint8Array(image), digit, learnedAt: Date.now() });
    unlisted(id);
    const ids = idsByDigit[digit];
    ids.push(id);
    while (ids.length > MAX_PER_DIGIT) await tx.store.delete(ids.shift());
    await tx.done;
  } catch (error) {
    idsByDigit = null;  // read again next time: this change may not have been made
    throw error;
  }
}

// Another tab kept the drawing `id` as `digit` (dropping the digit's oldest beyond the
// limit, as rememberDrawing does): this tab's list follows. Returns whether the drawing is
// new to this tab, so that its classifier learns it once: a tab that read the store after
// the other tab wrote it has it already.
export function rememberedElsewhere(id, digit) {
  if (!idsByDigit || idsByDigit.some((ids) => ids.includes(id))) return false;
  const ids = idsByDigit[digit];
  ids.push(id);
  ids.splice(0, ids.length - MAX_PER_DIGIT);
  return true;
}

// What a stored drawing teaches ({ image, digit }), or null for a record this version
// cannot read.
function lesson(example) {
  return valid(example) ? { image: example.image, digit: example.digit } : null;
}

// The drawing `id` as remembered ({ image, digit }), or null.
export async function rememberedExample(id) {
  return lesson(await (await openStore()).get('memory', id));
}

// Drops one drawing; resolves to what was remembered of it ({ image, digit }), or null.
export async function forgetDrawing(id) {
  const tx = (await openStore()).transaction('memory', 'readwrite');
  const example = await tx.store.get(id);
  if (example !== undefined) await tx.store.delete(id);
  await tx.done;
  if (idsByDigit) unlisted(id);
  return lesson(example);
}

// Another tab withdrew the drawing `id`, or changed its digit: the digit this tab's
// classifier learned it as, so that it withdraws it too, or null when this tab never
// learned it (it read the store after the change). This tab's list follows.
export function forgottenOneElsewhere(id) {
  const digit = idsByDigit?.findIndex((ids) => ids.includes(id)) ?? -1;
  if (digit < 0) return null;
  unlisted(id);
  return digit;
}

// How many drawings are kept, usable or not, without reading them.
export async function storedDrawingCount() {
  return (await openStore()).count('memory');
}

export async function forgetDrawings() {
  await (await openStore()).clear('memory');
  indexByDigit([]);
}

// Another tab emptied the store.
export function forgottenElsewhere() {
  if (idsByDigit) indexByDigit([]);
}

export function memorySwitchedOn() {
  return readSetting(SWITCH) !== 'off';
}

export function switchMemory(on) {
  writeSetting(SWITCH, on ? 'on' : 'off');
}
