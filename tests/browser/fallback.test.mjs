// (c) CPU fallback: where WebGPU is unavailable, backend 'auto' runs on the CPU, says so (and
// why) in the status line, and still gives the native trainer's outputs within TOLERANCE, at
// the default temperature and at 0.5 (JMVAE_NATIVE_SAMPLES_TEMPERED).

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { MANIFEST, NATIVE_SAMPLES, PKG, createSession, openReadyDemo, skipUnless } from './helpers.mjs';
import { TOLERANCE, compareWithNative, nativeReference, nativeTemperedReference, skipUnlessTempered } from './reference.mjs';

const session = createSession({ webgpu: true }); // WebGPU is on: the page scripts take it away
after(() => session.close());

const skip = skipUnless(PKG, MANIFEST, NATIVE_SAMPLES);
const LABELS = [0, 4, 9]; // a few labels are enough: the CPU path is the same code for each

/** Open the page with `prepare` run before any of its scripts, and check that it fell back. */
async function openFallenBack(t, prepare, reasonPattern) {
  const opened = await openReadyDemo(session, '', { setup: (page) => page.addInitScript(prepare) });
  const model = await opened.page.evaluate(() => ({
    backend: window.jmvae.model.backend,
    fallbackReason: window.jmvae.model.fallbackReason,
  }));
  t.diagnostic(`status: ${opened.status}`);
  assert.equal(model.backend, 'cpu');
  assert.equal(typeof model.fallbackReason, 'string', 'fallbackReason says why auto fell back');
  assert.match(model.fallbackReason, reasonPattern);
  assert.match(opened.status, /CPU/, 'the status line says CPU');
  assert.ok(opened.status.includes(model.fallbackReason), 'the status line gives the reason');
  return opened;
}

test(`no navigator.gpu: auto falls back to the CPU and matches native within ${TOLERANCE}`, { skip, timeout: 10 * 60_000 }, async (t) => {
  const { page, context } = await openFallenBack(
    t,
    () => {
      delete Navigator.prototype.gpu;
    },
    /gpu/i,
  );
  try {
    assert.equal(await page.evaluate(() => 'gpu' in navigator), false, 'the init script removed WebGPU');
    await compareWithNative(page, nativeReference(), LABELS, t);
  } finally {
    await context.close();
  }
});

test('navigator.gpu without an adapter: auto falls back to the CPU', { skip, timeout: 10 * 60_000 }, async (t) => {
  // What a browser with WebGPU but a blocklisted or absent GPU does: requestAdapter() gives null.
  const { page, context } = await openFallenBack(
    t,
    () => {
      GPU.prototype.requestAdapter = async () => null;
    },
    /adapter/i,
  );
  try {
    await compareWithNative(page, nativeReference(), [LABELS[0]], t);
  } finally {
    await context.close();
  }
});

test('?backend=cpu runs on the CPU with no fallback reason', { skip: skipUnless(PKG, MANIFEST), timeout: 10 * 60_000 }, async () => {
  const { page, context, status } = await openReadyDemo(session, '?backend=cpu');
  try {
    const model = await page.evaluate(() => ({ backend: window.jmvae.model.backend, reason: window.jmvae.model.fallbackReason }));
    assert.deepEqual(model, { backend: 'cpu', reason: undefined });
    assert.match(status, /CPU/);
  } finally {
    await context.close();
  }
});

test(`?backend=cpu at temperature 0.5 matches the native trainer within ${TOLERANCE}`, {
  skip: skipUnless(PKG, MANIFEST) || skipUnlessTempered(),
  timeout: 10 * 60_000,
}, async (t) => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    await compareWithNative(page, nativeTemperedReference(), Array.from({ length: 10 }, (_, i) => i), t);
  } finally {
    await context.close();
  }
});
