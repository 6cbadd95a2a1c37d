// The permalink rules of www/permalink.js, in Node (no browser): what a URL's query asks of
// each tab, what is ignored and how the note names it, the URL written back for a state, and
// that reading what was written gives the state again. The page's use of them (the same
// images after a reload, the note on screen, Copy link) is permalink.test.mjs's.

import assert from 'node:assert/strict';
import test from 'node:test';

import { decimals } from '../../www/shared/format.js';
import {
  MAX_SEED, TAB_PARAMS, TEMPERATURE, checkAttributeNames, describeIgnored, formatNumber, linkUrl, parseLink,
} from '../../www/shared/permalink.js';

const PAGE = 'http://h/www/';
const names = (ignored) => ignored.map(({ name, value }) => (value === null ? name : `${name}=${value}`));

test('a digits link: label, seed and temperature', () => {
  assert.deepEqual(parseLink('?label=3&seed=11&temperature=0.5'), {
    panel: 'digits', digits: { label: 3, seed: 11, temperature: 0.5 }, faces: {}, ignored: [],
  });
  assert.deepEqual(parseLink(''), { panel: 'digits', digits: {}, faces: {}, ignored: [] }, 'no link: the defaults');
  // The edges of each range are allowed.
  assert.deepEqual(parseLink(`?label=0&seed=${MAX_SEED}&temperature=${TEMPERATURE.max}`).digits, { label: 0, seed: MAX_SEED, temperature: 1.5 });
  assert.deepEqual(parseLink('?label=9&seed=0&temperature=0').digits, { label: 9, seed: 0, temperature: 0 });
  assert.deepEqual(parseLink('?temperature=.25').digits, { temperature: 0.25 });
});

test('a faces link: attributes, seed, temperature and strength; #faces and ?panel= pick the tab', () => {
  const link = parseLink('?panel=faces&attributes=Smiling,No_Beard&seed=3&temperature=0.75&strength=1.5');
  assert.deepEqual(link, {
    panel: 'faces', digits: {}, ignored: [],
    faces: { attributes: ['Smiling', 'No_Beard'], seed: 3, temperature: 0.75, strength: 1.5 },
  });
  assert.deepEqual(parseLink('?attributes=Male', '#faces').faces, { attributes: ['Male'] });
  assert.deepEqual(parseLink('?panel=FACES&attributes=').faces, { attributes: [] }, 'no attribute at all is a state too');
  assert.deepEqual(parseLink('?panel=faces&attributes=Male%2CYoung').faces, { attributes: ['Male', 'Young'] }, 'an escaped comma');
  assert.equal(parseLink('?panel=faces', '#digits').panel, 'digits', 'the hash wins, as before');
});

test('bad values, unknown names, repeats and the other tab\'s parameters are ignored, and named', () => {
  const link = parseLink('?label=12&temperature=abc&seed=x&foo=1&backend=cpu');
  assert.deepEqual(link.digits, {});
  assert.deepEqual(names(link.ignored), ['label=12', 'temperature=abc', 'seed=x', 'foo']);
  assert.equal(
    describeIgnored(link.ignored),
    'Ignored link parameters: label=12 (a digit 0–9), temperature=abc (a number from 0 to 1.5), '
      + 'seed=x (a whole number from 0 to 1,000,000), foo (unknown).',
  );
  for (const bad of ['-1', '1.6', '1e-1', 'Infinity', 'NaN', '0x1', '', ' 0.5', '1,5']) {
    const { digits, ignored } = parseLink(`?temperature=${encodeURIComponent(bad)}`);
    assert.deepEqual(digits, {}, `temperature=${bad}`);
    assert.deepEqual(names(ignored), [`temperature=${bad}`]);
  }
  for (const bad of ['-1', '2.5', `${MAX_SEED + 1}`, 'x', '']) assert.deepEqual(parseLink(`?seed=${bad}`).digits, {}, `seed=${bad}`);
  for (const bad of ['10', '-1', '3.0', 'three']) assert.deepEqual(parseLink(`?label=${bad}`).digits, {}, `label=${bad}`);

  // Good parameters beside bad ones still apply.
  assert.deepEqual(parseLink('?label=4&seed=oops').digits, { label: 4 });
  // The first of a repeated parameter counts.
  const repeated = parseLink('?label=4&label=5');
  assert.deepEqual([repeated.digits, names(repeated.ignored)], [{ label: 4 }, ['label=5']]);
  assert.match(describeIgnored(repeated.ignored), /label=5 \(repeated\)/);
  // A parameter of the tab the link does not open.
  const other = parseLink('?label=3&attributes=Smiling');
  assert.deepEqual([other.panel, other.digits, other.faces], ['digits', { label: 3 }, {}]);
  assert.equal(describeIgnored(other.ignored), 'Ignored link parameters: attributes=Smiling (a faces parameter; this link opens the digits).');
  assert.deepEqual(names(parseLink('?panel=faces&label=3').ignored), ['label=3']);
  assert.deepEqual(names(parseLink('?panel=faces&strength=9&attributes=bad-name!').ignored), ['strength=9', 'attributes=bad-name!']);
  // An unknown tab shows the first, and says so.
  const cats = parseLink('?panel=cats&label=2');
  assert.deepEqual([cats.panel, cats.digits, describeIgnored(cats.ignored)], ['digits', { label: 2 }, 'Ignored link parameters: panel=cats (digits or faces).']);
  // The page's options are the options' business (options.js), never "unknown".
  assert.deepEqual(parseLink('?backend=cuda&model=./m.json&faces-model=./f.json').ignored, []);
  assert.equal(describeIgnored([]), '');
  assert.match(describeIgnored(parseLink(`?foo=1&seed=${'9'.repeat(80)}`).ignored), /seed=9{39}… \(/, 'a long value is cut short');
});

test('attribute names are checked against the model\'s, in its order, whatever their case', () => {
  const labels = ['Male', 'Smiling', 'No_Beard', 'Young'];
  assert.deepEqual(checkAttributeNames(['Young', 'smiling', 'Not_An_Attribute', 'Male'], labels), {
    present: ['Male', 'Smiling', 'Young'], unknown: ['Not_An_Attribute'],
  });
  assert.deepEqual(checkAttributeNames([], labels), { present: [], unknown: [] });
});

test('the URL of a state keeps the options, drops the rest, and writes commas as commas', () => {
  const href = linkUrl(`${PAGE}?backend=cpu&foo=1&label=12&model=./m.json#faces`, 'digits', { label: 3, seed: 7, temperature: 0.5 });
  assert.equal(href, `${PAGE}?backend=cpu&model=.%2Fm.json&label=3&seed=7&temperature=0.5`);
  assert.equal(
    linkUrl(PAGE, 'faces', { attributes: ['Smiling', 'No_Beard'], seed: 7, temperature: 1, strength: 2 }),
    `${PAGE}?panel=faces&attributes=Smiling,No_Beard&seed=7&temperature=1&strength=2`,
  );
  assert.equal(linkUrl(PAGE, 'faces', { attributes: [] }), `${PAGE}?panel=faces&attributes=`);
  assert.equal(linkUrl(`${PAGE}?label=3`, 'digits', {}), PAGE, 'an empty state is the bare page');
  // Only the tab's own parameters, in a fixed order.
  assert.equal(linkUrl(PAGE, 'digits', { temperature: 0.25, strength: 2, label: 1 }), `${PAGE}?label=1&temperature=0.25`);
  assert.equal(formatNumber(0.1 + 0.2), '0.3');
  assert.equal(formatNumber(0.35), '0.35');
});

test('reading the URL written for a state gives that state back', () => {
  const states = {
    digits: [{ label: 0, seed: 0, temperature: 0 }, { label: 9, seed: MAX_SEED, temperature: 1.5 }, { label: 5, seed: 123, temperature: 0.35 }],
    faces: [
      { attributes: ['5_o_Clock_Shadow', 'Male'], seed: 42, temperature: 0.65, strength: 0.3 },
      { attributes: [], seed: 7, temperature: 1, strength: 0 },
    ],
  };
  for (const [panel, list] of Object.entries(states)) {
    for (const state of list) {
      const url = new URL(linkUrl(`${PAGE}?backend=webgpu`, panel, state));
      const link = parseLink(url.search, url.hash);
      assert.equal(link.panel, panel);
      assert.deepEqual(link[panel], state, url.href);
      assert.deepEqual(link.ignored, []);
      assert.deepEqual(Object.keys(link[panel]), TAB_PARAMS[panel]);
    }
  }
});

test('slider numbers show their decimals, or all a link gave', () => {
  assert.equal(decimals(0.5, 2), '0.50');
  assert.equal(decimals(1, 1), '1.0');
  assert.equal(decimals(0.333, 2), '0.333');
  assert.equal(decimals(0.35, 2), '0.35');
});
