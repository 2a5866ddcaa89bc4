#!/usr/bin/env node
// What keeping one drawing of the person's handwriting costs the page (memory.js
// rememberDrawing, after every cleared or answered drawing) as the store fills to its
// 2,000 drawings, in Chromium against a server and database of its own. Prints the
// median milliseconds of 100 drawings kept at each fill, then how long restoring 2,000
// drawings takes the classification worker and an answer asked as it starts.
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

  // Every engine start restores the memory from the store; an answer asked meanwhile (the
  // classification worker, www/js/classifier.worker.js) should not wait for it.
  const restore = await page.evaluate(async () => {
    const { ClassifierClient } = await import('./js/classifier-client.js');
    const worker = new ClassifierClient();
    await worker.load('native');
    const examples = Array.from({ length: 2000 }, (_, i) => ({
      image: new Uint8Array(784).map((_, p) => (p * 31 + i * 17) % 251), digit: i % 10,
    }));
    const side = 280;
    const canvas = () => {
      const data = new Uint8ClampedArray(side * side * 4);
      for (let y = 50; y < 230; y++) for (let x = 130; x < 150; x++) data.set([0, 0, 0, 255], (y * side + x) * 4);
      return { data, width: side, height: side };
    };
    const runs = [];
    for (let run = 0; run < 7; run++) {
      const start = performance.now();
      const restored = worker.restoreMemory(examples, true).then(() => performance.now() - start);
      const asked = performance.now();
      await worker.classify(canvas());
      runs.push({ answer: performance.now() - asked, restore: await restored });
    }
    const middle = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    return { answer: middle(runs.map((r) => r.answer)), restore: middle(runs.map((r) => r.restore)) };
  });
  console.log(`restoring 2,000 drawings, median of 7: ${restore.restore.toFixed(0)} ms; ` +
    `an answer asked as it starts: ${restore.answer.toFixed(1)} ms`);
} finally {
  await browser.close();
  await stack.stop();
}
