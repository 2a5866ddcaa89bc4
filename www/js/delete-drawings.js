// "Delete my drawings": every prediction and answer of this browser goes at once from
// this browser, and from the server as soon as it can be reached (the outbox sends the
// deletion before anything drawn after it). Offline, the deletion waits, across reloads
// and closed tabs, and the person is told so; what is drawn meanwhile is kept and sent
// after it.
import { lastDeletion, queueDeletion } from './outbox.js';
import { describeStorageError } from './store.js';

export class DeleteDrawings {
  constructor(doc, { clientId, onDeleted }) {
    this.clientId = clientId;
    this.onDeleted = onDeleted;  // after the local deletion: the page forgets and sends
    this.watching = false;       // a deletion was asked for in this page, or was waiting at its start
    this.open = doc.getElementById('delete-open');
    this.confirmation = doc.getElementById('delete-confirm');
    this.yes = doc.getElementById('delete-yes');
    this.no = doc.getElementById('delete-no');
    this.status = doc.getElementById('delete-status');
    this.open.addEventListener('click', () => this.ask());
    this.no.addEventListener('click', () => this.close());
    this.yes.addEventListener('click', () => this.delete());
    // Escape here takes the question back (the page's own Escape would clear the pad).
    this.confirmation.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      this.close();
    });
    this.open.disabled = false;
  }

  ask() {
    this.status.textContent = '';
    this.confirmation.hidden = false;
    this.open.setAttribute('aria-expanded', 'true');
    this.no.focus();  // the safe choice under the finger
  }

  close() {
    this.confirmation.hidden = true;
    this.open.setAttribute('aria-expanded', 'false');
    this.open.focus();
  }

  async delete() {
    this.yes.disabled = this.no.disabled = true;
    try {
      await queueDeletion(this.clientId);
    } catch (error) {
      this.status.textContent = `Nothing was deleted. ${describeStorageError(error)}`;
      return;
    } finally {
      this.yes.disabled = this.no.disabled = false;
    }
    this.watching = true;
    this.status.textContent = 'Deleted from this browser; deleting on the server…';
    this.close();
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
