// Saying which digit a drawing in the history was, once the pad has moved on: a modal
// dialog with the drawing and a button per digit. Buttons rather than a menu, because a
// menu's arrow keys would say every digit they pass on the way to the right one.
import { paintDrawing, withArticle } from './result-view.js';

export class CorrectionDialog {
  // onChoose(entry, digit): the person chose a digit other than the one said before;
  // onRemove(entry): they chose to remove the drawing instead.
  constructor(doc, { onChoose, onRemove }) {
    this.dialog = doc.getElementById('correct-dialog');
    this.image = doc.getElementById('correct-image').getContext('2d');
    this.read = doc.getElementById('correct-read');
    this.buttons = [...this.dialog.querySelectorAll('button[data-digit]')];
    this.onChoose = onChoose;
    this.onRemove = onRemove;
    this.dialog.addEventListener('close', () => this.closed());
    // The page's own keys (a digit answers the pad, Escape clears it) stay out of here;
    // a digit key chooses that digit, as on the pad.
    this.dialog.addEventListener('keydown', (event) => {
      event.stopPropagation();
      if (/^[0-9]$/.test(event.key) && !event.ctrlKey && !event.altKey && !event.metaKey) {
        event.preventDefault();
        this.dialog.close(event.key);
      }
    });
  }

  open(entry, when, opener) {
    this.entry = entry;
    this.opener = opener;
    paintDrawing(this.image, entry.image);
    this.read.textContent = `Read as ${entry.digit} at ${when.replaceAll(' ', '\u00a0')}` +
      (entry.trueDigit == null ? '.' : `; you said it was ${withArticle(entry.trueDigit)}.`) +
      (entry.image ? '' : ' Its image is no longer kept, so your answer is noted but not learned.');
    for (const button of this.buttons) {
      button.setAttribute('aria-pressed', String(Number(button.dataset.digit) === entry.trueDigit));
    }
    this.dialog.returnValue = '';
    this.dialog.showModal();
  }

  closed() {
    // A close event comes as a task of its own, which a person's next key can overtake
    // (browsers run input first): Escape then Enter at once opens the dialog again before
    // Escape's close arrives, which must not take the new opening's drawing with it.
    if (this.dialog.open) return;
    const { entry, opener } = this;
    this.entry = null;
    if (opener?.isConnected) opener.focus();
    const value = this.dialog.returnValue;
    if (entry && value === 'remove') this.onRemove(entry);
    if (entry && /^[0-9]$/.test(value) && Number(value) !== entry.trueDigit) this.onChoose(entry, Number(value));
  }
}
