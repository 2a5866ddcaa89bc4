// This browser's own data, in IndexedDB: the outbox of records still to send, the
// history of drawings, the drawings the app learns the person's handwriting from, and
// small settings such as the client id.
import { openDB } from '../vendor/idb.js';
import { randomId } from './records.js';

const NAME = 'digits';
const VERSION = 2;

let opening = null;
let temporary = null;  // why this tab keeps its data in memory, when it does

// The store, opened once. Some browsers refuse IndexedDB (site data blocked in the
// settings, some private modes, storage switched off): the page then keeps its store in
// memory for as long as the tab is open, in fake-indexeddb (IndexedDB written in
// JavaScript, loaded only then), so that every drawing is still sent, listed and learned
// from, and only closing the tab loses what the server has not taken yet. A database
// newer than this page (VersionError: a newer version is open in another tab) is not
// such a refusal: the page is out of date, and the update notice says so.
export function openStore() {
  opening ??= open().catch(async (error) => {
    if (error?.name === 'VersionError' || !globalThis.document) throw error;  // import() is not for service workers
    console.warn(`IndexedDB refused (${error?.message ?? error}): this tab keeps its data in memory.`);
    await import('../vendor/fake-indexeddb/auto/index.mjs');  // replaces indexedDB and the IDB* classes, which idb uses
    temporary = error?.message ?? String(error);
    return open();
  });
  return opening;
}

// Why this tab's data lasts only until it is closed, or null where it is kept.
export async function storeIsTemporary() {
  await openStore();
  return temporary;
}

async function open() {
  return openDB(NAME, VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const outbox = db.createObjectStore('outbox', { keyPath: 'id' });  // records not yet acknowledged
        outbox.createIndex('queuedAt', 'queuedAt');
        const history = db.createObjectStore('history', { keyPath: 'id' });
        history.createIndex('createdAt', 'createdAt');
        db.createObjectStore('meta');                              // clientId, ...
      }
      if (oldVersion < 2) {
        const memory = db.createObjectStore('memory', { keyPath: 'id' });  // drawings learned from, by drawing id
        memory.createIndex('learnedAt', 'learnedAt');
      }
    },
  });
}

// A random id for this browser, made once: it groups its drawings, and nothing else.
// One transaction, so two tabs opened together on the first visit agree on the id.
export async function clientId() {
  const tx = (await openStore()).transaction('meta', 'readwrite');
  let id = await tx.store.get('clientId');
  if (!id) {
    id = randomId();
    await tx.store.put(id, 'clientId');
  }
  await tx.done;
  return id;
}

// Storage errors in words a person can act on.
export function describeStorageError(error) {
  if (error?.name === 'QuotaExceededError') {
    return 'This browser has no room left to keep your drawings. Free some space (or clear old site data) and try again.';
  }
  return `Your drawings cannot be saved in this browser (${error?.message ?? error}).`;
}
