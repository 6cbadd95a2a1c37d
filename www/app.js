// The JMVAE browser demo: load the WebAssembly package and the weights, then wire three panels
// to the model: label -> images (panels/generate.js), drawing -> label (panels/draw.js), and a
// walk between two labels' latents (panels/interpolate.js).
//
// Plain ES modules, no framework, no build step. The page is served from the repository root
// (node scripts/serve.mjs) because the wasm package lives in ../pkg/, beside www/. Every URL
// is relative, so the page also works from a sub-directory or inside an iframe.
//
// For tests and the curious: `window.jmvae = { model, ready, run }`, and <body> carries
// data-state="loading|ready|error" and data-first-digit-ms (ms from navigation start to the
// first digit drawn). The helpers live in modules of their own, which Node can import and test.

import { reportUncaughtErrors, showError } from './error-display.js';
import { rememberPanics } from './error-messages.js';
import { describeBackend, loadModel, loadPackage } from './loading.js';
import { checkMnist } from './mnist.js';
import { readOptions } from './options.js';
import { finishProgress, setState, setStatus, showBackend } from './page-state.js';
import { showManifest } from './panels/about.js';
import { setupDrawing } from './panels/draw.js';
import { setupGenerate } from './panels/generate.js';
import { setupInterpolation } from './panels/interpolate.js';
import { createQueue } from './queue.js';

/** Load everything, show the first digits, and resolve to the model once the page is ready. */
async function start(queue) {
  let step = 'Reading the URL options';
  try {
    const options = readOptions(location.search);
    step = 'Loading the WebAssembly package';
    setStatus('Loading the WebAssembly package…');
    const pkg = await loadPackage();

    step = `Loading the model ${options.model}`;
    setStatus(`Loading the model (${options.backend === 'auto' ? 'WebGPU if available' : options.backend})…`);
    const model = await loadModel(pkg, options);
    window.jmvae.model = model;
    const { labels } = checkMnist(model);
    showBackend(model.backend, describeBackend(model, options));
    finishProgress();
    showManifest(model.manifest);

    step = 'Generating the first digits';
    const refreshGrid = setupGenerate(model, queue, labels);
    setupDrawing(model, queue, labels);
    const refreshInterpolation = setupInterpolation(model, queue, labels);
    await refreshGrid();
    await refreshInterpolation();
    // 'ready' only once the page is idle, so that a test's own model calls never overlap its own.
    setState('ready');
    return model;
  } catch (error) {
    showError(`${step} failed`, error, { fatal: true });
    throw error;
  }
}

function main() {
  rememberPanics();
  reportUncaughtErrors();
  // window.jmvae.run queues a caller's own model calls behind the page's, so that none overlap.
  const queue = createQueue();
  window.jmvae = { model: null, ready: null, run: queue.run };
  window.jmvae.ready = start(queue);
  window.jmvae.ready.catch(() => {}); // already shown in #error; not an "unhandled" rejection
}

main();
