// The outbox: every record is written here first and removed only when the server has
// acknowledged it (stored, or already there). The page and the service worker both
// drain it, one at a time (Web Locks), so closing the tab or going offline loses nothing.
import { openStore } from './store.js';

export const MAX_BATCH = 100;
// The history keeps this many drawings at most (the page lists the newest 60); older
// ones go once they and their answers are sent, so the store does not grow for ever.
export const HISTORY_KEPT = 500;
const LOCK = 'digits-outbox';
export const DELETION = 'deletion';  // the meta key of the last deletion asked for
// The meta key of single drawings removed: [{ id, clientId, digit, state: 'waiting' |
// 'done' | 'refused', error?, seen? }]. Those sent are remembered a while, so that a
// history merged from the server just before cannot bring one back; a refusal keeps the
// server's reason until the person has seen it (seen).
export const REMOVALS = 'removals';
const REMOVALS_REMEMBERED = 200;
const updates = typeof BroadcastChannel === 'function' ? new BroadcastChannel('digits-outbox') : null;

// A prediction and its history entry, in one transaction: a deletion finds both or neither.
export async function enqueuePrediction(record, entry) {
  const tx = (await openStore()).transaction(['outbox', 'history'], 'readwrite');
  await Promise.all([tx.objectStore('history').put(entry), tx.objectStore('outbox').put(item(record)), tx.done]);
  updates?.postMessage({ type: 'queued' });
}

// Feedback, marked on its prediction's history entry in the same transaction, and only
// while that entry is kept: resolves to false, queuing nothing, once a deletion took the
// prediction. One transaction also because the outbox may mark the entry sent (in this
// page or in the service worker) at any moment, and a separate read and write would put
// 'not sent' back.
export async function enqueueFeedback(record) {
  const tx = (await openStore()).transaction(['outbox', 'history'], 'readwrite');
  const history = tx.objectStore('history');
  const entry = await history.get(record.prediction_id);
  if (entry) {
    await history.put(Object.assign(entry, { trueDigit: record.true_digit, feedbackId: record.id, feedbackSynced: 'no' }));
    await tx.objectStore('outbox').put(item(record));
  }
  await tx.done;
  if (entry) updates?.postMessage({ type: 'queued' });
  return Boolean(entry);
}

function item(record) {
  return { id: record.id, record, queuedAt: Date.now() };
}

// Records and removals not sent yet.
export async function pendingCount() {
  const db = await openStore();
  const [records, removals] = await Promise.all([db.count('outbox'), db.get('meta', REMOVALS)]);
  return records + (removals ?? []).filter((removal) => removal.state === 'waiting').length;
}

export function onOutboxChange(listener) {
  updates?.addEventListener('message', (event) => listener(event.data));
}

// Runs task while no one else sends: other tabs and the service worker wait for it.
async function whileNotSending(task) {
  if (!navigator.locks) return task();
  let started = false;
  try {
    return await navigator.locks.request(LOCK, () => {
      started = true;
      return task();
    });
  } catch (error) {
    if (started) throw error;
    // A browser that refuses this site its storage refuses its locks too ("The request
    // was denied"); the outbox is then this tab's own, in memory, and no one else sends.
    return task();
  }
}

// "Delete my drawings", here at once and on the server as soon as it can be reached.
// One transaction writes the deletion down and empties the history and the outbox: a
// prediction is written with its entry, and feedback only beside its entry, so whatever
// was made before is gone and whatever comes after is kept, to be sent and shown as
// usual. Whoever sends next (this page, another tab, the service worker, after a reload
// or a closed tab) sends the deletion first: the server deletes everything of this
// client, so nothing made after it may arrive before it.
export async function queueDeletion(clientId) {
  const tx = (await openStore()).transaction(['outbox', 'history', 'meta'], 'readwrite');
  await Promise.all([
    tx.objectStore('meta').put({ state: 'waiting', clientId, askedAt: Date.now() }, DELETION),
    tx.objectStore('meta').delete(REMOVALS),  // every drawing goes, those removed one by one too
    tx.objectStore('outbox').clear(), tx.objectStore('history').clear(), tx.done,
  ]);
  updates?.postMessage({ type: 'dropped' });
}

// "Remove" on one drawing of the history: its entry, and whatever of it still waits in
// the outbox (the prediction, answers on it), go at once, in the transaction that writes
// the removal down for the server. The drawing may have been sent, or be on its way right
// now: the removal is sent after that, since one sender at a time drains the outbox, and
// a removal of a drawing the server never got deletes nothing. Resolves to false when the
// entry was gone already (removed or deleted in another tab).
export async function queueRemoval(clientId, predictionId) {
  const tx = (await openStore()).transaction(['outbox', 'history', 'meta'], 'readwrite');
  const [history, outbox, meta] = ['history', 'outbox', 'meta'].map((name) => tx.objectStore(name));
  const entry = await history.get(predictionId);
  if (entry) {
    await history.delete(predictionId);
    for (const item of await outbox.getAll()) {
      if (item.record.id === predictionId || item.record.prediction_id === predictionId) await outbox.delete(item.id);
    }
    const removals = ((await meta.get(REMOVALS)) ?? []).filter((removal) => removal.id !== predictionId);
    await meta.put(remembered([...removals, { id: predictionId, clientId, digit: entry.digit, state: 'waiting' }]),
      REMOVALS);
  }
  await tx.done;
  if (entry) updates?.postMessage({ type: 'dropped', id: predictionId });
  return Boolean(entry);
}

// Every waiting removal, and the newest of those answered.
function remembered(removals) {
  let answered = removals.filter((removal) => removal.state !== 'waiting').length;
  return removals.filter((removal) => removal.state === 'waiting' || answered-- <= REMOVALS_REMEMBERED);
}

// The removals the server refused for good that the person has not acknowledged yet,
// oldest first: the drawing is gone from this browser but not from the server.
export async function refusedRemovals() {
  const removals = (await (await openStore()).get('meta', REMOVALS)) ?? [];
  return removals.filter((removal) => removal.state === 'refused' && !removal.seen);
}

// The person saw the refusals `ids` (in every tab: they are told once).
export async function acknowledgeRefusals(ids) {
  const tx = (await openStore()).transaction('meta', 'readwrite');
  const removals = (await tx.store.get(REMOVALS)) ?? [];
  await tx.store.put(removals.map((one) => (ids.includes(one.id) ? { ...one, seen: true } : one)), REMOVALS);
  await tx.done;
  updates?.postMessage({ type: 'seen' });
}

// The last deletion: { state: 'waiting' | 'done' | 'refused', clientId, askedAt, deleted?,
// error? }, or undefined when this browser never asked for one.
export async function lastDeletion() {
  return (await openStore()).get('meta', DELETION);
}

// Beside the app, wherever it is served (a proxy may put it under a path of its own):
// resolved from this module's address, which the page and the service worker share.
const LOG = new URL('../log', import.meta.url).href;
const HISTORY = new URL('../api/history', import.meta.url).href;
// A request with no answer by then is given up and sent again later (records carry
// their ids, so the server stores each once): a connection that died without a word,
// after a change of network say, would otherwise hold the outbox for good.
const ANSWER_WITHIN_MS = 60 * 1000;

// Sends what is queued, in batches. Resolves to
//   { done: true }                      everything acknowledged (or dropped as invalid)
//   { done: false, retryAfterMs, why }  try again later: offline, no answer, 429, 503, server error
export async function flush({
  endpoint = LOG, deletionEndpoint = HISTORY, fetchImpl = fetch, answerWithinMs = ANSWER_WITHIN_MS,
} = {}) {
  // Behind another sender (a tab, the service worker) it waits its turn and then sends
  // what is left, so its answer is never older than theirs.
  const send = (url, init) => ask(fetchImpl, url, init, answerWithinMs);
  return whileNotSending(() => drain(endpoint, deletionEndpoint, send));
}

// One request and its JSON body, given up after answerWithinMs. Resolves to
// { response, body } (body {} when it is not JSON) or to { failed }, flush()'s answer.
async function ask(fetchImpl, url, init, answerWithinMs) {
  const signal = AbortSignal.timeout?.(answerWithinMs);  // (a browser without it waits as fetch does)
  try {
    const response = await fetchImpl(url, { ...init, signal });
    const body = await response.json().catch((error) => {
      if (signal?.aborted) throw error;
      return {};
    });
    return { response, body };
  } catch {
    return { failed: { done: false, retryAfterMs: null, why: signal?.aborted ? 'no answer' : 'offline' } };
  }
}

async function drain(endpoint, deletionEndpoint, send) {
  const db = await openStore();
  let batchSize = MAX_BATCH;
  // A removal the server cannot take now: the records go meanwhile (none of them is the
  // removed drawing's, dropped with it), and this answer is flush()'s once they are sent.
  let removalsHeld = null;
  for (;;) {
    // A waiting deletion and the batch are read in one transaction, so the batch holds only
    // records from before it (sent first, deleted by it) or, once it is sent, from after.
    const tx = db.transaction(['meta', 'outbox']);
    const [deletion, removals, items] = await Promise.all([
      tx.objectStore('meta').get(DELETION),
      tx.objectStore('meta').get(REMOVALS),
      tx.objectStore('outbox').index('queuedAt').getAll(null, batchSize),  // oldest first
      tx.done,
    ]);
    if (deletion?.state === 'waiting') {
      const failed = await sendDeletion(db, deletion, deletionEndpoint, send);
      if (failed) return failed;
      continue;
    }
    const removal = removalsHeld ? null : removals?.find((one) => one.state === 'waiting');
    if (removal) {
      removalsHeld = await sendRemoval(db, removal, deletionEndpoint, send);
      continue;
    }
    if (items.length === 0) return removalsHeld ?? { done: true };
    const { response, body, failed } = await send(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ records: items.map((item) => item.record) }),
    });
    if (failed) return failed;
    if (response.status === 200 || response.status === 422) {
      // Not the server's answer (a proxy's page, say): sent again later.
      if (!Array.isArray(body.results)) return { done: false, retryAfterMs: null, why: 'an answer it could not read' };
      await settle(db, items, body.results);
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
    return later(response);
  }
}

function later(response) {
  const seconds = Number(response.headers.get('Retry-After'));
  return {
    done: false,
    retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null,
    why: response.status === 429 ? 'busy' : response.status === 503 ? 'unavailable' : `HTTP ${response.status}`,
  };
}

// Sends the deletion; resolves to nothing once the server has answered for good, or to
// flush()'s "try again later" answer. The server deletes every row of the client, so
// sending it again (a reply lost) is harmless.
async function sendDeletion(db, deletion, endpoint, send) {
  const { response, body, failed } = await deleteOnServer(send,
    `${endpoint}?client_id=${encodeURIComponent(deletion.clientId)}`, 'delete this browser\'s drawings');
  if (failed) return failed;
  const outcome = response.ok ? { state: 'done', deleted: body.deleted } : refusal(response, body);
  // A deletion asked for again while this one travelled is answered by it too: nothing
  // was sent meanwhile (this sender holds the outbox). Its time is kept, for the history's
  // merge to see that one came.
  const tx = db.transaction('meta', 'readwrite');
  await tx.store.put({ ...(await tx.store.get(DELETION)), ...outcome }, DELETION);
  await tx.done;
  updates?.postMessage({ type: 'deleted' });
  return null;
}

// Sends one removal, as sendDeletion sends a deletion (again is harmless: it deletes nothing).
async function sendRemoval(db, removal, endpoint, send) {
  const { response, body, failed } = await deleteOnServer(send,
    `${endpoint}?client_id=${encodeURIComponent(removal.clientId)}&id=${encodeURIComponent(removal.id)}`,
    `remove the drawing ${removal.id}`);
  if (failed) return failed;
  const outcome = response.ok ? { state: 'done' } : refusal(response, body);
  const tx = db.transaction('meta', 'readwrite');
  const removals = (await tx.store.get(REMOVALS)) ?? [];
  await tx.store.put(remembered(removals.map((one) => (one.id === removal.id ? { ...one, ...outcome } : one))), REMOVALS);
  await tx.done;
  updates?.postMessage({ type: 'sent' });
  return null;
}

// The server's reason, or the status when the answer is not the server's own (a proxy's page).
function refusal(response, body) {
  return { state: 'refused', error: typeof body.error === 'string' ? body.error : `HTTP ${response.status}` };
}

// A DELETE of the history's: { failed } (flush()'s "try again later": offline, no answer,
// busy, unavailable) or the server's answer for good, { response, body }, a refusal
// reported in the console.
async function deleteOnServer(send, url, what) {
  const answer = await send(url, { method: 'DELETE' });
  if (answer.failed) return answer;
  const { response, body } = answer;
  if (response.status >= 500 || response.status === 429 || response.status === 408) return { failed: later(response) };
  if (!response.ok) console.warn(`the server refused to ${what}`, response.status, body);
  return answer;
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
  await trimHistory(tx.objectStore('history'));
  await tx.done;
  updates?.postMessage({ type: 'sent' });
}

// Oldest first, the entries past HISTORY_KEPT whose prediction and answer have left;
// one still waiting stays, whatever its age.
async function trimHistory(history) {
  let excess = (await history.count()) - HISTORY_KEPT;
  for (let cursor = excess > 0 ? await history.index('createdAt').openCursor() : null; cursor && excess > 0;) {
    if (cursor.value.synced !== 'no' && cursor.value.feedbackSynced !== 'no') {
      await cursor.delete();
      excess--;
    }
    cursor = await cursor.continue();
  }
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
