// Shared set-up for the browser tests: the demo server, Debian's Chromium through
// playwright-core, the page's readiness, fixtures, and skip reasons for what is not built yet.
//
// Not a test file itself (node --test only runs *.test.mjs here).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PKG = join(ROOT, 'pkg', 'jmvae.js');
// The CPU-only build, which ?backend=cpu and 'auto' on a software or absent GPU load instead.
export const PKG_CPU = join(ROOT, 'pkg', 'jmvae-cpu.js');
export const MANIFEST = join(ROOT, 'www', 'models', 'mnist.json');
// The faces the page loads by default: the JMVAE-GAN decoder's; and the plain decoder's.
export const FACES_MANIFEST = join(ROOT, 'www', 'models', 'celeba-gan.json');
export const PLAIN_FACES_MANIFEST = join(ROOT, 'www', 'models', 'celeba.json');
export const FIXTURES = join(ROOT, 'tests', 'browser', 'fixtures');
// The native trainer's outputs for the shipped weights; scripts/test.sh writes them afresh
// with `jmvae sample` and passes the path, so they always match www/models/.
export const NATIVE_SAMPLES = process.env.JMVAE_NATIVE_SAMPLES || join(FIXTURES, 'native-samples.json');
// The same at temperature 0.5 (`jmvae sample ... --temperature 0.5 --json`), when scripts/test.sh
// wrote it; no default: without it the tempered comparisons skip.
export const NATIVE_SAMPLES_TEMPERED = process.env.JMVAE_NATIVE_SAMPLES_TEMPERED || '';
export const MNIST_TEST = join(FIXTURES, 'mnist-test-100.json');
// The trainer, which writes the native faces reference when JMVAE_NATIVE_FACES names none
// (scripts/test.sh writes it and passes the path, like the digits').
// resolve, not join: CI's CARGO_TARGET_DIR is absolute (.ci/run), and join would nest it under ROOT.
export const JMVAE_BIN = resolve(ROOT, process.env.CARGO_TARGET_DIR || 'target', 'release', 'jmvae');
export const NATIVE_FACES = process.env.JMVAE_NATIVE_FACES || JMVAE_BIN;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// WebGPU in headless Chromium runs on SwiftShader (software): slow, so the limits are generous.
export const LOAD_TIMEOUT_MS = 5 * 60_000;

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * A skip reason naming the first missing file, or false when all are there: the suite still
 * runs (and says why it skipped) before the wasm package and the fixtures are built.
 */
export function skipUnless(...paths) {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (set CHROMIUM=/path/to/chromium)`;
  if (!hasPlaywright()) return 'playwright-core is not installed: run npm ci';
  const absent = paths.find((path) => !existsSync(path));
  if (!absent) return false;
  const reasons = {
    [PKG]: 'build the wasm package into pkg/ first',
    [PKG_CPU]: 'build the wasm package (both builds) into pkg/ first',
    [MANIFEST]: 'export the trained weights into www/models/ first',
    [NATIVE_SAMPLES]: 'write it with `jmvae sample --manifest www/models/mnist.json --samples 16 --seed 7 --json ...`',
    [MNIST_TEST]: 'write 100 MNIST test digits there first',
    [FACES_MANIFEST]: 'export the faces weights with `jmvae export --run RUN --precision f16 --out www/models/celeba-gan.json` first',
    [JMVAE_BIN]: 'build the trainer (cargo build --release), or set JMVAE_NATIVE_FACES to a `jmvae sample --json` reference',
    // Only when set: then NATIVE_FACES is this file, not the trainer.
    [process.env.JMVAE_NATIVE_FACES]: 'write it with `jmvae sample --manifest www/models/celeba-gan.json --attributes ... --json FILE`',
  };
  return `${relative(ROOT, absent)} is missing: ${reasons[absent] ?? 'create it first'}`;
}

/** A JSON file, parsed. */
export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Start scripts/serve.mjs on a free port, as a user would; resolves to { url, stop }. */
export function startServer() {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'serve.mjs'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      child.kill();
      reject(new Error(`scripts/serve.mjs did not start (${why}): ${output}`));
    };
    const timer = setTimeout(() => fail('no URL after 10 s'), 10_000);
    child.on('exit', (code) => fail(`exited with ${code}`));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /jmvae demo: (http:\/\/\S+\/www\/)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url: match[1], stop: () => stopChild(child) });
    });
  });
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

// playwright-core is imported only when a browser is launched, so that the server and helper
// tests run (and the browser tests skip, saying why) before `npm ci`.
function hasPlaywright() {
  try {
    createRequire(import.meta.url).resolve('playwright-core');
    return true;
  } catch {
    return false;
  }
}

/** Launch Debian's Chromium; `webgpu: false` leaves WebGPU off altogether. */
export async function launchBrowser({ webgpu = true } = {}) {
  const { chromium } = await import('playwright-core');
  const args = webgpu ? [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: CHROMIUM, args });
}

/**
 * Chromium with a profile on disk at `dir` (a browser context that outlives its pages, with a
 * disk HTTP cache as a visitor's has: a fresh context keeps its HTTP cache in memory, where
 * Chromium leaves out files as large as the wasm); the caller closes it.
 */
export async function launchProfile(dir, { webgpu = true } = {}) {
  const { chromium } = await import('playwright-core');
  const args = webgpu ? [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] : CHROMIUM_ARGS;
  return chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args });
}

/**
 * One server and one browser per test file, started on first use (so a file whose tests all
 * skip starts nothing) and stopped by `close()` in an `after` hook.
 */
export function createSession(options) {
  let started = null;
  return {
    get() {
      started ??= Promise.all([startServer(), launchBrowser(options)]).then(([server, browser]) => ({
        server,
        browser,
        url: server.url,
      }));
      return started;
    },
    async close() {
      if (!started) return;
      const { server, browser } = await started;
      await browser.close();
      await server.stop();
    },
  };
}

/**
 * Open the demo (query like '?backend=cpu', or '?panel=faces&backend=cpu' for the faces) in a
 * fresh context and wait until the demo shown is ready or has failed, never by sleeping blindly. `setup(page)` runs before navigation (routes, init
 * scripts). A fresh context has empty caches (the weights' Cache API too); `context` opens the
 * page in that one instead, as a second visit. Returns { page, context, state, error, status };
 * the caller closes `context`.
 */
export async function openDemo(session, query = '', { setup, contextOptions, context: given } = {}) {
  const { browser, url } = await session.get();
  const context = given ?? (await browser.newContext(contextOptions));
  const page = await context.newPage();
  const logs = [];
  page.on('console', (message) => logs.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => logs.push(`pageerror: ${error.message}`));
  if (setup) await setup(page);
  await page.goto(url + query);
  await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, {
    timeout: LOAD_TIMEOUT_MS,
    polling: 100,
  });
  return { page, context, logs, ...(await pageState(page)) };
}

/** Like openDemo, but the page must have become ready; its error is the failure otherwise. */
export async function openReadyDemo(session, query = '', options = {}) {
  const opened = await openDemo(session, query, options);
  if (opened.state !== 'ready') {
    await opened.context.close();
    throw new Error(`the demo${query} did not get ready: ${opened.error}\n${opened.logs.join('\n')}`);
  }
  return opened;
}

/** The page's state, the tab shown, its error text and its status line (the backend). */
export function pageState(page) {
  return page.evaluate(() => {
    const error = document.getElementById('error');
    return {
      state: document.body.dataset.state,
      panel: document.body.dataset.panel,
      error: error.hidden ? '' : error.innerText,
      status: document.getElementById('status').innerText,
    };
  });
}

/** The <jmvae-panel> of the tab shown whose panel is `name` (a handle), once built. */
export async function panelOf(page, name) {
  const handle = await page.waitForFunction((name) => document.getElementById('demo').panels.find((p) => p.getAttribute('panel') === name && p.dataset.state === 'ready'), name, { timeout: LOAD_TIMEOUT_MS, polling: 100 });
  return handle.asElement();
}

/** Whether this browser gives the page a WebGPU adapter at all (SwiftShader counts). */
export function hasWebGpuAdapter(page) {
  return page.evaluate(async () => Boolean(navigator.gpu && (await navigator.gpu.requestAdapter())));
}

/** Run model.generate in the page and bring its typed arrays back as plain arrays. */
export function generateInPage(page, given, options) {
  return page.evaluate(
    async ({ given, options }) => {
      const out = await window.jmvae.model.generate(given, options);
      return { image: Array.from(out.image), label: Array.from(out.label), samples: out.samples, temperature: out.temperature };
    },
    { given, options },
  );
}

/** Move the range input `selector` to `value` as a drag would (an input event). */
export function setRange(page, selector, value) {
  return page.$eval(selector, (input, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** Type `value` into the input `selector` and commit it (the change event of Enter or leaving it). */
export function setInput(page, selector, value) {
  return page.$eval(selector, (input, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/** Largest |a[i] - b[i]|; lengths must agree. */
export function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return NaN; // a NaN on either side fails any tolerance
    if (d > worst) worst = d;
  }
  return worst;
}

/** Ink statistics of canvases matched by `selector`: how many of their pixels are dark. */
export function canvasInk(page, selector) {
  return page.$$eval(selector, (canvases) =>
    canvases.map((canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] < 128) dark++;
      return { dark, pixels: canvas.width * canvas.height };
    }),
  );
}

/** Drawn, and neither blank nor a solid block. */
export function looksLikeADigit({ dark, pixels }) {
  return dark >= 10 && dark <= pixels * 0.6;
}

/**
 * Do `action(page)` (a click, a drag) and wait for the shown tab's `panel` to draw after it;
 * returns that `result`'s detail, its typed arrays as plain arrays.
 */
export async function afterResult(page, panel, action, { timeout = LOAD_TIMEOUT_MS } = {}) {
  const before = await page.evaluate((panel) => window.jmvae[document.body.dataset.panel].counts[panel] ?? 0, panel);
  await action(page);
  await page.waitForFunction(({ panel, before }) => (window.jmvae[document.body.dataset.panel].counts[panel] ?? 0) > before, { panel, before }, { timeout, polling: 50 });
  return lastResult(page, panel);
}

/** The shown tab's last `result` of `panel`, typed arrays as plain arrays. */
export function lastResult(page, panel) {
  return page.evaluate((panel) => {
    const plain = (value) => (ArrayBuffer.isView(value) ? Array.from(value) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)])) : value);
    const detail = window.jmvae[document.body.dataset.panel].last[panel];
    return detail ? plain(detail) : null;
  }, panel);
}

/** A selector inside the shown tab's `panel` (Playwright's CSS pierces the shadow roots). */
export const inPanel = (panel, selector) => `jmvae-panel[panel="${panel}"]:visible ${selector}`;
