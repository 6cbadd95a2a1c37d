// Shared set-up for the faces tests: opening the faces tab, calling the faces model in the page,
// reading the grid's pixels, photos made in the page for the file input, and the comparison
// with the native trainer (`jmvae sample --attributes ... --json`).
//
// Not a test file itself (node --test only runs *.test.mjs here).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FACES_MANIFEST, JMVAE_BIN, ROOT, maxAbsDiff, openReadyDemo, readJson } from './helpers.mjs';

// Both sides load the same weights and draw the same seeded latents; only float arithmetic
// differs (GPU shaders or wasm vs native CPU), so outputs agree to well under a thousandth.
export const TOLERANCE = 1e-3;

/** The attribute sets of the native reference: its rows, in order. */
export const NATIVE_SETS = ['Male,No_Beard,Smiling', 'Eyeglasses,No_Beard,Young'];
const NATIVE_SAMPLES = 16;
const NATIVE_SEED = 7;

/** The faces model's attribute names, from its manifest. */
export function faceLabels() {
  return readJson(FACES_MANIFEST).config.modalities.find((m) => m.name === 'attributes').labels;
}

/**
 * The presets the demo page offers (its <jmvae-demo presets="Name: attributes=A,B; ...">), as
 * [{ name, present }].
 */
export function pagePresets() {
  const html = readFileSync(join(ROOT, 'www', 'index.html'), 'utf8');
  const [, text] = /presets="([^"]*)"/.exec(html);
  return text.split(';').map((part) => {
    const [name, given] = part.split(':').map((s) => s.trim());
    return { name, present: given.replace(/^attributes=/, '').split(',') };
  });
}

/** The 0/1 vector of `labels` with exactly `present` present. */
export const presetVector = (labels, present) => Float32Array.from(labels, (label) => (present.includes(label) ? 1 : 0));

/** Open the faces tab directly (`?panel=faces` plus `query`, e.g. '&backend=cpu'), ready. */
export function openFaces(session, query = '', options = {}) {
  return openReadyDemo(session, `?panel=faces${query}`, options);
}

/** Run the faces model's generate in the page; typed arrays come back as plain arrays. */
export function generateFaces(page, attributes, options) {
  return page.evaluate(
    async ({ attributes, options }) => {
      const out = await window.jmvae.faces.model.generate({ attributes: Float32Array.from(attributes) }, options);
      return { image: Array.from(out.image), attributes: Array.from(out.attributes), samples: out.samples };
    },
    { attributes, options },
  );
}

/** The RGBA bytes of every canvas matched by `selector`, as arrays. */
export function canvasPixels(page, selector) {
  return page.$$eval(selector, (canvases) => {
    // Read through a copy made for reading, so that the page's own canvases stay as they are
    // (and Chromium does not warn about repeated readbacks of them).
    const copy = document.createElement('canvas');
    const context = copy.getContext('2d', { willReadFrequently: true });
    return canvases.map((c) => {
      copy.width = c.width;
      copy.height = c.height;
      context.drawImage(c, 0, 0);
      return Array.from(context.getImageData(0, 0, c.width, c.height).data);
    });
  });
}

/** Mean |a - b| over two lists of RGBA byte arrays, colour channels only (in levels, 0..255). */
export function meanPixelDifference(a, b) {
  let sum = 0;
  let count = 0;
  a.forEach((pixels, k) => {
    for (let i = 0; i < pixels.length; i++) {
      if (i % 4 === 3) continue;
      sum += Math.abs(pixels[i] - b[k][i]);
      count++;
    }
  });
  return sum / count;
}

/** A face drawn by the page's decoder: neither blank nor flat (some spread of colour). */
export function looksLikeAFace(pixels) {
  const values = pixels.filter((_, i) => i % 4 !== 3);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const spread = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  return mean > 10 && mean < 245 && spread > 8;
}

/**
 * A "photo" made in the page from a face the model generates for `attributes`: drawn large,
 * with a border of background around it, on a `width` x `height` canvas, encoded as `type`
 * (image/png or image/jpeg). `grey` turns it into a grey image first. Returns a Buffer.
 * No dataset image is involved: the model's own output is the subject.
 */
export async function photoOfAFace(page, attributes, { width = 178, height = 218, type = 'image/png', grey = false, seed = 3 } = {}) {
  const base64 = await page.evaluate(
    async ({ attributes, width, height, type, grey, seed }) => {
      const out = await window.jmvae.faces.model.generate({ attributes: Float32Array.from(attributes) }, { samples: 1, seed });
      const face = document.createElement('canvas');
      face.width = 64;
      face.height = 64;
      const rgba = new Uint8ClampedArray(64 * 64 * 4);
      for (let i = 0; i < 64 * 64; i++) {
        const [r, g, b] = [0, 1, 2].map((c) => 255 * out.image[c * 4096 + i]);
        const y = 0.299 * r + 0.587 * g + 0.114 * b;
        [rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]] = grey ? [y, y, y] : [r, g, b];
        rgba[i * 4 + 3] = 255;
      }
      face.getContext('2d').putImageData(new ImageData(rgba, 64, 64), 0, 0);
      // The face fills the centred crop that the page will take (140/178 of the width).
      const photo = document.createElement('canvas');
      photo.width = width;
      photo.height = height;
      const context = photo.getContext('2d');
      context.fillStyle = grey ? '#777' : '#4a6';
      context.fillRect(0, 0, width, height);
      const side = Math.min(Math.round((width * 140) / 178), height);
      context.drawImage(face, (width - side) / 2, (height - side) / 2, side, side);
      const blob = await new Promise((done) => photo.toBlob(done, type, 0.95));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = '';
      for (const byte of bytes) text += String.fromCharCode(byte);
      return btoa(text);
    },
    { attributes, width, height, type, grey, seed },
  );
  return Buffer.from(base64, 'base64');
}

/**
 * Choose `file` ({ name, mimeType, buffer }) in the file input of the shown tab's `panel` (read
 * or edit) and wait until the panel has drawn it or said why not; returns the panel's note
 * ('' when it was read).
 */
export async function uploadFace(page, file, panel = 'read') {
  const selector = `jmvae-panel[panel="${panel}"]:visible`;
  await page.locator(selector).scrollIntoViewIfNeeded();
  await page.waitForFunction((panel) => window.jmvae.faces.counts[panel] > 0, panel, { timeout: 120_000 });
  const note = page.locator(`${selector} .note`); // Playwright's CSS pierces the shadow roots
  await note.evaluate((node) => { node.hidden = true; }); // a note of an earlier file is not this one's
  const before = await page.evaluate((panel) => window.jmvae.faces.counts[panel], panel);
  await page.setInputFiles(`${selector} input[type="file"]`, file);
  // Read (a new result) or refused (the note shows), whichever comes first; the other wait's
  // later failure is not an unhandled rejection.
  const waits = [
    page.waitForFunction(({ panel, before }) => window.jmvae.faces.counts[panel] > before, { panel, before }, { timeout: 120_000, polling: 50 }),
    note.waitFor({ state: 'visible', timeout: 120_000 }),
  ];
  waits.forEach((wait) => wait.catch(() => {}));
  await Promise.race(waits);
  return note.evaluate((node) => (node.hidden ? '' : node.textContent));
}

/**
 * The native trainer's faces for NATIVE_SETS, 16 samples, seed 7: the file JMVAE_NATIVE_FACES
 * names (scripts/test.sh writes it), or else written now by target/release/jmvae, which takes
 * a fraction of a second and always matches the weights in www/models/.
 */
export function nativeFacesReference(manifest = FACES_MANIFEST) {
  if (process.env.JMVAE_NATIVE_FACES && manifest === FACES_MANIFEST) return readJson(process.env.JMVAE_NATIVE_FACES);
  const dir = mkdtempSync(join(tmpdir(), 'jmvae-faces-'));
  try {
    const file = join(dir, 'native-faces.json');
    const sets = NATIVE_SETS.flatMap((set) => ['--attributes', set]);
    execFileSync(JMVAE_BIN, ['sample', '--manifest', manifest, ...sets, '--samples', String(NATIVE_SAMPLES),
      '--seed', String(NATIVE_SEED), '--json', file], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    return readJson(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * generate({attributes}) in the page for each set of the reference, asserting that every pixel
 * and attribute probability is within TOLERANCE of native. Returns the worst differences.
 */
export async function compareFacesWithNative(page, reference, t, sets = NATIVE_SETS) {
  const worst = { image: 0, attributes: 0 };
  for (const set of sets) {
    const expected = reference.outputs.find((output) => output.present === set);
    assert.ok(expected, `the reference has the set ${set}`);
    const started = Date.now();
    const actual = await generateFaces(page, expected.attributes, { samples: reference.samples, seed: reference.seed });
    const image = maxAbsDiff(actual.image, expected.image);
    const attributes = maxAbsDiff(actual.attributes, expected.attribute_probabilities);
    t.diagnostic(`${set}: max |diff| image ${image.toExponential(2)}, attributes ${attributes.toExponential(2)} (${Date.now() - started} ms)`);
    assert.ok(image <= TOLERANCE, `${set}: a pixel differs from native by ${image} > ${TOLERANCE}`);
    assert.ok(attributes <= TOLERANCE, `${set}: an attribute probability differs by ${attributes} > ${TOLERANCE}`);
    worst.image = Math.max(worst.image, image);
    worst.attributes = Math.max(worst.attributes, attributes);
  }
  return worst;
}
