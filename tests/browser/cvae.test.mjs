// The page given the CVAE baseline (?model=./models/mnist-cvae.json): label -> images works and
// matches the native sampler; the drawing panel says at once that a CVAE cannot read a drawing,
// and a stroke gets the model's own refusal in the error box, not bars; the walk between two
// labels mixes the labels at z = 0 and draws digits; decode(z), which a CVAE cannot do without
// its label, is refused with a message. On the CPU backend.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { JMVAE_BIN, PKG, ROOT, canvasInk, createSession, generateInPage, looksLikeADigit, maxAbsDiff, openReadyDemo, skipUnless } from './helpers.mjs';
import { CVAE_CANNOT_READ } from '../../www/digits/drawing-to-label.js';

const CVAE_MANIFEST = join(ROOT, 'www', 'models', 'mnist-cvae.json');
const QUERY = '?backend=cpu&model=./models/mnist-cvae.json';
const session = createSession();
after(() => session.close());

const skip = skipUnless(PKG, CVAE_MANIFEST, JMVAE_BIN);

test('a CVAE draws digits from a label as the native sampler does, and says it cannot read a drawing', { skip, timeout: 5 * 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jmvae-cvae-'));
  const { page, context } = await openReadyDemo(session, QUERY);
  try {
    const grid = await canvasInk(page, '#grid canvas');
    assert.equal(grid.length, 16);
    assert.ok(grid.every(looksLikeADigit), `the grid: ${JSON.stringify(grid)}`);
    // No read-back line: the CVAE has no p(w|z) to read its digits with.
    assert.equal(await page.$eval('#coherence', (line) => line.hidden), true);

    const native = join(dir, 'native.json');
    execFileSync(JMVAE_BIN, ['sample', '--manifest', CVAE_MANIFEST, '--label', '3', '--samples', '4', '--seed', '7', '--temperature', '1', '--json', native]);
    const expected = JSON.parse(readFileSync(native, 'utf8')).outputs[0].image;
    const here = await generateInPage(page, { label: 3 }, { samples: 4, seed: 7, temperature: 1 });
    const worst = maxAbsDiff(here.image, expected);
    t.diagnostic(`page vs native: ${worst}`);
    assert.ok(worst < 1e-4, `the page's digits differ from the native sampler's by ${worst}`);
    // The label comes back as given.
    assert.deepEqual(here.label.slice(0, 10), [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);

    assert.equal(await page.textContent('#prediction'), CVAE_CANNOT_READ);
    assert.match(await page.textContent('#generate-hint'), /this CVAE draws 16 latents from its prior/);
    assert.match(await page.textContent('#interp-hint'), /A CVAE's label sits beside z/);
    assert.match(await page.textContent('#temperature-hint'), /samples the CVAE's prior/);
    const box = await page.locator('#draw').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.15 + 0.035 * i));
    await page.mouse.up();
    await page.waitForFunction(() => !document.querySelector('[role="tabpanel"]:not([hidden]) .error').hidden, null, { timeout: 60_000 });
    const error = await page.$eval('[role="tabpanel"]:not([hidden]) .error', (e) => e.innerText);
    assert.match(error, /this is a CVAE: it generates `image` from `label` and has no p\(label\|z\)/);
    assert.equal(await page.locator('#bars .bar').count(), 0, 'no label bars for a drawing');
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', 'the refusal leaves the demo usable');

    const refused = await page.evaluate(() => window.jmvae.model.decode(new Float32Array(64)).then(() => 'decoded', (e) => String(e.message ?? e)));
    assert.match(refused, /this is a CVAE: it decodes z only together with `label`/);
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a CVAE's walk between two labels mixes the labels and draws a digit at each end and between", { skip, timeout: 5 * 60_000 }, async () => {
  const { page, context } = await openReadyDemo(session, QUERY);
  try {
    for (const value of ['0', '50', '100']) {
      await page.$eval('#interp', (slider, v) => {
        slider.value = v;
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      }, value);
      await page.waitForFunction((t) => document.getElementById('interp-digit').dataset.t === t, String(Number(value) / 100), { timeout: 60_000 });
    }
    const [start, middle, end] = await canvasInk(page, '#interp-start, #interp-digit, #interp-end');
    for (const ink of [start, middle, end]) assert.ok(looksLikeADigit(ink), JSON.stringify(ink));
    // At t = 1 the walk is the second label's digit at z = 0: the end canvas and the mix agree.
    const pixels = (id) => page.$eval(id, (c) => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data));
    assert.deepEqual(await pixels('#interp-digit'), await pixels('#interp-end'));
  } finally {
    await context.close();
  }
});
