// The page's pure helpers, each imported from the module of www/ that it belongs to (none of
// them touches the DOM): URL options, byte counts, the call queue, error messages, and the
// MNIST-style preprocessing of drawings.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import test from 'node:test';

import { messageOf, panicMessage } from '../../www/shared/error-messages.js';
import { formatBytes, progressText } from '../../www/shared/format.js';
import { centreOfMass, inkBounds, toMnist } from '../../www/digits/drawing-to-28x28.js';
import { createQueue } from '../../www/shared/queue.js';
import { argmax, mix } from '../../www/shared/vectors.js';
import { MNIST_TEST } from './helpers.mjs';

test('byte counts read like "1.2 MB / 3.4 MB"', () => {
  assert.equal(formatBytes(12), '12 B');
  assert.equal(formatBytes(1234), '1.2 kB');
  assert.equal(progressText(1_200_000, 3_400_000), '1.2 MB / 3.4 MB');
  assert.equal(progressText(1_200_000, 0), '1.2 MB', 'an unknown total is not shown as 0 B');
  assert.equal(progressText(5n, 10n), '5 B / 10 B', 'a u64 may arrive as a BigInt');
});

test('argmax, mix and messageOf', () => {
  assert.equal(argmax([0.1, 0.7, 0.2]), 1);
  assert.equal(argmax([9, 0, 1, 5, 2], 2, 3), 1, 'within the slice [1, 5, 2]');
  assert.deepEqual(Array.from(mix([0, 2], [4, 6], 0.25)), [1, 3]);
  assert.equal(messageOf(new Error('boom')), 'boom');
  assert.equal(messageOf('plain'), 'plain');
  assert.equal(messageOf({ code: 3 }), '{"code":3}');
});

test('a Rust panic logged by console_error_panic_hook gives its message', () => {
  const logged = 'panicked at src/wasm.rs:42:17:\nwgpu error: invalid shader\n - While validating\n\nStack:\n\nError\n    at f';
  assert.equal(panicMessage(logged), 'wgpu error: invalid shader\n - While validating');
  assert.equal(panicMessage('some other error'), null);
});

test('the queue runs jobs one at a time, in order, past failures', async () => {
  const queue = createQueue();
  const events = [];
  const job = (name, ms, fail = false) => async () => {
    events.push(`start ${name}`);
    await new Promise((done) => setTimeout(done, ms));
    events.push(`end ${name}`);
    if (fail) throw new Error(name);
    return name;
  };
  const results = await Promise.allSettled([queue.run(job('a', 20)), queue.run(job('b', 1, true)), queue.run(job('c', 1))]);
  assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
});

test('the queue keeps only the latest waiting job of a key', async () => {
  const queue = createQueue();
  const ran = [];
  const blocker = queue.run(() => new Promise((done) => setTimeout(done, 10)));
  const first = queue.latest('slider', async () => ran.push(1) && 1);
  const second = queue.latest('slider', async () => ran.push(2) && 2);
  await blocker;
  assert.equal(await first, await second, 'both callers get the latest answer');
  assert.deepEqual(ran, [2], 'the replaced job never ran');
  await queue.latest('slider', async () => ran.push(3));
  assert.deepEqual(ran, [2, 3], 'once it ran, a new job of the key is queued again');
});

// A 280x280 drawing with a filled rectangle of ink.
function drawing(x0, y0, w, h, width = 280) {
  const ink = new Float32Array(width * width);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) ink[y * width + x] = 1;
  return ink;
}

test('a drawing is scaled into the 20x20 box and centred by its centre of mass', () => {
  // A tall bar in a corner: 20 px wide, 200 px tall -> 2 x 20 after scaling.
  const pixels = toMnist(drawing(10, 30, 20, 200), 280, 280);
  assert.equal(pixels.length, 784);
  assert.ok(pixels.every((v) => v >= 0 && v <= 1), 'values stay in [0, 1]');
  const box = inkBounds(pixels, 28, 28);
  assert.deepEqual({ w: box.w, h: box.h }, { w: 2, h: 20 });
  const centre = centreOfMass(pixels, 28, 28);
  // MNIST's centre is pixel (14, 14): 14.5 where pixel i spans [i, i+1).
  assert.ok(Math.abs(centre.x - 14.5) <= 0.5 && Math.abs(centre.y - 14.5) <= 0.5, JSON.stringify(centre));
  assert.ok(Math.abs(pixels.reduce((a, b) => a + b, 0) - 40) < 1e-3, 'the area average keeps the ink');
});

test('a small drawing is enlarged to the box, an empty one gives null', () => {
  const box = inkBounds(toMnist(drawing(100, 100, 10, 10), 280, 280), 28, 28);
  assert.deepEqual({ w: box.w, h: box.h }, { w: 20, h: 20 });
  assert.equal(toMnist(new Float32Array(280 * 280), 280, 280), null);
});

test('real MNIST digits, drawn 10x larger, come back through toMnist as they were', {
  skip: existsSync(MNIST_TEST) ? false : 'tests/browser/fixtures/mnist-test-100.json is missing',
}, () => {
  // MNIST is already scaled into 20x20 and centred by mass, so the same steps must keep it.
  const { images } = JSON.parse(readFileSync(MNIST_TEST, 'utf8'));
  for (const [n, image] of images.entries()) {
    const big = new Float32Array(280 * 280);
    for (let i = 0; i < big.length; i++) big[i] = image[Math.floor(i / 2800) * 28 + Math.floor((i % 280) / 10)];
    const back = toMnist(big, 280, 280);
    const meanDiff = back.reduce((sum, v, i) => sum + Math.abs(v - image[i]), 0) / 784;
    assert.ok(meanDiff < 0.01, `digit ${n}: mean |difference| ${meanDiff}`);
  }
});
