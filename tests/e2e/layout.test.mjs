// What people see, measured on the rendered page: bars drawn to scale, a switch drawn
// as one pill, a phone layout with the answer on screen, an answer for a stroke drawn
// while loading, a page without JavaScript, no accessibility violations, no layout
// shift, and the awkward inputs of real hands.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import {
  allSent, drawWithMouse, drawWithTouch, engineReady, launchArguments, openApp, predicted, root, screenshots, tapFeedback,
  useStack, waitFor,
} from './harness.mjs';
import { decodePng } from '../engine/png.mjs';

const running = useStack();
const axeSource = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
const phone = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true };

// axe-core's violations on the page as it is now (WCAG 2.x A and AA, and best practices).
// axe is served as if from the site, so the page's Content-Security-Policy stays as it is.
// (Audited contexts block service workers: a page's requests must reach the route.)
async function violations(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    await page.route('**/__axe.js', (route) => route.fulfill({ contentType: 'text/javascript', body: axeSource }));
    await page.addScriptTag({ url: '/__axe.js' });
  }
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

async function box(page, selector) {
  return page.locator(selector).first().boundingBox();
}

function within(b, viewport) {
  return b && b.y >= 0 && b.x >= 0 && b.y + b.height <= viewport.height + 0.5 && b.x + b.width <= viewport.width + 0.5;
}

test('the statistics page with an empty database: says what will appear, no violations, light and dark', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const context = await running.browser.newContext({ colorScheme, viewport: { width: 1100, height: 900 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(`${running.stack.origin}/stats.html`);
    await page.waitForFunction(() => document.body.dataset.loaded === 'yes');
    assert.match(await page.textContent('#chart-days-empty'), /appear/i);
    assert.match(await page.textContent('#chart-digits-empty'), /appear/i);
    const emptyCells = await page.$$eval('[data-testid=confusion] td', (cells) =>
      cells.filter((cell) => cell.textContent === '' && getComputedStyle(cell).backgroundColor !== 'rgba(0, 0, 0, 0)').length);
    assert.equal(emptyCells, 0, 'empty cells of the confusion matrix are not tinted');
    assert.deepEqual(await violations(page), []);
    await page.screenshot({ path: join(screenshots, `statistics-empty-${colorScheme}.png`), fullPage: true });
    await context.close();
  }
});

test('the probability bars are drawn to scale', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openApp(context, running.stack.origin);
  await page.screenshot({ path: join(screenshots, 'first-screen.png') });
  await drawWithMouse(page, '2');
  await page.click('[data-testid=predict]');
  await predicted(page);
  await page.waitForTimeout(400);  // the bars' width transition
  const rows = await page.$$eval('#bars li', (items) => items.map((li) => ({
    track: li.querySelector('.track').getBoundingClientRect().width,
    fill: li.querySelector('.fill').getBoundingClientRect().width,
    value: li.querySelector('.value').textContent,
  })));
  for (const [digit, row] of rows.entries()) {
    const probability = Number.parseFloat(row.value) / 100;
    assert.ok(row.track > 100, `the track of ${digit} is ${row.track}px wide`);
    assert.ok(Math.abs(row.fill - probability * row.track) <= 3,
      `the bar of ${digit} at ${row.value} is ${row.fill.toFixed(1)} of ${row.track.toFixed(1)} px`);
  }
  // And in pixels: the top bar's fill is painted in the accent colour along its length.
  const top = page.locator('#bars li.top .track');
  const image = await top.screenshot();
  const topValue = await page.textContent('#bars li.top .value');
  const { data, width, height } = decodePng(image);
  let blue = 0;
  for (let x = 0, i = Math.floor(height / 2) * width * 4; x < width; x++, i += 4) {
    if (data[i + 2] > 150 && data[i] < 100) blue += 1;
  }
  const painted = blue / width;
  assert.ok(Math.abs(painted - Number.parseFloat(topValue) / 100) < 0.05,
    `${(painted * 100).toFixed(1)}% of the top bar is painted for ${topValue}`);
  await page.screenshot({ path: join(screenshots, 'answer.png') });
  await context.close();
});

// Windows' contrast themes: the person's colours replace the page's and backgrounds go.
test('in forced colours (a dark contrast theme) the ink, the bars, a pressed answer, the switch and the heat map still show', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1280, height: 1300 }, colorScheme: 'dark' });
  const page = await context.newPage();
  await page.emulateMedia({ forcedColors: 'active', colorScheme: 'dark' });
  await page.goto(`${running.stack.origin}/`);
  await engineReady(page);
  await drawWithMouse(page, '3');
  await predicted(page);
  await page.click('[data-testid=feedback-correct]');
  await page.waitForFunction(() => document.getElementById('feedback-correct').getAttribute('aria-pressed') === 'true');
  await page.waitForTimeout(400);  // the bars' width transition
  const pixel = async (selector, where = 0.5) => {
    const { data, width, height } = decodePng(await page.locator(selector).first().screenshot());
    const i = (Math.floor(height / 2) * width + Math.floor(width * where)) * 4;
    return [data[i], data[i + 1], data[i + 2]];
  };
  const distance = (a, b) => Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]);
  // Dark ink on white paper, as in every theme.
  const pad = decodePng(await page.getByTestId('pad').screenshot());
  const brightness = (i) => pad.data[i] + pad.data[i + 1] + pad.data[i + 2];
  let ink = 0;
  for (let i = 0; i < pad.data.length; i += 4) if (brightness(i) < 200) ink += 1;
  assert.ok(brightness((Math.floor(pad.height / 2) * pad.width + 8) * 4) > 700, 'the paper is white');
  assert.ok(ink > pad.width * pad.height * 0.02, `the ink shows: ${ink} dark pixels`);
  // The top bar is filled in another colour than an empty track's; a pressed answer than one not pressed.
  const top = await page.$eval('#bars li.top', (li) => [...li.parentElement.children].indexOf(li));
  const empty = top === 0 ? 1 : 0;
  assert.ok(distance(await pixel(`#bars li:nth-child(${top + 1}) .track`), await pixel(`#bars li:nth-child(${empty + 1}) .track`)) > 150,
    'the top bar is drawn');
  assert.ok(distance(await pixel('[data-testid=feedback-correct]', 0.12), await pixel('[data-testid=feedback-0]', 0.2)) > 150,
    'the pressed answer looks pressed');
  const track = await pixel('#memory-switch', 0.25);
  assert.ok(distance(track, await pixel('.settings h3')) > 150, 'the switch is drawn');
  await page.screenshot({ path: join(screenshots, 'forced-colours.png'), fullPage: true });
  // The statistics' confusion matrix keeps its heat map: the answer just given tints its cell.
  await allSent(page, 1);
  const stats = await context.newPage();
  await stats.emulateMedia({ forcedColors: 'active', colorScheme: 'dark' });
  await stats.goto(`${running.stack.origin}/stats.html`);
  await stats.waitForFunction(() => [...document.querySelectorAll('[data-testid=confusion] td')].some((td) => td.textContent));
  const cellPixel = async (filled) => {
    const cell = stats.locator('[data-testid=confusion] td').filter({ hasText: filled ? /\d/ : /^$/ }).first();
    const { data, width, height } = decodePng(await cell.screenshot());
    const i = (Math.floor(height / 2) * width + Math.floor(width * 0.15)) * 4;
    return [data[i], data[i + 1], data[i + 2]];
  };
  assert.ok(distance(await cellPixel(true), await cellPixel(false)) > 150, 'the answered cell is tinted');
  await stats.screenshot({ path: join(screenshots, 'forced-colours-statistics.png'), fullPage: true });
  await context.close();
});

// The outline of what is painted in a screenshot of one control: for each column, the
// first and last row whose colour differs from the corner's (the background).
function paintedColumns(png) {
  const { data, width, height } = decodePng(png);
  const at = (x, y) => (y * width + x) * 4;
  const differs = (i) => Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) + Math.abs(data[i + 2] - data[2]) > 60;
  const columns = [];
  for (let x = 0; x < width; x++) {
    let top = -1, bottom = -1;
    for (let y = 0; y < height; y++) {
      if (differs(at(x, y))) {
        if (top < 0) top = y;
        bottom = y;
      }
    }
    if (top >= 0) columns.push({ x, top, bottom });
  }
  return columns;
}

test("the handwriting switch's track is one pill, on and off, light and dark, at a phone's pixel density", async () => {
  for (const colorScheme of ['light', 'dark']) {
    // A phone's width and pixel density; not isMobile, whose element screenshots of a
    // scrolled page are taken from the wrong place in this Chromium.
    const context = await running.browser.newContext({ viewport: phone.viewport, deviceScaleFactor: 3, colorScheme });
    const page = await openApp(context, running.stack.origin);
    const toggle = page.locator('[data-testid=memory-switch]');
    for (const on of [true, false]) {
      assert.equal(await toggle.isChecked(), on);
      const columns = paintedColumns(await toggle.screenshot({ animations: 'disabled' }));
      const where = `${colorScheme}, ${on ? 'on' : 'off'}`;
      const height = Math.max(...columns.map((c) => c.bottom - c.top + 1));
      const length = columns.length;
      assert.ok(length >= 1.8 * height, `${where}: the track is ${length} by ${height} device pixels`);
      // Between the round ends (each as long as the track is high, half of it each side),
      // the edges are straight and as far apart as the track is high: no step where the
      // ends meet the middle, no bulge.
      const middle = columns.slice(Math.ceil(height / 2) + 2, length - Math.ceil(height / 2) - 2);
      for (const c of middle) {
        assert.ok(c.bottom - c.top + 1 >= height - 1 && Math.abs(c.top - middle[0].top) <= 1,
          `${where}: column ${c.x} is painted from ${c.top} to ${c.bottom}, the track's edges at ` +
          `${middle[0].top} and ${middle[0].top + height - 1}`);
      }
      // The ends are round: a tenth of the height in from each end, a half circle is
      // 60% as high as the track (a square end, all of it).
      for (const c of [columns[Math.round(height / 10)], columns[length - 1 - Math.round(height / 10)]]) {
        assert.ok(c.bottom - c.top + 1 < 0.8 * height, `${where}: the end at column ${c.x} is square`);
      }
      await toggle.click();
    }
    await context.close();
  }
});

test('on a phone, the answer, its confidence and the feedback are on screen with the pad', async () => {
  const context = await running.browser.newContext(phone);
  const page = await openApp(context, running.stack.origin);
  await drawWithTouch(page, '7');
  assert.equal((await predicted(page)).digit, '7');
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  const viewport = phone.viewport;
  for (const selector of ['[data-testid=pad]', '[data-testid=prediction]', '[data-testid=confidence]',
    '[data-testid=feedback-correct]', '[data-testid=feedback-0]', '[data-testid=feedback-9]']) {
    assert.ok(within(await box(page, selector), viewport), `${selector} is not on the screen: ` +
      JSON.stringify(await box(page, selector)));
  }
  const confidence = await box(page, '.confidence');
  assert.ok(confidence.height < 40, `the confidence line wraps (${confidence.height}px tall)`);
  await page.screenshot({ path: join(screenshots, 'phone-answer.png'), animations: 'disabled' });

  // Every visible control can be hit with a finger.
  const small = await page.$$eval('a, button, select, input, summary, [role=button], [tabindex="0"]', (elements) =>
    elements.filter((e) => e.checkVisibility?.() ?? e.offsetParent !== null).map((e) => {
      const r = e.getBoundingClientRect();
      return { what: e.id || e.dataset.testid || e.textContent.trim().slice(0, 20) || e.tagName, w: r.width, h: r.height };
    }).filter((r) => r.w > 0 && (r.w < 43.5 || r.h < 43.5)));
  assert.deepEqual(small, []);

  await page.setViewportSize({ width: 320, height: 640 });
  await page.waitForTimeout(100);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'the page scrolls sideways at 320 px');
  await context.close();
});

test('a stroke drawn while the engine is still loading is answered as soon as it is ready', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  const session = await context.newCDPSession(page);
  await session.send('Network.enable');
  await session.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: 100 * 1024, uploadThroughput: 100 * 1024,
  });
  await page.goto(running.stack.origin);
  await page.waitForSelector('#answer[data-state=loading]');
  assert.equal(await page.getAttribute('.result', 'aria-busy'), 'true');
  assert.equal(await page.isVisible('#loading'), true, 'the answer area shows the loading progress');
  await drawWithMouse(page, '1');
  const readyAt = await page.evaluate(() => new Promise((resolve) => {
    const engine = document.querySelector('[data-testid=engine]');
    const done = () => !/loading/.test(engine.textContent);
    if (done()) resolve(performance.now());
    new MutationObserver(() => { if (done()) resolve(performance.now()); }).observe(engine, { childList: true, subtree: true, characterData: true });
  }));
  await page.waitForSelector('#answer[data-state=answered]', { timeout: 5000 });
  const answeredAt = await page.evaluate(() => performance.now());
  assert.ok(answeredAt - readyAt < 1000, `answered ${(answeredAt - readyAt).toFixed(0)} ms after the engine was ready`);
  assert.equal(await page.textContent('[data-testid=prediction]'), '1');
  await session.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('without JavaScript, both pages say what they need instead of loading for ever', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${running.stack.origin}/`);
  const notice = page.locator('.notice.problem', { hasText: 'turn JavaScript on' });
  const [said, pad] = [await notice.boundingBox(), await box(page, '[data-testid=pad]')];
  assert.ok(said && said.height > 0 && said.y + said.height <= pad.y, 'the notice is on screen, above the pad');
  for (const loading of ['#invite', '#loading', '[data-testid=engine]']) assert.equal(await page.locator(loading).isVisible(), false, loading);
  await page.screenshot({ path: join(screenshots, 'no-javascript.png') });
  await page.goto(`${running.stack.origin}/stats.html`);
  assert.ok(await page.locator('.notice.problem', { hasText: 'to see them' }).boundingBox(), 'the statistics say so too');
  await context.close();
});

// What Lockdown Mode on an iPhone or Edge's enhanced security do: no JIT, so no WebAssembly.
// The load problem sits inside the answer area at desktop and phone widths, with no Try
// again (it cannot help).
async function saysWhyInTheAnswerArea(page) {
  for (const viewport of [{ width: 1100, height: 900 }, phone.viewport]) {
    await page.setViewportSize(viewport);
    const [said, answer] = [await box(page, '#load-problem-text'), await box(page, '#answer')];
    assert.ok(said && said.y >= answer.y && said.y + said.height <= answer.y + answer.height + 0.5 &&
      said.x + said.width <= viewport.width, `said within the answer area at ${viewport.width} px`);
  }
  assert.equal(await page.locator('#load-retry').isVisible(), false);
}

test('a browser without WebAssembly is told why and what to do, with no Try again that cannot help', async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...launchArguments, '--js-flags=--jitless'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${running.stack.origin}/`);
    await page.waitForFunction(() => document.getElementById('answer').dataset.state === 'failed');
    assert.match(await page.textContent('#load-problem-text'), /runs no WebAssembly.*Lockdown Mode.*allow it for this site/);
    await saysWhyInTheAnswerArea(page);
    await page.screenshot({ path: join(screenshots, 'no-webassembly.png') });
  } finally {
    await browser.close();
  }
});

test('a browser whose WebAssembly lacks vector instructions is told to update, not shown a compile error', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 } });
  // Chromium cannot turn its vector instructions off: its validator is made to answer as
  // Safari 15's does for a module that uses them.
  await context.addInitScript(() => {
    const validate = WebAssembly.validate;
    WebAssembly.validate = (bytes) => !new Uint8Array(bytes).includes(0xfd) && validate(bytes);
  });
  const page = await context.newPage();
  let engineFetched = false;
  page.on('request', (request) => { engineFetched ||= /\.wasm$/.test(request.url()); });
  await page.goto(`${running.stack.origin}/`);
  await page.waitForFunction(() => document.getElementById('answer').dataset.state === 'failed');
  assert.match(await page.textContent('#load-problem-text'),
    /WebAssembly is older than the recogniser needs.*Safari 16\.4.*update the browser/);
  await saysWhyInTheAnswerArea(page);
  assert.equal(engineFetched, false, 'nothing downloaded that could not run');
  await context.close();
});

// A file the recogniser needs answered 503 until Try again: the answer area says why, and
// Try again loads it (a worker whose scripts failed is replaced: the dead one never answered).
for (const [what, glob, said] of [
  ['the model', '**/model/*.onnx', /could not load: the model is missing \(HTTP 503\)/],
  ['the engine\'s module', '**/engine/digits.mjs',
    /could not load: the recognition engine could not be downloaded; check the connection and try again\./],
  ['the worker\'s script', '**/js/engines.js', /could not load: the recognition engine stopped: it could not start/],
]) {
  test(`a recogniser that cannot load (${what} not fetched) says so in the answer area, and Try again recovers`, async () => {
    const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    let failing = true;
    await page.route(glob, (route) => (failing ? route.fulfill({ status: 503, body: 'busy' }) : route.continue()));
    await page.goto(running.stack.origin);
    await page.waitForSelector('#answer[data-state=failed]');
    assert.match(await page.textContent('#load-problem'), said);
    failing = false;
    await page.click('#load-retry');
    await engineReady(page);
    await page.waitForSelector('#answer[data-state=ready]');
    await drawWithMouse(page, '3');
    await page.click('[data-testid=predict]');
    assert.equal((await predicted(page)).digit, '3');
    await context.close();
  });
}

test('a worker that stops after its engine loaded is started again, the engine loaded and the drawing answered', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await openApp(context, running.stack.origin);
  await drawWithMouse(page, '2');
  await page.click('[data-testid=predict]');
  assert.equal((await predicted(page)).digit, '2');
  const [worker] = page.workers();
  await page.click('[data-testid=clear]');
  const restarting = page.waitForEvent('console', (message) => message.text().startsWith('Loading the recogniser again'));
  await worker.evaluate(() => setTimeout(() => { throw new Error('out of memory, say'); }));
  await restarting;  // the engine shows "loading…" from then until it is loaded again
  await engineReady(page);
  await waitFor(() => page.workers().length === 1 && page.workers()[0] !== worker, { message: 'one worker, a new one' });
  await drawWithMouse(page, '7');
  await page.click('[data-testid=predict]');
  assert.equal((await predicted(page)).digit, '7');
  assert.equal(await page.isVisible('#problem'), false);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('no layout shift over drawing, answering and feedback; focus does not look pressed', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openApp(context, running.stack.origin);
  await page.evaluate(() => {
    window.shifts = 0;
    new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.shifts += entry.value; })
      .observe({ type: 'layout-shift', buffered: false });
  });
  await drawWithMouse(page, '4');
  await predicted(page);
  await page.click('[data-testid=feedback-correct]');
  await page.waitForFunction(() => document.querySelector('#feedback-status').textContent !== '');
  await page.click('[data-testid=clear]');
  await drawWithMouse(page, '5');
  await predicted(page);
  await page.click('[data-testid=feedback-3]');
  await page.waitForTimeout(300);
  const shift = await page.evaluate(() => window.shifts);
  assert.ok(shift < 0.02, `cumulative layout shift ${shift}`);

  // The pressed answer and a focused button look different.
  const style = (selector) => page.$eval(selector, (e) => {
    const s = getComputedStyle(e);
    return `${s.backgroundColor} ${s.outlineStyle} ${s.outlineColor}`;
  });
  await page.focus('[data-testid=feedback-7]');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  assert.notEqual(await style('[data-testid=feedback-3]'), await style('[data-testid=feedback-7]'));
  await context.close();
});

test('the feedback frame has no blank band, and its thanks overlaps neither the legend nor a button', async () => {
  const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  for (const width of [1280, 390, 360, 320]) {
    const context = await running.browser.newContext({ viewport: { width, height: 900 } });
    const page = await openApp(context, running.stack.origin);
    await drawWithMouse(page, '4');
    await predicted(page);
    // Before any feedback: the last row of buttons ends near the frame's bottom, except
    // under 360 px where the thanks keeps a line of its own.
    const frame = await box(page, '#feedback');
    const lastButton = await box(page, '[data-testid=feedback-9]');
    const band = frame.y + frame.height - (lastButton.y + lastButton.height);
    assert.ok(band < (width < 360 ? 40 : 16), `${width} px: ${band} px under the buttons`);

    await page.click('[data-testid=feedback-3]');
    await page.waitForFunction(() => document.querySelector('#feedback-status').textContent !== '');
    const thanks = await box(page, '#feedback-status');
    const legend = await box(page, '#feedback legend');
    assert.ok(!overlap(thanks, legend), `${width} px: the thanks covers the legend`);
    for (const id of ['feedback-correct', ...Array.from({ length: 10 }, (_, d) => `feedback-${d}`)]) {
      assert.ok(!overlap(thanks, await box(page, `[data-testid=${id}]`)), `${width} px: the thanks covers ${id}`);
    }
    assert.ok(thanks.x >= frame.x && thanks.x + thanks.width <= frame.x + frame.width + 0.5, `${width} px: outside the frame`);

    // A history entry's details break between their parts, never inside one ("12:32 PM").
    const lines = await page.$$eval('#history li .meta span', (parts) => parts.map((part) => part.getClientRects().length));
    assert.ok(lines.length >= 3 && lines.every((count) => count === 1), `${width} px: ${lines}`);
    // Its menu for saying which digit it was spans the tile, inside it, a finger high.
    const tile = await box(page, '#history li');
    const menu = await box(page, '#history li [data-testid=history-correct]');
    assert.ok(menu.x >= tile.x && menu.x + menu.width <= tile.x + tile.width && menu.y + menu.height <= tile.y + tile.height,
      `${width} px: the menu leaves its tile`);
    assert.ok(menu.width > tile.width - 20 && menu.height >= 36, `${width} px: the menu is ${menu.width}x${menu.height}`);
    // The dialog it opens fits the screen, every digit a finger wide.
    await page.click('#history li [data-testid=history-correct]');
    const dialog = await box(page, '#correct-dialog');
    assert.ok(dialog.x >= 0 && dialog.x + dialog.width <= width && dialog.y >= 0 && dialog.y + dialog.height <= 900,
      `${width} px: the dialog leaves the screen`);
    for (let d = 0; d < 10; d++) {
      const digit = await box(page, `[data-testid=correct-${d}]`);
      assert.ok(digit.width >= 44 && digit.height >= 44 && digit.x + digit.width <= dialog.x + dialog.width,
        `${width} px: ${d} is ${digit.width}x${digit.height}`);
    }
    // Remove and Cancel side by side, inside it, a finger high.
    const [remove, cancel] = [await box(page, '[data-testid=correct-remove]'), await box(page, '[data-testid=correct-cancel]')];
    for (const button of [remove, cancel]) {
      assert.ok(button.height >= 44 && button.x >= dialog.x && button.x + button.width <= dialog.x + dialog.width &&
        button.y + button.height <= dialog.y + dialog.height, `${width} px: a button of the dialog is ${JSON.stringify(button)}`);
    }
    assert.ok(!overlap(remove, cancel), `${width} px: Remove covers Cancel`);
    if (width === 320) await page.screenshot({ path: join(screenshots, 'history-correct-320.png'), animations: 'disabled' });
    await context.close();
  }
});

test('the drawing page has no accessibility violations, light and dark, before and after an answer, and asking to delete', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const context = await running.browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
    const page = await openApp(context, running.stack.origin);
    assert.deepEqual(await violations(page), [], `${colorScheme}, before an answer`);
    await drawWithMouse(page, '3');
    await page.click('[data-testid=predict]');
    await predicted(page);
    await page.click('[data-testid=feedback-correct]');
    await allSent(page, 1);
    assert.deepEqual(await violations(page), [], `${colorScheme}, after an answer`);
    await page.click('[data-testid=history-correct]');
    assert.deepEqual(await violations(page), [], `${colorScheme}, correcting from the history`);
    await page.keyboard.press('Escape');
    await page.click('[data-testid=delete-drawings]');
    assert.deepEqual(await violations(page), [], `${colorScheme}, asking before deleting`);
    if (colorScheme === 'dark') await page.screenshot({ path: join(screenshots, 'dark.png'), fullPage: true });
    await context.close();
  }
});

test('the statistics page with data: tables for every chart, keyboard legends, no violations', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const context = await running.browser.newContext({ colorScheme, viewport: { width: 1100, height: 900 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(`${running.stack.origin}/stats.html`);
    await page.waitForFunction(() => document.body.dataset.loaded === 'yes');
    for (const id of ['days', 'digits', 'confidence']) {
      assert.equal(await page.getAttribute(`#chart-${id}`, 'role'), 'img');
      assert.ok(await page.locator(`#table-${id} tbody tr`).count() > 0, `${id} has a table of its figures`);
    }
    // Each accuracy point is drawn over the bars, in the accent colour, in both charts with points.
    const covered = await page.evaluate(() => {
      const hex = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim();
      const accent = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const problems = [];
      for (const id of ['chart-days', 'chart-confidence']) {
        const chart = window.Chart.getChart(document.getElementById(id));
        const line = chart.data.datasets.findIndex((dataset) => dataset.type === 'line');
        const context = chart.canvas.getContext('2d');
        chart.getDatasetMeta(line).data.forEach((point, i) => {
          if (chart.data.datasets[line].data[i] == null) return;
          const ratio = chart.currentDevicePixelRatio;
          const [r, g, b] = context.getImageData(Math.round(point.x * ratio), Math.round(point.y * ratio), 1, 1).data;
          if (Math.max(Math.abs(r - accent[0]), Math.abs(g - accent[1]), Math.abs(b - accent[2])) > 40) {
            problems.push(`${id} point ${i} is rgb(${r}, ${g}, ${b}), not ${hex}`);
          }
        });
      }
      return problems;
    });
    assert.deepEqual(covered, [], colorScheme);
    // A legend entry is a button: Space toggles its series.
    const legend = page.locator('#legend-days button').first();
    await legend.focus();
    await page.keyboard.press('Space');
    assert.equal(await legend.getAttribute('aria-pressed'), 'false');
    assert.deepEqual(await violations(page), [], colorScheme);
    await page.screenshot({ path: join(screenshots, `statistics-${colorScheme}.png`), fullPage: true });
    await context.close();
  }
  // On phones the four totals stand in two rows of two, each figure inside its own cell.
  for (const width of [320, 390]) {
    const context = await running.browser.newContext({ viewport: { width, height: 700 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(`${running.stack.origin}/stats.html`);
    await page.waitForFunction(() => document.body.dataset.loaded === 'yes');
    const cells = await page.$$eval('.totals > div', (divs) => divs.map((div) => {
      const figure = div.querySelector('span');
      return { top: Math.round(div.getBoundingClientRect().top), fits: figure.scrollWidth <= div.clientWidth };
    }));
    assert.equal(cells.length, 4);
    assert.deepEqual(cells.map((c) => c.top === cells[0].top), [true, true, false, false], `${width} px: ${JSON.stringify(cells)}`);
    assert.equal(cells[2].top, cells[3].top, `${width} px: ${JSON.stringify(cells)}`);
    assert.ok(cells.every((c) => c.fits), `${width} px: ${JSON.stringify(cells)}`);
    // The tables, opened, and the confusion matrix scroll inside their boxes: the page
    // itself never scrolls sideways.
    await page.$$eval('details', (all) => all.forEach((details) => { details.open = true; }));
    const wide = await page.$$eval('.scrolls', (boxes) => boxes.map((box) => box.scrollWidth > box.clientWidth));
    assert.ok(wide.some(Boolean), `${width} px: no table is wider than the phone; the check proves nothing`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), width, `${width} px`);
    if (width === 320) await page.screenshot({ path: join(screenshots, 'statistics-tables-320.png'), fullPage: true });
    await context.close();
  }
  const response = await fetch(`${running.stack.origin}/api/stats`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(response.headers.get('content-encoding'), 'gzip');
});

test('awkward input: two fingers, a turned phone, a hovering pen, a stroke off the pad, a long scribble', async () => {
  const context = await running.browser.newContext(phone);
  const page = await openApp(context, running.stack.origin);
  const session = await context.newCDPSession(page);
  const pad = await box(page, '[data-testid=pad]');
  const at = (x, y, id) => ({ x: pad.x + x * pad.width, y: pad.y + y * pad.height, id });

  // Two fingers at once: the first draws, the second does not.
  await session.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(0.5, 0.2, 1)] });
  await session.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(0.5, 0.2, 1), at(0.2, 0.5, 2)] });
  for (let i = 1; i <= 10; i++) {
    await session.send('Input.dispatchTouchEvent', {
      type: 'touchMove', touchPoints: [at(0.5, 0.2 + i * 0.06, 1), at(0.2 + i * 0.06, 0.5, 2)],
    });
  }
  await session.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await predicted(page);
  await tapFeedback(page, 'feedback-correct');
  await allSent(page, 1);
  const strokes = JSON.parse(running.stack.sql('SELECT strokes FROM predictions ORDER BY client_created_at DESC, id DESC LIMIT 1')[0]);
  assert.equal(strokes.length, 1, 'two fingers drew two lines');
  assert.ok(strokes[0].every(([x]) => Math.abs(x - 500) < 20), 'the second finger moved the line');

  // Turning the phone mid-drawing keeps the drawing and its answer.
  await page.locator('[data-testid=clear]').tap();
  await drawWithTouch(page, '7');
  const before = await predicted(page);
  await page.setViewportSize({ width: 640, height: 360 });
  await page.waitForTimeout(200);
  assert.equal(await page.textContent('[data-testid=prediction]'), before.digit);
  const ink = await page.$eval('[data-testid=pad]', (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let dark = 0;
    for (let i = 3; i < data.length; i += 4) dark += data[i] > 128;
    return dark;
  });
  assert.ok(ink > 100, 'the drawing was lost when the phone turned');
  await page.setViewportSize(phone.viewport);
  await context.close();

  // A pen hovering over the pad draws nothing; a stroke that leaves the pad ends at its edge.
  const desktop = await running.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page2 = await openApp(desktop, running.stack.origin);
  const session2 = await desktop.newCDPSession(page2);
  const pad2 = await box(page2, '[data-testid=pad]');
  for (let i = 0; i < 20; i++) {
    await session2.send('Input.dispatchMouseEvent', {
      type: 'mouseMoved', x: pad2.x + 50 + i * 10, y: pad2.y + 100, pointerType: 'pen', button: 'none', buttons: 0,
    });
  }
  await page2.click('[data-testid=predict]');
  assert.equal(await page2.getAttribute('#answer', 'data-state'), 'ready', 'a hovering pen drew');

  await page2.mouse.move(pad2.x + pad2.width * 0.5, pad2.y + pad2.height * 0.3);
  await page2.mouse.down();
  await page2.mouse.move(pad2.x + pad2.width * 0.5, pad2.y + pad2.height * 0.7, { steps: 8 });
  await page2.mouse.move(pad2.x + pad2.width * 1.3, pad2.y + pad2.height * 0.7, { steps: 8 });  // off the pad
  await page2.mouse.move(pad2.x + pad2.width * 0.2, pad2.y + pad2.height * 0.2, { steps: 8 });  // and back
  await page2.mouse.up();
  await predicted(page2);
  await page2.click('[data-testid=predict]');
  await allSent(page2, 1);
  const [edge] = JSON.parse(running.stack.sql('SELECT strokes FROM predictions ORDER BY client_created_at DESC, id DESC LIMIT 1')[0]);
  const last = edge[edge.length - 1];
  assert.equal(last[0], 1000, `the stroke ends at ${last}, not at the pad's right edge`);
  assert.ok(edge.every(([x]) => x >= 490), 'the way back over the pad was drawn');

  // A scribble of thousands of points is answered and reaches the server. The moves are
  // sent without waiting for each, as fast as a real pointer delivers them.
  await page2.click('[data-testid=clear]');
  const point = (i) => ({ x: pad2.x + pad2.width * (0.2 + 0.6 * ((i % 40) / 40)), y: pad2.y + pad2.height * (0.2 + 0.6 * (i / 4000)) });
  await session2.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...point(0), button: 'left', buttons: 1, clickCount: 1 });
  await Promise.all(Array.from({ length: 4000 }, (_, i) =>
    session2.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...point(i), button: 'left', buttons: 1 })));
  const lifted = Date.now();
  await session2.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...point(3999), button: 'left', buttons: 0, clickCount: 1 });
  await predicted(page2);
  console.log(`a 4,000-point scribble: answered ${Date.now() - lifted} ms after the pen lifted`);
  await page2.click('[data-testid=predict]');
  await allSent(page2, 2);
  const kept = JSON.parse(running.stack.sql('SELECT strokes FROM predictions ORDER BY client_created_at DESC, id DESC LIMIT 1')[0]);
  assert.ok(kept[0].length > 500, 'the scribble was thinned to nothing');
  assert.deepEqual(page2.errors, []);
  await desktop.close();
});
