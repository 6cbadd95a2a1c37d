// A drawing as MNIST would have it. MNIST's digits were scaled to fit a 20x20 box (aspect kept),
// then placed in a 28x28 image so that their centre of mass sits at the centre (LeCun et al.).
// The model was trained on exactly that, so a drawing goes through the same steps before the
// model sees it; a raw downscale of the whole canvas would read far worse.

import { PIXELS, SIDE } from './model-check.js';

const BOX = 20;
// Where MNIST puts the centre of mass: pixel (14, 14), i.e. 14.5 with pixel i spanning [i, i+1).
const CENTRE = 14.5;

/** Ink per pixel (0..1) from canvas RGBA bytes: the drawing is opaque ink on transparency. */
export function inkFromRgba(rgba) {
  const ink = new Float32Array(rgba.length / 4);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4 + 3] / 255;
  return ink;
}

/** Bounding box of the pixels with more than `threshold` ink, or null when there are none. */
export function inkBounds(ink, width, height, threshold = 0.02) {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] <= threshold) continue;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

// How much of source pixel i (covering [i, i+1)) lies inside [a, b).
function overlap(i, a, b) {
  return Math.max(0, Math.min(i + 1, b) - Math.max(i, a));
}

/**
 * Area-average the `box` of `ink` into an outW x outH image: each output pixel is the mean ink
 * of the source area it covers, weighted by coverage (an anti-aliased resize, either way).
 */
export function resample(ink, width, box, outW, outH) {
  const out = new Float32Array(outW * outH);
  const sx = box.w / outW, sy = box.h / outH;
  for (let ty = 0; ty < outH; ty++) {
    const ya = box.y + ty * sy, yb = ya + sy;
    for (let tx = 0; tx < outW; tx++) {
      const xa = box.x + tx * sx, xb = xa + sx;
      let sum = 0, weight = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = overlap(y, ya, yb);
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const w = wy * overlap(x, xa, xb);
          sum += w * ink[y * width + x];
          weight += w;
        }
      }
      out[ty * outW + tx] = weight > 0 ? sum / weight : 0;
    }
  }
  return out;
}

/** Centre of mass of an image, in pixel units (pixel i spans [i, i+1)). */
export function centreOfMass(values, width, height) {
  let total = 0, sx = 0, sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x];
      total += v; sx += v * (x + 0.5); sy += v * (y + 0.5);
    }
  }
  return total > 0 ? { x: sx / total, y: sy / total } : { x: width / 2, y: height / 2 };
}

/**
 * The inked area scaled (aspect kept) to fit 20x20, placed in a 28x28 image so that its centre
 * of mass sits at the centre. Returns 784 values in [0, 1], or null for an empty drawing.
 */
export function toMnist(ink, width, height) {
  const box = inkBounds(ink, width, height);
  if (!box) return null;
  const scale = BOX / Math.max(box.w, box.h);
  const w = Math.max(1, Math.round(box.w * scale));
  const h = Math.max(1, Math.round(box.h * scale));
  const small = resample(ink, width, box, w, h);
  const centre = centreOfMass(small, w, h);
  const clampOffset = (value, size) => Math.min(SIDE - size, Math.max(0, Math.round(value)));
  const ox = clampOffset(CENTRE - centre.x, w);
  const oy = clampOffset(CENTRE - centre.y, h);
  const out = new Float32Array(PIXELS);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Clamp: rounding may leave 1.0000001, and the model refuses values outside [0, 1].
      out[(oy + y) * SIDE + ox + x] = Math.min(1, Math.max(0, small[y * w + x]));
    }
  }
  return out;
}
