// The drawing page in Chromium against the real server and PostgreSQL.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  allSent, drawStrokes, drawTouchStrokes, drawWithMouse, drawWithTouch, openApp, predicted, screenshots, tapFeedback,
  useStack, waitFor,
} from './harness.mjs';
import { shapes } from './shapes.mjs';

const running = useStack();

test('mouse drawings are read as the digits drawn, and feedback reaches the database', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await openApp(context, running.stack.origin);
  await page.screenshot({ path: join(screenshots, 'desktop-empty.png'), fullPage: true });
  assert.equal(await page.textContent('[data-testid=engine]'), 'built-in C++ engine');

  for (const digit of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
    await page.click('[data-testid=clear]');
    await drawWithMouse(page, digit);
    await page.click('[data-testid=predict]');
    const answer = await predicted(page);
    assert.equal(answer.digit, digit, `drew ${digit}, read ${answer.digit} (${answer.confidence})`);
    if (digit === '3') {
      await page.screenshot({ path: join(screenshots, 'desktop-prediction.png'), fullPage: true, animations: 'disabled' });
    }
    // "No, it was": every other digit corrects the model, the 7 confirms it.
    if (digit === '7') await page.click('[data-testid=feedback-correct]');
    else await page.click(`[data-testid=feedback-${(Number(digit) + 1) % 10}]`);
  }
  await allSent(page, 10);
  await page.screenshot({ path: join(screenshots, 'desktop-history.png'), fullPage: true });

  const rows = running.stack.sql("SELECT predicted_digit || ':' || true_digit || ':' || engine FROM predictions ORDER BY client_created_at, id");
  assert.equal(rows.length, 10);
  assert.deepEqual(rows, ['0:1:native', '1:2:native', '2:3:native', '3:4:native', '4:5:native', '5:6:native',
    '6:7:native', '7:7:native', '8:9:native', '9:0:native']);
  assert.equal(running.stack.sql('SELECT count(*) FROM feedback')[0], '10');
  assert.equal(running.stack.sql('SELECT min(length(image_data)) FROM predictions')[0], '784');
  assert.equal(await page.locator('[data-testid=history] li').count(), 10);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('touch strokes draw without scrolling the page, on a phone-sized screen', async () => {
  const context = await running.browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, hasTouch: true, isMobile: true,
  });
  const page = await openApp(context, running.stack.origin);
  await page.screenshot({ path: join(screenshots, 'phone-empty.png') });
  await page.evaluate(() => window.scrollTo(0, 0));
  await drawWithTouch(page, '4');
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'drawing scrolled the page');
  // Live prediction when the stroke ends, without pressing Predict.
  assert.equal((await predicted(page)).digit, '4');
  // The bars grow for 0.15 s; the capture shows where they end.
  await page.screenshot({ path: join(screenshots, 'phone-prediction.png'), animations: 'disabled' });
  await tapFeedback(page, 'feedback-correct');
  await allSent(page, 1);
  assert.equal(running.stack.sql("SELECT true_digit FROM predictions WHERE predicted_digit = 4 AND true_digit = 4").length, 1);
  await page.screenshot({ path: join(screenshots, 'phone-history.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('both engines give the same answers', async () => {
  const answers = {};
  for (const engine of ['native', 'ort']) {
    const context = await running.browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await openApp(context, running.stack.origin, `?engine=${engine}`);
    assert.equal(await page.textContent('[data-testid=engine]'),
      engine === 'native' ? 'built-in C++ engine' : 'ONNX Runtime Web');
    answers[engine] = [];
    for (const digit of ['2', '5', '8']) {
      await page.click('[data-testid=clear]');
      await drawWithMouse(page, digit);
      await page.click('[data-testid=predict]');
      await predicted(page);
      answers[engine].push(await page.$$eval('#bars .value', (cells) => cells.map((c) => c.textContent)));
    }
    await page.click('[data-testid=clear]');
    await allSent(page, 3);
    await context.close();
  }
  assert.deepEqual(answers.ort, answers.native);
  // Within 1e-4 of each other in the database too: the last three of each engine.
  const parse = (rows) => rows.map((row) => row.slice(1, -1).split(',').map(Number));
  const native = parse(running.stack.sql("SELECT probabilities FROM predictions WHERE engine = 'native' ORDER BY client_created_at DESC LIMIT 3")).reverse();
  const ort = parse(running.stack.sql("SELECT probabilities FROM predictions WHERE engine = 'ort' ORDER BY client_created_at"));
  assert.equal(ort.length, 3);
  const gap = Math.max(...native.flatMap((row, i) => row.map((p, d) => Math.abs(p - ort[i][d]))));
  assert.ok(gap < 1e-4, `probabilities differ by ${gap}`);
});

test('keyboard only: draw with arrows and Space, predict with Enter, answer with a digit key, clear with Escape', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await openApp(context, running.stack.origin);
  // Tab from the top of the page reaches the pad first after the navigation links.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'pad');
  // A "1": pen down at the top, down the middle, pen up.
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Space');
  for (let i = 0; i < 16; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await page.screenshot({ path: join(screenshots, 'keyboard-drawing.png') });
  await page.keyboard.press('Enter');
  assert.equal((await predicted(page)).digit, '1');
  await page.keyboard.press('1');
  await waitFor(async () => (await page.textContent('#feedback-status')).includes('right'), { message: 'feedback' });
  // Every control is reachable: tab through and collect what gets focus.
  const reached = new Set();
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => document.activeElement.dataset.testid || document.activeElement.id));
  }
  for (const id of ['predict', 'undo', 'clear', 'feedback-correct', 'feedback-0', 'feedback-9', 'engine-choice']) {
    assert.ok(reached.has(id), `${id} is not reachable by Tab (reached: ${[...reached].join(', ')})`);
  }
  await page.keyboard.press('Escape');
  assert.equal(await page.textContent('[data-testid=prediction]'), '');
  assert.equal(await page.getAttribute('#answer', 'data-state'), 'ready');
  await allSent(page, 1);
  assert.equal(running.stack.sql("SELECT count(*) FROM predictions WHERE predicted_digit = 1 AND true_digit = 1")[0] >= '1', true);
  await context.close();
});

test('a digit drawn small in a corner reaches the model as it does drawn large', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await openApp(context, running.stack.origin);
  const small = (strokes) => strokes.map((stroke) => stroke.map(([x, y]) => [0.04 + x * 0.22, 0.7 + y * 0.22]));
  const digits = ['2', '4', '7', '9'];
  for (const digit of digits) {
    for (const strokes of [shapes[digit], small(shapes[digit])]) {
      await page.click('[data-testid=clear]');
      await drawStrokes(page, strokes, 6);
      await page.click('[data-testid=predict]');
      const answer = await predicted(page);
      assert.equal(answer.digit, digit, `drew ${digit}, read ${answer.digit} (${answer.confidence})`);
    }
  }
  await page.screenshot({ path: join(screenshots, 'small-drawing.png'), fullPage: true, animations: 'disabled' });
  await allSent(page, digits.length * 2);
  // The 28x28 images the model read, as the server stored them: large, then small.
  const images = running.stack.sql(`SELECT encode(image_data, 'hex') FROM predictions WHERE client_id = (
      SELECT client_id FROM predictions ORDER BY client_created_at DESC LIMIT 1) ORDER BY client_created_at`)
    .map((hex) => Buffer.from(hex, 'hex'));
  assert.equal(images.length, digits.length * 2);
  for (let i = 0; i < images.length; i += 2) {
    const difference = images[i].reduce((sum, value, p) => sum + Math.abs(value - images[i + 1][p]), 0) / 784;
    // Drawn at a fifth of the size, the line would otherwise be five times as thick for the model.
    assert.ok(difference < 8, `the ${digits[i / 2]} drawn small reaches the model ${difference.toFixed(1)} grey levels ` +
      'per pixel away from the one drawn large');
  }
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a stray tap far from a small digit is shown faded and not read', async () => {
  const context = await running.browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true,
  });
  const page = await openApp(context, running.stack.origin);
  const seven = shapes['7'].map((stroke) => stroke.map(([x, y]) => [0.4 + x * 0.25, 0.35 + y * 0.25]));
  const tap = [[0.92, 0.93]];
  for (const strokes of [seven, [...seven, tap]]) {
    await page.click('[data-testid=clear]');
    await drawTouchStrokes(page, strokes, 6);
    await page.click('[data-testid=predict]');
    assert.equal((await predicted(page)).digit, '7');
  }
  // On the pad: the digit in ink, the tap faded (www/js/pad.js STRAY_INK).
  const [tapColour, inkColour] = await page.evaluate(([tapPoint, inkPoint]) => {
    const canvas = document.querySelector('[data-testid=pad]');
    const context = canvas.getContext('2d');
    const colour = ([x, y]) => [...context.getImageData(Math.round(x * canvas.width), Math.round(y * canvas.height), 1, 1).data];
    return [colour(tapPoint), colour(inkPoint)];
  }, [tap[0], seven[0][1]]);
  const luma = ([r, g, b]) => 0.299 * r + 0.587 * g + 0.114 * b;
  assert.ok(luma(inkColour) < 60 && inkColour[3] === 255, `the digit is painted ${inkColour}`);
  assert.ok(luma(tapColour) > 140 && luma(tapColour) < 220 && tapColour[3] === 255, `the tap is painted ${tapColour}`);
  await page.screenshot({ path: join(screenshots, 'phone-stray-tap.png'), animations: 'disabled' });
  // What the model read, as the server stored it: the same 28x28 image with the tap as without.
  await allSent(page, 2);
  const images = running.stack.sql(`SELECT encode(image_data, 'hex') FROM predictions WHERE client_id = (
      SELECT client_id FROM predictions ORDER BY client_created_at DESC LIMIT 1) ORDER BY client_created_at`);
  assert.equal(images.length, 2);
  assert.equal(images[1], images[0], 'the tap changed what the model read');
  // Undo takes the tap off the pad and Clear the digit: the pad's canvas of finished
  // strokes is painted again, not drawn over.
  const alphasAfter = (button, points) => page.evaluate(async ([id, at]) => {
    document.querySelector(`[data-testid=${id}]`).click();
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const canvas = document.querySelector('[data-testid=pad]');
    const context = canvas.getContext('2d');
    return at.map(([x, y]) => context.getImageData(Math.round(x * canvas.width), Math.round(y * canvas.height), 1, 1).data[3]);
  }, [button, points]);
  assert.deepEqual(await alphasAfter('undo', [tap[0], seven[0][1]]), [0, 255], 'Undo: the tap gone, the digit kept');
  assert.deepEqual(await alphasAfter('clear', [seven[0][1]]), [0], 'Clear: the digit gone');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('an empty pad says so instead of guessing, and nothing is logged', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await openApp(context, running.stack.origin);
  const before = Number(running.stack.sql('SELECT count(*) FROM predictions')[0]);
  await page.click('[data-testid=predict]');
  assert.equal(await page.textContent('[data-testid=prediction]'), '');
  assert.equal(await page.getAttribute('#answer', 'data-state'), 'ready');
  assert.match(await page.textContent('#announce'), /Nothing drawn/);
  assert.equal(await page.isDisabled('[data-testid=feedback-correct]'), true);
  assert.equal(Number(running.stack.sql('SELECT count(*) FROM predictions')[0]), before);
  await context.close();
});

test('the statistics page shows totals, charts and the confusion matrix', async () => {
  const context = await running.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${running.stack.origin}/stats.html`);
  await page.waitForFunction(() => document.querySelector('[data-testid=total-predictions]').textContent !== '—');
  const total = Number((await page.textContent('[data-testid=total-predictions]')).replace(/\D/g, ''));
  assert.equal(total, Number(running.stack.sql('SELECT count(*) FROM predictions')[0]));
  assert.match(await page.textContent('[data-testid=total-accuracy]'), /%$/);
  // The model's own accuracy, from the digit the page sends beside its answer.
  const [right, judged] = running.stack.sql("SELECT count(*) FILTER (WHERE model_digit = true_digit) || ' ' || count(*)" +
    ' FROM predictions WHERE true_digit IS NOT NULL AND model_digit IS NOT NULL')[0].split(' ').map(Number);
  assert.ok(judged > 0, 'no prediction with feedback carries the model digit');
  const percent = (share) => `${(share * 100).toFixed(share >= 0.995 || share < 0.001 ? 0 : 1)}%`;
  assert.equal(await page.textContent('[data-testid=model-accuracy]'), percent(right / judged));
  // And for each digit, in the table beside the chart, whose legend names both.
  const byDigit = running.stack.sql("SELECT true_digit || ' ' || count(*) FILTER (WHERE model_digit = true_digit) || ' ' || " +
    'count(*) FROM predictions WHERE true_digit IS NOT NULL AND model_digit IS NOT NULL GROUP BY true_digit');
  const cells = await page.$$eval('#table-digits tbody tr', (rows) => rows.map((row) => row.cells[3].textContent));
  for (const [digit, rightForDigit, judgedForDigit] of byDigit.map((row) => row.split(' ').map(Number))) {
    assert.equal(cells[digit], percent(rightForDigit / judgedForDigit), `the model's accuracy for ${digit}`);
  }
  assert.equal(cells.filter((text) => text === 'no answers yet').length, 10 - byDigit.length);
  assert.deepEqual(await page.$$eval('#legend-digits button', (buttons) => buttons.map((b) => b.textContent)),
    ['The app', 'The model alone']);
  // And for each day.
  const byDay = running.stack.sql('SELECT stats_day("timestamp") || \' \' || ' +
    "count(*) FILTER (WHERE model_digit = true_digit) || ' ' || count(*) FILTER (WHERE true_digit IS NOT NULL AND " +
    'model_digit IS NOT NULL) FROM predictions GROUP BY stats_day("timestamp")');
  const days = Object.fromEntries(await page.$$eval('#table-days tbody tr',
    (rows) => rows.map((row) => [row.cells[0].textContent, row.cells[4].textContent])));
  assert.equal(Object.keys(days).length, byDay.length);
  for (const [day, rightThatDay, judgedThatDay] of byDay.map((row) => row.split(' '))) {
    assert.equal(days[day], judgedThatDay === '0' ? 'no answers yet' : percent(Number(rightThatDay) / Number(judgedThatDay)),
      `the model's accuracy on ${day}`);
  }
  assert.deepEqual(await page.$$eval('#legend-days button', (buttons) => buttons.map((b) => b.textContent)),
    ['The app', 'The model alone', 'Drawings']);
  // And by how sure the model itself was, from the confidence the page sends beside its own.
  const byConfidence = running.stack.sql("SELECT stats_model_bucket(model_confidence) || ' ' || " +
    "count(*) FILTER (WHERE model_digit = true_digit) || ' ' || count(*) FROM predictions " +
    'WHERE true_digit IS NOT NULL AND model_confidence IS NOT NULL GROUP BY stats_model_bucket(model_confidence)');
  assert.ok(byConfidence.length > 0, 'no prediction with feedback carries the model confidence');
  const sure = await page.$$eval('#table-confidence tbody tr', (rows) => rows.map((row) => [row.cells[4].textContent,
    row.cells[5].textContent]));
  for (const [bucket, rightThere, judgedThere] of byConfidence.map((row) => row.split(' ').map(Number))) {
    assert.deepEqual(sure[bucket], [String(judgedThere), percent(rightThere / judgedThere)], `the model at bucket ${bucket}`);
  }
  assert.equal(sure.filter(([answered]) => answered === '0').length, 10 - byConfidence.length);
  assert.deepEqual(await page.$$eval('#legend-confidence button', (buttons) => buttons.map((b) => b.textContent)),
    ['The app', 'The model alone', 'Drawings']);
  assert.equal(await page.locator('[data-testid=confusion] tr').count(), 11);
  assert.equal(await page.locator('canvas').count(), 3);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(screenshots, 'statistics.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
