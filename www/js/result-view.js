// Shows an answer: the digit, how sure, a bar per digit, and the 28x28 image the model saw.
export class ResultView {
  constructor(doc) {
    this.digit = doc.getElementById('prediction');
    this.confidence = doc.getElementById('confidence');
    this.sure = doc.getElementById('sure');
    this.timing = doc.getElementById('timing');
    this.personal = doc.getElementById('personal');
    this.announce = doc.getElementById('announce');
    this.bars = doc.getElementById('bars');
    this.seen = doc.getElementById('seen').getContext('2d');
    this.rows = [];
    for (let d = 0; d < 10; d++) {
      const row = doc.createElement('li');
      row.innerHTML = `<span>${d}</span><span class="track"><span class="fill"></span></span><span class="value">0%</span>`;
      row.setAttribute('aria-label', `${d}: 0 percent`);
      this.bars.append(row);
      this.rows.push(row);
    }
    this.empty('Draw a digit, then press Predict');
  }

  show(answer) {
    this.digit.textContent = String(answer.digit);
    this.digit.classList.remove('empty');
    this.confidence.textContent = percent(answer.confidence);
    this.sure.hidden = false;
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
      ? `Learned from your drawings (the model alone read a ${answer.modelDigit})` : '';
    this.announce.textContent = `It looks like a ${answer.digit}, ${percent(answer.confidence)} sure` +
      `${answer.personal ? ', from what it learned of your handwriting' : ''}.`;
  }

  // No answer to give: nothing drawn yet, or ink too faint to be a digit.
  empty(message) {
    this.digit.textContent = '?';
    this.digit.classList.add('empty');
    this.confidence.textContent = '—';
    this.sure.hidden = true;
    this.timing.textContent = '';
    this.personal.hidden = true;
    this.rows.forEach((row, d) => {
      row.querySelector('.fill').style.width = '0';
      row.querySelector('.value').textContent = '';
      row.setAttribute('aria-label', `${d}: no answer`);
      row.classList.remove('top');
    });
    this.seen.clearRect(0, 0, 28, 28);
    this.announce.textContent = message;
  }

  paintImage(image) {
    const pixels = this.seen.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      pixels.data.set([image[i], image[i], image[i], 255], i * 4);
    }
    this.seen.putImageData(pixels, 0, 0);
  }
}

export function percent(p) {
  return `${(p * 100).toFixed(p >= 0.995 || p < 0.001 ? 0 : 1)}%`;
}
