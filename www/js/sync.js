// Drains the outbox from the page: now, when the network returns, and after failures
// with exponential backoff (at least what Retry-After asks for). Where the browser has
// Background Sync, the service worker also drains it when the page is gone.
import { flush, pendingCount } from './outbox.js';

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 5 * 60 * 1000;
const POLL_MS = 30 * 1000;

export class Syncer {
  constructor({ onStatus }) {
    this.onStatus = onStatus;  // ({ pending, state, why }) for the page
    this.delay = FIRST_DELAY_MS;
    this.timer = null;
    this.running = false;
    this.again = false;
    this.why = null;  // why the last attempt failed, shown until the next one settles
  }

  start() {
    addEventListener('online', () => this.now());
    setInterval(() => this.now(), POLL_MS);
    this.now();
  }

  async requestBackgroundSync() {
    try {
      const registration = await navigator.serviceWorker?.ready;
      await registration?.sync?.register('outbox');
    } catch {
      // Not supported or not allowed: the page's own timer and 'online' cover it.
    }
  }

  async now() {
    if (this.running) {
      this.again = true;
      await this.report(this.why);
      return;
    }
    this.running = true;
    clearTimeout(this.timer);
    try {
      do {
        this.again = false;
        // What waits is shown at once: flush() may wait its turn behind another sender.
        await this.report(this.why);
        const result = await flush();
        if (result.done) {
          this.delay = FIRST_DELAY_MS;
        } else {
          const wait = Math.min(MAX_DELAY_MS, Math.max(result.retryAfterMs ?? 0, this.delay));
          this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
          this.timer = setTimeout(() => this.now(), wait * (0.8 + 0.4 * Math.random()));
          await this.report(result.why);
          return;
        }
      } while (this.again);
      await this.report(null);
    } finally {
      this.running = false;
    }
  }

  async report(why) {
    this.why = why;
    this.onStatus({ pending: await pendingCount(), why });
  }
}
