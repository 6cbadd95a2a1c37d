// A photo chosen or dropped by the visitor, turned into the model's input entirely in this
// browser (nothing is uploaded anywhere): decoded by the browser, framed like the trainer's
// CelebA faces (face-image.js), 64x64 channel-first RGB in [0, 1].
//
// Limits keep a careless drop from freezing the tab: the file's size is checked before it is
// read, the image's size before its pixels are decoded.

import { formatBytes } from '../shared/format.js';
import { cropBox, isGreyscale, resizeTriangle, toUnit } from './face-image.js';
import { SIDE } from './model-check.js';

export const MAX_BYTES = 20_000_000; // 20 MB
export const MAX_SIDE = 10_000; // pixels

// The crop is first scaled by the browser to at most this side; the trainer's triangle filter
// then does the last step to 64x64. CelebA's aligned faces (crop 140 px) never need the first.
const WORKING_SIDE = 512;

/**
 * Read `file` (a File or Blob with a name) into the model's input: resolves to
 * `{ pixels: Float32Array(3*64*64), greyscale, width, height }`, or rejects with a message that
 * names the file and the problem (too large, not an image, too many pixels).
 */
export async function readPhoto(file) {
  const name = file.name ? `"${file.name}"` : 'The file';
  if (file.size > MAX_BYTES) {
    throw new Error(`${name} is ${formatBytes(file.size)}: photos over ${MAX_BYTES / 1e6} MB are refused`);
  }
  if (file.size === 0) throw new Error(`${name} is empty (0 bytes)`);
  const url = URL.createObjectURL(file);
  try {
    const image = await loadImage(url, name);
    const { naturalWidth: width, naturalHeight: height } = image;
    if (width > MAX_SIDE || height > MAX_SIDE) {
      throw new Error(`${name} is ${width}×${height} pixels: images over ${MAX_SIDE.toLocaleString('en')} pixels a side are refused`);
    }
    const rgba = await cropPixels(image, width, height, name);
    const side = Math.sqrt(rgba.length / 4);
    const pixels = toUnit(resizeTriangle(rgba, side, side, SIDE, SIDE));
    return { pixels, greyscale: isGreyscale(rgba), width, height };
  } finally {
    URL.revokeObjectURL(url);
  }
}

// An <img> learns the image's size from its header, before any pixels are decoded, which is
// what the size limit needs; an undecodable file fires `error` instead of `load`.
function loadImage(url, name) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.decoding = 'async';
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`${name} could not be decoded as an image (use a JPEG, PNG, WebP or GIF photo)`));
    image.src = url;
  });
}

// The centred crop as interleaved RGBA bytes, at most WORKING_SIDE square. Transparent parts
// are laid on white, as a photo viewer shows them; colours are taken as stored (no colour
// management), as the trainer's decoder takes them.
async function cropPixels(image, width, height, name) {
  const { x, y, side } = cropBox(width, height);
  const out = Math.min(side, WORKING_SIDE);
  let bitmap;
  try {
    const resize = out < side ? { resizeWidth: out, resizeHeight: out, resizeQuality: 'high' } : {};
    bitmap = await createImageBitmap(image, x, y, side, side, { colorSpaceConversion: 'none', ...resize });
  } catch (error) {
    throw new Error(`${name} could not be decoded as an image (${error.message})`);
  }
  const canvas = document.createElement('canvas');
  canvas.width = out;
  canvas.height = out;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.fillStyle = '#fff';
  context.fillRect(0, 0, out, out);
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return context.getImageData(0, 0, out, out).data;
}
