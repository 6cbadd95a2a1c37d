// Loading the WebAssembly package from ../pkg/ and the model's weights, with errors that say
// which file failed and how.

import { messageOf } from './error-messages.js';
import { setStatus, showProgress } from './page-state.js';

// Relative to this file, not to the page, so the page works from any sub-directory.
const PACKAGE_URL = new URL('../pkg/jmvae.js', import.meta.url);
const SLOW_LOAD_MS = 30_000;

/** Import pkg/jmvae.js and instantiate the wasm module beside it. */
export async function loadPackage() {
  const pkg = await importPackage();
  await startWasm(pkg);
  return pkg;
}

async function importPackage() {
  try {
    return await import(PACKAGE_URL.href);
  } catch (error) {
    // The import error says little ("Failed to fetch dynamically imported module"): ask the
    // server whether the file is there at all, which is by far the most common problem.
    const status = await httpStatus(PACKAGE_URL);
    if (status === 404) throw new Error(`pkg/jmvae.js missing (HTTP 404 for ${PACKAGE_URL.pathname})`);
    throw new Error(`pkg/jmvae.js could not be loaded: ${messageOf(error)}`);
  }
}

async function httpStatus(url) {
  try {
    return (await fetch(url, { method: 'HEAD', cache: 'no-store' })).status;
  } catch {
    return null;
  }
}

async function startWasm(pkg) {
  try {
    await pkg.default(); // fetches and instantiates pkg/jmvae_bg.wasm beside jmvae.js
  } catch (error) {
    throw new Error(`pkg/jmvae_bg.wasm could not be started: ${messageOf(error)}`);
  }
}

/** The manifest and weights named by the page's options, on the backend they ask for. */
export async function loadModel(pkg, options) {
  // An absolute URL, so that the weights beside the manifest resolve however the package
  // joins paths, and error messages name exactly what was fetched.
  const url = new URL(options.model, document.baseURI).href;
  const slow = setTimeout(() => {
    setStatus(`Still loading after ${SLOW_LOAD_MS / 1000} s… if it stays stuck, try ?backend=cpu.`);
  }, SLOW_LOAD_MS);
  try {
    return await pkg.Model.load(url, { backend: options.backend, onProgress: showProgress });
  } finally {
    clearTimeout(slow);
  }
}

/** Where the model runs, and why there when it fell back to the CPU. */
export function describeBackend(model, options) {
  if (model.backend === 'webgpu') return 'Running on WebGPU (GPU).';
  const cpu = 'Running on the CPU (WebAssembly)';
  if (model.fallbackReason) return `${cpu}, as WebGPU is unavailable: ${model.fallbackReason}.`;
  if (options.backend === 'cpu') return `${cpu}, as ?backend=cpu asks.`;
  return `${cpu}.`;
}
