// The inputs of a panel that are not images (a class, a set of attributes): the values the
// figure starts from (its `given`, else the first class or no attributes) and the controls that
// change them, built from each modality's kind.

import { attributeToggles, classButtons } from '../controls.js';

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

/** The control of a non-image modality's value: class buttons, or attribute toggles. */
export function valueControl(modality, value, onChange) {
  return modality.kind === 'categorical' ? classButtons(modality, value, onChange).node : attributeToggles(modality, value, onChange).node;
}

/**
 * The values a figure gives ([`givenValues`]) and a control for each; `onChange()` after any
 * change. Returns { values, nodes }.
 */
export function sourceControls(modalities, given, onChange) {
  const values = givenValues(modalities, given);
  const nodes = Object.keys(values).map((name) => valueControl(modalities.find((m) => m.name === name), values[name], (value) => {
    values[name] = value;
    onChange();
  }));
  return { values, nodes };
}

/** "label 3", "attributes Smiling, Male" (or "no attributes"): a value as a sentence says it. */
export function describeValue(modality, value) {
  if (typeof value === 'number') return `${modality.name} ${modality.labels[value]}`;
  if (value.length !== modality.labels.length) return `a mix of ${modality.name}s`;
  const present = modality.labels.filter((_, i) => value[i] >= 0.5);
  return present.length ? `${modality.name} ${present.join(', ')}` : `no ${modality.name}`;
}
