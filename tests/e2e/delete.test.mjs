// "Delete my drawings": gone from this browser at once and from the server as soon as it
// can be reached, only this browser's, and nothing drawn after it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  allSent, countRebuilds, drawWithMouse, engineReady, modulesPage, openApp, outboxCount, predicted, screenshots, useStack,
  waitFor,
} from './harness.mjs';

const running = useStack();

async function drawAndLog(page, digit) {
  await page.click('[data-testid=clear]');
  await drawWithMouse(page, digit);
  await page.click('[data-testid=predict]');
  assert.equal((await predicted(page)).digit, digit);
}

// Remove on the listed drawing read as `digit`, through its correction dialog; resolves to
// where the Remove button was drawn.
async function removeListed(page, digit) {
  await page.locator('[data-testid=history] li').filter({ has: page.locator('.said', { hasText: digit }) })
    .locator('[data-testid=history-correct]').click();
  const remove = page.locator('[data-testid=correct-remove]');
  const box = await remove.boundingBox();
  await remove.click();
  return box;
}

const countOf = (table, client) => running.stack.sql(`SELECT count(*) FROM ${table} WHERE client_id = '${client}'`)[0];

test('deleting my drawings removes them from the server and the page, and only mine', async () => {
  const other = await running.browser.newContext({ viewport: { width: 1000, height: 900 } });
  const otherPage = await openApp(other, running.stack.origin);
  await drawAndLog(otherPage, '4');
  await allSent(otherPage, 1);

  // No service worker: the server's refusal below is routed, and routes do not see what a
  // service worker fetches.
  const context = await running.browser.newContext({ viewport: { width: 1000, height: 900 }, serviceWorkers: 'block' });
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

  // Offline: deleted here at once; the server's copy waits, and the person is told so.
  await context.setOffline(true);
  await page.click('[data-testid=delete-drawings]');
  const yes = page.locator('[data-testid=delete-confirm]');
  const box = await yes.boundingBox();
  assert.ok(box && box.width >= 44 && box.height >= 44 && box.x + box.width <= 1000, `Delete is drawn at ${JSON.stringify(box)}`);
  assert.equal(await yes.evaluate((button) => getComputedStyle(button).backgroundColor), 'rgb(179, 38, 30)');
  await page.locator('#delete-confirm').screenshot({ path: join(screenshots, 'delete-confirm.png') });
  await yes.click();
  await waitFor(async () => (await page.textContent('[data-testid=delete-status]')).includes('You are offline'),
    { message: 'the offline answer' });
  assert.equal(await page.locator('#delete-confirm').isVisible(), false);
  assert.equal(await page.locator('[data-testid=history] li').count(), 0);
  assert.equal(await page.locator('#history-empty').isVisible(), true);
  assert.equal(await page.locator('[data-testid=feedback-correct]').isDisabled(), true, 'feedback on a deleted drawing');
  await page.locator('.settings').screenshot({ path: join(screenshots, 'delete-waiting.png') });
  assert.equal(countOf('predictions', client), '2');

  // Drawn after the deletion, offline: kept and queued behind it.
  await drawAndLog(page, '5');
  await waitFor(async () => (await outboxCount(page)) === 1, { message: 'the new drawing queued' });

  // Back online with a server that cannot delete: the deletion waits, and so does the
  // new drawing, since the server would delete it too. A reload keeps both waiting and
  // does not bring the deleted drawings back from the server's history.
  let refusing = true;
  await context.route('**/api/history?*', (route) => (refusing && route.request().method() === 'DELETE'
    ? route.fulfill({ status: 503, headers: { 'Retry-After': '1' }, contentType: 'application/json', body: '{"error":"busy"}' })
    : route.continue()));
  await context.setOffline(false);
  await waitFor(async () => (await page.textContent('[data-testid=delete-status]')).includes('(unavailable)'),
    { message: 'the refusal' });
  await page.reload();
  await engineReady(page);
  await waitFor(async () => (await page.textContent('[data-testid=delete-status]')).includes('cannot delete right now'),
    { message: 'the waiting deletion after a reload' });
  assert.deepEqual(await page.$$eval('[data-testid=history] li .said', (items) => items.map((item) => item.textContent.trim())), ['5']);
  assert.equal(countOf('predictions', client), '2');

  // The server deletes again: the deletion goes first, then the new drawing.
  refusing = false;
  await waitFor(async () => (await page.textContent('[data-testid=delete-status]')) ===
    'Deleted 2 drawings from the server and this browser.', { message: 'the deletion' });
  await allSent(page, 1);
  assert.deepEqual(running.stack.sql(`SELECT predicted_digit FROM predictions WHERE client_id = '${client}'`), ['5']);
  assert.equal(countOf('feedback', client), '0');
  assert.equal(running.stack.sql('SELECT count(*) FROM predictions')[0], '2');

  // Online, the deletion is done at once.
  await page.click('[data-testid=delete-drawings]');
  await page.click('[data-testid=delete-confirm]');
  await waitFor(async () => (await page.textContent('[data-testid=delete-status]')) ===
    'Deleted 1 drawing from the server and this browser.', { message: 'the online deletion' });
  assert.equal(await page.locator('[data-testid=history] li').count(), 0);
  assert.equal(countOf('predictions', client), '0');
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

test('Remove on one drawing of the history: gone here, from the server and from what was learned, offline too', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1000, height: 900 } });
  await context.addInitScript(countRebuilds);
  const page = await openApp(context, running.stack.origin);
  const client = await page.evaluate(async () => (await import('./js/store.js')).clientId());
  await drawAndLog(page, '2');
  await page.click('[data-testid=feedback-correct]');
  await drawAndLog(page, '7');
  await drawAndLog(page, '4');
  await page.click('[data-testid=clear]');  // cleared without a word: learned as read
  await allSent(page, 3);
  await waitFor(async () => (await page.textContent('[data-testid=memory-count]')).startsWith('Learned from 3 '),
    { message: 'three drawings learned' });
  const said = () => page.$$eval('[data-testid=history] li .said', (items) => items.map((item) => item.textContent.trim()));
  const remove = async (digit) => {
    const box = await removeListed(page, digit);
    assert.ok(box && box.width >= 44 && box.height >= 44 && box.x + box.width <= 1000, `Remove is drawn at ${JSON.stringify(box)}`);
  };

  // Online: the 2 and its answer go from the list, the server and the memory at once
  // (the memory withdraws that drawing alone: it is not rebuilt whole).
  const rebuilds = await page.evaluate(() => window.rebuilds);
  await remove('2');
  await waitFor(async () => (await page.textContent('#history-status')) === 'Removed the drawing read as 2.',
    { message: 'the removal said' });
  assert.deepEqual(await said(), ['4', '7']);
  // The focus, given back to the removed tile, moves on to its neighbour's.
  assert.equal(await page.evaluate(() => document.activeElement.closest('li')?.querySelector('.said').textContent.trim()), '7');
  await waitFor(async () => countOf('predictions', client) === '2', { message: 'the server\'s copy removed' });
  assert.equal(countOf('feedback', client), '0');
  await waitFor(async () => (await page.textContent('[data-testid=memory-count]')).startsWith('Learned from 2 '),
    { message: 'its lesson withdrawn' });
  assert.equal(await page.evaluate(() => window.rebuilds), rebuilds);

  // Offline: gone here at once, waiting to be sent; a reload (online, before it is sent)
  // does not bring it back from the server's history.
  await context.setOffline(true);
  await remove('7');
  await waitFor(async () => (await page.textContent('#history-status')) === 'Removed the drawing read as 7.',
    { message: 'the offline removal said' });
  assert.deepEqual(await said(), ['4']);
  await waitFor(async () => (await outboxCount(page)) === 1, { message: 'the removal waiting' });
  assert.equal(countOf('predictions', client), '2');
  let holding = true;
  await context.route('**/api/history?*', (route) => (holding && route.request().method() === 'DELETE'
    ? route.fulfill({ status: 503, headers: { 'Retry-After': '1' }, contentType: 'application/json', body: '{"error":"busy"}' })
    : route.continue()));
  await context.setOffline(false);
  const merged = page.waitForResponse((response) => response.url().includes('/api/history?') &&
    response.request().method() === 'GET');
  await page.reload();
  await engineReady(page);
  assert.ok((await (await merged).json()).items.some((item) => item.predicted_digit === 7), 'the server still has the 7');
  await page.waitForTimeout(300);  // its merge is one transaction after the answer
  assert.deepEqual(await said(), ['4']);
  holding = false;
  await allSent(page, 1);
  assert.deepEqual(running.stack.sql(`SELECT predicted_digit FROM predictions WHERE client_id = '${client}'`), ['4']);
  assert.ok((await page.textContent('[data-testid=memory-count]')).startsWith('Learned from 1 '));
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a removal the server refuses for good is said in the list, in every tab, until the person has seen it', async () => {
  // No service worker: routes do not see what a service worker fetches.
  const context = await running.browser.newContext({ viewport: { width: 1000, height: 900 }, serviceWorkers: 'block' });
  // A proxy in the way that forbids DELETE, with a page of its own instead of the server's answer.
  await context.route('**/api/history?*', (route) => (route.request().method() === 'DELETE'
    ? route.fulfill({ status: 403, contentType: 'text/html', body: '<h1>Forbidden</h1>' }) : route.continue()));
  const page = await openApp(context, running.stack.origin);
  const client = await page.evaluate(async () => (await import('./js/store.js')).clientId());
  await drawAndLog(page, '2');
  await drawAndLog(page, '7');
  await allSent(page, 2);
  const other = await openApp(context, running.stack.origin);
  const notice = (tab) => tab.locator('[data-testid=removal-refused]');
  assert.equal(await notice(page).isVisible(), false);

  await removeListed(page, '2');
  const said = 'The server refused to remove the drawing read as 2 (HTTP 403). It is gone from this browser, but ' +
    'the server keeps it: Delete my drawings, in the settings, asks it to delete every drawing of yours.';
  for (const tab of [page, other]) {
    await waitFor(async () => (await notice(tab).isVisible()) && (await notice(tab).textContent()).trim().startsWith(said),
      { message: 'the refusal said' });
  }
  assert.equal(countOf('predictions', client), '2');
  assert.equal(await outboxCount(page), 0, 'a refusal for good is not asked again');
  // Drawn in the list, above the drawings, the whole reason readable and OK a finger high.
  const [box, list, ok] = await Promise.all([notice(page).boundingBox(),
    page.locator('[data-testid=history]').boundingBox(), page.locator('[data-testid=removal-refused-ok]').boundingBox()]);
  assert.ok(box.y + box.height <= list.y && box.x >= list.x - 1 && box.x + box.width <= list.x + list.width + 1,
    `the notice at ${JSON.stringify(box)}, the list at ${JSON.stringify(list)}`);
  assert.ok(ok.height >= 44 && ok.x + ok.width <= box.x + box.width, `OK at ${JSON.stringify(ok)}`);
  assert.equal(await notice(page).evaluate((element) => element.scrollWidth <= element.clientWidth), true);
  await page.locator('.history').screenshot({ path: join(screenshots, 'removal-refused.png') });

  // Seen in one tab, gone from both, and after a reload.
  await page.click('[data-testid=removal-refused-ok]');
  for (const tab of [page, other]) await waitFor(async () => !(await notice(tab).isVisible()), { message: 'the notice gone' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'history-title');
  await page.reload();
  await engineReady(page);
  await page.waitForTimeout(300);
  assert.equal(await notice(page).isVisible(), false);
  assert.deepEqual(await page.$$eval('[data-testid=history] li .said', (items) => items.map((item) => item.textContent.trim())), ['7']);
  assert.deepEqual([...page.errors, ...other.errors], []);
  await context.close();
});

test('the deletion here takes everything listed and queued, and nothing logged after it', async () => {
  const context = await running.browser.newContext();
  const page = await modulesPage(context, running.stack.origin);
  const left = await page.evaluate(async () => {
    const { enqueueFeedback, enqueuePrediction, lastDeletion, queueDeletion } = await import('/js/outbox.js');
    const { openStore } = await import('/js/store.js');
    const db = await openStore();
    const made = (id) => enqueuePrediction({ type: 'prediction', id }, { id, createdAt: new Date().toISOString(), digit: 1, trueDigit: null, synced: 'no' });
    await made('queued-before');
    await db.put('history', { id: 'sent-before', createdAt: new Date().toISOString(), digit: 1, trueDigit: null, synced: 'yes' });
    await queueDeletion('3f2a7c10-8d1e-4b7a-9c55-0e6f1a2b3c4d');
    await made('made-after');
    // An answer to a deleted drawing (given in another tab meanwhile) is not queued.
    const answers = [
      await enqueueFeedback({ type: 'feedback', id: 'on-deleted', prediction_id: 'queued-before', true_digit: 4 }),
      await enqueueFeedback({ type: 'feedback', id: 'on-kept', prediction_id: 'made-after', true_digit: 4 }),
    ];
    const deletion = await lastDeletion();
    return {
      history: (await db.getAll('history')).map(({ id, trueDigit }) => `${id}:${trueDigit}`),
      outbox: (await db.getAllKeys('outbox')).sort(),
      answers,
      deletion: [deletion.state, deletion.clientId, typeof deletion.askedAt],
    };
  });
  assert.deepEqual(left, {
    history: ['made-after:4'], outbox: ['made-after', 'on-kept'], answers: [false, true],
    deletion: ['waiting', '3f2a7c10-8d1e-4b7a-9c55-0e6f1a2b3c4d', 'number'],
  });
  await context.close();
});

// What the outbox sends, in order, against a server that answers as told.
test('a waiting deletion goes before every record, is asked again after a failure, and answers for one asked meanwhile', async () => {
  const context = await running.browser.newContext();
  const page = await modulesPage(context, running.stack.origin);
  const sent = await page.evaluate(async () => {
    const { enqueuePrediction, flush, lastDeletion, queueDeletion } = await import('/js/outbox.js');
    const client = '3f2a7c10-8d1e-4b7a-9c55-0e6f1a2b3c4d';
    const requests = [];
    let answers = [];
    const server = async (url, { method, body }) => {
      requests.push(method === 'DELETE' ? `DELETE ${new URL(url).pathname}${new URL(url).search}` : `POST ${JSON.parse(body).records.map((r) => r.id).join(',')}`);
      const answer = answers.shift() ?? 200;
      if (typeof answer === 'function') return answer();
      if (method === 'DELETE') {
        return new Response(JSON.stringify(answer === 200 ? { client_id: client, deleted: { predictions: 3, feedback: 1 } } : { error: 'no' }),
          { status: answer, headers: { 'Retry-After': '2' } });
      }
      return Response.json({ results: JSON.parse(body).records.map((_, index) => ({ index, status: 'stored' })) });
    };
    const outcomes = [];
    const enqueue = (id) => enqueuePrediction({ type: 'prediction', id }, { id, createdAt: new Date().toISOString() });
    await enqueue('before');
    await queueDeletion(client);
    await enqueue('after');
    answers = [503];
    outcomes.push(await flush({ fetchImpl: server }), (await lastDeletion()).state);
    answers = [() => { throw new TypeError('Failed to fetch'); }];
    outcomes.push(await flush({ fetchImpl: server }), (await lastDeletion()).state);
    // Deleted again here while the server deletes ('after' goes too): the server's answer
    // covers both, since nothing was sent in between.
    answers = [async () => {
      await queueDeletion(client);
      await enqueue('after-again');
      return Response.json({ client_id: client, deleted: { predictions: 3, feedback: 1 } });
    }];
    outcomes.push(await flush({ fetchImpl: server }), await lastDeletion());
    // A refusal for good does not hold back what came after.
    await queueDeletion(client);
    await enqueue('later');
    answers = [400];
    outcomes.push(await flush({ fetchImpl: server }), (await lastDeletion()).state);
    return { requests, outcomes, left: await (await import('/js/outbox.js')).pendingCount() };
  });
  const deleteRequest = 'DELETE /api/history?client_id=3f2a7c10-8d1e-4b7a-9c55-0e6f1a2b3c4d';
  assert.deepEqual(sent.requests, [deleteRequest, deleteRequest, deleteRequest, 'POST after-again', deleteRequest, 'POST later']);
  assert.deepEqual(sent.outcomes.slice(0, 4), [
    { done: false, retryAfterMs: 2000, why: 'unavailable' }, 'waiting', { done: false, retryAfterMs: null, why: 'offline' }, 'waiting',
  ]);
  assert.deepEqual(sent.outcomes[4], { done: true });
  assert.equal(sent.outcomes[5].state, 'done');
  assert.deepEqual(sent.outcomes[5].deleted, { predictions: 3, feedback: 1 });
  assert.deepEqual(sent.outcomes.slice(6), [{ done: true }, 'refused']);
  assert.equal(sent.left, 0);
  await context.close();
});

test('a removal takes its drawing and answers out of what waits, goes first, lets the records by while the server cannot take it, and is asked again', async () => {
  const context = await running.browser.newContext();
  const page = await modulesPage(context, running.stack.origin);
  const seen = await page.evaluate(async () => {
    const { REMOVALS, enqueueFeedback, enqueuePrediction, flush, pendingCount, queueRemoval } = await import('/js/outbox.js');
    const { openStore } = await import('/js/store.js');
    const db = await openStore();
    const client = '3f2a7c10-8d1e-4b7a-9c55-0e6f1a2b3c4d';
    const requests = [];
    let answers = [];
    const server = async (url, { method, body }) => {
      const { pathname, search } = new URL(url);
      requests.push(method === 'DELETE' ? `DELETE ${pathname}${search}` : `POST ${JSON.parse(body).records.map((r) => r.id).join(',')}`);
      const status = answers.shift() ?? 200;
      if (method === 'DELETE') return new Response(JSON.stringify({ deleted: { predictions: 1, feedback: 0 } }), { status, headers: { 'Retry-After': '2' } });
      return Response.json({ results: JSON.parse(body).records.map((_, index) => ({ index, status: 'stored' })) });
    };
    const made = (id) => enqueuePrediction({ type: 'prediction', id }, { id, createdAt: new Date().toISOString(), trueDigit: null, synced: 'no' });
    await db.put('history', { id: 'sent', createdAt: new Date().toISOString(), digit: 1, trueDigit: null, synced: 'yes' });
    await made('queued');
    await enqueueFeedback({ type: 'feedback', id: 'answer', prediction_id: 'queued', true_digit: 4 });
    await made('kept');
    const removed = [await queueRemoval(client, 'queued'), await queueRemoval(client, 'sent'), await queueRemoval(client, 'never-there')];
    const waiting = [await pendingCount(), (await db.getAllKeys('outbox')).sort()];
    answers = [503];
    const outcomes = [await flush({ fetchImpl: server })];
    outcomes.push(await flush({ fetchImpl: server }));
    return {
      removed, waiting, outcomes, requests, left: await pendingCount(),
      history: (await db.getAll('history')).map((entry) => entry.id),
      removals: (await db.get('meta', REMOVALS)).map(({ id, state }) => `${id}:${state}`),
    };
  });
  const removal = (id) => `DELETE /api/history?client_id=3f2a7c10-8d1e-4b7a-9c55-0e6f1a2b3c4d&id=${id}`;
  assert.deepEqual(seen, {
    removed: [true, true, false],
    waiting: [3, ['kept']],  // the kept drawing and two removals
    outcomes: [{ done: false, retryAfterMs: 2000, why: 'unavailable' }, { done: true }],
    requests: [removal('queued'), 'POST kept', removal('queued'), removal('sent')],
    left: 0,
    history: ['kept'],
    removals: ['queued:done', 'sent:done'],
  });
  await context.close();
});

test('a deletion in one tab takes the answer shown in another, and no answer to it is sent', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1000, height: 900 } });
  const shown = await openApp(context, running.stack.origin);
  const client = await shown.evaluate(async () => (await import('./js/store.js')).clientId());
  await drawAndLog(shown, '6');
  await allSent(shown, 1);

  const deleting = await openApp(context, running.stack.origin);
  await deleting.click('[data-testid=delete-drawings]');
  await deleting.click('[data-testid=delete-confirm]');
  await waitFor(async () => (await deleting.textContent('[data-testid=delete-status]')) ===
    'Deleted 1 drawing from the server and this browser.', { message: 'the deletion' });

  await waitFor(async () => (await shown.textContent('[data-testid=prediction]')) === '', { message: 'the answer taken away' });
  assert.equal(await shown.locator('[data-testid=feedback-correct]').isDisabled(), true);
  assert.equal(await shown.locator('[data-testid=history] li').count(), 0);
  // The pad repaints on the next animation frame, which a tab behind another never gets.
  await shown.bringToFront();
  await waitFor(() => shown.evaluate(() => {
    const canvas = document.querySelector('[data-testid=pad]');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    return data.every((value, i) => i % 4 === 3 || value === data[i % 4]);
  }), { message: 'the deleted drawing gone from the pad' });
  await shown.keyboard.press('6');  // an answer by key: nothing is on the pad to answer
  assert.equal(countOf('predictions', client), '0');
  assert.equal(countOf('feedback', client), '0');
  assert.equal(await outboxCount(shown), 0);
  assert.deepEqual([...shown.errors, ...deleting.errors], []);
  await context.close();
});

// Background Sync, dispatched through the DevTools protocol as the browser would when the
// network returns: the service worker sends the waiting deletion, then what came after.
test('with the tab closed, the service worker sends the waiting deletion before the drawing made after it', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1000, height: 900 } });
  let page = await openApp(context, running.stack.origin);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
  const client = await page.evaluate(async () => (await import('./js/store.js')).clientId());
  await drawAndLog(page, '2');
  await allSent(page, 1);

  running.stack.stopDatabase();
  try {
    await page.click('[data-testid=delete-drawings]');
    await page.click('[data-testid=delete-confirm]');
    await waitFor(async () => (await page.textContent('[data-testid=delete-status]')).includes('(unavailable)'),
      { message: 'the deletion waiting' });
    await drawAndLog(page, '5');
    await waitFor(async () => (await outboxCount(page)) === 1, { message: 'the new drawing queued' });
    await page.close();
  } finally {
    running.stack.startDatabase();
  }
  assert.equal(countOf('predictions', client), '1');

  // A page of the origin that sends nothing itself, to reach the service worker from.
  page = await modulesPage(context, running.stack.origin);
  const session = await context.newCDPSession(page);
  const registration = new Promise((resolve) => session.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
    const found = registrations.find((r) => r.scopeURL.startsWith(running.stack.origin) && !r.isDeleted);
    if (found) resolve(found.registrationId);
  }));
  await session.send('ServiceWorker.enable');
  // One sync event: the writer may still be reconnecting to the restarted database (a
  // 503), and the service worker tries again within the event.
  await session.send('ServiceWorker.dispatchSyncEvent', {
    origin: running.stack.origin, registrationId: await registration, tag: 'outbox', lastChance: false,
  });
  await waitFor(async () => running.stack.sql(`SELECT predicted_digit FROM predictions WHERE client_id = '${client}'`).join() === '5',
    { message: 'the deletion, then the new drawing, on the server' });
  // Acknowledged, so no longer queued (the outbox settles just after the server answers).
  await waitFor(async () => {
    const left = await page.evaluate(async () => {
      const { lastDeletion, pendingCount } = await import('/js/outbox.js');
      return { deletion: (await lastDeletion()).state, pending: await pendingCount() };
    });
    return left.deletion === 'done' && left.pending === 0;
  }, { message: 'the outbox emptied' });
  await context.close();
});
