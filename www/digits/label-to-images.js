// Panel "Label -> images": encode the chosen label, draw 16 latents z = μ + τ·σ·ε from
// q(z | label) with the seed in #seed and the temperature τ of the slider, and decode them into
// the grid. The same call reads each digit back (the model encodes the image it drew and
// decodes a label from it): digits read as another label are outlined, with that label in a
// corner, and a line under the grid counts those read as asked.

import { setupCopyLink } from '../shared/copy-link.js';
import { $, element } from '../shared/dom.js';
import { act } from '../shared/error-display.js';
import { percent } from '../shared/format.js';
import { formatNumber } from '../shared/permalink.js';
import { nextSeed, readSeed } from '../shared/seed.js';
import { createTemperature } from '../shared/temperature-slider.js';
import { createTimer, markFirstShown } from '../shared/timing.js';
import { argmax } from '../shared/vectors.js';
import { digitCanvas, drawDigit } from './digit-canvas.js';
import { PIXELS } from './model-check.js';

const GRID_SAMPLES = 16;
const FIRST_LABEL = 0; // what the grid shows before anyone clicks

/**
 * Wire the label buttons, the seed, Resample and the temperature; `link` holds the state a
 * permalink asked for (`initial`) and takes the state shown (`update`). Returns a function that
 * redraws the grid.
 */
export function setupGenerate(model, queue, labels, view, link) {
  const grid = $('grid');
  const seedInput = $('seed');
  const cells = Array.from({ length: GRID_SAMPLES }, (_, i) => digitCell(i));
  grid.replaceChildren(...cells.map((cell) => cell.node));
  const timed = createTimer($('timing'));
  const { initial } = link;
  const temperature = createTemperature($('temperature'), $('temperature-value'), model, initial.temperature, () => refreshShown());
  let label = initial.label ?? FIRST_LABEL;
  if (initial.seed !== undefined) seedInput.value = String(initial.seed);
  setupCopyLink($('copy-link'), $('link-field'), $('copy-status'));

  async function show() {
    const seed = readSeed(seedInput);
    const tau = temperature.get();
    const out = await timed(() => model.generate({ label }, { samples: GRID_SAMPLES, seed, temperature: tau, readBack: true }));
    cells.forEach((cell, i) => drawDigit(cell.canvas, out.image, i * PIXELS));
    showReadBack(out.readBack?.label);
    grid.dataset.label = String(label);
    grid.dataset.seed = String(seed);
    grid.dataset.temperature = formatNumber(tau);
    link.update({ label, seed, temperature: tau });
    markFirstShown('firstDigitMs');
  }

  // Each digit as the model reads it back: marked when that is another label; the count below.
  function showReadBack(read) {
    const line = $('coherence');
    if (!read) {
      // A pkg/ built before readBack existed: no reading to show.
      cells.forEach((cell) => cell.mark(null));
      line.hidden = true;
      return;
    }
    const n = labels.length;
    let agree = 0;
    cells.forEach((cell, i) => {
      const best = argmax(read, i * n, n);
      if (best === label) agree++;
      cell.mark({ as: labels[best], p: read[i * n + best], other: best !== label });
    });
    line.dataset.agree = String(agree);
    line.dataset.label = String(label);
    line.replaceChildren(
      element('strong', `${agree} of ${GRID_SAMPLES}`),
      ` read back as ${labels[label]}`,
      element('span', agree < GRID_SAMPLES ? ' (outlined: read as another digit)' : '', 'hint'),
    );
    line.hidden = false;
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
  pressOnly(document.querySelector(`#labels button[data-label="${label}"]`));
  return refresh;
}

// One digit of the grid: its canvas, and a corner badge for a digit read as another label.
function digitCell(i) {
  const node = element('div', '', 'digit-cell');
  node.setAttribute('role', 'img');
  const canvas = digitCanvas();
  const badge = element('span', '', 'read-badge');
  badge.setAttribute('aria-hidden', 'true'); // the cell's label says it
  node.append(canvas, badge);
  const name = `Digit ${i + 1} of ${GRID_SAMPLES}`;
  node.setAttribute('aria-label', name);
  return {
    node,
    canvas,
    /** `{ as, p, other }`: read back as label `as` with probability `p`, another label than asked. */
    mark(read) {
      node.classList.toggle('misread', Boolean(read?.other));
      badge.textContent = read?.other ? read.as : '';
      node.dataset.readAs = read ? read.as : '';
      const said = read ? `read back as ${read.as} (${percent(read.p)})` : '';
      node.title = said;
      node.setAttribute('aria-label', said ? `${name}, ${said}` : name);
    },
  };
}

// The label buttons act as one toggle group: only the shown label is pressed.
function pressOnly(pressed) {
  for (const button of document.querySelectorAll('#labels button')) {
    button.setAttribute('aria-pressed', String(button === pressed));
  }
}
