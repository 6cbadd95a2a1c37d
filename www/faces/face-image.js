// Faces as pixels: the model's channel-first RGB floats on one side, a canvas's interleaved
// RGBA bytes on the other, and the framing of a photo the way the trainer framed CelebA
// (trainer/src/celeba/crop.rs, `preprocess`): a centred square whose side is 140/178 of the width
// (clamped to the height), resized to 64x64 with a triangle (bilinear) filter.
//
// Everything but drawFace and faceCanvas is pure arithmetic, which Node tests import directly.

import { CHANNELS, FACE_VALUES, SIDE } from './model-check.js';

const CROP_NUMERATOR = 140;
const CROP_DENOMINATOR = 178;

/**
 * The centred square crop of a width x height image: `{ x, y, side }` in whole pixels,
 * rounded exactly as the trainer's `crop_box` rounds them (integer arithmetic).
 */
export function cropBox(width, height) {
  const wanted = Math.floor((width * CROP_NUMERATOR + CROP_DENOMINATOR / 2) / CROP_DENOMINATOR);
  const side = Math.max(1, Math.min(wanted, width, height));
  return { x: Math.floor(Math.max(0, width - side) / 2), y: Math.floor(Math.max(0, height - side) / 2), side };
}

/**
 * Resize interleaved RGBA bytes (width x height) to an outW x outH RGB image, channel-first, as
 * the Rust `image` crate's `resize(.., FilterType::Triangle)` does: a tent filter widened by
 * the scale factor when shrinking (so every source pixel counts), vertical pass first, rounded
 * to bytes at the end. Returns a Uint8Array of 3 planes.
 */
export function resizeTriangle(rgba, width, height, outW, outH) {
  const planes = new Uint8Array(CHANNELS * outW * outH);
  if (width === outW && height === outH) {
    // Like the crate: same size is a copy, not a resampling.
    for (let i = 0; i < outW * outH; i++) for (let c = 0; c < CHANNELS; c++) planes[c * outW * outH + i] = rgba[i * 4 + c];
    return planes;
  }
  const rows = filterWeights(height, outH);
  const columns = filterWeights(width, outW);
  // Vertical pass: outH x width, unrounded (the crate keeps f32 between the passes).
  const tall = new Float32Array(CHANNELS * outH * width);
  for (let y = 0; y < outH; y++) {
    const { left, weights } = rows[y];
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < CHANNELS; c++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * rgba[((left + k) * width + x) * 4 + c];
        tall[(c * outH + y) * width + x] = sum;
      }
    }
  }
  // Horizontal pass, then clamp and round to the nearest byte.
  for (let c = 0; c < CHANNELS; c++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const { left, weights } = columns[x];
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * tall[(c * outH + y) * width + left + k];
        planes[(c * outH + y) * outW + x] = Math.round(Math.min(255, Math.max(0, sum)));
      }
    }
  }
  return planes;
}

// For each output pixel along one axis: the first source pixel it reads and the normalised
// weights of the source pixels from there (the crate's `horizontal_sample` bounds).
function filterWeights(size, outSize) {
  const ratio = size / outSize;
  const scale = Math.max(1, ratio);
  const support = scale; // the triangle's support, 1, widened by the scale
  return Array.from({ length: outSize }, (_, out) => {
    const centre = (out + 0.5) * ratio;
    const left = Math.min(Math.max(Math.floor(centre - support), 0), size - 1);
    const right = Math.min(Math.max(Math.ceil(centre + support), left + 1), size);
    const weights = [];
    for (let i = left; i < right; i++) weights.push(Math.max(0, 1 - Math.abs((i - (centre - 0.5)) / scale)));
    const total = weights.reduce((a, b) => a + b, 0);
    return { left, weights: weights.map((w) => w / total) };
  });
}

/** Bytes (0..255) to the model's values in [0, 1], as the trainer divides them by 255. */
export function toUnit(bytes) {
  return Float32Array.from(bytes, (b) => b / 255);
}

/**
 * Whether interleaved RGBA bytes are grey: red, green and blue within `tolerance` of each other
 * everywhere (a JPEG of a grey image stored in colour may differ by a level after decoding).
 */
export function isGreyscale(rgba, tolerance = 2) {
  for (let i = 0; i < rgba.length; i += 4) {
    const r = rgba[i], g = rgba[i + 1], b = rgba[i + 2];
    if (Math.abs(r - g) > tolerance || Math.abs(g - b) > tolerance) return false;
  }
  return true;
}

/** One face of the model's output (channel-first, from `offset`) as interleaved RGBA bytes. */
export function faceToRgba(values, offset = 0) {
  const plane = SIDE * SIDE;
  const rgba = new Uint8ClampedArray(plane * 4);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < CHANNELS; c++) rgba[i * 4 + c] = Math.round(255 * values[offset + c * plane + i]);
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/** One face (channel-first values from `offset`) as its own Float32Array of FACE_VALUES. */
export function faceAt(values, index) {
  return values.slice(index * FACE_VALUES, (index + 1) * FACE_VALUES);
}

/** A new 64x64 canvas for one face (CSS scales it up smoothly). */
export function faceCanvas(label) {
  const canvas = document.createElement('canvas');
  canvas.width = SIDE;
  canvas.height = SIDE;
  canvas.className = 'face';
  if (label) {
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', label);
  }
  return canvas;
}

/** Draw one face of channel-first values in [0, 1] (from `offset`) on a 64x64 canvas. */
export function drawFace(canvas, values, offset = 0) {
  canvas.getContext('2d').putImageData(new ImageData(faceToRgba(values, offset), SIDE, SIDE), 0, 0);
}
