// Panel "Face -> attributes": a photo (chosen, or dropped on the panel) or a face the model made
// is encoded by q(z | image); the mean is decoded into the 40 attribute probabilities p(w | z)
// and the reconstruction p(x | z). The photo never leaves the browser (face-photo.js).

import { $, element } from '../shared/dom.js';
import { act } from '../shared/error-display.js';
import { showAttributeBars } from './attribute-bars.js';
import { PRESETS, presetVector } from './attribute-presets.js';
import { drawFace, faceCanvas } from './face-image.js';
import { readPhoto } from './face-photo.js';

// The "pick a face" examples: one face per preset, always the same (a fixed seed).
const EXAMPLE_SEED = 1;

/**
 * Wire the file input, the drop zone and the examples. Each face read is handed to
 * `onRead({ pixels, probabilities, source })`. Returns { pick(pixels, source), showExamples() }.
 */
export function setupFacesUpload(model, queue, view, { labels }, onRead) {
  const panel = $('face-read');
  const input = $('face-file');
  const zone = $('face-drop');

  // One face at a time: a newer choice replaces one still waiting for the model.
  async function read(pixels, source) {
    // samples: 0 decodes the posterior mean of q(z | image): the model's best reading, no noise.
    const out = await model.generate({ image: pixels }, { samples: 0, seed: 0 });
    drawFace($('face-input'), pixels);
    drawFace($('face-recon'), out.image);
    showAttributeBars($('face-bars'), labels, out.attributes);
    $('face-source').textContent = source;
    panel.dataset.read = String(Number(panel.dataset.read ?? 0) + 1);
    return { pixels, probabilities: out.attributes, source };
  }

  /** Read a face (3x64x64 values in [0, 1]) described by `source`, then hand it on. */
  function pick(pixels, source) {
    return act(view, 'Reading the face', async () => {
      const face = await queue.latest('face-read', () => read(pixels, source));
      panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      await onRead(face);
    });
  }

  function readFile(file) {
    if (!file) return undefined;
    return act(view, 'Reading the photo', async () => {
      const photo = await readPhoto(file);
      const grey = photo.greyscale ? ' A greyscale photo: its grey was given to all three colour channels.' : '';
      const source = `"${file.name}", ${photo.width}×${photo.height} pixels, centre cropped and scaled to 64×64.${grey}`;
      const face = await queue.latest('face-read', () => read(photo.pixels, source));
      panel.dataset.greyscale = String(photo.greyscale);
      await onRead(face);
    });
  }

  input.addEventListener('change', () => {
    readFile(input.files[0]);
    input.value = ''; // choosing the same file again still reads it
  });
  acceptDrops(panel, zone, readFile);

  /** Generate the examples (one face per preset) and make each a button that picks it. */
  async function showExamples() {
    const buttons = [];
    for (const preset of PRESETS) {
      const attributes = presetVector(labels, preset.present);
      const out = await queue.run(() => model.generate({ attributes }, { samples: 1, seed: EXAMPLE_SEED }));
      const canvas = faceCanvas();
      drawFace(canvas, out.image);
      const button = element('button', '');
      button.type = 'button';
      button.className = 'face-cell';
      button.dataset.example = preset.name;
      button.setAttribute('aria-label', `Example face (${preset.name})`);
      button.title = preset.name;
      button.append(canvas);
      button.addEventListener('click', () => pick(out.image, `A face the model generated for "${preset.name}" (seed ${EXAMPLE_SEED}).`));
      buttons.push(button);
    }
    $('face-examples').replaceChildren(...buttons);
  }

  return { pick, showExamples };
}

/** Dropping a photo anywhere on `panel` reads it (`zone` says where); elsewhere, refused. */
function acceptDrops(panel, zone, readFile) {
  // Dropping works on the whole panel; the zone says where.
  panel.addEventListener('dragover', (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dragging');
  });
  panel.addEventListener('dragleave', (event) => {
    if (!panel.contains(event.relatedTarget)) zone.classList.remove('dragging');
  });
  panel.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    readFile(event.dataTransfer.files[0]);
  });
  // A photo dropped a little beside the panel would make the browser leave the page to show
  // it; refuse drops there instead.
  for (const kind of ['dragover', 'drop']) {
    document.addEventListener(kind, (event) => {
      if (panel.contains(event.target) || !event.dataTransfer?.types.includes('Files')) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'none';
    });
  }
}
