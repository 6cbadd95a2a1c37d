// The weights kept in the Cache API between visits (www/shared/weights-cache.js): a first visit
// downloads and caches them, a second one in the same browser context downloads none (the page's
// own account, data-source on #progress-text, and the network's), a corrupt cached copy is
// deleted, downloaded again and said so, and a missing, unopenable or full cache leaves a page
// that loads as before and says why the weights were not cached.
//
// Each test starts in a fresh context, so with an empty cache (helpers.mjs's openDemo); a second
// visit passes its context back in. The last test visits twice with a profile on disk, as a
// visitor's browser has, and reads the server's side: the wasm and JS revalidated (304), no weights.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { serve } from '../../scripts/serve.mjs';
import {
  LOAD_TIMEOUT_MS, MANIFEST, PKG, canvasInk, inPanel, createSession, launchProfile, looksLikeADigit, openReadyDemo, readJson, skipUnless,
} from './helpers.mjs';

const session = createSession();
after(() => session.close());

const skip = skipUnless(PKG, MANIFEST);
const TIMEOUT = 5 * 60_000;
const STATED = readJson(MANIFEST).weights;
const CACHE_NAME = 'jmvae-weights-v1';

/**
 * Open the digits demo on the CPU (in `context`, else a fresh one), counting the requests for the
 * weights and the body bytes that came back; `setup(page)` runs before navigation.
 */
async function visit({ context, setup } = {}) {
  const weights = { requests: 0, bytes: 0 };
  const bodies = [];
  const watch = async (page) => {
    const isWeights = (url) => new URL(url).pathname.endsWith(`/${STATED.file}`);
    page.on('request', (request) => isWeights(request.url()) && weights.requests++);
    page.on('response', (response) => {
      if (isWeights(response.url())) bodies.push(response.body().then((body) => (weights.bytes += body.length), () => {}));
    });
    await setup?.(page);
  };
  const opened = await openReadyDemo(session, '?backend=cpu', { context, setup: watch });
  await Promise.all(bodies);
  const shown = await opened.page.$eval('#progress-text', (span) => ({ note: span.textContent, source: span.dataset.source }));
  return { ...opened, weights, ...shown };
}

async function drawsDigits(page) {
  assert.ok((await canvasInk(page, inPanel('generate', '.grid canvas'))).every(looksLikeADigit), 'the grid draws digits');
}

// The keys of the weights' cache, and the sha256 of each entry's bytes, as the page sees them.
function cacheEntries(page) {
  return page.evaluate(async (name) => {
    const cache = await caches.open(name);
    const entries = [];
    for (const request of await cache.keys()) {
      const bytes = await (await cache.match(request)).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      entries.push({ key: request.url, bytes: bytes.byteLength, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') });
    }
    return entries;
  }, CACHE_NAME);
}

// Replace the cached weights (under the page's own cacheKey) by a copy with a byte flipped ('flip') or 100 bytes short ('truncate').
function corruptCache(page, how) {
  return page.evaluate(async ({ name, how, sha256 }) => {
    const { cacheKey } = await import(new URL('shared/weights-cache.js', document.baseURI).href);
    const cache = await caches.open(name);
    const key = cacheKey(sha256);
    const bytes = new Uint8Array(await (await cache.match(key)).arrayBuffer());
    if (how === 'flip') bytes[bytes.length >> 1] ^= 0xff;
    await cache.put(key, new Response(how === 'truncate' ? bytes.subarray(0, bytes.length - 100) : bytes));
    return key;
  }, { name: CACHE_NAME, how, sha256: STATED.sha256 });
}

test('a first visit downloads and caches the weights; a second one downloads none of them', { skip, timeout: TIMEOUT }, async (t) => {
  const first = await visit();
  try {
    t.diagnostic(`first visit: ${first.note}`);
    assert.equal(first.source, 'network');
    assert.equal(first.weights.requests, 1);
    assert.equal(first.weights.bytes, STATED.bytes, 'the whole file came over the network');
    assert.match(first.note, /^Downloaded \d.*cached for the next visit/);
    const entries = await cacheEntries(first.page);
    assert.deepEqual(entries.map(({ bytes, sha256 }) => ({ bytes, sha256 })), [{ bytes: STATED.bytes, sha256: STATED.sha256 }]);
    assert.ok(entries[0].key.endsWith(`sha256-${STATED.sha256}`), `keyed by the sha256: ${entries[0].key}`);
    await first.page.close();

    const second = await visit({ context: first.context });
    t.diagnostic(`second visit: ${second.note}`);
    assert.equal(second.source, 'cache');
    assert.equal(second.weights.requests, 0, 'no request for the weights at all');
    assert.equal(second.weights.bytes, 0);
    assert.match(second.note, /loaded from cache/);
    assert.doesNotMatch(second.note, /Downloaded/);
    await drawsDigits(second.page);
  } finally {
    await first.context.close();
  }
});

// Entries as an older version of these weights would have left (same URL, another sha256), and
// another file's; the next download of these weights should drop the first only.
async function addStaleEntries(page) {
  const { url } = await session.get();
  const stale = (digit, from) => ({ key: new URL(`/jmvae-weights/sha256-${digit.repeat(64)}`, url).href, from });
  const older = stale('0', new URL(`models/${STATED.file}`, url).href);
  const other = stale('1', new URL('models/other.safetensors', url).href);
  await page.evaluate(async ({ name, entries }) => {
    const cache = await caches.open(name);
    for (const { key, from } of entries) await cache.put(key, new Response('old', { headers: { 'X-Jmvae-Weights-Url': from } }));
  }, { name: CACHE_NAME, entries: [older, other] });
  return { older: older.key, other: other.key };
}

test('a corrupt cached copy (a byte flipped, then 100 bytes short) is deleted, downloaded again, and said so', { skip, timeout: TIMEOUT }, async (t) => {
  const first = await visit();
  try {
    const stale = await addStaleEntries(first.page);
    for (const [how, why] of [['flip', /sha256 [0-9a-f]+… instead of/], ['truncate', /bytes instead of/]]) {
      const key = await corruptCache(first.page, how);
      const again = await visit({ context: first.context });
      t.diagnostic(`${how}: ${again.note}`);
      assert.equal(again.source, 'network');
      assert.equal(again.weights.requests, 1, 'downloaded again');
      assert.match(again.note, /The cached mnist\.safetensors was corrupt/);
      assert.match(again.note, why);
      assert.match(again.note, /deleted; downloaded again.*cached for the next visit/);
      await drawsDigits(again.page);
      const entries = await cacheEntries(again.page);
      assert.deepEqual(entries.filter((entry) => entry.key === key).map(({ sha256 }) => sha256), [STATED.sha256], 'the good copy is cached again');
      const keys = entries.map(({ key }) => key);
      assert.ok(!keys.includes(stale.older), 'an older version of the same file is dropped');
      assert.ok(keys.includes(stale.other), "another file's entry is kept");
      await again.page.close();
    }
  } finally {
    await first.context.close();
  }
});

test('no Cache API (window.caches deleted, as in a private window): the weights load, not cached, and the page says so', { skip, timeout: TIMEOUT }, async (t) => {
  const setup = (page) => page.addInitScript(() => delete window.caches);
  const { context, page, note, source, logs } = await visit({ setup });
  try {
    t.diagnostic(note);
    assert.equal(source, 'network');
    assert.match(note, /^Downloaded \d.*mnist\.safetensors not cached: this browser offers no Cache API/);
    assert.deepEqual(logs.filter((line) => /^(error|pageerror):/.test(line)), []);
    await drawsDigits(page);
  } finally {
    await context.close();
  }
});

test('caches.open rejecting (as some private modes do): the weights load, not cached, and the page says so', { skip, timeout: TIMEOUT }, async (t) => {
  const setup = (page) => page.addInitScript(() => {
    CacheStorage.prototype.open = () => Promise.reject(new DOMException('The operation is insecure.', 'SecurityError'));
  });
  const { context, page, note, source } = await visit({ setup });
  try {
    t.diagnostic(note);
    assert.equal(source, 'network');
    assert.match(note, /not cached: the browser's cache would not open \(SecurityError/);
    await drawsDigits(page);
  } finally {
    await context.close();
  }
});

test('a full cache (cache.put rejecting with QuotaExceededError): the weights load, and the page says they could not be cached', { skip, timeout: TIMEOUT }, async (t) => {
  const setup = (page) => page.addInitScript(() => {
    Cache.prototype.put = () => Promise.reject(new DOMException('Quota exceeded.', 'QuotaExceededError'));
  });
  const { context, page, note, source } = await visit({ setup });
  try {
    t.diagnostic(note);
    assert.equal(source, 'network');
    assert.match(note, /mnist\.safetensors could not be cached: the browser's storage for this site is full \(QuotaExceededError/);
    await drawsDigits(page);
    assert.deepEqual(await cacheEntries(page), [], 'nothing was stored');
  } finally {
    await context.close();
  }
});

// Each request for the wasm, the JS and the weights as the server answered it: "path 200|304".
function logAnswers(server) {
  const answers = [];
  server.on('request', (request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    if (/\.(wasm|js|safetensors)$/.test(path)) response.on('finish', () => answers.push(`${path} ${response.statusCode}`));
  });
  return answers;
}

test('with a profile on disk, a second visit revalidates the wasm and JS (304, no body) and asks for no weights', { skip, timeout: TIMEOUT }, async (t) => {
  const server = await serve({ port: 0 });
  const answers = logAnswers(server);
  const dir = await mkdtemp(join(tmpdir(), 'jmvae-profile-'));
  const profile = await launchProfile(dir);
  try {
    const url = `http://127.0.0.1:${server.address().port}/www/?backend=cpu`;
    const visits = [];
    for (let i = 0; i < 2; i++) {
      const start = answers.length;
      const page = await profile.newPage();
      await page.goto(url);
      await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: LOAD_TIMEOUT_MS, polling: 100 });
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready');
      visits.push(answers.slice(start));
      await page.close();
    }
    t.diagnostic(`second visit: ${visits[1].length} answers, ${visits[1].filter((answer) => answer.endsWith(' 304')).length} of them 304`);
    assert.ok(visits[0].includes('/pkg/jmvae-cpu_bg.wasm 200') && visits[0].includes(`/www/models/${STATED.file} 200`), visits[0].join(', '));
    assert.ok(visits[1].includes('/pkg/jmvae-cpu_bg.wasm 304'), 'the wasm is revalidated, not downloaded');
    assert.ok(visits[1].includes('/www/page.js 304'));
    assert.deepEqual(visits[1].filter((answer) => !answer.endsWith(' 304')), [], 'nothing downloaded again');
    assert.ok(!visits[1].some((answer) => answer.includes(STATED.file)), 'the weights come from the Cache API, unasked');
  } finally {
    await profile.close();
    server.close();
    server.closeAllConnections();
    await rm(dir, { recursive: true, force: true });
  }
});
