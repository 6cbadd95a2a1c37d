#!/usr/bin/env node
// How much the faces tab ships and how fast it gets going, measured in headless Chromium here.
//
//   node bench/faces-page.mjs [--runs N] [--out FILE]      (or: npm run bench:faces)
//
// The same measurements as bench/page.mjs (see there and bench/page-lib/), for the faces tab
// opened directly (?panel=faces): auto, ?backend=cpu and ?backend=webgpu, cold and warm; bytes
// against the 6 MB gzip target; navigation -> first face grid (body[data-first-face-ms]); warm
// generate({ attributes }, { samples: n, seed }) for n = 1 and 16 with the first preset's
// attributes; the WebGPU matmul rate and each call's FLOPs (convolutions included) and ratio;
// the second visit's cache hits; long tasks during load and while a new face grid is drawn.
//
// Writes its Markdown as the faces section of bench/page-results.md (or --out), keeping the
// digits section; prints it, then the whole record as one JSON line.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../tests/browser/helpers.mjs';
import { pagePresets, presetVector } from '../tests/browser/faces-helpers.mjs';
import { main } from './page-lib/run.mjs';

const PRESETS = pagePresets();

// The faces the page loads by default: the JMVAE-GAN decoder's.
const MANIFEST = 'www/models/celeba-gan.json';
const labels = JSON.parse(readFileSync(join(ROOT, MANIFEST), 'utf8')).config.modalities.find((m) => m.name === 'attributes').labels;

export const FACES = {
  name: 'faces',
  script: 'bench/faces-page.mjs',
  title: 'Faces tab',
  query: 'panel=faces',
  manifest: MANIFEST,
  modelPath: 'jmvae.faces.model',
  firstKey: 'firstResultMs',
  firstAttribute: 'first-result-ms',
  first: 'first face grid',
  resample: 'jmvae-panel[panel="generate"]:visible button[part~="resample"]',
  givenName: 'attributes',
  given: { attributes: Array.from(presetVector(labels, PRESETS[0].present)) },
  givenText: `{ attributes } (preset "${PRESETS[0].name}")`,
  counts: [1, 16],
  one: 'face',
  many: 'faces',
  targetGzip: 6e6,
  flopsNote: 'the attribute encoder on 1 row; the image decoder (dense layers, then 4×4 stride-2 transposed convolutions, 2·Cin·Cout·16·Hin·Win each) and the attribute decoder on n rows',
};

await main(FACES, 'faces');
