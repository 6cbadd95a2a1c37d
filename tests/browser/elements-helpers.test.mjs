// The elements' pure parts in Node: reading `given` and the numeric attributes against a
// model's modalities, the panels a model can serve, the latent panel's arithmetic, and the
// packaging (the npm package and the plain-files folder hold every module the elements import,
// and no name Jekyll drops).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatGiven, InputError, parseGiven, parsePresets, readChoice, readImage, readNumber, servedFigures, servedPanels, shareFor } from '../../www/elements/given.js';
import { kl, surest } from '../../www/elements/panels/latent.js';
import { describeManifest } from '../../www/elements/about.js';
import { readFileSync } from 'node:fs';
import { moduleGraph, pack } from '../../scripts/pack-elements.mjs';
import { ROOT } from './helpers.mjs';

const DIGITS = [
  { name: 'image', kind: 'binary_image', shape: [28, 28], labels: [] },
  { name: 'label', kind: 'categorical', shape: [10], labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
];
const THREE = [
  { name: 'image', kind: 'colour_image', shape: [3, 8, 8], labels: [] },
  { name: 'species', kind: 'categorical', shape: [3], labels: ['cat', 'dog', 'owl'] },
  { name: 'attributes', kind: 'binary_attributes', shape: [3], labels: ['Smiling', 'Male', 'Young'] },
];

test('given: a class by name or index, attributes by name in any case, several modalities', () => {
  assert.deepEqual(parseGiven('label=3', DIGITS), { label: 3 });
  assert.deepEqual(parseGiven('species=owl&attributes=smiling,Young', THREE), { species: 2, attributes: Float32Array.from([1, 0, 1]) });
  assert.deepEqual(parseGiven('species=1', THREE), { species: 1 });
  assert.deepEqual(parseGiven('', THREE), {});
  assert.equal(formatGiven({ species: 2, attributes: Float32Array.from([1, 0, 1]) }, THREE), 'species=owl&attributes=Smiling,Young');
});

test('given: what is refused names the value and what is accepted', () => {
  assert.throws(() => parseGiven('label=12', DIGITS), (e) => e instanceof InputError && /`label=12`.*`0`, `1`.*index 0–9/.test(e.message));
  assert.throws(() => parseGiven('digit=3', DIGITS), /no modality `digit` \(this model has `image`, `label`\)/);
  assert.throws(() => parseGiven('attributes=Wings', THREE), /no attribute `Wings` \(accepted: `Smiling`, `Male`, `Young`\)/);
  assert.throws(() => parseGiven('image=3', DIGITS), /`image` is an image/);
  assert.throws(() => parseGiven('label=1&label=2', DIGITS), /given twice/);
});

test('numbers and choices: in range, or an InputError naming the attribute and the range', () => {
  assert.equal(readNumber('seed', null, { min: 0, max: 9, whole: true, fallback: 7 }), 7);
  assert.equal(readNumber('temperature', '0.5', { min: 0, max: 1.5, fallback: 1 }), 0.5);
  assert.throws(() => readNumber('temperature', '9', { min: 0, max: 1.5, fallback: 1 }), /temperature="9" is not a number from 0 to 1.5/);
  assert.throws(() => readNumber('seed', '2.5', { min: 0, max: 9, whole: true }), /seed="2.5" is not a whole number/);
  assert.throws(() => readNumber('seed', '-1', { min: 0, max: 9, whole: true }), InputError);
  assert.equal(readChoice('panel', 'READ', ['generate', 'read'], 'generate'), 'read');
  assert.throws(() => readChoice('panel', 'draw', ['generate', 'read'], 'generate'), /panel="draw" is not one of generate, read/);
});

test('the latent panel: the two surest units, and the KL of two diagonal Gaussians', () => {
  assert.deepEqual(surest(Float32Array.from([0.9, 0.1, 1, 0.05])), [1, 3]);
  const p = { mean: [0, 1], std: [1, 0.5] };
  assert.equal(kl(p, p), 0);
  // KL(N(0,1) || N(1,2)) = log 2 + (1 + 1) / 8 - 1/2, one unit.
  assert.ok(Math.abs(kl({ mean: [0], std: [1] }, { mean: [1], std: [2] }) - (Math.log(2) + 2 / 8 - 0.5)) < 1e-12);
});

test('the plain-files folder holds every module the elements import, and no name Jekyll drops', () => {
  const out = mkdtempSync(join(tmpdir(), 'jmvae-pack-'));
  try {
    const written = pack(out, ['mnist']);
    for (const path of moduleGraph()) assert.ok(written.includes(path), path);
    assert.ok(written.includes('pkg/jmvae-cpu_bg.wasm') && written.includes('models/mnist.safetensors'));
    assert.deepEqual(written.filter((path) => path.split('/').some((part) => /^[_.]/.test(part))), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('npm pack holds every module the elements import, the wasm and the types', () => {
  const [listing] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const files = new Set(listing.files.map((f) => f.path));
  for (const path of moduleGraph()) assert.ok(files.has(`www/${path}`), path);
  for (const path of ['pkg/jmvae-cpu_bg.wasm', 'pkg/jmvae_bg.wasm', 'www/jmvae-elements.d.ts', 'www/jmvae-elements.css', 'www/elements/panel.css']) assert.ok(files.has(path), path);
});

test('the weights in words: the shipped manifests read as sentences, with their numbers', () => {
  const read = (name) => Object.fromEntries(describeManifest(JSON.parse(readFileSync(join(ROOT, 'www', 'models', `${name}.json`), 'utf8'))));
  const digits = read('mnist');
  assert.match(digits['Label accuracy from images'], /^97\.5 %/);
  assert.match(digits.Coherence, /^98\.1 % of the images drawn from a label/);
  assert.match(digits['log p(image)'], /^−86\.89 nats .*K = 1000/);
  const faces = read('celeba-gan');
  assert.match(faces.Training, /JMVAE-GAN decoder/);
  assert.match(faces['Attribute accuracy from images'], /^86\.6 %, mean over 40 attributes \(always guessing the majority: 81\.9 %\)/);
  assert.ok(!Object.keys(faces).some((term) => /_/.test(term)), 'no raw keys');
  // A folder model's report, in the same words.
  const fashion = read('fashion');
  assert.match(fashion['Label accuracy from images'], /^\d+\.\d % of test images/);
  assert.match(fashion.Coherence, /^\d+\.\d % of the images drawn from a label \(τ = [\d.]+\) are read as that label by an independent judge \(\d+\.\d % on real images\)/);
});

test('the demo element shows the panels a model can serve', () => {
  assert.deepEqual(servedPanels(DIGITS), ['generate', 'read', 'walk', 'latent', 'about']);
  assert.deepEqual(servedPanels(THREE), ['generate', 'read', 'edit', 'walk', 'latent', 'about']);
  assert.deepEqual(servedPanels([DIGITS[0], { ...DIGITS[1], condition: true }]), ['generate', 'walk', 'about']);
  // Two image modalities (a digit, an item) and a label: generate and read once per image.
  const pairs = [DIGITS[0], { name: 'fashion', kind: 'binary_image', shape: [28, 28] }, DIGITS[1]];
  assert.deepEqual(servedFigures(pairs).map(({ panel, image }) => (image ? `${panel}:${image}` : panel)),
    ['generate', 'generate:fashion', 'read', 'read:fashion', 'walk', 'latent', 'about']);
  assert.deepEqual(servedFigures(DIGITS).map((f) => f.panel), servedPanels(DIGITS));
  assert.equal(readImage('fashion', pairs, pairs[0]), pairs[1]);
  assert.equal(readImage(null, pairs, pairs[0]), pairs[0]);
  assert.throws(() => readImage('label', pairs, pairs[0]), /image="label" is not an image modality of this model \(it has `image`, `fashion`\)/);
});

test('presets are read by name, and a demo shares `given` and `presets` out by modality', () => {
  const mnist = [{ name: 'image', kind: 'binary_image', shape: [28, 28] }, { name: 'label', kind: 'categorical', labels: ['0', '1', '2'] }];
  const faces = [{ name: 'image', kind: 'colour_image', shape: [3, 64, 64] }, { name: 'attributes', kind: 'binary_attributes', labels: ['Smiling', 'Male'] }];
  const presets = parsePresets('Happy: attributes=Smiling; Both: attributes=Smiling,Male', faces);
  assert.deepEqual(presets.map((p) => p.name), ['Happy', 'Both']);
  assert.deepEqual(Array.from(presets[1].given.attributes), [1, 1]);
  assert.throws(() => parsePresets('no colon here', faces), /is not `Name: modality=value`/);
  assert.throws(() => parsePresets('Odd: attributes=Bald', faces), /no attribute `Bald`/);
  assert.equal(shareFor('label=2&attributes=Smiling', mnist), 'label=2');
  assert.equal(shareFor('label=2&attributes=Smiling', faces), 'attributes=Smiling');
  assert.equal(shareFor('', faces), '');
  assert.equal(shareFor('A: attributes=Smiling; B: label=1; C: label=1&attributes=Male', faces, ';'), 'A: attributes=Smiling');
  assert.equal(shareFor('A: attributes=Smiling; B: label=1', mnist, ';'), 'B: label=1');
});
