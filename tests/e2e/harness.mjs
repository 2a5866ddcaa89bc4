// End-to-end set-up: a private PostgreSQL and the real server (scripts/pg.sh and
// build/native/server/digits-server), Debian's Chromium through playwright-core, and
// the gestures of a person: mouse strokes, touch strokes, keys.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { shapes } from './shapes.mjs';

export const root = new URL('../../', import.meta.url).pathname;
export const screenshots = join(root, 'test-output', 'e2e');
mkdirSync(screenshots, { recursive: true });

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export class Stack {
  // www: the web root to serve (default build/www).
  constructor({ www = join(root, 'build/www') } = {}) {
    this.www = www;
  }

  async start() {
    this.pgDir = mkdtempSync(join(tmpdir(), 'digits-e2e-pg-'));
    rmSync(this.pgDir, { recursive: true });
    this.pgPort = Number(execFileSync(join(root, 'scripts/pg.sh'), ['start', this.pgDir],
      { env: { ...process.env, PG_OPTIONS: '-c fsync=off' } }).toString().trim());
    this.port = await freePort();
    this.origin = `http://127.0.0.1:${this.port}`;
    this.server = spawn(join(root, 'build/native/server/digits-server'), ['serve'], {
      env: {
        ...process.env, PORT: String(this.port), BIND_ADDRESS: '127.0.0.1', DB_HOST: '127.0.0.1',
        DB_PORT: String(this.pgPort), WWW_DIR: this.www, MIGRATIONS_DIR: join(root, 'sql'),
        RATE_LIMIT_PER_SECOND: '0',
        STATS_REFRESH_MS: '50',  // figures a test can compare with the table at once
        // Migrations as the schema's owner; the server itself logs in as digits.
        MIGRATE_DATABASE_URL: `host=127.0.0.1 port=${this.pgPort} dbname=digits user=digits_owner`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.serverLog = '';
    this.server.stderr.on('data', (chunk) => { this.serverLog += chunk; });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${this.origin}/healthz`)).ok) return this;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server did not start:\n${this.serverLog}`);
  }

  async stop() {
    this.server?.kill('SIGTERM');
    await new Promise((resolve) => this.server?.once('exit', resolve) ?? resolve());
    if (this.pgDir) {
      this.stopDatabase();
      rmSync(this.pgDir, { recursive: true, force: true });
    }
  }

  stopDatabase() {
    execFileSync(join(root, 'scripts/pg.sh'), ['stop', this.pgDir]);
  }

  startDatabase() {
    execFileSync(join(root, 'scripts/pg.sh'), ['start', this.pgDir, String(this.pgPort)],
      { env: { ...process.env, PG_OPTIONS: '-c fsync=off' } });
  }

  // The first column of each row of a query, as text.
  sql(query) {
    return execFileSync('psql', ['-h', '127.0.0.1', '-p', String(this.pgPort), '-U', 'digits', '-d', 'digits',
      '-tAc', query]).toString().trim().split('\n').filter(Boolean);
  }
}

// A database, a server and a browser for the tests of one file: started before the
// first test, stopped after the last. The returned object fills in when they are up.
export function useStack(options) {
  const running = {};
  before(async () => {
    running.stack = await new Stack(options).start();
    running.browser = await launch();
  });
  after(async () => {
    await running.browser?.close();
    await running.stack?.stop();
  });
  return running;
}

export const launchArguments = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: launchArguments });
}

// A page with the app loaded and its engine ready; page errors fail the test.
export async function openApp(context, origin, query = '') {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  await page.goto(`${origin}/${query}`);
  await engineReady(page);
  return page;
}

// A page of the origin where the app does not run (its own sender would compete), for
// driving the page's modules directly: import('/js/…') in page.evaluate.
export async function modulesPage(context, origin) {
  const page = await context.newPage();
  await page.goto(`${origin}/manifest.webmanifest`);
  return page;
}

export async function engineReady(page) {
  await page.waitForFunction(() => {
    const text = document.querySelector('[data-testid=engine]')?.textContent;
    return text && text !== 'loading…' && text !== 'loading';
  }, null, { timeout: 30000 });
}

// The pad's place in the viewport, scrolled into view first: the mouse draws only
// where a person could see.
async function padBox(page) {
  const pad = page.locator('[data-testid=pad]');
  await pad.scrollIntoViewIfNeeded();
  return pad.boundingBox();
}

export async function drawWithMouse(page, digit) {
  await drawStrokes(page, shapes[digit], 6);
}

// Strokes of points in the unit square of the pad, drawn with the mouse; steps: mouse
// moves between two points (1 for strokes that are already dense).
export async function drawStrokes(page, strokes, steps = 1) {
  const box = await padBox(page);
  for (const stroke of strokes) {
    await page.mouse.move(box.x + stroke[0][0] * box.width, box.y + stroke[0][1] * box.height);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) {
      await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps });
    }
    await page.mouse.up();
  }
}

// Touch strokes through the DevTools protocol: real touch events, which Chromium turns
// into pointer events of type "touch", as on a phone. Sent as fast as the protocol
// allows, each stroke ends in a flick (thousands of pixels a second), the hardest case
// for the tap that follows (see tapFeedback).
export async function drawWithTouch(page, digit) {
  await drawTouchStrokes(page, shapes[digit], 6);
}

// Strokes of points in the unit square of the pad, as touches; steps: touch moves
// between two points.
export async function drawTouchStrokes(page, strokes, steps = 1) {
  const box = await padBox(page);
  const session = await page.context().newCDPSession(page);
  const point = ([x, y]) => ({ x: box.x + x * box.width, y: box.y + y * box.height, id: 1 });
  for (const stroke of strokes) {
    await session.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point(stroke[0])] });
    for (let i = 1; i < stroke.length; i++) {
      const [x0, y0] = stroke[i - 1];
      const [x1, y1] = stroke[i];
      for (let s = 1; s <= steps; s++) {
        const t = s / steps;
        await session.send('Input.dispatchTouchEvent', {
          type: 'touchMove', touchPoints: [point([x0 + (x1 - x0) * t, y0 + (y1 - y0) * t])],
        });
      }
    }
    await session.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }
  await session.detach();
}

// Taps a feedback button and waits until the page says the answer was recorded. Right
// after a flick on the pad, Chromium would start a fling and spend the next tap on
// stopping it (no click) unless the pad consumes its touches (pad.js).
export async function tapFeedback(page, testid) {
  await page.locator(`[data-testid=${testid}]`).tap();
  await page.waitForFunction(() => document.getElementById('feedback-status').textContent !== '', null,
    { timeout: 5000 }).catch(() => { throw new Error(`the tap on ${testid} was not taken`); });
}

// The answer once every classification asked for has finished.
export async function predicted(page) {
  await page.waitForFunction(() => document.querySelector('.result').getAttribute('aria-busy') === 'false' &&
    document.getElementById('answer').dataset.state === 'answered');
  return {
    digit: await page.textContent('[data-testid=prediction]'),
    confidence: await page.textContent('[data-testid=confidence]'),
  };
}

// Waits until the history lists `count` drawings and every one of them, with its
// feedback, has been acknowledged by the server.
export async function allSent(page, count) {
  await page.waitForFunction((expected) => {
    const items = [...document.querySelectorAll('[data-testid=history] li .meta')];
    return items.length === expected && items.every((meta) => meta.dataset.synced === 'yes') &&
      document.querySelector('[data-testid=outbox]').textContent === '0';
  }, count, { timeout: 30000 });
}

export async function outboxCount(page) {
  return Number(await page.textContent('[data-testid=outbox]'));
}

export async function waitFor(check, { timeout = 20000, message = 'condition' } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// An init script (context.addInitScript): counts in window.rebuilds the times the page
// asks its classification worker to rebuild the personal memory whole.
export function countRebuilds() {
  window.rebuilds = 0;
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function countingPost(message, ...rest) {
    if (message?.action === 'restore') window.rebuilds += 1;
    return post.call(this, message, ...rest);
  };
}
