// (e) The page through real input: clicking a label draws 16 digits; a mouse stroke and a
// finger stroke on the read panel's pad give 10 label bars and a reconstruction; the walk's
// slider decodes; and the page fits a phone's width. The panels are <jmvae-panel>s inside the
// page's <jmvae-demo> (Playwright's CSS selectors pierce their shadow roots). On the CPU backend, for speed: the WebGPU path is
// webgpu.test.mjs's business.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { MANIFEST, PKG, afterResult, canvasInk, createSession, inPanel, looksLikeADigit, openReadyDemo, skipUnless } from './helpers.mjs';

const session = createSession();
after(() => session.close());

const skip = skipUnless(PKG, MANIFEST);

const PAD = inPanel('read', 'canvas.pad');

/** The read panel on screen, its first figure drawn. */
async function readPanelShown(page) {
  await page.locator(PAD).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => window.jmvae.counts.read > 0, null, { timeout: 60_000 });
}

/** A vertical stroke down the middle of the pad, as a list of page coordinates. */
async function verticalStroke(page) {
  const box = await page.locator(PAD).boundingBox();
  const x = box.x + box.width * 0.5;
  return Array.from({ length: 21 }, (_, i) => ({ x, y: box.y + box.height * (0.15 + (0.7 * i) / 20) }));
}

/** The 10 bars' probabilities. */
function barProbabilities(page) {
  return page.$$eval(inPanel('read', '.bar'), (bars) => bars.map((bar) => ({ label: bar.dataset.label, p: Number(bar.dataset.p) })));
}

function checkBars(bars) {
  assert.deepEqual(bars.map((bar) => bar.label), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const sum = bars.reduce((total, bar) => total + bar.p, 0);
  assert.ok(Math.abs(sum - 1) < 1e-3, `the bars' data-p sum to ${sum}, not 1`);
  return bars.reduce((best, bar) => (bar.p > best.p ? bar : best)).label;
}

test('the first digits are drawn, and the time of it is recorded', { skip, timeout: 5 * 60_000 }, async (t) => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    const firstMs = Number(await page.evaluate(() => document.body.dataset.firstResultMs));
    assert.ok(firstMs > 0, 'body[data-first-result-ms] is set');
    t.diagnostic(`first digits ${firstMs} ms after navigation start (CPU backend)`);
    assert.equal(await page.locator(inPanel('generate', '.grid canvas')).count(), 16);
  } finally {
    await context.close();
  }
});

test('clicking "3" draws 16 digits; Resample changes them', { skip, timeout: 5 * 60_000 }, async () => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    const three = inPanel('generate', 'button[data-index="3"]');
    await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-index="5"]'))); // away from the page's default, 3
    const drawn = await afterResult(page, 'generate', (page) => page.click(three));
    assert.equal(drawn.given.label, 3);
    const ink = await canvasInk(page, inPanel('generate', '.grid canvas'));
    assert.equal(ink.length, 16);
    ink.forEach((cell, i) => assert.ok(looksLikeADigit(cell), `grid cell ${i} looks blank or solid: ${JSON.stringify(cell)}`));
    assert.equal(await page.getAttribute(three, 'aria-pressed'), 'true');

    const before = await page.$eval(inPanel('generate', '.grid canvas'), (canvas) => canvas.toDataURL());
    const seed = Number(await page.inputValue(inPanel('generate', 'input[part="seed"]')));
    const resampled = await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[part~="resample"]')));
    assert.equal(resampled.seed, seed + 1);
    assert.equal(await page.inputValue(inPanel('generate', 'input[part="seed"]')), String(seed + 1));
    assert.notEqual(await page.$eval(inPanel('generate', '.grid canvas'), (canvas) => canvas.toDataURL()), before, 'a new seed draws new digits');
  } finally {
    await context.close();
  }
});

test('a mouse stroke on the pad gives 10 bars summing to 1 and a reconstruction; Clear empties the pad', { skip, timeout: 5 * 60_000 }, async (t) => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    await readPanelShown(page);
    const [start, ...rest] = await verticalStroke(page);
    await afterResult(page, 'read', async (page) => {
      await page.mouse.move(start.x, start.y);
      await page.mouse.down();
      for (const point of rest) await page.mouse.move(point.x, point.y);
      await page.mouse.up();
    });

    const best = checkBars(await barProbabilities(page));
    t.diagnostic(`a vertical stroke reads as ${best}`);
    assert.equal(best, '1', 'a single vertical stroke, scaled and centred like MNIST, is a 1');
    const [input, recon] = await canvasInk(page, inPanel('read', '.pair canvas'));
    assert.ok(looksLikeADigit(input), `the 28x28 input: ${JSON.stringify(input)}`);
    assert.ok(looksLikeADigit(recon), `the reconstruction: ${JSON.stringify(recon)}`);
    assert.equal(await page.locator(inPanel('read', '.outputs canvas')).count(), 0, 'one image modality: no other image is decoded');

    await page.click(inPanel('read', 'button[part~="clear"]'));
    assert.equal((await canvasInk(page, PAD))[0].dark, 0, 'the pad is empty');
  } finally {
    await context.close();
  }
});

test('the interpolation slider decodes the mix it is set to', { skip, timeout: 5 * 60_000 }, async () => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    const slider = inPanel('walk', 'input[type="range"]');
    await page.locator(slider).scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.jmvae.counts.walk > 0, null, { timeout: 60_000 });
    for (const value of [0, 1]) {
      const walked = await afterResult(page, 'walk', (page) => page.$eval(slider, (input, v) => {
        input.value = String(v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, value));
      assert.equal(walked.t, value);
      const [ink] = await canvasInk(page, inPanel('walk', '.tile:nth-child(2) canvas'));
      assert.ok(looksLikeADigit(ink), `the decoded mix at t=${value}: ${JSON.stringify(ink)}`);
    }
    // At t = 1 the mix is the "to" label's own latent, so it draws the right-hand end digit
    // (up to rounding: that one was decoded in a batch of two).
    const [mixed, end] = await page.$$eval(inPanel('walk', '.tile:nth-child(n+2) canvas'), (canvases) =>
      canvases.map((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)),
    );
    const worst = end.reduce((max, v, i) => Math.max(max, Math.abs(v - mixed[i])), 0);
    assert.ok(worst <= 2, `t = 1 differs from the "to" digit by ${worst}/255`);
  } finally {
    await context.close();
  }
});

test('on a phone: the page fits the width, and a finger draws', { skip, timeout: 5 * 60_000 }, async () => {
  const contextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const { page, context } = await openReadyDemo(session, '?backend=cpu', { contextOptions });
  try {
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
    assert.ok(widths.page <= widths.screen, `the page is ${widths.page} px wide on a ${widths.screen} px screen`);

    await readPanelShown(page);
    const scrolled = await page.evaluate(() => window.scrollY);
    const points = await verticalStroke(page);
    // Real touch input (not synthetic pointer events), as a finger on a touch screen sends it.
    const cdp = await context.newCDPSession(page);
    const touch = (type, point) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: point ? [point] : [] });
    await afterResult(page, 'read', async () => {
      await touch('touchStart', points[0]);
      for (const point of points.slice(1)) await touch('touchMove', point);
      await touch('touchEnd');
    });
    checkBars(await barProbabilities(page));
    assert.equal(await page.evaluate(() => window.scrollY), scrolled, 'drawing did not scroll the page');
  } finally {
    await context.close();
  }
});
