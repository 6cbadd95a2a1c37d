// The inputs of a panel that are not images (a class, a set of attributes): the values the
// figure starts from (its `given`, else the first class or no attributes), the controls that
// change them, built from each modality's kind, and the presets an author offers above them
// (with Random and Clear for attributes).

import { attributeToggles, classButtons, make } from '../controls.js';
import { randomAttributes, trainFrequencies } from '../random-attributes.js';

/** The starting value of a non-image modality: `given`'s, else class 0 or no attribute. */
export function startValue(modality, given) {
  if (modality.name in given) return given[modality.name];
  return modality.kind === 'categorical' ? 0 : new Float32Array(modality.labels.length);
}

/**
 * The values a figure gives: of the modalities among `modalities` named in `given`, else of
 * the first of them (with its start value), by name.
 */
export function givenValues(modalities, given) {
  const named = modalities.filter((m) => m.name in given);
  const chosen = named.length ? named : modalities.slice(0, 1);
  return Object.fromEntries(chosen.map((m) => [m.name, startValue(m, given)]));
}

/** The control of a non-image modality's value: class buttons, or attribute toggles. Returns { node, set(value) }. */
export function valueControl(modality, value, onChange) {
  return modality.kind === 'categorical' ? classButtons(modality, value, onChange) : attributeToggles(modality, value, onChange);
}

/**
 * The values a figure gives ([`givenValues`]), a control for each, and a row of `presets`
 * (`[{ name, given }]`, those naming only these values) with Random and Clear where one is a
 * set of attributes; `onChange()` after any change. Returns { values, nodes }.
 */
export function sourceControls(modalities, given, onChange, { presets = [], manifest = null } = {}) {
  const values = givenValues(modalities, given);
  const controls = {};
  for (const name of Object.keys(values)) {
    controls[name] = valueControl(modalities.find((m) => m.name === name), values[name], (value) => {
      values[name] = value;
      onChange();
    });
  }
  const setAll = (next) => {
    for (const [name, value] of Object.entries(next)) {
      values[name] = value;
      controls[name].set(value);
    }
    onChange();
  };
  const row = presetRow(modalities, values, presets, manifest, setAll);
  return { values, nodes: [...(row ? [row] : []), ...Object.values(controls).map((c) => c.node)] };
}

// The preset buttons, then Random and Clear for each attributes modality shown; null if none.
function presetRow(modalities, values, presets, manifest, setAll) {
  const buttons = presets.filter((p) => Object.keys(p.given).every((name) => name in values))
    .map((p) => button(p.name, `Set ${Object.keys(p.given).join(' and ')} to the preset "${p.name}"`, () => setAll(p.given)));
  let draws = 0;
  for (const modality of modalities.filter((m) => m.kind === 'binary_attributes' && m.name in values)) {
    const count = modality.labels.length;
    const frequencies = trainFrequencies(manifest, count);
    const why = frequencies ? 'each present as often as in the training set' : 'each present with probability 1/2';
    buttons.push(button('Random', `Random ${modality.name}, ${why}`, () => setAll({ [modality.name]: randomAttributes(count, frequencies, ++draws) })));
    buttons.push(button('Clear', `No ${modality.name}`, () => setAll({ [modality.name]: new Float32Array(count) })));
  }
  if (!buttons.length) return null;
  const row = make('div', { className: 'presets', part: 'presets' });
  row.setAttribute('role', 'group');
  row.setAttribute('aria-label', 'Presets');
  row.append(...buttons);
  return row;
}

function button(text, title, onClick) {
  const node = make('button', { part: 'button preset', text });
  node.type = 'button';
  node.title = title;
  node.dataset.preset = text;
  node.addEventListener('click', onClick);
  return node;
}

/** "label 3", "attributes Smiling, Male" (or "no attributes"): a value as a sentence says it. */
export function describeValue(modality, value) {
  if (typeof value === 'number') return `${modality.name} ${modality.labels[value]}`;
  if (value.length !== modality.labels.length) return `a mix of ${modality.name}s`;
  const present = modality.labels.filter((_, i) => value[i] >= 0.5);
  return present.length ? `${modality.name} ${present.join(', ')}` : `no ${modality.name}`;
}
