// An image modality's values on a canvas, and back: grey images (`binary_image`, shape [H, W],
// the probability of ink per pixel) as dark ink on white paper, colour images (`colour_image`,
// shape [3, H, W], channel-first RGB in [0, 1]) as they are. Built from the modality's shape,
// never from a dataset.

import { centreOfMass, inkBounds, resample } from '../digits/drawing-to-28x28.js';

/**
 * `{ width, height, channels, values, ink }` of an image modality: shape [H, W] or [C, H, W]
 * (C = 1 or 3, channel-first); `ink` for a Bernoulli image (`binary_image`), whose values are
 * the probability of ink and are drawn dark on white.
 */
export function imageShape({ kind, shape }) {
  const channels = shape.length === 3 ? shape[0] : 1;
  const [height, width] = shape.slice(-2);
  return { width, height, channels, values: channels * width * height, colour: channels === 3, ink: kind === 'binary_image' };
}

/** A canvas for one image of `modality`, described by `alt` for assistive technology. */
export function imageCanvas(modality, alt = '') {
  const { width, height } = imageShape(modality);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', alt);
  return canvas;
}

/** Draw image `index` of the flat outputs `values` of `modality` on `canvas`. */
export function drawImage(canvas, modality, values, index = 0) {
  const { width, height, channels, values: size, ink } = imageShape(modality);
  const plane = width * height;
  const rgba = new Uint8ClampedArray(plane * 4);
  const offset = index * size;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = values[offset + (channels === 3 ? c * plane : 0) + i];
      rgba[i * 4 + c] = Math.round(255 * Math.min(1, Math.max(0, ink ? 1 - v : v)));
    }
    rgba[i * 4 + 3] = 255;
  }
  canvas.getContext('2d').putImageData(new ImageData(rgba, width, height), 0, 0);
}

/**
 * An image file as values of `modality`: its centred square, scaled by the browser to the
 * modality's size, channel-first in [0, 1] (grey as the mean of the channels; for a Bernoulli
 * image, ink: 1 − lightness).
 */
export async function fileToImage(file, modality) {
  const { width, height, channels, ink } = imageShape(modality);
  const full = await createImageBitmap(file);
  const side = Math.min(full.width, full.height);
  const bitmap = await createImageBitmap(full, (full.width - side) / 2, (full.height - side) / 2, side, side, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
  full.close();
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const plane = width * height;
  const out = new Float32Array(channels * plane);
  for (let i = 0; i < plane; i++) {
    if (channels === 3) for (let c = 0; c < 3; c++) out[c * plane + i] = rgba[i * 4 + c] / 255;
    else {
      const grey = (rgba[i * 4] + rgba[i * 4 + 1] + rgba[i * 4 + 2]) / 765;
      out[i] = ink ? 1 - grey : grey;
    }
  }
  return out;
}

/**
 * Ink on a drawing canvas as a grey image of `modality`, framed as MNIST frames its digits
 * (the inked box scaled into 20/28 of the side, its centre of mass at the centre), since a grey
 * model was trained on images framed that way; null for an empty drawing.
 */
export function drawingToImage(ink, inkWidth, inkHeight, modality) {
  const { width, height } = imageShape(modality);
  const box = inkBounds(ink, inkWidth, inkHeight);
  if (!box) return null;
  const scale = (Math.min(width, height) * 20) / 28 / Math.max(box.w, box.h);
  const w = Math.max(1, Math.round(box.w * scale));
  const h = Math.max(1, Math.round(box.h * scale));
  const small = resample(ink, inkWidth, box, w, h);
  const centre = centreOfMass(small, w, h);
  const place = (target, at, size, side) => Math.min(side - size, Math.max(0, Math.round(target - at)));
  const ox = place(width / 2 + 0.5, centre.x, w, width);
  const oy = place(height / 2 + 0.5, centre.y, h, height);
  const out = new Float32Array(width * height);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out[(oy + y) * width + ox + x] = Math.min(1, Math.max(0, small[y * w + x]));
  }
  return out;
}
