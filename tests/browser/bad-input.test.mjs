// (f) Nonsense through the JS API is refused with a JS Error that says what is wrong (unknown
// modality, wrong length, NaN, label out of range, samples < 0), and the page and the model
// keep working afterwards.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { MANIFEST, PKG, afterResult, canvasInk, createSession, inPanel, looksLikeADigit, openReadyDemo, pageState, skipUnless } from './helpers.mjs';

const session = createSession();
after(() => session.close());

// What each bad call's message must mention; the calls themselves are in badCalls() below.
const EXPECTED = {
  'unknown modality': [/audio/, /image/],
  'no modality at all': [/modalit/i],
  'image of the wrong length': [/784/, /100/],
  'NaN pixel': [/NaN/],
  'pixel above 1': [/2/, /\[0, ?1\]|range/i],
  'label 10 of 0..9': [/10/, /range/i],
  'label -1': [/-1|negative/i],
  'label 2.5': [/2\.5|integer|whole/i],
  'samples -1': [/samples/],
  'encode NaN': [/NaN/],
  'decode a z of the wrong length': [/63/, /64/],
};

// Runs in the page: each bad call, and whether (and how) it threw.
async function badCalls() {
  const m = window.jmvae.model;
  const nanImage = () => Object.assign(new Float32Array(784), { 5: NaN });
  const calls = {
    'unknown modality': () => m.generate({ audio: new Float32Array(784) }, { samples: 1, seed: 1 }),
    'no modality at all': () => m.generate({}, { samples: 1, seed: 1 }),
    'image of the wrong length': () => m.generate({ image: new Float32Array(100) }, { samples: 0, seed: 1 }),
    'NaN pixel': () => m.generate({ image: nanImage() }, { samples: 0, seed: 1 }),
    'pixel above 1': () => m.generate({ image: new Float32Array(784).fill(2) }, { samples: 0, seed: 1 }),
    'label 10 of 0..9': () => m.generate({ label: 10 }, { samples: 1, seed: 1 }),
    'label -1': () => m.generate({ label: -1 }, { samples: 1, seed: 1 }),
    'label 2.5': () => m.generate({ label: 2.5 }, { samples: 1, seed: 1 }),
    'samples -1': () => m.generate({ label: 3 }, { samples: -1, seed: 1 }),
    'encode NaN': () => m.encode({ image: nanImage() }),
    'decode a z of the wrong length': () => m.decode(new Float32Array(63)),
  };
  const results = {};
  for (const [name, call] of Object.entries(calls)) {
    try {
      await call(); // a synchronous throw and a rejected promise both land in catch
      results[name] = { threw: false };
    } catch (error) {
      results[name] = {
        threw: true,
        isError: error instanceof Error,
        type: error?.constructor?.name ?? typeof error,
        message: String(error?.message ?? error),
      };
    }
  }
  return results;
}

test('bad input throws a clear Error, and the page stays usable', { skip: skipUnless(PKG, MANIFEST), timeout: 5 * 60_000 }, async (t) => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    const outcomes = await page.evaluate(badCalls);
    assert.deepEqual(Object.keys(outcomes).sort(), Object.keys(EXPECTED).sort());

    for (const [name, mentions] of Object.entries(EXPECTED)) {
      const outcome = outcomes[name];
      t.diagnostic(`${name}: ${outcome.threw ? outcome.message : 'did not throw'}`);
      assert.ok(outcome.threw, `${name}: no error`);
      assert.ok(outcome.isError, `${name}: threw a ${outcome.type}, not an Error`);
      for (const pattern of mentions) assert.match(outcome.message, pattern, `${name}: the message should mention ${pattern}`);
    }

    // Still usable: the API answers, the page is ready without an error, and clicks still work.
    const good = await page.evaluate(async () => (await window.jmvae.model.generate({ label: 5 }, { samples: 2, seed: 3 })).image.length);
    assert.equal(good, 2 * 784);
    const state = await pageState(page);
    assert.equal(state.state, 'ready');
    assert.equal(state.error, '', 'API misuse by a caller is not a page error');
    const drawn = await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-index="5"]')));
    assert.equal(drawn.given.label, 5);
    const ink = await canvasInk(page, inPanel('generate', '.grid canvas'));
    assert.ok(ink.every(looksLikeADigit), 'the grid still draws digits');
  } finally {
    await context.close();
  }
});
