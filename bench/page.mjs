#!/usr/bin/env node
// How much the digits page ships and how fast it gets going, measured in headless Chromium here.
//
//   node bench/page.mjs [--runs N] [--out FILE]      (or: npm run bench:page)
//
// Three visitor paths: the page as it comes (auto), ?backend=cpu and ?backend=webgpu. Each in a
// fresh browser context: a cold visit (empty caches), then a warm one in the same context. It
// measures (the pieces live in bench/page-lib/):
//   1. bytes: every response the page and its workers receive (context 'response' events),
//      mapped by URL to the file on disk, raw and gzip -9, grouped (wasm, pkg glue, page code,
//      weights + manifest), per path, with the 2.5 MB gzip target beside the total;
//   2. time: navigation -> first digits drawn (body[data-first-digit-ms]), cold and warm, and
//      which backend ran (window.jmvae.model.backend) and where (model.runsIn, 'n/a' if absent);
//   3. warm generate latency on the CPU and WebGPU paths: generate({ label: 3 }, { samples: n,
//      seed }) for n = 1, 16, 64, via window.jmvae.run, one first call then N warm ones;
//   4. the adapter's matmul rate with raw WebGPU in the same page (a tiled WGSL kernel), and
//      for each latency row its FLOPs (from the manifest's config) and latency / (FLOPs / rate);
//   5. the second visit's network bytes (weights, wasm: revalidated, HTTP cache, or not fetched)
//      and whether the status line says "from cache";
//   6. main-thread long tasks (PerformanceObserver 'longtask') during each load, and while the
//      page draws a new 16-digit grid after ready.
// Each measurement is guarded: one that fails says 'failed: <reason>' in its cell.
//
// Writes its Markdown as the digits section of bench/page-results.md (or --out), keeping the
// faces section of bench/faces-page.mjs; prints it, then the whole record as one JSON line.
// Compare runs only on the same, idle machine: the load average is in the report.

import { main } from './page-lib/run.mjs';

export const DIGITS = {
  name: 'digits',
  script: 'bench/page.mjs',
  title: 'Digits page',
  query: '',
  manifest: 'www/models/mnist.json',
  modelPath: 'jmvae.model',
  firstKey: 'firstResultMs',
  firstAttribute: 'first-result-ms',
  first: 'first digits',
  resample: 'jmvae-panel[panel="generate"]:visible button[part~="resample"]',
  givenName: 'label',
  given: { label: 3 },
  givenText: '{ label: 3 }',
  counts: [1, 16, 64],
  one: 'digit',
  many: 'digits',
  targetGzip: 2.5e6,
  flopsNote: 'the label encoder on 1 row, the image and label decoders on n rows, 2·rows·in·out per layer',
};

await main(DIGITS, 'digits');
