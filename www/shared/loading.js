// Loading the WebAssembly package from pkg/, beside www/ (once, for both demos) and a tab's model
// (fetch-model.js), with errors that say which file failed and how. A model on WebGPU moves to
// the CPU by itself if the GPU is lost (gpu-loss.js), and the tab's status line says so.

import { gpuLostText } from './backend-choice.js';
import { messageOf } from './error-messages.js';
import { fetchModelFiles } from './fetch-model.js';
import { buildModel, watchGpuDevices } from './gpu-loss.js';

// Relative to this file, not to the page, so the page works from any sub-directory.
const PACKAGE_URL = new URL('../../pkg/jmvae.js', import.meta.url);
const SLOW_LOAD_MS = 30_000;

let loadingPackage = null;

/** Import pkg/jmvae.js and instantiate the wasm module beside it, once for the whole page. */
export function loadPackage() {
  watchGpuDevices(); // before the wasm creates any GPU device
  loadingPackage ??= importPackage().then(async (pkg) => {
    await startWasm(pkg);
    return pkg;
  });
  return loadingPackage;
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
  if (typeof WebAssembly === 'undefined') {
    throw new Error('this browser does not run WebAssembly, which the demo needs (or it is switched off)');
  }
  try {
    await pkg.default(); // fetches and instantiates pkg/jmvae_bg.wasm beside jmvae.js
  } catch (error) {
    throw new Error(`pkg/jmvae_bg.wasm could not be started: ${messageOf(error)}`);
  }
}

/**
 * The manifest at `manifest` (a URL relative to the page) and its weights, on `backend`; the
 * view shows the download's progress, and later, if the GPU is lost, the move to the CPU.
 */
export async function loadModel(pkg, { manifest, backend }, view) {
  const slow = setTimeout(() => {
    view.setStatus(`Still loading after ${SLOW_LOAD_MS / 1000} s… if it stays stuck, try ?backend=cpu.`);
  }, SLOW_LOAD_MS);
  try {
    const files = await fetchModelFiles(pkg.Model, manifest, { onProgress: view.showProgress });
    view.showWeightsSource(files.source, files.cacheNote);
    return await buildModel(pkg.Model, files, {
      backend,
      onLost: () => view.showBackend('cpu', 'The GPU was lost; moving to the CPU…'),
      onRecovered: (model, info) => view.showBackend(model.backend, gpuLostText(info)),
    });
  } finally {
    clearTimeout(slow);
  }
}
