// The WebGPU fallback choice, made by the page before any wasm is loaded, so that a page that
// will run on the CPU downloads only the small CPU build (pkg/jmvae-cpu.js) and never the
// WebGPU one (pkg/jmvae.js). ?backend=auto|webgpu|cpu asks (options.js reads it):
//   cpu    the CPU build only;
//   webgpu the WebGPU build, forced, even on a software adapter (an error where there is none);
//   auto   no WebGPU or no adapter: the CPU, saying why; a software adapter (SwiftShader,
//          llvmpipe, lavapipe, or one the browser calls a fallback adapter) is slower than the
//          CPU backend, so the CPU, saying so; a hardware adapter: the CPU build draws the first
//          results (it is ready first), then the WebGPU build is loaded in the background,
//          checked against the CPU and switched to (gpu-upgrade.js); if that fails the page
//          stays on the CPU and says why.
// ?gpu=trust-software treats a software adapter as hardware; it exists for testing the
// hardware path where only SwiftShader is available (headless Chromium), not for readers.
// This file also says which backend runs and why, also once a model has moved to the CPU because
// its GPU was lost (gpu-loss.js). planBackend and softwareRenderer are pure, tested in Node.

// Software rasterisers that WebGPU adapters are built on, as they name themselves.
const SOFTWARE_RENDERERS = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
];
const INFO_FIELDS = ['vendor', 'architecture', 'device', 'description'];

/**
 * The name of the software renderer behind an adapter, from its `info` (GPUAdapterInfo:
 * vendor, architecture, device, description, isFallbackAdapter), or null for a hardware one.
 */
export function softwareRenderer(info = {}) {
  const text = INFO_FIELDS.map((field) => String(info[field] ?? '')).join(' ');
  const named = SOFTWARE_RENDERERS.find(([pattern]) => pattern.test(text));
  if (named) return named[1];
  return info.isFallbackAdapter ? "the browser's fallback adapter" : null;
}

/**
 * The plan for `requested` ('auto' | 'webgpu' | 'cpu') given what the page saw of WebGPU (`gpu`,
 * from readAdapter): `{ first, then, reason }`, where `first` is the build that runs the model
 * ('cpu' | 'webgpu'), `then` the one to switch to in the background ('webgpu' or null) and
 * `reason` why 'auto' runs on the CPU. ?backend=webgpu without WebGPU throws, saying why.
 */
export function planBackend(requested, gpu = {}, { trustSoftware = false } = {}) {
  if (requested === 'cpu') return { first: 'cpu', then: null, reason: undefined };
  const missing = whyNoWebGpu(gpu);
  if (requested === 'webgpu') {
    if (missing) throw new Error(`?backend=webgpu asks for WebGPU, but ${missing}`);
    return { first: 'webgpu', then: null, reason: undefined };
  }
  if (requested !== 'auto') throw new Error(`backend must be 'auto', 'webgpu' or 'cpu', got '${requested}'`);
  if (missing) return { first: 'cpu', then: null, reason: missing };
  const software = softwareRenderer(gpu.info);
  if (software && !trustSoftware) {
    return { first: 'cpu', then: null, reason: `WebGPU's adapter is a software renderer (${software}), slower here than the CPU backend` };
  }
  return { first: 'cpu', then: 'webgpu', reason: undefined };
}

// Why the page cannot use WebGPU at all, or null.
function whyNoWebGpu({ present, adapter, error }) {
  if (!present) return 'this browser has no WebGPU (navigator.gpu is missing)';
  if (error) return `WebGPU gave no adapter (navigator.gpu.requestAdapter() failed: ${error})`;
  if (!adapter) return 'WebGPU gave no adapter (navigator.gpu.requestAdapter() returned null)';
  return null;
}

// A broken driver can leave requestAdapter() unanswered: the page must not wait forever.
const ADAPTER_WAIT_MS = 5000;

/**
 * What this context sees of WebGPU, for planBackend: `{ present, adapter, info, error }`, `info`
 * holding the adapter's vendor, architecture, device, description and isFallbackAdapter.
 */
export async function readAdapter(gpu = globalThis.navigator?.gpu, { waitMs = ADAPTER_WAIT_MS } = {}) {
  if (!gpu) return { present: false };
  let adapter;
  let timer;
  try {
    const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${waitMs / 1000} s`)), waitMs)));
    adapter = await Promise.race([gpu.requestAdapter(), late]);
  } catch (error) {
    return { present: true, adapter: false, error: error?.message ?? String(error) };
  } finally {
    clearTimeout(timer);
  }
  if (!adapter) return { present: true, adapter: false };
  // GPUAdapterInfo's fields are getters on its prototype: copied one by one into a plain object.
  const source = adapter.info ?? {};
  const info = Object.fromEntries(INFO_FIELDS.map((field) => [field, source[field] ?? '']));
  info.isFallbackAdapter = Boolean(source.isFallbackAdapter ?? adapter.isFallbackAdapter);
  return { present: true, adapter: true, info };
}

/** Where the model runs, and why there when it is not on WebGPU. */
export function describeBackend(model, options) {
  return `${backendText(model, options)}${contextText(model)}`;
}

function backendText(model, options) {
  if (model.gpuLost) return gpuLostText(model.gpuLost);
  if (model.backend === 'webgpu') return 'Running on WebGPU (GPU).';
  const cpu = 'Running on the CPU (WebAssembly)';
  if (model.upgrading) return `${cpu} while WebGPU starts in the background.`;
  if (model.fallbackReason) return `${cpu}: ${model.fallbackReason.replace(/\.$/, '')}.`;
  if (options.backend === 'cpu') return `${cpu}, as ?backend=cpu asks.`;
  return `${cpu}.`;
}

// Where the model's code runs: a worker, or the page itself when no worker could start.
function contextText(model) {
  if (model.runsIn === 'worker') return ' In a Web Worker.';
  if (model.runsIn === 'main') return ` On the page's main thread, as the model worker could not start: ${String(model.whyMainThread).replace(/\.$/, '')}.`;
  return '';
}

/** The status line once a model has moved to the CPU because its GPU was lost. */
export function gpuLostText(info) {
  const said = info?.message ? ` (WebGPU said: ${info.message.replace(/\.?$/, '.')})` : '';
  return `The GPU was lost; now running on the CPU (WebAssembly).${said}`;
}
