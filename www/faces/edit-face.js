// Panel "Edit the face": the face's predicted attributes (p > 1/2) become toggles; changing them
// decodes an edited face from
//
//     z = mean q(z | image, edited) + strength × (mean q(z | edited) − mean q(z | original)).
//
// The first term is the paper's joint encoding, which already pulls the face towards the
// attributes it is given (strength 0 shows it alone). The joint encoder mostly trusts the image,
// though, so the second term adds the move between the two attribute-only encodings, the way
// attribute vectors are added in latent space, scaled by the slider (0 to 2, default 1; a
// permalink may set it, and it stays as set from one face to the next).

import { $ } from '../shared/dom.js';
import { act } from '../shared/error-display.js';
import { percent } from '../shared/format.js';
import { formatNumber } from '../shared/permalink.js';
import { createSlider } from '../shared/slider.js';
import { createToggles } from './attribute-toggles.js';
import { binarise, displayName, presentNames } from './attributes.js';
import { drawFace } from './face-image.js';

const DEFAULT_STRENGTH = 1;

/**
 * Wire the edit toggles, the strength slider and Reset; the strength starts as `link.initial`
 * asks and is reported to `link.update`. Returns edit(face) for a face just read.
 */
export function setupFacesEdit(model, queue, view, { labels }, link) {
  const controls = $('edit-controls');
  const result = $('edit-result');
  const toggles = createToggles($('edit-toggles'), labels, { idPrefix: 'edit', onChange: refresh });
  const strength = createSlider($('edit-strength'), $('edit-strength-value'), {
    digits: 1,
    onInput: (value) => {
      link.update({ strength: value });
      refresh();
    },
  });
  strength.set(link.initial.strength ?? DEFAULT_STRENGTH);
  link.update({ strength: strength.get() });
  let face = null; // { pixels, original, originalMean, probabilities }
  let encoded = null; // the encodings of the latest edited attributes, kept while only the strength moves

  // The face as read, its reconstruction from the joint encoding with its own attributes (what
  // an edit that changes nothing gives), and the encoding of its attributes alone.
  async function load(next) {
    const original = binarise(next.probabilities);
    const joint = await model.encode({ image: next.pixels, attributes: original });
    const alone = await model.encode({ attributes: original });
    const out = await model.decode(joint.mean);
    drawFace($('edit-original'), next.pixels);
    drawFace($('edit-recon'), out.image);
    face = { ...next, original, originalMean: alone.mean };
    encoded = null;
    toggles.set(original);
    controls.disabled = false;
    $('face-edit').dataset.loaded = String(Number($('face-edit').dataset.loaded ?? 0) + 1);
  }

  async function render() {
    if (!face) return;
    const edited = toggles.get();
    const s = strength.get();
    const key = edited.join('');
    if (encoded?.key !== key) {
      const joint = await model.encode({ image: face.pixels, attributes: edited });
      const alone = await model.encode({ attributes: edited });
      encoded = { key, joint: joint.mean, alone: alone.mean };
    }
    const z = encoded.joint.map((v, i) => v + s * (encoded.alone[i] - face.originalMean[i]));
    const out = await model.decode(z);
    drawFace(result, out.image);
    result.dataset.attributes = presentNames(labels, edited).join(',');
    result.dataset.strength = formatNumber(s);
    $('edit-summary').textContent = summary(edited, out.attributes);
  }

  // "Added Eyeglasses (now read at 91%); removed Smiling (8%)." from the toggles that changed.
  function summary(edited, probabilities) {
    const changes = labels.flatMap((label, i) => {
      if (edited[i] === face.original[i]) return [];
      const verb = edited[i] ? 'added' : 'removed';
      return [`${verb} ${displayName(label)} (${percent(probabilities[i])})`];
    });
    if (changes.length === 0) return 'No attribute changed: the edited face is the joint reconstruction.';
    const text = changes.join('; ');
    return `${text[0].toUpperCase()}${text.slice(1)}. In brackets: the attribute as the model reads the edited latent.`;
  }

  function refresh() {
    return act(view, 'Editing the face', () => queue.latest('face-edit', render));
  }

  $('edit-reset').addEventListener('click', () => {
    if (!face) return;
    toggles.set(face.original);
    strength.set(DEFAULT_STRENGTH);
    link.update({ strength: DEFAULT_STRENGTH });
    refresh();
  });

  /** Start editing a face just read: `{ pixels, probabilities }`. */
  return async function edit(next) {
    await queue.latest('face-edit-load', () => load(next));
    await refresh();
  };
}
