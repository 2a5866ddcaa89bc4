// "Delete my drawings": every prediction and answer this browser sent is deleted on the
// server (DELETE /api/history), then here. The outbox is held meanwhile, so nothing of
// this browser is on its way to the server while it deletes; what is drawn meanwhile
// is kept and sent afterwards. Offline, or with the server unable to delete, nothing is
// deleted anywhere and the person is told why.
import { dropUntil, whileNotSending } from './outbox.js';

export class DeleteDrawings {
  constructor(doc, { clientId, onDeleted }) {
    this.clientId = clientId;
    this.onDeleted = onDeleted;
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
    this.status.textContent = 'Deleting…';
    try {
      const deleted = await whileNotSending(async () => {
        // Everything queued up to now is on the server (and deleted there) or still queued
        // (and dropped here); what is queued from now on waits for the lock.
        const until = Date.now();
        let response;
        try {
          response = await fetch(`api/history?client_id=${encodeURIComponent(this.clientId)}`, { method: 'DELETE' });
        } catch {
          throw new Error('The server cannot be reached: nothing was deleted. Try again when you are online.');
        }
        if (!response.ok) throw new Error(`Could not delete: ${await reason(response)}.`);
        const { deleted: counts } = await response.json();
        try {
          await dropUntil(until);
        } catch (error) {
          throw new Error(`Deleted on the server, but this browser's copy could not be cleared: ${error.message}`);
        }
        return counts;
      });
      const count = deleted.predictions;
      this.status.textContent = count === 0 ? "Deleted: the server had none of your drawings, and this browser's list is cleared."
        : `Deleted ${count} ${count === 1 ? 'drawing' : 'drawings'} from the server and this browser.`;
      this.close();
      await this.onDeleted();
    } catch (error) {
      this.status.textContent = error.message;
    } finally {
      this.yes.disabled = this.no.disabled = false;
    }
  }
}

// The server's words (a 503 says nothing was deleted), else its status.
async function reason(response) {
  const fallback = `the server answered ${response.status}; nothing was deleted`;
  try {
    return (await response.json()).error ?? fallback;
  } catch {
    return fallback;
  }
}
