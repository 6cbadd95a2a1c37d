// Panel "Attributes -> faces": the toggled attributes are encoded, 16 latents are drawn from
// q(z | attributes) with the seed, and decoded into the grid by p(x | z). Presets set every
// toggle at once; Random draws each attribute with its training frequency, from the seed.
// A face of the grid can be picked, to read its attributes and edit it.

import { createToggles } from '../attribute-toggles.js';
import { $, element } from '../dom.js';
import { act } from '../error-display.js';
import { drawFace, faceAt, faceCanvas } from '../face-image.js';
import { FACE_VALUES, PRESETS, presentNames, presetVector, randomAttributes } from '../faces.js';
import { markFirstFace } from '../page-state.js';
import { nextSeed, readSeed } from '../seed.js';
import { createTimer } from '../timing.js';

const GRID_SAMPLES = 16;

/**
 * Wire the presets, the toggles, the seed and Resample; `onPick(pixels, source)` receives a
 * face of the grid that the visitor picks. Returns a function that redraws the grid.
 */
export function setupFacesGenerate(model, queue, view, { labels, frequencies }, onPick) {
  const grid = $('face-grid');
  const seedInput = $('face-seed');
  const record = createTimer($('faces-timing'));
  const toggles = createToggles($('face-toggles'), labels, { idPrefix: 'want', onChange: changed });
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
    const started = performance.now();
    const out = await model.generate({ attributes }, { samples: GRID_SAMPLES, seed });
    record(performance.now() - started);
    cells.forEach((cell, i) => drawFace(cell.firstChild, out.image, i * FACE_VALUES));
    shown = out.image;
    grid.dataset.seed = String(seed);
    grid.dataset.attributes = presentNames(labels, attributes).join(',');
    markFirstFace();
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

  const presetButtons = presets.map((preset) => {
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
  random.addEventListener('click', () => setAll(randomAttributes(labels.length, frequencies, nextSeed(seedInput))));
  const clear = element('button', 'Clear');
  clear.type = 'button';
  clear.id = 'face-clear';
  clear.addEventListener('click', () => setAll(new Float32Array(labels.length)));
  $('face-presets').replaceChildren(...presetButtons, random, clear);

  $('face-resample').addEventListener('click', () => {
    nextSeed(seedInput);
    refreshShown();
  });
  seedInput.addEventListener('change', refreshShown);

  toggles.set(presets[0].vector);
  markPresets();
  return refresh;
}
