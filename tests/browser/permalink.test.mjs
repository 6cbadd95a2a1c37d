// Permalinks in the real page, on the CPU backend (the rules themselves are
// permalink-helpers.test.mjs's, in Node):
// - the URL follows the label, seed and temperature (digits) or the attributes, seed,
//   temperature and edit strength (faces) as they change, and reloading it draws the same
//   pixels with the same controls;
// - a link with unknown or malformed parameters still opens a working page, which names them in
//   a visible note and drops them from its URL;
// - Copy link copies location.href, or, without a clipboard, selects it in a text field;
// - the URL describes the tab shown, and each tab keeps its state across a switch.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { canvasPixels, faceLabels, openFaces } from './faces-helpers.mjs';
import {
  FACES_MANIFEST, LOAD_TIMEOUT_MS, MANIFEST, PKG, createSession, openReadyDemo, pageState, setInput, setRange, skipUnless,
} from './helpers.mjs';
import { PRESETS } from '../../www/faces/attribute-presets.js';

const session = createSession();
after(() => session.close());

const TIMEOUT = 5 * 60_000;
const skip = skipUnless(PKG, MANIFEST);
const skipFaces = skipUnless(PKG, FACES_MANIFEST);

const query = (page) => new URL(page.url()).search;

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

test('digits: label, seed and temperature go into the URL, and reloading it draws the same digits', { skip, timeout: TIMEOUT }, async () => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu');
  try {
    await page.click('#labels button[data-label="3"]');
    await setInput(page, '#seed', 11);
    await setRange(page, '#temperature', 0.5);
    const shown = '#grid[data-label="3"][data-seed="11"][data-temperature="0.5"]';
    await page.waitForSelector(shown, { timeout: 60_000 });
    assert.equal(query(page), '?backend=cpu&label=3&seed=11&temperature=0.5');
    const before = await canvasPixels(page, '#grid canvas');

    await reload(page);
    await page.waitForSelector(shown, { timeout: 60_000 });
    assert.deepEqual(await canvasPixels(page, '#grid canvas'), before, 'the same digits, pixel for pixel');
    assert.equal(await page.getAttribute('#labels button[data-label="3"]', 'aria-pressed'), 'true');
    assert.equal(await page.inputValue('#seed'), '11');
    assert.equal(await page.inputValue('#temperature'), '0.5');
    assert.equal(await page.innerText('#temperature-value'), '0.50');
    assert.equal(await linkNote(page), null, 'a good link gets no note');
    assert.equal(query(page), '?backend=cpu&label=3&seed=11&temperature=0.5');

    // A fresh browser context (nothing kept from the first) opening the same link.
    const other = await openReadyDemo(session, query(page));
    try {
      await other.page.waitForSelector(shown, { timeout: 60_000 });
      assert.deepEqual(await canvasPixels(other.page, '#grid canvas'), before);
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
    const glasses = PRESETS.find((preset) => preset.name === 'Glasses');
    const wanted = labels.filter((label) => [...glasses.present, 'Smiling'].includes(label));
    await page.click('#face-presets [data-preset="Glasses"]');
    await page.click('label[for="want-Smiling"]');
    await setInput(page, '#face-seed', 5);
    await setRange(page, '#face-temperature', 0.65);
    await setRange(page, '#edit-strength', 1.5);
    const shown = `#face-grid[data-attributes="${wanted.join(',')}"][data-seed="5"][data-temperature="0.65"]`;
    await page.waitForSelector(shown, { timeout: 60_000 });
    const expected = `?backend=cpu&panel=faces&attributes=${wanted.join(',')}&seed=5&temperature=0.65&strength=1.5`;
    assert.equal(query(page), expected);
    const before = await canvasPixels(page, '#face-grid canvas');

    await reload(page);
    await page.waitForSelector(shown, { timeout: 60_000 });
    assert.deepEqual(await canvasPixels(page, '#face-grid canvas'), before, 'the same faces, pixel for pixel');
    const checked = await page.$$eval('#face-toggles input:checked', (boxes) => boxes.map((box) => box.dataset.attribute));
    assert.deepEqual(checked.sort(), [...wanted].sort());
    assert.equal(await page.inputValue('#face-seed'), '5');
    assert.equal(await page.innerText('#face-temperature-value'), '0.65');
    assert.equal(await page.inputValue('#edit-strength'), '1.5');
    assert.equal(await page.innerText('#edit-strength-value'), '1.5');
    assert.equal(query(page), expected);

    // The strength of the link is the one a picked face is edited with.
    await page.click('#face-grid button:nth-child(2)');
    await page.waitForSelector('#edit-result[data-strength="1.5"]', { timeout: 60_000 });
  } finally {
    await context.close();
  }
});

test('a link with bad parameters still opens the page, names them, and drops them', { skip, timeout: TIMEOUT }, async () => {
  const { page, context, logs } = await openReadyDemo(session, '?backend=cpu&label=12&temperature=abc&seed=x&foo=1');
  try {
    const note = await linkNote(page);
    assert.ok(note, 'the note is visible');
    for (const part of ['label=12 (a digit 0–9)', 'temperature=abc', 'seed=x', 'foo (unknown)']) {
      assert.ok(note.includes(part), `the note names ${part}: ${note}`);
    }
    assert.match(note, /^Ignored link parameters:/);
    // The defaults instead, and a working page.
    const tau = await page.evaluate(() => window.jmvae.model.defaultTemperature ?? 1);
    await page.waitForSelector('#grid[data-label="0"][data-seed="7"]', { timeout: 60_000 });
    assert.equal((await pageState(page)).error, '');
    assert.equal(query(page), `?backend=cpu&label=0&seed=7&temperature=${Number(tau.toFixed(6))}`, 'the URL holds what is shown');
    await page.click('#labels button[data-label="4"]');
    await page.waitForSelector('#grid[data-label="4"]', { timeout: 60_000 });
    assert.deepEqual(logs.filter((line) => /^(error|pageerror):/.test(line)), []);
  } finally {
    await context.close();
  }

  for (const [link, named] of [['&temperature=-1', 'temperature=-1'], ['&temperature=2', 'temperature=2'], ['&label=3&label=4', 'label=4 (repeated)'],
    ['&panel=cats', 'panel=cats']]) {
    const opened = await openReadyDemo(session, `?backend=cpu${link}`);
    try {
      const text = await linkNote(opened.page);
      assert.ok(text?.includes(named), `${link}: the note should name ${named}: ${text}`);
      assert.equal(await opened.page.evaluate(() => document.body.dataset.panel), 'digits');
    } finally {
      await opened.context.close();
    }
  }
});

test('a faces link with an unknown attribute and a bad strength uses the rest and names those', { skip: skipFaces, timeout: TIMEOUT }, async () => {
  const { page, context } = await openFaces(session, '&backend=cpu&attributes=Smiling,Not_An_Attribute&strength=9&label=3');
  try {
    const note = await linkNote(page);
    for (const part of ['attributes=Not_An_Attribute (no such attribute)', 'strength=9 (a number from 0 to 2)', 'label=3']) {
      assert.ok(note?.includes(part), `the note names ${part}: ${note}`);
    }
    await page.waitForSelector('#face-grid[data-attributes="Smiling"]', { timeout: 60_000 });
    assert.equal(await page.inputValue('#edit-strength'), '1');
    assert.match(query(page), /^\?backend=cpu&panel=faces&attributes=Smiling&seed=7&temperature=[\d.]+&strength=1$/);
  } finally {
    await context.close();
  }
});

test('Copy link copies location.href and says so', { skip, timeout: TIMEOUT }, async () => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu&label=6', {
    contextOptions: { permissions: ['clipboard-read', 'clipboard-write'] },
  });
  try {
    await page.waitForSelector('#grid[data-label="6"]', { timeout: 60_000 });
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
    await page.waitForSelector('#grid[data-label="8"][data-seed="3"]', { timeout: 60_000 });
    const digits = query(page);
    assert.match(digits, /^\?backend=cpu&label=8&seed=3&temperature=[\d.]+$/);
    await page.click('#tab-faces');
    await page.waitForFunction(() => document.body.dataset.state === 'ready' && document.getElementById('face-grid').dataset.seed, null, {
      timeout: 120_000,
    });
    assert.match(query(page), /^\?backend=cpu&panel=faces&attributes=[\w,]+&seed=7&temperature=[\d.]+&strength=1$/);
    await page.click('#tab-digits');
    assert.equal(query(page), digits, 'back on the digits, their state again');
  } finally {
    await context.close();
  }
});
