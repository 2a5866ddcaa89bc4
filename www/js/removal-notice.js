// A removal the server refused for good (a proxy that forbids DELETE, say): the drawing is
// gone from this browser, where the person removed it, but the server keeps its copy.
// Said in the list until they acknowledge it, in every tab at once, with what still
// reaches the server's copy: Delete my drawings.
import { acknowledgeRefusals, refusedRemovals } from './outbox.js';

export class RemovalNotice {
  constructor(doc) {
    this.doc = doc;
    this.box = doc.getElementById('removal-refused');
    this.text = doc.getElementById('removal-refused-text');
    this.ids = [];
    doc.getElementById('removal-refused-ok').addEventListener('click', () => this.acknowledge());
  }

  async render() {
    const refused = await refusedRemovals().catch(() => []);
    this.ids = refused.map(({ id }) => id);
    if (refused.length) this.text.textContent = describe(refused);
    this.box.hidden = refused.length === 0;
  }

  async acknowledge() {
    this.box.hidden = true;
    this.doc.getElementById('history-title').focus();  // the button under the focus is gone
    try {
      await acknowledgeRefusals(this.ids);
    } catch (error) {
      console.warn(`Could not note that the refusal was seen: ${error.message}`);
    }
  }
}

function describe(refused) {
  const one = refused.length === 1;
  const what = !one ? `${refused.length} drawings`
    : Number.isInteger(refused[0].digit) ? `the drawing read as ${refused[0].digit}` : 'a drawing';
  const reasons = [...new Set(refused.map(({ error }) => error))].join('; ');
  return `The server refused to remove ${what} (${reasons}). ${one ? 'It is' : 'They are'} gone from this ` +
    `browser, but the server keeps ${one ? 'it' : 'them'}: Delete my drawings, in the settings, asks it to delete ` +
    'every drawing of yours.';
}
