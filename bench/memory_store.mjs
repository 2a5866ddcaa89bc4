#!/usr/bin/env node
// What keeping one drawing of the person's handwriting costs the page (memory.js
// rememberDrawing, after every cleared or answered drawing) as the store fills to its
// 2,000 drawings, in Chromium against a server and database of its own. Prints the
// median milliseconds of 100 drawings kept at each fill.
//   scripts/build.sh && node bench/memory_store.mjs
import { Stack, launch, openApp } from '../tests/e2e/harness.mjs';

const stack = await new Stack().start();
const browser = await launch();
try {
  const page = await openApp(await browser.newContext(), stack.origin);
  const rows = await page.evaluate(async () => {
    const { rememberDrawing } = await import('./js/memory.js');
    let written = 0;
    // Keeps n drawings, digits in turn, none alike; the median time of one.
    const keep = async (n) => {
      const times = [];
      for (let i = 0; i < n; i++, written++) {
        const image = new Uint8Array(784).map((_, p) => (p * 31 + written * 17) % 251);
        const start = performance.now();
        await rememberDrawing({ id: crypto.randomUUID(), image, digit: written % 10 });
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[Math.floor(n / 2)];
    };
    const rows = [];
    for (const [label, n] of [['0-100 stored', 100], [null, 1800], ['1,900-2,000 stored', 100],
      ['2,000 stored, each drawing dropping its digit\'s oldest', 100]]) {
      const ms = await keep(n);
      if (label) rows.push([label, ms]);
    }
    return rows;
  });
  console.log('keeping one drawing, median of 100:');
  for (const [label, ms] of rows) console.log(`  ${label.padEnd(56)} ${ms.toFixed(2)} ms`);
} finally {
  await browser.close();
  await stack.stop();
}
