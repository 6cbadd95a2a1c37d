// ?backend=auto's hardware path: the first digits come from the small CPU build, then the page
// loads the WebGPU build in the background, checks its outputs against the CPU's and switches
// to it, saying so; if the check fails it stays on the CPU and says why. Headless Chromium here
// has only SwiftShader, which 'auto' would leave alone as a software renderer, so these tests
// use the documented test hook ?gpu=trust-software (options.js), which takes it as hardware;
// everything else is the path a real GPU takes.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { MANIFEST, NATIVE_SAMPLES, PKG, PKG_CPU, afterResult, createSession, inPanel, hasWebGpuAdapter, openReadyDemo, skipUnless } from './helpers.mjs';
import { compareWithNative, nativeReference } from './reference.mjs';

const session = createSession({ webgpu: true });
after(() => session.close());

const skip = skipUnless(PKG, PKG_CPU, MANIFEST, NATIVE_SAMPLES);
const TIMEOUT = 15 * 60_000;
const SWITCH_MS = 5 * 60_000; // the WebGPU build's download, start and first shaders on SwiftShader

/** The status line once it names a backend other than 'cpu', or says that WebGPU failed. */
function settled(page) {
  return page.waitForFunction(() => {
    const status = document.querySelector('#status');
    return status.dataset.backend === 'webgpu' || /WebGPU was tried and failed/.test(status.textContent);
  }, null, { timeout: SWITCH_MS });
}

const statusOf = (page) => page.evaluate(() => document.querySelector('#status').textContent);

test('auto on a (trusted) GPU: the first digits on the CPU, then the page switches to WebGPU', { skip, timeout: TIMEOUT }, async (t) => {
  const { page, context, status } = await openReadyDemo(session, '?gpu=trust-software');
  try {
    if (!(await hasWebGpuAdapter(page))) {
      t.skip('this browser gives no WebGPU adapter');
      return;
    }
    t.diagnostic(`when ready: ${status}`);
    const first = await page.evaluate(() => ({ ms: Number(document.body.dataset.firstResultMs), backend: document.getElementById('status').dataset.backend }));
    assert.equal(first.backend, 'cpu', 'the first digits come from the CPU build');
    t.diagnostic(`first digit at ${first.ms} ms, on the CPU`);
    await settled(page);
    const switched = await statusOf(page);
    t.diagnostic(`then: ${switched}`);
    assert.match(switched, /^Running on WebGPU \(GPU\)\. In a Web Worker\.$/);
    const model = await page.evaluate(() => ({ backend: window.jmvae.model.backend, reason: window.jmvae.model.fallbackReason, upgrading: window.jmvae.model.upgrading }));
    assert.deepEqual(model, { backend: 'webgpu', reason: undefined, upgrading: false });
    // The same model object, now on WebGPU, still gives the native trainer's digits.
    await compareWithNative(page, nativeReference(), [3], t);
    await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-index="8"]')), { timeout: 120_000 });
  } finally {
    await context.close();
  }
});

test('auto on a (trusted) GPU whose WebGPU build fails: the page stays on the CPU and says why', { skip, timeout: TIMEOUT }, async (t) => {
  const notFound = (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
  const { page, context } = await openReadyDemo(session, '?gpu=trust-software', { setup: (page) => page.route('**/pkg/jmvae_bg.wasm', notFound) });
  try {
    if (!(await hasWebGpuAdapter(page))) {
      t.skip('this browser gives no WebGPU adapter');
      return;
    }
    await settled(page);
    const status = await statusOf(page);
    t.diagnostic(status);
    assert.match(status, /^Running on the CPU \(WebAssembly\): WebGPU was tried and failed \(.*jmvae_bg\.wasm.*\)\. In a Web Worker\.$/);
    assert.equal(await page.evaluate(() => window.jmvae.model.backend), 'cpu');
    assert.equal(await page.evaluate(() => document.getElementById('error').hidden), true, 'no error box: the page works on');
    await compareWithNative(page, nativeReference(), [3], t);
  } finally {
    await context.close();
  }
});
