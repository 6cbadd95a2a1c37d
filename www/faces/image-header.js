// The pixel size of an image file, read from its header alone, so that a photo too large to
// decode (100 megapixels: 400 MB of pixels) is refused before the browser decodes any of it.
// JPEG, PNG, GIF, WebP and BMP; pure byte arithmetic, which Node tests import directly.

/**
 * `{ format, width, height }` of the image whose first bytes are `bytes` (a Uint8Array of the
 * whole file, or of enough of it), or null when it is none of the formats known here. The size
 * is the stored one (a JPEG's EXIF orientation may swap it on display, which changes neither
 * its area nor its longer side).
 */
export function imageSize(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (offset, ...values) => values.every((value, i) => bytes[offset + i] === value);
  const ascii = (offset, text) => at(offset, ...[...text].map((c) => c.charCodeAt(0)));
  const has = (length) => bytes.length >= length;

  if (has(24) && at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) && ascii(12, 'IHDR')) {
    return sized('PNG', view.getUint32(16), view.getUint32(20));
  }
  if (has(10) && (ascii(0, 'GIF87a') || ascii(0, 'GIF89a'))) {
    return sized('GIF', view.getUint16(6, true), view.getUint16(8, true));
  }
  if (has(26) && ascii(0, 'BM')) {
    return sized('BMP', Math.abs(view.getInt32(18, true)), Math.abs(view.getInt32(22, true)));
  }
  if (has(30) && ascii(0, 'RIFF') && ascii(8, 'WEBP')) return webpSize(bytes, view, ascii);
  if (has(4) && at(0, 0xff, 0xd8, 0xff)) return jpegSize(bytes, view);
  return null;
}

function sized(format, width, height) {
  return width > 0 && height > 0 ? { format, width, height } : null;
}

// The first frame's size: VP8 (lossy), VP8L (lossless) or VP8X (extended, with a canvas size).
function webpSize(bytes, view, ascii) {
  if (ascii(12, 'VP8 ')) return sized('WebP', view.getUint16(26, true) & 0x3fff, view.getUint16(28, true) & 0x3fff);
  if (ascii(12, 'VP8L')) {
    const bits = view.getUint32(21, true);
    return sized('WebP', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (ascii(12, 'VP8X')) {
    const width = 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16));
    const height = 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16));
    return sized('WebP', width, height);
  }
  return null;
}

// The frame header (SOF0..SOF15, not DHT, JPG or DAC) after the segments before it.
function jpegSize(bytes, view) {
  let offset = 2;
  while (offset + 9 <= bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) return sized('JPEG', view.getUint16(offset + 7), view.getUint16(offset + 5));
    if (marker === 0xda || marker === 0xd9) return null; // scan data or the end before any frame
    offset += 2 + view.getUint16(offset + 2);
  }
  return null;
}
