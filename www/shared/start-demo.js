// The start-up both tabs share: read the URL options, choose the backend and load its wasm build
// and the model worker (once for the page), then a tab's model; show the backend, then let the
// tab wire its panels. Where the plan says so (a hardware GPU under ?backend=auto), the model then
// moves to WebGPU in the background, and the status line follows. Every failure is shown in the
// tab, naming the step that failed, and never hangs silently.

import { describeBackend } from './backend-choice.js';
import { showError } from './error-display.js';
import { loadModel, loadRuntime, planText } from './loading.js';
import { readOptions } from './options.js';

/**
 * Start a tab's demo in `view`: `manifestOf(options)` picks the manifest to load; `setup(model,
 * options, step)` checks the model, wires the panels and shows the first outputs, calling
 * `step(name)` as it goes. Resolves to the model once the demo is idle and ready.
 */
export async function startDemo(view, { title, manifestOf }, setup) {
  let current = 'Reading the URL options';
  const step = (name) => { current = name; };
  view.setState('loading');
  try {
    const options = readOptions(location.search);
    step('Loading the WebAssembly package');
    view.setStatus('Loading the WebAssembly package…');
    const runtime = await loadRuntime(options);

    const manifest = manifestOf(options);
    step(`Loading the ${title} ${manifest}`);
    view.setStatus(`Loading the ${title} (on ${planText(runtime)})…`);
    const model = await loadModel(runtime, { manifest }, view, options);
    await setup(model, options, step);
    // 'ready' only once the demo is idle, so that a test's own model calls never overlap its own.
    view.setState('ready');
    // After the first outputs, so that the WebGPU build's download and start never delay them.
    model.upgradeToWebGpu();
    return model;
  } catch (error) {
    showError(view, `${current} failed`, error, { fatal: true });
    throw error;
  }
}

/** Show which backend runs `model` and close the download progress. */
export function showLoaded(view, model, options) {
  view.showBackend(model.backend, describeBackend(model, options));
  view.finishProgress();
}
