// "Delete my drawings": gone from the server and the page, only this browser's, and
// nothing deleted anywhere when the server cannot be reached.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { allSent, drawWithMouse, modulesPage, openApp, predicted, screenshots, useStack, waitFor } from './harness.mjs';

const running = useStack();

async function drawAndLog(page, digit) {
  await page.click('[data-testid=clear]');
  await drawWithMouse(page, digit);
  await page.click('[data-testid=predict]');
  assert.equal((await predicted(page)).digit, digit);
}

const countOf = (table, client) => running.stack.sql(`SELECT count(*) FROM ${table} WHERE client_id = '${client}'`)[0];

test('deleting my drawings removes them from the server and the page, and only mine', async () => {
  const other = await running.browser.newContext({ viewport: { width: 1000, height: 900 } });
  const otherPage = await openApp(other, running.stack.origin);
  await drawAndLog(otherPage, '4');
  await allSent(otherPage, 1);

  const context = await running.browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await openApp(context, running.stack.origin);
  const client = await page.evaluate(async () => (await import('./js/store.js')).clientId());
  await drawAndLog(page, '2');
  await page.click('[data-testid=feedback-correct]');
  await drawAndLog(page, '7');
  await allSent(page, 2);
  assert.equal(countOf('predictions', client), '2');
  assert.equal(countOf('feedback', client), '1');

  // Escape takes the question back, and leaves the answer on the pad alone.
  await page.click('[data-testid=delete-drawings]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'delete-no');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#delete-confirm').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'delete-drawings');
  assert.equal(await page.textContent('[data-testid=prediction]'), '7');

  // Offline: the question is asked, the answer says nothing was deleted, and nothing was.
  await context.setOffline(true);
  await page.click('[data-testid=delete-drawings]');
  const yes = page.locator('[data-testid=delete-confirm]');
  const box = await yes.boundingBox();
  assert.ok(box && box.width >= 44 && box.height >= 44 && box.x + box.width <= 1000, `Delete is drawn at ${JSON.stringify(box)}`);
  assert.equal(await yes.evaluate((button) => getComputedStyle(button).backgroundColor), 'rgb(179, 38, 30)');
  await page.locator('#delete-confirm').screenshot({ path: join(screenshots, 'delete-confirm.png') });
  await yes.click();
  await waitFor(async () => (await page.textContent('[data-testid=delete-status]')).includes('nothing was deleted'),
    { message: 'the offline answer' });
  assert.equal(await page.locator('[data-testid=history] li').count(), 2);
  assert.equal(countOf('predictions', client), '2');

  // Online: deleted on the server and on the page; the other browser's drawing stays.
  await context.setOffline(false);
  await yes.click();
  await waitFor(async () => (await page.textContent('[data-testid=delete-status]')) ===
    'Deleted 2 drawings from the server and this browser.', { message: 'the deletion' });
  assert.equal(await page.locator('#delete-confirm').isVisible(), false);
  assert.equal(await page.locator('[data-testid=history] li').count(), 0);
  assert.equal(await page.locator('#history-empty').isVisible(), true);
  assert.equal(countOf('predictions', client), '0');
  assert.equal(countOf('feedback', client), '0');
  assert.equal(running.stack.sql('SELECT count(*) FROM predictions')[0], '1');

  // The page goes on as before: a new drawing is kept and sent, and a reload brings
  // nothing deleted back from the server.
  await drawAndLog(page, '3');
  await allSent(page, 1);
  await page.reload();
  await waitFor(async () => (await page.locator('[data-testid=history] li').count()) === 1, { message: 'the history after reload' });
  assert.equal(countOf('predictions', client), '1');
  assert.deepEqual(page.errors, []);
  await context.close();
  await other.close();
});

test('the local clearing keeps what was queued after the cut-off, with its history entry', async () => {
  const context = await running.browser.newContext();
  const page = await modulesPage(context, running.stack.origin);
  const left = await page.evaluate(async () => {
    const { dropUntil } = await import('/js/outbox.js');
    const { openStore } = await import('/js/store.js');
    const db = await openStore();
    const until = Date.parse('2026-12-07T10:00:00.000Z');
    const entry = (id, createdAt) => db.put('history', { id, createdAt, digit: 1, confidence: 1, trueDigit: null, synced: 'no' });
    const queue = (id, record, queuedAt) => db.put('outbox', { id, record, queuedAt });
    await entry('sent-before', '2026-12-07T09:59:00.000Z');
    await entry('queued-before', '2026-12-07T09:59:30.000Z');
    await queue('queued-before', { type: 'prediction', id: 'queued-before' }, until - 1);
    // Made just before the cut-off, queued just after: it will be sent, so it stays listed.
    await entry('queued-after', '2026-12-07T09:59:59.999Z');
    await queue('queued-after', { type: 'prediction', id: 'queued-after' }, until + 1);
    await entry('made-after', '2026-12-07T10:00:01.000Z');
    await queue('made-after', { type: 'prediction', id: 'made-after' }, until + 2);
    await dropUntil(until);
    return { history: (await db.getAllKeys('history')).sort(), outbox: (await db.getAllKeys('outbox')).sort() };
  });
  assert.deepEqual(left, { history: ['made-after', 'queued-after'], outbox: ['made-after', 'queued-after'] });
  await context.close();
});
