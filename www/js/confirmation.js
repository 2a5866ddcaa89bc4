// A question under the button that asks it, for what cannot be undone (Delete my
// drawings, Forget my handwriting): Cancel, the safe choice, takes the focus; Cancel or
// Escape takes the question back and the focus returns to the button.
export class Confirmation {
  // ids: { open, group, yes, no }; onYes() runs once the question is closed by yes.
  constructor(doc, ids, { onOpen = () => {}, onYes }) {
    const element = (key) => doc.getElementById(ids[key]);
    [this.open, this.group, this.yes, this.no] = [element('open'), element('group'), element('yes'), element('no')];
    this.open.addEventListener('click', () => {
      onOpen();
      this.group.hidden = false;
      this.open.setAttribute('aria-expanded', 'true');
      this.no.focus();
    });
    this.no.addEventListener('click', () => this.close());
    this.yes.addEventListener('click', () => onYes());
    // Escape here takes the question back (the page's own Escape would clear the pad).
    this.group.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      this.close();
    });
  }

  close() {
    this.group.hidden = true;
    this.open.setAttribute('aria-expanded', 'false');
    this.open.focus();
  }

  // While the answer is being carried out: neither choice again.
  set busy(busy) {
    this.yes.disabled = this.no.disabled = busy;
  }
}
