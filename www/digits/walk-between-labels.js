// Panel "Walk between two labels": decode points on the straight line between the latent means
// of q(z | from) and q(z | to); the slider picks the point. A CVAE's labels are not in z but
// beside it, so for a CVAE the walk keeps z at its prior mean and mixes the two labels instead.

import { $ } from '../shared/dom.js';
import { act } from '../shared/error-display.js';
import { mix } from '../shared/vectors.js';
import { drawDigit } from './digit-canvas.js';
import { PIXELS } from './model-check.js';

const DEFAULT_ENDS = [1, 7];

/**
 * Wire the two label selects and the slider; returns a function that redraws the panel.
 * `cvae`: walk in label space (see above).
 */
export function setupInterpolation(model, queue, labels, view, { cvae = false } = {}) {
  const from = $('interp-from');
  const to = $('interp-to');
  const slider = $('interp');
  for (const select of [from, to]) {
    select.replaceChildren(...labels.map((label, i) => new Option(label, String(i))));
  }
  [from.value, to.value] = DEFAULT_ENDS.map(String);

  const means = new Map(); // label -> mean of q(z | label); it never changes, so keep it
  async function meanOf(label) {
    if (!means.has(label)) means.set(label, (await model.encode({ label })).mean);
    return means.get(label);
  }

  // The CVAE's point t: z = 0, the label (1 - t)·from + t·to.
  const oneHot = (label) => Float32Array.from(labels, (_, i) => (i === label ? 1 : 0));
  const cvaeAt = (t) => model.generate({ label: mix(oneHot(Number(from.value)), oneHot(Number(to.value)), t) }, { samples: 0 });

  // Both ends in one decode call: one round trip to the GPU instead of two.
  async function showEnds() {
    if (cvae) {
      const [start, end] = await Promise.all([cvaeAt(0), cvaeAt(1)]);
      drawDigit($('interp-start'), start.image, 0);
      drawDigit($('interp-end'), end.image, 0);
      return;
    }
    const a = await meanOf(Number(from.value));
    const b = await meanOf(Number(to.value));
    const out = await model.decode(Float32Array.from([...a, ...b]));
    drawDigit($('interp-start'), out.image, 0);
    drawDigit($('interp-end'), out.image, PIXELS);
  }
  async function showMix() {
    const t = Number(slider.value) / 100;
    const out = cvae ? await cvaeAt(t) : await model.decode(mix(await meanOf(Number(from.value)), await meanOf(Number(to.value)), t));
    drawDigit($('interp-digit'), out.image);
    $('interp-digit').dataset.t = String(t);
    $('interp-value').textContent = t.toFixed(2);
  }
  const refreshAll = () => Promise.all([queue.latest('ends', showEnds), queue.latest('mix', showMix)]);

  from.addEventListener('change', () => act(view, 'Interpolating', refreshAll));
  to.addEventListener('change', () => act(view, 'Interpolating', refreshAll));
  slider.addEventListener('input', () => act(view, 'Interpolating', () => queue.latest('mix', showMix)));
  return refreshAll;
}
