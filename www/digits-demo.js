// The digits demo (the first tab): load the MNIST model, then wire three panels to it:
// label -> images (panels/generate.js), drawing -> label (panels/draw.js), and a walk between
// two labels' latents (panels/interpolate.js).

import { showLoaded, startDemo } from './demo.js';
import { checkMnist } from './mnist.js';
import { DIGITS as view } from './page-state.js';
import { showManifest } from './panels/about.js';
import { setupDrawing } from './panels/draw.js';
import { setupGenerate } from './panels/generate.js';
import { setupInterpolation } from './panels/interpolate.js';

/**
 * Load everything, show the first digits (as `link.initial` asks, from a permalink), and
 * resolve to the model once the demo is ready.
 */
export function startDigits(queue, link) {
  return startDemo(view, { title: 'model', manifestOf: (options) => options.model }, async (model, options, step) => {
    window.jmvae.model = model;
    const { labels } = checkMnist(model);
    showLoaded(view, model, options);
    showManifest(model.manifest);

    step('Generating the first digits');
    const refreshGrid = setupGenerate(model, queue, labels, view, link);
    setupDrawing(model, queue, labels, view);
    const refreshInterpolation = setupInterpolation(model, queue, labels, view);
    await refreshGrid();
    await refreshInterpolation();
  });
}
