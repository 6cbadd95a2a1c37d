// The size of a photo read from its header alone (www/faces/image-header.js), which lets the faces
// tab refuse a 100-megapixel photo before decoding it: each format's header, built byte by byte,
// and files that are none of them. Node only, no browser.

import assert from 'node:assert/strict';
import test from 'node:test';

import { imageSize } from '../../www/faces/image-header.js';

const bytes = (...parts) => Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? [...part].map((c) => c.charCodeAt(0)) : part)));
const be16 = (n) => [n >> 8, n & 0xff];
const be32 = (n) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const le16 = (n) => [n & 0xff, n >> 8];
const le32 = (n) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];

test('PNG: the IHDR size', () => {
  const png = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], be32(13), 'IHDR', be32(10_000), be32(10_000), [8, 2, 0, 0, 0]);
  assert.deepEqual(imageSize(png), { format: 'PNG', width: 10_000, height: 10_000 });
});

test('JPEG: the frame header after APP segments (EXIF), fill bytes and tables', () => {
  const app1 = [0xff, 0xe1, ...be16(2 + 6 + 4), ...bytes('Exif', [0, 0], 'MM', [0, 42])];
  const dqt = [0xff, 0xdb, ...be16(2 + 3), 0, 1, 2];
  const sof2 = [0xff, 0xc2, ...be16(17), 8, ...be16(6120), ...be16(8160), 3];
  assert.deepEqual(imageSize(bytes([0xff, 0xd8], app1, [0xff], dqt, sof2, new Array(10).fill(0))), { format: 'JPEG', width: 8160, height: 6120 });
  // DHT (0xc4) is not a frame.
  const dht = [0xff, 0xc4, ...be16(4), 0, 0];
  assert.deepEqual(imageSize(bytes([0xff, 0xd8], dht, [0xff, 0xc0, ...be16(17), 8, ...be16(2), ...be16(3), 3], new Array(10).fill(0))), { format: 'JPEG', width: 3, height: 2 });
  // Scan data before any frame, or a truncated file: no size.
  assert.equal(imageSize(bytes([0xff, 0xd8], [0xff, 0xda, ...be16(2)], new Array(10).fill(0))), null);
  assert.equal(imageSize(bytes([0xff, 0xd8], app1)), null);
});

test('GIF, BMP and the three WebP headers', () => {
  assert.deepEqual(imageSize(bytes('GIF89a', le16(640), le16(480), [0, 0, 0])), { format: 'GIF', width: 640, height: 480 });
  const bmp = bytes('BM', new Array(16).fill(0), le32(300), le32(-200 >>> 0), [1, 0]);
  assert.deepEqual(imageSize(bmp), { format: 'BMP', width: 300, height: 200 }, 'a top-down BMP has a negative height');
  const riff = (chunk, payload) => bytes('RIFF', le32(100), 'WEBP', chunk, le32(payload.length), payload, new Array(8).fill(0));
  assert.deepEqual(imageSize(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...le16(1024), ...le16(768)])), { format: 'WebP', width: 1024, height: 768 });
  const bits = (1023) | (767 << 14);
  assert.deepEqual(imageSize(riff('VP8L', [0x2f, ...le32(bits)])), { format: 'WebP', width: 1024, height: 768 });
  assert.deepEqual(imageSize(riff('VP8X', [0, 0, 0, 0, 0x0f, 0x27, 0x00, 0x0f, 0x27, 0x00])), { format: 'WebP', width: 10_000, height: 10_000 });
});

test('files that are no image known here, or are cut short, have no size', () => {
  for (const file of [bytes('Shopping list: eggs, milk.\n'), bytes(''), bytes([0x89, 0x50, 0x4e, 0x47]), bytes('GIF89a'), bytes('RIFF', le32(4), 'WAVE', new Array(20).fill(0))]) {
    assert.equal(imageSize(file), null);
  }
  const zero = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], be32(13), 'IHDR', be32(0), be32(5), [8, 2, 0, 0, 0]);
  assert.equal(imageSize(zero), null, 'a zero width is no image');
});
