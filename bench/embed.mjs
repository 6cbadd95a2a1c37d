#!/usr/bin/env node
// The elements on the fixture project page (tests/embed/project-page/, served as GitHub Pages
// serves a site: tests/browser/pages-server.mjs), measured in headless Chromium here:
//
//   node bench/embed.mjs [--runs N] [--out FILE]      (default: 5 runs, bench/embed-results.md)
//
// Each run is a cold visit in a fresh browser context (empty caches), 1000×900 px, the CPU path
// ('auto' on this machine's software WebGPU adapter). It records: the workers started; how
// often each wasm and weights file was requested; the time from navigation to the first
// visible figure's drawing (its `result` event, on performance.now()'s clock, which starts at
// navigation); that the figure far below the fold requested nothing, then the time from
// scrolling it into view to its drawing; the cumulative layout shift. And, once, the bytes the
// elements add to a page beyond pkg/ and the weights: every file of the packed folder that is
// not pkg/ or models/, raw and gzip -9.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { elementFiles, shippedBytes } from '../scripts/pack-elements.mjs';
import { launchBrowser, ROOT } from '../tests/browser/helpers.mjs';
import { recordTeaser, startPagesServer } from '../tests/browser/pages-server.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const RUNS = Number(option('--runs', 5));
const OUT = option('--out', join(ROOT, 'bench', 'embed-results.md'));
const FIRST = 'fig-generate';
const BELOW = 'fig-edit';
const TARGETS = { first: 1500, below: 1000, cls: 0.01, gzip: 40_000 };

function recordTimes() {
  window.__times = {};
  window.__shift = 0;
  document.addEventListener('result', (event) => {
    window.__times[event.target.id] ??= performance.now();
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
}

async function visit(browser, server) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(recordTimes);
  server.requests.length = 0;
  await page.goto(server.url);
  await page.waitForFunction((id) => window.__times[id], FIRST, { timeout: 120_000, polling: 20 });
  const first = await page.evaluate((id) => window.__times[id], FIRST);
  await page.waitForTimeout(1000); // what the page asks for while the reader reads
  const belowBefore = server.requests.filter((p) => p.endsWith('/celeba.safetensors')).length;
  const scrolled = await page.evaluate((id) => {
    document.getElementById(id).scrollIntoView({ block: 'center' });
    return performance.now();
  }, BELOW);
  await page.waitForFunction((id) => window.__times[id], BELOW, { timeout: 120_000, polling: 20 });
  const below = (await page.evaluate((id) => window.__times[id], BELOW)) - scrolled;
  const count = (suffix) => server.requests.filter((p) => p.endsWith(suffix)).length;
  const record = {
    workers: page.workers().length,
    wasm: count('_bg.wasm'),
    mnist: count('/mnist.safetensors'),
    celebaGan: count('/celeba-gan.safetensors'),
    celeba: count('/celeba.safetensors'),
    belowBefore,
    first,
    below,
    cls: await page.evaluate(() => window.__shift),
  };
  await context.close();
  return record;
}

// The JS and CSS the folder ships beyond pkg/ and the models, as the packer writes them
// (minified), and their sources in www/ for comparison.
function elementBytes() {
  const files = elementFiles().filter((path) => !path.endsWith('.d.ts')).map((rel) => {
    const bytes = shippedBytes(rel);
    const source = readFileSync(join(ROOT, 'www', rel));
    return { rel, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, sourceGzip: gzipSync(source, { level: 9 }).length };
  });
  const sum = (key, filter = () => true) => files.filter(filter).reduce((s, f) => s + f[key], 0);
  const own = (f) => f.rel.startsWith('elements/') || f.rel.startsWith('jmvae-elements');
  return { files: files.length, raw: sum('raw'), gzip: sum('gzip'), ownRaw: sum('raw', own), ownGzip: sum('gzip', own), sourceGzip: sum('sourceGzip') };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (v) => `${Math.round(v)} ms`;

const browser = await launchBrowser();
const server = await startPagesServer({ video: await recordTeaser(browser) });
const load = loadavg().map((v) => v.toFixed(2));
const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    runs.push(await visit(browser, server));
    console.error(`run ${i + 1}: ${JSON.stringify(runs.at(-1))}`);
  }
} finally {
  await browser.close();
  await server.stop();
}
const bytes = elementBytes();
const chromium = execFileSync('/usr/bin/chromium', ['--version']).toString().trim();
const all = (key) => runs.map((r) => r[key]);
const same = (key) => (new Set(all(key)).size === 1 ? String(all(key)[0]) : all(key).join(', '));
const range = (key, f) => `${f(median(all(key)))} (${f(Math.min(...all(key)))}–${f(Math.max(...all(key)))})`;
const markdown = [
  '# The elements on a project page',
  '',
  `Measured by \`node bench/embed.mjs --runs ${RUNS}\` on ${new Date().toISOString().slice(0, 10)}: ${RUNS} cold visits of the fixture project page (tests/embed/project-page/: three digit figures, two face figures, the last far below the fold) served like GitHub Pages (tests/browser/pages-server.mjs: \`Cache-Control: max-age=600\`, ETags, no CSP/COOP/COEP) on localhost, in ${chromium}, 1000×900 px. Machine: ${cpus().length} × ${cpus()[0].model}, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${load.join(', ')} before the run. The CPU path: WebGPU here is SwiftShader, which 'auto' declines.`,
  '',
  '| measure | target | median (min–max) over the runs |',
  '|---|---|---|',
  `| workers started | exactly 1 | ${same('workers')} |`,
  `| requests of the wasm file | 1 | ${same('wasm')} |`,
  `| requests of mnist.safetensors (3 figures) | 1 | ${same('mnist')} |`,
  `| requests of celeba-gan.safetensors (1 figure) | 1 | ${same('celebaGan')} |`,
  `| requests of celeba.safetensors (the figure below the fold) before it is scrolled to | 0 | ${same('belowBefore')} |`,
  `| requests of celeba.safetensors after | 1 | ${same('celeba')} |`,
  `| navigation → first visible figure drawn | ≤ ${ms(TARGETS.first)} | ${range('first', ms)} |`,
  `| scrolled into view → the figure below the fold drawn | ≤ ${ms(TARGETS.below)} | ${range('below', ms)} |`,
  `| cumulative layout shift | ≤ ${TARGETS.cls} | ${range('cls', (v) => v.toFixed(4))} |`,
  '',
  `Bytes the elements add to a page beyond pkg/ and the weights (the packed folder's ${bytes.files} JS and CSS files as scripts/pack-elements.mjs writes them, minified by esbuild, the model runtime in shared/ included): ${(bytes.raw / 1000).toFixed(1)} kB raw, **${(bytes.gzip / 1000).toFixed(1)} kB gzip -9** (target under ${TARGETS.gzip / 1000} kB, as a sum of files gzipped one by one; the unminified sources: ${(bytes.sourceGzip / 1000).toFixed(1)} kB gzip); of which elements/ and jmvae-elements.*: ${(bytes.ownRaw / 1000).toFixed(1)} kB raw, ${(bytes.ownGzip / 1000).toFixed(1)} kB gzip.`,
  '',
].join('\n');
writeFileSync(OUT, markdown);
console.log(markdown);
