// The demo shows models of other data with no code of their own (issue 23): ?model= a model
// trained from Fashion-MNIST's class folders, or one of three modalities (an MNIST digit, a
// Fashion-MNIST item of the same class, and the class). The panels follow each model's
// modalities: class buttons named by its folders, a generate and a read figure per image
// modality, and a read figure that draws the other image from the one given. CPU backend.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { PKG, ROOT, afterResult, canvasInk, createSession, inPanel, openReadyDemo, readJson, skipUnless } from './helpers.mjs';

const session = createSession();
after(() => session.close());

const TIMEOUT = 5 * 60_000;
const FASHION = join(ROOT, 'www', 'models', 'fashion.json');
const PAIRS = join(ROOT, 'www', 'models', 'digits-fashion.json');
const panelsOf = (page) => page.evaluate(() => document.getElementById('demo').panels.map((p) => [p.getAttribute('panel'), p.getAttribute('image')].filter(Boolean).join(':')));

test('?model= the Fashion-MNIST model: class buttons named by its folders, and a click draws that class', { skip: skipUnless(PKG, FASHION), timeout: TIMEOUT }, async () => {
  const { page, context, logs } = await openReadyDemo(session, '?backend=cpu&model=models/fashion.json');
  try {
    const labels = readJson(FASHION).config.modalities.find((m) => m.name === 'label').labels;
    assert.deepEqual(await panelsOf(page), ['generate', 'read', 'walk', 'latent', 'about']);
    assert.deepEqual(await page.$$eval(inPanel('generate', 'button[data-index]'), (buttons) => buttons.map((b) => b.textContent)), labels);
    const coat = labels.indexOf('Coat');
    const drawn = await afterResult(page, 'generate', (page) => page.click(inPanel('generate', `button[data-index="${coat}"]`)));
    assert.equal(drawn.given.label, coat);
    assert.ok((await canvasInk(page, inPanel('generate', '.grid canvas'))).every((ink) => ink.dark > 10), 'items are drawn');
    assert.match(new URL(page.url()).search, /[?&]label=Coat(&|$)/, 'the link names the class by its folder');
    assert.deepEqual(logs.filter((line) => /^(error|pageerror):/.test(line)), []);
  } finally {
    await context.close();
  }
});

test('?model= the three-modality model: a generate and a read figure per image, and a digit read into its item', { skip: skipUnless(PKG, PAIRS), timeout: TIMEOUT }, async () => {
  const { page, context, logs } = await openReadyDemo(session, '?backend=cpu&model=models/digits-fashion.json');
  try {
    assert.deepEqual(await panelsOf(page), ['generate', 'generate:fashion', 'read', 'read:fashion', 'walk', 'latent', 'about']);
    const items = 'jmvae-panel[panel="generate"][image="fashion"]:visible';
    await page.locator(items).scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.jmvae.counts['generate:fashion'] > 0, null, { timeout: 60_000 });
    const drawn = await afterResult(page, 'generate:fashion', (page) => page.click(`${items} button[data-index="7"]`));
    assert.equal(drawn.given.label, 7);
    assert.match(await page.locator(`${items} .status`).innerText(), /^fashion: 16 drawn from label 7/);

    // A digit drawn on the first read figure's pad: its label as bars, and the item it decodes to.
    const pad = page.locator('jmvae-panel[panel="read"]:not([image]):visible canvas.pad');
    await pad.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.jmvae.counts.read > 0, null, { timeout: 60_000 });
    const box = await pad.boundingBox();
    const read = await afterResult(page, 'read', async (page) => {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.85, { steps: 12 });
      await page.mouse.up();
    });
    assert.equal(read.outputs.fashion.length, 28 * 28, 'the item decoded from the digit');
    const [item] = await canvasInk(page, 'jmvae-panel[panel="read"]:not([image]):visible .outputs canvas');
    assert.ok(item.dark > 10, 'and drawn');
    assert.deepEqual(logs.filter((line) => /^(error|pageerror):/.test(line)), []);
  } finally {
    await context.close();
  }
});
