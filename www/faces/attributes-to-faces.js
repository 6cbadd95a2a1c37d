// Panel "Attributes -> faces": the toggled attributes are encoded, 16 latents z = μ + τ·σ·ε are
// drawn from q(z | attributes) with the seed and the temperature τ, and decoded into the grid
// by p(x | z). The same call reads the faces back (each face encoded, its attributes decoded),
// and a line under the grid says how many of the 16 carry each attribute asked for. Presets set
// every toggle at once; Random draws each attribute with its training frequency, from the seed.
// A face of the grid can be picked, to read its attributes and edit it.

import { setupCopyLink } from '../shared/copy-link.js';
import { $, element } from '../shared/dom.js';
import { act } from '../shared/error-display.js';
import { percent } from '../shared/format.js';
import { checkAttributeNames, formatNumber } from '../shared/permalink.js';
import { nextSeed, readSeed } from '../shared/seed.js';
import { createTemperature } from '../shared/temperature-slider.js';
import { createTimer, markFirstShown } from '../shared/timing.js';
import { PRESETS, presetVector, randomAttributes } from './attribute-presets.js';
import { createToggles } from './attribute-toggles.js';
import { displayName, presentNames } from './attributes.js';
import { drawFace, faceAt, faceCanvas } from './face-image.js';
import { FACE_VALUES } from './model-check.js';

const GRID_SAMPLES = 16;

/**
 * Wire the presets, the toggles, the seed, Resample and the temperature; `onPick(pixels,
 * source)` receives a face of the grid that the visitor picks; `link` holds the state a
 * permalink asked for (`initial`) and takes the state shown (`update`). Returns a function
 * that redraws the grid.
 */
export function setupFacesGenerate(model, queue, view, { labels, frequencies }, onPick, link) {
  const grid = $('face-grid');
  const seedInput = $('face-seed');
  const timed = createTimer($('faces-timing'));
  const toggles = createToggles($('face-toggles'), labels, { idPrefix: 'want', onChange: changed });
  const { initial } = link;
  const temperature = createTemperature($('face-temperature'), $('face-temperature-value'), model, initial.temperature, () => refreshShown());
  if (initial.seed !== undefined) seedInput.value = String(initial.seed);
  setupCopyLink($('faces-copy-link'), $('faces-link-field'), $('faces-copy-status'));
  const presets = PRESETS.map((preset) => ({ ...preset, vector: presetVector(labels, preset.present) }));
  let shown = null; // the grid's faces, for picking

  const cells = Array.from({ length: GRID_SAMPLES }, (_, i) => {
    const canvas = faceCanvas();
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'face-cell';
    button.setAttribute('aria-label', `Face ${i + 1}: read and edit it`);
    button.append(canvas);
    button.addEventListener('click', () => {
      if (shown) onPick(faceAt(shown, i), `face ${i + 1} of the grid (seed ${grid.dataset.seed})`);
    });
    return button;
  });
  grid.replaceChildren(...cells);

  async function show() {
    const attributes = toggles.get();
    const seed = readSeed(seedInput);
    const tau = temperature.get();
    const out = await timed(() => model.generate({ attributes }, { samples: GRID_SAMPLES, seed, temperature: tau, readBack: true }));
    cells.forEach((cell, i) => drawFace(cell.firstChild, out.image, i * FACE_VALUES));
    shown = out.image;
    const present = presentNames(labels, attributes);
    showCarried(labels, present, out.readBack?.attributes);
    grid.dataset.seed = String(seed);
    grid.dataset.attributes = present.join(',');
    grid.dataset.temperature = formatNumber(tau);
    link.update({ attributes: present, seed, temperature: tau });
    markFirstShown('firstFaceMs');
  }

  const refresh = () => queue.latest('face-grid', show);
  const refreshShown = () => act(view, 'Generating faces', refresh);
  // The preset that the toggles match, if any, shows as pressed.
  function markPresets() {
    const now = toggles.get();
    for (const button of $('face-presets').querySelectorAll('button[data-preset]')) {
      const preset = presets.find((p) => p.name === button.dataset.preset);
      button.setAttribute('aria-pressed', String(preset.vector.every((v, i) => v === now[i])));
    }
  }
  function changed() {
    markPresets();
    refreshShown();
  }
  function setAll(vector) {
    toggles.set(vector);
    changed();
  }

  $('face-presets').replaceChildren(...presetButtons(presets, labels.length, frequencies, seedInput, setAll));

  $('face-resample').addEventListener('click', () => {
    nextSeed(seedInput);
    refreshShown();
  });
  seedInput.addEventListener('change', refreshShown);

  toggles.set(presets[0].vector);
  if (initial.attributes) {
    // Names the model has are used; unknown ones are named in the note. A link whose names are
    // all unknown is ignored as a whole (the first preset), not read as "no attributes".
    const { present, unknown } = checkAttributeNames(initial.attributes, labels);
    if (unknown.length) link.ignore('attributes', unknown.join(','), unknown.length > 1 ? 'no such attributes' : 'no such attribute');
    if (present.length > 0 || unknown.length === 0) toggles.set(presetVector(labels, present));
  }
  markPresets();
  return refresh;
}

// "86% of the attributes asked for are read back from the faces (151 of 176): Smiling 16/16 ·
// Young 15/16 · ...": how many of the 16 faces carry each attribute asked for (the model's
// reading of the face above 1/2), and over all of them.
function showCarried(labels, present, read) {
  const line = $('faces-coherence');
  line.hidden = !read; // a pkg/ built before readBack existed has no reading to show
  if (!read) return;
  if (present.length === 0) {
    line.replaceChildren('No attribute asked for: nothing to read back.');
    line.dataset.carried = '0';
    line.dataset.asked = '0';
    return;
  }
  const n = labels.length;
  let carried = 0;
  const items = present.map((name) => {
    const j = labels.indexOf(name);
    let count = 0;
    for (let i = 0; i < GRID_SAMPLES; i++) if (read[i * n + j] > 0.5) count++;
    carried += count;
    const item = element('span', `${displayName(name)} ${count}/${GRID_SAMPLES}`, count * 2 < GRID_SAMPLES ? 'carried weak' : 'carried');
    item.dataset.attribute = name;
    item.dataset.count = String(count);
    return item;
  });
  const asked = present.length * GRID_SAMPLES;
  line.dataset.carried = String(carried);
  line.dataset.asked = String(asked);
  line.replaceChildren(
    element('strong', `${percent(carried / asked)} of the attributes asked for`, 'overall'),
    ` are read back from the faces (${carried} of ${asked}): `,
    ...items.flatMap((item, i) => (i ? [' · ', item] : [item])),
    '.',
  );
}

/** The preset buttons, Random (from the training frequencies and the next seed) and Clear. */
function presetButtons(presets, count, frequencies, seedInput, setAll) {
  const buttons = presets.map((preset) => {
    const button = element('button', preset.name);
    button.type = 'button';
    button.dataset.preset = preset.name;
    button.addEventListener('click', () => setAll(preset.vector));
    return button;
  });
  const random = element('button', 'Random');
  random.type = 'button';
  random.id = 'face-random';
  random.title = frequencies
    ? 'Each attribute present as often as in the training faces, drawn with the next seed'
    : 'Each attribute present with probability 1/2, drawn with the next seed';
  random.addEventListener('click', () => setAll(randomAttributes(count, frequencies, nextSeed(seedInput))));
  const clear = element('button', 'Clear');
  clear.type = 'button';
  clear.id = 'face-clear';
  clear.addEventListener('click', () => setAll(new Float32Array(count)));
  return [...buttons, random, clear];
}
