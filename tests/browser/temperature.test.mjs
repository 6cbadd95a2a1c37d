// The sampling temperature τ (z = μ + τ·σ·ε), on the CPU backend (the arithmetic is the same on
// WebGPU; webgpu.test.mjs compares τ = 0.5 with native there):
// - each tab's slider starts at model.defaultTemperature and changing it changes the grid;
// - τ = 0 decodes the posterior mean 16 times: 16 identical digits (and faces), the same as
//   generate({...}, { samples: 0 });
// - a bad temperature through the JS API is refused with an Error that names the value and the
//   allowed range, and the model stays usable.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { canvasPixels, meanPixelDifference, openFaces } from './faces-helpers.mjs';
import {
  FACES_MANIFEST, MANIFEST, PKG, afterResult, canvasInk, createSession, inPanel, lastResult, looksLikeADigit, maxAbsDiff, openReadyDemo,
  pageState, setRange, skipUnless,
} from './helpers.mjs';

const session = createSession();
after(() => session.close());

const TIMEOUT = 5 * 60_000;

/** The model's default temperature, as the page shows it; it must be a number in 0..10. */
async function defaultTemperature(page, demo) {
  const tau = await page.evaluate((demo) => (demo === 'faces' ? window.jmvae.faces.model : window.jmvae.model).defaultTemperature, demo);
  assert.equal(typeof tau, 'number', `model.defaultTemperature is ${tau}: pkg/ predates the temperature`);
  assert.ok(tau >= 0 && tau <= 10, `model.defaultTemperature ${tau} is outside 0..10`);
  return Number(tau.toFixed(6));
}

const SLIDER = inPanel('generate', 'input[type="range"]');
const VALUE = inPanel('generate', '.slider output');
const GRID = inPanel('generate', '.grid canvas');

/** Move the generate panel's slider to `tau` and wait for the grid drawn at it. */
async function gridAt(page, tau) {
  const drawn = await afterResult(page, 'generate', (page) => setRange(page, SLIDER, tau), { timeout: 60_000 });
  assert.equal(drawn.temperature, tau);
}

/**
 * The shown tab's slider starts at its model's default and shows it; another temperature
 * changes the images; 0 draws 16 identical ones. Returns the default.
 */
async function checkSlider(page, tab, t) {
  const tau = await defaultTemperature(page, tab);
  t.diagnostic(`${tab}: model.defaultTemperature = ${tau}`);
  assert.ok(Math.abs(Number(await page.inputValue(SLIDER)) - Math.min(tau, 1.5)) <= 0.025, 'the slider starts at the default (to its step)');
  assert.equal(Number(await page.innerText(VALUE)), tau, 'and shows its number');
  assert.equal((await lastResult(page, 'generate')).temperature, tau, 'the first grid is drawn at it');
  const before = await canvasPixels(page, GRID);

  const other = tau === 0.5 ? 0.75 : 0.5;
  await gridAt(page, other);
  assert.equal(await page.innerText(VALUE), other.toFixed(2));
  const changed = meanPixelDifference(before, await canvasPixels(page, GRID));
  t.diagnostic(`temperature ${tau} -> ${other}: the 16 images change by ${changed.toFixed(2)} levels on average`);
  assert.ok(changed > 1, `changing the temperature barely changed the images (${changed} levels)`);

  await gridAt(page, 0);
  const cold = await canvasPixels(page, GRID);
  assert.equal(cold.length, 16);
  cold.forEach((pixels, i) => assert.deepEqual(pixels, cold[0], `at temperature 0, image ${i + 1} differs from the first`));
  return tau;
}

test('digits: the temperature slider starts at the default and changes the digits; 0 gives 16 identical ones', {
  skip: skipUnless(PKG, MANIFEST), timeout: TIMEOUT,
}, async (t) => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    await checkSlider(page, 'digits', t);
    assert.ok(looksLikeADigit((await canvasInk(page, GRID))[0]), 'the mean is a digit, not a blank');
    const badges = await page.$$eval(inPanel('generate', '.grid .badge'), (nodes) => nodes.map((node) => node.textContent));
    assert.equal(new Set(badges).size, 1, 'identical digits all read alike');
  } finally {
    await context.close();
  }
});

test('the API: temperature 0 is the posterior mean, the result names its temperature, the default is the default', {
  skip: skipUnless(PKG, MANIFEST), timeout: TIMEOUT,
}, async () => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    const out = await page.evaluate(async () => {
      const m = window.jmvae.model;
      const rows = (a) => Array.from({ length: a.length / 784 }, (_, i) => Array.from(a.subarray(i * 784, (i + 1) * 784)));
      const cold = await m.generate({ label: 3 }, { samples: 16, seed: 7, temperature: 0 });
      const mean = await m.generate({ label: 3 }, { samples: 0 });
      const half = await m.generate({ label: 3 }, { samples: 4, seed: 7, temperature: 0.5 });
      const omitted = await m.generate({ label: 3 }, { samples: 4, seed: 7 });
      const explicit = await m.generate({ label: 3 }, { samples: 4, seed: 7, temperature: m.defaultTemperature });
      const hot = await m.generate({ label: 3 }, { samples: 1, seed: 7, temperature: 10 });
      return {
        cold: rows(cold.image), coldTemperature: cold.temperature, mean: rows(mean.image)[0],
        halfTemperature: half.temperature, defaultTemperature: m.defaultTemperature,
        omittedTemperature: omitted.temperature, omitted: Array.from(omitted.image), explicit: Array.from(explicit.image),
        hotLength: hot.image.length,
      };
    });
    assert.equal(out.coldTemperature, 0);
    out.cold.forEach((row, i) => assert.deepEqual(row, out.cold[0], `temperature 0: sample ${i + 1} differs from the first`));
    assert.ok(maxAbsDiff(out.cold[0], out.mean) < 1e-6, 'temperature 0 decodes the mean of q(z | label)');
    assert.ok(Math.abs(out.halfTemperature - 0.5) < 1e-6, `the result says temperature ${out.halfTemperature}`);
    assert.equal(out.omittedTemperature, out.defaultTemperature, 'no temperature: the default');
    assert.deepEqual(out.omitted, out.explicit, 'no temperature is the default temperature');
    assert.equal(out.hotLength, 784, 'the top of the range, 10, is allowed');
  } finally {
    await context.close();
  }
});

// What each bad temperature's message must name: the value, and the range.
const BAD = { 11: /11/, '-1': /-1/, NaN: /NaN/, Infinity: /inf/i, '"abc"': /abc/, true: /true/, '10.5': /10\.5/ };

test('a bad temperature through the API is refused with its value and the range, and the model stays usable', {
  skip: skipUnless(PKG, MANIFEST), timeout: TIMEOUT,
}, async (t) => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    const outcomes = await page.evaluate(async (values) => {
      const results = {};
      for (const text of values) {
        const temperature = { NaN, Infinity }[text] ?? JSON.parse(text);
        try {
          await window.jmvae.model.generate({ label: 3 }, { samples: 2, seed: 1, temperature });
          results[text] = { threw: false };
        } catch (error) {
          results[text] = { threw: true, isError: error instanceof Error, message: String(error?.message ?? error) };
        }
      }
      return results;
    }, Object.keys(BAD));
    for (const [value, pattern] of Object.entries(BAD)) {
      const outcome = outcomes[value];
      t.diagnostic(`temperature ${value}: ${outcome.threw ? outcome.message : 'accepted'}`);
      assert.ok(outcome.threw, `temperature ${value} was accepted`);
      assert.ok(outcome.isError, `temperature ${value}: not an Error`);
      assert.match(outcome.message, /temperature/, `temperature ${value}: the message names the option`);
      assert.match(outcome.message, pattern, `temperature ${value}: the message names the value`);
      assert.match(outcome.message, /0 to 10/, `temperature ${value}: the message names the range`);
    }
    const good = await page.evaluate(async () => (await window.jmvae.model.generate({ label: 5 }, { samples: 2, seed: 3, temperature: 0.5 })).image.length);
    assert.equal(good, 2 * 784, 'the model still answers');
    const state = await pageState(page);
    assert.deepEqual([state.state, state.error], ['ready', ''], 'API misuse by a caller is not a page error');
  } finally {
    await context.close();
  }
});

test('faces: the temperature slider starts at the default and changes the faces; 0 gives 16 identical ones', {
  skip: skipUnless(PKG, FACES_MANIFEST), timeout: TIMEOUT,
}, async (t) => {
  const { page, context } = await openFaces(session, '&backend=cpu');
  try {
    await checkSlider(page, 'faces', t);
  } finally {
    await context.close();
  }
});
