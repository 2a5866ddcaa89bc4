// model/render.py draws strokes as the app's pad does: the same strokes placed for the
// model and painted in Chromium by www/js/pad.js's own strokesForModel() and paint(), and
// by the Python renderer, must give the same picture, and the same answer from the
// shipped model.
//
// Tolerance, and why it is enough: two anti-aliasing rasterisers (Skia, cairo) never
// agree on every edge pixel, so the test bounds what matters to the model. Per drawing:
// the same amount of ink (within 1%), in the same place (centroids within 0.4 canvas
// pixel, 1/700 of its side; a small drawing zoomed for the model has long curves
// between sparse points, where the two flatten curves differently), and a 28x28 image
// (what the model reads) within 2.5 grey levels per pixel on average; over all
// drawings, within 0.5 levels, which is what Chromium itself changes when the drawing
// moves by a quarter pixel (measured here as the yardstick and printed). Training moves strokes by several pixels on purpose, so
// a difference of that size cannot teach the model anything the app does not show it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launch, root } from '../e2e/harness.mjs';

const SIDE = 280;          // pad.js MODEL_CANVAS
const QUARTER_PIXEL = 0.25 / SIDE;
const python = '/usr/bin/python3';
const helper = join(root, 'tests/model/render_cases.py');
const digitsCli = process.env.DIGITS_CLI ?? join(root, 'build/native/wasm/cli/digits');

let folder;
let browser;
before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'digits-render-'));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  rmSync(folder, { recursive: true, force: true });
});

// A blank page that serves www/js, for pad.js's own functions.
async function padPage() {
  const page = await browser.newPage();
  await page.route('http://pad.test/**', (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>pad</title>' });
    return route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(root, 'www', path)) });
  });
  await page.goto('http://pad.test/');
  return page;
}

// Paints every case as placed for the model (strokesForModel) with pad.js's paint() on
// the canvas the classifier reads; returns the alpha channels, cases x 280 x 280.
async function paintInChromium(cases, offset) {
  const page = await padPage();
  const alphas = await page.evaluate(async ({ cases, side, offset }) => {
    const { DrawingPad, MODEL_LINE_WIDTH } = await import('/js/pad.js');
    return cases.map(({ model: strokes }) => {
      const canvas = new OffscreenCanvas(side, side);
      const context = canvas.getContext('2d', { willReadFrequently: true });
      const moved = strokes.map((stroke) => stroke.map(([x, y]) => [x + offset, y + offset]));
      DrawingPad.prototype.paint.call(null, context, side, moved, MODEL_LINE_WIDTH);
      const { data } = context.getImageData(0, 0, side, side);
      let text = '';  // the alpha channel as a binary string: far cheaper to return than numbers
      for (let i = 3; i < data.length; i += 4) text += String.fromCharCode(data[i]);
      return btoa(text);
    });
  }, { cases, side: SIDE, offset });
  await page.close();
  return Buffer.concat(alphas.map((alpha) => Buffer.from(alpha, 'base64')));
}

// The shipped model's probabilities for each image of an IDX file, through the C++ engine.
function probabilities(images) {
  const out = join(folder, `${images}.f32`);
  execFileSync(digitsCli, ['eval', '--model', join(root, 'model/mnist.onnx'), '--images', join(folder, images),
    '--labels', join(folder, 'labels.idx'), '--write-probabilities', out]);
  const values = new Float32Array(new Uint8Array(readFileSync(out)).buffer);
  return Array.from({ length: values.length / 10 }, (_, i) => Array.from(values.subarray(i * 10, i * 10 + 10)));
}

const top2 = (row) => [...row].sort((a, b) => b - a).slice(0, 2);

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

test('the Python renderer places the drawing for the model where the pad does', async () => {
  const casesPath = join(folder, 'placed.json');
  execFileSync(python, [helper, 'make', casesPath]);
  const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
  const page = await padPage();
  const { placed, read, dotsAlone } = await page.evaluate(async (cases) => {
    const { strokesForModel, withoutStrayTaps } = await import('/js/pad.js');
    return { placed: cases.map(({ strokes }) => strokesForModel(strokes)),
      read: cases.map(({ strokes }) => withoutStrayTaps(strokes)),
      dotsAlone: withoutStrayTaps([[[0.2, 0.2]], [[0.8, 0.8]]]).length };
  }, cases);
  await page.close();
  let largest = 0;
  cases.forEach((c, i) => {
    assert.equal(placed[i].length, c.model.length);
    placed[i].forEach((stroke, s) => stroke.forEach(([x, y], p) => {
      largest = Math.max(largest, Math.abs(x - c.model[s][p][0]), Math.abs(y - c.model[s][p][1]));
    }));
  });
  assert.ok(largest < 1e-12, `pad.js and render.py place points ${largest} of the side apart`);
  // The stray taps of the cases made for it are left out, on both sides alike.
  assert.deepEqual(cases.map((c) => c.strokes.length - c.model.length).filter((n) => n > 0), [3]);
  assert.equal(dotsAlone, 2, 'a drawing of dots alone is read whole');
  // Whatever its size and place on the pad, the drawing reaches the model centred, its
  // longer side 60% of the canvas (a speck: zoomed ten times, no more), stray taps aside.
  const bounds = (strokes) => {
    const points = strokes.flat();
    const [xs, ys] = [points.map((p) => p[0]), points.map((p) => p[1])];
    return { extent: Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)),
      middle: [(Math.max(...xs) + Math.min(...xs)) / 2, (Math.max(...ys) + Math.min(...ys)) / 2] };
  };
  placed.forEach((strokes, i) => {
    const { extent, middle } = bounds(strokes);
    const expected = Math.min(0.6, bounds(read[i]).extent * 10);
    assert.ok(Math.abs(extent - expected) < 1e-9, `case ${i}: drawn for the model at ${extent}, not ${expected}`);
    assert.ok(Math.hypot(middle[0] - 0.5, middle[1] - 0.5) < 1e-9, `case ${i}: centred at ${middle}`);
  });
});

test('the Python renderer paints what the pad paints in Chromium', async () => {
  const casesPath = join(folder, 'cases.json');
  execFileSync(python, [helper, 'make', casesPath]);
  const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
  writeFileSync(join(folder, 'chromium.u8'), await paintInChromium(cases, 0));
  writeFileSync(join(folder, 'moved.u8'), await paintInChromium(cases, QUARTER_PIXEL));
  const same = JSON.parse(execFileSync(python, [helper, 'compare', casesPath, join(folder, 'chromium.u8'),
    join(folder, 'moved.u8')]).toString());

  same.forEach((c, i) => {
    assert.ok(Math.abs(c.ink_ratio - 1) < 0.01, `case ${i}: ink differs by ${((c.ink_ratio - 1) * 100).toFixed(2)}%`);
    assert.ok(c.centroid_distance < 0.4, `case ${i}: centroids ${c.centroid_distance.toFixed(3)} px apart`);
    assert.ok(c.image_mean_difference < 2.5, `case ${i}: 28x28 images differ by ${c.image_mean_difference} on average`);
  });
  const ours = mean(same.map((c) => c.image_mean_difference));
  const yardstick = mean(same.map((c) => c.moved_image_mean_difference));
  console.log(`${cases.length} drawings: the 28x28 images differ by ${ours.toFixed(3)} grey levels per pixel on ` +
    `average (Chromium against itself with the drawing moved a quarter pixel: ${yardstick.toFixed(3)}); canvas ` +
    `${mean(same.map((c) => c.canvas_mean_difference)).toFixed(3)}; centroids at most ` +
    `${Math.max(...same.map((c) => c.centroid_distance)).toFixed(3)} px apart`);
  assert.ok(ours < 0.5, `28x28 images differ by ${ours} grey levels per pixel on average`);

  // The same answer wherever the model is decided (a drawing it finds 50/50 flips with
  // any rasteriser, or a quarter-pixel move), and nearly the same probabilities everywhere.
  const python28 = probabilities('python.idx');
  const chromium28 = probabilities('chromium.idx');
  const digit = (row) => row.indexOf(Math.max(...row));
  const decided = python28.map((row) => top2(row)[0] - top2(row)[1] > 0.2);
  const disagree = python28.flatMap((row, i) => (decided[i] && digit(row) !== digit(chromium28[i]) ? [i] : []));
  assert.deepEqual(disagree, [], `the model reads cases ${disagree} differently`);
  const drift = mean(python28.map((row, i) => Math.max(...row.map((p, d) => Math.abs(p - chromium28[i][d])))));
  console.log(`same answer for ${decided.filter(Boolean).length} decided drawings of ${cases.length}; ` +
    `largest probability difference per drawing ${drift.toFixed(4)} on average`);
  assert.ok(drift < 0.02, `probabilities differ by ${drift} on average`);
});
