// panel="edit": an image and its attributes in, the edited image out. The image (one the model
// made from `given`, or a photo) is read into attributes, which become toggles; changing them
// decodes
//
//     z = mean q(z | image, edited) + strength × (mean q(z | edited) − mean q(z | original)),
//
// the paper's joint encoding, plus the move between the two attribute-only encodings (the
// faces tab's edit; strength 0 shows the joint encoding alone).

import { displayName } from '../../faces/attributes.js';
import { attributeToggles, imageInput, make, slider } from '../controls.js';
import { InputError, STRENGTH } from '../given.js';
import { drawImage, imageCanvas } from '../pixels.js';
import { exampleImage } from './example.js';
import { figure } from './read.js';

export function editPanel(ctx) {
  const { roles, options, body } = ctx;
  const { image } = ctx;
  const attributes = roles.attributes[0];
  if (!image || !attributes) throw new InputError(`panel="edit" needs an image and binary attributes; this model has ${ctx.modalities.map((m) => `\`${m.name}\` (${m.kind})`).join(', ')} (try panel="generate" or "read")`);
  if (attributes.condition) throw new InputError('panel="edit": this model is a CVAE, which cannot read attributes from an image (its panels: generate, walk)');
  let strength = options.strength;
  let face = null; // { pixels, original, originalMean }
  const redraw = () => ctx.draw(render, 'edit');
  const toggles = attributeToggles(attributes, new Float32Array(attributes.labels.length), redraw);
  const original = imageCanvas(image, 'The original image');
  const edited = imageCanvas(image, 'The edited image');
  const pair = make('div', { className: 'pair' });
  pair.append(figure(original, 'original'), figure(edited, 'edited'));
  const side = make('div', { className: 'side' });
  side.append(pair);
  if (options.controls === 'full') side.append(slider('Strength', { ...STRENGTH, value: strength, digits: 1 }, (next) => { strength = next; redraw(); }).node);
  if (options.controls !== 'none') side.append(imageInput(image, (pixels) => ctx.draw(() => load(pixels).then(render), 'edit'), ctx.fail).node);
  const layout = make('div', { className: 'split' });
  layout.append(side);
  if (options.controls !== 'none') layout.append(toggles.node);
  body.append(layout);

  // The face, its attributes as the model reads them, and their encoding alone.
  async function load(pixels) {
    const read = await ctx.model.generate({ [image.name]: pixels }, { samples: 0, seed: 0 });
    const present = Float32Array.from(read[attributes.name], (p) => (p > 0.5 ? 1 : 0));
    const alone = await ctx.model.encode({ [attributes.name]: present });
    face = { pixels, original: present, originalMean: alone.mean };
    toggles.set(asked(present));
    drawImage(original, image, pixels);
  }

  // The toggles as first shown: the face's reading, with the figure's `given` switched on.
  function asked(present) {
    const wanted = options.given[attributes.name];
    return wanted ? Float32Array.from(present, (p, i) => Math.max(p, wanted[i])) : present;
  }

  async function render() {
    if (!face) await load(await exampleImage(ctx, image, [attributes]));
    const want = toggles.get();
    const joint = await ctx.model.encode({ [image.name]: face.pixels, [attributes.name]: want });
    const alone = await ctx.model.encode({ [attributes.name]: want });
    const z = joint.mean.map((v, i) => v + strength * (alone.mean[i] - face.originalMean[i]));
    const out = await ctx.model.decode(z);
    drawImage(edited, image, out[image.name]);
    const changes = attributes.labels.flatMap((label, i) => (want[i] === face.original[i] ? [] : [`${want[i] ? 'added' : 'removed'} ${displayName(label)}`]));
    ctx.say(changes.length ? `Edited: ${changes.join(', ')}.` : 'No attribute changed: the edited image is the joint reconstruction.');
    ctx.result({ panel: 'edit', given: { [attributes.name]: want }, strength, outputs: out });
  }
  return { refresh: redraw, useImage: (pixels) => ctx.draw(() => load(pixels).then(render), 'edit') };
}
