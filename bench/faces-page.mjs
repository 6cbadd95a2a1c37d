#!/usr/bin/env node
// How fast the faces demo is, and how much it ships, measured in headless Chromium here.
//
//   node bench/faces-page.mjs [--runs N] [--out FILE]
//
// The faces tab opened directly (?panel=faces), for WebGPU (SwiftShader in headless Chromium
// without a GPU: a software rasteriser, so these numbers say little about a real GPU) and the
// CPU fallback (?backend=cpu), each in a fresh browser context:
//   - first faces: navigation start -> the first grid of 16 faces drawn (body[data-first-face-ms]);
//     downloads, wasm compilation, model load and the first generate call;
//   - the page's first generate({attributes}, {samples: 16, readBack: true}) (#faces-timing[data-first-ms]),
//     the call that pays for shader compilation;
//   - generate({attributes}, {samples: 16, seed}) from this script: a first call, then the
//     median of N warm calls; the same for samples: 1 (one face);
//   - reading a face: generate({image}, {samples: 0}), first and warm;
//   - what reading the grid back costs (the page asks for it with every grid): warm 16-face
//     calls with and without `readBack: true`, alternated, N of each after a warm-up of both.
// Then the bytes the faces page ships (the shared wasm and page code, the faces weights), raw
// and gzip -9.
//
// Writes its Markdown as the faces section of bench/page-results.md (or --out), replacing an
// earlier one and keeping bench/page.mjs's digits report, and prints one JSON line last.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import { CHROMIUM, LOAD_TIMEOUT_MS, ROOT, launchBrowser, startServer } from '../tests/browser/helpers.mjs';
import { PRESETS, presetVector } from '../www/faces/attribute-presets.js';
import {
  FACES_SECTION, adapterInfo, adapterLine, benchRecord, bytesTable, measureBytes, median, ms, msFine, parseArgs, readBackRows, resultsTable,
  timeReadBack, walk,
} from './page.mjs';

const BACKENDS = [
  { name: 'WebGPU', query: '?panel=faces&backend=webgpu' },
  { name: 'CPU (flex)', query: '?panel=faces&backend=cpu' },
];
const SEED = 7;
const MANIFEST = join(ROOT, 'www', 'models', 'celeba.json');

// ---------------------------------------------------------------------------------------------
// Timings in the page

/** Open the faces tab in a fresh context and time it; the context is closed afterwards. */
async function measureBackend(browser, url, backend, runs, vectors) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url + backend.query);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: LOAD_TIMEOUT_MS, polling: 50 });
    const loaded = await page.evaluate(() => ({
      state: document.body.dataset.state,
      error: document.getElementById('faces-error').innerText,
      firstFaceMs: Number(document.body.dataset.firstFaceMs),
      pageFirstGenerateMs: Number(document.getElementById('faces-timing').dataset.firstMs),
      backend: window.jmvae.faces.model?.backend ?? null,
    }));
    if (loaded.state !== 'ready') return { name: backend.name, error: loaded.error || `state ${loaded.state}` };
    const sixteen = await timeCalls(page, 'generate', 16, runs, vectors);
    const one = await timeCalls(page, 'generate', 1, runs, vectors);
    const read = await timeCalls(page, 'read', 0, runs, vectors);
    const readBack = await timeReadBack(page, 'faces', runs, vectors);
    return { name: backend.name, query: backend.query, ...loaded, sixteen, one, read, readBack, adapter: await adapterInfo(page) };
  } finally {
    await context.close();
  }
}

/**
 * One first call, then `runs` warm calls cycling over the presets' attribute vectors and seeds,
 * each timed in the page around the await. `kind` 'generate' draws `samples` faces from the
 * attributes; 'read' encodes a face and decodes the posterior mean (the upload panel's call).
 */
function timeCalls(page, kind, samples, runs, vectors) {
  return page.evaluate(
    async ({ kind, samples, runs, seed, vectors }) => {
      const model = window.jmvae.faces.model;
      const face = (await model.generate({ attributes: Float32Array.from(vectors[0]) }, { samples: 1, seed })).image;
      const call = (i) => (kind === 'read'
        ? model.generate({ image: face }, { samples: 0, seed: 0 })
        : model.generate({ attributes: Float32Array.from(vectors[i % vectors.length]) }, { samples, seed: seed + i }));
      const time = (i) =>
        window.jmvae.run(async () => {
          const started = performance.now();
          await call(i);
          return Math.round((performance.now() - started) * 10) / 10;
        });
      const firstMs = await time(1);
      const warmMs = [];
      for (let i = 0; i < runs; i++) warmMs.push(await time(i + 2));
      return { firstMs, warmMs };
    },
    { kind, samples, runs, seed: SEED, vectors },
  );
}

// ---------------------------------------------------------------------------------------------
// Bytes shipped

/** What the faces page downloads: the wasm package, the page's own files and the faces weights. */
function shippedFiles() {
  const www = join(ROOT, 'www');
  const pageFiles = walk(www)
    .filter((path) => /\.(js|css|html)$/.test(path) && !path.startsWith(join(www, 'models')))
    .sort();
  return [join(ROOT, 'pkg', 'jmvae_bg.wasm'), join(ROOT, 'pkg', 'jmvae.js'), ...pageFiles, MANIFEST, join(www, 'models', 'celeba.safetensors')];
}

// ---------------------------------------------------------------------------------------------
// Report

function timingTable(results) {
  const warm = (key) => (r) => msFine(median(r[key].warmMs));
  const range = (key) => (r) => `${msFine(Math.min(...r[key].warmMs))} – ${msFine(Math.max(...r[key].warmMs))}`;
  const rows = [
    ['backend actually used', (r) => r.backend],
    ['navigation → first face grid on screen', (r) => ms(r.firstFaceMs)],
    ["page's first generate, 16 faces and their read-back (cold: pipelines compiled)", (r) => ms(r.pageFirstGenerateMs)],
    ["bench's first call, 16 faces", (r) => msFine(r.sixteen.firstMs)],
    ['16 faces, warm (median)', warm('sixteen')],
    ['16 faces, warm (min – max)', range('sixteen')],
    ["bench's first call, 1 face", (r) => msFine(r.one.firstMs)],
    ['1 face, warm (median)', warm('one')],
    ['1 face, warm (min – max)', range('one')],
    ['reading a face (encode + decode the mean), first', (r) => msFine(r.read.firstMs)],
    ['reading a face, warm (median)', warm('read')],
    ...readBackRows('faces'),
  ];
  return resultsTable(results, rows);
}

function report(run) {
  const epochs = run.manifest.training?.epochs;
  const trained = epochs === undefined ? 'training unrecorded' : `${epochs} epoch${epochs === 1 ? '' : 's'} of training`;
  return [
    FACES_SECTION.begin,
    '## Faces page',
    '',
    `Measured by \`node bench/faces-page.mjs --runs ${run.runs}\` on ${run.date}, with the weights in`,
    `\`www/models/celeba.json\` ("${run.manifest.name}", ${trained}, ${run.manifest.weights?.dtype} storage).`,
    '',
    `- Browser: headless Chromium ${run.chromium} (${CHROMIUM}), the flags of tests/browser/helpers.mjs plus \`--enable-unsafe-webgpu\`.`,
    `- ${adapterLine(run.adapter)}`,
    `- Machine: ${run.machine.cpus} × ${run.machine.cpu}, ${run.machine.memoryGiB} GiB; load average ${run.machine.loadBefore.join(', ')} before the run, ${run.machine.loadAfter.join(', ')} after.`,
    '',
    '### Time',
    '',
    `The faces tab opened directly (\`?panel=faces\`), each backend in a fresh browser context. Calls are \`generate({ attributes }, { samples, seed })\` over the presets at the model's default temperature, timed in the page around the await; "warm" is over ${run.runs} calls after the first. The page itself asks for \`readBack: true\` (its first generate includes it); the read-back rows alternate ${run.runs} calls with and ${run.runs} without it.`,
    '',
    ...timingTable(run.results),
    '',
    '### Bytes shipped (faces page)',
    '',
    'The wasm package and the page code are the same files as the digits page\'s (a visitor of both tabs downloads them once).',
    '',
    ...bytesTable(run.bytes),
    FACES_SECTION.end,
  ].join('\n');
}

/** `text` with the faces section of the file at `path` replaced by it (or appended). */
function withSection(path, text) {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const from = old.indexOf(FACES_SECTION.begin);
  const to = old.indexOf(FACES_SECTION.end);
  if (from >= 0 && to > from) return old.slice(0, from) + text + old.slice(to + FACES_SECTION.end.length);
  return `${old.trimEnd()}\n\n${text}\n`;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2), 'bench/faces-page.mjs');
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  const labels = manifest.config.modalities.find((m) => m.name === 'attributes').labels;
  const vectors = PRESETS.map((preset) => Array.from(presetVector(labels, preset.present)));
  const loadBefore = os.loadavg().map((x) => x.toFixed(2));
  const server = await startServer();
  const browser = await launchBrowser({ webgpu: true });
  let run;
  try {
    const results = [];
    for (const backend of BACKENDS) {
      console.error(`measuring ${backend.name} (${server.url}${backend.query}) ...`);
      results.push(await measureBackend(browser, server.url, backend, options.runs, vectors));
    }
    run = benchRecord(browser, results, loadBefore, {
      manifest: { name: manifest.name, training: manifest.training, weights: manifest.weights },
      runs: options.runs,
      bytes: measureBytes(shippedFiles()),
    });
  } finally {
    await browser.close();
    await server.stop();
  }
  const markdown = report(run);
  writeFileSync(options.out, withSection(options.out, markdown));
  console.log(markdown);
  console.log(JSON.stringify(run));
  if (run.results.some((r) => r.error)) process.exitCode = 1;
}

await main();
