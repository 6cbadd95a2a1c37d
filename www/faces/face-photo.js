// A photo chosen or dropped by the visitor, turned into the model's input entirely in this
// browser (nothing is uploaded anywhere): decoded by the browser, framed like the trainer's
// CelebA faces (face-image.js), 64x64 channel-first RGB in [0, 1].
//
// Limits keep a careless drop from freezing the tab: the file's size is checked before it is
// read, the image's size (from its header, image-header.js) before its pixels are decoded, so a
// 100-megapixel photo is refused without 400 MB of pixels ever being decoded. The file is
// decoded by createImageBitmap, not through an <img> of a blob: URL, which a strict
// Content-Security-Policy (img-src 'self') refuses.

import { formatBytes } from '../shared/format.js';
import { cropBox, isGreyscale, resizeTriangle, toUnit } from './face-image.js';
import { imageSize } from './image-header.js';
import { SIDE } from './model-check.js';

export const MAX_BYTES = 20_000_000; // 20 MB
export const MAX_SIDE = 10_000; // pixels
export const MAX_PIXELS = 50_000_000; // 50 megapixels: 200 MB once decoded

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
  const undecodable = (why = '') => new Error(`${name} could not be decoded as an image${why} (use a JPEG, PNG, WebP or GIF photo)`);
  const header = imageSize(new Uint8Array(await file.arrayBuffer()));
  if (!header) throw undecodable();
  checkSize(name, header.width, header.height);
  let full;
  try {
    full = await createImageBitmap(file, { colorSpaceConversion: 'none' });
  } catch (error) {
    throw undecodable(` (${error.message})`);
  }
  try {
    // The size as shown (a JPEG's EXIF orientation applied), which the crop is taken from.
    const { width, height } = full;
    checkSize(name, width, height);
    const rgba = await cropPixels(full, width, height, name);
    const side = Math.sqrt(rgba.length / 4);
    const pixels = toUnit(resizeTriangle(rgba, side, side, SIDE, SIDE));
    return { pixels, greyscale: isGreyscale(rgba), width, height };
  } finally {
    full.close();
  }
}

// Too many pixels to decode safely: refused with the size and the limit.
function checkSize(name, width, height) {
  if (width > MAX_SIDE || height > MAX_SIDE) {
    throw new Error(`${name} is ${width}×${height} pixels: images over ${MAX_SIDE.toLocaleString('en')} pixels a side are refused`);
  }
  if (width * height > MAX_PIXELS) {
    const megapixels = Math.round((width * height) / 1e6);
    throw new Error(`${name} is ${width}×${height} pixels (${megapixels} megapixels): images over ${MAX_PIXELS / 1e6} megapixels are refused`);
  }
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
