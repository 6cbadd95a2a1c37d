// The faces demo on WebGPU: with ?backend=webgpu (forced: 'auto' prefers the CPU on this
// machine's software adapter) and a WebGPU adapter present, the faces tab runs on WebGPU, says so, draws its first grid, and generate({attributes}) for the
// two attribute sets of the native reference (16 samples, seed 7) matches the native trainer
// element-wise within TOLERANCE (1e-3).
//
// Headless Chromium's adapter here is SwiftShader (a software GPU, ~1-2 GFLOP/s; a grid of 16
// faces is about 0.3 GFLOP), so this test keeps to a few generations: the page's first grid and
// examples, and the two reference calls.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { TOLERANCE, canvasPixels, compareFacesWithNative, looksLikeAFace, nativeFacesReference } from './faces-helpers.mjs';
import { FACES_MANIFEST, NATIVE_FACES, PKG, createSession, hasWebGpuAdapter, inPanel, openDemo, skipUnless } from './helpers.mjs';

const session = createSession({ webgpu: true });
after(() => session.close());

test(`WebGPU: the faces tab runs on WebGPU and matches the native trainer within ${TOLERANCE}`, {
  skip: skipUnless(PKG, FACES_MANIFEST, NATIVE_FACES),
  timeout: 20 * 60_000,
}, async (t) => {
  const { page, context, state, error, status } = await openDemo(session, '?panel=faces&backend=webgpu');
  try {
    if (!(await hasWebGpuAdapter(page))) {
      t.skip('this browser gives no WebGPU adapter (navigator.gpu.requestAdapter() is null)');
      return;
    }
    assert.equal(state, 'ready', `the faces demo failed: ${error}`);
    const { backend, fallbackReason } = await page.evaluate(() => ({
      backend: window.jmvae.faces.model.backend,
      fallbackReason: window.jmvae.faces.model.fallbackReason,
    }));
    assert.equal(backend, 'webgpu', `?backend=webgpu ran on ${backend}: ${fallbackReason}`);
    assert.match(status, /WebGPU/, 'the status line names the backend');
    t.diagnostic(`first faces drawn ${await page.evaluate(() => document.body.dataset.firstResultMs)} ms after navigation start (SwiftShader)`);
    assert.ok((await canvasPixels(page, inPanel('generate', '.grid canvas'))).every(looksLikeAFace), 'the first grid is drawn');

    await compareFacesWithNative(page, nativeFacesReference(), t);
  } finally {
    await context.close();
  }
});
