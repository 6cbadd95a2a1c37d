// Panel "Label -> images": encode the chosen label, draw 16 latents from q(z | label) with the
// seed in #seed, and decode them into the grid.

import { $ } from '../dom.js';
import { digitCanvas, drawDigit } from '../digits.js';
import { act } from '../error-display.js';
import { percent } from '../format.js';
import { PIXELS } from '../mnist.js';
import { markFirstDigit } from '../page-state.js';
import { nextSeed, readSeed } from '../seed.js';
import { createTimer } from '../timing.js';
import { argmax } from '../vectors.js';

const GRID_SAMPLES = 16;
const FIRST_LABEL = 0; // what the grid shows before anyone clicks

/** Wire the label buttons, the seed and Resample; returns a function that redraws the grid. */
export function setupGenerate(model, queue, labels, view) {
  const grid = $('grid');
  const seedInput = $('seed');
  const cells = Array.from({ length: GRID_SAMPLES }, digitCanvas);
  grid.replaceChildren(...cells);
  const record = createTimer($('timing'));
  let label = FIRST_LABEL;

  async function show() {
    const seed = readSeed(seedInput);
    const started = performance.now();
    const out = await model.generate({ label }, { samples: GRID_SAMPLES, seed });
    record(performance.now() - started);
    cells.forEach((canvas, i) => {
      drawDigit(canvas, out.image, i * PIXELS);
      // The label decoder's reading of each sample: does the image agree with its label?
      const read = argmax(out.label, i * labels.length, labels.length);
      canvas.title = `reads as ${labels[read]} (${percent(out.label[i * labels.length + read])})`;
    });
    grid.dataset.label = String(label);
    grid.dataset.seed = String(seed);
    markFirstDigit();
  }
  const refresh = () => queue.latest('grid', show);
  const refreshShown = () => act(view, 'Generating digits', refresh);

  for (const button of document.querySelectorAll('#labels button[data-label]')) {
    button.addEventListener('click', () => {
      label = Number(button.dataset.label);
      pressOnly(button);
      refreshShown();
    });
  }
  $('resample').addEventListener('click', () => {
    nextSeed(seedInput);
    refreshShown();
  });
  seedInput.addEventListener('change', refreshShown);
  pressOnly(document.querySelector(`#labels button[data-label="${FIRST_LABEL}"]`));
  return refresh;
}

// The label buttons act as one toggle group: only the shown label is pressed.
function pressOnly(pressed) {
  for (const button of document.querySelectorAll('#labels button')) {
    button.setAttribute('aria-pressed', String(button === pressed));
  }
}
