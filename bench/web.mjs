#!/usr/bin/env node
// Web performance in Chromium, against a running server (scripts/run.sh):
//   - bytes downloaded and milliseconds from navigation to the first prediction, on a
//     cold load (empty cache) and on a warm load (service worker), for each engine
//   - time from the end of a stroke to its answer on the page, for the visit's first
//     answer and over 30 drawings after it, on a desktop's window and on a phone's
//   node bench/web.mjs [http://localhost:8080]
import { chromium } from 'playwright-core';
import { shapes } from '../tests/e2e/shapes.mjs';
import { median, percentile } from './figures.mjs';

const origin = process.argv[2] ?? 'http://localhost:8080';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});


async function draw(page, digit) {
  const box = await page.locator('[data-testid=pad]').boundingBox();
  for (const stroke of shapes[digit]) {
    await page.mouse.move(box.x + stroke[0][0] * box.width, box.y + stroke[0][1] * box.height);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 4 });
    await page.mouse.up();
  }
}

// Loads the page, draws a 7, and reports the network bytes and the time of the first answer.
async function visit(context, engine) {
  const page = await context.newPage();
  let bytes = 0;
  let counting = true;
  // Every response of this context, the worker's included, that came over the network.
  const onFinished = async (request) => {
    try {
      const response = await request.response();
      if (!counting || !response || response.fromServiceWorker()) return;
      const sizes = await request.sizes();
      bytes += sizes.responseBodySize + sizes.responseHeadersSize;
    } catch (error) {
      // A request of a worker or page that has closed since: counted by nobody.
      if (!/closed/.test(error.message)) throw error;
    }
  };
  context.on('requestfinished', onFinished);
  await page.goto(`${origin}/?engine=${engine}`);
  await page.waitForFunction(() => !['loading…', 'loading'].includes(document.querySelector('[data-testid=engine]').textContent));
  const ready = await page.evaluate(() => performance.now());
  await draw(page, 7);
  await page.waitForFunction(() => performance.getEntriesByName('digits:answer').length > 0);
  const { first, firstLatency } = await page.evaluate(() => {
    const answer = performance.getEntriesByName('digits:answer')[0];
    return { first: answer.startTime + answer.duration, firstLatency: answer.duration };
  });
  counting = false;
  context.off('requestfinished', onFinished);
  return { page, bytes, ready, first, firstLatency };
}

async function strokeToAnswer(page) {
  const times = [];
  for (let round = 0; round < 3; round++) {
    for (const digit of Object.keys(shapes)) {
      await page.click('[data-testid=clear]');
      await page.evaluate(() => performance.clearMeasures('digits:answer'));
      await draw(page, digit);
      // The answer to the last stroke: earlier strokes' answers may be skipped while one runs.
      await page.waitForFunction(() => document.querySelector('.result').getAttribute('aria-busy') === 'false' &&
        performance.getEntriesByName('digits:answer').length > 0);
      times.push(await page.evaluate(() => performance.getEntriesByName('digits:answer').at(-1).duration));
    }
  }
  return times;
}

const rows = [];
for (const engine of ['native', 'ort']) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const cold = await visit(context, engine);
  await cold.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60000 });
  // Let the service worker finish caching (ONNX Runtime Web is cached when first used).
  await cold.page.waitForTimeout(1500);
  const latencies = await strokeToAnswer(cold.page);
  await cold.page.close();
  const warm = await visit(context, engine);
  rows.push({ engine, cold, warm, latencies });
  await context.close();
}
// A phone's screen: three device pixels to the CSS pixel make the pad's canvas nine times
// as large, and what the page paints after a stroke weighs more.
const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true,
  hasTouch: true });
const onPhone = await visit(phone, 'native');
const phoneLatencies = await strokeToAnswer(onPhone.page);
await phone.close();
await browser.close();

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
console.log(`Web performance: Chromium ${browser.version()}, headless, ${origin}; a scripted "7" is drawn once the engine is ready\n`);
console.log('| engine | load | downloaded | engine ready (ms) | first answer (ms) | its stroke end to answer (ms) |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const { engine, cold, warm } of rows) {
  for (const [load, visit] of [['cold', cold], ['warm (service worker)', warm]]) {
    console.log(`| ${engine} | ${load} | ${kb(visit.bytes)} | ${visit.ready.toFixed(0)} | ${visit.first.toFixed(0)} | ` +
      `${visit.firstLatency.toFixed(1)} |`);
  }
}
console.log('\n| engine | stroke end to answer, median (ms) | p95 (ms) | answers |');
console.log('| --- | ---: | ---: | ---: |');
for (const { engine, latencies } of [...rows, { engine: 'native, phone (390x844, 3 device pixels per CSS pixel)',
  latencies: phoneLatencies }]) {
  console.log(`| ${engine} | ${median(latencies).toFixed(1)} | ${percentile(latencies, 0.95).toFixed(1)} | ${latencies.length} |`);
}
