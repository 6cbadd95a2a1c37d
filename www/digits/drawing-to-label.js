// Panel "Image -> label": a drawing, preprocessed like MNIST, is read by the image encoder; the
// label decoder's probabilities become bars, and the image decoder reconstructs the digit. A
// CVAE has neither an image encoder nor a label decoder: the panel says so, and the model's own
// refusal is shown if one draws anyway.

import { showBars } from '../shared/bars.js';
import { $ } from '../shared/dom.js';
import { act } from '../shared/error-display.js';
import { percent } from '../shared/format.js';
import { blank, drawDigit } from './digit-canvas.js';
import { createPad } from './drawing-pad.js';
import { toMnist } from './drawing-to-28x28.js';

export const CVAE_CANNOT_READ = 'This model is a CVAE: it draws digits from labels, but has no p(label | z) to read a drawing with.';

/** Wire the drawing pad (read after each stroke) and Clear; `cvae`: the model cannot read. */
export function setupDrawing(model, queue, labels, view, { cvae = false } = {}) {
  let drawing = 0; // bumped by Clear, so that a late answer does not redraw a cleared pad
  const pad = createPad($('draw'), () => act(view, 'Reading the drawing', () => queue.latest('draw', read)));

  async function read() {
    const version = drawing;
    const pixels = toMnist(pad.ink(), $('draw').width, $('draw').height);
    if (!pixels) return;
    drawDigit($('input28'), pixels);
    // samples: 0 decodes the posterior mean: the model's best reading, with no noise.
    const out = await model.generate({ image: pixels }, { samples: 0, seed: 0 });
    if (version !== drawing) return;
    drawDigit($('recon'), out.image);
    const best = showBars($('bars'), labels, out.label);
    $('prediction').textContent = `Reads as ${labels[best]} (${percent(out.label[best])}).`;
  }

  const idle = cvae ? CVAE_CANNOT_READ : '';
  $('prediction').textContent = idle;
  $('clear').addEventListener('click', () => {
    drawing++;
    pad.clear();
    blank($('input28'));
    blank($('recon'));
    $('bars').replaceChildren();
    $('prediction').textContent = idle;
  });
}
