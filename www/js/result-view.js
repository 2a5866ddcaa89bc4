// The answer area: while the recogniser loads, an invitation to draw, the answer (digit,
// how sure, a bar per digit, the 28x28 image the model saw), or why there is none. The
// area keeps its size in every state, so nothing below it jumps.
export class ResultView {
  constructor(doc) {
    this.box = doc.getElementById('answer');
    this.digit = doc.getElementById('prediction');
    this.invite = doc.getElementById('invite');
    this.loading = doc.getElementById('loading');
    this.confidence = doc.getElementById('confidence');
    this.timing = doc.getElementById('timing');
    this.personal = doc.getElementById('personal');
    this.problemText = doc.getElementById('load-problem-text');
    this.retry = doc.getElementById('load-retry');
    this.announce = doc.getElementById('announce');
    this.seen = doc.getElementById('seen').getContext('2d');
    this.rows = [...doc.querySelectorAll('#bars li')];  // in the page already: nothing grows at load
  }

  // Downloading the engine and the model; progress in [0, 1] when known.
  loadingState(progress = null) {
    this.setState('loading', 'Getting the recogniser ready…');
    if (progress === null) this.loading.removeAttribute('value');
    else this.loading.value = progress;
  }

  // Ready, nothing drawn: invite the person to draw.
  ready(message = 'Your digit is read as soon as you lift the pen, here in your browser, even offline.') {
    this.setState('ready', message);
    this.announce.textContent = message;
  }

  // The recogniser could not load: say why; the page offers to try again where that can help.
  failed(message, { retry = true } = {}) {
    this.setState('failed', '');
    this.problemText.textContent = message;
    this.retry.hidden = !retry;
    this.announce.textContent = message;
  }

  show(answer) {
    this.setState('answered', '');
    this.digit.textContent = String(answer.digit);
    this.confidence.textContent = percent(answer.confidence);
    this.timing.textContent = `· ${answer.ms.toFixed(1)} ms`;
    this.rows.forEach((row, d) => {
      const p = answer.probabilities[d];
      row.querySelector('.fill').style.width = `${(p * 100).toFixed(1)}%`;
      row.querySelector('.value').textContent = percent(p);
      row.setAttribute('aria-label', `${d}: ${percent(p)}`);
      row.classList.toggle('top', d === answer.digit);
    });
    this.paintImage(answer.image);
    // When the person's own drawings changed the answer, say so, and what the model alone read.
    this.personal.hidden = !answer.personal;
    this.personal.textContent = answer.personal
      ? `Learned from your drawings (the model alone read ${withArticle(answer.modelDigit)})` : '';
    this.announce.textContent = `It looks like ${withArticle(answer.digit)}, ${percent(answer.confidence)} sure` +
      `${answer.personal ? ', from what it learned of your handwriting' : ''}.`;
  }

  // No answer to give: nothing drawn yet, or ink too faint to be a digit.
  empty(message) {
    this.ready(message);
  }

  setState(state, invitation) {
    this.box.dataset.state = state;
    this.invite.textContent = invitation;
    if (state !== 'answered') {
      this.digit.textContent = '';
      this.confidence.textContent = '';
      this.timing.textContent = '';
      this.personal.hidden = true;
      this.clearBars();
    }
  }

  clearBars() {
    this.rows.forEach((row, d) => {
      row.querySelector('.fill').style.width = '0';
      row.querySelector('.value').textContent = '';
      row.setAttribute('aria-label', `${d}: no answer yet`);
      row.classList.remove('top');
    });
  }

  paintImage(image) {
    paintDrawing(this.seen, image);
  }
}

// A 28x28 image as the model saw it, onto a 28x28 canvas's context; without an image
// (the server cleared it after its retention period) a blank tile.
export function paintDrawing(context, image) {
  const pixels = context.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const ink = image ? image[i] : 0;
    pixels.data.set([ink, ink, ink, 255], i * 4);
  }
  context.putImageData(pixels, 0, 0);
}

// "a 7", "an 8".
export function withArticle(digit) {
  return `${digit === 8 ? 'an' : 'a'} ${digit}`;
}

export function percent(p) {
  return `${(p * 100).toFixed(p >= 0.995 || p < 0.001 ? 0 : 1)}%`;
}
