// The service worker: after the first visit the app loads, predicts and queues records
// with no network at all. The build fills in VERSION and PRECACHE (scripts/build-web.mjs).
import { flush } from './js/outbox.js';

const VERSION = 'development';
const PRECACHE = [];

const SHELL = `digits-shell-${VERSION}`;
const RUNTIME = 'digits-runtime';  // what is not precached, cached when first used
const API = 'digits-api';          // last answers of the read endpoints, for offline viewing
const API_PATH = new URL('api/', self.registration.scope).pathname;  // under the app's own path
const ORT_FOLDER = '/vendor/onnxruntime-web-';  // + its version: a folder's files never change

// Fingerprinted files (name.3f9a2c1b.ext) never change, so the copy the page just
// downloaded is the one to keep; every other file is revalidated (usually a 304).
const FINGERPRINTED = /\.[0-9a-f]{8}\.[a-z]+$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(
    PRECACHE.map((path) => new Request(path, { cache: FINGERPRINTED.test(path) ? 'default' : 'no-cache' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('digits-shell-') && name !== SHELL) await caches.delete(name);
    }
    await dropOldRuntimes();
    await self.clients.claim();
  })());
});

// An ONNX Runtime Web the app no longer uses (its folder names its version) leaves the
// runtime cache with the version that used it: 14 MB each, kept for good otherwise.
async function dropOldRuntimes() {
  const assets = await (await caches.open(SHELL)).match('assets.json');
  if (!assets) return;
  const current = new URL((await assets.json()).ort.dir, self.registration.scope).pathname;
  const runtime = await caches.open(RUNTIME);
  for (const request of await runtime.keys()) {
    const path = new URL(request.url).pathname;
    if (path.includes(ORT_FOLDER) && !path.startsWith(current)) await runtime.delete(request);
  }
}

// The page's "Reload" on the update notice.
self.addEventListener('message', (event) => {
  if (event.data?.type === 'activate-now') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;  // POST /log and others: network
  if (url.pathname.startsWith(API_PATH)) {
    event.respondWith(networkFirst(request, API));
  } else if (url.pathname.includes(ORT_FOLDER)) {
    event.respondWith(cacheFirst(request, RUNTIME));
  } else {
    event.respondWith(shellFirst(request));
  }
});

async function shellFirst(request) {
  const shell = await caches.open(SHELL);
  const cached = await shell.match(request, { ignoreSearch: request.mode === 'navigate' });
  if (cached) return cached;
  try {
    return await networkFirst(request, RUNTIME);
  } catch (error) {
    if (request.mode === 'navigate') return (await shell.match('./')) ?? Response.error();
    throw error;
  }
}

async function cacheFirst(request, name) {
  const cache = await caches.open(name);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request, name) {
  const cache = await caches.open(name);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

// Background Sync: the outbox drains even after the tab is closed. A server that asks
// to wait a moment (a 503 while it reconnects to its database, a 429) is tried again a
// few times within the event; then, or offline, a failure asks the browser to try again
// later, which may be minutes away.
const SYNC_ATTEMPTS = 4;
const SYNC_MAX_WAIT_MS = 10 * 1000;

self.addEventListener('sync', (event) => {
  if (event.tag === 'outbox') event.waitUntil(drainSoon());
});

async function drainSoon() {
  for (let attempt = 1; ; attempt++) {
    const result = await flush();
    if (result.done) return;
    if (result.why === 'offline' || attempt === SYNC_ATTEMPTS) throw new Error(`outbox not drained: ${result.why}`);
    const wait = Math.min(SYNC_MAX_WAIT_MS, result.retryAfterMs ?? 1000 * 2 ** (attempt - 1));
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
