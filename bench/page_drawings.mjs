#!/usr/bin/env node
// People's drawings drawn on the real page: the held-out writers' pen strokes replayed
// as mouse or touch strokes on the pad in Chromium, each answer read from the page as a
// person sees it. model/evaluate.py measures the same drawings through the Python
// renderer and the C++ engine; this measures everything between the pointer and the
// answer too (pointer events, the pad, its zoom, the worker, the engine).
//
// The shipped file learned from all 30 writers, so the model is one of
// model/crossval.py's, trained without the writers it is measured on (by default split
// 0's, which never saw writers 1, 8, 11, 15, 18 and 28). Each drawing goes on the pad as
// its writer drew it in their 500 x 500 box (--fill 0.7 centres it at 70% of the pad
// instead); the pad's answer after the last stroke is the one counted.
//   scripts/build.sh && python3 model/crossval.py      # the web build and the split models
//   node bench/page_drawings.mjs [--model build/crossval/split-0/model.onnx] [--writers 1,8,11,15,18,28]
//        [--input mouse|touch] [--engine native|ort] [--fill F] [--limit N] [--record]
// --record keeps the run's figures and errors in model/fixtures/page_drawings.json (one
// entry per model, input, engine and placement), which card.py puts into MODEL.md.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Stack, drawStrokes, drawTouchStrokes, launch, openApp, predicted, root } from '../tests/e2e/harness.mjs';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const modelPath = argument('--model', join(root, 'build/crossval/split-0/model.onnx'));
const writers = new Set(argument('--writers', '1,8,11,15,18,28').split(',').map(Number));
const input = argument('--input', 'mouse');
const engine = argument('--engine', 'native');
const fill = argument('--fill', null);
const limit = Number(argument('--limit', Infinity));
const record = process.argv.includes('--record');
const RECORD = join(root, 'model/fixtures/page_drawings.json');
const drawingsPath = argument('--drawings', join(root, '../shared/drawings/pendigits_train_strokes.json'));
const TABLET_BOX = 500;  // the side of each writer's box, in tablet units (model/drawings.py)

if (!existsSync(modelPath)) throw new Error(`${modelPath} is missing: python3 model/crossval.py trains the split models`);
if (!['mouse', 'touch'].includes(input)) throw new Error(`--input is mouse or touch, not ${input}`);
const drawings = JSON.parse(readFileSync(drawingsPath, 'utf8')).filter((d) => writers.has(d.writer)).slice(0, limit);
if (drawings.length === 0) throw new Error(`no drawings by writers ${[...writers]} in ${drawingsPath}`);

// Tablet strokes -> the pad's unit square: as written, or centred at `fill` of its side
// (model/render.py pad_strokes).
function padStrokes(strokes) {
  if (fill === null) return strokes.map((s) => s.map(([x, y]) => [x / TABLET_BOX, y / TABLET_BOX]));
  const points = strokes.flat();
  const low = [0, 1].map((k) => Math.min(...points.map((p) => p[k])));
  const high = [0, 1].map((k) => Math.max(...points.map((p) => p[k])));
  const scale = Number(fill) / Math.max(high[0] - low[0], high[1] - low[1], 1e-9);
  return strokes.map((s) => s.map((p) => [0, 1].map((k) => (p[k] - (low[k] + high[k]) / 2) * scale + 0.5)));
}

// Replaces the run with the same model, input, engine and placement in RECORD, or adds it.
function keep(run) {
  const key = (r) => JSON.stringify([r.model, r.input, r.engine, r.fill]);
  const runs = existsSync(RECORD) ? JSON.parse(readFileSync(RECORD, 'utf8')).filter((r) => key(r) !== key(run)) : [];
  writeFileSync(RECORD, `${JSON.stringify([...runs, run], null, 1)}\n`);
}

// The built app with the split's model in place of the shipped one.
function webRootWith(model) {
  const www = mkdtempSync(join(tmpdir(), 'digits-page-drawings-'));
  cpSync(join(root, 'build/www'), www, { recursive: true });
  const assetsPath = join(www, 'assets.json');
  const assets = JSON.parse(readFileSync(assetsPath, 'utf8'));
  const bytes = readFileSync(model);
  writeFileSync(join(www, assets.model.path), bytes);
  rmSync(join(www, `${assets.model.path}.gz`), { force: true });
  assets.model.bytes = bytes.length;
  writeFileSync(assetsPath, JSON.stringify(assets));
  return www;
}

const www = webRootWith(modelPath);
const stack = await new Stack({ www }).start();
const browser = await launch();
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, hasTouch: true, isMobile: true };
const context = await browser.newContext(input === 'touch' ? phone : { viewport: { width: 1280, height: 900 } });
const results = [];
try {
  const page = await openApp(context, stack.origin, `?engine=${engine}`);
  // The model alone: with its memory on, the page would learn every drawing cleared here
  // as it was read, six people's drawings in one memory (bench/personal.mjs measures that).
  await page.click('[data-testid=memory-switch]');
  if (await page.isChecked('[data-testid=memory-switch]')) throw new Error('the memory could not be switched off');
  const draw = input === 'touch' ? drawTouchStrokes : drawStrokes;
  const started = performance.now();
  for (const drawing of drawings) {
    await page.click('[data-testid=clear]');
    await draw(page, padStrokes(drawing.strokes));
    // A drawing that is all a speck gets no answer: counted as wrong, with digit null.
    const answer = await predicted(page).catch(() => ({ digit: null }));
    results.push({ writer: drawing.writer, sample: drawing.sample, label: drawing.label,
      read: answer.digit === null ? null : Number(answer.digit) });
    if (results.length % 100 === 0) process.stderr.write(`${results.length} of ${drawings.length} drawn\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  if (page.errors.length) throw new Error(`the page failed: ${page.errors.join('; ')}`);

  const wrong = results.filter((r) => r.read !== r.label);
  const percent = (n, of) => `${(100 * n / of).toFixed(2)}%`;
  console.log(`${modelPath}, ${engine} engine, ${input}, ${fill === null ? 'as written' : `at ${fill} of the pad`}`);
  console.log(`${results.length} drawings by writers ${[...writers].join(', ')} in ${seconds.toFixed(0)} s: ` +
    `${percent(results.length - wrong.length, results.length)} read right, ${wrong.length} errors`);
  for (const writer of writers) {
    const mine = results.filter((r) => r.writer === writer);
    if (mine.length) console.log(`  writer ${writer}: ${mine.filter((r) => r.read !== r.label).length} of ${mine.length} wrong`);
  }
  for (const r of wrong) console.log(`  writer ${r.writer} sample ${r.sample}: a ${r.label} read as ${r.read ?? 'nothing'}`);
  if (record) keep({ model: relative(root, modelPath), writers: [...writers], input, engine, fill,
    drawings: results.length, seconds: Math.round(seconds), errors: wrong });
} finally {
  await context.close();
  await browser.close();
  await stack.stop();
  rmSync(www, { recursive: true, force: true });
}
