// panel="walk": decode points on the straight line between the latent means of q(z | from) and
// q(z | to), the two givens (`given` and `to`); the slider picks the point. A CVAE's condition
// is not in z but beside it, so for a CVAE the walk keeps z at its prior mean and mixes the two
// conditions instead.

import { make, slider } from '../controls.js';
import { InputError } from '../given.js';
import { mix } from '../../shared/vectors.js';
import { drawImage, imageCanvas, imageShape } from '../pixels.js';
import { figure } from './read.js';
import { describeValue, startValue } from './sources.js';

export function walkPanel(ctx) {
  const { roles, options, body } = ctx;
  const { image } = ctx;
  const { others } = roles;
  const named = others.filter((m) => m.name in options.given || m.name in options.to);
  const source = named[0] ?? others[0];
  if (!image || !source) throw new InputError('panel="walk" needs an image modality and another to walk between (this model has none)');
  let from = startValue(source, options.given);
  let to = source.name in options.to ? options.to[source.name] : otherEnd(source, from);
  let t = 0.5;
  const ends = [imageCanvas(image, 'The start'), imageCanvas(image, 'The end')];
  const middle = imageCanvas(image, 'The point between them');
  const view = make('div', { className: 'walk' });
  view.append(figure(ends[0], 'from'), figure(middle, 'between'), figure(ends[1], 'to'));
  if (options.controls === 'full' && source.kind === 'categorical') body.append(selects());
  body.append(view);
  if (options.controls !== 'none') body.append(slider('Mix', { min: 0, max: 1, step: 0.01, value: t }, (next) => { t = next; ctx.draw(renderMix, 'walk-mix'); }).node);

  const oneHot = (index) => Float32Array.from(source.labels, (_, i) => (i === index ? 1 : 0));
  const asVector = (value) => (typeof value === 'number' ? oneHot(value) : value);
  const cvae = Boolean(source.condition);
  const cvaeAt = (s) => ctx.model.generate({ [source.name]: mix(asVector(from), asVector(to), s) }, { samples: 0, seed: 0 });
  let means = null;

  async function renderEnds() {
    const size = imageShape(image).values;
    if (cvae) {
      const [a, b] = [await cvaeAt(0), await cvaeAt(1)];
      drawImage(ends[0], image, a[image.name]);
      drawImage(ends[1], image, b[image.name]);
    } else {
      const a = (await ctx.model.encode({ [source.name]: from })).mean;
      const b = (await ctx.model.encode({ [source.name]: to })).mean;
      means = [a, b];
      const out = await ctx.model.decode(Float32Array.from([...a, ...b]));
      drawImage(ends[0], image, out[image.name].subarray(0, size));
      drawImage(ends[1], image, out[image.name].subarray(size));
    }
    await renderMix();
  }

  async function renderMix() {
    const out = cvae ? await cvaeAt(t) : await ctx.model.decode(mix(means[0], means[1], t));
    drawImage(middle, image, out[image.name]);
    ctx.say(`${Math.round(100 * (1 - t))}% ${describeValue(source, from)}, ${Math.round(100 * t)}% ${describeValue(source, to)}.`);
    ctx.result({ panel: 'walk', from: { [source.name]: from }, to: { [source.name]: to }, t, outputs: out });
  }

  function selects() {
    const row = make('div', { className: 'row' });
    for (const [name, get, set] of [['From', () => from, (v) => { from = v; }], ['To', () => to, (v) => { to = v; }]]) {
      const label = make('label', { text: `${name} ` });
      const select = document.createElement('select');
      select.setAttribute('part', 'select');
      select.append(...source.labels.map((l, i) => new Option(l, String(i), false, i === get())));
      select.addEventListener('change', () => { set(Number(select.value)); ctx.draw(renderEnds, 'walk'); });
      label.append(select);
      row.append(label);
    }
    return row;
  }
  return { refresh: () => ctx.draw(renderEnds, 'walk') };
}

// The far end when the figure names none: the next class, or the first attribute toggled.
function otherEnd(modality, from) {
  if (modality.kind === 'categorical') return (from + 1) % modality.labels.length;
  return Float32Array.from(from, (v, i) => (i === 0 ? 1 - v : v));
}
