// (b) Image -> label on real MNIST test digits: generate({image}, {samples: 0}) (the posterior
// mean) must classify at least 95 % of the fixture's digits correctly. On the CPU backend: the
// API takes one image a call, and 100 calls are quick there but slow on a software GPU.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { MANIFEST, MNIST_TEST, PKG, createSession, openReadyDemo, readJson, skipUnless } from './helpers.mjs';

const MIN_ACCURACY = 0.95;
const MIN_DIGITS = 100;

const session = createSession();
after(() => session.close());

test(`image -> label: >= ${MIN_ACCURACY * 100} % of ${MIN_DIGITS}+ MNIST test digits`, {
  skip: skipUnless(PKG, MANIFEST, MNIST_TEST),
  timeout: 15 * 60_000,
}, async (t) => {
  const { images, labels } = readJson(MNIST_TEST);
  assert.equal(images.length, labels.length, 'one label per image');
  assert.ok(images.length >= MIN_DIGITS, `the fixture has ${images.length} digits, fewer than ${MIN_DIGITS}`);
  assert.ok(images.every((image) => image.length === 784), 'every image has 28x28 values');

  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    assert.equal(await page.evaluate(() => window.jmvae.model.backend), 'cpu');
    const started = Date.now();
    const results = await page.evaluate(async (images) => {
      const model = window.jmvae.model;
      const out = [];
      for (const image of images) {
        const { label } = await model.generate({ image: Float32Array.from(image) }, { samples: 0, seed: 7 });
        out.push(Array.from(label));
      }
      return out;
    }, images);
    const ms = Date.now() - started;

    let correct = 0;
    results.forEach((probabilities, i) => {
      assert.equal(probabilities.length, 10, 'one probability per digit');
      const sum = probabilities.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-3, `digit ${i}: probabilities sum to ${sum}`);
      const predicted = probabilities.indexOf(Math.max(...probabilities));
      if (predicted === labels[i]) correct++;
    });
    const accuracy = correct / images.length;
    t.diagnostic(`accuracy ${(100 * accuracy).toFixed(1)} % (${correct}/${images.length}), ${(ms / images.length).toFixed(1)} ms a digit`);
    assert.ok(accuracy >= MIN_ACCURACY, `accuracy ${accuracy} < ${MIN_ACCURACY}`);
  } finally {
    await context.close();
  }
});
