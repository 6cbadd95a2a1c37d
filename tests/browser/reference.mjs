// Comparison of the page's generate() with the native trainer's reference samples
// (tests/browser/fixtures/native-samples.json, written by `jmvae sample --json`), at the
// default temperature and, when scripts/test.sh wrote it, at temperature 0.5.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

import { NATIVE_SAMPLES, NATIVE_SAMPLES_TEMPERED, generateInPage, maxAbsDiff, readJson } from './helpers.mjs';

// Both sides load the same weights and draw the same seeded latents; only float arithmetic
// differs (GPU shaders or wasm vs native CPU), so outputs agree to well under a thousandth.
export const TOLERANCE = 1e-3;

export function nativeReference(path = NATIVE_SAMPLES) {
  const reference = readJson(path);
  assert.ok(Number.isInteger(reference.seed) && reference.samples > 0, 'the fixture names its seed and sample count');
  return reference;
}

/** A skip reason while the tempered reference is not there, else false. */
export function skipUnlessTempered() {
  if (!NATIVE_SAMPLES_TEMPERED) {
    return 'JMVAE_NATIVE_SAMPLES_TEMPERED is not set: scripts/test.sh writes it with `jmvae sample --manifest '
      + 'www/models/mnist.json --samples 16 --seed 7 --temperature 0.5 --json FILE` and passes its path';
  }
  if (!existsSync(NATIVE_SAMPLES_TEMPERED)) return `JMVAE_NATIVE_SAMPLES_TEMPERED names ${NATIVE_SAMPLES_TEMPERED}, which does not exist`;
  return false;
}

/** The native samples at a temperature other than 1; it says which (its top-level "temperature"). */
export function nativeTemperedReference() {
  const reference = nativeReference(NATIVE_SAMPLES_TEMPERED);
  assert.equal(typeof reference.temperature, 'number', `${NATIVE_SAMPLES_TEMPERED} has no top-level "temperature"`);
  assert.notEqual(reference.temperature, 1, 'the tempered reference is at a temperature other than 1');
  return reference;
}

/**
 * generate({label}) in the page for each listed label, asserting that every image pixel and
 * label probability is within TOLERANCE of the reference. A reference with a "temperature" is
 * compared at that temperature (the page is asked for it); one without, at the page's default,
 * which is the trainer's too. Returns the worst differences.
 */
export async function compareWithNative(page, reference, labels, t) {
  const worst = { image: 0, label: 0 };
  const options = { samples: reference.samples, seed: reference.seed };
  if (reference.temperature !== undefined) options.temperature = reference.temperature;
  for (const label of labels) {
    const expected = reference.outputs.find((output) => output.label === label);
    assert.ok(expected, `the reference has label ${label}`);
    const started = Date.now();
    const actual = await generateInPage(page, { label }, options);
    if (options.temperature !== undefined) {
      assert.ok(Math.abs(actual.temperature - options.temperature) < 1e-6, `generate used temperature ${actual.temperature}, not ${options.temperature}`);
    }
    const image = maxAbsDiff(actual.image, expected.image);
    const probabilities = maxAbsDiff(actual.label, expected.label_probabilities);
    const at = options.temperature === undefined ? '' : ` at temperature ${options.temperature}`;
    t.diagnostic(`label ${label}${at}: max |diff| image ${image.toExponential(2)}, label ${probabilities.toExponential(2)} (${Date.now() - started} ms)`);
    assert.ok(image <= TOLERANCE, `label ${label}: an image pixel differs from native by ${image} > ${TOLERANCE}`);
    assert.ok(probabilities <= TOLERANCE, `label ${label}: a label probability differs by ${probabilities} > ${TOLERANCE}`);
    worst.image = Math.max(worst.image, image);
    worst.label = Math.max(worst.label, probabilities);
  }
  return worst;
}
