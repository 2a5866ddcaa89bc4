// "Your drawings": this browser's predictions from IndexedDB, merged with what the server
// holds for this client (GET /api/history), newest first. Each one can still be corrected
// there, after the pad has moved on: a drawing cleared with a wrong answer would otherwise
// stay taught as that answer.
import { DELETION, REMOVALS, enqueueFeedback, enqueuePrediction, lastDeletion, queueRemoval } from './outbox.js';
import { fromBase64 } from './records.js';
import { CorrectionDialog } from './correction-dialog.js';
import { paintDrawing, percent } from './result-view.js';
import { openStore } from './store.js';

const SHOWN = 60;

export class HistoryView {
  // onCorrect(entry, digit): the person said which digit a listed drawing was;
  // onRemove(entry): they asked for it to be removed.
  constructor(doc, clientId, { onCorrect, onRemove } = {}) {
    this.doc = doc;
    this.list = doc.getElementById('history');
    this.emptyNote = doc.getElementById('history-empty');
    this.clientId = clientId;
    this.onCorrect = onCorrect;
    this.onRemove = onRemove;
    this.shown = new Map();  // id -> { look, li }: what each listed entry's tile shows
  }

  // A new prediction, listed and queued together.
  async add(entry, record) {
    await enqueuePrediction(record, entry);
    await this.render();
  }

  // Feedback on a listed prediction, marked and queued together; false when a deletion
  // took the prediction meanwhile (nothing is queued then).
  async setFeedback(record) {
    const kept = await enqueueFeedback(record);
    if (kept) await this.render();
    return kept;
  }

  // One drawing out of the list and the outbox, its removal queued for the server; false
  // when it was gone already. The focus, on its tile (the dialog gives it back there),
  // moves to a neighbour's, or to the list's heading when none is left.
  async remove(predictionId) {
    const tile = this.shown.get(predictionId)?.li;
    const focused = tile?.contains(this.doc.activeElement);
    const neighbour = (tile?.nextElementSibling ?? tile?.previousElementSibling)?.dataset.id;
    const removed = await queueRemoval(this.clientId, predictionId);
    await this.render();
    if (focused) (this.shown.get(neighbour)?.li.querySelector('.correct') ?? this.doc.getElementById('history-title')).focus();
    return removed;
  }

  async has(predictionId) {
    return (await (await openStore()).count('history', predictionId)) > 0;
  }

  // Predictions the server has for this client that this browser lacks (another tab, or
  // storage cleared while the id survived) join the list as already synced.
  async mergeFromServer() {
    const deletion = await lastDeletion();
    let items;
    try {
      const response = await fetch(`api/history?client_id=${encodeURIComponent(this.clientId)}&limit=${SHOWN}`);
      if (!response.ok) return;
      ({ items } = await response.json());
    } catch {
      return;  // offline: the local list stands
    }
    const db = await openStore();
    const tx = db.transaction(['history', 'meta'], 'readwrite');
    const history = tx.objectStore('history');
    // What was deleted here stays deleted: an answer asked for while a deletion waited (it
    // may have left the server first), or before a deletion since, is not merged; nor a
    // drawing removed here, whether its removal has reached the server or not.
    const now = await tx.objectStore('meta').get(DELETION);
    if (deletion?.state === 'waiting' || now?.askedAt !== deletion?.askedAt) return;
    const removed = new Set(((await tx.objectStore('meta').get(REMOVALS)) ?? []).map((removal) => removal.id));
    for (const item of items) {
      if (removed.has(item.id)) continue;
      const local = await history.get(item.id);
      if (local) {
        if (item.true_digit !== null && local.trueDigit == null) Object.assign(local, { trueDigit: item.true_digit, feedbackSynced: 'yes' });
        local.synced = 'yes';
        await history.put(local);
        continue;
      }
      await history.put({
        id: item.id, createdAt: item.created_at, digit: item.predicted_digit, confidence: item.confidence,
        probabilities: item.probabilities, image: item.image === null ? null : fromBase64(item.image), engine: item.engine,
        modelVersion: item.model_version, trueDigit: item.true_digit, synced: 'yes', feedbackSynced: 'yes',
      });
    }
    await tx.done;
    await this.render();
  }

  // Only tiles whose entry changed are made again, and the others stay where they are:
  // the list is redrawn whenever anything is sent, which must not close a menu the
  // person has open or take the focus away.
  async render() {
    // The newest SHOWN by a cursor: reading the whole store took 140 ms at 5,000 drawings.
    const index = (await openStore()).transaction('history').store.index('createdAt');
    const entries = [];
    for (let cursor = await index.openCursor(null, 'prev'); cursor && entries.length < SHOWN;) {
      entries.push(cursor.value);
      cursor = await cursor.continue();
    }
    this.emptyNote.hidden = entries.length > 0;
    const refocus = this.list.contains(this.doc.activeElement) ? this.doc.activeElement.closest('li')?.dataset.id : null;
    const shown = new Map();
    const tiles = entries.map((entry) => {
      const look = JSON.stringify([entry.digit, entry.trueDigit, entry.confidence, entry.createdAt, pending(entry),
        Boolean(entry.image)]);
      const kept = this.shown.get(entry.id);
      const tile = kept?.look === look ? kept : { look, li: this.item(entry) };
      shown.set(entry.id, tile);
      return tile.li;
    });
    tiles.forEach((li, i) => {
      if (this.list.children[i] !== li) this.list.insertBefore(li, this.list.children[i] ?? null);
    });
    while (this.list.children.length > tiles.length) this.list.lastElementChild.remove();
    this.shown = shown;
    if (refocus && !this.list.contains(this.doc.activeElement)) shown.get(refocus)?.li.querySelector('.correct')?.focus();
  }

  item(entry) {
    const li = document.createElement('li');
    li.dataset.id = entry.id;
    const thumb = document.createElement('canvas');
    thumb.width = 28;
    thumb.height = 28;
    paintDrawing(thumb.getContext('2d'), entry.image);
    thumb.setAttribute('role', 'img');
    thumb.setAttribute('aria-label', `drawing read as ${entry.digit}`);

    const said = document.createElement('span');
    said.className = 'said';
    said.textContent = `${entry.digit} `;
    const verdict = document.createElement('span');
    if (entry.trueDigit != null) {
      const right = entry.trueDigit === entry.digit;
      verdict.className = right ? 'right' : 'wrong';
      verdict.textContent = right ? '✓' : `✗ was ${entry.trueDigit}`;
      said.append(verdict);
    }
    const meta = document.createElement('span');
    meta.className = 'meta';
    const when = new Date(entry.createdAt).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
    const parts = [percent(entry.confidence), when, pending(entry) ? 'not sent yet' : 'sent'].map((text) => {
      const part = document.createElement('span');
      part.textContent = text;
      return part;
    });
    meta.append(parts[0], ' · ', parts[1], ' · ', parts[2]);
    meta.dataset.synced = pending(entry) ? 'no' : 'yes';
    li.append(thumb, said, meta, this.correction(entry, when));
    return li;
  }

  // "Correct…" until the person said which digit it was, "Change…" after; either opens
  // the dialog that asks.
  correction(entry, when) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'correct';
    button.dataset.testid = 'history-correct';
    const context = document.createElement('span');
    context.className = 'visually-hidden';
    context.textContent = ` the ${entry.digit} of ${when}`;
    button.append(entry.trueDigit == null ? 'Correct…' : 'Change…', context);
    button.addEventListener('click', () => {
      this.dialog ??= new CorrectionDialog(this.doc, { onChoose: this.onCorrect, onRemove: this.onRemove });
      this.dialog.open(entry, when, button);
    });
    return button;
  }
}

function pending(entry) {
  return entry.synced !== 'yes' || (entry.trueDigit != null && entry.feedbackSynced !== 'yes');
}
