// The outbox: every record is written here first and removed only when the server has
// acknowledged it (stored, or already there). The page and the service worker both
// drain it, one at a time (Web Locks), so closing the tab or going offline loses nothing.
import { openStore } from './store.js';

export const MAX_BATCH = 100;
const LOCK = 'digits-outbox';
const updates = typeof BroadcastChannel === 'function' ? new BroadcastChannel('digits-outbox') : null;

export async function enqueue(record) {
  const db = await openStore();
  await db.put('outbox', { id: record.id, record, queuedAt: Date.now() });
  updates?.postMessage({ type: 'queued' });
}

export async function pendingCount() {
  return (await openStore()).count('outbox');
}

export function onOutboxChange(listener) {
  updates?.addEventListener('message', (event) => listener(event.data));
}

// Runs task while no one else sends: other tabs and the service worker wait for it.
export async function whileNotSending(task) {
  return navigator.locks ? navigator.locks.request(LOCK, task) : task();
}

// Deletes the records queued up to `until` (a time in ms) and the history entries made
// up to then: what came later stays, to be sent and shown as usual. An entry whose
// prediction is still queued stays too (made just before, queued just after).
export async function dropUntil(until) {
  const db = await openStore();
  const tx = db.transaction(['outbox', 'history'], 'readwrite');
  const outbox = tx.objectStore('outbox').index('queuedAt');
  for (let cursor = await outbox.openCursor(IDBKeyRange.upperBound(until)); cursor; cursor = await cursor.continue()) {
    await cursor.delete();
  }
  const stillQueued = new Set((await outbox.getAll()).map(({ record }) => record.prediction_id ?? record.id));
  const history = tx.objectStore('history').index('createdAt');
  const made = IDBKeyRange.upperBound(new Date(until).toISOString());
  for (let cursor = await history.openCursor(made); cursor; cursor = await cursor.continue()) {
    if (!stillQueued.has(cursor.value.id)) await cursor.delete();
  }
  await tx.done;
  updates?.postMessage({ type: 'dropped' });
}

// Sends what is queued, in batches. Resolves to
//   { done: true }                      everything acknowledged (or dropped as invalid)
//   { done: false, retryAfterMs, why }  try again later: offline, 429, 503, server error
export async function flush({ endpoint = '/log', fetchImpl = fetch } = {}) {
  // Behind another sender (a tab, the service worker, a deletion) it waits its turn and
  // then sends what is left, so its answer is never older than theirs.
  return whileNotSending(() => drain(endpoint, fetchImpl));
}

async function drain(endpoint, fetchImpl) {
  const db = await openStore();
  let batchSize = MAX_BATCH;
  for (;;) {
    const items = await db.getAllFromIndex('outbox', 'queuedAt', null, batchSize);  // oldest first
    if (items.length === 0) return { done: true };
    let response;
    try {
      response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ records: items.map((item) => item.record) }),
      });
    } catch {
      return { done: false, retryAfterMs: null, why: 'offline' };
    }
    if (response.status === 200 || response.status === 422) {
      const { results } = await response.json();
      await settle(db, items, results);
      continue;
    }
    // Too large, or a body the server could not read: narrow down to single records,
    // and drop a single record only when the server says that record itself is wrong.
    if ((response.status === 413 || response.status === 400) && items.length > 1) {
      batchSize = response.status === 413 ? Math.ceil(items.length / 2) : 1;
      continue;
    }
    if (response.status === 413 || response.status === 400) {
      await settle(db, items, [{ index: 0, status: 'rejected', error: `HTTP ${response.status}` }]);
      continue;
    }
    const seconds = Number(response.headers.get('Retry-After'));
    return {
      done: false,
      retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null,
      why: response.status === 429 ? 'busy' : response.status === 503 ? 'unavailable' : `HTTP ${response.status}`,
    };
  }
}

async function settle(db, items, results) {
  const tx = db.transaction(['outbox', 'history'], 'readwrite');
  for (const result of results) {
    const item = items[result.index];
    if (!item) continue;
    if (result.status === 'rejected') {
      console.warn('the server refused a record; it will not be sent again', result, item.record);
    }
    tx.objectStore('outbox').delete(item.id);
    await markHistory(tx.objectStore('history'), item.record, result.status);
  }
  await tx.done;
  updates?.postMessage({ type: 'sent' });
}

async function markHistory(history, record, status) {
  const key = record.type === 'prediction' ? record.id : record.prediction_id;
  const entry = await history.get(key);
  if (!entry) return;
  const synced = status === 'rejected' ? 'rejected' : 'yes';
  if (record.type === 'prediction') entry.synced = synced;
  else if (entry.feedbackId === record.id) entry.feedbackSynced = synced;
  await history.put(entry);
}
