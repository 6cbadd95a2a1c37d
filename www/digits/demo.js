// The digits demo (the first tab): load the MNIST model, then wire three panels to it:
// label -> images (label-to-images.js), drawing -> label (drawing-to-label.js), and a walk
// between two labels' latents (walk-between-labels.js).

import { showManifest } from '../shared/about-weights.js';
import { showLoaded, startDemo } from '../shared/start-demo.js';
import { setupDrawing } from './drawing-to-label.js';
import { setupGenerate } from './label-to-images.js';
import { checkMnist } from './model-check.js';
import { setupInterpolation } from './walk-between-labels.js';

// A CVAE works differently from JMVAE in two panels: say how, where the panels explain themselves.
function describeCvae() {
  document.getElementById('generate-hint').textContent =
    'Pick a digit: this CVAE draws 16 latents from its prior N(0, I) and decodes each beside the label; it has no p(label | z) to read them back.';
  document.getElementById('temperature-hint').textContent = "1 samples the CVAE's prior N(0, I); lower is more typical, less varied.";
  document.getElementById('interp-hint').textContent =
    "A CVAE's label sits beside z, not in it: z stays at the prior's mean and the label moves from one to the other.";
}

/**
 * Load everything, show the first digits (as `link.initial` asks, from a permalink) in `view`
 * (the tab's load box and state), and resolve to the model once the demo is ready.
 */
export function startDigits(queue, link, view) {
  return startDemo(view, { title: 'model', manifestOf: (options) => options.model }, async (model, options, step) => {
    window.jmvae.model = model;
    const { labels, cvae } = checkMnist(model);
    showLoaded(view, model, options);
    if (cvae) describeCvae();
    showManifest(model.manifest);

    step('Generating the first digits');
    const refreshGrid = setupGenerate(model, queue, labels, view, link);
    setupDrawing(model, queue, labels, view, { cvae });
    const refreshInterpolation = setupInterpolation(model, queue, labels, view, { cvae });
    await refreshGrid();
    await refreshInterpolation();
  });
}
