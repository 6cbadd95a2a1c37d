// Permalinks in the real page, on the CPU backend:
// - the URL follows the label, seed and temperature (digits) or the attributes, seed,
//   temperature and edit strength (faces) as they change, and reloading it draws the same
//   pixels with the same controls;
// - a link with unknown or malformed parameters still opens a working page, which names them in
//   a visible note and drops them from its URL;
// - Copy link copies location.href, or, without a clipboard, selects it in a text field;
// - the URL describes the tab shown, and each tab keeps its state across a switch.
// The figures are the <jmvae-panel>s of the page's <jmvae-demo>; page.js keeps the URL.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { canvasPixels, faceLabels, openFaces } from './faces-helpers.mjs';
import {
  FACES_MANIFEST, LOAD_TIMEOUT_MS, MANIFEST, PKG, afterResult, createSession, inPanel, lastResult, openReadyDemo, pageState, setInput, setRange, skipUnless,
} from './helpers.mjs';

const session = createSession();
after(() => session.close());

const TIMEOUT = 5 * 60_000;
const skip = skipUnless(PKG, MANIFEST);
const skipFaces = skipUnless(PKG, FACES_MANIFEST);

const query = (page) => new URL(page.url()).search;
const GRID = inPanel('generate', '.grid canvas');

/** Reload the page and wait until the demo shown is ready again. */
async function reload(page) {
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: LOAD_TIMEOUT_MS, polling: 100 });
  const state = await pageState(page);
  assert.equal(state.state, 'ready', `after the reload: ${state.error}`);
}

/** The note about ignored link parameters: its text, or null while it is hidden. */
function linkNote(page) {
  return page.evaluate(() => {
    const note = document.getElementById('link-note');
    return note.hidden || getComputedStyle(note).display === 'none' ? null : note.innerText;
  });
}

/** Wait until the shown tab's grid was drawn with `want` (given by name, seed, temperature). */
function drawnWith(page, want) {
  return page.waitForFunction((want) => {
    const hook = window.jmvae[document.body.dataset.panel];
    const last = hook.last.generate;
    if (!last) return false;
    const labels = Object.fromEntries(hook.model.modalities.map((m) => [m.name, m.labels]));
    const names = Object.fromEntries(Object.entries(last.given).map(([name, v]) => [name, typeof v === 'number' ? labels[name][v] : labels[name].filter((_, i) => v[i] >= 0.5).join(',')]));
    return Object.entries(want).every(([k, v]) => String(k in names ? names[k] : last[k]) === String(v));
  }, want, { timeout: 60_000, polling: 50 });
}

test('digits: label, seed and temperature go into the URL, and reloading it draws the same digits', { skip, timeout: TIMEOUT }, async () => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    await page.click(inPanel('generate', 'button[data-index="5"]'));
    await setInput(page, inPanel('generate', 'input[part="seed"]'), 11);
    await setRange(page, inPanel('generate', 'input[type="range"]'), 0.5);
    const shown = { label: 5, seed: 11, temperature: 0.5 };
    await drawnWith(page, shown);
    assert.equal(query(page), '?backend=cpu&label=5&seed=11&temperature=0.5');
    const before = await canvasPixels(page, GRID);

    await reload(page);
    await drawnWith(page, shown);
    assert.deepEqual(await canvasPixels(page, GRID), before, 'the same digits, pixel for pixel');
    assert.equal(await page.getAttribute(inPanel('generate', 'button[data-index="5"]'), 'aria-pressed'), 'true');
    assert.equal(await page.inputValue(inPanel('generate', 'input[part="seed"]')), '11');
    assert.equal(await page.inputValue(inPanel('generate', 'input[type="range"]')), '0.5');
    assert.equal(await page.innerText(inPanel('generate', '.slider output')), '0.50');
    assert.equal(await linkNote(page), null, 'a good link gets no note');
    assert.equal(query(page), '?backend=cpu&label=5&seed=11&temperature=0.5');

    // A fresh browser context (nothing kept from the first) opening the same link.
    const other = await openReadyDemo(session, query(page));
    try {
      await drawnWith(other.page, shown);
      assert.deepEqual(await canvasPixels(other.page, GRID), before);
    } finally {
      await other.context.close();
    }
  } finally {
    await context.close();
  }
});

test('faces: attributes, seed, temperature and strength go into the URL, and reloading it draws the same faces', {
  skip: skipFaces, timeout: TIMEOUT,
}, async () => {
  const { page, context } = await openFaces(session, '&backend=cpu');
  try {
    const labels = faceLabels();
    const glasses = ['Male', 'Eyeglasses', 'No_Beard', 'Young', 'Straight_Hair', 'Black_Hair'];
    const wanted = labels.filter((label) => [...glasses, 'Smiling'].includes(label));
    await page.click(inPanel('generate', 'button[data-preset="Glasses"]'));
    await page.click(inPanel('generate', 'input[data-attribute="Smiling"]'));
    await setInput(page, inPanel('generate', 'input[part="seed"]'), 5);
    await setRange(page, inPanel('generate', 'input[type="range"]'), 0.65);
    await page.locator(inPanel('edit', 'input[type="range"]')).scrollIntoViewIfNeeded();
    await setRange(page, inPanel('edit', 'input[type="range"]'), 1.5);
    await page.waitForFunction(() => window.jmvae.faces.last.edit?.strength === 1.5, null, { timeout: 120_000 });
    const shown = { attributes: wanted.join(','), seed: 5, temperature: 0.65 };
    await drawnWith(page, shown);
    const expected = `?backend=cpu&panel=faces&attributes=${wanted.join(',')}&seed=5&temperature=0.65&strength=1.5`;
    assert.equal(query(page), expected);
    const before = await canvasPixels(page, GRID);

    await reload(page);
    await drawnWith(page, shown);
    assert.deepEqual(await canvasPixels(page, GRID), before, 'the same faces, pixel for pixel');
    const checked = await page.$$eval(inPanel('generate', 'input[data-attribute]:checked'), (boxes) => boxes.map((box) => box.dataset.attribute));
    assert.deepEqual(checked.sort(), [...wanted].sort());
    assert.equal(await page.inputValue(inPanel('generate', 'input[part="seed"]')), '5');
    assert.equal(await page.innerText(inPanel('generate', '.slider output')), '0.65');
    assert.equal(await page.inputValue(inPanel('edit', 'input[type="range"]')), '1.5');
    assert.equal(await page.innerText(inPanel('edit', '.slider output')), '1.5');

    // The strength of the link is the one a picked face is edited with.
    const edited = await afterResult(page, 'edit', (page) => page.click(inPanel('generate', '.grid .tile:nth-child(2)')));
    assert.equal(edited.strength, 1.5);
    assert.equal(query(page), expected);
  } finally {
    await context.close();
  }
});

test('a link with bad parameters still opens the page, names them, and drops them', { skip, timeout: TIMEOUT }, async () => {
  const { page, context, logs } = await openReadyDemo(session, '?backend=cpu&label=12&temperature=abc&seed=x&foo=1');
  try {
    await page.waitForFunction(() => document.getElementById('link-note').innerText.includes('foo'), null, { timeout: 60_000 });
    const note = await linkNote(page);
    for (const part of ['label=12', 'temperature="abc"', 'seed="x"', 'foo=1']) assert.ok(note.includes(part), `the note names ${part}: ${note}`);
    // The defaults instead, and a working page.
    const tau = await page.evaluate(() => window.jmvae.model.defaultTemperature ?? 1);
    await drawnWith(page, { label: 0, seed: 7 });
    assert.equal((await pageState(page)).error, '');
    assert.equal(query(page), `?backend=cpu&label=0&seed=7&temperature=${tau}`, 'the URL holds what is shown');
    await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-index="4"]')));
    assert.deepEqual(logs.filter((line) => /^(error|pageerror):/.test(line)), []);
  } finally {
    await context.close();
  }

  for (const [link, named] of [['&temperature=-1', 'temperature="-1"'], ['&temperature=2', 'temperature="2"']]) {
    const opened = await openReadyDemo(session, `?backend=cpu${link}`);
    try {
      await opened.page.waitForFunction(() => !document.getElementById('link-note').hidden, null, { timeout: 60_000 });
      const text = await linkNote(opened.page);
      assert.ok(text?.includes(named), `${link}: the note should name ${named}: ${text}`);
      assert.equal(await opened.page.evaluate(() => document.body.dataset.panel), 'digits');
    } finally {
      await opened.context.close();
    }
  }
  const cats = await openReadyDemo(session, '?backend=cpu&panel=cats');
  assert.equal(await cats.page.evaluate(() => document.body.dataset.panel), 'digits', 'an unknown tab opens the first');
  await cats.context.close();
});

test('a faces link with an unknown attribute and a bad strength uses the defaults and names those', { skip: skipFaces, timeout: TIMEOUT }, async () => {
  const { page, context } = await openFaces(session, '&backend=cpu&attributes=Smiling,Not_An_Attribute&strength=9&label=3');
  try {
    await page.waitForFunction(() => /strength/.test(document.getElementById('link-note').innerText) && /label=3/.test(document.getElementById('link-note').innerText), null, { timeout: 120_000 });
    const note = await linkNote(page);
    for (const part of ['no attribute `Not_An_Attribute`', 'strength="9" is not a number from 0 to 2', 'Ignored label=3']) {
      assert.ok(note?.includes(part), `the note names ${part}: ${note}`);
    }
    await page.locator(inPanel('edit', 'input[type="range"]')).scrollIntoViewIfNeeded();
    assert.equal(await page.inputValue(inPanel('edit', 'input[type="range"]')), '1');
  } finally {
    await context.close();
  }
});

test('Copy link copies location.href and says so', { skip, timeout: TIMEOUT }, async () => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu&label=6', {
    contextOptions: { permissions: ['clipboard-read', 'clipboard-write'] },
  });
  try {
    assert.equal((await lastResult(page, 'generate')).given.label, 6);
    await page.click('#copy-link');
    await page.waitForFunction(() => document.getElementById('copy-status').textContent === 'Copied', null, { timeout: 10_000 });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, page.url());
    assert.match(copied, /[?&]label=6&seed=7&temperature=/);
    assert.equal(await page.isHidden('#link-field'), true, 'no fallback field when the clipboard worked');
  } finally {
    await context.close();
  }
});

test('without a clipboard, Copy link selects the link in a text field', { skip, timeout: TIMEOUT }, async () => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu', {
    setup: (page) => page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined })),
  });
  try {
    assert.equal(await page.evaluate(() => navigator.clipboard), undefined);
    await page.click('#copy-link');
    const field = await page.evaluate(() => {
      const input = document.getElementById('link-field');
      return {
        hidden: input.hidden, value: input.value, focused: document.activeElement === input,
        selected: [input.selectionStart, input.selectionEnd], status: document.getElementById('copy-status').textContent,
      };
    });
    assert.equal(field.hidden, false, 'the field is shown');
    assert.equal(field.value, page.url());
    assert.equal(field.focused, true);
    assert.deepEqual(field.selected, [0, field.value.length], 'the whole link is selected');
    assert.match(field.status, /Copied|Ctrl\+C/);
  } finally {
    await context.close();
  }
});

test('the URL describes the tab shown; each tab keeps its state across a switch', { skip: skipFaces, timeout: TIMEOUT }, async () => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu&label=8&seed=3');
  try {
    await drawnWith(page, { label: 8, seed: 3 });
    const digits = query(page);
    assert.match(digits, /^\?backend=cpu&label=8&seed=3&temperature=[\d.]+$/);
    await page.click('jmvae-demo [role="tab"][data-name="faces"]');
    await page.waitForFunction(() => document.body.dataset.state === 'ready' && window.jmvae.faces.last.generate, null, { timeout: 120_000 });
    assert.match(query(page), /^\?backend=cpu&panel=faces&attributes=[\w,]+&seed=3&temperature=[\d.]+/);
    await page.click('jmvae-demo [role="tab"][data-name="digits"]');
    assert.equal(query(page), digits, 'back on the digits, their state again');
  } finally {
    await context.close();
  }
});
