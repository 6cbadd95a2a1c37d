// What the faces panels assume of their model, and the attribute vocabulary they show: the
// image is a 64x64 colour face (channel-first RGB in [0, 1]) and the attributes are binary
// flags whose names come from the manifest (CelebA's 40). Nothing here counts the attributes:
// the groups and presets name them, and a name the model does not know is simply left out.

export const SIDE = 64;
export const CHANNELS = 3;
/** Values in one face: 3 planes of 64x64 (R, then G, then B). */
export const FACE_VALUES = CHANNELS * SIDE * SIDE;

/** The model's attribute names and training frequencies, or a clear error for another model. */
export function checkFaces(model) {
  const image = model.modalities.find((m) => m.name === 'image');
  const attributes = model.modalities.find((m) => m.name === 'attributes');
  const ok =
    image && image.kind === 'colour_image' && String(image.shape) === `${CHANNELS},${SIDE},${SIDE}` &&
    attributes && attributes.kind === 'binary_attributes' && attributes.labels.length > 0;
  if (!ok) {
    const seen = model.modalities.map((m) => `${m.name} (${m.kind}) [${m.shape}]`).join(', ');
    throw new Error(`the faces panel needs a faces model (image colour_image [3,64,64] + attributes binary_attributes), got ${seen}`);
  }
  const labels = [...attributes.labels];
  return { labels, frequencies: trainFrequencies(model.manifest, labels.length) };
}

/**
 * metrics.train_frequencies of a manifest (the fraction of training faces with each
 * attribute), or null when it is absent or does not fit the attributes.
 */
export function trainFrequencies(manifest, count) {
  const metrics = field(manifest, 'metrics');
  const values = field(metrics, 'train_frequencies');
  if (!Array.isArray(values) || values.length !== count) return null;
  return values.every((p) => typeof p === 'number' && p >= 0 && p <= 1) ? values : null;
}

// The manifest reaches JS as plain objects, though a serde map may arrive as a Map.
function field(object, key) {
  if (object instanceof Map) return object.get(key);
  return object && typeof object === 'object' ? object[key] : undefined;
}

// Groups a visitor can scan. The order inside a group is the order shown.
const GROUPS = [
  ['Hair', ['Bald', 'Bangs', 'Black_Hair', 'Blond_Hair', 'Brown_Hair', 'Gray_Hair', 'Receding_Hairline', 'Straight_Hair', 'Wavy_Hair']],
  ['Face', ['Chubby', 'Double_Chin', 'High_Cheekbones', 'Oval_Face', 'Pointy_Nose', 'Big_Nose', 'Big_Lips', 'Rosy_Cheeks',
    'Pale_Skin', 'Narrow_Eyes', 'Bags_Under_Eyes', 'Arched_Eyebrows', 'Bushy_Eyebrows']],
  ['Beard', ['5_o_Clock_Shadow', 'Goatee', 'Mustache', 'No_Beard', 'Sideburns']],
  ['Accessories & make-up', ['Eyeglasses', 'Wearing_Hat', 'Wearing_Earrings', 'Wearing_Lipstick', 'Wearing_Necklace',
    'Wearing_Necktie', 'Heavy_Makeup']],
  ['Expression', ['Smiling', 'Mouth_Slightly_Open']],
];
const OTHER = 'Other';

/**
 * The model's attributes in groups: `[{ name, members: [{ label, index }] }]`. Every label
 * appears exactly once; those no group names go to "Other" (Male, Young, Attractive, Blurry...,
 * and any attribute a future model adds). Empty groups are left out.
 */
export function groupAttributes(labels) {
  const index = new Map(labels.map((label, i) => [label, i]));
  const grouped = new Set();
  const groups = GROUPS.map(([name, members]) => ({
    name,
    members: members.filter((label) => index.has(label)).map((label) => {
      grouped.add(label);
      return { label, index: index.get(label) };
    }),
  }));
  const others = labels.flatMap((label, i) => (grouped.has(label) ? [] : [{ label, index: i }]));
  groups.push({ name: OTHER, members: others });
  return groups.filter((group) => group.members.length > 0);
}

// Where replacing underscores is not enough.
const DISPLAY_NAMES = { '5_o_Clock_Shadow': "5 o'clock shadow" };

/** "Blond_Hair" -> "Blond hair": the attribute as a reader would write it. */
export function displayName(label) {
  if (DISPLAY_NAMES[label]) return DISPLAY_NAMES[label];
  const words = label.split('_').filter(Boolean);
  return words.map((word, i) => (i === 0 || /^[A-Z0-9]+$/.test(word) ? word : word.toLowerCase())).join(' ');
}

/**
 * Presets: the attributes present in each; every other attribute is absent, so each preset is
 * a full vector. CelebA flags the beardless with No_Beard, so every beardless preset names it.
 */
export const PRESETS = [
  { name: 'Young woman, smiling', present: ['Young', 'Smiling', 'No_Beard', 'Attractive', 'Heavy_Makeup', 'Wearing_Lipstick',
    'High_Cheekbones', 'Mouth_Slightly_Open', 'Arched_Eyebrows', 'Wavy_Hair', 'Brown_Hair'] },
  { name: 'Man with beard', present: ['Male', 'Young', 'Goatee', 'Mustache', '5_o_Clock_Shadow', 'Black_Hair', 'Bushy_Eyebrows',
    'Big_Nose'] },
  { name: 'Glasses', present: ['Male', 'Eyeglasses', 'No_Beard', 'Young', 'Straight_Hair', 'Black_Hair'] },
  { name: 'Blond', present: ['Blond_Hair', 'Young', 'No_Beard', 'Attractive', 'Wavy_Hair', 'Wearing_Lipstick', 'Heavy_Makeup',
    'Smiling'] },
  { name: 'Grey-haired man', present: ['Male', 'Gray_Hair', 'No_Beard', 'Receding_Hairline', 'Big_Nose', 'Bags_Under_Eyes'] },
];

/** The vector (1 present, 0 absent) with exactly the named attributes present. */
export function presetVector(labels, present) {
  const wanted = new Set(present);
  return Float32Array.from(labels, (label) => (wanted.has(label) ? 1 : 0));
}

/** The names of the attributes at or above 0.5 in `vector`. */
export function presentNames(labels, vector) {
  return labels.filter((_, i) => vector[i] >= 0.5);
}

/** 1 where the probability is above one half, else 0: a prediction as toggles. */
export function binarise(probabilities) {
  return Float32Array.from(probabilities, (p) => (p > 0.5 ? 1 : 0));
}

/**
 * A random face description: each attribute present with its frequency in the training set
 * (0.5 each when the manifest has no frequencies), drawn from `seed` so that a seed always
 * gives the same attributes. Independent draws: the correlations between attributes are lost.
 */
export function randomAttributes(count, frequencies, seed) {
  const next = mulberry32(seed);
  return Float32Array.from({ length: count }, (_, i) => (next() < (frequencies ? frequencies[i] : 0.5) ? 1 : 0));
}

// A small seeded generator (Tommy Ettinger's Mulberry32): uniform numbers in [0, 1).
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
