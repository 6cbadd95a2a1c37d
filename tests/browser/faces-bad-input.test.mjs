// (e) Bad input to the faces demo gets a message that names the problem, and the demo keeps
// working: through the file input (a text file named .jpg, an empty file, a file over 20 MB, an
// image over 10,000 pixels a side, a 100-megapixel PNG refused from its header before any of it
// is decoded), through the JS API (attribute vectors of the wrong length
// or out of [0, 1], an image of the wrong length), and a missing faces model.

import assert from 'node:assert/strict';
import { createDeflate } from 'node:zlib';
import { after, test } from 'node:test';

import { canvasPixels, faceLabels, looksLikeAFace, openFaces, photoOfAFace, uploadFace } from './faces-helpers.mjs';
import { FACES_MANIFEST, PKG, afterResult, createSession, inPanel, openDemo, pageState, skipUnless } from './helpers.mjs';

const session = createSession();
after(() => session.close());

const skip = skipUnless(PKG, FACES_MANIFEST);

/** A PNG of width x height pixels, made by the page's canvas. */
async function pngOfSize(page, width, height) {
  const base64 = await page.evaluate(async ({ width, height }) => {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d').fillRect(0, 0, width, height);
    const blob = await new Promise((done) => canvas.toBlob(done, 'image/png'));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  }, { width, height });
  return Buffer.from(base64, 'base64');
}

/**
 * A real PNG of width x height black RGB pixels (it decodes; 10,000 x 10,000 is 100 megapixels,
 * 400 MB once decoded, yet only a few hundred kB of file), deflated row by row.
 */
async function blackPng(width, height) {
  const deflate = createDeflate({ level: 9 });
  const parts = [];
  deflate.on('data', (chunk) => parts.push(chunk));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const row = Buffer.alloc(1 + width * 3); // filter byte 0, then black pixels
  for (let y = 0; y < height; y++) {
    if (!deflate.write(row)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header), pngChunk('IDAT', Buffer.concat(parts)), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

test('a 100-megapixel photo is refused from its header, before any pixel is decoded', { skip, timeout: 5 * 60_000 }, async (t) => {
  const { page, context } = await openFaces(session, '&backend=cpu', {
    // Count the page's decodes: the refusal must come before any.
    setup: (page) => page.addInitScript(() => {
      const decode = window.createImageBitmap;
      window.decodes = 0;
      window.createImageBitmap = (...args) => {
        window.decodes++;
        return decode(...args);
      };
    }),
  });
  try {
    const buffer = await blackPng(10_000, 10_000);
    t.diagnostic(`the PNG: ${(buffer.length / 1e3).toFixed(0)} kB`);
    const before = await page.evaluate(() => window.decodes);
    const error = await uploadFace(page, { name: 'huge-photo.png', mimeType: 'image/png', buffer });
    t.diagnostic(error.replace(/\n/g, ' | '));
    assert.match(error, /huge-photo\.png/);
    assert.match(error, /10000×10000 pixels \(100 megapixels\)/);
    assert.match(error, /over 50 megapixels are refused/);
    assert.equal(await page.evaluate(() => window.decodes), before, 'nothing was decoded');
    assert.equal((await pageState(page)).state, 'ready');
    // Still usable: a photo of a sensible size is read.
    const fine = await blackPng(178, 218);
    assert.equal(await uploadFace(page, { name: 'small.png', mimeType: 'image/png', buffer: fine }), '');
  } finally {
    await context.close();
  }
});

test('bad files are refused with a message naming the problem; the demo stays usable', { skip, timeout: 5 * 60_000 }, async (t) => {
  const { page, context } = await openFaces(session, '&backend=cpu');
  try {
    const cases = [
      {
        what: 'a text file named .jpg',
        file: { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('Shopping list: eggs, milk.\n') },
        mentions: [/notes\.jpg/, /could not be decoded as an image/],
      },
      {
        what: 'an empty file',
        file: { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) },
        mentions: [/empty\.png/, /empty/],
      },
      {
        what: 'a file over 20 MB',
        file: { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(21_000_000, 0xff) },
        mentions: [/huge\.jpg/, /21\.0 MB/, /over 20 MB are refused/],
      },
      {
        what: 'an image over 10,000 pixels a side',
        file: { name: 'panorama.png', mimeType: 'image/png', buffer: await pngOfSize(page, 10_001, 2) },
        mentions: [/panorama\.png/, /10001×2/, /over 10,000 pixels a side are refused/],
      },
    ];
    for (const { what, file, mentions } of cases) {
      const error = await uploadFace(page, file);
      t.diagnostic(`${what}: ${error.replace(/\n/g, ' | ')}`);
      for (const pattern of mentions) assert.match(error, pattern, `${what}: the message should mention ${pattern}`);
      assert.equal((await pageState(page)).state, 'ready', `${what}: the demo is still ready`);
    }
    // Still usable: a click on a preset draws faces; a photo that reads clears the message.
    await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-preset="Blond"]')));
    assert.ok((await canvasPixels(page, inPanel('generate', '.grid canvas'))).every(looksLikeAFace));
    assert.equal(await uploadFace(page, { name: 'fine.png', mimeType: 'image/png', buffer: await photoOfAFace(page, new Array(40).fill(0)) }), '');
    const note = await page.locator(inPanel('read', '.note')).evaluate((node) => node.hidden);
    assert.equal(note, true, 'the note of the refused files is gone');
    assert.equal((await pageState(page)).error, '', 'an action that works clears the message');
  } finally {
    await context.close();
  }
});

// Runs in the page: each bad call to the faces model, and whether (and how) it threw.
async function badCalls(n) {
  const m = window.jmvae.faces.model;
  const face = new Float32Array(3 * 64 * 64).fill(0.5);
  const calls = {
    'attributes one short': () => m.generate({ attributes: new Float32Array(n - 1) }, { samples: 1, seed: 1 }),
    'attributes one too many (encode)': () => m.encode({ attributes: new Float32Array(n + 1) }),
    'an attribute of 2': () => m.generate({ attributes: new Float32Array(n).fill(2) }, { samples: 1, seed: 1 }),
    'an attribute of NaN': () => m.encode({ attributes: Object.assign(new Float32Array(n), { 3: NaN }) }),
    'attributes as a class index': () => m.generate({ attributes: 3 }, { samples: 1, seed: 1 }),
    'an image of the wrong length': () => m.encode({ image: face.subarray(1) }),
    'joint encoding with short attributes': () => m.encode({ image: face, attributes: new Float32Array(n - 1) }),
  };
  const results = {};
  for (const [name, call] of Object.entries(calls)) {
    try {
      await call();
      results[name] = { threw: false };
    } catch (error) {
      results[name] = { threw: true, isError: error instanceof Error, message: String(error?.message ?? error) };
    }
  }
  return results;
}

test('nonsense through the JS API is refused with an Error naming it', { skip, timeout: 5 * 60_000 }, async (t) => {
  const { page, context } = await openFaces(session, '&backend=cpu');
  try {
    const n = faceLabels().length;
    const expected = {
      'attributes one short': [/attributes/, new RegExp(`needs ${n} values`), new RegExp(`got ${n - 1}`)],
      'attributes one too many (encode)': [/attributes/, new RegExp(`got ${n + 1}`)],
      'an attribute of 2': [/attributes/, /2/, /outside \[0, 1\]/],
      'an attribute of NaN': [/NaN/],
      'attributes as a class index': [/attributes/, /not categorical/],
      'an image of the wrong length': [/image/, /12288/, /12287/],
      'joint encoding with short attributes': [/attributes/, new RegExp(`got ${n - 1}`)],
    };
    const outcomes = await page.evaluate(badCalls, n);
    for (const [name, mentions] of Object.entries(expected)) {
      const outcome = outcomes[name];
      t.diagnostic(`${name}: ${outcome.threw ? outcome.message : 'did not throw'}`);
      assert.ok(outcome.threw, `${name}: no error`);
      assert.ok(outcome.isError, `${name}: not an Error`);
      for (const pattern of mentions) assert.match(outcome.message, pattern, `${name}: the message should mention ${pattern}`);
    }
    const good = await page.evaluate(async (n) => (await window.jmvae.faces.model.generate({ attributes: new Float32Array(n) }, { samples: 2, seed: 1 })).image.length, n);
    assert.equal(good, 2 * 3 * 64 * 64, 'the model still answers');
    assert.deepEqual(await pageState(page).then((s) => [s.state, s.error]), ['ready', ''], 'API misuse is not a page error');
  } finally {
    await context.close();
  }
});

test('a missing faces model fails the faces tab only, naming the file', { skip: skipUnless(PKG), timeout: 5 * 60_000 }, async () => {
  const notFound = (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
  const { page, context, state, error } = await openDemo(session, '?panel=faces&backend=cpu', {
    setup: (page) => page.route('**/models/celeba-gan.json', notFound),
  });
  try {
    assert.equal(state, 'error');
    assert.match(error, /celeba-gan\.json/);
    assert.match(error, /404/);
    // The digits are another demo, and still work.
    await page.click('jmvae-demo [role="tab"][data-name="digits"]');
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 120_000 });
    assert.equal((await pageState(page)).state, 'ready');
  } finally {
    await context.close();
  }
});
