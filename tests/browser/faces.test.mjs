// The faces demo in real Chromium, on the CPU backend (WebGPU is faces-webgpu.test.mjs's). The
// faces are the second tab of the page's <jmvae-demo>, its panels <jmvae-panel>s built from the
// faces model's modalities (Playwright's CSS selectors pierce their shadow roots):
// - the faces tab loads its model lazily (digits visitors never download it), and ?panel=faces
//   or #faces opens it directly without the digits' weights;
// - (a) toggling Eyeglasses or Smiling changes the generated faces; presets, Resample, Random;
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
  openFaces, pagePresets, photoOfAFace, presetVector, uploadFace,
} from './faces-helpers.mjs';
import {
  FACES_MANIFEST, JMVAE_BIN, MANIFEST, NATIVE_FACES, PKG, PLAIN_FACES_MANIFEST, afterResult, createSession, inPanel, lastResult,
  openReadyDemo, pageState, skipUnless,
} from './helpers.mjs';

const session = createSession();
after(() => session.close());

const skip = skipUnless(PKG, FACES_MANIFEST);
const TIMEOUT = 5 * 60_000;
const PRESETS = pagePresets();
const GRID = inPanel('generate', '.grid canvas');

/** Console errors of a page's log (the page must have none on the happy path). */
const consoleErrors = (logs) => logs.filter((line) => /^(error|pageerror):/.test(line));

/** The names of the attributes present in a result's `given.attributes`. */
const presentIn = (vector, labels = faceLabels()) => labels.filter((_, i) => vector[i] >= 0.5);

/** Do `action` and return the names of the attributes the next grid was drawn from. */
async function gridAfter(page, action) {
  const drawn = await afterResult(page, 'generate', action, { timeout: 60_000 });
  return presentIn(drawn.given.attributes);
}

test('the faces tab loads its model only when first shown, once the digits are up', { skip: skipUnless(PKG, MANIFEST, FACES_MANIFEST), timeout: TIMEOUT }, async () => {
  const requests = [];
  const { page, context, logs } = await openReadyDemo(session, '?backend=cpu', {
    setup: (page) => page.on('request', (request) => requests.push(new URL(request.url()).pathname)),
  });
  try {
    assert.equal(await page.evaluate(() => document.body.dataset.panel), 'digits');
    assert.ok(!requests.some((path) => path.includes('celeba')), `the digits page fetched the faces model: ${requests}`);

    await page.click('jmvae-demo [role="tab"][data-name="faces"]');
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 120_000 });
    const state = await pageState(page);
    assert.deepEqual([state.state, state.panel, state.error], ['ready', 'faces', '']);
    assert.match(state.status, /CPU/, 'the status line names the backend');
    assert.ok(requests.some((path) => path.endsWith('/models/celeba-gan.safetensors')), 'the JMVAE-GAN faces weights are the default');
    assert.equal(requests.filter((path) => path.endsWith('_bg.wasm')).length, 1, 'the wasm package is loaded once');
    await page.waitForFunction(() => !document.getElementById('notice').hidden, null, { timeout: 10_000 });
    assert.match(await page.innerText('#notice'), /non-commercial/i, 'the notice is shown under the faces');
    assert.match(page.url(), /[?&]panel=faces/, 'the URL records the tab');
    const faces = await canvasPixels(page, GRID);
    assert.equal(faces.length, 16);
    faces.forEach((face, i) => assert.ok(looksLikeAFace(face), `grid face ${i} is blank or flat`));

    // The tabs follow the keyboard, as a tablist should.
    await page.focus('jmvae-demo [role="tab"][data-name="faces"]');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.evaluate(() => document.body.dataset.panel), 'digits');
    assert.equal(await page.evaluate(() => document.querySelector('jmvae-demo').shadowRoot.activeElement?.dataset.name), 'digits');
    assert.equal(await page.isHidden('jmvae-demo [role="tabpanel"]#tab-panel-1'), true);
    assert.equal(await page.isHidden('#notice'), true, 'the digits carry no notice');
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
      assert.equal(await page.getAttribute('jmvae-demo [role="tab"][data-name="faces"]', 'aria-selected'), 'true');
      assert.ok(!requests.some((path) => path.includes('/models/mnist')), `${query} fetched the digits' weights: ${requests}`);
      assert.ok(await page.evaluate(() => Boolean(window.jmvae.faces.model)));
    } finally {
      await context.close();
    }
  }
});

test('(a) toggling Eyeglasses, then Smiling, changes the faces; presets, Resample and Random work', { skip, timeout: TIMEOUT }, async (t) => {
  const { page, context, logs } = await openFaces(session, '&backend=cpu');
  try {
    const labels = faceLabels();
    const wanted = (names) => labels.filter((label) => names.includes(label));
    const first = PRESETS[0];
    assert.deepEqual(await gridAfter(page, (page) => page.click(inPanel('generate', `button[data-preset="${first.name}"]`))), wanted(first.present));
    const before = await canvasPixels(page, GRID);

    // A visitor clicks the chip (the checkbox inside it toggles).
    assert.deepEqual(await gridAfter(page, (page) => page.click(inPanel('generate', 'label.chip:has(input[data-attribute="Eyeglasses"])'))),
      wanted([...first.present, 'Eyeglasses']));
    const glasses = await canvasPixels(page, GRID);
    const glassesDiff = meanPixelDifference(before, glasses);

    assert.deepEqual(await gridAfter(page, (page) => page.click(inPanel('generate', 'label.chip:has(input[data-attribute="Smiling"])'))),
      wanted([...first.present, 'Eyeglasses']).filter((name) => name !== 'Smiling'));
    const serious = await canvasPixels(page, GRID);
    const smilingDiff = meanPixelDifference(glasses, serious);
    t.diagnostic(`mean |pixel change| over the 16 faces: Eyeglasses on ${glassesDiff.toFixed(2)}, Smiling off ${smilingDiff.toFixed(2)} (of 255)`);
    // Same seed, same noise: only the attributes moved the faces. A model that ignored them
    // would change nothing at all; a change of a level or more on average is visible.
    assert.ok(glassesDiff > 1, `Eyeglasses changed the faces by only ${glassesDiff} levels on average`);
    assert.ok(smilingDiff > 1, `Smiling changed the faces by only ${smilingDiff} levels on average`);

    const glassesPreset = PRESETS.find((p) => p.name === 'Glasses');
    assert.deepEqual(await gridAfter(page, (page) => page.click(inPanel('generate', 'button[data-preset="Glasses"]'))), wanted(glassesPreset.present));
    assert.equal(await page.isChecked(inPanel('generate', 'input[data-attribute="Eyeglasses"]')), true);
    assert.equal(await page.isChecked(inPanel('generate', 'input[data-attribute="Smiling"]')), false);

    const seed = Number(await page.inputValue(inPanel('generate', 'input[part="seed"]')));
    const resampled = await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[part~="resample"]')));
    assert.equal(resampled.seed, seed + 1);
    assert.ok(meanPixelDifference(await canvasPixels(page, GRID), serious) > 1, 'a new seed draws new faces');

    const random = await gridAfter(page, (page) => page.click(inPanel('generate', 'button[data-preset="Random"]')));
    t.diagnostic(`Random: ${random.join(', ')}`);
    assert.ok(random.length > 0 && random.length < labels.length);
    assert.deepEqual(await gridAfter(page, (page) => page.click(inPanel('generate', 'button[data-preset="Clear"]'))), []);
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

    const read = await lastResult(page, 'read');
    const probabilities = read.outputs.attributes;
    assert.equal(probabilities.length, labels.length, 'one probability per attribute');
    assert.ok(probabilities.every((p) => p >= 0 && p <= 1), 'probabilities in [0, 1]');
    const bars = await page.$$eval(inPanel('read', '.bar'), (rows) => rows.map((row) => ({ name: row.dataset.label, p: Number(row.dataset.p) })));
    assert.ok(bars.length >= 5, 'the most probable attributes are shown as bars');
    assert.ok(bars.every((bar, i) => i === 0 || bars[i - 1].p >= bar.p), 'most probable first');
    t.diagnostic(`read as: ${bars.filter((bar) => bar.p > 0.5).map((bar) => `${bar.name} ${(bar.p * 100).toFixed(0)}%`).join(', ')}`);

    // The page framed the photo as the trainer frames CelebA, so its input is the face that
    // was drawn into the photo's centre (enlarged 140/64 times there, and shrunk back).
    const [input, recon] = await canvasPixels(page, inPanel('read', '.pair canvas'));
    const original = await page.evaluate(async (attributes) => {
      const out = await window.jmvae.faces.model.generate({ attributes: Float32Array.from(attributes) }, { samples: 1, seed: 3 });
      return Array.from({ length: 64 * 64 * 4 }, (_, i) => (i % 4 === 3 ? 255 : Math.round(255 * out.image[(i % 4) * 4096 + (i >> 2)])));
    }, Array.from(glasses));
    const framing = meanPixelDifference([input], [original]);
    t.diagnostic(`model input vs the face in the photo: mean |diff| ${framing.toFixed(2)} levels`);
    assert.ok(framing < 6, `the model input is not the face in the photo's centre (mean |diff| ${framing})`);
    assert.ok(looksLikeAFace(recon), 'the reconstruction is drawn');

    // The editor starts from the predicted attributes (p > 1/2), with the page's given ones on.
    assert.equal(await uploadFace(page, { name: 'portrait.png', mimeType: 'image/png', buffer: png }, 'edit'), '');
    const predicted = labels.filter((_, i) => probabilities[i] > 0.5);
    const toggled = await page.$$eval(inPanel('edit', 'input[data-attribute]:checked'), (boxes) => boxes.map((box) => box.dataset.attribute));
    for (const name of predicted) assert.ok(toggled.includes(name), `${name} is read in the photo, so its toggle is on`);
    const [originalFace] = await canvasPixels(page, inPanel('edit', '.pair canvas'));

    // Toggle one attribute: the edited face moves, and more so at strength 2 than at 0.
    const attribute = toggled.includes('Smiling') ? 'Smiling' : 'Eyeglasses';
    const edited = await afterResult(page, 'edit', (page) => page.click(inPanel('edit', `label.chip:has(input[data-attribute="${attribute}"])`)));
    assert.equal(presentIn(edited.given.attributes).includes(attribute), !toggled.includes(attribute));
    const strengths = {};
    for (const value of [0, 2]) {
      await afterResult(page, 'edit', (page) => page.$eval(inPanel('edit', 'input[type="range"]'), (slider, v) => {
        slider.value = String(v);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      }, value));
      assert.equal((await lastResult(page, 'edit')).strength, value);
      strengths[value] = meanPixelDifference(await canvasPixels(page, inPanel('edit', '.pair .tile:nth-child(2) canvas')), [originalFace]);
    }
    t.diagnostic(`toggling ${attribute}: the edited face differs from the original by ${strengths[0].toFixed(2)} (strength 0) and ${strengths[2].toFixed(2)} (strength 2) levels`);
    assert.ok(strengths[2] > 1, `toggling ${attribute} at strength 2 barely changed the face (${strengths[2]})`);
    assert.ok(strengths[2] > strengths[0], 'a stronger edit moves the face further');
    assert.deepEqual(consoleErrors(logs), []);
  } finally {
    await context.close();
  }
});

/** Drop `buffer` as a file called `name` on the read panel's file control, as a drag from the desktop would. */
async function dropFace(page, name, type, buffer) {
  await page.locator(inPanel('read', 'label.file')).evaluate((target, { name, type, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name, { type }));
    for (const kind of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(kind, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, { name, type, base64: buffer.toString('base64') });
}

test('(c) a greyscale JPEG dropped on the panel works, and the model input is grey', { skip, timeout: TIMEOUT }, async () => {
  const { page, context } = await openFaces(session, '&backend=cpu');
  try {
    const labels = faceLabels();
    const jpeg = await photoOfAFace(page, Array.from(presetVector(labels, PRESETS[0].present)), {
      type: 'image/jpeg', grey: true, width: 356, height: 436,
    });
    await page.locator(inPanel('read', 'label.file')).scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.jmvae.faces.counts.read > 0, null, { timeout: 120_000 });
    const read = await afterResult(page, 'read', (page) => dropFace(page, 'grey.jpg', 'image/jpeg', jpeg));
    assert.equal(read.outputs.attributes.length, labels.length);
    const [input] = await canvasPixels(page, inPanel('read', '.pair canvas'));
    const colourful = input.some((_, i) => i % 4 === 0 && Math.abs(input[i] - input[i + 1]) > 3);
    assert.equal(colourful, false, 'the model input is grey in all three channels');
  } finally {
    await context.close();
  }
});

test('picking a face the model made reads it and opens it in the editor', { skip, timeout: TIMEOUT }, async () => {
  const { page, context, logs } = await openFaces(session, '&backend=cpu');
  try {
    const grid = await lastResult(page, 'generate');
    const size = grid.outputs.image.length / grid.samples;
    const fifth = grid.outputs.image.slice(4 * size, 5 * size);
    const edits = await page.evaluate(() => window.jmvae.faces.counts.edit ?? 0);
    const read = await afterResult(page, 'read', (page) => page.click(inPanel('generate', '.grid .tile:nth-child(5)')));
    assert.deepEqual(read.given.image, fifth, 'the read panel reads the face picked');
    // The editor draws the picked face once it is on screen (offscreen figures compute nothing).
    await page.locator(inPanel('edit', '.pair')).scrollIntoViewIfNeeded();
    await page.waitForFunction((edits) => window.jmvae.faces.counts.edit > edits, edits, { timeout: 120_000 });
    const [original, editedFace] = await canvasPixels(page, inPanel('edit', '.pair canvas'));
    assert.ok(looksLikeAFace(original) && looksLikeAFace(editedFace));
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

test('the weights panel says which decoder made the faces', { skip: skipUnless(PKG, FACES_MANIFEST, PLAIN_FACES_MANIFEST), timeout: TIMEOUT }, async () => {
  for (const [query, gan] of [['', true], ['&faces-model=./models/celeba.json', false]]) {
    const { page, context } = await openFaces(session, `&backend=cpu${query}`);
    try {
      await page.locator(inPanel('about', '.about')).scrollIntoViewIfNeeded();
      const about = await page.innerText(inPanel('about', '.about'));
      assert.equal(/JMVAE-GAN decoder/.test(about), gan, about);
    } finally {
      await context.close();
    }
  }
});

test('on a phone: the faces tab fits the width, and a tap toggles an attribute', { skip, timeout: TIMEOUT }, async () => {
  const contextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const { page, context } = await openFaces(session, '&backend=cpu', { contextOptions });
  try {
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
    assert.ok(widths.page <= widths.screen, `the page is ${widths.page} px wide on a ${widths.screen} px screen`);
    const chip = inPanel('generate', 'label.chip:has(input[data-attribute="Eyeglasses"])');
    await page.locator(chip).scrollIntoViewIfNeeded();
    const box = await page.locator(chip).boundingBox();
    assert.ok(box.height >= 32, `a toggle is ${box.height} px tall: too small for a finger`);
    const names = await gridAfter(page, (page) => page.tap(chip));
    assert.ok(names.includes('Eyeglasses'));
  } finally {
    await context.close();
  }
});
