// A new version deployed while the app is open: the page offers a reload, and the reload
// brings the new version, leaving behind what the old one cached and the new one does not use.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { engineReady, openApp, root, screenshots, useStack } from './harness.mjs';

// A copy of the built app that this test can redeploy.
const www = mkdtempSync(join(tmpdir(), 'digits-e2e-www-'));
cpSync(join(root, 'build/www'), www, { recursive: true });
after(() => rmSync(www, { recursive: true, force: true }));
const running = useStack({ www });

test('a new deployment is offered as "Reload", and reloading runs it', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await openApp(context, running.stack.origin);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
  assert.equal(await page.isVisible('#update'), false);
  const shellBefore = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('digits-shell-')));
  // What the runtime cache holds of ONNX Runtime Web: the version in use, and an earlier one.
  const ortDir = JSON.parse(readFileSync(join(www, 'assets.json'), 'utf8')).ort.dir;
  const runtimes = [`/${ortDir}ort.wasm.min.mjs`, '/vendor/onnxruntime-web-0.0.1/ort.wasm.min.mjs'];
  await page.evaluate(async (paths) => {
    const runtime = await caches.open('digits-runtime');
    for (const path of paths) await runtime.put(new Request(path), new Response('cached'));
  }, runtimes);

  // Deploy: a service worker with another version (as the web build makes for any change).
  const sw = readFileSync(join(www, 'sw.js'), 'utf8');
  const next = sw.replace(/const VERSION = '([0-9a-f]+)';/, "const VERSION = '$1-next';");
  assert.notEqual(next, sw);
  writeFileSync(join(www, 'sw.js'), next);
  for (const variant of ['sw.js.gz', 'sw.js.br']) rmSync(join(www, variant), { force: true });

  await page.reload();
  await engineReady(page);
  await page.waitForSelector('#update:not([hidden])', { timeout: 30000 });
  await page.screenshot({ path: join(screenshots, 'update-available.png') });
  await Promise.all([page.waitForNavigation(), page.click('#update-reload')]);
  await engineReady(page);
  const shellAfter = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('digits-shell-')));
  assert.deepEqual(shellAfter.length, 1, 'the old cache is deleted');
  assert.notDeepEqual(shellAfter, shellBefore);
  assert.match(shellAfter[0], /-next$/);
  const runtimesAfter = await page.evaluate(async () =>
    (await (await caches.open('digits-runtime')).keys()).map((r) => new URL(r.url).pathname).filter((p) => p.includes('onnxruntime')));
  assert.deepEqual(runtimesAfter, [runtimes[0]], 'the earlier ONNX Runtime Web is dropped, the one in use kept');
  assert.equal(await page.isVisible('#update'), false);
  await context.close();
});
