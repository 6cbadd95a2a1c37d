// Comparison of the page's generate() with the native trainer's reference samples
// (tests/browser/fixtures/native-samples.json, written by `jmvae sample --json`).

import assert from 'node:assert/strict';

import { NATIVE_SAMPLES, generateInPage, maxAbsDiff, readJson } from './helpers.mjs';

// Both sides load the same weights and draw the same seeded latents; only float arithmetic
// differs (GPU shaders or wasm vs native CPU), so outputs agree to well under a thousandth.
export const TOLERANCE = 1e-3;

export function nativeReference() {
  const reference = readJson(NATIVE_SAMPLES);
  assert.ok(Number.isInteger(reference.seed) && reference.samples > 0, 'the fixture names its seed and sample count');
  return reference;
}

/**
 * generate({label}) in the page for each listed label, asserting that every image pixel and
 * label probability is within TOLERANCE of the reference. Returns the worst differences.
 */
export async function compareWithNative(page, reference, labels, t) {
  const worst = { image: 0, label: 0 };
  for (const label of labels) {
    const expected = reference.outputs.find((output) => output.label === label);
    assert.ok(expected, `the reference has label ${label}`);
    const started = Date.now();
    const actual = await generateInPage(page, { label }, { samples: reference.samples, seed: reference.seed });
    const image = maxAbsDiff(actual.image, expected.image);
    const probabilities = maxAbsDiff(actual.label, expected.label_probabilities);
    t.diagnostic(`label ${label}: max |diff| image ${image.toExponential(2)}, label ${probabilities.toExponential(2)} (${Date.now() - started} ms)`);
    assert.ok(image <= TOLERANCE, `label ${label}: an image pixel differs from native by ${image} > ${TOLERANCE}`);
    assert.ok(probabilities <= TOLERANCE, `label ${label}: a label probability differs by ${probabilities} > ${TOLERANCE}`);
    worst.image = Math.max(worst.image, image);
    worst.label = Math.max(worst.label, probabilities);
  }
  return worst;
}
