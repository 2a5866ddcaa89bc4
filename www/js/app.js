// The drawing page's controller: wires the pad, the classification worker, the outbox,
// the history and the settings, and turns what people do into predictions and feedback.
//
// Each drawing is logged once, with the last answer shown for it: when Predict is
// pressed, when feedback is given, or when the drawing is cleared or the page left.
// Answers shown while strokes are still being added are previews and are not logged.
// The person's handwriting is learned from every drawing they finish: as they said it
// was when they gave feedback, and as it was read when they clear it or leave the page
// without a word, until they correct it from the history.
import { ClassifierClient } from './classifier-client.js';
import { DeleteDrawings } from './delete-drawings.js';
import { Handwriting } from './handwriting.js';
import { HistoryView } from './history-view.js';
import { learnableImage } from './memory.js';
import { onOutboxChange, pendingCount } from './outbox.js';
import { DrawingPad } from './pad.js';
import { feedbackRecord, predictionRecord } from './records.js';
import { RemovalNotice } from './removal-notice.js';
import { ResultView, withArticle } from './result-view.js';
import { engineChoice, engineNames, saveEngineChoice } from './settings.js';
import { clientId, describeStorageError, storeIsTemporary } from './store.js';
import { registerServiceWorker } from './sw-register.js';
import { Syncer } from './sync.js';

const REMOVED = 'The drawing is removed. Draw a digit.';

export class App {
  constructor(doc) {
    this.doc = doc;
    this.element = (id) => doc.getElementById(id);
    this.result = new ResultView(doc);
    // A worker that stopped after its engine loaded takes the engine with it: load again
    // (the memory is restored with it).
    this.classifier = new ClassifierClient({
      onStopped: (error) => {
        console.warn(`Loading the recogniser again: ${error.message}`);
        if (this.engine) this.loadEngine(this.element('engine-choice').value);
      },
    });
    this.engine = null;          // { engine, modelVersion, loadMs, fallback }
    this.current = null;         // the drawing's answer: { answer, strokes, version, record }
    this.classifying = null;     // the classification in flight
    this.drawingVersion = 0;     // strokes changed since the answer shown
    this.predictions = 0;        // predict() calls running; the result region is aria-busy meanwhile
    this.memoryWhole = false;    // the personal memory restored for the engine loaded
  }

  async start() {
    this.pad = new DrawingPad(this.element('pad'), {
      onStrokeEnd: () => this.predict({ log: false }),
      onChange: () => this.drawingChanged(),
    });
    this.bindControls();
    this.bindFeedbackButtons();
    this.handwriting = new Handwriting(this.doc, this.classifier);
    const engineLoaded = this.loadEngine(engineChoice());
    try {
      this.clientId = await clientId();
      this.showTemporaryStore(await storeIsTemporary());
      this.history = new HistoryView(this.doc, this.clientId, {
        onCorrect: (entry, digit) => this.correctEarlier(entry, digit),
        onRemove: (entry) => this.removeDrawing(entry),
      });
      await this.history.render();
      this.removalNotice = new RemovalNotice(this.doc);
      this.deleteDrawings = new DeleteDrawings(this.doc, { clientId: this.clientId, onDeleted: () => this.drawingsDeleted() });
      this.syncer = new Syncer({ onStatus: (status) => this.showOutbox(status) });
      onOutboxChange(async (change) => {
        if (change?.type === 'dropped' && await this.deletedSince(this.current)) {
          this.forgetDrawing(change.id ? REMOVED : undefined);  // one drawing removed, or all deleted
        }
        await this.refreshFromStore();
      });
      this.syncer.start();
      this.history.mergeFromServer();
    } catch (error) {
      this.problem(describeStorageError(error));
    }
    await engineLoaded;
    // After the engine and model arrived: the offline copy then comes from the HTTP
    // cache instead of a second download competing with the first prediction.
    registerServiceWorker(this.doc);
  }

  // ---- engine

  // Loads (or reloads) the engine; the answer area shows the progress, or why it failed
  // with a way to try again. A drawing made meanwhile is answered once it is ready.
  async loadEngine(choice) {
    this.element('engine-choice').value = choice;
    this.engine = null;
    this.memoryWhole = false;    // until the new engine's memory is restored
    this.loadingEngine = true;
    this.showBusy();
    this.element('engine').textContent = 'loading…';
    this.result.loadingState();
    try {
      this.engine = await this.classifier.load(choice, (fraction) => this.result.loadingState(fraction));
      this.element('engine').textContent = engineNames[this.engine.engine];
      this.element('engine').title = `model ${this.engine.modelVersion}, loaded in ${this.engine.loadMs.toFixed(0)} ms` +
        (this.engine.fallback ? `; the built-in engine could not run it: ${this.engine.fallback}` : '');
    } catch (error) {
      this.element('engine').textContent = 'not loaded';
      this.result.failed(`The recogniser could not load: ${error.message}.`, { retry: !error.lasting });
      return;
    } finally {
      this.loadingEngine = false;
      this.showBusy();
    }
    // The invitation at once: answers do not wait for the memory, which the worker
    // restores meanwhile. The drawing on the pad is then read with the whole memory
    // (staleAnswer).
    if (this.pad.isEmpty) this.result.ready();
    await this.handwriting.started(this.engine);
    this.memoryWhole = true;
    if (!this.pad.isEmpty) await this.predict({ log: false });
  }

  // ---- drawing and predicting

  drawingChanged() {
    const left = this.answerOnPad();
    if (left?.learnedAsRead && left.told === null) this.handwriting.unlearn(left.record.id);
    this.drawingVersion++;
    this.element('pad').parentElement.classList.toggle('drawn', !this.pad.isEmpty);
  }

  // Classifies the drawing. With log: true the answer is logged at once (Predict).
  async predict({ log }) {
    // User Timing marks, read by bench/web.mjs: request to answer, as the person sees it.
    const asked = performance.now();
    this.setBusy(+1);
    try {
      await this.classifyDrawing(log, asked);
    } finally {
      this.setBusy(-1);
    }
  }

  setBusy(change) {
    this.predictions += change;
    this.showBusy();
  }

  showBusy() {
    this.doc.querySelector('.result').setAttribute('aria-busy', String(this.loadingEngine || this.predictions > 0));
  }

  async classifyDrawing(log, asked) {
    if (!this.engine) return;
    if (this.pad.isEmpty) {
      this.current = null;
      this.result.empty('Nothing drawn yet: draw a digit on the pad first.');
      this.setFeedbackEnabled(false);
      return;
    }
    const version = this.drawingVersion;
    const strokes = this.pad.strokesForLog();
    // One at a time: a newer drawing waits for the running classification.
    while (this.classifying) await this.classifying.catch(() => {});
    if (version !== this.drawingVersion) return;  // a later stroke will ask again
    if (this.current && this.current.version === version && !this.staleAnswer(this.current)) {
      if (log) await this.logPrediction();
      return;
    }
    const memoryWhole = this.memoryWhole;
    this.classifying = this.classifier.classify(this.pad.imageForModel());
    let answer;
    try {
      answer = await this.classifying;
    } catch (error) {
      // A worker that stopped is started again, and this drawing answered once it is.
      if (!error.stopped) this.problem(`Recognition failed: ${error.message}.`);
      return;
    } finally {
      this.classifying = null;
    }
    if (version !== this.drawingVersion) return;
    if (answer.nothingDrawn) {
      this.current = null;
      this.result.empty(`Nothing to read: ${answer.reason}.`);
      this.setFeedbackEnabled(false);
      return;
    }
    this.current = { answer, strokes, version, record: null, told: null, memoryEra: this.handwriting.era, memoryWhole };
    this.result.show(answer);
    performance.measure('digits:answer', { start: asked });
    this.element('feedback-status').textContent = '';
    this.setFeedbackEnabled(true);
    if (log) await this.logPrediction();
  }

  async logPrediction(current = this.current) {
    if (!current || current.record) return;
    current.record = predictionRecord({
      clientId: this.clientId, answer: current.answer, engine: current.answer.engine,
      modelVersion: this.engine.modelVersion, strokes: current.strokes,
    });
    const { answer, record } = current;
    await this.keep(() => this.history.add({
      id: record.id, createdAt: record.created_at, digit: answer.digit, confidence: answer.confidence,
      probabilities: answer.probabilities, image: answer.image, engine: answer.engine,
      modelVersion: record.model_version, trueDigit: null, synced: 'no',
    }, record));
  }

  // An answer given before the memory was whole, now that it is: read again, unless it
  // was logged already (the person may be answering it).
  staleAnswer(current) {
    return !current.memoryWhole && this.memoryWhole && !current.record;
  }

  // The answer shown for the drawing as it is now: none once strokes changed since.
  answerOnPad() {
    return this.current?.version === this.drawingVersion ? this.current : null;
  }

  // The page was hidden with a drawing on the pad. No later event can be relied on (a
  // closed tab or a phone's app switcher gives none), so its answer is logged now and,
  // if the person said nothing about it, learned as read, as clearing it would: the
  // lesson is provisional, and withdrawn if they come back and change the drawing.
  async finishDrawing() {
    const left = this.answerOnPad();
    await this.logPrediction(left);  // a no-op once it is logged
    // Still the drawing on the pad: a stroke added meanwhile would not withdraw the lesson.
    if (left?.record && left.told === null && !left.learnedAsRead && left === this.answerOnPad()) {
      left.learnedAsRead = true;
      await this.handwriting.learnAsRead(left.record.id, left.answer, left.memoryEra);
    }
  }

  async giveFeedback(trueDigit) {
    const current = this.current;  // the answer on screen now, even if the pad is cleared meanwhile
    if (!current) return;
    current.told = trueDigit;
    await this.logPrediction(current);
    const record = feedbackRecord({ clientId: this.clientId, predictionId: current.record.id, trueDigit });
    const kept = await this.keep(() => this.history.setFeedback(record));
    if (kept === false && current === this.current) this.forgetDrawing();  // deleted meanwhile, in another tab
    if (!kept) return;  // or not kept at all: the problem is on the page
    await this.handwriting.learnFrom(current.record.id, current.answer, trueDigit);
    if (current !== this.current) return;
    const right = trueDigit === current.answer.digit;
    this.element('feedback-status').textContent = right ? 'Thank you: noted as right.' : `Thank you: noted as ${withArticle(trueDigit)}.`;
    for (const button of this.doc.querySelectorAll('#feedback button')) {
      button.setAttribute('aria-pressed', String(button.dataset.digit === String(trueDigit) ||
        (button.id === 'feedback-correct' && right)));
    }
  }

  // The person said which digit a drawing in their history was. The drawing on the pad
  // takes the pad's own way, so that its buttons show the answer too; an earlier one is
  // noted and learned the same way, and replaces the lesson its clearing gave, if any.
  async correctEarlier(entry, trueDigit) {
    if (this.current?.record?.id === entry.id) {
      await this.giveFeedback(trueDigit);
      return;
    }
    const record = feedbackRecord({ clientId: this.clientId, predictionId: entry.id, trueDigit });
    const status = this.element('history-status');
    if (!await this.keep(() => this.history.setFeedback(record))) {
      status.textContent = 'That drawing is deleted; nothing was noted.';
      return;
    }
    status.textContent = entry.digit === trueDigit
      ? `Noted: the ${entry.digit} was right.` : `Noted: the drawing read as ${entry.digit} was ${withArticle(trueDigit)}.`;
    if (entry.image) await this.handwriting.learnFrom(entry.id, { image: learnableImage(entry.image) }, trueDigit);
  }

  // One drawing of the history goes, here and then on the server, with what it taught
  // the memory. Still on the pad, it goes from there too, so that no answer to it follows.
  async removeDrawing(entry) {
    const removed = await this.keep(() => this.history.remove(entry.id));
    if (removed === undefined) return;  // the store refused: the problem is on the page
    if (this.current?.record?.id === entry.id) this.forgetDrawing(REMOVED);
    this.element('history-status').textContent = removed
      ? `Removed the drawing read as ${entry.digit}.` : 'That drawing was already deleted.';
    if (removed) await this.handwriting.unlearn(entry.id);
  }

  // The pad is cleared at once, so a stroke that follows right away is kept; the
  // cleared drawing's answer is logged meanwhile and, if the person said nothing about
  // it, learned as it was read: they moved on from it. An answer to an earlier state
  // of the drawing (strokes undone since) is neither.
  async clear() {
    const left = this.answerOnPad();
    this.current = null;
    this.pad.clear();
    this.result.empty('Cleared. Draw a digit.');
    this.setFeedbackEnabled(false);
    this.element('feedback-status').textContent = '';
    await this.logPrediction(left);
    if (left?.record && left.told === null) {
      await this.handwriting.learnAsRead(left.record.id, left.answer, left.memoryEra);
    }
  }

  // Every drawing so far is deleted here: the one on the pad goes too, unlogged, so that
  // no answer to it can follow the deletion to the server.
  async drawingsDeleted() {
    this.forgetDrawing();
    await this.refreshFromStore();
    this.syncer.requestBackgroundSync();  // the service worker sends it if the tab is closed first
    this.syncer.now();
  }

  forgetDrawing(said = 'Your drawings are deleted. Draw a digit.') {
    this.current = null;
    this.pad.clear();
    this.result.empty(said);
    this.setFeedbackEnabled(false);
    this.element('feedback-status').textContent = '';
  }

  // Whether the answer on the pad was logged and a deletion since (in another tab, say)
  // took it: then no answer to it may be sent.
  async deletedSince(current) {
    return Boolean(current?.record) && !(await this.history.has(current.record.id));
  }

  // Runs a storage step and resolves to its value; a full disk or a blocked database
  // becomes words on the page (and undefined). Without a store at all (said at start)
  // there is nothing to run.
  async keep(step) {
    if (!this.history) return undefined;
    try {
      const value = await step();
      this.syncer?.requestBackgroundSync();
      this.syncer?.now();
      return value;
    } catch (error) {
      this.problem(describeStorageError(error));
      return undefined;
    }
  }

  // ---- controls

  bindControls() {
    this.element('predict').addEventListener('click', () => this.predict({ log: true }));
    this.element('clear').addEventListener('click', () => this.clear());
    this.element('undo').addEventListener('click', () => this.pad.undo());
    this.element('feedback-correct').addEventListener('click', () => this.giveFeedback(this.current?.answer.digit));
    this.element('load-retry').addEventListener('click', () => this.loadEngine(this.element('engine-choice').value));
    this.element('engine-choice').addEventListener('change', (event) => {
      saveEngineChoice(event.target.value);
      this.current = null;
      this.loadEngine(event.target.value).then(() => this.predict({ log: false }));
    });
    this.doc.addEventListener('keydown', (event) => this.key(event));
    // Leaving the page ends the drawing: its answer is kept for sending.
    this.doc.addEventListener('visibilitychange', () => {
      if (this.doc.visibilityState === 'hidden') this.finishDrawing();
    });
  }

  key(event) {
    const target = event.target;
    if (target.closest?.('select, input, textarea') || event.altKey || event.metaKey) return;
    if ((event.ctrlKey && event.key === 'z')) {
      event.preventDefault();
      this.pad.undo();
      return;
    }
    if (event.ctrlKey) return;
    if (event.key === 'Enter' && (target === this.doc.body || target.id === 'pad')) {
      event.preventDefault();
      this.predict({ log: true });
    } else if (event.key === 'Escape') {
      this.clear();
    } else if (/^[0-9]$/.test(event.key) && this.current) {
      this.giveFeedback(Number(event.key));
    }
  }

  bindFeedbackButtons() {
    for (const button of this.doc.querySelectorAll('#feedback .choices [data-digit]')) {
      button.addEventListener('click', () => this.giveFeedback(Number(button.dataset.digit)));
    }
  }

  setFeedbackEnabled(enabled) {
    this.element('feedback').disabled = !enabled;
    for (const button of this.doc.querySelectorAll('#feedback button')) button.removeAttribute('aria-pressed');
  }

  // ---- status

  // Another context (a tab, the service worker) changed the outbox: showOutbox redraws
  // the history too.
  async refreshFromStore() {
    this.showOutbox({ pending: await pendingCount(), why: null });
  }

  showOutbox({ pending, why }) {
    this.element('outbox').textContent = String(pending);
    const explanation = pending === 0 ? ''
      : why === 'offline' ? 'Offline: they will be sent when the connection returns.'
        : why ? `The server is not taking them right now (${why}); they will be sent later.` : '';
    this.element('sync-why').textContent = explanation ? `· ${explanation}` : '';
    this.element('outbox').parentElement.title = explanation || 'Everything is sent.';
    this.history?.render();
    this.deleteDrawings?.render(why);
    this.removalNotice?.render();
  }

  // The browser refused the store (its reason is in the console): said once, on top.
  showTemporaryStore(reason) {
    const notice = this.element('storage-notice');
    notice.hidden = !reason;
    notice.textContent = reason ? 'This browser does not let this site keep data, so your drawings and what ' +
      'the app learns of your handwriting last only until you close this tab (they are still sent as ' +
      'usual). To keep them, allow this site to store data.' : '';
  }

  problem(message) {
    const box = this.element('problem');
    box.hidden = !message;
    box.textContent = message ?? '';
  }
}
