// (a) The WebGPU path: with ?backend=webgpu (forced: 'auto' prefers the CPU on this machine's
// software adapter, backend-choice.js) and a WebGPU adapter present, the model runs on WebGPU,
// in the model worker, and generate({label}, {samples: 16, seed: 7}) for every label 0..9 matches the
// native trainer element-wise within TOLERANCE (1e-3); and so does the same at temperature 0.5
// (z = μ + 0.5·σ·ε), against `jmvae sample --temperature 0.5` (JMVAE_NATIVE_SAMPLES_TEMPERED).
//
// Headless Chromium's adapter here is SwiftShader (a software GPU, ~1-2 GFLOP/s): 10 calls each.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { MANIFEST, NATIVE_SAMPLES, PKG, createSession, hasWebGpuAdapter, openDemo, skipUnless } from './helpers.mjs';
import { TOLERANCE, compareWithNative, nativeReference, nativeTemperedReference, skipUnlessTempered } from './reference.mjs';

const session = createSession({ webgpu: true });
after(() => session.close());

test(`WebGPU: labels 0..9, 16 samples, seed 7 match the native trainer within ${TOLERANCE}`, {
  skip: skipUnless(PKG, MANIFEST, NATIVE_SAMPLES),
  timeout: 20 * 60_000,
}, async (t) => {
  const { page, context, state, error, status } = await openDemo(session, '?backend=webgpu');
  try {
    if (!(await hasWebGpuAdapter(page))) {
      t.skip('this browser gives no WebGPU adapter (navigator.gpu.requestAdapter() is null)');
      return;
    }
    assert.equal(state, 'ready', `the page failed: ${error}`);
    const { backend, fallbackReason, runsIn } = await page.evaluate(() => ({
      backend: window.jmvae.model.backend,
      fallbackReason: window.jmvae.model.fallbackReason,
      runsIn: window.jmvae.model.runsIn,
    }));
    assert.equal(backend, 'webgpu', `?backend=webgpu ran on ${backend}: ${fallbackReason}`);
    assert.equal(runsIn, 'worker', 'WebGPU runs in the model worker too');
    assert.match(status, /WebGPU/, 'the status line names the backend');
    const firstDigit = await page.evaluate(() => document.body.dataset.firstResultMs);
    t.diagnostic(`first digit drawn ${firstDigit} ms after navigation start (SwiftShader)`);

    const reference = nativeReference();
    const labels = Array.from({ length: 10 }, (_, i) => i);
    await compareWithNative(page, reference, labels, t);
  } finally {
    await context.close();
  }
});

test(`WebGPU: labels 0..9 at temperature 0.5 match the native trainer within ${TOLERANCE}`, {
  skip: skipUnless(PKG, MANIFEST) || skipUnlessTempered(),
  timeout: 20 * 60_000,
}, async (t) => {
  const { page, context, state, error } = await openDemo(session, '?backend=webgpu');
  try {
    if (!(await hasWebGpuAdapter(page))) {
      t.skip('this browser gives no WebGPU adapter (navigator.gpu.requestAdapter() is null)');
      return;
    }
    assert.equal(state, 'ready', `the page failed: ${error}`);
    assert.equal(await page.evaluate(() => window.jmvae.model.backend), 'webgpu');
    const labels = Array.from({ length: 10 }, (_, i) => i);
    await compareWithNative(page, nativeTemperedReference(), labels, t);
  } finally {
    await context.close();
  }
});
