// The app learning the person's handwriting: keeping the drawings it learns from
// (memory.js), handing them to the classification worker, and the settings that show
// and control it.
//
// It learns from every answer the person gives, corrections and confirmations alike:
// on writers the model never saw (bench/personal.mjs), confirmations on top of
// corrections cut the remaining errors by half again, and they are what outvotes a
// correction given by mistake.
import { forgetDrawings, memorySwitchedOn, rememberDrawing, rememberedDigit, rememberedDrawings,
  switchMemory } from './memory.js';

export class Handwriting {
  constructor(doc, classifier) {
    this.classifier = classifier;
    this.count = doc.getElementById('memory-count');
    this.toggle = doc.getElementById('memory-switch');
    this.forgetButton = doc.getElementById('memory-forget');
    this.toggle.checked = memorySwitchedOn();
    this.toggle.addEventListener('change', () => this.switch(this.toggle.checked));
    this.forgetButton.addEventListener('click', () => this.forget());
  }

  // After every engine load (engine: what the worker loaded): the worker's memory is
  // rebuilt from the kept images, with whichever model is loaded now. The model alone
  // still answers if this fails; only what was learned is missing.
  async restore(engine = this.engine) {
    this.engine = engine;
    this.available = Boolean(engine?.canLearn);
    if (!this.available) {
      this.show(0);
      return;
    }
    try {
      const examples = await rememberedDrawings();
      const { learned, dropped } = await this.classifier.restoreMemory(
        examples.map(({ image, digit }) => ({ image, digit })), this.toggle.checked);
      if (dropped) console.warn(`${dropped} remembered drawing(s) could not be used by this model.`);
      this.show(learned);
    } catch (error) {
      console.warn(`Your handwriting could not be restored: ${error.message}`);
    }
  }

  // The person said the drawing `id`, answered as `answer`, is trueDigit. Never fails:
  // the feedback itself is already kept. One lesson at a time: two answers given in quick
  // succession for one drawing would otherwise both find it not learned yet and both
  // teach it, where the second must replace the first.
  learnFrom(id, answer, trueDigit) {
    this.lessons = (this.lessons ?? Promise.resolve()).then(() => this.learnOne(id, answer, trueDigit));
    return this.lessons;
  }

  async learnOne(id, answer, trueDigit) {
    if (!this.available) return;
    try {
      const before = await rememberedDigit(id);
      await rememberDrawing({ id, image: answer.image, digit: trueDigit });
      if (before === null) {
        this.show((await this.classifier.learn(answer.image, trueDigit)).learned);
      } else if (before !== trueDigit) {
        await this.restore();  // they changed their mind: the earlier lesson must go
      }
    } catch (error) {
      console.warn(`Could not learn from this drawing: ${error.message}`);
    }
  }

  async switch(on) {
    switchMemory(on);
    this.show((await this.classifier.switchMemory(on)).learned);
  }

  async forget() {
    await forgetDrawings();
    this.show((await this.classifier.forget()).learned);
  }

  show(learned) {
    this.learned = learned;
    this.toggle.disabled = !this.available;
    if (!this.available) {
      this.count.textContent = 'This model cannot learn handwriting (it has no embedding output).';
    } else if (learned === 0) {
      this.count.textContent = 'Nothing learned yet. When you tell the app it misread a digit, it learns your way of writing it.';
    } else {
      this.count.textContent = `Learned from ${learned} of your drawings` +
        `${this.toggle.checked ? '' : ' (switched off)'}.`;
    }
    this.forgetButton.disabled = learned === 0;
  }
}
