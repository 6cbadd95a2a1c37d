// What an element is given and asked for, read from its attributes against the model's
// modalities: `given="label=3"`, `given="attributes=Smiling,Male"` (the page's permalink
// syntax, by modality name, several joined by `&`), and the numeric options. Pure functions,
// tested in Node; every refusal names the bad value and what is accepted.

/** The kinds of image modality; the others are categorical or binary attributes. */
export const IMAGE_KINDS = ['binary_image', 'colour_image'];

/** The temperature a figure may ask for (the page's slider's range). */
export const TEMPERATURE = { min: 0, max: 1.5, step: 0.05 };
/** The edit strength's range. */
export const STRENGTH = { min: 0, max: 2, step: 0.1 };
/** The most samples one figure draws. */
export const MAX_SAMPLES = 64;
/** The largest seed the model takes. */
export const MAX_SEED = 1_000_000;

/** An error in what the author wrote, shown on the figure and fired as `error` type 'input'. */
export class InputError extends Error {}

export const isImage = (modality) => IMAGE_KINDS.includes(modality.kind);

/**
 * The modalities by role: `{ images, categorical, attributes, others }`, each a list; `others`
 * are the ones that are not images (the categorical, then the attributes).
 */
export function roles(modalities) {
  const categorical = modalities.filter((m) => m.kind === 'categorical');
  const attributes = modalities.filter((m) => m.kind === 'binary_attributes');
  return { images: modalities.filter(isImage), categorical, attributes, others: [...categorical, ...attributes] };
}

/** The panels a model with these modalities can serve, in the demo's order. */
export function servedPanels(modalities) {
  const { images, attributes } = roles(modalities);
  const cvae = modalities.some((m) => m.condition);
  if (images.length === 0) return ['about'];
  return ['generate', ...(cvae ? [] : ['read']), ...(attributes.length && !cvae ? ['edit'] : []), 'walk', ...(cvae ? [] : ['latent']), 'about'];
}

/**
 * The figures a demo shows for a model: `[{ panel, image }]`, the panels of [`servedPanels`],
 * generate and read once per image modality where there are several (`image` its name; null
 * for the first, the default).
 */
export function servedFigures(modalities) {
  const images = modalities.filter(isImage).map((m) => m.name);
  return servedPanels(modalities).flatMap((panel) => (
    ['generate', 'read'].includes(panel) && images.length > 1 ? images.map((image, i) => ({ panel, image: i === 0 ? null : image })) : [{ panel, image: null }]
  ));
}

/**
 * `text` (`name=value&name=value`) as the model's inputs: `{ <name>: class index | Float32Array
 * of 0/1 }`; an unknown modality, class or attribute throws an InputError naming it.
 */
export function parseGiven(text, modalities) {
  const given = {};
  for (const part of String(text ?? '').split('&').map((s) => s.trim()).filter(Boolean)) {
    const at = part.indexOf('=');
    const name = (at < 0 ? part : part.slice(0, at)).trim();
    const value = at < 0 ? '' : decodeURIComponent(part.slice(at + 1)).trim();
    const modality = modalities.find((m) => m.name === name);
    if (!modality) throw new InputError(`given: no modality \`${name}\` (this model has ${names(modalities)})`);
    if (isImage(modality)) throw new InputError(`given: \`${name}\` is an image; give it by drawing or choosing one, not in the attribute`);
    if (name in given) throw new InputError(`given: \`${name}\` is given twice`);
    given[name] = modality.kind === 'categorical' ? classIndex(value, modality) : attributeVector(value, modality);
  }
  return given;
}

// A class by name, or by index when no class has that name.
function classIndex(value, { name, labels }) {
  const byName = labels.indexOf(value);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(value) && Number(value) < labels.length) return Number(value);
  throw new InputError(`given: \`${name}=${value}\` is not a class of \`${name}\` (accepted: ${list(labels)}, or an index 0–${labels.length - 1})`);
}

// Names present (any case), every other attribute absent.
function attributeVector(value, { name, labels }) {
  const byName = new Map(labels.map((label, i) => [label.toLowerCase(), i]));
  const vector = new Float32Array(labels.length);
  for (const wanted of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = byName.get(wanted.toLowerCase());
    if (i === undefined) throw new InputError(`given: \`${name}\` has no attribute \`${wanted}\` (accepted: ${list(labels)})`);
    vector[i] = 1;
  }
  return vector;
}

/**
 * `presets="Name: given; Name: given"` as `[{ name, given }]` (each `given` read as by
 * parseGiven): the buttons a figure offers above its controls.
 */
export function parsePresets(text, modalities) {
  return String(text ?? '').split(';').map((s) => s.trim()).filter(Boolean).map((part) => {
    const at = part.indexOf(':');
    if (at <= 0) throw new InputError(`presets: \`${part}\` is not \`Name: modality=value\` (presets are joined by \`;\`)`);
    return { name: part.slice(0, at).trim(), given: parseGiven(part.slice(at + 1), modalities) };
  });
}

/**
 * The parts of `text` that name one of `modalities`: a `given` (joined by `&`) or `presets`
 * (joined by `;`, a preset kept when all it names is there). A demo gives each tab its share.
 */
export function shareFor(text, modalities, separator = '&') {
  const known = (part) => modalities.some((m) => m.name === part.split('=')[0].trim());
  const parts = String(text ?? '').split(separator).map((s) => s.trim()).filter(Boolean);
  if (separator === '&') return parts.filter(known).join('&');
  return parts.filter((preset) => preset.slice(preset.indexOf(':') + 1).split('&').every(known)).join('; ');
}

/** The image modality named by the `image` attribute: `fallback` (the first) when absent. */
export function readImage(text, modalities, fallback) {
  if (text === null || text === undefined || text === '') return fallback;
  const found = modalities.find((m) => m.name === text);
  if (!found || !isImage(found)) {
    const images = modalities.filter(isImage).map((m) => m.name);
    throw new InputError(`image="${text}" is not an image modality of this model (it has ${list(images)})`);
  }
  return found;
}

/** The inputs by name as the attribute writes them: `{ label: 3 }` -> [['label', '3']] (class names). */
export function givenTexts(given, modalities) {
  return Object.entries(given).map(([name, value]) => {
    const { labels } = modalities.find((m) => m.name === name);
    return [name, typeof value === 'number' ? labels[value] : labels.filter((_, i) => value[i] >= 0.5).join(',')];
  });
}

/** The inputs back in the attribute's syntax: `{ label: 3 }` -> 'label=3' (class names). */
export function formatGiven(given, modalities) {
  return givenTexts(given, modalities).map(([name, text]) => `${name}=${text}`).join('&');
}

/**
 * A number attribute: `fallback` when absent, else a number in [min, max] (whole when
 * `whole`); anything else throws an InputError naming the attribute and the range.
 */
export function readNumber(name, text, { min, max, whole = false, fallback }) {
  if (text === null || text === undefined || text === '') return fallback;
  const n = Number(text);
  const ok = /^\s*[\d.]+\s*$/.test(text) && Number.isFinite(n) && n >= min && n <= max && (!whole || Number.isInteger(n));
  if (!ok) throw new InputError(`${name}="${text}" is not ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  return n;
}

/** One of `allowed`, or `fallback` when absent; anything else throws an InputError. */
export function readChoice(name, text, allowed, fallback) {
  if (text === null || text === undefined || text === '') return fallback;
  const value = text.toLowerCase();
  if (!allowed.includes(value)) throw new InputError(`${name}="${text}" is not one of ${allowed.join(', ')}`);
  return value;
}

const names = (modalities) => list(modalities.map((m) => m.name));

// "a, b, c" shortened past a dozen: a message must fit one line.
function list(items) {
  const shown = items.slice(0, 12).map((item) => `\`${item}\``).join(', ');
  return items.length > 12 ? `${shown}, … (${items.length} in all)` : shown;
}
