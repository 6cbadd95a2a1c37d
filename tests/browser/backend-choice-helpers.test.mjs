// The page's backend choice (www/shared/backend-choice.js), in Node with fake adapter infos:
// which wasm build runs first, whether the page moves to WebGPU later, and the reason it gives;
// and the check that gates that move (www/shared/gpu-upgrade.js), with fake models.

import assert from 'node:assert/strict';
import test from 'node:test';

import { describeBackend, planBackend, readAdapter, softwareRenderer } from '../../www/shared/backend-choice.js';
import { checkAgainst } from '../../www/shared/gpu-upgrade.js';

// What headless Chromium's SwiftShader adapter reports (GPUAdapterInfo), and a hardware one.
const SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true };
const NVIDIA = { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3080', isFallbackAdapter: false };
const withAdapter = (info) => ({ present: true, adapter: true, info });

test('software renderers are recognised by name in any field, any case, or by isFallbackAdapter', () => {
  assert.equal(softwareRenderer(SWIFTSHADER), 'SwiftShader');
  assert.equal(softwareRenderer({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }), 'llvmpipe');
  assert.equal(softwareRenderer({ device: 'LAVAPIPE' }), 'lavapipe');
  assert.equal(softwareRenderer({ vendor: 'Google', description: 'SwiftShader Device (Subzero)' }), 'SwiftShader');
  assert.equal(softwareRenderer({ vendor: 'unknown', isFallbackAdapter: true }), "the browser's fallback adapter");
  assert.equal(softwareRenderer(NVIDIA), null);
  assert.equal(softwareRenderer({ vendor: 'apple', architecture: 'metal-3' }), null);
  assert.equal(softwareRenderer({}), null, 'an adapter that says nothing is taken as hardware');
  assert.equal(softwareRenderer(undefined), null);
});

test('?backend=cpu: the CPU build only, with no reason, whatever WebGPU there is', () => {
  for (const gpu of [{}, { present: false }, withAdapter(NVIDIA), withAdapter(SWIFTSHADER)]) {
    assert.deepEqual(planBackend('cpu', gpu), { first: 'cpu', then: null, reason: undefined });
  }
});

test('?backend=webgpu: the WebGPU build, forced even on a software adapter; none at all is an error', () => {
  assert.deepEqual(planBackend('webgpu', withAdapter(SWIFTSHADER)), { first: 'webgpu', then: null, reason: undefined });
  assert.deepEqual(planBackend('webgpu', withAdapter(NVIDIA)), { first: 'webgpu', then: null, reason: undefined });
  assert.throws(() => planBackend('webgpu', { present: false }), /backend=webgpu asks for WebGPU, but this browser has no WebGPU \(navigator\.gpu is missing\)/);
  assert.throws(() => planBackend('webgpu', { present: true, adapter: false }), /requestAdapter\(\) returned null/);
});

test('auto without WebGPU or without an adapter: the CPU, saying why', () => {
  assert.deepEqual(planBackend('auto', { present: false }), {
    first: 'cpu', then: null, reason: 'this browser has no WebGPU (navigator.gpu is missing)',
  });
  assert.match(planBackend('auto', { present: true, adapter: false }).reason, /no adapter \(navigator\.gpu\.requestAdapter\(\) returned null\)/);
  assert.match(planBackend('auto', { present: true, adapter: false, error: 'blocked' }).reason, /requestAdapter\(\) failed: blocked/);
});

test('auto on a software adapter: the CPU, as it is faster; ?gpu=trust-software takes it as hardware', () => {
  assert.deepEqual(planBackend('auto', withAdapter(SWIFTSHADER)), {
    first: 'cpu', then: null, reason: "WebGPU's adapter is a software renderer (SwiftShader), slower here than the CPU backend",
  });
  assert.match(planBackend('auto', withAdapter({ description: 'llvmpipe' })).reason, /software renderer \(llvmpipe\)/);
  assert.deepEqual(planBackend('auto', withAdapter(SWIFTSHADER), { trustSoftware: true }), { first: 'cpu', then: 'webgpu', reason: undefined });
});

test('auto on a hardware adapter: the CPU build first, then WebGPU', () => {
  assert.deepEqual(planBackend('auto', withAdapter(NVIDIA)), { first: 'cpu', then: 'webgpu', reason: undefined });
  assert.throws(() => planBackend('cuda', {}), /backend must be 'auto', 'webgpu' or 'cpu', got 'cuda'/);
});

test('readAdapter reads navigator.gpu (fakes): missing, null, throwing, and GPUAdapterInfo getters', async () => {
  assert.deepEqual(await readAdapter(undefined), { present: false });
  assert.deepEqual(await readAdapter({ requestAdapter: async () => null }), { present: true, adapter: false });
  assert.deepEqual(await readAdapter({ requestAdapter: async () => { throw new Error('blocked'); } }), { present: true, adapter: false, error: 'blocked' });
  const silent = await readAdapter({ requestAdapter: () => new Promise(() => {}) }, { waitMs: 20 });
  assert.deepEqual(silent, { present: true, adapter: false, error: 'no answer within 0.02 s' }, 'a driver that never answers is not waited for');
  assert.match(planBackend('auto', silent).reason, /requestAdapter\(\) failed: no answer within/);
  class Info { get vendor() { return 'nvidia'; } get isFallbackAdapter() { return false; } }
  const read = await readAdapter({ requestAdapter: async () => ({ info: new Info() }) });
  assert.deepEqual(read, { present: true, adapter: true, info: { vendor: 'nvidia', architecture: '', device: '', description: '', isFallbackAdapter: false } });
});

test('the status line names the backend, the reason and where the model runs', () => {
  const options = { backend: 'auto' };
  const reason = planBackend('auto', withAdapter(SWIFTSHADER)).reason;
  assert.equal(describeBackend({ backend: 'cpu', fallbackReason: reason, runsIn: 'worker' }, options),
    "Running on the CPU (WebAssembly): WebGPU's adapter is a software renderer (SwiftShader), slower here than the CPU backend. In a Web Worker.");
  assert.equal(describeBackend({ backend: 'webgpu', runsIn: 'worker' }, options), 'Running on WebGPU (GPU). In a Web Worker.');
  assert.equal(describeBackend({ backend: 'cpu', upgrading: true, runsIn: 'worker' }, options),
    'Running on the CPU (WebAssembly) while WebGPU starts in the background. In a Web Worker.');
  assert.equal(describeBackend({ backend: 'cpu', runsIn: 'main', whyMainThread: 'shared/model-worker.js failed to load (HTTP 404).' }, { backend: 'cpu' }),
    "Running on the CPU (WebAssembly), as ?backend=cpu asks. On the page's main thread, as the model worker could not start: shared/model-worker.js failed to load (HTTP 404).");
  assert.match(describeBackend({ backend: 'cpu', gpuLost: { message: 'Device was destroyed' } }, options), /^The GPU was lost; now running on the CPU \(WebAssembly\)\. \(WebGPU said: Device was destroyed\.\)$/);
});

// A fake model whose decode gives, for every modality, the latent values plus `offset`.
function fakeModel(offset, { nan = false } = {}) {
  return {
    latent: 3,
    modalities: [{ name: 'image' }, { name: 'label' }],
    decode: async (z) => ({ image: z.map((v) => (nan ? NaN : v + offset)), label: z.map((v) => v * 2 + offset) }),
  };
}

test('the move to WebGPU is checked: outputs within 1e-3 of the CPU pass, others are refused by name', async () => {
  await checkAgainst(fakeModel(5e-4), fakeModel(0));
  await assert.rejects(checkAgainst(fakeModel(2e-3), fakeModel(0)), /WebGPU's image differs from the CPU's by 0\.002\d* \(more than 0\.001\)/);
  await assert.rejects(checkAgainst(fakeModel(0, { nan: true }), fakeModel(0)), /image differs from the CPU's by NaN/);
});
