// The page under a strict Content-Security-Policy, as scripts/serve.mjs sends it by default:
// default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'. Digits and faces
// (generating, drawing, a photo upload) work with no violation reported (securitypolicyviolation
// events, console errors), and the fallback messages still show when page.js cannot load, when
// the browser has no modules, or no WebAssembly. The markup itself has no inline script, style or handler, which a Node check reads directly.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { canvasPixels, looksLikeAFace, photoOfAFace, uploadFace } from './faces-helpers.mjs';
import {
  FACES_MANIFEST, LOAD_TIMEOUT_MS, MANIFEST, PKG, ROOT, afterResult, canvasInk, createSession, inPanel, lastResult, looksLikeADigit, openDemo,
  openReadyDemo, pageState, skipUnless,
} from './helpers.mjs';
import { CSP } from '../../scripts/serve.mjs';

const session = createSession();
after(() => session.close());

const TIMEOUT = 10 * 60_000;
const POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

// Runs before the page's scripts: collect every violation the browser reports.
function collectViolations() {
  window.violations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.violations.push(`${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`);
  });
}

const setup = (page) => page.addInitScript(collectViolations);
const violations = (page) => page.evaluate(() => window.violations);
const consoleErrors = (logs) => logs.filter((line) => /^(error|pageerror):/.test(line));

test('index.html has no inline script, style or event handler', () => {
  const html = readFileSync(join(ROOT, 'www', 'index.html'), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  assert.doesNotMatch(html, /<style/i, 'no <style> element');
  assert.doesNotMatch(html, /\sstyle\s*=/i, 'no style= attribute');
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no onerror= / onclick= ... handler');
  assert.doesNotMatch(html, /javascript:/i);
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) assert.match(tag, /\ssrc=/, `a script from a file: ${tag}`);
  assert.doesNotMatch(html, /\b(href|src)="data:/i, 'no data: URLs (img-src \'self\' refuses them)');
});

test('serve.mjs sends the strict policy by default', { skip: skipUnless() }, async () => {
  assert.equal(CSP, POLICY);
  const { url } = await session.get();
  const response = await fetch(url);
  assert.equal(response.headers.get('content-security-policy'), POLICY);
});

test('digits and faces work under the strict CSP with no violation', { skip: skipUnless(PKG, MANIFEST, FACES_MANIFEST), timeout: TIMEOUT }, async (t) => {
  const { page, context, logs } = await openReadyDemo(session, '?backend=cpu', { setup });
  try {
    // Digits: the first grid, a label, a drawn stroke.
    await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-index="4"]')));
    assert.ok((await canvasInk(page, inPanel('generate', '.grid canvas'))).every(looksLikeADigit), 'the grid draws digits');
    const pad = page.locator(inPanel('read', 'canvas.pad'));
    await pad.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.jmvae.counts.read > 0, null, { timeout: 60_000 });
    const box = await pad.boundingBox();
    await afterResult(page, 'read', async (page) => {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.8, { steps: 10 });
      await page.mouse.up();
    });
    // The bars' widths are set from JS (element.style), which style-src 'self' allows.
    assert.ok(await page.$$eval(inPanel('read', '.bar .fill'), (fills) => fills.length === 10 && fills.some((fill) => fill.style.width !== '')));

    // Faces: the tab, a preset, a photo through the file input (decoded without a blob: <img>).
    await page.click('jmvae-demo [role="tab"][data-name="faces"]');
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: LOAD_TIMEOUT_MS });
    assert.equal((await pageState(page)).state, 'ready', (await pageState(page)).error);
    await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-preset="Blond"]')));
    assert.ok((await canvasPixels(page, inPanel('generate', '.grid canvas'))).every(looksLikeAFace), 'the grid draws faces');
    const photo = await photoOfAFace(page, new Array(40).fill(0));
    assert.equal(await uploadFace(page, { name: 'face.png', mimeType: 'image/png', buffer: photo }), '', 'the photo is read');
    assert.equal((await lastResult(page, 'read')).outputs.attributes.length, 40);

    t.diagnostic(`violations: ${JSON.stringify(await violations(page))}`);
    assert.deepEqual(await violations(page), [], 'no CSP violation');
    assert.deepEqual(consoleErrors(logs), [], 'no console error');

    // The listener does catch one: an inline style attribute set from JS is refused.
    await page.evaluate(() => document.body.setAttribute('style', 'outline: 1px solid red'));
    await page.waitForFunction(() => window.violations.length > 0, null, { timeout: 10_000 });
    assert.match((await violations(page))[0], /style-src/);
  } finally {
    await context.close();
  }
});

test('under the CSP, the fallback messages still show: no page.js, no modules, no WebAssembly', { skip: skipUnless(), timeout: TIMEOUT }, async () => {
  const notFound = (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
  const cases = [
    { what: 'page.js missing', prepare: () => {}, missing: true, expected: /page\.js could not be loaded/ },
    { what: 'a browser without modules', prepare: () => delete HTMLScriptElement.prototype.noModule, missing: true, expected: /does not run JavaScript modules/ },
    { what: 'a browser without WebAssembly', prepare: () => delete window.WebAssembly, missing: false, expected: /does not run WebAssembly/ },
  ];
  for (const { what, prepare, missing, expected } of cases) {
    const { page, context, state, error } = await openDemo(session, '', {
      setup: async (page) => {
        await setup(page);
        await page.addInitScript(prepare);
        if (missing) await page.route('**/www/page.js', notFound);
      },
    });
    try {
      assert.equal(state, 'error', what);
      assert.match(error, expected, what);
      assert.deepEqual(await violations(page), [], `${what}: no CSP violation`);
    } finally {
      await context.close();
    }
  }
});
