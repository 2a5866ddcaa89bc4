#!/usr/bin/env node
// Assembles the web app in build/www: the pages and modules of www/, the WebAssembly
// engine, the model, and the npm packages the app serves itself (idb, Chart.js, ONNX
// Runtime Web). Large files that never change under a name get a content hash in it
// (the server caches those for a year); the service worker gets the list of files to
// precache and a version; text and wasm files get a .gz and a .br beside them.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'www');
const staging = `${out}.partial`;
const engineBuild = join(root, 'build', 'wasm', 'wasm', 'js');
const modules = join(root, 'node_modules');

function fail(message) {
  console.error(`build-web: ${message}`);
  process.exit(1);
}

const hash = (bytes) => createHash('sha256').update(bytes).digest('hex');

function copy(from, to) {
  if (!existsSync(from)) fail(`${relative(root, from)} is missing`);
  mkdirSync(dirname(join(staging, to)), { recursive: true });
  cpSync(from, join(staging, to), { recursive: true });
  return to;
}

// Copies a file under a name carrying its content hash: name.<hash8>.ext
function copyFingerprinted(from, directory) {
  if (!existsSync(from)) fail(`${relative(root, from)} is missing`);
  const name = from.split('/').pop();
  const dot = name.indexOf('.');
  const target = `${directory}/${name.slice(0, dot)}.${hash(readFileSync(from)).slice(0, 8)}${name.slice(dot)}`;
  return copy(from, target);
}

function files(directory, base = directory) {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? files(path, base) : [relative(base, path)];
  });
}

if (!existsSync(join(engineBuild, 'digits_engine.wasm'))) {
  fail('the WebAssembly engine is not built: run scripts/build.sh (or cmake --build --preset wasm)');
}
if (!existsSync(join(modules, 'onnxruntime-web'))) fail('npm packages are missing: run scripts/install-deps.sh');

rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
for (const name of readdirSync(join(root, 'www'))) {
  if (name !== 'partials') copy(join(root, 'www', name), name);
}

// The pages share one header; each page marks its own link as the current one.
const header = readFileSync(join(root, 'www', 'partials', 'header.html'), 'utf8');
for (const [page, link] of [['index.html', './'], ['stats.html', 'stats.html']]) {
  const html = readFileSync(join(staging, page), 'utf8');
  if (!html.includes('  <!-- header -->\n')) fail(`www/${page} lost its <!-- header --> line`);
  const current = header.replace(`href="${link}"`, `href="${link}" aria-current="page"`);
  writeFileSync(join(staging, page), html.replace('  <!-- header -->\n', current));
}

const ortVersion = JSON.parse(readFileSync(join(modules, 'onnxruntime-web', 'package.json'))).version;
const ortDir = `vendor/onnxruntime-web-${ortVersion}`;
for (const name of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) {
  copy(join(modules, 'onnxruntime-web', 'dist', name), `${ortDir}/${name}`);
}
copy(join(modules, 'idb', 'build', 'index.js'), 'vendor/idb.js');
copy(join(modules, 'chart.js', 'dist', 'chart.umd.js'), 'vendor/chart.umd.js');
// Loaded only where the browser refuses IndexedDB (www/js/store.js), with its licence.
for (const part of ['auto/index.mjs', 'build/esm', 'LICENSE']) {
  copy(join(modules, 'fake-indexeddb', part), `vendor/fake-indexeddb/${part}`);
}

// Sizes go with the names, so the page can show how far the download has come.
const sized = (path) => ({ path, bytes: statSync(join(staging, path)).size });
const assets = {
  engine: {
    module: copy(join(engineBuild, 'digits.mjs'), 'engine/digits.mjs'),
    wasm: sized(copyFingerprinted(join(engineBuild, 'digits_engine.wasm'), 'engine')),
  },
  model: sized(copyFingerprinted(join(root, 'model', 'mnist.onnx'), 'model')),
  ort: { module: `${ortDir}/ort.wasm.min.mjs`, dir: `${ortDir}/` },
};
copy(join(engineBuild, 'digits_engine.mjs'), 'engine/digits_engine.mjs');
writeFileSync(join(staging, 'assets.json'), `${JSON.stringify(assets, null, 1)}\n`);

// Every module the drawing page imports, directly or not, preloaded from index.html: the
// browser then fetches them in parallel instead of one import level after another.
function moduleGraph(entry, seen = new Set()) {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(join(staging, entry), 'utf8');
  for (const [, target] of source.matchAll(/^import [^'"]*['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    moduleGraph(join(dirname(entry), target), seen);
  }
  return seen;
}
const preloads = [...moduleGraph('js/main.js')].map((path) => `  <link rel="modulepreload" href="${path}">`).join('\n');
const index = readFileSync(join(staging, 'index.html'), 'utf8');
if (!index.includes('  <link rel="modulepreload" href="js/main.js">')) fail('www/index.html lost its modulepreload line');
writeFileSync(join(staging, 'index.html'), index.replace('  <link rel="modulepreload" href="js/main.js">', preloads));

// What the drawing page needs offline. The rest (ONNX Runtime Web's 14 MB, the
// statistics page and its chart library, the large icons, the in-memory store for
// browsers that refuse IndexedDB) is cached when first used,
// so a first visit downloads little more than the page itself.
const laterOnly = /^(sw\.js|index\.html|404\.html|stats\.html|js\/stats-page\.js|vendor\/chart\.umd\.js|vendor\/onnxruntime-web.*|vendor\/fake-indexeddb\/.*|icons\/icon-(512|maskable-512)\.png)$/;
const precache = files(staging).filter((path) => !laterOnly.test(path) && !path.endsWith('.map')).sort();
// './' is served as index.html, so index.html's content is part of the version too.
const version = hash([...precache, 'index.html'].map((path) => `${path}:${hash(readFileSync(join(staging, path)))}`)
  .join('\n')).slice(0, 12);
const sw = readFileSync(join(staging, 'sw.js'), 'utf8')
  .replace("const VERSION = 'development';", `const VERSION = '${version}';`)
  .replace('const PRECACHE = [];', `const PRECACHE = ${JSON.stringify(['./', ...precache], null, 1)};`);
if (!sw.includes(version)) fail('www/sw.js no longer has the VERSION line the build fills in');
writeFileSync(join(staging, 'sw.js'), sw);

const compressible = /\.(html|css|js|mjs|json|webmanifest|svg|wasm|onnx)$/;
let total = 0;
for (const path of files(staging)) {
  const bytes = readFileSync(join(staging, path));
  total += bytes.length;
  if (!compressible.test(path) || bytes.length < 1024) continue;
  const gz = gzipSync(bytes, { level: 9 });
  if (gz.length >= bytes.length * 0.97) continue;
  writeFileSync(join(staging, `${path}.gz`), gz);
  // Brotli for browsers that take it: the engine's .wasm 17% smaller than gzipped, ONNX
  // Runtime Web's 27%. Its best quality takes 29 s on ONNX Runtime Web's 14 MB: quality 9
  // there, 1.5 s.
  const quality = bytes.length > 1e6 ? 9 : constants.BROTLI_MAX_QUALITY;
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: quality,
    [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
  if (br.length < gz.length) writeFileSync(join(staging, `${path}.br`), br);
}

rmSync(out, { recursive: true, force: true });
renameSync(staging, out);
console.error(`    build/www: ${precache.length} files precached, version ${version}, ` +
  `${(total / 1e6).toFixed(1)} MB in all (ONNX Runtime Web ${ortVersion} included)`);
