// The faces demo's pure helpers, imported from the modules of www/ they belong to (none touches
// the DOM): the attribute groups and names (faces/attributes.js), the presets and seeded random
// attributes (faces/attribute-presets.js), the model check (faces/model-check.js), the framing
// and resizing of photos as the trainer frames CelebA (faces/face-image.js), the URL's
// choice of demo (shared/options.js) and the decoder note's (faces/decoder-note.js).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import test from 'node:test';

import { cropBox, faceToRgba, isGreyscale, resizeTriangle, toUnit } from '../../www/faces/face-image.js';
import { randomAttributes, trainFrequencies } from '../../www/elements/random-attributes.js';
import { displayName, groupAttributes } from '../../www/faces/attributes.js';
import { FACE_VALUES, checkFaces } from '../../www/faces/model-check.js';
import { FACES_MANIFEST, readJson } from './helpers.mjs';

// CelebA's 40 attribute names, in list_attr_celeba.txt's order.
const CELEBA = ['5_o_Clock_Shadow', 'Arched_Eyebrows', 'Attractive', 'Bags_Under_Eyes', 'Bald', 'Bangs', 'Big_Lips', 'Big_Nose',
  'Black_Hair', 'Blond_Hair', 'Blurry', 'Brown_Hair', 'Bushy_Eyebrows', 'Chubby', 'Double_Chin', 'Eyeglasses', 'Goatee',
  'Gray_Hair', 'Heavy_Makeup', 'High_Cheekbones', 'Male', 'Mouth_Slightly_Open', 'Mustache', 'Narrow_Eyes', 'No_Beard',
  'Oval_Face', 'Pale_Skin', 'Pointy_Nose', 'Receding_Hairline', 'Rosy_Cheeks', 'Sideburns', 'Smiling', 'Straight_Hair',
  'Wavy_Hair', 'Wearing_Earrings', 'Wearing_Hat', 'Wearing_Lipstick', 'Wearing_Necklace', 'Wearing_Necktie', 'Young'];

test('every attribute is in exactly one group; the ungrouped go to "Other"', () => {
  const groups = groupAttributes(CELEBA);
  const seen = groups.flatMap((group) => group.members.map((m) => m.label));
  assert.deepEqual([...seen].sort(), [...CELEBA].sort());
  assert.deepEqual(groups.map((g) => g.name), ['Hair', 'Face', 'Beard', 'Accessories & make-up', 'Expression', 'Other']);
  const other = groups.at(-1).members.map((m) => m.label);
  assert.deepEqual(other, ['Attractive', 'Blurry', 'Male', 'Young']);
  for (const group of groups) for (const { label, index } of group.members) assert.equal(CELEBA[index], label);

  // A model with other attributes: unknown names go to Other, absent ones leave no empty group.
  const odd = groupAttributes(['Smiling', 'Freckles']);
  assert.deepEqual(odd.map((g) => [g.name, g.members.map((m) => m.label)]), [['Expression', ['Smiling']], ['Other', ['Freckles']]]);
});

test('display names read without underscores', () => {
  assert.equal(displayName('Blond_Hair'), 'Blond hair');
  assert.equal(displayName('No_Beard'), 'No beard');
  assert.equal(displayName('5_o_Clock_Shadow'), "5 o'clock shadow");
  assert.equal(displayName('Male'), 'Male');
  for (const label of CELEBA) assert.ok(!displayName(label).includes('_'), label);
});

test('Random draws attributes from the training frequencies, the same for the same seed', () => {
  const frequencies = CELEBA.map((_, i) => (i % 2 ? 0.9 : 0.1));
  const a = randomAttributes(40, frequencies, 7);
  assert.deepEqual(Array.from(a), Array.from(randomAttributes(40, frequencies, 7)), 'a seed gives one vector');
  assert.notDeepEqual(Array.from(a), Array.from(randomAttributes(40, frequencies, 8)));
  // Over many seeds, each attribute is present about as often as its frequency says.
  const counts = new Float64Array(40);
  for (let seed = 0; seed < 2000; seed++) randomAttributes(40, frequencies, seed).forEach((v, i) => (counts[i] += v));
  counts.forEach((count, i) => assert.ok(Math.abs(count / 2000 - frequencies[i]) < 0.05, `${CELEBA[i]}: ${count / 2000}`));
  const half = randomAttributes(40, null, 1).reduce((a, b) => a + b, 0);
  assert.ok(half > 5 && half < 35, 'without frequencies, each is present with probability 1/2');
});

test('train_frequencies are read from the manifest when they fit', () => {
  const frequencies = CELEBA.map(() => 0.25);
  assert.deepEqual(trainFrequencies({ metrics: { train_frequencies: frequencies } }, 40), frequencies);
  assert.equal(trainFrequencies({ metrics: null }, 40), null);
  assert.equal(trainFrequencies({ metrics: { train_frequencies: [0.5] } }, 40), null, 'the wrong length is ignored');
});

test('checkFaces accepts the shipped faces model and refuses the digits', {
  skip: existsSync(FACES_MANIFEST) ? false : 'www/models/celeba.json is missing',
}, () => {
  const manifest = readJson(FACES_MANIFEST);
  const { labels } = checkFaces({ modalities: manifest.config.modalities, manifest });
  assert.equal(labels.length, manifest.config.modalities[1].shape[0]);
  const mnist = { modalities: [{ name: 'image', kind: 'binary_image', shape: [28, 28] }, { name: 'label', kind: 'categorical', shape: [10] }] };
  assert.throws(() => checkFaces(mnist), /needs a faces model.*image \(binary_image\) \[28,28\]/);
});

test('the crop is the trainer\'s: 140/178 of the width, centred, clamped to the height', () => {
  // The values of trainer/src/celeba/tests.rs's test `preprocess_clamps_the_crop_to_wide_and_tiny_images`.
  assert.deepEqual(cropBox(178, 218), { x: 19, y: 39, side: 140 });
  assert.deepEqual(cropBox(89, 109), { x: 9, y: 19, side: 70 });
  assert.deepEqual(cropBox(200, 60), { x: 70, y: 0, side: 60 });
  assert.deepEqual(cropBox(1, 1), { x: 0, y: 0, side: 1 });
});

// An RGBA image filled by `colour(x, y)` -> [r, g, b].
function rgbaImage(width, height, colour) {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      rgba.set([...colour(x, y), 255], (y * width + x) * 4);
    }
  }
  return rgba;
}

test('the triangle resize keeps flat colours, averages fine detail, and copies at the same size', () => {
  const flat = resizeTriangle(rgbaImage(140, 140, () => [200, 100, 50]), 140, 140, 64, 64);
  assert.equal(flat.length, FACE_VALUES);
  assert.ok(flat.subarray(0, 4096).every((v) => v === 200) && flat.subarray(4096, 8192).every((v) => v === 100));
  assert.ok(flat.subarray(8192).every((v) => v === 50), 'channel-first: R, then G, then B planes');

  // One-pixel stripes of 0 and 255, shrunk 4x: the tent spans 8 stripes, so they come out grey
  // (within 10 levels: the tent weighs the stripes nearer its centre more).
  const stripes = resizeTriangle(rgbaImage(256, 256, (x) => (x % 2 ? [255, 255, 255] : [0, 0, 0])), 256, 256, 64, 64);
  assert.ok(stripes.every((v) => Math.abs(v - 127.5) < 12), `stripes give ${Math.min(...stripes)}..${Math.max(...stripes)}`);

  // A red square in the middle of a 140-pixel crop stays in the middle (and red) at 64 pixels.
  const square = resizeTriangle(rgbaImage(140, 140, (x, y) => (Math.abs(x - 69.5) < 20 && Math.abs(y - 69.5) < 20 ? [255, 0, 0] : [0, 0, 255])), 140, 140, 64, 64);
  const at = (c, y, x) => square[c * 4096 + y * 64 + x];
  assert.deepEqual([at(0, 32, 32), at(2, 32, 32), at(0, 2, 2), at(2, 2, 2)], [255, 0, 0, 255]);

  const same = resizeTriangle(rgbaImage(64, 64, (x, y) => [x, y, 7]), 64, 64, 64, 64);
  assert.deepEqual([same[5], same[4096 + 64 * 3], same[8192]], [5, 3, 7]);
});

test('bytes become values in [0, 1] and back; grey is told from colour', () => {
  const values = toUnit(Uint8Array.from({ length: FACE_VALUES }, (_, i) => i % 256));
  assert.ok(values.every((v) => v >= 0 && v <= 1));
  const rgba = faceToRgba(values);
  assert.deepEqual([rgba[0], rgba[1], rgba[2], rgba[3]], [0, 4096 % 256, 8192 % 256, 255]);
  assert.equal(isGreyscale(rgbaImage(4, 4, () => [90, 91, 90])), true);
  assert.equal(isGreyscale(rgbaImage(4, 4, (x) => (x === 3 ? [90, 120, 90] : [90, 90, 90]))), false);
});

