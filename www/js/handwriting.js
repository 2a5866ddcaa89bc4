// The app learning the person's handwriting: keeping the drawings it learns from
// (memory.js), handing them to the classification worker, and the settings that show
// and control it.
//
// It learns from every drawing the person finishes: as they said it was, when they
// corrected or confirmed the answer, and as it was read, when they cleared the drawing
// or left the page without a word. On writers the model never saw (bench/personal.mjs),
// corrections alone mend a fifth of the model's errors, since most come before any
// correction of their digit; the drawings left as read show the memory the person's
// other digits, and with them it mends half, or two fifths when the person never
// corrects anything. They are also what outvotes a correction given by mistake.
import { Confirmation } from './confirmation.js';
import { forgetDrawing, forgetDrawings, forgottenElsewhere, forgottenOneElsewhere, memorySwitchedOn, rememberDrawing,
  rememberedDrawings, rememberedElsewhere, rememberedExample, storedDrawingCount, switchMemory } from './memory.js';

const NOTHING_LEARNED = 'Nothing learned yet. Every digit you finish, by clearing it or by saying which it was, ' +
  'teaches the app your way of writing it.';

export class Handwriting {
  constructor(doc, classifier) {
    this.classifier = classifier;
    this.count = doc.getElementById('memory-count');
    this.toggle = doc.getElementById('memory-switch');
    this.question = new Confirmation(doc,
      { open: 'memory-forget', group: 'memory-forget-confirm', yes: 'memory-forget-yes', no: 'memory-forget-no' },
      { onYes: () => this.forgetAsked() });
    this.forgetButton = this.question.open;
    this.era = 0;  // how many times the person said Forget my handwriting
    this.toggle.checked = memorySwitchedOn();
    this.toggle.addEventListener('change', () => this.switch(this.toggle.checked));
    // The app's other tabs in this browser: what one learns, forgets or switches, all do
    // at once, so that a correction made in one tab mends the answers of every other.
    this.tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel('digits-handwriting') : null;
    this.tabs?.addEventListener('message', ({ data }) => this.changedElsewhere(data));
    this.showStored();
  }

  // While the engine loads, from what the store holds: a person who has taught the app is
  // not told that nothing was learned while their drawings are restored.
  async showStored() {
    const stored = await storedDrawingCount().catch(() => 0);  // the page says what is wrong with the store
    if (this.learned !== undefined) return;  // restored already
    if (stored > 0) this.showRestoring(stored);
    else this.count.textContent = NOTHING_LEARNED;
  }

  showRestoring(stored) {
    this.count.textContent = `Restoring what the app learned from ${stored} of your drawings…`;
  }

  // After every engine load (engine: what the worker loaded): the worker's memory is
  // rebuilt from the kept images, with whichever model is loaded now. In turn with the
  // lessons, so that another tab's lesson arriving meanwhile is not rebuilt away.
  started(engine) {
    return this.inTurn(() => this.restore(engine));
  }

  // The model alone still answers if this fails; only what was learned is missing.
  async restore(engine = this.engine) {
    this.engine = engine;
    this.available = Boolean(engine?.canLearn);
    if (!this.available) {
      this.show(0);
      return;
    }
    try {
      const examples = await rememberedDrawings();
      if (examples.length) this.showRestoring(examples.length);
      const { learned, dropped } = await this.classifier.restoreMemory(
        examples.map(({ image, digit }) => ({ image, digit })), this.toggle.checked);
      if (dropped) console.warn(`${dropped} remembered drawing(s) could not be used by this model.`);
      this.show(learned);
    } catch (error) {
      console.warn(`Your handwriting could not be restored: ${error.message}`);
      this.count.textContent = `What the app learned of your handwriting could not be restored (${error.message}).`;
    }
  }

  // The person said the drawing `id`, answered as `answer`, is trueDigit. Never fails:
  // the feedback itself is already kept.
  learnFrom(id, answer, trueDigit) {
    return this.inTurn(() => this.learnOne(id, answer, trueDigit));
  }

  // One change of the memory at a time: two answers given in quick succession for one
  // drawing would otherwise both find it not learned yet and both teach it, where the
  // second must replace the first; and a lesson still on its way must not land after
  // Forget my handwriting.
  inTurn(change) {
    this.lessons = (this.lessons ?? Promise.resolve()).catch(() => {}).then(change);
    return this.lessons;
  }

  // The person moved on from the drawing `id` without a word: it is learned as it was
  // read, unless they said Forget my handwriting since it was answered (era: this.era then).
  learnAsRead(id, answer, era) {
    return era === this.era ? this.learnFrom(id, answer, answer.digit) : undefined;
  }

  // Withdraws what the drawing `id` taught, if anything.
  unlearn(id) {
    return this.inTurn(async () => {
      if (!this.available) return;
      try {
        const withdrawn = await forgetDrawing(id);
        if (!withdrawn) return;
        this.tellTabs({ id, withdrawn });
        await this.withdraw(withdrawn);
      } catch (error) {
        console.warn(`Could not withdraw what a drawing taught: ${error.message}`);
      }
    });
  }

  async learnOne(id, answer, trueDigit) {
    if (!this.available) return;
    try {
      const before = await rememberedExample(id);
      await rememberDrawing({ id, image: answer.image, digit: trueDigit });
      const lesson = { image: answer.image, digit: trueDigit };
      if (before === null) {
        this.tabs?.postMessage({ type: 'learned', id, ...lesson });
        this.show((await this.classifier.learn(answer.image, trueDigit)).learned);
      } else if (before.digit !== trueDigit) {  // they changed their mind: the earlier lesson goes
        this.tellTabs({ id, withdrawn: before, lesson });
        if (await this.withdraw(before)) this.show((await this.classifier.learn(answer.image, trueDigit)).learned);
      }
    } catch (error) {
      console.warn(`Could not learn from this drawing: ${error.message}`);
    }
  }

  // One lesson out of the classifier's memory, at the cost of one inference. Should the
  // memory not find it (features that changed with the engine's arithmetic), it is
  // rebuilt from the store instead, which already holds the change: resolves to whether
  // the caller still has its own change to make.
  async withdraw({ image, digit }) {
    try {
      this.show((await this.classifier.unlearn(image, digit)).learned);
      return true;
    } catch {
      await this.restore();
      return false;
    }
  }

  // A lesson withdrawn, and maybe the same drawing's new one: sent as 'rebuilt', which a
  // tab of the version before withdrawals understands as "rebuild from the store".
  tellTabs(change) {
    this.tabs?.postMessage({ type: 'rebuilt', ...change });
  }

  async switch(on) {
    switchMemory(on);
    this.tabs?.postMessage({ type: 'switched', on });
    this.show((await this.classifier.switchMemory(on)).learned);
  }

  // Forget, answered yes.
  async forgetAsked() {
    this.question.close();
    await this.forget();
  }

  forget() {
    this.era += 1;
    return this.inTurn(async () => {
      await forgetDrawings();
      this.tabs?.postMessage({ type: 'forgotten' });
      this.show((await this.classifier.forget()).learned);
    });
  }

  // Another tab learned a drawing, changed or withdrew a lesson, used the switch, or said
  // Forget my handwriting; the store already shows it. An engine still loading needs
  // nothing: it restores from the store and the switch.
  changedElsewhere({ type, on, id, image, digit, withdrawn, lesson }) {
    const unlessLoading = (error) => {
      if (this.engine) console.warn(`Your handwriting could not follow another tab: ${error.message}`);
    };
    if (type === 'switched') {
      this.toggle.checked = on;
      this.classifier.switchMemory(on).then(({ learned }) => this.show(learned), unlessLoading);
    } else if (type === 'learned') {
      this.inTurn(async () => {
        if (!this.available || !rememberedElsewhere(id, digit)) return;
        this.show((await this.classifier.learn(image, digit)).learned);
      }).catch(unlessLoading);
    } else if (type === 'rebuilt') {
      this.inTurn(() => this.available && this.followChange(id, withdrawn, lesson)).catch(unlessLoading);
    } else if (type === 'forgotten') {
      this.era += 1;  // an answer given here before it is not learned when cleared
      forgottenElsewhere();
      this.inTurn(async () => this.show((await this.classifier.forget()).learned)).catch(unlessLoading);
    }
  }

  // Another tab withdrew the drawing `id` (withdrawn: what it had taught) and maybe
  // taught it again as another digit (lesson). This tab's classifier follows if it had
  // learned the drawing; one that read the store after the change has it already.
  async followChange(id, withdrawn, lesson) {
    if (!withdrawn) return this.restore();  // from a tab of the version before withdrawals
    if (forgottenOneElsewhere(id) !== withdrawn.digit) return;
    if (!(await this.withdraw(withdrawn)) || !lesson) return;
    if (rememberedElsewhere(id, lesson.digit)) this.show((await this.classifier.learn(lesson.image, lesson.digit)).learned);
  }

  show(learned) {
    this.learned = learned;
    this.toggle.disabled = !this.available;
    if (!this.available) {
      this.count.textContent = 'This model cannot learn handwriting (it has no embedding output).';
    } else if (learned === 0) {
      this.count.textContent = NOTHING_LEARNED;
    } else {
      this.count.textContent = `Learned from ${learned} of your drawings` +
        `${this.toggle.checked ? '' : ' (switched off)'}.`;
    }
    this.forgetButton.disabled = learned === 0;
  }
}
