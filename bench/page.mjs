#!/usr/bin/env node
// How fast the demo page is, and how much it ships, measured in headless Chromium here.
//
//   node bench/page.mjs [--runs N] [--out FILE]      (or: npm run bench:page)
//
// For WebGPU (SwiftShader in headless Chromium without a GPU: a software rasteriser, so these
// numbers say little about a real GPU) and for the CPU fallback (?backend=cpu), each in a fresh
// browser context, so nothing is cached between them:
//   - first digit: navigation start -> the first digits drawn (body[data-first-digit-ms]);
//     downloads, wasm compilation, model load, warm-up and the first generate call;
//   - the page's first generate({label: 0}, {samples: 16, seed: 7, readBack: true}) (#timing[data-first-ms]),
//     the call that pays for shader compilation;
//   - generate({label}, {samples: 16, seed}) from this script: its first call, then the median
//     of N warm calls; and the same for samples: 1 (a new batch size may compile anew);
//   - what reading the grid back costs (the page asks for it with every grid): warm 16-sample
//     calls with and without `readBack: true`, alternated, N of each after a warm-up of both.
// Then the bytes the MNIST page ships, raw and gzip -9, with totals.
//
// Prints a Markdown report, writes it to bench/page-results.md (or --out), and prints one JSON
// line last. The machine's load average is recorded: other work on the cores slows every
// number here, so compare runs only on the same, idle machine. The faces section that
// bench/faces-page.mjs adds to the same file is kept.

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { CHROMIUM, LOAD_TIMEOUT_MS, ROOT, launchBrowser, startServer } from '../tests/browser/helpers.mjs';

const BACKENDS = [
  { name: 'WebGPU', query: '?backend=webgpu' },
  { name: 'CPU (flex)', query: '?backend=cpu' },
];
const SEED = 7;

/** `--runs N` and `--out FILE` of a page bench called `script`, or its usage and exit 2. */
export function parseArgs(argv, script = 'bench/page.mjs') {
  const options = { runs: 5, out: join(ROOT, 'bench', 'page-results.md') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') options.runs = Number(argv[++i]);
    else if (argv[i] === '--out') options.out = argv[++i];
    else {
      console.error(`usage: node ${script} [--runs N (default 5)] [--out FILE]`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs needs a positive integer');
  return options;
}

// ---------------------------------------------------------------------------------------------
// Timings in the page

/** Open the page in a fresh context and time it; the context is closed afterwards. */
async function measureBackend(browser, url, backend, runs) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url + backend.query);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, {
      timeout: LOAD_TIMEOUT_MS,
      polling: 50,
    });
    const loaded = await page.evaluate(() => ({
      state: document.body.dataset.state,
      error: document.getElementById('error').innerText,
      firstDigitMs: Number(document.body.dataset.firstDigitMs),
      pageFirstGenerateMs: Number(document.getElementById('timing').dataset.firstMs),
      backend: window.jmvae.model?.backend ?? null,
    }));
    if (loaded.state !== 'ready') return { name: backend.name, error: loaded.error || `state ${loaded.state}` };
    const sixteen = await timeGenerate(page, 16, runs);
    const one = await timeGenerate(page, 1, runs);
    const readBack = await timeReadBack(page, 'digits', runs);
    const adapter = await adapterInfo(page);
    return { name: backend.name, query: backend.query, ...loaded, sixteen, one, readBack, adapter };
  } finally {
    await context.close();
  }
}

/**
 * One cold call (a label the page has not generated yet), then `runs` warm calls cycling over
 * labels and seeds, each timed in the page around the await of generate().
 */
function timeGenerate(page, samples, runs) {
  return page.evaluate(
    async ({ samples, runs, seed }) => {
      const time = (label, seed) =>
        window.jmvae.run(async () => {
          const started = performance.now();
          await window.jmvae.model.generate({ label }, { samples, seed });
          return Math.round((performance.now() - started) * 10) / 10;
        });
      const firstMs = await time(3, seed);
      const warmMs = [];
      for (let i = 0; i < runs; i++) warmMs.push(await time(i % 10, seed + 1 + i));
      return { firstMs, warmMs };
    },
    { samples, runs, seed: SEED },
  );
}

/**
 * Warm 16-sample grids with and without `readBack: true` (the page's call and the same call
 * without the reading), alternated so that drift hits both alike: a warm-up of each, then
 * `runs` pairs over the labels (digits) or the presets' `vectors` (faces). `hasReadBack` is
 * false for a pkg/ that ignores the option (then both columns time the same call).
 */
export function timeReadBack(page, demo, runs, vectors = []) {
  return page.evaluate(
    async ({ demo, runs, seed, vectors }) => {
      const model = demo === 'faces' ? window.jmvae.faces.model : window.jmvae.model;
      const given = (i) => (demo === 'faces' ? { attributes: Float32Array.from(vectors[i % vectors.length]) } : { label: i % 10 });
      let hasReadBack = false;
      const time = (i, readBack) =>
        window.jmvae.run(async () => {
          const started = performance.now();
          const out = await model.generate(given(i), { samples: 16, seed: seed + i, readBack });
          const ms = Math.round((performance.now() - started) * 10) / 10;
          if (readBack && out.readBack) hasReadBack = true;
          return ms;
        });
      await time(0, false);
      await time(0, true);
      const plainMs = [];
      const readBackMs = [];
      for (let i = 0; i < runs; i++) {
        plainMs.push(await time(i + 1, false));
        readBackMs.push(await time(i + 1, true));
      }
      return { plainMs, readBackMs, hasReadBack };
    },
    { demo, runs, seed: SEED, vectors },
  );
}

/** The rows of a results table on read-back's cost, for `noun` ("samples", "faces"). */
export function readBackRows(noun) {
  const measured = (cell) => (r) => (r.readBack.hasReadBack ? cell(r.readBack) : 'n/a (pkg/ without readBack)');
  return [
    [`16 ${noun}, warm, no read-back (median, alternated with the next row)`, (r) => msFine(median(r.readBack.plainMs))],
    [`16 ${noun} read back too (\`readBack: true\`), warm (median)`, measured((b) => msFine(median(b.readBackMs)))],
    ['read-back cost per grid (median of the pairs\' differences)', measured((b) => msFine(median(b.readBackMs.map((v, i) => v - b.plainMs[i]))))],
  ];
}

/**
 * The WebGPU adapter that `page` gets, or why there is none. Asked in a page of the demo's own
 * origin: navigator.gpu exists only in secure contexts (localhost is one, about:blank is not).
 */
export function adapterInfo(page) {
  return page.evaluate(async () => {
    if (!navigator.gpu) return { available: false, why: 'no navigator.gpu' };
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return { available: false, why: 'requestAdapter() gave null' };
    const { vendor, architecture, device, description } = adapter.info ?? {};
    return { available: true, vendor, architecture, device, description, features: [...adapter.features].sort() };
  });
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---------------------------------------------------------------------------------------------
// Bytes shipped

/** What the MNIST page downloads: the wasm package, the page's own files and the weights. */
function shippedFiles() {
  const www = join(ROOT, 'www');
  const pageFiles = walk(www)
    .filter((path) => /\.(js|css|html)$/.test(path) && !path.startsWith(join(www, 'models')))
    .sort();
  return [
    join(ROOT, 'pkg', 'jmvae_bg.wasm'),
    join(ROOT, 'pkg', 'jmvae.js'),
    ...pageFiles,
    join(www, 'models', 'mnist.json'),
    join(www, 'models', 'mnist.safetensors'),
  ];
}

/** Every file under `dir`, recursively. */
export function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Raw and gzip -9 sizes of `paths`, with the page code (www/ but its models) summed apart. */
export function measureBytes(paths = shippedFiles()) {
  const files = paths.map((path) => {
    const data = readFileSync(path);
    return { path: relative(ROOT, path), raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
  });
  const sum = (list, key) => list.reduce((total, file) => total + file[key], 0);
  const page = files.filter((file) => file.path.startsWith('www/') && !file.path.startsWith('www/models/'));
  return {
    files,
    page: { raw: sum(page, 'raw'), gzip: sum(page, 'gzip'), count: page.length },
    total: { raw: sum(files, 'raw'), gzip: sum(files, 'gzip') },
  };
}

// ---------------------------------------------------------------------------------------------
// Report

/** Milliseconds for a table: "585 ms", or a dash when not measured. */
export const ms = (value) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '–');
/** Milliseconds with a decimal below 100: "18.9 ms". */
export const msFine = (value) => (Number.isFinite(value) ? `${value.toFixed(value < 100 ? 1 : 0)} ms` : '–');
/** Bytes as kB with one decimal. */
export const kB = (bytes) => `${(bytes / 1e3).toFixed(1)} kB`;

function timingTable(results) {
  const rows = [
    ['backend actually used', (r) => r.backend],
    ['navigation → first digit on screen', (r) => ms(r.firstDigitMs)],
    ["page's first generate, 16 samples and their read-back (cold: pipelines compiled)", (r) => ms(r.pageFirstGenerateMs)],
    ["bench's first call, 16 samples (the warm-up)", (r) => msFine(r.sixteen.firstMs)],
    ['16 samples, warm (median)', (r) => msFine(median(r.sixteen.warmMs))],
    ['16 samples, warm (min – max)', (r) => `${msFine(Math.min(...r.sixteen.warmMs))} – ${msFine(Math.max(...r.sixteen.warmMs))}`],
    ["bench's first call, 1 sample (new batch size; the warm-up)", (r) => msFine(r.one.firstMs)],
    ['1 sample, warm (median)', (r) => msFine(median(r.one.warmMs))],
    ['1 sample, warm (min – max)', (r) => `${msFine(Math.min(...r.one.warmMs))} – ${msFine(Math.max(...r.one.warmMs))}`],
    ...readBackRows('samples'),
  ];
  return resultsTable(results, rows);
}

/** A Markdown table with a column per backend that got ready and a row per `[label, cell(result)]`; failures below it. */
export function resultsTable(results, rows) {
  const ok = results.filter((r) => !r.error);
  const lines = [
    `| | ${ok.map((r) => r.name).join(' | ')} |`,
    `|---|${ok.map(() => '---:').join('|')}|`,
    ...rows.map(([label, cell]) => `| ${label} | ${ok.map(cell).join(' | ')} |`),
  ];
  for (const r of results.filter((r) => r.error)) lines.push('', `${r.name}: failed: ${r.error}`);
  return lines;
}

/** The Markdown table of measureBytes()'s files and totals. */
export function bytesTable(bytes) {
  return [
    '| file | raw | gzip -9 |',
    '|---|---:|---:|',
    ...bytes.files.map((f) => `| \`${f.path}\` | ${kB(f.raw)} | ${kB(f.gzip)} |`),
    `| page code (www/, ${bytes.page.count} files) | ${kB(bytes.page.raw)} | ${kB(bytes.page.gzip)} |`,
    `| **total** | **${kB(bytes.total.raw)}** | **${kB(bytes.total.gzip)}** |`,
  ];
}

/** One line on the WebGPU adapter (or why there is none), for a report. */
export function adapterLine(adapter) {
  if (!adapter.available) return `WebGPU adapter: none (${adapter.why}).`;
  const info = ['vendor', 'architecture', 'device', 'description']
    .filter((key) => adapter[key])
    .map((key) => `${key} \`${adapter[key]}\``)
    .join(', ');
  const f16 = adapter.features.includes('shader-f16') ? 'with' : 'without';
  return `WebGPU adapter: ${info || '(no info)'}; ${f16} \`shader-f16\`.`;
}

function report(run) {
  return [
    '# Page benchmark',
    '',
    `Measured by \`node bench/page.mjs --runs ${run.runs}\` on ${run.date}.`,
    '',
    `- Browser: headless Chromium ${run.chromium} (${CHROMIUM}), the flags of tests/browser/helpers.mjs plus \`--enable-unsafe-webgpu\`.`,
    `- ${adapterLine(run.adapter)}`,
    `- Machine: ${run.machine.cpus} × ${run.machine.cpu}, ${run.machine.memoryGiB} GiB; load average ${run.machine.loadBefore.join(', ')} before the run, ${run.machine.loadAfter.join(', ')} after.`,
    `- Node ${process.version}; page served by scripts/serve.mjs on localhost (no network time, no HTTP compression).`,
    '',
    '## Time',
    '',
    `Each backend in a fresh browser context. Calls are \`generate({ label }, { samples, seed })\` at the model's default temperature, timed in the page around the await (result back on the host); "warm" is over ${run.runs} calls after the first. The page itself asks for \`readBack: true\` (its first generate includes it); the read-back rows alternate ${run.runs} calls with and ${run.runs} without it.`,
    '',
    ...timingTable(run.results),
    '',
    '## Bytes shipped (MNIST page)',
    '',
    ...bytesTable(run.bytes),
    '',
  ].join('\n');
}

// The faces page's results (bench/faces-page.mjs), between these markers in the same file.
export const FACES_SECTION = { begin: '<!-- bench/faces-page.mjs: begin -->', end: '<!-- bench/faces-page.mjs: end -->' };

/** The marked section of the file at `path` (with a blank line before it), or '' if none. */
export function keptSection(path, { begin, end }) {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  return from >= 0 && to > from ? `\n${text.slice(from, to + end.length)}\n` : '';
}

// ---------------------------------------------------------------------------------------------

/** One bench run as JSON: when, which browser and adapter, on what machine, then `extra` and the results. */
export function benchRecord(browser, results, loadBefore, extra) {
  return {
    date: new Date().toISOString(),
    chromium: browser.version(),
    // Every page of the origin sees the same adapter; take it from the first that got ready.
    adapter: results.find((r) => r.adapter)?.adapter ?? { available: false, why: 'no page got ready' },
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown CPU',
      cpus: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadBefore,
      loadAfter: os.loadavg().map((x) => x.toFixed(2)),
    },
    ...extra,
    results,
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const loadBefore = os.loadavg().map((x) => x.toFixed(2));
  const server = await startServer();
  const browser = await launchBrowser({ webgpu: true });
  let run;
  try {
    const results = [];
    for (const backend of BACKENDS) {
      console.error(`measuring ${backend.name} (${server.url}${backend.query}) ...`);
      results.push(await measureBackend(browser, server.url, backend, options.runs));
    }
    run = benchRecord(browser, results, loadBefore, { runs: options.runs, bytes: measureBytes() });
  } finally {
    await browser.close();
    await server.stop();
  }
  const markdown = report(run);
  writeFileSync(options.out, markdown + keptSection(options.out, FACES_SECTION));
  console.log(markdown);
  console.log(JSON.stringify(run));
  if (run.results.some((r) => r.error)) process.exitCode = 1;
}

// Run when executed (node bench/page.mjs), not when bench/faces-page.mjs imports the helpers.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
