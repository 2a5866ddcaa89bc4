// This browser's own data, in IndexedDB: the outbox of records still to send, the
// history of drawings, and small settings such as the client id.
import { openDB } from '../vendor/idb.js';

const NAME = 'digits';
const VERSION = 1;

let opening = null;

export function openStore() {
  opening ??= openDB(NAME, VERSION, {
    upgrade(db) {
      const outbox = db.createObjectStore('outbox', { keyPath: 'id' });  // records not yet acknowledged
      outbox.createIndex('queuedAt', 'queuedAt');
      const history = db.createObjectStore('history', { keyPath: 'id' });
      history.createIndex('createdAt', 'createdAt');
      db.createObjectStore('meta');                              // clientId, ...
    },
  });
  return opening;
}

// A random id for this browser, made once: it groups its drawings, and nothing else.
export async function clientId() {
  const db = await openStore();
  let id = await db.get('meta', 'clientId');
  if (!id) {
    id = crypto.randomUUID();
    await db.put('meta', id, 'clientId');
  }
  return id;
}

// Storage errors in words a person can act on.
export function describeStorageError(error) {
  if (error?.name === 'QuotaExceededError') {
    return 'This browser has no room left to keep your drawings. Free some space (or clear old site data) and try again.';
  }
  return `Your drawings cannot be saved in this browser (${error?.message ?? error}).`;
}
