// panel="read": an image in (drawn, chosen, or one the model made), every other modality out:
// q(z | image) -> p(w | z) as probability bars (a class, attributes), each other image modality
// as the image it decodes to (a digit in, its clothing item out), and the image's
// reconstruction p(image | z), all from the posterior mean (no noise: the model's best reading).

import { bars, imageInput, make } from '../controls.js';
import { InputError } from '../given.js';
import { displayName } from '../../faces/attributes.js';
import { percent } from '../../shared/format.js';
import { argmax } from '../../shared/vectors.js';
import { drawImage, imageCanvas } from '../pixels.js';
import { conditionsOf, exampleImage } from './example.js';

export function readPanel(ctx) {
  const { roles, options, body } = ctx;
  const { image } = ctx;
  const { others } = roles;
  const otherImages = roles.images.filter((m) => m.name !== image.name);
  if (!image || others.length + otherImages.length === 0) throw new InputError('panel="read" needs an image modality and another to read (this model has none)');
  const conditions = conditionsOf(ctx.modalities);
  if (conditions.length) throw new InputError(`panel="read": this model is a CVAE; it is given \`${conditions.join('`, `')}\` and cannot read it from an image (its panels: generate, walk)`);
  const input = imageCanvas(image, 'The image the model reads');
  const recon = imageCanvas(image, 'Its reconstruction');
  const outputs = make('div', { className: 'outputs' });
  const images = make('div', { className: 'pair' });
  images.append(figure(input, otherImages.length ? `${image.name} in` : 'input'), figure(recon, 'reconstruction'));
  const side = make('div', { className: 'side' });
  side.append(images, outputs);
  const layout = make('div', { className: 'split' });
  if (options.controls !== 'none') layout.append(imageInput(image, (pixels) => ctx.draw(() => render(pixels), 'read'), ctx.fail).node);
  layout.append(side);
  body.append(layout);

  async function render(pixels) {
    const given = { [image.name]: pixels ?? (await exampleImage(ctx, image, others)) };
    const out = await ctx.model.generate(given, { samples: 0, seed: 0 });
    drawImage(input, image, given[image.name]);
    drawImage(recon, image, out[image.name]);
    outputs.replaceChildren(
      ...others.map((m) => bars(m.labels, out[m.name], { sorted: m.kind !== 'categorical', limit: m.kind === 'categorical' ? m.labels.length : 8 })),
      ...otherImages.map((m) => decoded(m, out[m.name])),
    );
    ctx.say(reading(others, out) + otherImages.map((m) => ` The ${m.name} drawn from it is shown.`).join(''));
    ctx.result({ panel: 'read', given, outputs: out });
  }
  return { refresh: () => ctx.draw(() => render(null), 'read'), useImage: (pixels) => ctx.draw(() => render(pixels), 'read') };
}

// Another image modality, as the reading decodes it.
function decoded(modality, values) {
  const canvas = imageCanvas(modality, `The ${modality.name} the model draws from this image`);
  drawImage(canvas, modality, values);
  return figure(canvas, modality.name);
}

// "Read as 3, 97%." / "Reads Smiling 91%, Male 88%, Young 80%.": what the live region says.
function reading(others, out) {
  if (!others.length) return '';
  return others.map((m) => {
    const p = out[m.name];
    if (m.kind === 'categorical') {
      const best = argmax(p);
      return `${m.name} read as ${m.labels[best]}, ${percent(p[best])}`;
    }
    const top = m.labels.map((label, i) => [label, p[i]]).sort((a, b) => b[1] - a[1]).slice(0, 3);
    return `${m.name} read as ${top.map(([label, q]) => `${displayName(label)} ${percent(q)}`).join(', ')}`;
  }).join('; ') + '.';
}

/** A canvas with a caption under it. */
export function figure(canvas, caption) {
  const node = make('figure', { className: 'tile', part: 'tile' });
  node.append(canvas, make('figcaption', { className: 'badge', part: 'badge', text: caption }));
  return node;
}
