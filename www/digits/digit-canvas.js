// Digits on canvases: 28x28 canvases (CSS scales them up), drawn as dark ink on white paper.

import { PIXELS, SIDE } from './model-check.js';

/** A new, empty 28x28 canvas for one digit. */
export function digitCanvas() {
  const canvas = document.createElement('canvas');
  canvas.width = SIDE;
  canvas.height = SIDE;
  canvas.className = 'digit';
  return canvas;
}

/** Draw 784 probabilities (from `offset`, one row of a flat array) as dark ink on white paper. */
export function drawDigit(canvas, values, offset = 0) {
  const context = canvas.getContext('2d');
  const image = context.createImageData(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    const paper = Math.round(255 * (1 - Math.min(1, Math.max(0, values[offset + i]))));
    image.data[i * 4] = paper;
    image.data[i * 4 + 1] = paper;
    image.data[i * 4 + 2] = paper;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/** Back to transparent, as before anything was drawn. */
export function blank(canvas) {
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
}
