// A person at the stack's port: Debian's Chromium opens the page, draws a 7 with the
// mouse, asks for the answer, says it was a 7, and waits until the page reports the
// drawing and its feedback acknowledged by the server. Prints the answer as JSON and
// leaves a screenshot in test-output/deploy/.
//   node tests/deploy/draw.mjs ORIGIN
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { allSent, drawWithMouse, launch, openApp, predicted, root } from '../e2e/harness.mjs';

const origin = process.argv[2];
if (!origin) {
  console.error('usage: draw.mjs ORIGIN');
  process.exit(2);
}
const output = join(root, 'test-output', 'deploy');
mkdirSync(output, { recursive: true });

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await openApp(context, origin);
  await drawWithMouse(page, '7');
  await page.click('[data-testid=predict]');
  const answer = await predicted(page);
  await page.click(answer.digit === '7' ? '[data-testid=feedback-correct]' : '[data-testid=feedback-7]');
  await allSent(page, 1);
  await page.screenshot({ path: join(output, 'drawn-against-stack.png'), fullPage: true });
  if (page.errors.length > 0) throw new Error(`the page reported errors: ${page.errors.join('; ')}`);
  console.log(JSON.stringify({ ...answer, engine: await page.textContent('[data-testid=engine]') }));
} finally {
  await browser.close();
}
