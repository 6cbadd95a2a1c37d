// The controls an element builds from a model's modalities: class buttons for a categorical
// modality, named toggles for binary attributes, a drawing pad (grey images) or a photo picker
// (colour images) for an image, and the seed, temperature and strength. All native controls
// (buttons, checkboxes, range and file inputs), so a keyboard, a screen reader and a finger work
// without more code; each carries a `part` for the host page's CSS.

import { displayName } from '../faces/attributes.js';
import { readPhoto } from '../faces/face-photo.js';
import { createPad, stroke } from '../digits/drawing-pad.js';
import { decimals, percent } from '../shared/format.js';
import { drawingToImage, fileToImage, imageShape } from './pixels.js';

/** A new element `tag` with `className`, `part` and text. */
export function make(tag, { className, part, text } = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (part) node.setAttribute('part', part);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** One button per class of `modality`; `onPick(index)`. Returns { node, set(index) }. */
export function classButtons(modality, selected, onPick) {
  const node = make('div', { className: 'classes', part: 'classes' });
  node.setAttribute('role', 'group');
  node.setAttribute('aria-label', `${modality.name} to give`);
  const buttons = modality.labels.map((label, i) => {
    const button = make('button', { part: 'button class', text: label });
    button.type = 'button';
    button.dataset.index = String(i);
    button.addEventListener('click', () => {
      set(i);
      onPick(i);
    });
    return button;
  });
  node.append(...buttons);
  function set(index) {
    buttons.forEach((button, i) => button.setAttribute('aria-pressed', String(i === index)));
  }
  set(selected);
  return { node, set };
}

/** A checkbox per attribute of `modality`; `onChange(vector)`. Returns { node, get(), set(vector) }. */
export function attributeToggles(modality, vector, onChange) {
  const node = make('fieldset', { className: 'toggles', part: 'toggles' });
  node.append(make('legend', { text: modality.name }));
  const boxes = modality.labels.map((label) => {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.dataset.attribute = label;
    box.addEventListener('change', () => onChange(get()));
    const chip = make('label', { className: 'chip', part: 'toggle', text: displayName(label) });
    chip.prepend(box);
    node.append(chip);
    return box;
  });
  const get = () => Float32Array.from(boxes, (box) => (box.checked ? 1 : 0));
  const set = (values) => boxes.forEach((box, i) => { box.checked = values[i] >= 0.5; });
  set(vector);
  return { node, get, set };
}

/** A labelled range input showing its value; `onInput(value)`. Returns { node, get(), set(v) }. */
export function slider(name, { min, max, step, value, digits = 2 }, onInput) {
  const node = make('label', { className: 'slider', part: 'slider', text: name });
  const input = document.createElement('input');
  Object.assign(input, { type: 'range', min, max, step, value });
  const output = make('output');
  let current = value;
  const show = () => { output.textContent = decimals(current, digits); };
  input.addEventListener('input', () => {
    current = Number(input.value);
    show();
    onInput(current);
  });
  node.append(input, output);
  show();
  return { node, get: () => current, set(v) { current = v; input.value = String(v); show(); } };
}

/** The seed as a number input and a Resample button; `onChange(seed)`. Returns { node, get() }. */
export function seedControl(seed, max, onChange) {
  const node = make('div', { className: 'row' });
  const label = make('label', { text: 'Seed ' });
  const input = document.createElement('input');
  Object.assign(input, { type: 'number', min: 0, max, step: 1, value: seed, inputMode: 'numeric' });
  input.setAttribute('part', 'seed');
  label.append(input);
  const resample = make('button', { part: 'button resample', text: 'Resample' });
  resample.type = 'button';
  const read = () => Math.min(max, Math.max(0, Math.floor(Number(input.value) || 0)));
  input.addEventListener('change', () => onChange(read()));
  resample.addEventListener('click', () => {
    input.value = String((read() + 1) % (max + 1));
    onChange(read());
  });
  node.append(label, resample);
  return { node, get: read };
}

/** Probability bars, one per label, most probable first when `sorted`; returns the node. */
export function bars(labels, probabilities, { sorted = false, limit = labels.length } = {}) {
  const order = labels.map((_, i) => i);
  if (sorted) order.sort((a, b) => probabilities[b] - probabilities[a]);
  const node = make('div', { className: 'bars', part: 'bars' });
  node.setAttribute('role', 'list');
  for (const i of order.slice(0, limit)) {
    const row = make('div', { className: 'bar', part: 'bar' });
    row.setAttribute('role', 'listitem');
    row.dataset.label = labels[i];
    row.dataset.p = String(probabilities[i]);
    const fill = make('span', { className: 'fill' });
    fill.style.width = `${(100 * probabilities[i]).toFixed(1)}%`; // CSSOM: allowed under style-src 'self'
    const track = make('span', { className: 'track' });
    track.append(fill);
    row.append(make('span', { className: 'name', text: displayName(labels[i]) }), track, make('span', { className: 'value', text: percent(probabilities[i]) }));
    node.append(row);
  }
  return node;
}

/**
 * The way to give an image of `modality`: a drawing pad with Clear and an upload for a grey
 * image, a photo picker for a colour one; `onImage(values)` once one is given. Returns { node }.
 */
export function imageInput(modality, onImage, onError) {
  const { ink, colour, width, height } = imageShape(modality);
  if (ink) return drawingInput(modality, onImage, onError);
  // A 64x64 colour image is framed as the trainer framed CelebA's faces; any other, centred.
  const faces = colour && width === 64 && height === 64;
  return photoInput(async (file) => (faces ? (await readPhoto(file)).pixels : fileToImage(file, modality)), onImage, onError);
}

function drawingInput(modality, onImage, onError) {
  const node = make('div', { className: 'image-input' });
  const canvas = make('canvas', { className: 'pad', part: 'pad' });
  canvas.width = 280;
  canvas.height = 280;
  canvas.tabIndex = 0;
  canvas.setAttribute('aria-label', 'Drawing area: draw with a mouse, pen or finger; or with the keyboard: Space lifts or lowers the pen, the arrow keys move it; or choose an image file below');
  const read = (ink) => {
    const image = drawingToImage(ink, canvas.width, canvas.height, modality);
    if (image) onImage(image);
  };
  const pad = createPad(canvas, () => read(pad.ink()));
  drawWithKeys(canvas, () => read(pad.ink()));
  const clear = make('button', { part: 'button clear', text: 'Clear' });
  clear.type = 'button';
  clear.addEventListener('click', () => pad.clear());
  // The keyboard's way in: an image file, read as ink (dark on light) and framed as a drawing.
  const file = fileInput('Or choose or drop an image', async (chosen) => {
    const ink = await fileToImage(chosen, { kind: 'binary_image', shape: [canvas.height, canvas.width] });
    showInk(canvas, ink);
    read(ink);
  }, onError);
  node.append(canvas, make('div', { className: 'row' }), file);
  node.children[1].append(clear);
  return { node };
}

function photoInput(read, onImage, onError) {
  const node = make('div', { className: 'image-input' });
  node.append(fileInput('Choose or drop a photo (it stays in your browser)', async (chosen) => onImage(await read(chosen)), onError));
  return { node };
}

function fileInput(text, onFile, onError) {
  const label = make('label', { className: 'file', part: 'file', text });
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = 'image/*';
  input.addEventListener('change', () => {
    const [chosen] = input.files;
    if (chosen) Promise.resolve(onFile(chosen)).catch(onError);
  });
  label.append(input);
  // A file dropped on the label is read as if chosen.
  label.addEventListener('dragover', (event) => {
    event.preventDefault();
    label.classList.add('dropping');
  });
  label.addEventListener('dragleave', () => label.classList.remove('dropping'));
  label.addEventListener('drop', (event) => {
    event.preventDefault();
    label.classList.remove('dropping');
    const [dropped] = event.dataTransfer?.files ?? [];
    if (dropped) Promise.resolve(onFile(dropped)).catch(onError);
  });
  return label;
}

// Ink values (one per pixel of the pad) shown on the pad, as opaque ink on transparency.
function showInk(canvas, ink) {
  const rgba = new ImageData(canvas.width, canvas.height);
  ink.forEach((v, i) => { rgba.data[i * 4 + 3] = Math.round(255 * v); });
  canvas.getContext('2d').putImageData(rgba, 0, 0);
}

// The keyboard's pen on the drawing pad: Space lowers or lifts it, the arrow keys move it a
// step (drawing while it is down), and each move that draws is read, as a stroke's end is.
const KEY_STEPS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
const KEY_STEP = 14; // pixels of the 280-pixel pad: 20 steps across

function drawWithKeys(canvas, onDrawn) {
  const pen = { x: canvas.width / 2, y: canvas.height / 2, down: false };
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const line = (x, y) => stroke(context, pen, { x, y });
  canvas.addEventListener('keydown', (event) => {
    const step = KEY_STEPS[event.key];
    if (event.key === ' ') {
      pen.down = !pen.down;
      if (pen.down) line(pen.x, pen.y);
    } else if (step) {
      const x = Math.min(canvas.width, Math.max(0, pen.x + step[0] * KEY_STEP));
      const y = Math.min(canvas.height, Math.max(0, pen.y + step[1] * KEY_STEP));
      if (pen.down) line(x, y);
      Object.assign(pen, { x, y });
    } else {
      return;
    }
    event.preventDefault();
    if (pen.down) onDrawn();
  });
}
