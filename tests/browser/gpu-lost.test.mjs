// The GPU lost mid-session (GPUDevice.destroy(), here on SwiftShader, with ?backend=webgpu since
// 'auto' prefers the CPU on a software adapter): the page notices (the device's `lost` promise,
// watched by www/shared/gpu-loss.js in whichever context runs the model: its worker, or the
// page itself where no worker starts), rebuilds the model on the CPU
// backend from the bytes it already downloaded, runs the request that failed again there, and
// says so in the status line; no error box, no trapped wasm, and the outputs are still the
// native trainer's. A call in flight when the device goes is answered, not rejected.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { canvasPixels, looksLikeAFace } from './faces-helpers.mjs';
import {
  FACES_MANIFEST, MANIFEST, NATIVE_SAMPLES, PKG, afterResult, canvasInk, createSession, hasWebGpuAdapter, inPanel, looksLikeADigit, openDemo,
  pageState, skipUnless,
} from './helpers.mjs';
import { compareWithNative, nativeReference } from './reference.mjs';

const session = createSession({ webgpu: true });
after(() => session.close());

const TIMEOUT = 15 * 60_000;
const LOST = /The GPU was lost; now running on the CPU/;

// Runs before the page's scripts: note every GPU device the page itself creates (where the
// model runs on the main thread), so that the test can destroy them (the page wraps
// requestDevice too, for itself; both wrappers see each device). The model worker's devices
// are its own: it lists them in self.jmvae.gpuDevices() (www/shared/model-worker.js).
function noteDevices() {
  window.testDevices = [];
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    window.testDevices.push(device);
    return device;
  };
}

/** Destroy every GPU device of the page and of its workers: the GPU is "lost". */
async function destroyGpuDevices(page) {
  await page.evaluate(() => {
    for (const device of window.testDevices) device.destroy();
  });
  for (const worker of page.workers()) {
    await worker.evaluate(() => {
      for (const device of self.jmvae?.gpuDevices?.() ?? []) device.destroy();
    });
  }
}

/** Open `query` on WebGPU with the devices noted; null (and the test skipped) without an adapter. */
async function openOnGpu(t, query) {
  const opened = await openDemo(session, query, { setup: (page) => page.addInitScript(noteDevices) });
  if (!(await hasWebGpuAdapter(opened.page))) {
    await opened.context.close();
    t.skip('this browser gives no WebGPU adapter');
    return null;
  }
  assert.equal(opened.state, 'ready', `the page failed: ${opened.error}\n${opened.logs.join('\n')}`);
  assert.match(opened.status, /WebGPU/, 'it starts on the GPU');
  return opened;
}

const consoleProblems = (logs) => logs.filter((line) => /^pageerror:|panicked|RuntimeError|unreachable/.test(line));

test('digits: the GPU lost mid-call and mid-session, the page moves to the CPU and says so', {
  skip: skipUnless(PKG, MANIFEST, NATIVE_SAMPLES),
  timeout: TIMEOUT,
}, async (t) => {
  const opened = await openOnGpu(t, '?backend=webgpu');
  if (!opened) return;
  const { page, context, logs } = opened;
  try {
    assert.equal(await page.evaluate(() => window.jmvae.model.backend), 'webgpu');
    // A call in flight when the device is destroyed: answered on the CPU, not rejected.
    await page.evaluate(() => {
      const call = window.jmvae.run(() => window.jmvae.model.generate({ label: 2 }, { samples: 4, seed: 1, readBack: true }));
      window.inFlight = call.then(
        (out) => ({ ok: true, values: out.image.length, readBack: out.readBack.label.length }),
        (error) => ({ ok: false, message: String(error?.message ?? error) }),
      );
    });
    await new Promise((done) => setTimeout(done, 20));
    await destroyGpuDevices(page);
    const inFlight = await page.evaluate(() => window.inFlight);
    assert.deepEqual(inFlight, { ok: true, values: 4 * 784, readBack: 4 * 10 }, 'the call in flight is run again on the CPU');

    await page.waitForFunction(() => document.querySelector('#status').dataset.backend === 'cpu'
      && /now running on the CPU/.test(document.querySelector('#status').textContent), null, { timeout: 120_000 });
    const state = await pageState(page);
    t.diagnostic(`status: ${state.status}`);
    assert.match(state.status, LOST);
    assert.match(state.status, /destroyed/i, 'with what WebGPU said');
    assert.equal(state.state, 'ready');
    assert.equal(state.error, '', 'no error box: the request was answered');
    assert.equal(await page.evaluate(() => window.jmvae.model.backend), 'cpu');

    // The page keeps working: a click draws digits, the drawing and the walk still answer.
    await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-index="5"]')));
    assert.ok((await canvasInk(page, inPanel('generate', '.grid canvas'))).every(looksLikeADigit), 'the grid draws digits');
    assert.equal((await pageState(page)).error, '');
    // And they are still the native trainer's digits (now computed by the CPU backend).
    await compareWithNative(page, nativeReference(), [0], t);
    assert.deepEqual(consoleProblems(logs), [], 'no panic, no trapped wasm');
  } finally {
    await context.close();
  }
});

test('faces: the GPU lost between calls, the next click runs on the CPU and the status says so', {
  skip: skipUnless(PKG, FACES_MANIFEST),
  timeout: TIMEOUT,
}, async (t) => {
  const opened = await openOnGpu(t, '?panel=faces&backend=webgpu');
  if (!opened) return;
  const { page, context, logs } = opened;
  try {
    await destroyGpuDevices(page);
    await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-preset="Blond"]')));
    await page.waitForFunction(() => /now running on the CPU/.test(document.querySelector('#status').textContent), null, { timeout: 120_000 });
    const state = await pageState(page);
    t.diagnostic(`status: ${state.status}`);
    assert.match(state.status, LOST);
    assert.equal(state.error, '');
    assert.equal(await page.evaluate(() => window.jmvae.faces.model.backend), 'cpu');
    assert.ok((await canvasPixels(page, inPanel('generate', '.grid canvas'))).every(looksLikeAFace), 'the grid draws faces');
    assert.deepEqual(consoleProblems(logs), [], 'no panic, no trapped wasm');
  } finally {
    await context.close();
  }
});
