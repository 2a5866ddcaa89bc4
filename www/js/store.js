// This browser's own data, in IndexedDB: the outbox of records still to send, the
// history of drawings, the drawings the app learns the person's handwriting from, and
// small settings such as the client id.
import { openDB } from '../vendor/idb.js';

const NAME = 'digits';
const VERSION = 2;

let opening = null;

export function openStore() {
  opening ??= openDB(NAME, VERSION, {
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
  return opening;
}

// A random id for this browser, made once: it groups its drawings, and nothing else.
// One transaction, so two tabs opened together on the first visit agree on the id.
export async function clientId() {
  const tx = (await openStore()).transaction('meta', 'readwrite');
  let id = await tx.store.get('clientId');
  if (!id) {
    id = crypto.randomUUID();
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
