// Offline use, a server that cannot store, a closed tab and a browser that refuses storage:
// nothing is lost, nothing doubled.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import {
  allSent, drawWithMouse, engineReady, launchArguments, modulesPage, openApp, outboxCount, predicted, screenshots,
  useStack, waitFor,
} from './harness.mjs';

const running = useStack();

async function drawAndAnswer(page, digit, trueDigit) {
  await page.click('[data-testid=clear]');
  await drawWithMouse(page, digit);
  await page.click('[data-testid=predict]');
  assert.equal((await predicted(page)).digit, digit);
  await page.click(`[data-testid=feedback-${trueDigit}]`);
  await page.waitForFunction(() => document.querySelector('#feedback-status').textContent !== '');
}

function storedOnce() {
  const [rows, distinct] = running.stack.sql('SELECT count(*), count(DISTINCT record_id) FROM predictions')[0].split('|');
  assert.equal(rows, distinct, 'a prediction was stored twice');
  return Number(rows);
}

test('offline after the first visit: the page loads, predicts and queues; back online, every record arrives once', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await openApp(context, running.stack.origin);
  // The service worker takes over once it has stored the app for offline use.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
  const before = storedOnce();

  await context.setOffline(true);
  await page.reload();
  await engineReady(page);
  await drawAndAnswer(page, '3', 3);
  await drawAndAnswer(page, '5', 6);
  await page.click('[data-testid=clear]');
  await waitFor(async () => (await outboxCount(page)) === 4, { message: 'four records queued' });
  const waiting = await page.$$eval('[data-testid=history] li .meta', (items) => items.map((m) => m.dataset.synced));
  assert.deepEqual(waiting, ['no', 'no']);
  await page.screenshot({ path: join(screenshots, 'offline-queued.png'), fullPage: true });
  assert.equal(storedOnce(), before, 'something reached the server while offline');

  await context.setOffline(false);
  await allSent(page, 2);
  assert.equal(storedOnce(), before + 2);
  assert.deepEqual(running.stack.sql("SELECT predicted_digit || ':' || true_digit FROM predictions ORDER BY client_created_at DESC, id DESC LIMIT 2").reverse(),
    ['3:3', '5:6']);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the server answering 503 while its database is down, then recovering: records wait and arrive once', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await openApp(context, running.stack.origin);
  const before = storedOnce();
  running.stack.stopDatabase();
  try {
    await drawAndAnswer(page, '2', 2);
    await page.click('[data-testid=clear]');
    // Sent, refused with 503, kept: the outbox still holds both records.
    await waitFor(async () => (await outboxCount(page)) === 2, { message: 'two records kept after a 503' });
    await page.waitForTimeout(1500);
    assert.equal(await outboxCount(page), 2);
    assert.match(await page.getAttribute('.sync', 'title'), /not taking them right now \(unavailable\)/);
  } finally {
    running.stack.startDatabase();
  }
  // The outbox retries on its own, honouring Retry-After, with backoff.
  await allSent(page, 1);
  assert.equal(storedOnce(), before + 1);
  await context.close();
});

test('closing the tab with records still queued loses nothing: the next visit sends them', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 } });
  let page = await openApp(context, running.stack.origin);
  const before = storedOnce();
  running.stack.stopDatabase();
  try {
    await drawAndAnswer(page, '6', 6);
    await page.click('[data-testid=clear]');
    await waitFor(async () => (await outboxCount(page)) === 2, { message: 'records kept' });
    await page.close();
  } finally {
    running.stack.startDatabase();
  }
  page = await openApp(context, running.stack.origin);
  await allSent(page, 1);
  assert.equal(storedOnce(), before + 1);
  assert.equal(running.stack.sql("SELECT true_digit FROM predictions ORDER BY client_created_at DESC, id DESC LIMIT 1")[0], '6');
  await context.close();
});

test('while another sender holds the outbox the page waits its turn, without a false alarm', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await openApp(context, running.stack.origin);
  // Another tab, the service worker or a deletion sending: here, the lock held for a while.
  await page.evaluate(() => {
    window.releaseOutbox = null;
    navigator.locks.request('digits-outbox', () => new Promise((resolve) => { window.releaseOutbox = resolve; }));
  });
  await page.waitForFunction(() => window.releaseOutbox !== null);
  await drawAndAnswer(page, '2', 2);
  await waitFor(async () => (await outboxCount(page)) === 2, { message: 'records queued' });
  await page.waitForTimeout(1500);  // past the first retry of a page that gave up instead of waiting
  assert.equal(await page.textContent('#sync-why'), '', 'the page said the server was not taking records');
  await page.evaluate(() => window.releaseOutbox());
  await allSent(page, 1);
  await context.close();
});

// The outbox marks an entry sent from this page or from the service worker at any moment;
// feedback given meanwhile must not put 'not sent' back on its prediction. The race is
// narrow, so it is run many times with the settle landing at different points.
test('feedback written while its prediction is being marked sent keeps both marks', async () => {
  const context = await running.browser.newContext();
  const page = await modulesPage(context, running.stack.origin);
  const lost = await page.evaluate(async () => {
    const { HistoryView } = await import('/js/history-view.js');
    const { flush } = await import('/js/outbox.js');
    const { openStore } = await import('/js/store.js');
    for (const id of ['history', 'history-empty']) document.body.append(Object.assign(document.createElement('ol'), { id }));
    const view = new HistoryView(document, 'race-client');
    const db = await openStore();
    const acknowledge = async (url, init) => new Response(JSON.stringify({
      results: JSON.parse(init.body).records.map((_, index) => ({ index, status: 'stored' })),
    }), { status: 200 });
    const channel = new MessageChannel();
    const tick = () => new Promise((resolve) => { channel.port1.onmessage = resolve; channel.port2.postMessage(0); });
    const lost = [];
    for (let i = 0; i < 200; i++) {
      const id = `race-${i}`;
      await db.put('history', { id, createdAt: new Date(i).toISOString(), digit: 3, confidence: 0.9, trueDigit: null, synced: 'no' });
      await db.put('outbox', { id, record: { type: 'prediction', id }, queuedAt: i });
      const sending = flush({ fetchImpl: acknowledge });
      for (let hop = 0; hop < i % 50; hop++) await tick();
      await Promise.all([sending, view.setFeedback({ type: 'feedback', id: `feedback-${i}`, prediction_id: id, true_digit: 5 })]);
      const entry = await db.get('history', id);
      if (entry.synced !== 'yes' || entry.trueDigit !== 5) lost.push(id);
    }
    return lost;
  });
  assert.deepEqual(lost, []);
  await context.close();
});

// A real setting people use: Chromium's "don't allow sites to save data", which refuses
// IndexedDB, localStorage, Web Locks and the service worker alike.
test('a browser that refuses this site its storage: the page still reads, sends, lists and learns, and says for how long', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'digits-e2e-profile-'));
  mkdirSync(join(profile, 'Default'));
  writeFileSync(join(profile, 'Default', 'Preferences'),
    JSON.stringify({ profile: { default_content_setting_values: { cookies: 2 } } }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', args: launchArguments, viewport: { width: 1100, height: 900 },
  });
  try {
    const before = Number(running.stack.sql('SELECT coalesce(max(id), 0) FROM predictions')[0]);
    const page = await openApp(context, running.stack.origin);
    const refused = await page.evaluate(() => {
      try {
        localStorage.getItem('x');
        return false;
      } catch {
        return true;
      }
    });
    assert.ok(refused, 'this profile should refuse the site its storage');
    const notice = page.locator('#storage-notice');
    await notice.waitFor({ state: 'visible' });  // once the store has opened in memory, perhaps after the engine
    assert.match(await notice.textContent(), /last only until you close this tab/);
    const [box, pad] = [await notice.boundingBox(), await page.getByTestId('pad').boundingBox()];
    assert.ok(box && box.height > 0 && box.y >= 0 && box.y + box.height <= pad.y, 'the notice is on screen, above the pad');

    await drawWithMouse(page, 7);
    assert.equal((await predicted(page)).digit, '7');
    await page.click('[data-testid=feedback-7]');
    await allSent(page, 1);
    await waitFor(() => running.stack.sql(`SELECT predicted_digit || '|' || true_digit FROM predictions WHERE id > ${before}`)
      .join() === '7|7', { message: 'the prediction and its feedback stored' });
    await page.waitForFunction(() => /Learned from 1 of your drawings/.test(document.getElementById('memory-count').textContent));
    await page.screenshot({ path: join(screenshots, 'storage-refused.png') });
    assert.deepEqual(page.errors, []);

    // Kept in memory only: a reload starts afresh, without an error.
    await page.reload();
    await engineReady(page);
    await notice.waitFor({ state: 'visible' });
    assert.equal(await page.locator('[data-testid=history] li').count(), 0);
    assert.deepEqual(page.errors, []);

    // The statistics page keeps nothing of its own: it shows the figures as anywhere.
    await page.goto(`${running.stack.origin}/stats.html`);
    await page.waitForFunction(() => /[1-9]/.test(document.querySelector('[data-testid=total-predictions]')?.textContent ?? ''));
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

// As a home server is often reached: http:// and a network name. Browsers keep
// crypto.randomUUID, Web Locks and service workers for secure pages (https, localhost).
test('served over plain HTTP at a network name: every drawing is still logged once, listed and learned', async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', args: [...launchArguments, '--host-resolver-rules=MAP digits.test 127.0.0.1'],
  });
  try {
    const before = Number(running.stack.sql('SELECT coalesce(max(id), 0) FROM predictions')[0]);
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await openApp(context, `http://digits.test:${running.stack.port}`);
    assert.deepEqual(await page.evaluate(() => [isSecureContext, typeof crypto.randomUUID]), [false, 'undefined']);
    for (const digit of ['7', '3']) await drawAndAnswer(page, digit, digit);
    await allSent(page, 2);
    const stored = running.stack.sql(`SELECT predicted_digit || '|' || true_digit FROM predictions WHERE id > ${before} ORDER BY id`);
    assert.deepEqual(stored, ['7|7', '3|3']);
    const ids = running.stack.sql(`SELECT record_id FROM predictions WHERE id > ${before}`);
    assert.ok(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)), ids.join());
    await page.waitForFunction(() => /Learned from 2 of your drawings/.test(document.getElementById('memory-count').textContent));
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
  }
});

// Behind a proxy that serves the app under a path of its own (https://example.org/digits/),
// here Playwright's routing: only what is asked for under the prefix reaches the server.
test('served under a path prefix: drawings and feedback are sent beside the app, not to the site root', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 }, serviceWorkers: 'block' });
  const outside = [];
  await context.route(`${running.stack.origin}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (!url.pathname.startsWith('/digits/')) {
      outside.push(`${route.request().method()} ${url.pathname}`);
      return route.fulfill({ status: 404, body: 'not under /digits/' });
    }
    url.pathname = url.pathname.slice('/digits'.length);
    return route.fulfill({ response: await route.fetch({ url: url.href }) });
  });
  const before = Number(running.stack.sql('SELECT coalesce(max(id), 0) FROM predictions')[0]);
  const page = await openApp(context, `${running.stack.origin}/digits`);
  await drawAndAnswer(page, '7', '7');
  await allSent(page, 1);
  assert.deepEqual(running.stack.sql(`SELECT predicted_digit || '|' || true_digit FROM predictions WHERE id > ${before}`), ['7|7']);
  // A missing page deep under the prefix is styled, and its way back leads to the app.
  const missing = await page.goto(`${running.stack.origin}/digits/no/such/page`);
  assert.equal(missing.status(), 404);
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('main')).textAlign), 'center');
  assert.equal(await page.evaluate(() => document.querySelector('main a').href), `${running.stack.origin}/digits/`);
  assert.deepEqual(outside, []);
  await context.close();
});

test('the history keeps its newest 500 drawings once sent, and any still waiting; the list shows the newest', async () => {
  const context = await running.browser.newContext();
  const page = await modulesPage(context, running.stack.origin);
  const after = await page.evaluate(async () => {
    const { HistoryView } = await import('/js/history-view.js');
    const { flush, HISTORY_KEPT } = await import('/js/outbox.js');
    const { openStore } = await import('/js/store.js');
    for (const id of ['history', 'history-empty']) document.body.append(Object.assign(document.createElement('ol'), { id }));
    const db = await openStore();
    const at = (i) => new Date(Date.UTC(2026, 0, 1) + i * 60000).toISOString();
    const tx = db.transaction('history', 'readwrite');
    for (let i = 0; i < 700; i++) {
      // Among the oldest: one not sent yet, one whose answer is not sent yet.
      tx.store.put({ id: `old-${i}`, createdAt: at(i), digit: i % 10, confidence: 0.9, trueDigit: i === 1 ? 4 : null,
        synced: i === 0 ? 'no' : 'yes', feedbackSynced: i === 1 ? 'no' : undefined });
    }
    await tx.done;
    await db.put('history', { id: 'new', createdAt: at(700), digit: 7, confidence: 0.9, trueDigit: null, synced: 'no' });
    await db.put('outbox', { id: 'new', record: { type: 'prediction', id: 'new' }, queuedAt: 1 });
    const acknowledge = async (url, init) => new Response(JSON.stringify({
      results: JSON.parse(init.body).records.map((_, index) => ({ index, status: 'stored' })),
    }), { status: 200 });
    await flush({ fetchImpl: acknowledge });
    const view = new HistoryView(document, 'trim-client');
    await view.render();
    const ids = await db.getAllKeys('history');
    return {
      kept: HISTORY_KEPT, count: ids.length, waiting: ['old-0', 'old-1'].filter((id) => ids.includes(id)),
      oldestSent: ids.filter((id) => /^old-\d+$/.test(id)).map((id) => Number(id.slice(4))).filter((i) => i > 1).sort((a, b) => a - b)[0],
      listed: [...document.querySelectorAll('#history li')].map((li) => li.dataset.id).slice(0, 2),
      listedCount: document.querySelectorAll('#history li').length,
    };
  });
  assert.equal(after.count, after.kept);
  assert.deepEqual(after.waiting, ['old-0', 'old-1']);
  // 701 drawings, 500 kept: the 201 oldest sent ones went (old-2 to old-202).
  assert.equal(after.oldestSent, 2 + (701 - after.kept));
  assert.deepEqual(after.listed, ['new', 'old-699']);
  assert.equal(after.listedCount, 60);
  await context.close();
});

// A connection can die without a word (a phone changing networks); a proxy can answer in
// its own words. Either way the records wait for the next try, and are sent once then.
test('a request that gets no answer, or not the server\'s, is given up and the records sent on the next try', async () => {
  const context = await running.browser.newContext();
  const page = await modulesPage(context, running.stack.origin);
  const outcome = await page.evaluate(async () => {
    const { flush } = await import('/js/outbox.js');
    const { openStore } = await import('/js/store.js');
    const db = await openStore();
    await db.put('history', { id: 'quiet', createdAt: new Date().toISOString(), digit: 2, confidence: 0.9, trueDigit: null, synced: 'no' });
    await db.put('outbox', { id: 'quiet', record: { type: 'prediction', id: 'quiet' }, queuedAt: 1 });
    const silent = (url, init) => new Promise((resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
    const started = performance.now();
    const first = await flush({ fetchImpl: silent, answerWithinMs: 300 });
    const waited = performance.now() - started;
    const proxyPage = async () => new Response('<html>Bad gateway, in a proxy\'s words</html>', { status: 200 });
    const second = await flush({ fetchImpl: proxyPage });
    const queued = await db.count('outbox');
    const posted = [];
    const acknowledge = async (url, init) => {
      posted.push(...JSON.parse(init.body).records.map((r) => r.id));
      return new Response(JSON.stringify({ results: [{ index: 0, status: 'stored' }] }), { status: 200 });
    };
    const third = await flush({ fetchImpl: acknowledge });
    return { first, waited, second, queued, third, posted, left: await db.count('outbox'), synced: (await db.get('history', 'quiet')).synced };
  });
  assert.deepEqual(outcome.first, { done: false, retryAfterMs: null, why: 'no answer' });
  assert.ok(outcome.waited < 5000, `gave up after ${outcome.waited} ms`);
  assert.deepEqual(outcome.second, { done: false, retryAfterMs: null, why: 'an answer it could not read' });
  assert.equal(outcome.queued, 1);
  assert.deepEqual([outcome.third, outcome.posted, outcome.left, outcome.synced], [{ done: true }, ['quiet'], 0, 'yes']);
  await context.close();
});
