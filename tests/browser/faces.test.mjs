// The faces demo in real Chromium, on the CPU backend (WebGPU is faces-webgpu.test.mjs's):
// - the faces tab loads its model lazily (digits visitors never download it), and ?panel=faces
//   or #faces opens it directly without the digits' weights;
// - (a) toggling Eyeglasses or Smiling changes the generated faces;
// - (b) the attributes read back from generated faces agree with those requested;
// - (c) a photo through the file input gives 40 probabilities, a reconstruction and an editor;
// - (d) the faces match the native trainer's for the same weights and seed within 1e-3, for the
//   default JMVAE-GAN decoder and for the plain one (?faces-model=), and the page says which
//   decoder made them;
// - picking a face the model made, and the page on a phone.
// Bad input is faces-bad-input.test.mjs's.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import {
  TOLERANCE, canvasPixels, compareFacesWithNative, faceLabels, looksLikeAFace, meanPixelDifference, nativeFacesReference,
  openFaces, photoOfAFace, uploadFace,
} from './faces-helpers.mjs';
import {
  FACES_MANIFEST, JMVAE_BIN, MANIFEST, NATIVE_FACES, PKG, PLAIN_FACES_MANIFEST, createSession, openReadyDemo, pageState, skipUnless,
} from './helpers.mjs';
import { PRESETS, presetVector } from '../../www/faces/attribute-presets.js';

const session = createSession();
after(() => session.close());

const skip = skipUnless(PKG, FACES_MANIFEST);
const TIMEOUT = 5 * 60_000;

/** Console errors of a page's log (the page must have none on the happy path). */
const consoleErrors = (logs) => logs.filter((line) => /^(error|pageerror):/.test(line));

/** Wait until the grid shows exactly the attributes `present` (its data-attributes). */
function gridShowing(page, present) {
  return page.waitForFunction((want) => document.getElementById('face-grid').dataset.attributes === want, present.join(','), {
    timeout: 60_000,
  });
}

test('the faces tab loads its model only when first shown, once the digits are up', { skip: skipUnless(PKG, MANIFEST, FACES_MANIFEST), timeout: TIMEOUT }, async (t) => {
  const requests = [];
  const { page, context, logs } = await openReadyDemo(session, '?backend=cpu', {
    setup: (page) => page.on('request', (request) => requests.push(new URL(request.url()).pathname)),
  });
  try {
    assert.equal(await page.evaluate(() => document.body.dataset.panel), 'digits');
    assert.ok(!requests.some((path) => path.includes('celeba')), `the digits page fetched the faces model: ${requests}`);

    await page.click('#tab-faces');
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 120_000 });
    const state = await pageState(page);
    assert.deepEqual([state.state, state.panel, state.error], ['ready', 'faces', '']);
    assert.match(state.status, /CPU/, 'the faces status line names the backend');
    assert.ok(requests.some((path) => path.endsWith('/models/celeba-gan.safetensors')), 'the JMVAE-GAN faces weights are the default');
    assert.equal(requests.filter((path) => path.endsWith('_bg.wasm')).length, 1, 'the wasm package is loaded once');
    assert.match(await page.innerText('#faces-progress-text'), /^Downloaded \d/);
    assert.match(await page.innerText('#faces-timing'), /Generated in \d+ ms/);
    assert.match(await page.innerText('#faces-notice'), /non-commercial/i, 'the notice is shown under the faces');
    assert.match(page.url(), /[?&]panel=faces/, 'the URL records the tab');
    const faces = await canvasPixels(page, '#face-grid canvas');
    assert.equal(faces.length, 16);
    faces.forEach((face, i) => assert.ok(looksLikeAFace(face), `grid face ${i} is blank or flat`));
    t.diagnostic(`first face grid at ${await page.evaluate(() => document.body.dataset.firstFaceMs)} ms after navigation`);

    // The tabs follow the keyboard, as a tablist should.
    await page.focus('#tab-faces');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.evaluate(() => [document.body.dataset.panel, document.activeElement.id].join()), 'digits,tab-digits');
    assert.equal(await page.isHidden('#faces'), true);
    assert.equal((await pageState(page)).state, 'ready');
    assert.deepEqual(consoleErrors(logs), []);
  } finally {
    await context.close();
  }
});

test('?panel=faces and #faces open the faces directly, without the digits\' weights', { skip, timeout: TIMEOUT }, async () => {
  for (const query of ['?panel=faces&backend=cpu', '?backend=cpu#faces']) {
    const requests = [];
    const { page, context } = await openReadyDemo(session, query, {
      setup: (page) => page.on('request', (request) => requests.push(new URL(request.url()).pathname)),
    });
    try {
      assert.equal(await page.evaluate(() => document.body.dataset.panel), 'faces', query);
      assert.equal(await page.getAttribute('#tab-faces', 'aria-selected'), 'true');
      assert.ok(!requests.some((path) => path.includes('/models/mnist')), `${query} fetched the digits' weights: ${requests}`);
      assert.ok(await page.evaluate(() => Boolean(window.jmvae.faces.model)));
    } finally {
      await context.close();
    }
  }
});

test('(a) toggling Eyeglasses, then Smiling, changes the faces; presets and Resample work', { skip, timeout: TIMEOUT }, async (t) => {
  const { page, context, logs } = await openFaces(session, '&backend=cpu');
  try {
    const labels = faceLabels();
    const first = PRESETS[0];
    assert.equal(await page.getAttribute(`#face-presets [data-preset="${first.name}"]`, 'aria-pressed'), 'true');
    const wanted = (names) => labels.filter((label) => names.includes(label));
    await gridShowing(page, wanted(first.present));
    const before = await canvasPixels(page, '#face-grid canvas');

    // A visitor clicks the chip's label (the checkbox inside it toggles).
    await page.click('label[for="want-Eyeglasses"]');
    await gridShowing(page, wanted([...first.present, 'Eyeglasses']));
    const glasses = await canvasPixels(page, '#face-grid canvas');
    const glassesDiff = meanPixelDifference(before, glasses);
    assert.equal(await page.getAttribute(`#face-presets [data-preset="${first.name}"]`, 'aria-pressed'), 'false');

    await page.click('label[for="want-Smiling"]');
    await gridShowing(page, wanted([...first.present, 'Eyeglasses']).filter((name) => name !== 'Smiling'));
    const serious = await canvasPixels(page, '#face-grid canvas');
    const smilingDiff = meanPixelDifference(glasses, serious);
    t.diagnostic(`mean |pixel change| over the 16 faces: Eyeglasses on ${glassesDiff.toFixed(2)}, Smiling off ${smilingDiff.toFixed(2)} (of 255)`);
    // Same seed, same noise: only the attributes moved the faces. A model that ignored them
    // would change nothing at all; a change of a level or more on average is visible.
    assert.ok(glassesDiff > 1, `Eyeglasses changed the faces by only ${glassesDiff} levels on average`);
    assert.ok(smilingDiff > 1, `Smiling changed the faces by only ${smilingDiff} levels on average`);

    await page.click('#face-presets [data-preset="Glasses"]');
    await gridShowing(page, wanted(PRESETS.find((p) => p.name === 'Glasses').present));
    assert.equal(await page.isChecked('#want-Eyeglasses'), true);
    assert.equal(await page.isChecked('#want-Smiling'), false);

    const seed = Number(await page.inputValue('#face-seed'));
    await page.click('#face-resample');
    await page.waitForSelector(`#face-grid[data-seed="${seed + 1}"]`, { timeout: 60_000 });
    assert.ok(meanPixelDifference(await canvasPixels(page, '#face-grid canvas'), serious) > 1, 'a new seed draws new faces');

    await page.click('#face-random');
    await page.waitForSelector(`#face-grid[data-seed="${seed + 2}"]`, { timeout: 60_000 });
    t.diagnostic(`Random (seed ${seed + 2}): ${await page.getAttribute('#face-grid', 'data-attributes')}`);
    assert.deepEqual(consoleErrors(logs), []);
  } finally {
    await context.close();
  }
});

// Runs in the page: for `attributes`, 16 faces from q(z|w) -> p(x|z), seed 7; each face encoded by
// q(z|x), and the means decoded into attribute probabilities p(w|z): what the model reads back
// from the faces it made. Returns the 16 x 40 probabilities, flat.
async function readBack(attributes) {
  const model = window.jmvae.faces.model;
  const out = await model.generate({ attributes: Float32Array.from(attributes) }, { samples: 16, seed: 7 });
  const size = out.image.length / 16;
  const means = [];
  for (let i = 0; i < 16; i++) means.push(...(await model.encode({ image: out.image.subarray(i * size, (i + 1) * size) })).mean);
  return Array.from((await model.decode(Float32Array.from(means))).attributes);
}

test('(b) the attributes read back from generated faces agree with those requested', { skip, timeout: TIMEOUT }, async (t) => {
  const { page, context } = await openFaces(session, '&backend=cpu');
  try {
    const labels = faceLabels();
    const n = labels.length;
    const total = { present: 0, presentAgree: 0, all: 0, allAgree: 0 };
    for (const preset of PRESETS) {
      const wanted = presetVector(labels, preset.present);
      const read = await page.evaluate(readBack, Array.from(wanted));
      let present = 0, presentAgree = 0, allAgree = 0;
      for (let face = 0; face < 16; face++) {
        for (let i = 0; i < n; i++) {
          const seen = read[face * n + i] > 0.5 ? 1 : 0;
          if (seen === wanted[i]) allAgree++;
          if (wanted[i] === 1) {
            present++;
            if (seen === 1) presentAgree++;
          }
        }
      }
      t.diagnostic(`${preset.name}: requested attributes read back ${(presentAgree / present * 100).toFixed(1)}% ` +
        `(${preset.present.length} attributes x 16 faces), all ${n}: ${(allAgree / (16 * n) * 100).toFixed(1)}%`);
      total.present += present;
      total.presentAgree += presentAgree;
      total.all += 16 * n;
      total.allAgree += allAgree;
    }
    const present = total.presentAgree / total.present;
    const all = total.allAgree / total.all;
    t.diagnostic(`over ${PRESETS.length} presets: requested attributes ${(present * 100).toFixed(1)}%, all ${n} ${(all * 100).toFixed(1)}%`);
    // An untrained model reads every attribute at about 1/2 either way: about 50% on both. A
    // model that makes faces from attributes shows the majority of those it was asked for,
    // and gets most of the 40 right (most are absent from any one face).
    assert.ok(present > 0.5, `only ${(present * 100).toFixed(1)}% of the requested attributes are read back from the faces`);
    assert.ok(all > 0.7, `only ${(all * 100).toFixed(1)}% of all attributes agree with the request`);
  } finally {
    await context.close();
  }
});

test('(c) a photo through the file input: 40 probabilities, a reconstruction, and an edit', { skip, timeout: TIMEOUT }, async (t) => {
  const { page, context, logs } = await openFaces(session, '&backend=cpu');
  try {
    const labels = faceLabels();
    const glasses = presetVector(labels, PRESETS.find((p) => p.name === 'Glasses').present);
    const png = await photoOfAFace(page, Array.from(glasses));
    assert.equal(await uploadFace(page, { name: 'portrait.png', mimeType: 'image/png', buffer: png }), '');

    const bars = await page.$$eval('#face-bars .bar', (rows) => rows.map((row) => ({ name: row.dataset.attribute, p: Number(row.dataset.p) })));
    assert.equal(bars.length, labels.length, 'one bar per attribute');
    assert.deepEqual(bars.map((bar) => bar.name).sort(), [...labels].sort());
    assert.ok(bars.every((bar) => bar.p >= 0 && bar.p <= 1), 'probabilities in [0, 1]');
    assert.ok(bars.every((bar, i) => i === 0 || bars[i - 1].p >= bar.p), 'most probable first');
    t.diagnostic(`read as: ${bars.filter((bar) => bar.p > 0.5).map((bar) => `${bar.name} ${(bar.p * 100).toFixed(0)}%`).join(', ')}`);
    assert.match(await page.innerText('#face-source'), /portrait\.png.*178×218/);

    // The page framed the photo as the trainer frames CelebA, so its input is the face that
    // was drawn into the photo's centre (enlarged 140/64 times there, and shrunk back).
    const [input, recon] = await canvasPixels(page, '#face-input, #face-recon');
    const original = await page.evaluate(async (attributes) => {
      const out = await window.jmvae.faces.model.generate({ attributes: Float32Array.from(attributes) }, { samples: 1, seed: 3 });
      return Array.from({ length: 64 * 64 * 4 }, (_, i) => (i % 4 === 3 ? 255 : Math.round(255 * out.image[(i % 4) * 4096 + (i >> 2)])));
    }, Array.from(glasses));
    const framing = meanPixelDifference([input], [original]);
    t.diagnostic(`model input vs the face in the photo: mean |diff| ${framing.toFixed(2)} levels`);
    assert.ok(framing < 6, `the model input is not the face in the photo's centre (mean |diff| ${framing})`);
    assert.ok(looksLikeAFace(recon), 'the reconstruction is drawn');

    // The editor starts from the predicted attributes (p > 1/2).
    await page.waitForSelector('#face-edit[data-loaded="1"]', { timeout: 60_000 });
    await page.waitForSelector('#edit-result[data-attributes]', { timeout: 60_000 });
    const predicted = bars.filter((bar) => bar.p > 0.5).map((bar) => bar.name);
    const toggled = await page.$$eval('#edit-toggles input:checked', (boxes) => boxes.map((box) => box.dataset.attribute));
    assert.deepEqual(toggled.sort(), [...predicted].sort());
    assert.equal(await page.isDisabled('#edit-strength'), false);

    // Unchanged attributes: the edit is the joint reconstruction.
    const [editRecon, unchanged] = await canvasPixels(page, '#edit-recon, #edit-result');
    assert.ok(meanPixelDifference([editRecon], [unchanged]) < 0.5, 'no change, no edit');

    // Toggle one attribute: the edited face moves, and more so at strength 2 than at 0.
    const attribute = predicted.includes('Smiling') ? 'Smiling' : 'Eyeglasses';
    const edited = labels.filter((label) => predicted.includes(label) !== (label === attribute)).join(',');
    await page.click(`label[for="edit-${attribute}"]`);
    await page.waitForFunction((want) => document.getElementById('edit-result').dataset.attributes === want, edited, { timeout: 60_000 });
    const strengths = {};
    for (const value of ['0', '2']) {
      await page.$eval('#edit-strength', (slider, v) => {
        slider.value = v;
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      }, value);
      await page.waitForSelector(`#edit-result[data-strength="${value}"]`, { timeout: 60_000 });
      strengths[value] = meanPixelDifference(await canvasPixels(page, '#edit-result'), [editRecon]);
    }
    t.diagnostic(`toggling ${attribute}: the edit moves the face by ${strengths['0'].toFixed(2)} (strength 0) and ${strengths['2'].toFixed(2)} (strength 2) levels`);
    assert.ok(strengths['2'] > 1, `toggling ${attribute} at strength 2 barely changed the face (${strengths['2']})`);
    assert.ok(strengths['2'] > strengths['0'], 'a stronger edit moves the face further');
    assert.match(await page.innerText('#edit-summary'), /(Added|Removed)/);

    await page.click('#edit-reset');
    await page.waitForSelector('#edit-result[data-strength="1"]', { timeout: 60_000 });
    assert.deepEqual(consoleErrors(logs), []);
  } finally {
    await context.close();
  }
});

/** Drop `buffer` as a file called `name` on the "Face -> attributes" panel, as a drag from the desktop would. */
async function dropFace(page, name, type, buffer) {
  await page.evaluate(({ name, type, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name, { type }));
    const panel = document.getElementById('face-read');
    for (const kind of ['dragenter', 'dragover', 'drop']) {
      panel.dispatchEvent(new DragEvent(kind, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, { name, type, base64: buffer.toString('base64') });
}

test('(c) a greyscale JPEG dropped on the panel works, and the page says it was greyscale', { skip, timeout: TIMEOUT }, async () => {
  const { page, context } = await openFaces(session, '&backend=cpu');
  try {
    const labels = faceLabels();
    const jpeg = await photoOfAFace(page, Array.from(presetVector(labels, PRESETS[0].present)), {
      type: 'image/jpeg', grey: true, width: 356, height: 436,
    });
    await dropFace(page, 'grey.jpg', 'image/jpeg', jpeg);
    await page.waitForSelector('#face-read[data-read="1"]', { timeout: 60_000 });
    assert.match(await page.innerText('#face-source'), /grey\.jpg.*356×436.*greyscale/s);
    assert.equal(await page.locator('#face-bars .bar').count(), labels.length);
    const [input] = await canvasPixels(page, '#face-input');
    const colourful = input.some((_, i) => i % 4 === 0 && Math.abs(input[i] - input[i + 1]) > 3);
    assert.equal(colourful, false, 'the model input is grey in all three channels');
  } finally {
    await context.close();
  }
});

test('picking a face the model made reads it and opens the editor', { skip, timeout: TIMEOUT }, async () => {
  const { page, context, logs } = await openFaces(session, '&backend=cpu');
  try {
    assert.equal(await page.locator('#face-examples button').count(), PRESETS.length);
    await page.click('#face-examples button[data-example="Blond"]');
    await page.waitForSelector('#face-edit[data-loaded="1"]', { timeout: 60_000 });
    assert.match(await page.innerText('#face-source'), /Blond/);
    // A face of the grid, too.
    await page.click('#face-grid button:nth-child(5)');
    await page.waitForSelector('#face-edit[data-loaded="2"]', { timeout: 60_000 });
    assert.match(await page.innerText('#face-source'), /face 5 of the grid/);
    const [original, recon] = await canvasPixels(page, '#edit-original, #edit-recon');
    assert.ok(looksLikeAFace(original) && looksLikeAFace(recon));
    assert.deepEqual(consoleErrors(logs), []);
  } finally {
    await context.close();
  }
});

test(`(d) CPU: the faces match the native trainer within ${TOLERANCE}`, { skip: skipUnless(PKG, FACES_MANIFEST, NATIVE_FACES), timeout: TIMEOUT }, async (t) => {
  const { page, context } = await openFaces(session, '&backend=cpu');
  try {
    await compareFacesWithNative(page, nativeFacesReference(), t);
  } finally {
    await context.close();
  }
});

test(`(d) CPU: the plain decoder's faces (?faces-model=) match the native trainer within ${TOLERANCE}`, { skip: skipUnless(PKG, PLAIN_FACES_MANIFEST, JMVAE_BIN), timeout: TIMEOUT }, async (t) => {
  const { page, context } = await openFaces(session, '&backend=cpu&faces-model=./models/celeba.json');
  try {
    await compareFacesWithNative(page, nativeFacesReference(PLAIN_FACES_MANIFEST), t);
  } finally {
    await context.close();
  }
});

test('the page says which decoder made the faces, and links the other', { skip: skipUnless(PKG, FACES_MANIFEST, PLAIN_FACES_MANIFEST), timeout: TIMEOUT }, async () => {
  const { page, context } = await openFaces(session, '&backend=cpu&seed=11');
  try {
    const note = () => page.evaluate(() => {
      const p = document.getElementById('faces-decoder');
      return { hidden: p.hidden, decoder: p.dataset.decoder, text: p.innerText, href: p.querySelector('a')?.href };
    });
    const gan = await note();
    assert.equal(gan.hidden, false);
    assert.equal(gan.decoder, 'gan');
    assert.match(gan.text, /JMVAE-GAN decoder/);
    const url = new URL(gan.href);
    assert.equal(url.searchParams.get('faces-model'), './models/celeba.json');
    assert.equal(url.searchParams.get('seed'), '11', 'the link keeps the faces shown');
    assert.match(await page.innerText('#faces-manifest'), /JMVAE-GAN decoder/, 'the weights panel names it too');

    await page.goto(gan.href);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 120_000 });
    const plain = await note();
    assert.equal(plain.decoder, 'likelihood');
    assert.match(plain.text, /plain decoder/);
    assert.equal(new URL(plain.href).searchParams.get('faces-model'), './models/celeba-gan.json');
  } finally {
    await context.close();
  }
});

test('on a phone: the faces tab fits the width, and a tap toggles an attribute', { skip, timeout: TIMEOUT }, async () => {
  const contextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const { page, context } = await openFaces(session, '&backend=cpu', { contextOptions });
  try {
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
    assert.ok(widths.page <= widths.screen, `the page is ${widths.page} px wide on a ${widths.screen} px screen`);
    const chip = await page.locator('label[for="want-Eyeglasses"]').boundingBox();
    assert.ok(chip.height >= 32, `a toggle is ${chip.height} px tall: too small for a finger`);
    await page.tap('label[for="want-Eyeglasses"]');
    await page.waitForFunction(() => document.getElementById('face-grid').dataset.attributes.includes('Eyeglasses'), null, { timeout: 60_000 });
  } finally {
    await context.close();
  }
});
