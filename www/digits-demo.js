// The digits demo (the first tab): load the MNIST model, then wire three panels to it:
// label -> images (panels/generate.js), drawing -> label (panels/draw.js), and a walk between
// two labels' latents (panels/interpolate.js).

import { showError } from './error-display.js';
import { describeBackend, loadModel, loadPackage } from './loading.js';
import { checkMnist } from './mnist.js';
import { readOptions } from './options.js';
import { DIGITS as view } from './page-state.js';
import { showManifest } from './panels/about.js';
import { setupDrawing } from './panels/draw.js';
import { setupGenerate } from './panels/generate.js';
import { setupInterpolation } from './panels/interpolate.js';

/** Load everything, show the first digits, and resolve to the model once the demo is ready. */
export async function startDigits(queue) {
  let step = 'Reading the URL options';
  view.setState('loading');
  try {
    const options = readOptions(location.search);
    step = 'Loading the WebAssembly package';
    view.setStatus('Loading the WebAssembly package…');
    const pkg = await loadPackage();

    step = `Loading the model ${options.model}`;
    view.setStatus(`Loading the model (${options.backend === 'auto' ? 'WebGPU if available' : options.backend})…`);
    const model = await loadModel(pkg, { manifest: options.model, backend: options.backend }, view);
    window.jmvae.model = model;
    const { labels } = checkMnist(model);
    view.showBackend(model.backend, describeBackend(model, options));
    view.finishProgress();
    showManifest(model.manifest);

    step = 'Generating the first digits';
    const refreshGrid = setupGenerate(model, queue, labels, view);
    setupDrawing(model, queue, labels, view);
    const refreshInterpolation = setupInterpolation(model, queue, labels, view);
    await refreshGrid();
    await refreshInterpolation();
    // 'ready' only once the demo is idle, so that a test's own model calls never overlap its own.
    view.setState('ready');
    return model;
  } catch (error) {
    showError(view, `${step} failed`, error, { fatal: true });
    throw error;
  }
}
