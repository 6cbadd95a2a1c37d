// Loading the WebAssembly package from pkg/, beside www/ (once, for both demos) and a tab's model
// (fetch-model.js), with errors that say which file failed and how.

import { messageOf } from './error-messages.js';
import { fetchModel } from './fetch-model.js';

// Relative to this file, not to the page, so the page works from any sub-directory.
const PACKAGE_URL = new URL('../../pkg/jmvae.js', import.meta.url);
const SLOW_LOAD_MS = 30_000;

let loadingPackage = null;

/** Import pkg/jmvae.js and instantiate the wasm module beside it, once for the whole page. */
export function loadPackage() {
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
  try {
    await pkg.default(); // fetches and instantiates pkg/jmvae_bg.wasm beside jmvae.js
  } catch (error) {
    throw new Error(`pkg/jmvae_bg.wasm could not be started: ${messageOf(error)}`);
  }
}

/**
 * The manifest at `manifest` (a URL relative to the page) and its weights, on `backend`; the
 * view shows the download's progress.
 */
export async function loadModel(pkg, { manifest, backend }, view) {
  const slow = setTimeout(() => {
    view.setStatus(`Still loading after ${SLOW_LOAD_MS / 1000} s… if it stays stuck, try ?backend=cpu.`);
  }, SLOW_LOAD_MS);
  try {
    return await fetchModel(pkg.Model, manifest, { backend, onProgress: view.showProgress });
  } finally {
    clearTimeout(slow);
  }
}
