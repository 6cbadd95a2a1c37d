// Loading, as the page does it: the runtime once for both demos (the backend chosen, its wasm
// build compiled, the model worker started: worker-client.js), then a tab's model, its download's
// progress and every later change of backend (the move to WebGPU, a lost GPU) shown in the tab's
// status line.

import { describeBackend } from './backend-choice.js';
import { openModel, startRuntime } from './worker-client.js';

const SLOW_LOAD_MS = 30_000;

let runtime = null;

/** Choose the backend, load its wasm build and start the model worker, once for the page. */
export function loadRuntime(options) {
  runtime ??= startRuntime({ backend: options.backend, trustSoftware: options.gpu === 'trust-software' });
  return runtime;
}

/**
 * The manifest at `manifest` (a URL relative to the page) and its weights, on the runtime; the
 * view shows the download's progress, and later each change of backend.
 */
export async function loadModel(started, { manifest }, view, options) {
  const slow = setTimeout(() => {
    view.setStatus(`Still loading after ${SLOW_LOAD_MS / 1000} s… if it stays stuck, try ?backend=cpu.`);
  }, SLOW_LOAD_MS);
  try {
    return await openModel(started, manifest, {
      onProgress: view.showProgress,
      onFiles: (files) => view.showWeightsSource(files.source, files.cacheNote),
      onChange: (model, { type }) => {
        if (type === 'lost') view.showBackend('cpu', 'The GPU was lost; moving to the CPU…');
        else view.showBackend(model.backend, describeBackend(model, options));
      },
    });
  } finally {
    clearTimeout(slow);
  }
}

/** What the plan will run on, for the status line while a model loads. */
export function planText({ plan }) {
  if (plan.first === 'webgpu') return 'WebGPU';
  return plan.then === 'webgpu' ? 'the CPU first, then WebGPU' : 'the CPU';
}
