// "Delete my drawings": every prediction and answer of this browser goes at once from
// this browser, and from the server as soon as it can be reached (the outbox sends the
// deletion before anything drawn after it). Offline, the deletion waits, across reloads
// and closed tabs, and the person is told so; what is drawn meanwhile is kept and sent
// after it.
import { Confirmation } from './confirmation.js';
import { lastDeletion, queueDeletion } from './outbox.js';
import { describeStorageError } from './store.js';

export class DeleteDrawings {
  constructor(doc, { clientId, onDeleted }) {
    this.clientId = clientId;
    this.onDeleted = onDeleted;  // after the local deletion: the page forgets and sends
    this.watching = false;       // a deletion was asked for in this page, or was waiting at its start
    this.status = doc.getElementById('delete-status');
    this.question = new Confirmation(doc,
      { open: 'delete-open', group: 'delete-confirm', yes: 'delete-yes', no: 'delete-no' },
      { onOpen: () => { this.status.textContent = ''; }, onYes: () => this.delete() });
    this.question.open.disabled = false;
  }

  async delete() {
    this.question.busy = true;
    try {
      await queueDeletion(this.clientId);
    } catch (error) {
      this.status.textContent = `Nothing was deleted. ${describeStorageError(error)}`;
      return;
    } finally {
      this.question.busy = false;
    }
    this.watching = true;
    this.status.textContent = 'Deleted from this browser; deleting on the server…';
    this.question.close();
    await this.onDeleted();
  }

  // Shows where the last deletion stands; `why` is the outbox's reason for waiting.
  async render(why) {
    const deletion = await lastDeletion().catch(() => undefined);
    if (!deletion || (!this.watching && deletion.state !== 'waiting')) return;
    this.watching = true;
    this.status.textContent = describe(deletion, why);
  }
}

function describe({ state, deleted, error }, why) {
  if (state === 'done') {
    const count = deleted?.predictions ?? 0;
    return count === 0 ? "Deleted: the server had none of your drawings, and this browser's list is cleared."
      : `Deleted ${count} ${count === 1 ? 'drawing' : 'drawings'} from the server and this browser.`;
  }
  if (state === 'refused') return `Deleted from this browser, but the server refused to delete them: ${error}.`;
  if (why === 'offline') {
    return 'Deleted from this browser. You are offline: the server will delete its copy when the connection ' +
      'returns, before anything new is sent.';
  }
  if (why) {
    return `Deleted from this browser. The server cannot delete right now (${why}); it will be asked again, ` +
      'before anything new is sent.';
  }
  return 'Deleted from this browser; deleting on the server…';
}
