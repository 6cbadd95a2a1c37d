// The page given the CVAE baseline (?model=./models/mnist-cvae.json): label -> images works and
// matches the native sampler; the demo offers only the panels a CVAE can serve (no reading of a
// drawing: it has no p(label|z)), and a read panel asked for says why; the walk between two
// labels mixes the labels at z = 0 and draws digits; decode(z), which a CVAE cannot do without
// its label, is refused with a message. On the CPU backend.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import {
  JMVAE_BIN, PKG, ROOT, afterResult, canvasInk, createSession, generateInPage, inPanel, looksLikeADigit, maxAbsDiff, openReadyDemo, skipUnless,
} from './helpers.mjs';

const CVAE_MANIFEST = join(ROOT, 'www', 'models', 'mnist-cvae.json');
const QUERY = '?backend=cpu&model=./models/mnist-cvae.json';
const session = createSession();
after(() => session.close());

const skip = skipUnless(PKG, CVAE_MANIFEST, JMVAE_BIN);

test('a CVAE draws digits from a label as the native sampler does, and says it cannot read a drawing', { skip, timeout: 5 * 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jmvae-cvae-'));
  const { page, context } = await openReadyDemo(session, QUERY);
  try {
    const grid = await canvasInk(page, inPanel('generate', '.grid canvas'));
    assert.equal(grid.length, 16);
    assert.ok(grid.every(looksLikeADigit), `the grid: ${JSON.stringify(grid)}`);
    // No read-back badges: the CVAE has no p(w|z) to read its digits with.
    assert.deepEqual(new Set(await page.$$eval(inPanel('generate', '.badge'), (nodes) => nodes.map((n) => n.textContent))), new Set(['']));

    const native = join(dir, 'native.json');
    execFileSync(JMVAE_BIN, ['sample', '--manifest', CVAE_MANIFEST, '--label', '3', '--samples', '4', '--seed', '7', '--temperature', '1', '--json', native]);
    const expected = JSON.parse(readFileSync(native, 'utf8')).outputs[0].image;
    const here = await generateInPage(page, { label: 3 }, { samples: 4, seed: 7, temperature: 1 });
    const worst = maxAbsDiff(here.image, expected);
    t.diagnostic(`page vs native: ${worst}`);
    assert.ok(worst < 1e-4, `the page's digits differ from the native sampler's by ${worst}`);
    // The label comes back as given.
    assert.deepEqual(here.label.slice(0, 10), [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);

    // The panels a CVAE can serve, and a read panel asked for says why not.
    assert.deepEqual(await page.evaluate(() => document.getElementById('demo').panels.map((p) => p.getAttribute('panel'))), ['generate', 'walk', 'about']);
    const note = await page.evaluate(async () => {
      const figure = document.createElement('jmvae-panel');
      Object.assign(figure, { model: 'models/mnist-cvae.json', panel: 'read', backend: 'cpu', loading: 'eager' });
      const failed = new Promise((resolve) => figure.addEventListener('error', (event) => resolve(event.detail)));
      document.body.append(figure);
      return failed;
    });
    assert.equal(note.type, 'input');
    assert.match(note.message, /this model is a CVAE; it is given `label` and cannot read it from an image/);

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
    const slider = inPanel('walk', 'input[type="range"]');
    await page.locator(slider).scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.jmvae.counts.walk > 0, null, { timeout: 60_000 });
    for (const value of [0, 0.5, 1]) {
      const walked = await afterResult(page, 'walk', (page) => page.$eval(slider, (input, v) => {
        input.value = String(v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, value));
      assert.equal(walked.t, value);
    }
    const [start, middle, end] = await canvasInk(page, inPanel('walk', '.tile canvas'));
    for (const ink of [start, middle, end]) assert.ok(looksLikeADigit(ink), JSON.stringify(ink));
    // At t = 1 the walk is the second label's digit at z = 0: the end canvas and the mix agree.
    const [mixed, last] = await page.$$eval(inPanel('walk', '.tile:nth-child(n+2) canvas'), (canvases) =>
      canvases.map((c) => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data)));
    assert.deepEqual(mixed, last);
  } finally {
    await context.close();
  }
});
