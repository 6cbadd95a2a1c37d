// Permalinks: the page's state in its URL query, so that a copied link opens the same images.
// Pure functions (no DOM), tested in Node; page-link.js wires them to the page.
//
// A link describes the tab it opens (?panel=faces, or the digits without it):
//   digits: ?label=3&seed=7&temperature=0.5
//   faces:  ?panel=faces&attributes=Smiling,Male&seed=7&temperature=0.5&strength=1
// and keeps the page's options (?backend=, ?model=, ?faces-model=, ?gpu=; options.js reads those).
// Anything else, or a value out of range, is ignored and named, so a mistyped or outdated link
// still opens the page.

import { PANELS, panelFrom } from './options.js';

/** The page's options, kept in every link as they were (options.js validates them). */
export const OPTION_PARAMS = ['backend', 'model', 'faces-model', 'gpu'];

/** The largest seed the model takes. */
export const MAX_SEED = 1_000_000;

/** The temperature slider's range (the model itself takes 0 to 10). */
export const TEMPERATURE = { min: 0, max: 1.5, step: 0.05 };

/** The edit strength slider's range. */
export const STRENGTH = { min: 0, max: 2, step: 0.1 };

// A plain decimal: "7", "0.5", ".5", "1." (no sign, exponent, hex or Infinity).
const DECIMAL = /^(\d+\.?\d*|\.\d+)$/;

/** A reader per parameter: its value, or undefined when the text is not a valid one. */
const READERS = {
  label: { read: (text) => wholeIn(text, 0, 9), expects: 'a digit 0–9' },
  seed: { read: (text) => wholeIn(text, 0, MAX_SEED), expects: `a whole number from 0 to ${MAX_SEED.toLocaleString('en')}` },
  temperature: { read: (text) => numberIn(text, TEMPERATURE.min, TEMPERATURE.max), expects: `a number from ${TEMPERATURE.min} to ${TEMPERATURE.max}` },
  strength: { read: (text) => numberIn(text, STRENGTH.min, STRENGTH.max), expects: `a number from ${STRENGTH.min} to ${STRENGTH.max}` },
  attributes: { read: attributeNames, expects: 'attribute names separated by commas' },
};

/** The parameters of each tab's state, in the order a link writes them. */
export const TAB_PARAMS = {
  digits: ['label', 'seed', 'temperature'],
  faces: ['attributes', 'seed', 'temperature', 'strength'],
};

function wholeIn(text, min, max) {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

function numberIn(text, min, max) {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

// "Smiling,No_Beard" -> ['Smiling', 'No_Beard']; '' -> [] (no attribute present). Whether the
// names exist is the model's to say (checkAttributeNames), once it has loaded.
function attributeNames(text) {
  const names = text.split(',').map((name) => name.trim()).filter(Boolean);
  return names.every((name) => /^[A-Za-z0-9_]+$/.test(name)) ? names : undefined;
}

/**
 * The state a URL asks for: `{ panel, digits: { label?, seed?, temperature? }, faces: {
 * attributes?, seed?, temperature?, strength? }, ignored: [{ name, value, why }] }`. The tab is
 * `#faces`/`#digits` or `?panel=`; parameters of the other tab, unknown names, repeats and bad
 * values are ignored (and listed), the rest applies to the tab the link opens.
 */
export function parseLink(search, hash = '') {
  const params = new URLSearchParams(search);
  const ignored = [];
  const seen = new Set();
  const ignore = (name, value, why) => ignored.push({ name, value, why });

  // Which tab is options.js's to say; here only what of ?panel= was ignored.
  const panel = panelFrom(search, hash);
  for (const [name, value] of params) {
    if (name !== 'panel') continue;
    if (seen.has('panel')) ignore(name, value, 'repeated');
    else if (!PANELS.includes(value.toLowerCase())) ignore(name, value, PANELS.join(' or '));
    seen.add('panel');
  }

  const state = { digits: {}, faces: {} };
  const other = PANELS.find((name) => name !== panel);
  for (const [name, value] of params) {
    if (name === 'panel') continue;
    if (OPTION_PARAMS.includes(name)) continue;
    if (!READERS[name]) {
      ignore(name, null, 'unknown');
      continue;
    }
    if (!TAB_PARAMS[panel].includes(name)) {
      ignore(name, value, `a ${other} parameter; this link opens the ${panel}`);
      continue;
    }
    if (seen.has(name)) {
      ignore(name, value, 'repeated');
      continue;
    }
    seen.add(name);
    const read = READERS[name].read(value);
    if (read === undefined) ignore(name, value, READERS[name].expects);
    else state[panel][name] = read;
  }
  return { panel, digits: state.digits, faces: state.faces, ignored };
}

/**
 * Names of a link's attributes, checked against the model's `labels` (a name may differ in
 * case): `{ present: [labels in the model's order], unknown: [names as written] }`.
 */
export function checkAttributeNames(names, labels) {
  const byName = new Map(labels.map((label) => [label.toLowerCase(), label]));
  const present = new Set();
  const unknown = [];
  for (const name of names) {
    const label = byName.get(name.toLowerCase());
    if (label) present.add(label);
    else unknown.push(name);
  }
  return { present: labels.filter((label) => present.has(label)), unknown };
}

// Query values as a reader would type them: commas (between attribute names) stay commas.
const encode = (text) => encodeURIComponent(text).replace(/%2C/gi, ',');

/** A number as the link writes it: "0.5", "7", never "0.30000000000000004". */
export function formatNumber(value) {
  return String(Number(value.toFixed(6)));
}

function writeValue(name, value) {
  if (name === 'attributes') return value.join(',');
  return formatNumber(value);
}

/**
 * The page's URL `href` describing tab `panel` in `state` (its known parameters, in TAB_PARAMS
 * order; absent ones are left out), keeping the page's options and dropping everything else
 * (the hash too: ?panel= says which tab).
 */
export function linkUrl(href, panel, state = {}) {
  const url = new URL(href);
  const old = new URLSearchParams(url.search);
  const pairs = [];
  for (const [name, value] of old) if (OPTION_PARAMS.includes(name)) pairs.push([name, value]);
  if (panel !== PANELS[0]) pairs.push(['panel', panel]);
  for (const name of TAB_PARAMS[panel] ?? []) {
    if (state[name] !== undefined) pairs.push([name, writeValue(name, state[name])]);
  }
  url.search = pairs.length ? `?${pairs.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&')}` : '';
  url.hash = '';
  return url.href;
}

// A value as the note quotes it: short, so a pasted blob cannot fill the page.
function quote(value) {
  return value.length > 40 ? `${value.slice(0, 39)}…` : value;
}

/**
 * "Ignored link parameters: label=12 (a digit 0–9), foo (unknown)." for the ignored list of
 * parseLink (and any added later); '' when nothing was ignored.
 */
export function describeIgnored(ignored) {
  if (ignored.length === 0) return '';
  const items = ignored.map(({ name, value, why }) => `${name}${value === null ? '' : `=${quote(value)}`} (${why})`);
  return `Ignored link parameters: ${items.join(', ')}.`;
}
