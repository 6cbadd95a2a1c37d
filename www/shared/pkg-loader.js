// The two builds of the wasm package in pkg/, beside www/, and starting them, in whichever
// context runs the model (the page or its model worker; this file touches no DOM):
//   'cpu'    pkg/jmvae-cpu.js + jmvae-cpu_bg.wasm: the CPU backend only, a small download;
//   'webgpu' pkg/jmvae.js + jmvae_bg.wasm: WebGPU, with the CPU backend as its fallback.
// The page compiles the build it starts with once (compilePackage) and sends the compiled
// module to its worker, so the wasm is downloaded and compiled once for both; each context
// then instantiates it once (loadPackage). Errors say which file failed and how.

import { messageOf } from './error-messages.js';
import { PKG_URL } from './pkg-location.js';

const FILES = { cpu: 'jmvae-cpu', webgpu: 'jmvae' };

// Relative to this file, not to the page, so the page works from any sub-directory.
const scriptUrl = (name) => new URL(`${file(name)}.js`, PKG_URL);
const wasmUrl = (name) => new URL(`${file(name)}_bg.wasm`, PKG_URL);

function file(name) {
  if (!FILES[name]) throw new Error(`no wasm package called '${name}' (there are: ${Object.keys(FILES).join(', ')})`);
  return FILES[name];
}

const started = new Map();

/**
 * Download and compile pkg/<build>_bg.wasm of build `name` ('cpu' | 'webgpu') into a
 * WebAssembly.Module, which loadPackage takes here and in a worker.
 */
export async function compilePackage(name) {
  checkWebAssembly();
  const url = wasmUrl(name);
  const path = `pkg/${file(name)}_bg.wasm`;
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`${path} could not be fetched: ${messageOf(error)}`);
  }
  if (response.status === 404) throw new Error(`${path} missing (HTTP 404 for ${url.pathname})`);
  if (!response.ok) throw new Error(`${path} could not be fetched: HTTP ${response.status} ${response.statusText}`);
  try {
    // Streaming compiles while downloading; it needs the server to say application/wasm.
    if (/^application\/wasm/i.test(response.headers.get('content-type') ?? '')) return await WebAssembly.compileStreaming(response);
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (error) {
    throw new Error(`${path} could not be started: ${messageOf(error)}`);
  }
}

/**
 * Import pkg/<build>.js of build `name` and start its wasm, once per context, from `module` (a
 * WebAssembly.Module from compilePackage) or else from its URL; resolves to the package
 * (`{ Model, ... }`).
 */
export function loadPackage(name, { module } = {}) {
  if (!started.has(name)) {
    const starting = importPackage(name).then(async (pkg) => {
      await startWasm(pkg, name, module);
      return pkg;
    });
    starting.catch(() => started.delete(name)); // a later call may try again
    started.set(name, starting);
  }
  return started.get(name);
}

async function importPackage(name) {
  const url = scriptUrl(name);
  try {
    return await import(url.href);
  } catch (error) {
    // The import error says little ("Failed to fetch dynamically imported module"): ask the
    // server whether the file is there at all, which is by far the most common problem.
    const status = await httpStatus(url);
    if (status === 404) throw new Error(`pkg/${file(name)}.js missing (HTTP 404 for ${url.pathname})`);
    throw new Error(`pkg/${file(name)}.js could not be loaded: ${messageOf(error)}`);
  }
}

/** The HTTP status a HEAD request for `url` gets (null when the server does not answer): why an
 * import or a worker failed to load says little, and a 404 is by far the most common cause. */
export async function httpStatus(url) {
  try {
    return (await fetch(url, { method: 'HEAD', cache: 'no-store' })).status;
  } catch {
    return null;
  }
}

function checkWebAssembly() {
  if (typeof WebAssembly === 'undefined') {
    throw new Error('this browser does not run WebAssembly, which the demo needs (or it is switched off)');
  }
}

async function startWasm(pkg, name, module) {
  checkWebAssembly();
  try {
    // Without a module, the glue fetches and instantiates the wasm file beside it.
    await pkg.default(module ? { module_or_path: module } : undefined);
  } catch (error) {
    throw new Error(`pkg/${file(name)}_bg.wasm could not be started: ${messageOf(error)}`);
  }
}
